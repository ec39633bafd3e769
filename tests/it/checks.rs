//! Integration tests of twice-daily check records, self-report links, alerts and the
//! database-backed jobs that start planned orders and raise missed-check alerts.

use app::checks::{AlertQuery, CheckInput, SelfReportInput};
use app::quarantine::OrderInput;
use app::{App, AppError};
use domain::page::PageRequest;
use jiff::Timestamp;
use jiff::civil::Date;
use store::audit::AuditFilter;

use crate::support::{
    Fixture, TestDb, assert_field_error, assert_forbidden, assert_not_found, citizen_id, fixture,
    household, raw_resident,
};

/// The community's local `date` at `h:m`, as an instant.
fn at(app: &App, date: Date, h: i8, m: i8) -> Timestamp {
    date.at(h, m, 0, 0)
        .to_zoned_datetime(app.settings.time_zone.clone())
        .expect("a local time")
        .timestamp()
}

fn check(temperature: &str, symptoms: &[&str]) -> CheckInput {
    CheckInput {
        temperature: temperature.to_owned(),
        symptoms: symptoms.iter().map(|s| (*s).to_owned()).collect(),
        method: "doctor_call".to_owned(),
        ..Default::default()
    }
}

fn report(temperature: &str, symptoms: &[&str]) -> SelfReportInput {
    SelfReportInput {
        temperature: temperature.to_owned(),
        symptoms: symptoms.iter().map(|s| (*s).to_owned()).collect(),
        ..Default::default()
    }
}

/// A resident of 1号楼 (grid 1) under an order starting `start` (empty for today) with the
/// fixture doctor responsible; returns the order id.
async fn order(app: &App, f: &Fixture, n: u32, start: &str) -> i64 {
    let h = household(app, &f.staff, f.building1_id, "1", &format!("{}", 100 + n)).await;
    let r = app
        .create_resident(&f.staff, h, &raw_resident("张小明", &citizen_id(n), ""))
        .await
        .expect("resident");
    app.create_quarantine(
        &f.staff,
        r,
        &OrderInput {
            reason: "returnee".to_owned(),
            kind: "home".to_owned(),
            start_date: start.to_owned(),
            days: String::new(),
            doctor_id: Some(f.doctor.account_id),
            grid_worker_id: None,
        },
    )
    .await
    .expect("order")
}

/// A resident of 3号楼 (grid 2), outside the fixture grid worker's grid.
async fn order_in_grid2(app: &App, f: &Fixture) -> i64 {
    let h = household(app, &f.staff, f.building3_id, "1", "301").await;
    let r = app
        .create_resident(&f.staff, h, &raw_resident("赵六", &citizen_id(77), ""))
        .await
        .expect("resident");
    app.create_quarantine(
        &f.staff,
        r,
        &OrderInput {
            reason: "returnee".to_owned(),
            kind: "home".to_owned(),
            days: String::new(),
            ..OrderInput::default()
        },
    )
    .await
    .expect("order")
}

async fn audit_actions(app: &App, f: &Fixture, action: &str) -> Vec<store::audit::AuditRecord> {
    app.audit_trail(
        &f.admin,
        &AuditFilter {
            action: Some(action.to_owned()),
            ..Default::default()
        },
        100,
    )
    .await
    .expect("audit")
}

