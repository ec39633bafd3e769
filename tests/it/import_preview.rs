//! The preview before an import: how the file is read, what importing would do (written
//! nowhere), columns mapped by hand, buildings created from the register, and totals and
//! signature lines passed over.

use app::import::{Column, ImportOptions, ImportPreview, PreparedImport, SkipReason};
use app::{Actor, App, AppResult};
use axum::http::{Method, StatusCode, header};

use crate::http::Client;
use crate::support::{
    Fixture, TestDb, assert_chain_intact, assert_field_error, citizen_id, rejects_of,
    search_residents,
};

/// A register as a clerk keeps it: a title and a date line above the header, a header the
/// importer does not know (住户门牌, for the room), two buildings the community lacks (8号楼
/// twice, 9号楼), one it has (1号楼), a bad ID, and a totals and a signature line below.
fn register() -> String {
    let lines = [
        "民生路社区居民信息登记表（第一网格）,,,,".to_owned(),
        "填报日期：2020年2月1日,,,,".to_owned(),
        "姓名,身份证号,楼栋,单元,住户门牌".to_owned(),
        format!("张一,{},1号楼,1,101", citizen_id(101)),
        format!("张二,{},8号楼,1,201", citizen_id(102)),
        format!("张三,{},8号楼,2,202", citizen_id(103)),
        format!("张四,{},9号楼,1,301", citizen_id(104)),
        "张五,61082519840919001X,1号楼,1,102".to_owned(),
        "合计：5人,,,,".to_owned(),
        "填表人：王芳,,,审核人：李明,".to_owned(),
    ];
    lines.join("\r\n") + "\r\n"
}

fn mapped() -> ImportOptions {
    ImportOptions {
        mapping: vec![("住户门牌".to_owned(), Some(Column::Room))],
        create_buildings_in_grid: None,
        header_row: None,
    }
}

/// The register's preview for the fixture's staff, read with `options`.
async fn preview(app: &App, f: &Fixture, options: &ImportOptions) -> ImportPreview {
    app.preview_import(&f.staff, f.community_id, "登记表.csv", register(), options)
        .await
        .expect("preview")
}

/// The register prepared by `actor` for importing into `community_id` with `options`.
async fn prepare(
    app: &App,
    actor: &Actor,
    community_id: i64,
    options: &ImportOptions,
) -> AppResult<PreparedImport> {
    app.prepare_import_with(actor, community_id, "登记表.csv", register(), options)
        .await
}

#[tokio::test]
async fn a_preview_reads_the_file_and_writes_nothing() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let before = app
        .imports(&f.staff, f.community_id)
        .await
        .expect("imports");

    // Unmapped, the room column is missing: the preview says so and counts nothing.
    let p = preview(app, &f, &ImportOptions::default()).await;
    assert_eq!(p.header_row, 3);
    assert_eq!(p.rows_above_header, 2);
    assert_eq!(p.missing, vec![Column::Room]);
    assert_eq!(p.counts.inserted, 0);
    assert!(
        !p.sample.is_empty(),
        "the first rows are shown to map the columns by"
    );
    assert_eq!(p.sample[0].number, 4);
    assert!(
        p.sample[0].cells[1].contains("********"),
        "ID numbers are masked in the sample: {:?}",
        p.sample[0].cells
    );

    // Mapped, every row is counted; the unknown buildings are named, not created.
    let p = preview(app, &f, &mapped()).await;
    assert!(p.missing.is_empty());
    assert_eq!(p.counts.rows, 7);
    assert_eq!(p.counts.inserted, 1, "only 张一 has a building");
    assert_eq!(p.counts.rejected, 4, "three unknown buildings, one bad ID");
    assert_eq!(p.counts.skipped, 2);
    assert_eq!(
        p.skipped,
        vec![(9, SkipReason::TotalsRow), (10, SkipReason::SignatureRow)]
    );
    assert_eq!(
        p.new_buildings,
        vec!["8号楼".to_owned(), "9号楼".to_owned()]
    );
    assert!(
        p.problems
            .iter()
            .any(|r| r.row_number == 8 && r.column_name == "身份证号")
    );

    // Choosing a grid, the buildings and their units would be created and every good row
    // inserted.
    let mut create = mapped();
    create.create_buildings_in_grid = Some(f.grid2_id);
    let p = preview(app, &f, &create).await;
    assert_eq!(p.counts.inserted, 4);
    assert_eq!(p.counts.rejected, 1);
    assert_eq!(p.new_building_count, 2);
    assert_eq!(
        p.new_units, 4,
        "1号楼 unit 1 (the fixture has none), 8号楼 units 1 and 2, 9号楼 unit 1"
    );

    // Nothing was written: no import, no resident, no building.
    assert_eq!(
        app.imports(&f.staff, f.community_id)
            .await
            .expect("imports"),
        before
    );
    let found = search_residents(app, &f.staff, "张").await;
    assert!(found.items.is_empty());
    let buildings = app
        .buildings(&f.staff, f.grid2_id)
        .await
        .expect("buildings");
    assert!(!buildings.iter().any(|b| b.name == "8号楼"));
}

