//! A pass at the gate: the quota across gates and days, the fence, the guard's shift, a forged
//! or altered code, and the offline queue.

use app::ErrorCode;
use app::gates::scan::PassageInput;
use domain::checkpoint::PassageResult;
use store::passages::PassageFilter;

use super::{
    DAY, HOUR, exceptions_log, gate_with_guard, household_log, household_pass,
    household_pass_issued, overriding, refusal, show, unstaffed_gate,
};
use crate::support::{
    TestDb, assert_conflict, assert_not_found, audit_action, audit_trail, first_page,
};

#[tokio::test]
async fn a_household_goes_out_once_in_two_days_whatever_the_gate() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let east = gate_with_guard(app, &f, "East gate").await;
    let west = gate_with_guard(app, &f, "West gate").await;
    let (h, _, code) = household_pass_issued(app, &f, f.building1_id, "101", 4).await;

    // Out three days ago and back: the quota's window has passed.
    let d = show(app, &f.guard, east, &code, "out", 3 * DAY).await;
    assert_eq!(d.passage.result, PassageResult::Admitted, "{d:?}");
    show(app, &f.guard, east, &code, "in", 3 * DAY - HOUR).await;

    let out = show(app, &f.guard, east, &code, "out", 0).await;
    assert_eq!(out.passage.result, PassageResult::Admitted);
    assert_eq!(out.pass.as_ref().map(|p| p.household_id), Some(h));
    let back = show(app, &f.guard, east, &code, "in", 0).await;
    assert_eq!(back.passage.result, PassageResult::Admitted);

    // The other gate knows: the household's exit is used up, and says until when.
    let again = show(app, &f.guard, west, &code, "out", 0).await;
    assert_eq!(again.passage.result, PassageResult::Refused);
    assert_eq!(refusal(&again), Some("pass_quota_used"));
    let next = again.passage.next_exit_at.expect("when the next exit is");
    assert!((out.passage.at + 2 * DAY - next).abs() < 1_000, "{next}");

    // In twice in a row: the pass was handed back over the fence.
    let twice = show(app, &f.guard, west, &code, "in", 0).await;
    assert_eq!(refusal(&twice), Some("pass_presented_twice"));

    // Every passage is logged, refused ones too, newest first.
    let log = household_log(app, &f.staff, h).await;
    assert_eq!(log.len(), 6);
    // Scans a millisecond apart may share their time; newest first all the same.
    let reasons: Vec<_> = log.iter().map(|p| p.reason.as_deref()).collect();
    assert!(
        reasons.contains(&Some("pass_presented_twice")),
        "{reasons:?}"
    );
    assert!(reasons.contains(&Some("pass_quota_used")), "{reasons:?}");
    assert!(log.windows(2).all(|w| w[0].at >= w[1].at));
    // Reading where a household went is audited.
    let reads = audit_trail(app, &f.auditor, audit_action("household_passages_read")).await;
    assert_eq!(reads.len(), 1);
}

#[tokio::test]
async fn a_forged_or_altered_code_is_refused_and_logged_never_an_error() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let gate = gate_with_guard(app, &f, "East gate").await;
    let (_, _, code) = household_pass(app, &f, "101").await;
    let mut altered = code.clone().into_bytes();
    let i = altered.len() - 10;
    altered[i] = if altered[i] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).expect("ascii");
    for (shown, expected) in [
        (altered.as_str(), None),
        ("HC1:NCFOXN%TS3DH", Some("pass_not_a_pass")),
        ("GW1:%%%%", Some("pass_malformed")),
        ("", Some("pass_not_a_pass")),
    ] {
        let d = show(app, &f.guard, gate, shown, "out", 0).await;
        assert_eq!(d.passage.result, PassageResult::Refused, "{shown}");
        assert!(d.pass.is_none());
        if let Some(e) = expected {
            assert_eq!(refusal(&d), Some(e), "{shown}");
        }
    }
    let huge = "GW1:".to_owned() + &"A".repeat(5_000);
    let d = show(app, &f.guard, gate, &huge, "out", 0).await;
    assert_eq!(refusal(&d), Some("pass_malformed"));
}

#[tokio::test]
async fn a_guard_keeps_only_the_gates_of_their_shift() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let (_, _, code) = household_pass(app, &f, "101").await;
    let unstaffed = unstaffed_gate(app, &f, "North gate").await;
    let input = PassageInput {
        code: code.clone(),
        direction: "out".to_owned(),
        ..Default::default()
    };
    assert_conflict(
        app.pass_through_gate(&f.guard, unstaffed, &input).await,
        ErrorCode::NotOnShift,
    );
    // Staff supervise every gate of their community; a gate elsewhere is not found.
    let d = app
        .pass_through_gate(&f.staff, unstaffed, &input)
        .await
        .expect("staff at the gate");
    assert_eq!(d.passage.result, PassageResult::Admitted);
    let elsewhere = app
        .create_gate(
            &crate::support::account(
                app,
                "staff2",
                domain::access::Role::CommunityStaff,
                domain::access::Jurisdiction::new(
                    domain::access::Level::Community,
                    f.other_community_id,
                ),
            )
            .await,
            f.other_community_id,
            &app::gates::GateInput {
                name: "Gate".to_owned(),
                ..Default::default()
            },
        )
        .await
        .expect("gate elsewhere");
    assert_not_found(app.pass_through_gate(&f.staff, elsewhere, &input).await);
    // A closed gate refuses every passage, with its reason.
    app.set_gate_closed(&f.staff, unstaffed, true, "night")
        .await
        .expect("closed");
    let d = app
        .pass_through_gate(&f.staff, unstaffed, &input)
        .await
        .expect("a decision");
    assert_eq!(refusal(&d), Some("gate_closed"));
}

