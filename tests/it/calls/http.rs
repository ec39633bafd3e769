//! Calls and regions through the router: the cards' call buttons and the route that sends the
//! phone to `tel:`, the API's call, and the region picker's suggestions on pages and the API.

use axum::http::StatusCode;
use serde_json::json;

use app::quarantine::OrderInput;

use super::{ZHANG_MOBILE, home, open_campaign, press_call};
use crate::http::Client;
use crate::support::TestDb;

#[tokio::test]
async fn a_screening_card_calls_through_the_server_and_never_lists_the_number() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (h, zhang, _) = home(app, &f, false).await;
    let c = open_campaign(app, &f, "武汉返乡排查").await;
    let router = server::router(app.clone());

    let mut worker = Client::signed_in(router.clone(), "gridworker").await;
    let list = worker.get(&format!("/screening/{c}/households")).await;
    list.assert_status(StatusCode::OK);
    let text = list.text();
    assert!(
        text.contains("action=\"/calls\""),
        "a call button on the card"
    );
    assert!(text.contains("138****5678"));
    assert!(!text.contains(ZHANG_MOBILE), "the list stays masked");

    // The household's page: its members have a phone, so it does not say there is none.
    let page = worker.get(&format!("/screening/{c}/households/{h}")).await;
    page.assert_status(StatusCode::OK);
    let text = page.text();
    assert!(text.contains("data-testid=\"call\""));
    assert!(!text.contains("没有登记电话"), "张三 has a mobile");
    assert!(!text.contains(ZHANG_MOBILE));

    let fields = press_call(&mut worker, &page, "screening_campaign", c, h, zhang).await;
    // Without the session's token nothing is revealed.
    let forged: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let forged = worker.post_form("/calls", &forged).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.location().is_none());

    // The auditor reads the call with its purpose, in the reader's language.
    let mut auditor = Client::signed_in(router, "auditor").await;
    let trail = auditor.get("/audit?action=phone_call").await;
    trail.assert_status(StatusCode::OK);
    let text = trail.text();
    assert!(text.contains("为任务拨打电话"), "the action named");
    assert!(text.contains("排查行动"), "the purpose named");
    assert!(text.contains("武汉返乡排查"), "the campaign named");
    assert!(!text.contains(ZHANG_MOBILE));
}

#[tokio::test]
async fn the_doctor_and_the_volunteer_find_call_buttons_on_their_cards() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (h, zhang, _) = home(app, &f, true).await;
    let order = app
        .create_quarantine(
            &f.staff,
            zhang,
            &OrderInput {
                doctor_id: Some(f.doctor.account_id),
                ..crate::support::returnee_order("home", app.today())
            },
        )
        .await
        .expect("order");
    app.generate_delivery_tasks(&app::Actor::system(), app.today())
        .await
        .expect("generate");
    let delivery = crate::support::to_do(app, &f.volunteer)
        .await
        .pop()
        .expect("a delivery");
    assert_eq!(delivery.address.household_id, h);
    let router = server::router(app.clone());

    let mut doctor = Client::signed_in(router.clone(), "doctor").await;
    for page in [
        format!("/quarantine/{order}"),
        format!("/quarantine/{order}/checks"),
        "/checks".to_owned(),
    ] {
        let res = doctor.get(&page).await;
        res.assert_status(StatusCode::OK);
        let text = res.text();
        assert!(
            text.contains("name=\"purpose\" value=\"quarantine_order\""),
            "a call for the order on {page}"
        );
        assert!(text.contains("029-****1234"), "{page}");
        assert!(!text.contains(ZHANG_MOBILE), "{page}");
    }

    let mut volunteer = Client::signed_in(router, "volunteer").await;
    for page in [
        "/tasks".to_owned(),
        format!("/tasks/deliveries/{}", delivery.id),
    ] {
        let res = volunteer.get(&page).await;
        res.assert_status(StatusCode::OK);
        let text = res.text();
        assert!(
            text.contains("name=\"purpose\" value=\"delivery\""),
            "a call for the delivery on {page}"
        );
        assert!(text.contains("138****5678"), "{page}");
    }
}