#[tokio::test]
async fn an_import_creates_the_buildings_the_register_names() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let mut create = mapped();
    create.create_buildings_in_grid = Some(f.grid2_id);
    let preview = preview(app, &f, &create).await;
    let prepared = prepare(app, &f.staff, f.community_id, &create)
        .await
        .expect("prepare");
    let done = app.run_import(prepared, &|_| {}).await.expect("import");
    // The import does what its preview said.
    assert_eq!(done.inserted as usize, preview.counts.inserted);
    assert_eq!(done.rejected as usize, preview.counts.rejected);
    assert_eq!(done.skipped as usize, preview.counts.skipped);
    assert_eq!((done.inserted, done.rejected, done.skipped), (4, 1, 2));

    let buildings = app
        .buildings(&f.staff, f.grid2_id)
        .await
        .expect("buildings");
    let eight = buildings
        .iter()
        .find(|b| b.name == "8号楼")
        .expect("8号楼 created in grid 2");
    assert!(buildings.iter().any(|b| b.name == "9号楼"));
    let units = app.units(&f.staff, eight.id).await.expect("units");
    assert_eq!(units.len(), 2);

    // The passed-over lines are listed apart from the rejected rows.
    let skipped = app
        .import_skipped_rows(&f.staff, done.id, 10)
        .await
        .expect("skipped");
    assert_eq!(
        skipped,
        vec![(9, SkipReason::TotalsRow), (10, SkipReason::SignatureRow)]
    );
    let rejects = rejects_of(app, &f, done.id).await;
    assert!(rejects.iter().all(|r| r.row_number == 8), "{rejects:?}");

    // Each created building is in the audit trail, which stays whole.
    let filter = store::audit::AuditFilter {
        object_type: Some("building".to_owned()),
        object_id: Some(eight.id.to_string()),
        ..Default::default()
    };
    let trail = app
        .audit_trail(&f.auditor, &filter, 10)
        .await
        .expect("trail");
    assert!(
        trail.iter().any(|e| e.action == "building_create"),
        "{trail:?}"
    );
    assert_chain_intact(app, &f.auditor).await;

    // Importing it again changes nothing and creates no second building.
    let again = prepare(app, &f.staff, f.community_id, &create)
        .await
        .expect("prepare");
    let again = app.run_import(again, &|_| {}).await.expect("import");
    assert_eq!((again.inserted, again.unchanged), (0, 4));
    let buildings = app
        .buildings(&f.staff, f.grid2_id)
        .await
        .expect("buildings");
    assert_eq!(buildings.iter().filter(|b| b.name == "8号楼").count(), 1);
}

