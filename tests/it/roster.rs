//! A community's structure from a roster (the street office's list of grids, buildings and
//! units), without residents: what the community lacks is created and audited, in one
//! transaction; a preview says the same and writes nothing.

use axum::http::{Method, StatusCode, header};

use crate::http::Client;
use crate::support::{TestDb, assert_chain_intact, assert_field_error};

/// Grid 1 exists (as "Grid 1", named here by its number); 第5网格 does not; 1号楼 exists.
fn roster() -> String {
    [
        "民生路社区楼栋清单,,",
        "网格,楼栋,单元",
        "1,1号楼,1",
        "1,1号楼,2",
        "1,11号楼,1",
        "第5网格,51号楼,1",
        "第5网格,51号楼,2",
        ",52号楼,1",
        "1,1号楼,1",
    ]
    .join("\r\n")
        + "\r\n"
}

#[tokio::test]
async fn a_roster_creates_the_grids_buildings_and_units_a_community_lacks() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;

    // The preview says what would be created, and nothing is.
    let preview = app
        .import_structure(&f.staff, f.community_id, "楼栋清单.csv", roster(), false)
        .await
        .expect("preview");
    assert!(!preview.written);
    assert_eq!(preview.rows, 7);
    assert_eq!(preview.grids_created, vec!["第5网格".to_owned()]);
    assert_eq!(preview.buildings_created, 2, "11号楼 and 51号楼");
    assert_eq!(
        preview.units_created, 5,
        "1号楼 units 1 and 2, 11号楼 1, 51号楼 1 and 2"
    );
    assert_eq!(preview.unchanged_rows, 1, "the last row repeats the first");
    assert_eq!(preview.rejected_rows, 1);
    assert_eq!(
        (
            preview.problems[0].row_number,
            preview.problems[0].column_name.as_str()
        ),
        (8, "网格")
    );
    let grids = app.grids(&f.staff, f.community_id).await.expect("grids");
    assert!(!grids.iter().any(|g| g.name == "第5网格"));

    // Importing does what the preview said.
    let done = app
        .import_structure(&f.staff, f.community_id, "楼栋清单.csv", roster(), true)
        .await
        .expect("import");
    assert!(done.written);
    assert_eq!(
        (
            done.grids_created.len(),
            done.buildings_created,
            done.units_created
        ),
        (1, 2, 5)
    );
    let grids = app.grids(&f.staff, f.community_id).await.expect("grids");
    let five = grids
        .iter()
        .find(|g| g.name == "第5网格")
        .expect("grid created");
    let buildings = app.buildings(&f.staff, five.id).await.expect("buildings");
    assert_eq!(buildings.len(), 1);
    assert_eq!(
        app.units(&f.staff, buildings[0].id)
            .await
            .expect("units")
            .len(),
        2
    );
    assert_chain_intact(app, &f.auditor).await;

    // A second time, nothing is created.
    let again = app
        .import_structure(&f.staff, f.community_id, "楼栋清单.csv", roster(), true)
        .await
        .expect("again");
    assert_eq!(
        (
            again.grids_created.len(),
            again.buildings_created,
            again.units_created
        ),
        (0, 0, 0)
    );
    assert_eq!(again.unchanged_rows, 6);
}

#[tokio::test]
async fn a_roster_is_refused_without_its_columns_or_the_right_to_shape_the_structure() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let result = app
        .import_structure(
            &f.staff,
            f.community_id,
            "x.csv",
            "楼栋,单元\r\n1号楼,1\r\n",
            true,
        )
        .await
        .map(|o| o.rows);
    assert_field_error(result, "file", "missing_column");
    let result = app
        .import_structure(&f.grid_worker, f.community_id, "x.csv", roster(), true)
        .await
        .map(|o| o.rows);
    assert!(
        matches!(result, Err(app::AppError::Forbidden)),
        "{result:?}"
    );

    // Through the API: a dry run answers 200 and writes nothing, an import 201.
    let mut anon = Client::new(server::router(app.clone()));
    let mut api = anon.bearer_for("staff").await;
    for (query, status) in [("&dry_run=true", StatusCode::OK), ("", StatusCode::CREATED)] {
        let res = api
            .send(
                Method::POST,
                &format!(
                    "/api/v1/imports/structure?community_id={}&file_name=r.csv{query}",
                    f.community_id
                ),
                &[(header::CONTENT_TYPE, "application/octet-stream")],
                axum::body::Body::from(roster()),
            )
            .await;
        assert_eq!(res.status, status, "{}", res.text());
        assert_eq!(res.json()["buildings_created"], 2, "{}", res.text());
        assert_eq!(res.json()["problems"][0]["row"], 8, "{}", res.text());
    }
}

#[tokio::test]
async fn the_roster_page_previews_then_imports_once() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let mut web = Client::signed_in(server::router(app.clone()), "staff").await;
    let res = web
        .upload(
            "/imports/structure",
            f.community_id,
            ("楼栋清单.csv", roster().into_bytes()),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(
        res.text().contains("data-testid=\"roster-buildings\">2<"),
        "{}",
        res.text()
    );
    let grids = app.grids(&f.staff, f.community_id).await.expect("grids");
    assert!(
        !grids.iter().any(|g| g.name == "第5网格"),
        "a preview writes nothing"
    );
    let token = res
        .form_field("/imports/structure/confirm", "token")
        .expect("the held roster's token");
    let csrf = res
        .form_csrf("/imports/structure/confirm")
        .expect("csrf field");
    let form = [("csrf", csrf.as_str()), ("token", token.as_str())];
    let done = web.post_form("/imports/structure/confirm", &form).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    assert!(done.text().contains("roster-done"));
    let again = web.post_form("/imports/structure/confirm", &form).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let grids = app.grids(&f.staff, f.community_id).await.expect("grids");
    assert_eq!(grids.iter().filter(|g| g.name == "第5网格").count(), 1);
}