#[tokio::test]
async fn a_febrile_check_raises_one_fever_alert_and_a_filled_slot_needs_a_correction_reason() {
    let t = TestDb::new().await;
    let app = &t.app;
    let f = fixture(app).await;
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
    assert!(
        matches!(
            second,
            Err(AppError::Conflict {
                code: "slot_filled"
            })
        ),
        "{second:?}"
    );
    let checks = app
        .order_checks(&f.doctor, id, PageRequest::first())
        .await
        .expect("checks");
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
    let checks = app
        .order_checks(&f.staff, id, PageRequest::first())
        .await
        .expect("checks");
    assert_eq!(checks.items.len(), 2, "the first record is kept");
    assert_eq!(checks.items[0].id, c.check_id);
    assert_eq!(checks.items[0].temperature, 381);
    assert_eq!(checks.items[0].symptoms, vec!["cough".to_owned()]);
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

    let alerts = app
        .alerts(
            &f.doctor,
            &AlertQuery {
                mine: true,
                ..Default::default()
            },
            PageRequest::first(),
        )
        .await
        .expect("worklist");
    let ids: Vec<i64> = alerts.items.iter().map(|a| a.id).collect();
    assert_eq!(ids, vec![evening_alert, alert_id], "newest first");
    assert_eq!(alerts.items[1].kind, "fever");
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
    let t = TestDb::new().await;
    let app = &t.app;
    let f = fixture(app).await;
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

    let checks = app
        .order_checks(&f.doctor, id, PageRequest::first())
        .await
        .expect("checks");
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
    let t = TestDb::new().await;
    let app = &t.app;
    let f = fixture(app).await;
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
    let all = app
        .alerts(&f.staff, &AlertQuery::default(), PageRequest::first())
        .await
        .expect("lead");
    assert_eq!(all.items.len(), 2);
    let grid2 = app
        .alerts(
            &f.staff,
            &AlertQuery {
                grid_id: Some(f.grid2_id),
                kind: Some("fever".to_owned()),
                ..Default::default()
            },
            PageRequest::first(),
        )
        .await
        .expect("grid 2");
    assert_eq!(grid2.items.len(), 1);
    assert_eq!(grid2.items[0].order_id, other);
    let missed_only = app
        .alerts(
            &f.staff,
            &AlertQuery {
                kind: Some("missed_check".to_owned()),
                ..Default::default()
            },
            PageRequest::first(),
        )
        .await
        .expect("kind");
    assert!(missed_only.items.is_empty());
    let worker = app
        .alerts(&f.grid_worker, &AlertQuery::default(), PageRequest::first())
        .await
        .expect("grid worker");
    assert_eq!(worker.items.len(), 1);
    // The doctor's own worklist holds only orders they are responsible for.
    let mine = app
        .alerts(
            &f.doctor,
            &AlertQuery {
                mine: true,
                ..Default::default()
            },
            PageRequest::first(),
        )
        .await
        .expect("doctor");
    assert_eq!(
        mine.items.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![alert]
    );
    assert_field_error(
        app.alerts(
            &f.staff,
            &AlertQuery {
                kind: Some("bad".to_owned()),
                ..Default::default()
            },
            PageRequest::first(),
        )
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
    let t = TestDb::new().await;
    let app = &t.app;
    let f = fixture(app).await;
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
    assert!(
        matches!(
            again,
            Err(AppError::Conflict {
                code: "alert_transition_not_allowed"
            })
        ),
        "{again:?}"
    );
    app.resolve_alert(&f.doctor, alert, "called: smell back, 36.4")
        .await
        .expect("resolve");
    let a = app.alert(&f.staff, alert).await.expect("alert");
    assert_eq!(a.state, "resolved");
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
    let open = app
        .alerts(&f.doctor, &AlertQuery::default(), PageRequest::first())
        .await
        .expect("open");
    assert!(open.items.is_empty());
    let resolved = app
        .alerts(
            &f.doctor,
            &AlertQuery {
                state: Some("resolved".to_owned()),
                ..Default::default()
            },
            PageRequest::first(),
        )
        .await
        .expect("resolved");
    assert_eq!(resolved.items.len(), 1);
    let trail = audit_actions(app, &f, "alert_resolve").await;
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].reason.as_deref(), Some("called: smell back, 36.4"));
    assert_eq!(audit_actions(app, &f, "alert_acknowledge").await.len(), 1);
}

