use super::*;
use crate::cli_user::actor_for;
use app::registry::{ExportFormat, ResidentQuery};

async fn fresh_app(name: &str) -> (App, PathBuf) {
    let dir = std::env::temp_dir().join(format!("gridwatch-demo-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}", dir.join("demo.db").display());
    let db = store::Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let app = App::new(
        db,
        app::crypto::Crypto::new([9; 32]),
        app::Settings::default(),
    );
    (app, dir)
}

fn options(residents: usize) -> DemoOptions {
    DemoOptions {
        residents,
        grids: 3,
        seed: 11,
        write_files: None,
        activity: true,
    }
}

#[tokio::test]
async fn the_demo_loads_once_and_a_second_run_changes_nothing() {
    let (app, dir) = fresh_app("twice").await;
    let first = run(&app, &options(300)).await.expect("first run");
    assert_eq!(first.accounts.len(), 9);
    assert!(first.accounts.iter().all(|a| a.created));
    let system = Actor::system();
    let communities = app.communities(&system).await.expect("communities");
    assert_eq!(communities.len(), 1);
    assert_eq!(communities[0].name, COMMUNITY_NAME);
    let grids = app.grids(&system, first.community_id).await.expect("grids");
    assert_eq!(grids.len(), 3);
    let imports = app
        .imports(&system, first.community_id)
        .await
        .expect("imports");
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].inserted, 300);
    assert_eq!(imports[0].rejected, 0);

    let second = run(&app, &options(300)).await.expect("second run");
    assert_eq!(second.community_id, first.community_id);
    assert!(second.accounts.iter().all(|a| !a.created));
    assert_eq!(app.communities(&system).await.expect("c").len(), 1);
    assert_eq!(
        app.grids(&system, first.community_id)
            .await
            .expect("g")
            .len(),
        3
    );
    let imports = app
        .imports(&system, first.community_id)
        .await
        .expect("imports");
    let latest = imports.iter().max_by_key(|i| i.id).expect("latest");
    assert_eq!(latest.unchanged, 300, "{latest:?}");
    assert_eq!(latest.inserted, 0);

    let v = app.verify_audit(&system).await.expect("verify");
    assert!(v.broken_at.is_none());
    assert!(v.entries > 10);

    // The demo accounts work with their roles and jurisdictions.
    let staff = actor_for(&app, Some("staff")).await.expect("staff");
    assert_eq!(staff.role, Role::CommunityStaff);
    let login = app.login("staff", DEMO_PASSWORD, "test").await;
    assert!(login.is_ok());
    let csv = app
        .export_residents(&staff, &ResidentQuery::default(), ExportFormat::Csv, false)
        .await
        .expect("export");
    let text = String::from_utf8_lossy(&csv);
    assert!(text.lines().count() > 300, "header and 300 rows");
    assert!(text.contains("********"), "masked ID numbers");
    let worker = actor_for(&app, Some("gridworker"))
        .await
        .expect("gridworker");
    let in_grid = app
        .export_residents(&worker, &ResidentQuery::default(), ExportFormat::Csv, false)
        .await
        .expect("grid export");
    let rows = String::from_utf8_lossy(&in_grid).lines().count();
    assert!(rows > 1 && rows < 300, "grid 1 holds a share: {rows}");
    // The grid worker's home shows a campaign under way: households answered and households open.
    let today = app.grid_today(&worker).await.expect("the grid's today");
    let (_, name, mine) = today.screening.expect("an open campaign");
    assert_eq!(name, screening::CAMPAIGN_NAME);
    assert!(mine.open > 0 && mine.done > 0, "{mine:?}");
    let campaigns = app
        .screening_campaigns(
            &staff,
            Some(first.community_id),
            domain::page::PageRequest::first(),
        )
        .await
        .expect("campaigns");
    assert_eq!(campaigns.items.len(), 1, "one campaign, not seeded twice");
    app.db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_files_hold_the_same_register_as_csv_and_xlsx() {
    let dir = std::env::temp_dir().join(format!("gridwatch-demo-files-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let today = Ymd {
        year: 2020,
        month: 2,
        day: 1,
    };
    let plan = demo_data::generate(120, 2, 5, today);
    let csv = plan.csv();
    write_files(&dir, &plan, &csv).expect("write files");
    let read = |name: &str| {
        let bytes = std::fs::read(dir.join(name)).expect("read back");
        sheets::read_table(&bytes, Some(name)).expect("a table")
    };
    let from_csv = read("residents.csv");
    let from_xlsx = read("residents.xlsx");
    assert_eq!(from_xlsx.headers, from_csv.headers);
    assert_eq!(from_xlsx.rows.len(), 120);
    let cells = |t: &sheets::Table| t.rows.iter().map(|r| r.cells.clone()).collect::<Vec<_>>();
    assert_eq!(cells(&from_xlsx), cells(&from_csv));
    let _ = std::fs::remove_dir_all(&dir);
}
