//! Quarantine orders: placing residents and households, one open order per person, the
//! early-release override, duration changes, transitions, roles and jurisdiction.

use app::ErrorCode;
use app::quarantine::{DetailsInput, OrderInput, OrderQuery};
use axum::http::{Method, StatusCode};
use domain::page::PageRequest;
use domain::quarantine::State;
use serde_json::json;
use store::quarantine::Order;

use crate::http::Client;
use crate::support::{
    TestDb, assert_conflict, assert_field_error, assert_forbidden, assert_not_found, audit_action,
    audit_trail, every_page, family_and_neighbour,
};

fn input(days: &str) -> OrderInput {
    OrderInput {
        reason: "returnee".to_owned(),
        kind: "home".to_owned(),
        start_date: String::new(),
        days: days.to_owned(),
        ..OrderInput::default()
    }
}

/// The first page of the orders `actor` may read, as `query` filters them.
async fn orders(app: &app::App, actor: &app::Actor, query: OrderQuery) -> Vec<Order> {
    app.quarantine_orders(actor, &query, PageRequest::first())
        .await
        .expect("orders")
        .items
}

/// The orders in one state.
fn in_state(state: &str) -> OrderQuery {
    OrderQuery {
        state: Some(state.to_owned()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_household_order_places_every_member_and_a_second_order_is_refused() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (h, members, _, _) = family_and_neighbour(app, &f).await;

    let mut order = input("");
    order.doctor_id = Some(f.doctor.account_id);
    order.grid_worker_id = Some(f.grid_worker.account_id);
    let ids = app
        .create_household_quarantine(&f.grid_worker, h, &order)
        .await
        .expect("household order");
    assert_eq!(ids.len(), members.len(), "one order per member");

    let of_household = OrderQuery {
        household_id: Some(h),
        ..Default::default()
    };
    let list = orders(app, &f.staff, of_household).await;
    let mut placed: Vec<i64> = list.iter().map(|o| o.resident_id).collect();
    placed.sort_unstable();
    assert_eq!(placed, members);
    for o in &list {
        assert_eq!(o.state.code(), "active");
        assert_eq!(o.days, 14, "the configured default");
        let start: jiff::civil::Date = o.start_date.parse().expect("start");
        let end: jiff::civil::Date = o.end_date.parse().expect("end");
        assert_eq!(end, domain::quarantine::end_date(start, 14));
        assert_eq!(o.doctor_id, Some(f.doctor.account_id));
    }

    assert_field_error(
        app.create_quarantine(&f.staff, members[0], &input("7"))
            .await,
        "resident_id",
        "already_in_quarantine",
    );
    assert_field_error(
        app.create_household_quarantine(&f.staff, h, &input("7"))
            .await,
        "resident_id",
        "already_in_quarantine",
    );
}

#[tokio::test]
async fn bad_input_and_bad_responsible_people_are_refused() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (_, members, _, other) = family_and_neighbour(app, &f).await;

    let mut bad = input("0");
    bad.reason = "boredom".to_owned();
    let r = app.create_quarantine(&f.staff, members[0], &bad).await;
    assert_field_error(r, "reason", "unknown_reason");
    assert_field_error(
        app.create_quarantine(&f.staff, members[0], &input("0"))
            .await,
        "days",
        "days_out_of_range",
    );

    let mut wrong_role = input("");
    wrong_role.doctor_id = Some(f.guard.account_id);
    assert_field_error(
        app.create_quarantine(&f.staff, members[0], &wrong_role)
            .await,
        "doctor_id",
        "wrong_role",
    );
    let mut unknown = input("");
    unknown.doctor_id = Some(999_999);
    assert_field_error(
        app.create_quarantine(&f.staff, members[0], &unknown).await,
        "doctor_id",
        "unknown_account",
    );
    // The grid worker of grid 1 does not cover a resident of grid 2.
    let mut outside = input("");
    outside.grid_worker_id = Some(f.grid_worker.account_id);
    assert_field_error(
        app.create_quarantine(&f.staff, other, &outside).await,
        "grid_worker_id",
        "outside_jurisdiction",
    );
    let none = orders(app, &f.staff, OrderQuery::default()).await;
    assert!(none.is_empty(), "nothing was written");
}

#[tokio::test]
async fn early_release_is_an_audited_override_that_needs_a_reason() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (_, members, _, _) = family_and_neighbour(app, &f).await;
    let id = app
        .create_quarantine(&f.doctor, members[0], &input(""))
        .await
        .expect("order");

    assert_field_error(
        app.transition_quarantine(&f.doctor, id, "release", "  ")
            .await,
        "reason",
        "reason_required",
    );
    let state = app
        .transition_quarantine(&f.doctor, id, "release", "negative test twice")
        .await
        .expect("early release with a reason");
    assert_eq!(state, State::Released);

    let entries = audit_trail(app, &f.admin, audit_action("quarantine_transition")).await;
    assert_eq!(entries.len(), 1);
    let after: serde_json::Value =
        serde_json::from_str(entries[0].after.as_deref().expect("after")).expect("json");
    assert_eq!(after["is_override"], serde_json::json!(true));
    assert_eq!(after["state"], serde_json::json!("released"));
    assert_eq!(entries[0].reason.as_deref(), Some("negative test twice"));

    let (order, history) = app.quarantine_order(&f.official, id).await.expect("order");
    assert_eq!(order.state.code(), "released");
    assert_eq!(history.len(), 2, "created and released");

    // A released order cannot become active again.
    let r = app.transition_quarantine(&f.doctor, id, "start", "").await;
    assert_conflict(r, ErrorCode::TransitionNotAllowed);
    // And the person may now be placed again.
    app.create_quarantine(&f.staff, members[0], &input("7"))
        .await
        .expect("a new order after release");
}

