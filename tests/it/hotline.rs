//! The 24-hour hotline (issue 12, section 3): duty shifts of the community's staff, calls
//! logged by the account on duty with the number masked, a follow-up for the household's grid
//! worker, a complaint filed and a delivery asked for from a call, and calls per hour and topic.

mod http;

use app::hotline::CallInput;
use app::{App, ErrorCode};
use domain::access::{Jurisdiction, Level, Role};
use domain::hotline::FollowUpState;
use domain::page::PageRequest;
use store::hotline::CallFilter;

use crate::support::{
    Fixture, TestDb, account, assert_conflict, assert_field_error, assert_forbidden,
    assert_not_found, audit_action, audit_trail, citizen_id, household, raw_resident, resident,
};

/// The caller's mobile.
pub(crate) const CALLER: &str = "13912345678";

/// Puts the fixture's staff member on duty from an hour ago for eight hours.
pub(crate) async fn on_duty(app: &App, f: &Fixture) -> i64 {
    let now = store::now_ms();
    app.add_hotline_shift(
        &f.staff,
        f.community_id,
        f.staff.account_id,
        now - 3_600_000,
        now + 7 * 3_600_000,
    )
    .await
    .expect("shift")
}

/// 张三, the caller, in room 101 of 1号楼: the household and the resident.
pub(crate) async fn caller_at_home(app: &App, f: &Fixture) -> (i64, i64) {
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;
    let zhang = app
        .create_resident(&f.staff, h, &raw_resident("张三", &citizen_id(1), CALLER))
        .await
        .expect("张三");
    (h, zhang)
}

fn call(topic: &str, said: &str) -> CallInput {
    CallInput {
        caller_name: "张先生".to_owned(),
        caller_number: CALLER.to_owned(),
        topic: topic.to_owned(),
        said: said.to_owned(),
        outcome: "已登记".to_owned(),
        ..CallInput::default()
    }
}

