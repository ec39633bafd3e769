//! An account's mobile, the number notifications leave the app to: entered on the account's
//! form and through the API, checked as a mobile, kept when left out, audited and listed masked.

use axum::http::StatusCode;
use serde_json::json;

use app::accounts::AccountInput;
use domain::access::{Level, Role};

use super::input;
use crate::http::Client;
use crate::support::{TestDb, assert_field_error, audit_object, audit_trail};

const MOBILE: &str = "13800138000";

fn with_phone(phone: Option<&str>) -> AccountInput {
    AccountInput {
        phone: phone.map(str::to_owned),
        ..input("wang.doctor", Role::Doctor, Level::All, 0)
    }
}

#[tokio::test]
async fn an_account_s_mobile_is_checked_kept_changed_cleared_and_audited_masked() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;

    // Only a mobile: messages are text messages; nothing is created when refused.
    for refused in ["029-88661234", "12345", "1380013800x"] {
        assert_field_error(
            app.create_account(&f.admin, &with_phone(Some(refused)))
                .await,
            "phone",
            "mobile_format",
        );
    }
    let id = app
        .create_account(&f.admin, &with_phone(Some("+86 138 0013 8000")))
        .await
        .expect("create");
    let stored = app.account(&f.admin, id).await.expect("read");
    assert_eq!(stored.phone.as_deref(), Some(MOBILE), "stored normalised");

    // Left out, the number is kept; a new one replaces it; empty clears it.
    let keep = AccountInput {
        display_name: "王医生".to_owned(),
        password: String::new(),
        ..with_phone(None)
    };
    let with = |phone: &str| AccountInput {
        phone: Some(phone.to_owned()),
        ..keep.clone()
    };
    let phone_now = async || app.account(&f.admin, id).await.expect("read").phone;
    app.update_account(&f.admin, id, &keep)
        .await
        .expect("update");
    let stored = app.account(&f.admin, id).await.expect("read");
    assert_eq!(stored.display_name, "王医生");
    assert_eq!(stored.phone.as_deref(), Some(MOBILE));
    assert_field_error(
        app.update_account(&f.admin, id, &with("88661234")).await,
        "phone",
        "mobile_format",
    );
    app.update_account(&f.admin, id, &with("13912345678"))
        .await
        .expect("change");
    assert_eq!(phone_now().await.as_deref(), Some("13912345678"));
    app.update_account(&f.admin, id, &with(" "))
        .await
        .expect("clear");
    assert_eq!(phone_now().await, None);

    // The trail: the number masked when set, and an update names it only when it changed.
    let trail = audit_trail(app, &f.auditor, audit_object("account", id)).await;
    let entries: Vec<(String, serde_json::Value, serde_json::Value)> = trail
        .iter()
        .map(|a| {
            let parse = |s: &Option<String>| {
                serde_json::from_str(s.as_deref().unwrap_or("{}")).expect("json")
            };
            (a.action.clone(), parse(&a.before), parse(&a.after))
        })
        .collect();
    let created = entries
        .iter()
        .find(|(action, _, _)| action == "account_create")
        .expect("created");
    assert_eq!(created.2["phone"], "138****8000");
    let phones: Vec<(serde_json::Value, serde_json::Value)> = entries
        .iter()
        .filter(|(action, _, _)| action == "account_update")
        .map(|(_, before, after)| (before["phone"].clone(), after["phone"].clone()))
        .collect();
    assert_eq!(phones.len(), 3, "three updates: {phones:?}");
    assert!(
        phones.contains(&(json!(null), json!(null))),
        "the update that kept it names no number: {phones:?}"
    );
    assert!(phones.contains(&(json!("138****8000"), json!("139****5678"))));
    assert!(phones.contains(&(json!("139****5678"), json!(null))));
    for a in &trail {
        let all = format!("{:?} {:?}", a.before, a.after);
        assert!(
            !all.contains(MOBILE) && !all.contains("13912345678"),
            "{all}"
        );
    }
}

/// Posts a form whose values were made for it.
async fn post(client: &mut Client, path: &str, pairs: &[(&str, String)]) -> crate::http::Res {
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    client.post_form(path, &pairs).await
}

#[tokio::test]
async fn the_account_form_keeps_a_refused_number_beside_its_message_and_lists_it_masked() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let router = server::router(app.clone());
    let mut admin = Client::signed_in(router.clone(), "admin").await;
    let csrf = admin.session_csrf("/accounts/new", "/accounts/new").await;
    let form = |phone: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("username", "li.worker".to_owned()),
            ("display_name", "李网格员".to_owned()),
            ("password", "a-long-password".to_owned()),
            ("role", "grid_worker".to_owned()),
            ("level", "grid".to_owned()),
            ("scope_id", f.grid1_id.to_string()),
            ("phone", phone.to_owned()),
        ]
    };
    // Refused, in the reader's language, beside the field, with what was typed kept.
    let res = post(&mut admin, "/accounts/new", &form("029-88661234")).await;
    res.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let text = res.text();
    assert!(text.contains("data-testid=\"field-error-phone\""), "{text}");
    assert!(text.contains("手机号码应为 11 位"), "{text}");
    assert!(text.contains("value=\"029-88661234\""), "kept");
    assert!(text.contains("value=\"李网格员\""), "the rest kept too");
    app.set_language(&f.admin, "en").await.expect("language");
    let res = post(&mut admin, "/accounts/new", &form("12345")).await;
    res.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .contains("A mobile number has 11 digits starting with 13–19"),
        "{}",
        res.text()
    );

    let res = post(&mut admin, "/accounts/new", &form("138-0013-8000")).await;
    res.assert_status(StatusCode::SEE_OTHER);
    let list = admin.get("/accounts").await;
    list.assert_status(StatusCode::OK);
    assert!(list.text().contains("138****8000"), "listed masked");
    assert!(!list.text().contains(MOBILE), "never in full");
    let id = app
        .list_accounts(&f.admin)
        .await
        .expect("list")
        .into_iter()
        .find(|a| a.username == "li.worker")
        .expect("created")
        .id;
    let edit = admin.get(&format!("/accounts/{id}")).await;
    assert!(
        edit.text()
            .contains("data-testid=\"phone-now\">138****8000")
    );
    assert!(
        !edit.text().contains(MOBILE),
        "the form never holds it in full"
    );

    // The API: masked in the list, set and refused as on the page.
    let token = Client::new(router.clone()).token("admin").await;
    let mut api = Client::new(router).bearer(&token);
    let listed = api.get("/api/v1/accounts").await;
    listed.assert_status(StatusCode::OK);
    let mine = listed
        .json()
        .as_array()
        .expect("array")
        .iter()
        .find(|a| a["id"] == id)
        .cloned()
        .expect("listed");
    assert_eq!(mine["phone"], "138****8000");
    let body = |phone: &str| {
        json!({ "display_name": "李网格员", "role": "grid_worker", "level": "grid",
                "scope_id": f.grid1_id, "phone": phone })
    };
    let res = api
        .json(
            axum::http::Method::PUT,
            &format!("/api/v1/accounts/{id}"),
            &body("029-88661234"),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("mobile_format"), "{}", res.text());
    let res = api
        .json(
            axum::http::Method::PUT,
            &format!("/api/v1/accounts/{id}"),
            &body("13912345678"),
        )
        .await;
    res.assert_status(StatusCode::NO_CONTENT);
    assert_eq!(
        app.account(&f.admin, id)
            .await
            .expect("read")
            .phone
            .as_deref(),
        Some("13912345678")
    );
}