#[tokio::test]
async fn buildings_are_created_only_where_the_importer_may_shape_the_structure() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    // A grid of another community is refused.
    let mut elsewhere = mapped();
    elsewhere.create_buildings_in_grid = Some(f.other_grid_id);
    let result = prepare(app, &f.admin, f.community_id, &elsewhere)
        .await
        .map(|p| p.import_id);
    assert_field_error(result, "create_buildings_in_grid", "grid_not_in_community");
    // Without the choice, the import refuses the rows as before.
    let prepared = prepare(app, &f.staff, f.community_id, &mapped())
        .await
        .expect("prepare");
    let done = app.run_import(prepared, &|_| {}).await.expect("import");
    assert_eq!((done.inserted, done.rejected), (1, 4));
    let rejects = rejects_of(app, &f, done.id).await;
    assert_eq!(
        rejects
            .iter()
            .filter(|r| r.code == "unknown_building")
            .count(),
        3
    );
}

#[tokio::test]
async fn the_api_previews_with_dry_run_and_maps_columns() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let router = server::router(app.clone());
    let mut anon = Client::new(router.clone());
    let mut api = anon.bearer_for("staff").await;
    let post = async |api: &mut Client, query: &str| {
        let path = format!(
            "/api/v1/imports?community_id={}&file_name=reg.csv&{query}",
            f.community_id
        );
        api.send(
            Method::POST,
            &path,
            &[(header::CONTENT_TYPE, "application/octet-stream")],
            axum::body::Body::from(register()),
        )
        .await
    };
    let map = "map=%E4%BD%8F%E6%88%B7%E9%97%A8%E7%89%8C%3Droom";
    let res = post(
        &mut api,
        &format!("dry_run=true&{map}&create_buildings_in_grid={}", f.grid2_id),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    assert_eq!(body["counts"]["inserted"], 4, "{body}");
    assert_eq!(body["counts"]["skipped"], 2, "{body}");
    assert_eq!(body["new_building_count"], 2, "{body}");
    assert_eq!(body["problems"][0]["row"], 8, "{body}");
    assert!(
        app.imports(&f.staff, f.community_id)
            .await
            .expect("imports")
            .is_empty()
    );

    // A mapping to no field is refused, naming it.
    let res = post(&mut api, "dry_run=true&map=%E9%97%A8%E7%89%8C%3Drooms").await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    assert!(res.text().contains("bad_column_mapping"), "{}", res.text());

    // Without dry_run the same choices import.
    let res = post(
        &mut api,
        &format!("{map}&create_buildings_in_grid={}", f.grid2_id),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["inserted"], 4, "{}", res.text());
    assert_eq!(res.json()["skipped"], 2, "{}", res.text());
}