#[tokio::test]
async fn a_returnee_reported_by_phone_becomes_a_follow_up_for_the_households_grid_worker() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (h, zhang) = caller_at_home(app, &f).await;

    // Off duty, nobody answers; a grid worker does not answer the hotline at all.
    let report = CallInput {
        resident_id: Some(zhang),
        ..call("returnee", "儿子昨天从武汉回来")
    };
    assert_conflict(app.log_call(&f.staff, &report).await, ErrorCode::NotOnDuty);
    assert_forbidden(app.log_call(&f.grid_worker, &report).await);
    // Only staff of the community go on duty.
    let now = store::now_ms();
    assert_field_error(
        app.add_hotline_shift(
            &f.staff,
            f.community_id,
            f.grid_worker.account_id,
            now,
            now + 3_600_000,
        )
        .await,
        "account_id",
        "not_staff_here",
    );
    assert_field_error(
        app.add_hotline_shift(
            &f.staff,
            f.community_id,
            f.staff.account_id,
            now,
            now + 25 * 3_600_000,
        )
        .await,
        "ends_at",
        "shift_length",
    );
    on_duty(app, &f).await;
    assert_eq!(
        app.my_hotline_duty(&f.staff)
            .await
            .expect("duty")
            .map(|s| s.account_id),
        Some(f.staff.account_id)
    );

    let logged = app.log_call(&f.staff, &report).await.expect("logged");
    let follow_up = logged
        .follow_up_id
        .expect("a returnee always leaves a follow-up");
    assert!(logged.complaint.is_none() && logged.delivery_id.is_none());

    let (c, follow_ups) = app
        .hotline_call(&f.staff, logged.call_id)
        .await
        .expect("the call");
    assert_eq!(
        c.answered_by, f.staff.account_id,
        "who answered is who is on duty"
    );
    assert_eq!(c.caller_number_masked, "139****5678");
    assert_eq!(c.household_id, Some(h));
    assert_eq!(c.resident_name.as_deref(), Some("张三"));
    assert_eq!(c.home.as_deref(), Some("1号楼 1 101"));
    assert_eq!(follow_ups.len(), 1);
    assert_eq!(follow_ups[0].owner_id, f.grid_worker.account_id);
    assert_eq!(follow_ups[0].what, "儿子昨天从武汉回来");
    let day = follow_ups[0].due_at - c.at;
    assert_eq!(day, 24 * 3_600_000, "due in a day by default");

    // The grid worker finds it among their own and marks it done; nobody else may.
    let mine = app.my_follow_ups(&f.grid_worker).await.expect("mine");
    assert_eq!(
        mine.iter().map(|x| x.id).collect::<Vec<_>>(),
        vec![follow_up]
    );
    assert_forbidden(
        app.finish_follow_up(&f.volunteer, follow_up, "visited")
            .await,
    );
    let other_worker = account(
        app,
        "gw2",
        Role::GridWorker,
        Jurisdiction::new(Level::Grid, f.grid2_id),
    )
    .await;
    assert_not_found(
        app.finish_follow_up(&other_worker, follow_up, "visited")
            .await,
    );
    // The owner calls the caller back: the number revealed for that call, audited masked.
    assert_eq!(
        app.call_back(&f.grid_worker, follow_up)
            .await
            .expect("call back"),
        format!("tel:{CALLER}")
    );
    assert_not_found(app.call_back(&other_worker, follow_up).await);
    assert_forbidden(app.call_back(&f.volunteer, follow_up).await);
    let reveals = audit_trail(
        app,
        &f.auditor,
        audit_action(app::hotline::CALL_BACK_ACTION),
    )
    .await;
    assert_eq!(reveals.len(), 1);
    assert_eq!(reveals[0].account_name, f.grid_worker.username);
    assert_field_error(
        app.finish_follow_up(&f.grid_worker, follow_up, " ").await,
        "note",
        "required",
    );
    app.finish_follow_up(&f.grid_worker, follow_up, "已上门，登记返乡")
        .await
        .expect("done");
    assert_conflict(
        app.finish_follow_up(&f.staff, follow_up, "again").await,
        ErrorCode::FollowUpDone,
    );
    assert_forbidden(app.call_back(&f.grid_worker, follow_up).await);
    let (_, follow_ups) = app
        .hotline_call(&f.staff, logged.call_id)
        .await
        .expect("call");
    assert_eq!(follow_ups[0].state, FollowUpState::Done);
    assert!(
        app.my_follow_ups(&f.grid_worker)
            .await
            .expect("mine")
            .is_empty()
    );

    // A follow-up given to someone outside the community is refused.
    let stranger = account(
        app,
        "staff_other",
        Role::CommunityStaff,
        Jurisdiction::new(Level::Community, f.other_community_id),
    )
    .await;
    let asked = CallInput {
        follow_up: true,
        owner_id: Some(stranger.account_id),
        ..call("consultation", "问通行证怎么办")
    };
    assert_field_error(
        app.log_call(&f.staff, &asked).await,
        "owner_id",
        "not_an_owner_here",
    );
    assert_field_error(
        app.log_call(&f.staff, &call("weather", "?")).await,
        "topic",
        "unknown_topic",
    );

    // Each step is in the trail, the number masked.
    for action in [
        "hotline_shift_create",
        "hotline_call_log",
        "hotline_follow_up_create",
        "hotline_follow_up_done",
        "hotline_call_back",
    ] {
        let entries = audit_trail(app, &f.auditor, audit_action(action)).await;
        assert!(!entries.is_empty(), "{action}");
        for e in entries {
            assert!(!e.after.unwrap_or_default().contains(CALLER), "{action}");
        }
    }

    // The other community's staff do not see the call.
    let page = app
        .hotline_calls(&stranger, &CallFilter::default(), PageRequest::first())
        .await
        .expect("calls");
    assert!(page.items.is_empty());
    let page = app
        .hotline_calls(&f.official, &CallFilter::default(), PageRequest::first())
        .await
        .expect("the street's official reads the calls");
    assert_eq!(page.items.len(), 1);
}