#[tokio::test]
async fn a_resident_self_reports_through_a_link_that_staff_can_replace_and_revoke() {
    let t = TestDb::new().await;
    let app = &t.app;
    let f = fixture(app).await;
    let id = order(app, &f, 1, "").await;
    let morning = at(app, app.today(), 7, 30);

    assert_forbidden(app.create_self_report_link(&f.volunteer, id).await);
    let first = app
        .create_self_report_link(&f.grid_worker, id)
        .await
        .expect("link");
    assert_eq!(first.token.len(), 43, "32 bytes, base64url");
    let view = app
        .self_report_view(&first.token, morning)
        .await
        .expect("view");
    assert_eq!(view.masked_name, "张**");
    assert_eq!(view.order_id, id);
    assert!(view.current.is_none());

    // A new link revokes the previous one.
    let link = app
        .create_self_report_link(&f.doctor, id)
        .await
        .expect("second link");
    let r = app.self_report_view(&first.token, morning).await;
    assert!(
        matches!(
            r,
            Err(AppError::Conflict {
                code: "link_revoked"
            })
        ),
        "{r:?}"
    );
    let live = app
        .self_report_link(&f.staff, id)
        .await
        .expect("live link")
        .expect("one live link");
    assert_eq!(live.id, link.id);

    // Bad input and unknown tokens write nothing.
    assert_field_error(
        app.submit_self_report(&link.token, &report("43", &[]), "10.0.0.1", morning)
            .await,
        "temperature",
        "temperature_out_of_range",
    );
    for unknown in ["", "short", &"A".repeat(43)] {
        assert_not_found(
            app.submit_self_report(unknown, &report("38.2", &[]), "10.0.0.1", morning)
                .await,
        );
    }
    assert!(
        app.order_checks(&f.doctor, id, PageRequest::first())
            .await
            .expect("checks")
            .items
            .is_empty()
    );

    // A fever through the link: a record by the resident and an alert on the doctor's list.
    let r = app
        .submit_self_report(
            &link.token,
            &report("38.2", &["fatigue"]),
            "10.0.0.1",
            morning,
        )
        .await
        .expect("self-report");
    let alert = r.fever_alert_id.expect("fever alert");
    let checks = app
        .order_checks(&f.doctor, id, PageRequest::first())
        .await
        .expect("checks");
    assert_eq!(checks.items[0].method, "self_report");
    assert_eq!(checks.items[0].link_id, Some(link.id));
    assert_eq!(checks.items[0].recorded_by, None);
    let worklist = app
        .alerts(
            &f.doctor,
            &AlertQuery {
                mine: true,
                ..Default::default()
            },
            PageRequest::first(),
        )
        .await
        .expect("worklist");
    assert_eq!(worklist.items[0].id, alert);
    let trail = audit_actions(app, &f, "check_record").await;
    assert_eq!(
        trail[0].account_name,
        format!("self_report_link:{}", link.id)
    );
    assert_eq!(trail[0].account_id, None);
    assert_eq!(trail[0].role, "resident");

    // The page now shows the record; a second report needs a reason.
    let view = app
        .self_report_view(&link.token, morning)
        .await
        .expect("view");
    assert_eq!(view.current.as_ref().map(|c| c.temperature), Some(382));
    let r = app
        .submit_self_report(&link.token, &report("37.0", &[]), "10.0.0.1", morning)
        .await;
    assert!(
        matches!(
            r,
            Err(AppError::Conflict {
                code: "slot_filled"
            })
        ),
        "{r:?}"
    );

    // Revoked: refused, nothing written.
    app.revoke_self_report_link(&f.staff, id)
        .await
        .expect("revoke");
    let mut fix = report("37.0", &[]);
    fix.correction_reason = "measured wrong".to_owned();
    let r = app
        .submit_self_report(&link.token, &fix, "10.0.0.1", morning)
        .await;
    assert!(
        matches!(
            r,
            Err(AppError::Conflict {
                code: "link_revoked"
            })
        ),
        "{r:?}"
    );
    assert_eq!(
        app.order_checks(&f.doctor, id, PageRequest::first())
            .await
            .expect("checks")
            .items
            .len(),
        1
    );
    let r = app.revoke_self_report_link(&f.staff, id).await;
    assert!(
        matches!(
            r,
            Err(AppError::Conflict {
                code: "no_live_link"
            })
        ),
        "{r:?}"
    );
    assert_eq!(
        audit_actions(app, &f, "self_report_link_create")
            .await
            .len(),
        2
    );
    assert_eq!(
        audit_actions(app, &f, "self_report_link_revoke")
            .await
            .len(),
        1
    );

    // A released order's link stops working.
    let link = app
        .create_self_report_link(&f.doctor, id)
        .await
        .expect("third link");
    app.transition_quarantine(&f.doctor, id, "release", "negative twice")
        .await
        .expect("release");
    let r = app.self_report_view(&link.token, morning).await;
    assert!(
        matches!(
            r,
            Err(AppError::Conflict {
                code: "order_ended"
            })
        ),
        "{r:?}"
    );
    let r = app.create_self_report_link(&f.doctor, id).await;
    assert!(
        matches!(
            r,
            Err(AppError::Conflict {
                code: "order_closed"
            })
        ),
        "{r:?}"
    );
}

