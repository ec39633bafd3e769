//! Recording and correcting checks, bad input, roles and jurisdiction, and the alert steps.

use super::*;
use crate::support::assert_conflict;
use app::ErrorCode;

#[tokio::test]
async fn a_febrile_check_raises_one_fever_alert_and_a_filled_slot_needs_a_correction_reason() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let id = order(app, &f, 1, "").await;
    let today = app.today();
    let morning = at(app, today, 8, 0);

    let r = app
        .record_check_at(&f.doctor, id, &check("36.6", &[]), morning)
        .await
        .expect("a normal check");
    assert_eq!(r.slot.key(), format!("{today}/morning"));
    assert!(!r.febrile);
    assert_eq!(r.fever_alert_id, None);

    // A second record in the filled slot is refused without a reason, and writes nothing.
    let second = app
        .record_check_at(&f.doctor, id, &check("38.1", &["cough"]), morning)
        .await;
    assert_conflict(second, ErrorCode::SlotFilled);
    let checks = checks_of(app, &f.doctor, id).await;
    assert_eq!(checks.items.len(), 1);

    // With a reason it corrects the first, which is kept, and the febrile correction raises
    // the fever alert.
    let mut correction = check("38.1", &["cough"]);
    correction.correction_reason = "misread the thermometer".to_owned();
    let c = app
        .record_check_at(&f.doctor, id, &correction, at(app, today, 9, 0))
        .await
        .expect("correction");
    assert_eq!(c.replaced, Some(r.check_id));
    assert!(c.febrile);
    let alert_id = c.fever_alert_id.expect("a fever alert");
    let checks = checks_of(app, &f.staff, id).await;
    assert_eq!(checks.items.len(), 2, "the first record is kept");
    assert_eq!(checks.items[0].id, c.check_id);
    assert_eq!(checks.items[0].temperature, 381);
    assert_eq!(checks.items[0].symptoms, vec![Symptom::Cough]);
    assert_eq!(
        checks.items[0].correction_reason.as_deref(),
        Some("misread the thermometer")
    );
    assert!(checks.items[1].superseded_at.is_some());
    assert_eq!(checks.items[1].temperature, 366);

    // Evening: 37.3 exactly is a fever; the slot's alert is raised once, not again on a
    // correction.
    let evening = at(app, today, 18, 0);
    let e = app
        .record_check_at(&f.doctor, id, &check("37.3", &[]), evening)
        .await
        .expect("evening");
    let evening_alert = e.fever_alert_id.expect("37.3 raises an alert");
    let mut again = check("37.8", &[]);
    again.correction_reason = "measured again".to_owned();
    let e2 = app
        .record_check_at(&f.doctor, id, &again, evening)
        .await
        .expect("correction");
    assert_eq!(e2.fever_alert_id, None, "one alert per slot and kind");

    let alerts = worklist(app, &f.doctor).await;
    let ids: Vec<i64> = alerts.items.iter().map(|a| a.id).collect();
    assert_eq!(ids, vec![evening_alert, alert_id], "newest first");
    assert_eq!(alerts.items[1].kind.code(), "fever");
    assert_eq!(alerts.items[1].temperature, Some(381));
    assert_eq!(alerts.items[1].resident_name, "张小明");

    let recorded = audit_actions(app, &f, "check_record").await;
    assert_eq!(recorded.len(), 2);
    let corrected = audit_actions(app, &f, "check_correct").await;
    assert_eq!(corrected.len(), 2);
    assert!(
        corrected
            .iter()
            .any(|e| e.reason.as_deref() == Some("misread the thermometer"))
    );
    assert!(corrected.iter().all(|e| e.account_name == "doctor"));
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field_and_writes_nothing() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let id = order(app, &f, 1, "").await;
    let now = at(app, app.today(), 8, 30);

    for (temp, code) in [
        ("42.5", "temperature_out_of_range"),
        ("34.9", "temperature_out_of_range"),
        ("36.65", "temperature_precision"),
        ("hot", "temperature_format"),
    ] {
        assert_field_error(
            app.record_check_at(&f.doctor, id, &check(temp, &[]), now)
                .await,
            "temperature",
            code,
        );
    }
    assert_field_error(
        app.record_check_at(&f.doctor, id, &check("36.5", &["sneezing"]), now)
            .await,
        "symptoms",
        "unknown_symptom",
    );
    let mut self_report = check("36.5", &[]);
    self_report.method = "self_report".to_owned();
    assert_field_error(
        app.record_check_at(&f.doctor, id, &self_report, now).await,
        "method",
        "invalid_choice",
    );
    let mut future = check("36.5", &[]);
    future.slot = format!("{}/evening", app.today());
    assert_field_error(
        app.record_check_at(&f.doctor, id, &future, now).await,
        "slot",
        "slot_in_future",
    );
    let mut long = check("36.5", &[]);
    long.other_symptom = "痛".repeat(201);
    assert_field_error(
        app.record_check_at(&f.doctor, id, &long, now).await,
        "other_symptom",
        "too_long",
    );

    let checks = checks_of(app, &f.doctor, id).await;
    assert!(checks.items.is_empty(), "nothing was written");
    assert!(audit_actions(app, &f, "check_record").await.is_empty());

    // A late entry names an earlier slot of the order.
    let mut late = check("36.5", &[]);
    late.slot = format!("{}/morning", app.today());
    let r = app
        .record_check_at(&f.doctor, id, &late, at(app, app.today(), 18, 0))
        .await
        .expect("a late entry for the morning");
    assert_eq!(r.slot.part, domain::quarantine::Part::Morning);
}