#[tokio::test]
async fn an_offline_queue_sent_twice_is_stored_once_and_a_double_exit_is_flagged() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let east = gate_with_guard(app, &f, "East gate").await;
    let west = gate_with_guard(app, &f, "West gate").await;
    let (h, _, code) = household_pass_issued(app, &f, f.building1_id, "101", 1).await;
    let queued_as = |direction: &str, gate_client: &str, ago: i64| PassageInput {
        code: code.clone(),
        direction: direction.to_owned(),
        client_id: gate_client.to_owned(),
        at: Some(store::now_ms() - ago),
        decided_offline: "admitted".to_owned(),
        ..Default::default()
    };
    let queued = |gate_client: &str, ago: i64| queued_as("out", gate_client, ago);
    // Both gates were offline and each let the household out once (and back, between).
    let first = app
        .pass_through_gate(&f.guard, east, &queued("east-1", 2 * HOUR))
        .await
        .expect("synchronised");
    assert!(!first.repeated && !first.passage.conflict);
    app.pass_through_gate(&f.guard, east, &queued_as("in", "east-2", 90 * 60_000))
        .await
        .expect("synchronised");
    let second = app
        .pass_through_gate(&f.guard, west, &queued("west-1", HOUR))
        .await
        .expect("synchronised");
    assert_eq!(second.passage.result, PassageResult::Admitted);
    assert!(
        second.passage.conflict,
        "the second exit is put before the supervisor"
    );
    assert_eq!(second.passage.reason.as_deref(), Some("pass_quota_used"));

    // The network came back mid-send: the east gate sends its queue again.
    let again = app
        .pass_through_gate(&f.guard, east, &queued("east-1", 2 * HOUR))
        .await
        .expect("answered");
    assert!(again.repeated);
    assert_eq!(again.passage.id, first.passage.id);
    let all = household_log(app, &f.staff, h).await;
    assert_eq!(all.len(), 3);
    // The conflict is among the exceptions and in the audit chain.
    let exceptions = exceptions_log(app, &f.staff).await;
    assert_eq!(exceptions.len(), 1);
    assert_eq!(exceptions[0].id, second.passage.id);
    assert_eq!(
        audit_trail(app, &f.auditor, audit_action("passage_conflict"))
            .await
            .len(),
        1
    );
    // A client id of another gate is not taken as this one's.
    let stolen = app
        .pass_through_gate(&f.guard, west, &queued("east-1", HOUR))
        .await;
    crate::support::assert_field_error(stolen, "client_id", "client_id_reused");
}

#[tokio::test]
async fn an_override_needs_a_reason_and_a_supervisor_and_is_seen_at_once() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let gate = gate_with_guard(app, &f, "East gate").await;
    let (_, _, code) = household_pass(app, &f, "101").await;
    show(app, &f.guard, gate, &code, "out", 0).await;
    show(app, &f.guard, gate, &code, "in", 0).await;
    let mut input = PassageInput {
        code: code.clone(),
        direction: "out".to_owned(),
        overriding: Some(app::gates::scan::OverrideInput {
            reason: "hospital appointment".to_owned(),
            ..Default::default()
        }),
        ..Default::default()
    };
    crate::support::assert_field_error(
        app.pass_through_gate(&f.guard, gate, &input).await,
        "override_supervisor",
        "required",
    );
    input.overriding = overriding("hospital appointment");
    let d = app
        .pass_through_gate(&f.guard, gate, &input)
        .await
        .expect("overridden");
    assert_eq!(d.passage.result, PassageResult::Overridden);
    assert_eq!(refusal(&d), Some("pass_quota_used"));
    assert_eq!(
        d.passage.override_requested_by.as_deref(),
        Some("street official Wang by phone")
    );
    // On the supervisors' list, counted, and in the audit chain.
    let exceptions = exceptions_log(app, &f.staff).await;
    assert_eq!(exceptions.len(), 1);
    let counts = app.override_counts(&f.official).await.expect("counts");
    assert_eq!(counts.len(), 1);
    assert_eq!(counts[0].overrides, 1);
    assert_eq!(counts[0].requested_by, "street official Wang by phone");
    let audited = audit_trail(app, &f.auditor, audit_action("passage_override")).await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].reason.as_deref(), Some("hospital appointment"));
    // A rule that admits needs no override: the passage is simply admitted.
    let back = app
        .pass_through_gate(
            &f.guard,
            gate,
            &PassageInput {
                code,
                direction: "in".to_owned(),
                overriding: overriding("not needed"),
                ..Default::default()
            },
        )
        .await
        .expect("in");
    assert_eq!(back.passage.result, PassageResult::Admitted);
    assert!(back.passage.override_reason.is_none());
}

#[tokio::test]
async fn a_month_of_passages_is_seeded_in_one_statement_and_read_back_by_household() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let gate = gate_with_guard(app, &f, "East gate").await;
    let (h, _, _) = household_pass(app, &f, "101").await;
    household_pass(app, &f, "102").await;
    let now = jiff::Timestamp::now();
    let written = app
        .seed_passages(gate, f.guard.account_id, 30, 6, now)
        .await
        .expect("seeded");
    assert_eq!(written, 2 * 30 * 6);
    let month = app
        .passages(
            &f.staff,
            &PassageFilter {
                household_id: Some(h),
                since: Some(now.as_millisecond() - 30 * DAY),
                ..Default::default()
            },
            first_page(500),
        )
        .await
        .expect("the household's month");
    assert_eq!(month.items.len(), 180);
    assert!(month.items.iter().all(|p| p.at < now.as_millisecond()));
}