#[tokio::test]
async fn extension_recomputes_the_end_and_flags_are_editable() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (_, members, _, _) = family_and_neighbour(app, &f).await;
    let mut order = input("14");
    order.start_date = "2020-01-25".to_owned();
    let id = app
        .create_quarantine(&f.staff, members[1], &order)
        .await
        .expect("order");

    assert_field_error(
        app.change_quarantine_duration(&f.staff, id, "21", "").await,
        "reason",
        "reason_required",
    );
    app.change_quarantine_duration(&f.staff, id, "21", "contact tested positive")
        .await
        .expect("extend");
    let (o, history) = app.quarantine_order(&f.staff, id).await.expect("order");
    assert_eq!(o.days, 21);
    assert_eq!(o.end_date, "2020-02-15");
    assert_eq!(
        history[0].reason.as_deref(),
        Some("contact tested positive")
    );

    app.update_quarantine(
        &f.grid_worker,
        id,
        &DetailsInput {
            door_sealed: Some(true),
            camera_installed: Some(true),
            doctor_id: Some(Some(f.doctor.account_id)),
            grid_worker_id: Some(Some(f.grid_worker.account_id)),
        },
    )
    .await
    .expect("flags");
    let (o, _) = app.quarantine_order(&f.staff, id).await.expect("order");
    assert!(o.door_sealed && o.camera_installed);
    assert!(o.door_sealed_at.is_some(), "when the door was sealed");

    // The end has passed: a release is normal, not an override.
    app.transition_quarantine(&f.staff, id, "release", "")
        .await
        .expect("release at the end");
}

#[tokio::test]
async fn roles_and_jurisdiction_are_enforced_and_lists_are_scoped() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (h, members, h3, other) = family_and_neighbour(app, &f).await;

    for actor in [&f.guard, &f.volunteer, &f.auditor] {
        assert_forbidden(app.create_quarantine(actor, members[0], &input("")).await);
        assert_forbidden(
            app.quarantine_orders(actor, &OrderQuery::default(), PageRequest::first())
                .await,
        );
    }
    for actor in [&f.official, &f.cdc] {
        assert_forbidden(app.create_quarantine(actor, members[0], &input("")).await);
    }
    // The grid worker of grid 1 cannot see a resident of grid 2.
    assert_not_found(
        app.create_quarantine(&f.grid_worker, other, &input(""))
            .await,
    );
    assert_not_found(
        app.create_household_quarantine(&f.grid_worker, h3, &input(""))
            .await,
    );

    app.create_household_quarantine(&f.staff, h, &input(""))
        .await
        .expect("grid 1 household");
    let far = app
        .create_quarantine(&f.staff, other, &input(""))
        .await
        .expect("grid 2 resident");

    let count = async |actor| orders(app, actor, OrderQuery::default()).await.len();
    assert_eq!(count(&f.staff).await, 4);
    assert_eq!(count(&f.official).await, 4);
    assert_eq!(count(&f.cdc).await, 4);
    assert_eq!(count(&f.grid_worker).await, 3, "grid 1 only");
    assert_not_found(app.quarantine_order(&f.grid_worker, far).await);
    assert_not_found(
        app.transition_quarantine(&f.grid_worker, far, "cancel", "x")
            .await,
    );

    // Paging by key and filtering by state.
    let pages = every_page(3, async |p| {
        app.quarantine_orders(&f.staff, &OrderQuery::default(), p)
            .await
    })
    .await;
    let sizes: Vec<usize> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, [3, 1], "the last page has no next key");
    app.transition_quarantine(&f.staff, far, "cancel", "entered by mistake")
        .await
        .expect("cancel");
    let cancelled = orders(app, &f.staff, in_state("cancelled")).await;
    assert_eq!(cancelled.len(), 1);
    assert_eq!(count(&f.staff).await, 3, "open orders only by default");
    assert_field_error(
        app.quarantine_orders(&f.staff, &in_state("asleep"), PageRequest::first())
            .await,
        "state",
        "unknown_state",
    );
}