#[tokio::test]
async fn self_reports_are_rate_limited_per_link_and_per_client() {
    let t = TestDb::new().await;
    let app = &t.app;
    let f = fixture(app).await;
    let id = order(app, &f, 1, "").await;
    let link = app
        .create_self_report_link(&f.doctor, id)
        .await
        .expect("link");
    let base = at(app, app.today(), 7, 0);
    let minutes = |m: i64| {
        base.checked_add(jiff::SignedDuration::from_mins(m))
            .expect("time")
    };
    let mut fix = report("36.5", &[]);
    fix.correction_reason = "again".to_owned();
    app.submit_self_report(&link.token, &report("36.5", &[]), "10.0.0.1", minutes(0))
        .await
        .expect("first");
    for m in 1..6 {
        app.submit_self_report(&link.token, &fix, "10.0.0.1", minutes(m))
            .await
            .expect("corrections within the limit");
    }
    let r = app
        .submit_self_report(&link.token, &fix, "10.0.0.2", minutes(6))
        .await;
    assert!(
        matches!(r, Err(AppError::RateLimited { .. })),
        "a seventh report within the hour: {r:?}"
    );
    // An hour after the first, one more is accepted.
    app.submit_self_report(&link.token, &fix, "10.0.0.1", minutes(61))
        .await
        .expect("after the hour");
}

/// A planned order starting tomorrow with the doctor responsible, and the day after.
async fn planned(app: &App, f: &Fixture, n: u32) -> (i64, Date) {
    let tomorrow = app.today().tomorrow().expect("tomorrow");
    (order(app, f, n, &tomorrow.to_string()).await, tomorrow)
}

