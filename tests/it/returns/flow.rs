//! The application, the link, the verification and the approval.

use app::ErrorCode;
use app::returns::Applied;
use domain::checkpoint::{PassState, StateReason};
use domain::quarantine::{Kind, Reason};
use domain::registry::TravelStatus;
use domain::returns::{State, Transition};
use jiff::Timestamp;

use super::{CLIENT, PHONE, apply, code_for, field_of, green, input, with_log};
use crate::support::{
    TestDb, assert_conflict, assert_forbidden, assert_not_found, audit_action, audit_trail,
    board_in_state, citizen_id, first_page, with_bad_check_char,
};

#[tokio::test]
async fn a_resident_applies_with_a_code_and_follows_the_status_by_link() {
    let (t, f) = TestDb::with_fixture().await;
    let (app, log) = with_log(&t.app);
    let i = input(&app, &f).await;
    let (id, token) = apply(&app, &log, i.clone()).await;

    let s = app.return_status(&token).await.expect("status");
    assert_eq!(s.application.id, id);
    assert_eq!(s.application.state, State::Submitted);
    assert_eq!(s.application.address.room, "201");
    assert_eq!(s.travellers, vec!["李*".to_owned()]);
    assert!(s.application.document_masked.contains('*'));

    // The staff see it among tomorrow's arrivals; a guard too; the other community does not.
    let expected = app
        .expected_returns(&f.guard, app.today(), 2, None)
        .await
        .expect("expected");
    assert_eq!(expected.iter().map(|a| a.id).collect::<Vec<_>>(), vec![id]);
    let other = crate::support::account(
        &app,
        "other_staff",
        domain::access::Role::CommunityStaff,
        domain::access::Jurisdiction::new(domain::access::Level::Community, f.other_community_id),
    )
    .await;
    assert!(
        app.expected_returns(&other, app.today(), 2, None)
            .await
            .expect("none")
            .is_empty()
    );
    assert_not_found(app.return_application(&other, id).await);
    assert_forbidden(
        app.expected_returns(&f.volunteer, app.today(), 2, None)
            .await,
    );

    // Found by ID number, by the start of the name and by the QR's address.
    for q in [citizen_id(5), "李".to_owned(), format!("/returns/{id}")] {
        let found = app.search_returns(&f.staff, &q).await.expect("search");
        assert_eq!(
            found.iter().map(|a| a.id).collect::<Vec<_>>(),
            vec![id],
            "{q}"
        );
    }

    // The applicant moves the arrival a day later, then withdraws.
    let later = app.today().saturating_add(jiff::Span::new().days(2));
    app.change_return_arrival(&token, &format!("{later}T09:00"))
        .await
        .expect("arrival changed");
    let moved = app.return_status(&token).await.expect("status");
    assert_ne!(moved.application.arrival_at, s.application.arrival_at);
    app.withdraw_return(&token).await.expect("withdrawn");
    assert_eq!(
        app.return_status(&token)
            .await
            .expect("status")
            .application
            .state,
        State::Withdrawn
    );
    assert_conflict(
        app.change_return_arrival(&token, &format!("{later}T10:00"))
            .await,
        ErrorCode::TransitionNotAllowed,
    );
    assert_conflict(
        app.withdraw_return(&token).await,
        ErrorCode::TransitionNotAllowed,
    );
    // A made-up link finds nothing.
    assert_not_found(app.return_status(&"x".repeat(43)).await);
    let trail = audit_trail(&app, &f.auditor, audit_action("return_withdraw")).await;
    assert_eq!(trail.len(), 1);
    // A withdrawn trip is no duplicate: the same person applies again.
    apply(&app, &log, i).await;
}