#[tokio::test]
async fn roles_and_jurisdiction_bound_checks_and_alerts() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let id = order(app, &f, 1, "").await;
    let other = order_in_grid2(app, &f).await;
    let now = at(app, app.today(), 8, 0);

    for actor in [&f.volunteer, &f.guard, &f.official, &f.auditor, &f.admin] {
        assert_forbidden(
            app.record_check_at(actor, id, &check("36.5", &[]), now)
                .await,
        );
    }
    // The grid worker of grid 1 does not see grid 2's order.
    assert_not_found(
        app.record_check_at(&f.grid_worker, other, &check("36.5", &[]), now)
            .await,
    );
    let mut on_site = check("38.5", &[]);
    on_site.method = "on_site".to_owned();
    let r = app
        .record_check_at(&f.grid_worker, id, &on_site, now)
        .await
        .expect("the grid worker records at the door");
    let alert = r.fever_alert_id.expect("fever");
    app.record_check_at(&f.staff, other, &check("39.0", &[]), now)
        .await
        .expect("grid 2");

    // The lead sees both, filterable by grid and kind; the grid worker only grid 1's.
    let all = alerts_of(app, &f.staff, AlertQuery::default()).await;
    assert_eq!(all.items.len(), 2);
    let grid2_fevers = AlertQuery {
        grid_id: Some(f.grid2_id),
        ..of_kind("fever")
    };
    let grid2 = alerts_of(app, &f.staff, grid2_fevers).await;
    assert_eq!(grid2.items.len(), 1);
    assert_eq!(grid2.items[0].order_id, other);
    let missed_only = alerts_of(app, &f.staff, of_kind("missed_check")).await;
    assert!(missed_only.items.is_empty());
    let worker = alerts_of(app, &f.grid_worker, AlertQuery::default()).await;
    assert_eq!(worker.items.len(), 1);
    // The doctor's own worklist holds only orders they are responsible for.
    let mine = worklist(app, &f.doctor).await;
    assert_eq!(
        mine.items.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![alert]
    );
    assert_field_error(
        app.alerts(&f.staff, &of_kind("bad"), PageRequest::first())
            .await,
        "kind",
        "invalid_choice",
    );

    // Officials read but do not handle alerts; the volunteer does neither.
    assert_eq!(
        app.alerts(&f.official, &AlertQuery::default(), PageRequest::first())
            .await
            .expect("official")
            .items
            .len(),
        2
    );
    assert_forbidden(app.acknowledge_alert(&f.official, alert).await);
    assert_forbidden(
        app.alerts(&f.volunteer, &AlertQuery::default(), PageRequest::first())
            .await,
    );
    assert_not_found(
        app.acknowledge_alert(&f.grid_worker, grid2.items[0].id)
            .await,
    );
}

#[tokio::test]
async fn alerts_go_open_acknowledged_resolved_with_a_note() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let id = order(app, &f, 1, "").await;
    let r = app
        .record_check_at(
            &f.doctor,
            id,
            &check("36.5", &["loss_of_taste_or_smell"]),
            at(app, app.today(), 8, 0),
        )
        .await
        .expect("a symptom is enough");
    let alert = r.fever_alert_id.expect("fever alert for a symptom");

    assert_field_error(
        app.resolve_alert(&f.doctor, alert, "  ").await,
        "note",
        "note_required",
    );
    app.acknowledge_alert(&f.doctor, alert)
        .await
        .expect("acknowledge");
    let again = app.acknowledge_alert(&f.staff, alert).await;
    assert_conflict(again, ErrorCode::AlertTransitionNotAllowed);
    app.resolve_alert(&f.doctor, alert, "called: smell back, 36.4")
        .await
        .expect("resolve");
    let a = app.alert(&f.staff, alert).await.expect("alert");
    assert_eq!(a.state.code(), "resolved");
    assert_eq!(a.acknowledged_by, Some(f.doctor.account_id));
    assert_eq!(a.resolved_by, Some(f.doctor.account_id));
    assert_eq!(
        a.resolution_note.as_deref(),
        Some("called: smell back, 36.4")
    );
    assert!(
        app.resolve_alert(&f.doctor, alert, "again").await.is_err(),
        "a resolved alert stays resolved"
    );
    // Resolved alerts leave the worklist but stay listed by state.
    let open = alerts_of(app, &f.doctor, AlertQuery::default()).await;
    assert!(open.items.is_empty());
    let resolved_state = AlertQuery {
        state: Some("resolved".to_owned()),
        ..Default::default()
    };
    let resolved = alerts_of(app, &f.doctor, resolved_state).await;
    assert_eq!(resolved.items.len(), 1);
    let trail = audit_actions(app, &f, "alert_resolve").await;
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].reason.as_deref(), Some("called: smell back, 36.4"));
    assert_eq!(audit_actions(app, &f, "alert_acknowledge").await.len(), 1);
}
