//! The destination's building is typed, not picked from a list of the community's thousands:
//! the page suggests the buildings whose names start with what was typed, shortest first, and
//! the application finds the one meant or names the field.

use axum::http::StatusCode;
use jiff::Timestamp;

use super::{CLIENT, PHONE, code_for, field_of, form_fields, input, with_log};
use crate::http::Client;
use crate::support::TestDb;

#[tokio::test]
async fn the_building_meant_is_found_from_what_was_typed_or_the_field_is_named() {
    let (t, f) = TestDb::with_fixture().await;
    let (app, log) = with_log(&t.app);
    // Beside the fixture's 1号楼 to 3号楼.
    for name in ["10号楼", "11号楼", "3号楼东"] {
        app.create_building(&f.admin, f.grid1_id, name)
            .await
            .expect(name);
    }
    let typed = |building: &str| {
        let building = building.to_owned();
        let (app, log, f) = (&app, &log, &f);
        async move {
            let mut i = input(app, f).await;
            i.building_id = None;
            i.building = building;
            i.code = code_for(app, log, PHONE).await;
            app.apply_for_return(&i, CLIENT, Timestamp::now()).await
        }
    };
    for (building, code) in [
        ("9号楼", "unknown_building"),
        ("3", "building_ambiguous"),
        ("", "required"),
    ] {
        let e = typed(building).await.expect_err(building);
        assert!(
            field_of(&e).contains(&("building".to_owned(), code.to_owned())),
            "{building}: {e:?}"
        );
    }
    // `1` is 1号楼: 10号楼 and 11号楼 go on with a digit. Typed on a phone, in full width.
    let applied = typed(" １ ").await.expect("applied");
    let app::returns::Applied::New { id, .. } = applied else {
        panic!("a new application: {applied:?}");
    };
    let (a, ..) = app.return_application(&f.staff, id).await.expect("read");
    assert_eq!(
        (a.address.building_id, a.address.building_name.as_str()),
        (f.building1_id, "1号楼")
    );
}

#[tokio::test]
async fn the_page_suggests_buildings_as_they_are_typed_and_lists_none_of_them() {
    let (t, f) = TestDb::with_fixture().await;
    let (app, log) = with_log(&t.app);
    for name in ["10号楼", "1号楼东"] {
        app.create_building(&f.admin, f.grid1_id, name)
            .await
            .expect(name);
    }
    let mut resident = Client::new(server::router(app.clone()));
    let c = f.community_id;

    let page = resident.get(&format!("/return/{c}")).await;
    page.assert_status(StatusCode::OK);
    assert!(
        !page.text().contains("2号楼</option>"),
        "the form holds no list of the community's buildings"
    );
    let offered = resident
        .get(&format!("/public/{c}/buildings?building=1"))
        .await;
    offered.assert_status(StatusCode::OK);
    let text = offered.text();
    let first = text.find("\"1号楼\"").expect("1号楼 offered");
    let then = text.find("\"10号楼\"").expect("10号楼 offered");
    assert!(first < then, "the shortest name first: {text}");
    assert!(!text.contains("2号楼"), "{text}");
    // Typed in full width; and nothing for nothing typed or for another community's page.
    let full_width = resident
        .get(&format!("/public/{c}/buildings?building=%EF%BC%92"))
        .await;
    assert!(full_width.text().contains("\"2号楼\""));
    let nothing = resident
        .get(&format!("/public/{c}/buildings?building="))
        .await;
    assert!(!nothing.text().contains("<option"));
    let elsewhere = resident
        .get(&format!(
            "/public/{}/buildings?building=1",
            f.other_community_id
        ))
        .await;
    let text = elsewhere.text();
    assert!(
        text.contains("\"1号楼\"") && !text.contains("10号楼"),
        "{text}"
    );

    // A building typed that is not the only one meant comes back named, with the buildings
    // to pick from.
    let i = input(&app, &f).await;
    let code = code_for(&app, &log, PHONE).await;
    let action = format!("/return/{c}");
    let csrf = resident
        .get(&action)
        .await
        .form_csrf(&action)
        .expect("token");
    let i = app::returns::ApplicationInput {
        building: "1".to_owned(),
        ..i
    };
    let fields = form_fields(&i, &csrf, &code);
    let refused = resident.post_form(&action, &fields).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let text = refused.text();
    assert!(text.contains("有多个楼栋以“1”开头"), "{text}");
    for offered in ["1号楼", "1号楼东", "10号楼"] {
        assert!(
            text.contains(&format!("<option value=\"{offered}\">")),
            "{offered}"
        );
    }
}
