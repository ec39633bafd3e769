//! Calls from the staff's delivery board: staff and grid workers call a household about a
//! delivery of their jurisdiction, as the volunteer does; other roles and other communities are
//! refused; the reveal is audited with the delivery as its purpose.

use axum::http::StatusCode;

use app::Actor;
use domain::access::{Jurisdiction, Level, Role};
use domain::calls::{CallTask, Callee, Purpose};

use super::{ZHANG_MOBILE, assert_refused, calls_audited, home, home_order, press_call};
use crate::http::Client;
use crate::support::{TestDb, account, assert_forbidden};

/// The household's delivery for today, generated from 张三's home quarantine.
async fn delivery(app: &app::App, f: &crate::support::Fixture) -> (i64, i64, i64) {
    let (h, zhang, _) = home(app, f, false).await;
    home_order(app, f, zhang).await;
    app.generate_delivery_tasks(&Actor::system(), app.today())
        .await
        .expect("generate");
    let board = app
        .delivery_board(
            &f.staff,
            &app::tasks::BoardQuery::default(),
            domain::page::PageRequest::first(),
        )
        .await
        .expect("board");
    let d = board
        .items
        .iter()
        .find(|d| d.address.household_id == h)
        .expect("the household's delivery on the board");
    (h, zhang, d.id)
}

#[tokio::test]
async fn staff_and_grid_workers_call_for_a_delivery_of_their_jurisdiction() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (h, zhang, id) = delivery(app, &f).await;
    let task = CallTask::Delivery { delivery_id: id };

    // The board's card offers 张三's mobile, masked, to staff and grid workers.
    for actor in [&f.staff, &f.grid_worker] {
        let targets = app
            .call_targets(actor, Purpose::Delivery, &[h])
            .await
            .expect("targets");
        assert_eq!(targets[&h].len(), 1, "{:?}", actor.role);
        assert_eq!(targets[&h][0].masked, "138****5678");
    }
    assert_eq!(
        app.call(&f.staff, task, Callee::Resident(zhang))
            .await
            .expect("staff's call"),
        format!("tel:{ZHANG_MOBILE}")
    );
    assert_eq!(
        app.call(&f.grid_worker, task, Callee::Resident(zhang))
            .await
            .expect("grid worker's call"),
        format!("tel:{ZHANG_MOBILE}")
    );

    // Roles whose work is not deliveries, and staff of another community, are refused.
    for actor in [
        &f.official,
        &f.admin,
        &f.doctor,
        &f.guard,
        &f.cdc,
        &f.auditor,
    ] {
        assert_forbidden(app.call(actor, task, Callee::Resident(zhang)).await);
    }
    let elsewhere = account(
        app,
        "staff_elsewhere",
        Role::CommunityStaff,
        Jurisdiction::new(Level::Community, f.other_community_id),
    )
    .await;
    assert_refused(app.call(&elsewhere, task, Callee::Resident(zhang)).await);

    let audited = calls_audited(app, &f).await;
    assert_eq!(audited.len(), 2, "the two calls made, no refusal");
    let by_staff = audited
        .iter()
        .find(|a| a.account_name == f.staff.username)
        .expect("the staff's call");
    assert_eq!(by_staff.object_type, "resident");
    assert_eq!(by_staff.object_id, zhang.to_string());
    let after: serde_json::Value =
        serde_json::from_str(by_staff.after.as_deref().expect("after")).expect("json");
    assert_eq!(after["purpose"], "delivery");
    assert_eq!(after["delivery_id"], id);
    assert_eq!(after["household_id"], h);
    assert_eq!(after["phone"], "138****5678");
    assert!(
        by_staff
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("101")),
        "the delivery named by its door: {:?}",
        by_staff.reason
    );
}

#[tokio::test]
async fn the_board_shows_call_buttons_masked_and_the_call_reveals_the_number() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (h, zhang, id) = delivery(app, &f).await;
    let router = server::router(app.clone());

    let mut staff = Client::signed_in(router.clone(), "staff").await;
    let board = staff.get("/tasks/board").await;
    board.assert_status(StatusCode::OK);
    let text = board.text();
    assert!(
        text.contains("name=\"purpose\" value=\"delivery\""),
        "a call for the delivery on the board"
    );
    assert!(text.contains(&format!("name=\"id\" value=\"{id}\"")));
    assert!(text.contains("138****5678"));
    assert!(!text.contains(ZHANG_MOBILE), "the board stays masked");

    press_call(&mut staff, &board, "delivery", id, h, zhang).await;

    // An official oversees the board but does not call from it.
    let mut official = Client::signed_in(router.clone(), "official").await;
    let board = official.get("/tasks/board").await;
    board.assert_status(StatusCode::OK);
    assert!(!board.text().contains("action=\"/calls\""));

    let mut auditor = Client::signed_in(router, "auditor").await;
    let trail = auditor.get("/audit?action=phone_call").await;
    trail.assert_status(StatusCode::OK);
    let text = trail.text();
    assert!(text.contains("为任务拨打电话"), "the action named");
    assert!(text.contains("物资配送"), "the purpose named");
    assert!(!text.contains(ZHANG_MOBILE));
}
