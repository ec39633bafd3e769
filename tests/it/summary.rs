//! The registry summary comes from counts kept with every write; they must always equal what a
//! full count of the rows gives.

use app::registry::ResidentQuery;

use crate::support::{
    TestDb, citizen_id, every_page, first_page, household, prepare_staff_import, raw_resident,
};

/// Counts the residents of a grid by walking every page (the slow way the counts replace).
async fn walk(db: &TestDb, actor: &app::Actor, grid_id: i64, travel: Option<&str>) -> i64 {
    let q = ResidentQuery {
        grid_id: Some(grid_id),
        travel_status: travel.map(str::to_owned),
        ..Default::default()
    };
    let pages = every_page(500, async |p| db.app.residents(actor, &q, p).await).await;
    pages.iter().map(|p| p.items.len() as i64).sum()
}

#[tokio::test]
async fn summary_counts_follow_every_write() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let h1 = household(app, &f.staff, f.building1_id, "1单元", "101").await;
    let h3 = household(app, &f.staff, f.building3_id, "1单元", "201").await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let mut raw = raw_resident(&format!("居民{i}"), &citizen_id(100 + i), "");
        if i % 2 == 0 {
            raw.travel_status = "returned".into();
            raw.travel_origin = "武汉".into();
            raw.returned_on = "2020-01-20".into();
        }
        if i == 1 {
            raw.vulnerabilities = "elderly_alone".into();
            raw.hukou = "resident_only".into();
        }
        let h = if i < 4 { h1 } else { h3 };
        ids.push(
            app.create_resident(&f.staff, h, &raw)
                .await
                .expect("resident"),
        );
    }
    // Move one returnee to grid 2 and mark them as stayed, then delete another.
    let (r, _) = app.resident(&f.staff, ids[0]).await.expect("resident");
    let mut raw = raw_resident("居民0", &citizen_id(100), "");
    raw.travel_status = "stayed_in_city".into();
    app.update_resident(&f.staff, ids[0], r.version, h3, &raw)
        .await
        .expect("update");
    app.delete_resident(&f.staff, ids[5], "moved away")
        .await
        .expect("delete");

    let s = app
        .registry_summary(&f.staff, f.community_id)
        .await
        .expect("summary");
    let grid = |id: i64| {
        &s.grids
            .iter()
            .find(|g| g.1.grid_id == id)
            .unwrap_or_else(|| panic!("grid {id} in the summary"))
            .1
    };
    let (g1, g2) = (grid(f.grid1_id), grid(f.grid2_id));
    assert_eq!(g1.residents, walk(&db, &f.staff, f.grid1_id, None).await);
    assert_eq!(g2.residents, walk(&db, &f.staff, f.grid2_id, None).await);
    assert_eq!(g1.residents, 3);
    assert_eq!(g2.residents, 2);
    assert_eq!(
        g1.returned,
        walk(&db, &f.staff, f.grid1_id, Some("returned")).await
    );
    assert_eq!(g1.returned, 1);
    assert_eq!(g2.returned, 1);
    assert_eq!(g1.vulnerable, 1);
    assert_eq!(g1.resident_only, 1);
    assert_eq!(g1.households, 1);
    assert_eq!(g2.households, 1);
    assert_eq!(s.total.residents, 5);

    // A grid worker sees only its own grid's figures.
    let gw = app
        .registry_summary(&f.grid_worker, f.community_id)
        .await
        .expect("grid worker summary");
    assert_eq!(gw.total.residents, 3);
    assert!(gw.grids.iter().all(|g| g.1.grid_id == f.grid1_id));
    // Roles without registry access get nothing.
    assert!(
        app.registry_summary(&f.guard, f.community_id)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn imported_residents_and_households_are_counted() {
    let (db, f) = TestDb::with_fixture().await;
    let mut csv = String::from("姓名,身份证号,楼栋,单元,房号,出行登记,来源地,返回日期\n");
    for i in 0..30u32 {
        let (travel, origin, date) = if i % 3 == 0 {
            ("外地返回", "武汉", "2020-01-22")
        } else {
            ("", "", "")
        };
        let building = if i % 2 == 0 { "1号楼" } else { "3号楼" };
        csv.push_str(&format!(
            "导入{i},{},{building},1单元,{},{travel},{origin},{date}\n",
            citizen_id(500 + i),
            100 + i / 3
        ));
    }
    let p = prepare_staff_import(&db.app, &f, "counts.csv", csv.as_str())
        .await
        .expect("prepare");
    db.app.run_import(p, &|_| {}).await.expect("run");
    let s = db
        .app
        .registry_summary(&f.staff, f.community_id)
        .await
        .expect("summary");
    assert_eq!(s.total.residents, 30);
    assert_eq!(s.total.returned, 10);
    let households = db
        .app
        .households(&f.staff, &Default::default(), first_page(500))
        .await
        .expect("households");
    assert_eq!(s.total.households, households.items.len() as i64);
}