#[tokio::test]
async fn a_wrong_code_is_refused_and_too_many_spend_it() {
    let (t, f) = TestDb::with_fixture().await;
    let (app, log) = with_log(&t.app);
    let mut i = input(&app, &f).await;
    // No code asked for.
    let e = app
        .apply_for_return(&i, CLIENT, Timestamp::now())
        .await
        .expect_err("no code");
    assert!(field_of(&e).contains(&("code".to_owned(), "code_expired".to_owned())));
    let right = code_for(&app, &log, PHONE).await;
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..5 {
        i.code = wrong.to_owned();
        let e = app
            .apply_for_return(&i, CLIENT, Timestamp::now())
            .await
            .expect_err("wrong code");
        assert_eq!(
            field_of(&e),
            vec![("code".to_owned(), "code_wrong".to_owned())]
        );
    }
    // Five wrong codes spend it: the right one is refused now.
    i.code = right;
    let e = app
        .apply_for_return(&i, CLIENT, Timestamp::now())
        .await
        .expect_err("spent");
    assert_eq!(
        field_of(&e),
        vec![("code".to_owned(), "code_expired".to_owned())]
    );
    // A code is used once.
    let (_, _) = apply(&app, &log, {
        let mut other = i.clone();
        other.document_number = citizen_id(6);
        other
    })
    .await;
    let e = app
        .apply_for_return(&i, CLIENT, Timestamp::now())
        .await
        .expect_err("used");
    assert!(field_of(&e).contains(&("code".to_owned(), "code_expired".to_owned())));
    // Not a mobile: no code is sent.
    assert!(
        app.request_return_code("12345", CLIENT, Timestamp::now())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn ids_are_checked_as_the_registry_checks_them_and_the_household_must_exist() {
    let (t, f) = TestDb::with_fixture().await;
    let (app, log) = with_log(&t.app);
    let mut i = input(&app, &f).await;
    i.code = code_for(&app, &log, PHONE).await;
    i.document_number = with_bad_check_char(&citizen_id(5));
    i.companions = vec![("王五".to_owned(), "123".to_owned())];
    i.room = "999".to_owned();
    i.origin = "nowhere at all".to_owned();
    let e = app
        .apply_for_return(&i, CLIENT, Timestamp::now())
        .await
        .expect_err("refused");
    let fields: Vec<String> = field_of(&e).into_iter().map(|(f, _)| f).collect();
    for field in ["document_number", "companion_document_0", "origin"] {
        assert!(fields.contains(&field.to_owned()), "{field} in {fields:?}");
    }
    // The ID right, the household unknown.
    i.document_number = citizen_id(5);
    i.companions.clear();
    i.origin = "610113".to_owned();
    let e = app
        .apply_for_return(&i, CLIENT, Timestamp::now())
        .await
        .expect_err("refused");
    assert_eq!(
        field_of(&e),
        vec![("room".to_owned(), "unknown_household".to_owned())]
    );
}

#[tokio::test]
async fn a_duplicate_trip_is_refused_with_a_link_to_the_existing_application() {
    let (t, f) = TestDb::with_fixture().await;
    let (app, log) = with_log(&t.app);
    let mut i = input(&app, &f).await;
    i.companions = vec![("王五".to_owned(), citizen_id(7))];
    let (id, old_token) = apply(&app, &log, i.clone()).await;
    i.code = code_for(&app, &log, PHONE).await;
    let again = app
        .apply_for_return(&i, CLIENT, Timestamp::now())
        .await
        .expect("answered");
    let Applied::Duplicate {
        id: existing,
        token: Some(token),
    } = again
    else {
        panic!("not a duplicate with a link: {again:?}");
    };
    assert_eq!(existing, id);
    assert_eq!(
        app.return_status(&token)
            .await
            .expect("status")
            .application
            .id,
        id
    );
    // The link is new: the one before stops working.
    assert_not_found(app.return_status(&old_token).await);
    // The companion applying on their own, from another phone: the same trip, and no link.
    let mut companion = i.clone();
    companion.name = "王五".to_owned();
    companion.document_number = citizen_id(7);
    companion.companions.clear();
    companion.phone = "13700001111".to_owned();
    companion.code = code_for(&app, &log, &companion.phone).await;
    assert_eq!(
        app.apply_for_return(&companion, CLIENT, Timestamp::now())
            .await
            .expect("answered"),
        Applied::Duplicate { id, token: None }
    );
    // A traveller named twice on one application is refused.
    let mut twice = i.clone();
    twice.document_number = citizen_id(8);
    twice.companions = vec![("赵六".to_owned(), citizen_id(8))];
    twice.code = code_for(&app, &log, PHONE).await;
    let e = app
        .apply_for_return(&twice, CLIENT, Timestamp::now())
        .await
        .expect_err("refused");
    assert!(field_of(&e).contains(&("companions".to_owned(), "duplicate_document".to_owned())));
}

#[tokio::test]
async fn the_public_page_is_limited_per_client_and_per_id() {
    let (t, f) = TestDb::with_fixture().await;
    let (mut app, log) = with_log(&t.app);
    app.settings.returns.attempts_per_client_per_hour = 4;
    app.settings.returns.attempts_per_document_per_day = 2;
    app.settings.returns.codes_per_phone_per_hour = 2;
    let i = input(&app, &f).await;
    // Per phone: two codes an hour.
    code_for(&app, &log, PHONE).await;
    code_for(&app, &log, PHONE).await;
    assert!(matches!(
        app.request_return_code(PHONE, "198.51.100.1", Timestamp::now())
            .await,
        Err(app::AppError::RateLimited { .. })
    ));
    // Per ID: two applications a day, whatever the client.
    for client in ["198.51.100.2", "198.51.100.3"] {
        let r = app.apply_for_return(&i, client, Timestamp::now()).await;
        assert!(matches!(r, Err(app::AppError::Validation(_))), "{r:?}");
    }
    assert!(matches!(
        app.apply_for_return(&i, "198.51.100.4", Timestamp::now())
            .await,
        Err(app::AppError::RateLimited { .. })
    ));
    // Per client: the two codes and two more attempts of this client reach its limit.
    let mut other = i.clone();
    other.document_number = citizen_id(9);
    let _ = app.apply_for_return(&other, CLIENT, Timestamp::now()).await;
    let _ = app.apply_for_return(&other, CLIENT, Timestamp::now()).await;
    assert!(matches!(
        app.apply_for_return(&other, CLIENT, Timestamp::now()).await,
        Err(app::AppError::RateLimited { .. })
    ));
}

#[tokio::test]
async fn the_rule_names_every_refusal_and_a_decision_against_it_needs_a_reason() {
    let (t, f) = TestDb::with_fixture().await;
    let (mut app, log) = with_log(&t.app);
    app.settings.returns.verification.risk_regions = vec!["4201".to_owned()];
    let (id, token) = apply(&app, &log, input(&app, &f).await).await;
    // A guard records the arrival; deciding is for staff.
    assert_eq!(
        app.transition_return(&f.guard, id, Transition::Arrive, "")
            .await
            .expect("arrived"),
        State::Arrived
    );
    assert_forbidden(app.verify_return(&f.guard, id, &green(&app)).await);
    let mut v = green(&app);
    v.health_code = "yellow".to_owned();
    v.visited_regions = "610113, 武汉市".to_owned();
    v.test_taken_on = app
        .today()
        .saturating_sub(jiff::Span::new().days(9))
        .to_string();
    v.temperature = "37.6".to_owned();
    v.certificate_seen = false;
    // Approving against the rule without a reason is refused; nothing is recorded.
    let e = app
        .verify_return(&f.staff, id, &v)
        .await
        .expect_err("no reason");
    assert_eq!(
        field_of(&e),
        vec![("reason".to_owned(), "reason_required".to_owned())]
    );
    v.decision = "refuse".to_owned();
    let out = app.verify_return(&f.staff, id, &v).await.expect("refused");
    assert_eq!(out.state, State::Refused);
    assert!(!out.is_override);
    assert_eq!(
        out.refusals,
        vec![
            "return_health_code",
            "return_risk_region",
            "return_no_certificate",
            "return_test_expired",
            "return_fever"
        ]
    );
    let s = app.return_status(&token).await.expect("status");
    assert_eq!(s.application.state, State::Refused);
    assert_eq!(s.refusals, out.refusals);
    let (_, _, verifications, _) = app.return_application(&f.staff, id).await.expect("read");
    assert_eq!(verifications.len(), 1);
    assert_eq!(verifications[0].decision, "refused");
    assert_eq!(verifications[0].temperature_tenths, 376);
    // Refused is final.
    assert_conflict(
        app.verify_return(&f.staff, id, &green(&app)).await,
        ErrorCode::TransitionNotAllowed,
    );
    assert_eq!(
        audit_trail(&app, &f.auditor, audit_action("return_refuse"))
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn an_override_against_the_rule_is_recorded_with_its_reason() {
    let (t, f) = TestDb::with_fixture().await;
    let (app, log) = with_log(&t.app);
    let (id, _) = apply(&app, &log, input(&app, &f).await).await;
    let mut v = green(&app);
    v.test_result = String::new();
    v.test_taken_on = String::new();
    v.reason = "test taken at the gate, negative by phone from the lab".to_owned();
    let out = app.verify_return(&f.staff, id, &v).await.expect("approved");
    assert_eq!(out.state, State::InQuarantine);
    assert!(out.is_override);
    assert_eq!(out.refusals, vec!["return_no_test"]);
    let trail = audit_trail(&app, &f.auditor, audit_action("return_approve")).await;
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].reason.as_deref(), Some(v.reason.as_str()));
    // Refusing someone the rule admits is an override too.
    let mut i = input(&app, &f).await;
    i.document_number = citizen_id(11);
    i.room = "301".to_owned();
    crate::support::household(&app, &f.staff, f.building1_id, "1", "301").await;
    let (other, _) = apply(&app, &log, i).await;
    let mut refuse = green(&app);
    refuse.decision = "refuse".to_owned();
    let e = app
        .verify_return(&f.staff, other, &refuse)
        .await
        .expect_err("no reason");
    assert_eq!(
        field_of(&e),
        vec![("reason".to_owned(), "reason_required".to_owned())]
    );
}

#[tokio::test]
async fn approval_quarantines_every_traveller_with_checks_and_deliveries_and_seals_the_pass() {
    let (t, f) = TestDb::with_fixture().await;
    let (app, log) = with_log(&t.app);
    let mut i = input(&app, &f).await;
    let h = crate::support::household(&app, &f.staff, f.building1_id, "1", "202").await;
    let pass = app.issue_household_pass(&f.staff, h).await.expect("pass");
    // 王五 is registered elsewhere in the community: updated, not registered twice.
    let (_, wang) = crate::support::zhang_san(&app, &f).await;
    i.room = "202".to_owned();
    i.companions = vec![("张三".to_owned(), citizen_id(1))];
    let (id, token) = apply(&app, &log, i).await;
    assert_eq!(
        app.transition_return(&f.staff, id, Transition::Expect, "")
            .await
            .expect("expected"),
        State::Expected
    );
    let out = app
        .verify_return(&f.staff, id, &green(&app))
        .await
        .expect("approved");
    assert_eq!(out.state, State::InQuarantine);
    assert!(!out.is_override && out.refusals.is_empty());
    assert_eq!(out.order_ids.len(), 2);

    // The applicant is registered in the household as returned from 雁塔区 today; 张三 updated.
    let (a, travellers, _, _) = app.return_application(&f.staff, id).await.expect("read");
    assert_eq!(a.state, State::InQuarantine);
    assert_eq!(a.quarantine_until, out.quarantine_until);
    let li = travellers[0].resident_id.expect("registered");
    let (r, _) = app.resident(&f.staff, li).await.expect("resident");
    assert_eq!(r.address.household_id, h);
    assert_eq!(r.particulars.travel_status, TravelStatus::Returned);
    assert_eq!(r.particulars.travel_origin.as_deref(), Some("610113"));
    assert_eq!(r.particulars.returned_on, Some(app.today().to_string()));
    assert_eq!(travellers[1].resident_id, Some(wang));
    let (z, _) = app.resident(&f.staff, wang).await.expect("张三");
    assert_eq!(z.particulars.travel_status, TravelStatus::Returned);

    // Home quarantine for the returnee (nobody vulnerable at 202), for return to work, with
    // the community's doctor, on the doctor's worklist.
    let (o, _) = app
        .quarantine_order(&f.staff, out.order_ids[0])
        .await
        .expect("order");
    assert_eq!(o.kind, Kind::Home);
    assert_eq!(o.reason, Reason::ReturnToWork);
    assert_eq!(o.doctor_id, Some(f.doctor.account_id));
    assert_eq!(o.resident_id, li);
    let w = app
        .worklist(&f.doctor, true, Timestamp::now(), first_page(50))
        .await
        .expect("worklist");
    assert!(
        w.day.items.iter().any(|d| d.order_id == o.id),
        "on the doctor's day"
    );
    // The day's delivery to the household is made with the order.
    let board = board_in_state(&app, &f.staff, "all").await;
    assert!(board.items.iter().any(|d| d.address.household_id == h));
    // The household's pass is suspended by the seal.
    let p = app.pass(&f.staff, pass).await.expect("pass");
    assert_eq!(p.state, PassState::Suspended);
    assert_eq!(p.state_reason, Some(StateReason::Quarantine));

    // The applicant's link says in quarantine until the end date.
    let s = app.return_status(&token).await.expect("status");
    assert_eq!(s.application.state, State::InQuarantine);
    assert_eq!(s.application.quarantine_until, out.quarantine_until);
    assert_conflict(
        app.withdraw_return(&token).await,
        ErrorCode::TransitionNotAllowed,
    );
    assert_eq!(
        audit_trail(&app, &f.auditor, audit_action("return_approve"))
            .await
            .len(),
        1
    );
    crate::support::assert_chain_intact(&app, &f.auditor).await;

    // Throughput: today one application... made, arrived and verified.
    let tp = app
        .return_throughput(&f.staff, app.today(), 7)
        .await
        .expect("throughput");
    assert_eq!(tp.days.len(), 7);
    let today = tp.days.last().expect("today");
    assert_eq!(
        (
            today.applications,
            today.arrivals,
            today.verified,
            today.refused
        ),
        (1, 1, 1, 0)
    );
    assert_eq!(today.median_minutes, Some(0));
    let csv = app
        .return_throughput_csv(&f.official, app.today(), 7)
        .await
        .expect("csv");
    assert!(csv.starts_with("date,applications,arrivals,verified,refused"));
    assert!(csv.contains(&format!("{},1,1,1,0,0,0", app.today())));
    assert_forbidden(app.return_throughput(&f.guard, app.today(), 7).await);
}

#[tokio::test]
async fn a_household_with_a_vulnerable_member_sends_the_returnee_to_a_centre() {
    let (t, f) = TestDb::with_fixture().await;
    let (app, log) = with_log(&t.app);
    let mut i = input(&app, &f).await;
    i.room = "203".to_owned();
    let h = crate::support::household(&app, &f.staff, f.building1_id, "1", "203").await;
    let mut grandmother = crate::support::raw_resident("王奶奶", &citizen_id(20), "");
    grandmother.vulnerabilities = "elderly_alone".to_owned();
    app.create_resident(&f.staff, h, &grandmother)
        .await
        .expect("resident");
    let (id, _) = apply(&app, &log, i).await;
    let out = app
        .verify_return(&f.staff, id, &green(&app))
        .await
        .expect("approved");
    let (o, _) = app
        .quarantine_order(&f.staff, out.order_ids[0])
        .await
        .expect("order");
    assert_eq!(o.kind, Kind::Centralised);
}

#[tokio::test]
async fn the_daily_job_forgets_old_attempts_and_keeps_the_recent_ones() {
    let (t, _f) = TestDb::with_fixture().await;
    let (app, log) = with_log(&t.app);
    let long_ago = store::now_ms() - 3 * 24 * 60 * 60 * 1000;
    let mut tx = app.db.write().await.expect("tx");
    store::returns::record_attempt(tx.conn(), store::returns::Limit::Client, "old", long_ago)
        .await
        .expect("stored");
    tx.commit().await.expect("commit");
    code_for(&app, &log, PHONE).await;
    let runs = app.run_due_jobs(Timestamp::now()).await.expect("ran");
    let forgot: Vec<_> = runs
        .iter()
        .filter(|r| r.job == "forget_return_attempts")
        .map(|r| r.outcome.as_str())
        .collect();
    assert!(forgot.contains(&"forgot 1"), "{forgot:?}");
    let mut conn = app.db.conn().await.expect("conn");
    let recent = store::returns::attempts_since(&mut conn, store::returns::Limit::Phone, PHONE, 0)
        .await
        .expect("count");
    assert_eq!(recent, 1, "today's attempt is kept");
}