#[tokio::test]
async fn a_call_files_a_complaint_asks_for_a_delivery_and_is_counted_by_hour_and_topic() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let h = household(app, &f.staff, f.building1_id, "1", "102").await;
    let li = resident(app, &f, h, "李四", 2).await;
    app.create_quarantine(
        &f.staff,
        li,
        &crate::support::returnee_order("home", app.today()),
    )
    .await
    .expect("home quarantine");
    on_duty(app, &f).await;

    let complaint = CallInput {
        complaint_category: "sanitation".to_owned(),
        complaint_place: "3号院垃圾站".to_owned(),
        ..call("complaint", "垃圾两天没人收")
    };
    let logged = app.log_call(&f.staff, &complaint).await.expect("logged");
    let filed = logged.complaint.expect("a complaint is filed");
    assert_eq!(filed.token.len(), 43, "its link, shown once to read out");
    let (c, _, _) = app.complaint(&f.staff, filed.id).await.expect("complaint");
    assert_eq!(c.source, domain::complaints::Source::Hotline);
    assert_eq!(c.call_id, Some(logged.call_id));
    assert_eq!(c.what, "垃圾两天没人收");
    let (k, _) = app
        .hotline_call(&f.staff, logged.call_id)
        .await
        .expect("call");
    assert_eq!(k.complaint_id, Some(filed.id));
    assert_field_error(
        app.log_call(&f.staff, &call("complaint", "没有类别")).await,
        "complaint_category",
        "unknown_category",
    );

    // Supplies for a household in home quarantine: its delivery, with what was asked.
    let supplies = CallInput {
        building_id: Some(f.building1_id),
        unit: "1".to_owned(),
        room: "102".to_owned(),
        ..call("help", "需要大米和降压药")
    };
    let logged = app.log_call(&f.staff, &supplies).await.expect("logged");
    let delivery = logged.delivery_id.expect("a delivery");
    assert!(logged.follow_up_id.is_none());
    let (d, _) = app
        .delivery_task(&f.staff, delivery)
        .await
        .expect("delivery");
    assert_eq!(d.address.household_id, h);
    assert_eq!(d.progress.state, domain::tasks::DeliveryState::Asked);
    assert!(d.progress.needs.contains("降压药"));
    // Asked again the same day: the same delivery, the needs added.
    let again = CallInput {
        said: "再加一箱牛奶".to_owned(),
        ..supplies.clone()
    };
    let logged = app.log_call(&f.staff, &again).await.expect("logged");
    assert_eq!(logged.delivery_id, Some(delivery));
    let (d, _) = app
        .delivery_task(&f.staff, delivery)
        .await
        .expect("delivery");
    assert!(d.progress.needs.contains("降压药") && d.progress.needs.contains("牛奶"));

    // A household not in quarantine has no deliveries: the request becomes a follow-up.
    let other = household(app, &f.staff, f.building1_id, "1", "103").await;
    // The building as the page sends it: typed.
    let help = CallInput {
        building: "1".to_owned(),
        unit: "1".to_owned(),
        room: "103".to_owned(),
        ..call("help", "老人需要买菜")
    };
    let logged = app.log_call(&f.staff, &help).await.expect("logged");
    assert!(logged.delivery_id.is_none());
    let follow_up = logged.follow_up_id.expect("a follow-up instead");
    let (k, fu) = app
        .hotline_call(&f.staff, logged.call_id)
        .await
        .expect("call");
    assert_eq!(k.household_id, Some(other));
    assert_eq!(fu[0].id, follow_up);
    assert_field_error(
        app.log_call(
            &f.staff,
            &CallInput {
                room: "999".to_owned(),
                ..help.clone()
            },
        )
        .await,
        "room",
        "unknown_household",
    );

    // Calls per hour and topic: this hour holds them all.
    let counts = app.calls_per_hour(&f.staff, 1).await.expect("counts");
    let total: i64 = counts.iter().map(|c| c.calls).sum();
    assert_eq!(total, 4);
    let hours: std::collections::HashSet<i64> = counts.iter().map(|c| c.hour).collect();
    assert_eq!(hours.len(), 1, "{counts:?}");
    let help_calls: i64 = counts
        .iter()
        .filter(|c| c.topic == domain::hotline::Topic::Help)
        .map(|c| c.calls)
        .sum();
    assert_eq!(help_calls, 3);
    assert_forbidden(app.calls_per_hour(&f.volunteer, 1).await);

    // Callers are found by name or number to be picked.
    let found = app.find_callers(&f.staff, "李").await.expect("found");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].resident_id, li);
    assert_eq!(found[0].home, "1号楼 1 102");
}
