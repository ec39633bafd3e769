//! Deliveries and rubbish rounds through the real router: forms with their CSRF token, the
//! volunteer's phone list, htmx fragments and the JSON API.

use axum::http::{Method, StatusCode};

use super::days_ago;
use super::rubbish::sealed_door_today;
use crate::http::Client;
use crate::support::TestDb;

#[tokio::test]
async fn pages_and_api_through_the_router() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    sealed_door_today(app, &f).await;
    let router = server::router(app.clone());

    // Staff create the day's deliveries from the board's form.
    let mut staff = Client::signed_in(router.clone(), "staff").await;
    let csrf = staff
        .session_csrf("/tasks/board", "/tasks/deliveries/generate")
        .await;
    let res = staff
        .post_form(
            "/tasks/deliveries/generate",
            &[("csrf", &csrf), ("date", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let board = staff.get("/tasks/board").await;
    assert!(board.text().contains("1号楼 1 101"), "{}", board.text());
    // A form without the session's token changes nothing.
    let forged = staff
        .post_form("/tasks/deliveries/generate", &[("csrf", "forged")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // The volunteer's phone list, in Chinese, and a refused empty list of needs.
    let mut volunteer = Client::signed_in(router, "volunteer").await;
    let list = volunteer.get("/tasks").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains("待配送"));
    let task = crate::support::to_do(app, &f.volunteer).await.remove(0);
    let action = format!("/tasks/deliveries/{}/ask", task.id);
    let csrf = list.form_csrf(&action).expect("the ask form");
    let refused = volunteer
        .post_form(
            &action,
            &[("csrf", &csrf), ("back", "/tasks"), ("needs", " ")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    let shown = volunteer
        .get(refused.location().expect("back to the list"))
        .await;
    assert!(
        shown
            .text()
            .contains(r#"data-testid="task-error">所需物资: 必填。</p>"#),
        "{}",
        shown.text()
    );
    let (d, _) = app.delivery_task(&f.staff, task.id).await.expect("task");
    assert_eq!(d.progress.state.code(), "open", "nothing written");
    // An outside address is not a place to send the browser.
    let res = volunteer
        .post_form(
            &action,
            &[
                ("csrf", &csrf),
                ("back", "https://example.org/"),
                ("needs", "米"),
            ],
        )
        .await;
    assert_eq!(
        res.location(),
        Some(format!("/tasks/deliveries/{}", task.id).as_str())
    );

    // The API: the volunteer's list, a step, and errors as JSON with stable codes.
    let mut api = volunteer.bearer_for("volunteer").await;
    let mine = api.get("/api/v1/delivery-tasks?mine=todo").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(mine.json()["items"][0]["needs"], "米");
    let wrong = api
        .post_json(
            &format!("/api/v1/delivery-tasks/{}/confirm", task.id),
            &serde_json::json!({ "via": "phone" }),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::CONFLICT);
    assert_eq!(wrong.json()["error"]["code"], "task_step_not_allowed");
    let ok = api
        .post_json(
            &format!("/api/v1/delivery-tasks/{}/deliver", task.id),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    let board = api.get("/api/v1/delivery-tasks").await;
    assert_eq!(
        board.status,
        StatusCode::FORBIDDEN,
        "volunteers have no board"
    );

    // The rubbish round through the API, as staff, for yesterday (open after 17:00).
    let mut staff_api = staff.bearer_for("staff").await;
    let opened = staff_api
        .post_json(
            "/api/v1/rubbish-rounds/open",
            &serde_json::json!({ "date": days_ago(app, 1).to_string() }),
        )
        .await;
    opened.assert_status(StatusCode::OK);
    assert_eq!(opened.json()["stops"], 1);
    let rounds = staff_api
        .get(&format!("/api/v1/rubbish-rounds?date={}", days_ago(app, 1)))
        .await;
    let round_id = rounds.json()["items"][0]["id"].as_i64().expect("round id");
    let round = staff_api
        .get(&format!("/api/v1/rubbish-rounds/{round_id}"))
        .await;
    let stop_id = round.json()["stops"][0]["id"].as_i64().expect("stop id");
    let page = volunteer.get(&format!("/tasks/rubbish/{round_id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let stop_action = format!("/tasks/rubbish/{round_id}/stops/{stop_id}");
    let csrf = page.form_csrf(&stop_action).expect("a door's form");
    // htmx gets the door's fragment back.
    let res = volunteer
        .send(
            Method::POST,
            &stop_action,
            &[
                (
                    axum::http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                ),
                (axum::http::HeaderName::from_static("hx-request"), "true"),
            ],
            axum::body::Body::from(format!("csrf={csrf}&outcome=collected")),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text().contains("已收取"));
    assert_eq!(
        res.header(axum::http::HeaderName::from_static("hx-trigger")),
        Some("stop-recorded")
    );
    let done = staff_api
        .post_json(
            &format!("/api/v1/rubbish-rounds/{round_id}/done"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT);
}

/// A delivery's history names the household it serves by its address and the volunteer by name,
/// never by their numbers.
#[tokio::test]
async fn a_deliverys_history_names_its_household_and_volunteer() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (household_id, members) =
        super::home(app, &f, f.building1_id, "1", "101", &["张三"], 1).await;
    app.create_quarantine(
        &f.staff,
        members[0],
        &crate::support::returnee_order("home", app.today()),
    )
    .await
    .expect("order");
    super::generate(app, app.today()).await;
    let task = crate::support::to_do(app, &f.volunteer)
        .await
        .pop()
        .expect("a task");
    let router = server::router(app.clone());
    let mut staff = Client::signed_in(router, "staff").await;
    let page = staff.get(&format!("/tasks/deliveries/{}", task.id)).await;
    page.assert_status(StatusCode::OK);
    let html = page.text();
    let history = &html[html
        .find("data-testid=\"delivery-history\"")
        .expect("a history")..];
    assert!(
        history.contains("住户 = 1号楼 1 101"),
        "the household by its address: {history}"
    );
    for end in [";", "<", " "] {
        assert!(
            !history.contains(&format!("住户 = {household_id}{end}")),
            "no bare number for the household"
        );
    }
    assert!(
        history.contains(&format!("志愿者 = {}", f.volunteer.display_name)),
        "the volunteer by name: {history}"
    );
}