#[tokio::test]
async fn the_upload_page_previews_then_imports_once() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let mut web = Client::signed_in(server::router(app.clone()), "staff").await;
    let res = web
        .upload(
            "/imports",
            f.community_id,
            ("登记表.csv", register().into_bytes()),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let text = res.text();
    assert!(
        text.contains("data-testid=\"missing-columns\""),
        "room is not mapped yet"
    );
    assert!(
        app.imports(&f.staff, f.community_id)
            .await
            .expect("imports")
            .is_empty()
    );
    let token = res
        .form_field("/imports/preview", "token")
        .expect("the held upload's token");
    let csrf = res.form_csrf("/imports/preview").expect("csrf field");
    let grid = f.grid2_id.to_string();
    let choose = |action: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("token", token.clone()),
            ("header", "姓名".to_owned()),
            ("field", String::new()),
            ("header", "住户门牌".to_owned()),
            ("field", "room".to_owned()),
            ("create_in_grid", grid.clone()),
            ("action", action.to_owned()),
        ]
    };
    let form = choose("preview");
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = web.post_form("/imports/preview", &refs).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(
        res.text().contains("data-testid=\"preview-inserted\">4<"),
        "{}",
        res.text()
    );

    // Import, twice as a double click would: one import.
    let form = choose("import");
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = web.post_form("/imports/preview", &refs).await;
    let second = web.post_form("/imports/preview", &refs).await;
    let location = |r: &crate::http::Res| {
        r.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.text());
    assert_eq!(location(&first), location(&second));
    assert!(location(&first).starts_with("/imports/"));
    // The import runs in the background; wait for it.
    let mut imports = Vec::new();
    for _ in 0..100 {
        imports = app
            .imports(&f.staff, f.community_id)
            .await
            .expect("imports");
        if imports
            .iter()
            .all(|i| i.status != domain::registry::ImportStatus::Running)
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(imports.len(), 1, "a double click imports once");
    assert_eq!((imports[0].inserted, imports[0].skipped), (4, 2));

    // Another account cannot use the held upload.
    let mut other = Client::signed_in(server::router(app.clone()), "admin").await;
    let page = other.get("/imports").await;
    let csrf = page.form_csrf("/imports").expect("csrf field");
    let res = other
        .post_form(
            "/imports/preview",
            &[("csrf", &csrf), ("token", &token), ("action", "import")],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    assert!(res.text().contains("import-error"), "{}", res.text());
    assert_eq!(
        app.imports(&f.staff, f.community_id)
            .await
            .expect("imports")
            .len(),
        1
    );
}

#[tokio::test]
async fn a_header_the_search_cannot_find_is_named_by_its_row_and_mapped() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    // A register whose header words are the community's own: nothing is recognised.
    let file = format!(
        "居民表,,,,\r\n甲,乙,丙,丁,戊\r\n李一,{},1号楼,1,101\r\n",
        citizen_id(201)
    );
    let found = app
        .preview_import(
            &f.staff,
            f.community_id,
            "r.csv",
            file.clone(),
            &ImportOptions::default(),
        )
        .await
        .expect("preview");
    assert_eq!(
        found.header_row, 1,
        "without a known header, the first row is taken"
    );
    assert_eq!(found.missing.len(), 5);
    let options = ImportOptions {
        mapping: vec![
            ("甲".to_owned(), Some(Column::Name)),
            ("乙".to_owned(), Some(Column::DocumentNumber)),
            ("丙".to_owned(), Some(Column::Building)),
            ("丁".to_owned(), Some(Column::Unit)),
            ("戊".to_owned(), Some(Column::Room)),
        ],
        create_buildings_in_grid: None,
        header_row: Some(2),
    };
    let p = app
        .preview_import(&f.staff, f.community_id, "r.csv", file.clone(), &options)
        .await
        .expect("preview");
    assert_eq!((p.header_row, p.rows_above_header), (2, 1));
    assert!(p.missing.is_empty());
    assert_eq!(p.counts.inserted, 1);
    let prepared = app
        .prepare_import_with(&f.staff, f.community_id, "r.csv", file, &options)
        .await
        .expect("prepare");
    let done = app.run_import(prepared, &|_| {}).await.expect("import");
    assert_eq!(done.inserted, 1);
}

#[tokio::test]
async fn a_building_is_created_in_the_grid_its_row_names() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let file = format!(
        "姓名,身份证号,网格,楼栋,单元,房号\r\n\
         赵一,{},2,21号楼,1,101\r\n\
         赵二,{},,22号楼,1,101\r\n\
         赵三,{},Grid 9,23号楼,1,101\r\n",
        citizen_id(301),
        citizen_id(302),
        citizen_id(303)
    );
    let options = ImportOptions {
        create_buildings_in_grid: Some(f.grid1_id),
        ..ImportOptions::default()
    };
    let prepared = app
        .prepare_import_with(&f.staff, f.community_id, "grids.csv", file, &options)
        .await
        .expect("prepare");
    let done = app.run_import(prepared, &|_| {}).await.expect("import");
    assert_eq!((done.inserted, done.rejected), (2, 1));
    let in_grid = async |grid: i64| -> Vec<String> {
        let list = app.buildings(&f.staff, grid).await.expect("buildings");
        list.into_iter().map(|b| b.name).collect()
    };
    assert!(
        in_grid(f.grid2_id).await.contains(&"21号楼".to_owned()),
        "named by its number"
    );
    assert!(
        in_grid(f.grid1_id).await.contains(&"22号楼".to_owned()),
        "no grid named: the chosen one"
    );
    let rejects = rejects_of(app, &f, done.id).await;
    assert_eq!(
        (
            rejects[0].row_number,
            rejects[0].column_name.as_str(),
            rejects[0].code.as_str()
        ),
        (4, "网格", "unknown_grid")
    );
}
