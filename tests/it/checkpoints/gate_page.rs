//! The guard's gate page over HTTP: served to a guard on shift with its manifest, its service
//! worker (scoped to every gate) and every asset the worker keeps for work with no network; a
//! guard off shift, or an account that keeps no gate, gets a page that says so.

use axum::http::{StatusCode, header};

use super::{gate_with_guard, unstaffed_gate};
use crate::http::Client;
use crate::support::TestDb;

#[tokio::test]
async fn a_guard_on_shift_gets_the_gate_page_its_manifest_and_its_service_worker() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let gate = gate_with_guard(app, &f, "North gate").await;
    let router = server::router(app.clone());
    let mut guard = Client::signed_in(router.clone(), "guard").await;

    // The guard's own gate, from their shift.
    let mine = guard.get("/gates/scan").await;
    assert_eq!(
        mine.location(),
        Some(format!("/gates/{gate}/scan").as_str())
    );

    let page = guard.get(&format!("/gates/{gate}/scan")).await;
    page.assert_status(StatusCode::OK);
    let html = page.text();
    assert!(html.contains(&format!("data-gate-id=\"{gate}\"")), "{html}");
    assert!(html.contains(&format!("/gates/{gate}/manifest.webmanifest")));
    assert!(html.contains("/assets/gate/gate.js"));
    assert!(
        html.contains("data-testid=\"code\""),
        "manual entry of the code"
    );

    let manifest = guard
        .get(&format!("/gates/{gate}/manifest.webmanifest"))
        .await;
    manifest.assert_status(StatusCode::OK);
    assert_eq!(manifest.json()["start_url"], format!("/gates/{gate}/scan"));
    assert_eq!(manifest.json()["scope"], "/gates/");

    // The worker and what it keeps need no session: the page is kept, not the API.
    let mut anyone = Client::new(router);
    let worker = anyone.get("/gates/sw.js").await;
    worker.assert_status(StatusCode::OK);
    assert_eq!(
        worker.header(header::CONTENT_TYPE),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(
        worker.header(header::HeaderName::from_static("service-worker-allowed")),
        Some("/gates/")
    );
    let script = worker.text();
    let kept: Vec<&str> = script
        .split('\'')
        .filter(|s| s.starts_with("/assets/") && s.contains('.'))
        .collect();
    assert!(kept.len() > 20, "{kept:?}");
    for path in kept {
        let res = anyone.get(path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn a_guard_off_shift_or_a_doctor_is_refused_the_gate_page_with_the_reason() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let gate = unstaffed_gate(app, &f, "South gate").await;
    let router = server::router(app.clone());
    let mut guard = Client::signed_in(router.clone(), "guard").await;
    for path in [format!("/gates/{gate}/scan"), "/gates/scan".to_owned()] {
        let res = guard.get(&path).await;
        res.assert_status(StatusCode::FORBIDDEN);
        let text = res.text();
        assert!(
            text.contains("不在这个卡口的班次上") || text.contains("not on shift at this gate"),
            "{path}: {text}"
        );
    }

    let mut doctor = Client::signed_in(router, "doctor").await;
    doctor
        .get(&format!("/gates/{gate}/scan"))
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

/// A gate of more buildings than its page lists: the page carries no list but where to ask, and
/// that address answers the guard on shift with the buildings starting with what was typed;
/// anyone else is refused.
#[tokio::test]
async fn a_gate_of_many_buildings_suggests_them_over_http_as_the_guard_types() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let gate = gate_with_guard(app, &f, "North gate").await;
    let names: Vec<String> = (1..=app::gates::GATE_BUILDINGS_LISTED)
        .map(|n| format!("{n}栋"))
        .collect();
    app.create_buildings(&f.staff, f.grid2_id, &names, &["1"])
        .await
        .expect("buildings");
    let router = server::router(app.clone());
    let mut guard = Client::signed_in(router.clone(), "guard").await;
    let html = guard.get(&format!("/gates/{gate}/scan")).await.text();
    assert!(
        html.contains(&format!("data-suggest=\"/gates/{gate}/buildings\"")),
        "{html}"
    );
    assert!(
        !html.contains("<option value=\"500栋\">"),
        "no list of a thousand"
    );

    let typed = guard
        .get(&format!("/gates/{gate}/buildings?building=50"))
        .await;
    typed.assert_status(StatusCode::OK);
    let options = typed.text();
    assert!(options.starts_with("<option value=\"50栋\">"), "{options}");
    assert_eq!(
        options.matches("<option").count(),
        11,
        "50栋 and 500栋 to 509栋: {options}"
    );

    let mut doctor = Client::signed_in(router.clone(), "doctor").await;
    doctor
        .get(&format!("/gates/{gate}/buildings?building=50"))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let mut anyone = Client::new(router);
    let res = anyone
        .get(&format!("/gates/{gate}/buildings?building=50"))
        .await;
    assert!(
        res.status.is_redirection() || res.status == StatusCode::UNAUTHORIZED,
        "{}",
        res.status
    );
}