#[tokio::test]
async fn pages_place_a_household_and_release_an_order_early_with_a_reason() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (h, members, _, _) = family_and_neighbour(app, &f).await;
    let router = server::router(app.clone());
    let mut staff = Client::signed_in(router.clone(), "staff").await;

    let page = format!("/quarantine/households/{h}");
    let csrf = staff.session_csrf(&page, &page).await;
    let doctor = f.doctor.account_id.to_string();
    let res = staff
        .post_form(
            &page,
            &[
                ("csrf", &csrf),
                ("resident_id", ""),
                ("reason", "case_contact"),
                ("kind", "home"),
                ("start_date", ""),
                ("days", "14"),
                ("doctor_id", &doctor),
                ("grid_worker_id", ""),
            ],
        )
        .await;
    res.assert_status(StatusCode::SEE_OTHER);
    let shown = staff.get(&page).await;
    assert_eq!(shown.status, StatusCode::OK);
    let text = shown.text();
    assert!(text.contains("张三") && (text.contains("Active") || text.contains("隔离中")));

    // A second order for the same household is refused on the form.
    let again = staff
        .post_form(
            &page,
            &[
                ("csrf", &csrf),
                ("resident_id", &members[0].to_string()),
                ("reason", "returnee"),
                ("kind", "home"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

    let section = staff.get(&format!("{page}/section")).await;
    assert_eq!(section.status, StatusCode::OK);
    assert_eq!(section.text().matches("/quarantine/").count(), 3);
    let list = staff.get("/quarantine").await;
    assert_eq!(list.status, StatusCode::OK);
    let list_all = staff.get("/quarantine?state=all").await;
    assert_eq!(list_all.status, StatusCode::OK);
    let by_person = staff
        .get(&format!("/quarantine?state=all&resident={}", members[0]))
        .await;
    assert_eq!(by_person.status, StatusCode::OK);
    assert_eq!(
        by_person
            .text()
            .matches("data-testid=\"order-row\"")
            .count(),
        1,
        "one order"
    );
    let resident_page = staff.get(&format!("/residents/{}", members[0])).await;
    assert!(resident_page.text().contains("resident-quarantine-link"));
    let household_page = staff.get(&format!("/households/{h}")).await;
    assert!(household_page.text().contains(&page));

    let of_resident = OrderQuery {
        resident_id: Some(members[0]),
        ..Default::default()
    };
    let id = orders(app, &f.staff, of_resident).await[0].id;
    let order_page = format!("/quarantine/{id}");
    let action = format!("/quarantine/{id}/transition");
    let csrf = staff.session_csrf(&order_page, &action).await;
    let refused = staff
        .post_form(
            &action,
            &[("csrf", &csrf), ("transition", "release"), ("reason", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = staff
        .post_form(
            &action,
            &[
                ("csrf", &csrf),
                ("transition", "release"),
                ("reason", "two negative tests"),
            ],
        )
        .await;
    done.assert_status(StatusCode::SEE_OTHER);
    let shown = staff.get(&order_page).await;
    assert!(shown.text().contains("two negative tests"), "the history");
    let details = format!("/quarantine/{id}/details");
    let closed = staff
        .post_form(&details, &[("csrf", &csrf), ("door_sealed", "1")])
        .await;
    assert_eq!(closed.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A guard has no quarantine pages.
    let mut guard = Client::signed_in(router, "guard").await;
    assert_eq!(guard.get("/quarantine").await.status, StatusCode::FORBIDDEN);
    assert_eq!(guard.get(&order_page).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_api_creates_changes_and_lists_orders() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (h, members, _, other) = family_and_neighbour(app, &f).await;
    let router = server::router(app.clone());
    let mut c = Client::new(router.clone());
    let mut worker = c.bearer_for("gridworker").await;

    let res = worker
        .post_json(
            "/api/v1/quarantine-orders",
            &json!({ "household_id": h, "reason": "returnee", "kind": "home", "days": 14 }),
        )
        .await;
    res.assert_status(StatusCode::CREATED);
    let ids = res.json()["ids"].as_array().expect("ids").clone();
    assert_eq!(ids.len(), members.len());
    let id = ids[0].as_i64().expect("id");

    let res = worker
        .post_json(
            "/api/v1/quarantine-orders",
            &json!({ "resident_id": other, "reason": "returnee", "kind": "home" }),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "outside the grid");

    let res = worker
        .post_json(
            &format!("/api/v1/quarantine-orders/{id}/duration"),
            &json!({ "days": 21, "reason": "contact tested positive" }),
        )
        .await;
    res.assert_status(StatusCode::NO_CONTENT);
    let res = worker
        .json(
            Method::PATCH,
            &format!("/api/v1/quarantine-orders/{id}"),
            &json!({ "door_sealed": true, "camera_installed": false }),
        )
        .await;
    res.assert_status(StatusCode::NO_CONTENT);
    let res = worker
        .json(
            Method::GET,
            &format!("/api/v1/quarantine-orders/{id}"),
            &json!({}),
        )
        .await;
    let body = res.json();
    assert_eq!(body["order"]["days"], 21);
    assert_eq!(body["order"]["door_sealed"], true);
    assert_eq!(body["history"].as_array().map(Vec::len), Some(3));

    let transition = format!("/api/v1/quarantine-orders/{id}/transition");
    let res = worker
        .post_json(&transition, &json!({ "transition": "transfer" }))
        .await;
    res.assert_status(StatusCode::OK);
    assert_eq!(res.json()["state"], "transferred_to_hospital");
    let res = worker
        .post_json(&transition, &json!({ "transition": "start" }))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.json()["error"]["code"], "transition_not_allowed");

    let res = worker
        .json(Method::GET, "/api/v1/quarantine-orders", &json!({}))
        .await;
    assert_eq!(res.json()["items"].as_array().map(Vec::len), Some(2));
    let res = worker
        .json(
            Method::GET,
            "/api/v1/quarantine-orders?state=all&limit=2",
            &json!({}),
        )
        .await;
    let body = res.json();
    assert_eq!(body["items"].as_array().map(Vec::len), Some(2));
    assert!(body["next"].is_i64());

    let guard_token = c.token("guard").await;
    let mut guard = c.bearer(&guard_token);
    let res = guard
        .json(Method::GET, "/api/v1/quarantine-orders", &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_list_pages_ending_soonest_first() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (_, members, _, other) = family_and_neighbour(app, &f).await;
    // Ends: other 2020-02-10, members[2] 2020-02-05, members[0] 2020-02-05, members[1] 2020-02-20; ties by order id.
    for (resident, start, days) in [
        (other, "2020-02-01", "9"),
        (members[2], "2020-02-01", "4"),
        (members[0], "2020-02-01", "4"),
        (members[1], "2020-02-01", "19"),
    ] {
        let mut order = input(days);
        order.start_date = start.to_owned();
        app.create_quarantine(&f.staff, resident, &order)
            .await
            .expect("order");
    }
    let query = OrderQuery {
        sort: Some("end".to_owned()),
        ..Default::default()
    };
    let pages = every_page(1, async |p| {
        app.quarantine_orders(&f.staff, &query, p).await
    })
    .await;
    let seen: Vec<(String, i64)> = pages
        .iter()
        .flat_map(|p| &p.items)
        .map(|o| (o.end_date.clone(), o.resident_id))
        .collect();
    let ends: Vec<&str> = seen.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(
        ends,
        ["2020-02-05", "2020-02-05", "2020-02-10", "2020-02-20"],
        "{seen:?}"
    );
    assert_eq!(seen[2].1, other);
    assert_eq!(
        (seen[0].1, seen[1].1),
        (members[2], members[0]),
        "ties by key"
    );
}