#[tokio::test]
async fn jobs_start_planned_orders_and_raise_each_missed_check_once() {
    let t = TestDb::new().await;
    let app = &t.app;
    let f = fixture(app).await;
    let (id, day) = planned(app, &f, 1).await;
    let (checked, _) = planned(app, &f, 2).await;
    let (o, _) = app.quarantine_order(&f.staff, id).await.expect("order");
    assert_eq!(o.state, "planned");

    // Just after midnight the planned orders start, audited as the system.
    let runs = app
        .run_due_jobs(at(app, day, 0, 1))
        .await
        .expect("jobs at midnight");
    let start_run = runs
        .iter()
        .find(|r| r.job == "start_planned_orders" && r.period == day.to_string())
        .expect("today's start run");
    assert_eq!(start_run.outcome, "started 2");
    let (o, history) = app.quarantine_order(&f.staff, id).await.expect("order");
    assert_eq!(o.state, "active");
    assert_eq!(history[0].account_name, "system");
    assert_eq!(history[0].action, "quarantine_transition");
    // Nothing was missed before the orders started.
    assert!(
        runs.iter()
            .filter(|r| r.job == "missed_checks")
            .all(|r| r.outcome == "raised 0"),
        "{runs:?}"
    );

    // One order is checked in the morning, the other is not.
    app.record_check_at(&f.doctor, checked, &check("36.5", &[]), at(app, day, 8, 0))
        .await
        .expect("morning check");
    let runs = app
        .run_due_jobs(at(app, day, 10, 0))
        .await
        .expect("jobs at 10:00");
    let morning = format!("{day}/morning");
    assert_eq!(
        runs.iter()
            .filter(|r| r.job == "missed_checks")
            .map(|r| (r.period.as_str(), r.outcome.as_str()))
            .collect::<Vec<_>>(),
        vec![(morning.as_str(), "raised 1")]
    );
    // The next tick finds the period handled.
    let again = app
        .run_due_jobs(at(app, day, 10, 1))
        .await
        .expect("next tick");
    assert!(again.is_empty(), "{again:?}");
    let alerts = app
        .alerts(
            &f.doctor,
            &AlertQuery {
                mine: true,
                kind: Some("missed_check".to_owned()),
                ..Default::default()
            },
            PageRequest::first(),
        )
        .await
        .expect("alerts");
    assert_eq!(alerts.items.len(), 1);
    assert_eq!(alerts.items[0].order_id, id);
    assert_eq!(alerts.items[0].slot_part, "morning");
    let trail = audit_actions(app, &f, "missed_check_alerts").await;
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].object_id, morning);
    assert_eq!(trail[0].account_name, "system");

    // The doctor's day shows both orders and which slot is checked.
    let w = app
        .worklist(&f.doctor, true, at(app, day, 10, 5), PageRequest::first())
        .await
        .expect("worklist");
    assert_eq!(w.open_missed, 1);
    assert_eq!(w.open_fever, 0);
    assert_eq!(w.day.items.len(), 2);
    let row = |o: i64| {
        w.day
            .items
            .iter()
            .find(|d| d.order_id == o)
            .expect("order on the day")
    };
    assert!(row(checked).morning.is_some());
    assert!(row(id).morning.is_none());

    // Days later (a server that was down) the evening slots are caught up, once each.
    let later = day.checked_add(jiff::Span::new().days(2)).expect("date");
    let runs = app
        .run_due_jobs(at(app, later, 7, 0))
        .await
        .expect("catch up");
    let slots: Vec<&str> = runs
        .iter()
        .filter(|r| r.job == "missed_checks")
        .map(|r| r.period.as_str())
        .collect();
    // That day's evening and the next day's two; the morning at 07:00 is still open.
    assert_eq!(slots.len(), 3, "{slots:?}");
    assert!(slots.iter().all(|s| *s != morning));
    assert!(
        runs.iter()
            .all(|r| r.job != "missed_checks" || r.outcome == "raised 2")
    );
    let runs = app
        .job_runs(&f.admin, "missed_checks", 100)
        .await
        .expect("runs");
    let mut periods: Vec<&str> = runs.iter().map(|r| r.period.as_str()).collect();
    let n = periods.len();
    periods.dedup();
    assert_eq!(periods.len(), n, "one row per period");
}

#[tokio::test]
async fn two_servers_ticking_together_handle_each_period_once() {
    let t = TestDb::new().await;
    let app = &t.app;
    let f = fixture(app).await;
    let mut orders = Vec::new();
    let mut day = app.today();
    for n in 1..=5 {
        let (id, d) = planned(app, &f, n).await;
        orders.push(id);
        day = d;
    }
    let second = t.second_app().await;
    let now = at(app, day.tomorrow().expect("date"), 20, 30);
    let (a, b) = tokio::join!(app.run_due_jobs(now), second.run_due_jobs(now));
    let (a, b) = (a.expect("server a"), b.expect("server b"));
    // Together they handled every period once: none twice, and every one by someone.
    let mut handled: Vec<(String, String)> = a
        .iter()
        .chain(b.iter())
        .map(|r| (r.job.to_owned(), r.period.clone()))
        .collect();
    let total = handled.len();
    handled.sort();
    handled.dedup();
    assert_eq!(handled.len(), total, "no period ran twice: {a:?} {b:?}");
    let missed: Vec<_> = handled
        .iter()
        .filter(|(j, _)| j == "missed_checks")
        .collect();
    // The day and the next: four slots after the orders started, and earlier ones.
    assert!(missed.len() >= 4, "{missed:?}");

    let alerts = app
        .alerts(
            &f.staff,
            &AlertQuery {
                kind: Some("missed_check".to_owned()),
                ..Default::default()
            },
            PageRequest::new(None, Some(500)),
        )
        .await
        .expect("alerts");
    assert_eq!(alerts.items.len(), orders.len() * 4, "each alert once");
    let mut keys: Vec<(i64, String, String)> = alerts
        .items
        .iter()
        .map(|a| (a.order_id, a.slot_date.clone(), a.slot_part.clone()))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), orders.len() * 4);
    let started = audit_actions(app, &f, "quarantine_transition").await;
    assert_eq!(started.len(), orders.len(), "each order started once");
    let verify = app.verify_audit(&f.auditor).await.expect("verify");
    assert_eq!(verify.broken_at, None, "the chain holds");
    second.db.close().await;
}