#[tokio::test]
async fn the_api_reveals_a_number_for_a_call_of_ones_own_task() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (h, zhang, _) = home(app, &f, false).await;
    let c = open_campaign(app, &f, "武汉返乡排查").await;
    let mut anon = Client::new(server::router(app.clone()));

    let mut worker = anon.bearer_for("gridworker").await;
    let body = json!({ "purpose": "screening_campaign", "task_id": c, "household_id": h, "resident_id": zhang });
    let res = worker.post_json("/api/v1/calls", &body).await;
    res.assert_status(StatusCode::OK);
    assert_eq!(res.json()["phone"], ZHANG_MOBILE);
    assert_eq!(res.json()["tel"], format!("tel:{ZHANG_MOBILE}"));

    let without_household = json!({ "purpose": "screening_campaign", "task_id": c });
    let res = worker.post_json("/api/v1/calls", &without_household).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    let mut doctor = anon.bearer_for("doctor").await;
    let res = doctor.post_json("/api/v1/calls", &body).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_region_is_picked_by_name_and_shown_by_name() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let router = server::router(app.clone());
    let mut staff = Client::signed_in(router.clone(), "staff").await;

    // Suggestions by name, and by code for the field that asked under its own name.
    let res = staff.get("/regions?q=%E6%AD%A6%E6%B1%89").await;
    res.assert_status(StatusCode::OK);
    let options = res.text();
    assert!(
        options.starts_with("<option value=\"420100 武汉市 (湖北省)\">"),
        "{options}"
    );
    assert!(options.matches("<option").count() <= 20);
    let res = staff.get("/regions?travel_origin=4201").await;
    assert!(res.text().contains("420106 武昌区 (湖北省 武汉市)"));
    assert!(staff.get("/regions?q=").await.text().trim().is_empty());

    let token = Client::new(router.clone()).token("gridworker").await;
    let res = Client::new(router.clone())
        .bearer(&token)
        .get("/api/v1/regions?q=%E6%AD%A6%E6%B1%89")
        .await;
    res.assert_status(StatusCode::OK);
    assert_eq!(res.json()[0]["code"], "420100");
    assert_eq!(res.json()[0]["label"], "武汉市 (湖北省)");
    assert_eq!(res.json()[0]["name_en"], "Wuhan");
    assert_eq!(res.json()[0]["label_en"], "Wuhan (Hubei)");

    // A picked region is stored as its code and shown by its names.
    let (h, _, _) = home(app, &f, false).await;
    let raw = domain::resident::RawResident {
        travel_status: "returned".to_owned(),
        travel_origin: "420100 武汉市 (湖北省)".to_owned(),
        returned_on: "2020-01-20".to_owned(),
        ..crate::support::raw_resident("王五", &crate::support::citizen_id(5), "")
    };
    let wang = app
        .create_resident(&f.staff, h, &raw)
        .await
        .expect("resident");
    let (stored, _) = app.resident(&f.staff, wang).await.expect("read");
    assert_eq!(stored.particulars.travel_origin.as_deref(), Some("420100"));
    let page = staff.get(&format!("/residents/{wang}")).await;
    page.assert_status(StatusCode::OK);
    assert!(page.text().contains("湖北省 武汉市"));
    assert!(!page.text().contains("420100"), "no code on the page");
    let form = staff.get(&format!("/residents/{wang}/edit")).await;
    assert!(form.text().contains("value=\"420100 武汉市 (湖北省)\""));

    // A campaign's question names its region.
    let c = open_campaign(app, &f, "武汉返乡排查").await;
    let page = staff.get(&format!("/screening/{c}")).await;
    assert!(page.text().contains("武汉市 (湖北省)"));

    // In English, every level by its English name, and searched by it.
    app.set_language(&f.staff, "en").await.expect("language");
    let options = staff.get("/regions?q=wuhan").await.text();
    assert!(
        options.starts_with("<option value=\"420100 Wuhan (Hubei)\">"),
        "{options}"
    );
    let options = staff.get("/regions?q=Wuchang%20District").await.text();
    assert!(
        options.contains("420106 Wuchang District (Hubei, Wuhan)"),
        "{options}"
    );
    let page = staff.get(&format!("/residents/{wang}")).await.text();
    assert!(page.contains("Wuhan, Hubei"), "{page}");
    assert!(
        !page.contains("武汉市"),
        "no Chinese name on an English page"
    );
    let form = staff.get(&format!("/residents/{wang}/edit")).await;
    assert!(form.text().contains("value=\"420100 Wuhan (Hubei)\""));
    let page = staff.get(&format!("/screening/{c}")).await.text();
    assert!(page.contains("Wuhan (Hubei)"), "{page}");
    assert!(!page.contains("武汉市"));
}

#[tokio::test]
async fn a_fever_alert_s_row_calls_the_household_for_its_order() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (_, zhang, _) = home(app, &f, true).await;
    let order = super::home_order(app, &f, zhang).await;
    app.record_check(
        &f.doctor,
        order,
        &app::checks::CheckInput {
            temperature: "38.6".to_owned(),
            method: "doctor_call".to_owned(),
            ..Default::default()
        },
    )
    .await
    .expect("a fever check");
    let mut doctor = Client::signed_in(server::router(app.clone()), "doctor").await;
    // All orders, not only the doctor's own: the alert's row is what is looked at.
    let res = doctor.get("/checks?mine=0").await;
    res.assert_status(StatusCode::OK);
    let text = res.text();
    let start = text
        .find("data-kind=\"fever\" data-state=\"open\"")
        .expect("the fever alert's row");
    let row = &text[start..start + text[start..].find("</tr>").expect("the row's end")];
    assert!(row.contains(&format!("data-order=\"{order}\"")), "{row}");
    assert!(
        row.contains("name=\"purpose\" value=\"quarantine_order\""),
        "a call for the order on the alert's row: {row}"
    );
    assert!(row.contains(&format!("name=\"id\" value=\"{order}\"")));
    assert!(row.contains("029-****1234") && row.contains("138****5678"));
    assert!(!text.contains(ZHANG_MOBILE), "the worklist stays masked");
}