#[tokio::test]
async fn the_api_records_checks_handles_alerts_and_takes_self_reports() {
    use axum::http::{Method, StatusCode};
    use serde_json::json;

    use crate::http::Client;

    let t = TestDb::new().await;
    let app = &t.app;
    let f = fixture(app).await;
    let id = order(app, &f, 1, "").await;
    let router = server::router(app.clone());
    let mut anon = Client::new(router.clone());
    let token = anon.token("doctor").await;
    let mut doctor = anon.bearer(&token);

    let path = format!("/api/v1/quarantine-orders/{id}/checks");
    let res = doctor
        .json(
            Method::POST,
            &path,
            &json!({ "temperature": "42.3", "method": "doctor_call" }),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    assert_eq!(res.json()["error"]["fields"][0]["field"], "temperature");
    assert_eq!(
        res.json()["error"]["fields"][0]["code"],
        "temperature_out_of_range"
    );
    let res = doctor
        .json(
            Method::POST,
            &path,
            &json!({ "temperature": "38.4", "symptoms": ["cough"], "method": "doctor_call" }),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let alert = res.json()["fever_alert_id"].as_i64().expect("fever alert");
    let res = doctor
        .json(
            Method::POST,
            &path,
            &json!({ "temperature": "36.4", "method": "doctor_call" }),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.json()["error"]["code"], "slot_filled");
    let list = doctor.get(&path).await.json();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["items"][0]["temperature"], json!(38.4));

    let alerts = doctor.get("/api/v1/alerts?mine=true").await.json();
    assert_eq!(alerts["items"][0]["id"], json!(alert));
    assert_eq!(alerts["items"][0]["kind"], "fever");
    let w = doctor.get("/api/v1/worklist?mine=true").await.json();
    assert_eq!(w["open_fever"], json!(1));
    assert_eq!(w["day"][0]["order_id"], json!(id));
    let res = doctor
        .json(
            Method::POST,
            &format!("/api/v1/alerts/{alert}/acknowledge"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let res = doctor
        .json(
            Method::POST,
            &format!("/api/v1/alerts/{alert}/resolve"),
            &json!({ "note": "" }),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = doctor
        .json(
            Method::POST,
            &format!("/api/v1/alerts/{alert}/resolve"),
            &json!({ "note": "sent to the fever clinic" }),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);

    // A link through the API, a self-report without an account, then revoked: 410.
    let res = doctor
        .json(
            Method::POST,
            &format!("/api/v1/quarantine-orders/{id}/self-report-link"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let link = res.json()["token"].as_str().expect("token").to_owned();
    let report = format!("/api/v1/self-reports/{link}");
    let res = anon
        .json(
            Method::POST,
            &report,
            &json!({ "temperature": "37.0", "correction_reason": "feel better" }),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["replaced"], list["items"][0]["id"]);
    let res = anon
        .json(
            Method::POST,
            &format!("/api/v1/self-reports/{}", "x".repeat(43)),
            &json!({ "temperature": "37.0" }),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = doctor
        .json(
            Method::DELETE,
            &format!("/api/v1/quarantine-orders/{id}/self-report-link"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let res = anon
        .json(Method::POST, &report, &json!({ "temperature": "37.0" }))
        .await;
    assert_eq!(res.status, StatusCode::GONE);
    assert_eq!(res.json()["error"]["code"], "link_revoked");
    assert_eq!(
        doctor.get(&path).await.json()["items"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "nothing written after the revocation"
    );
}

#[tokio::test]
async fn the_pages_record_correct_and_take_a_residents_report() {
    use axum::http::StatusCode;

    use crate::http::{Client, form_input};

    let t = TestDb::new().await;
    let app = &t.app;
    let f = fixture(app).await;
    let id = order(app, &f, 1, "").await;
    let router = server::router(app.clone());
    let mut doctor = Client::new(router.clone());
    doctor.sign_in("doctor").await;

    let page = format!("/quarantine/{id}/checks");
    let csrf = doctor.session_csrf(&page, &page).await;
    let res = doctor
        .post_form(
            &page,
            &[
                ("csrf", &csrf),
                ("temperature", "43"),
                ("method", "doctor_call"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("35.0"), "a precise message");
    let res = doctor
        .post_form(
            &page,
            &[
                ("csrf", &csrf),
                ("temperature", "36.7"),
                ("method", "doctor_call"),
                ("symptom", "cough"),
                ("symptom", "fatigue"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let shown = doctor.get(&page).await.text();
    assert!(
        shown.contains("data-testid=\"slot-filled\""),
        "the first record is shown"
    );
    assert!(shown.contains("36.7"));
    let checks = app
        .order_checks(&f.doctor, id, PageRequest::first())
        .await
        .expect("checks");
    assert_eq!(checks.items[0].symptoms, vec!["cough", "fatigue"]);
    // The same slot again without a reason: the correction form, nothing written.
    let res = doctor
        .post_form(
            &page,
            &[
                ("csrf", &csrf),
                ("temperature", "37.9"),
                ("method", "doctor_call"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.text().contains("data-testid=\"correction-error\""));
    let worklist = doctor.get("/checks").await;
    assert_eq!(worklist.status, StatusCode::OK);
    assert!(worklist.text().contains("张小明"));

    // The link is shown once, with its QR code.
    let res = doctor
        .post_form(
            &format!("/quarantine/{id}/self-report-link"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(html.contains("<svg"), "a QR code");
    let start = html.find("/r/").expect("the link");
    let token: String = html[start + 3..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert_eq!(token.len(), 43);

    // The resident, with no account.
    let mut resident = Client::new(router.clone());
    let form = resident.get(&format!("/r/{token}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains("张**"), "the name masked");
    assert!(!form.text().contains("张小明"));
    let report_csrf =
        form_input(&form.text(), &format!("/r/{token}"), "csrf").expect("the form's token");
    let res = resident
        .post_form(
            &format!("/r/{token}"),
            &[
                ("csrf", &report_csrf),
                ("temperature", "38.6"),
                ("correction_reason", "I feel hot"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.text().contains("data-testid=\"report-fever\""));
    let alerts = app
        .alerts(&f.doctor, &AlertQuery::default(), PageRequest::first())
        .await
        .expect("alerts");
    assert_eq!(alerts.items.len(), 1);
    assert_eq!(alerts.items[0].temperature, Some(386));

    // Unknown and revoked links: one clear page, nothing written.
    let res = resident.get(&format!("/r/{}", "Z".repeat(43))).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.text().contains("data-testid=\"report-refused\""));
    app.revoke_self_report_link(&f.doctor, id)
        .await
        .expect("revoke");
    let res = resident
        .post_form(
            &format!("/r/{token}"),
            &[("csrf", &report_csrf), ("temperature", "37.0")],
        )
        .await;
    assert_eq!(res.status, StatusCode::GONE);
    assert_eq!(
        app.order_checks(&f.doctor, id, PageRequest::first())
            .await
            .expect("checks")
            .items
            .len(),
        2
    );
}
