//! The scheduled jobs: planned orders start, missed checks are raised once, two servers share the work.

use super::*;

/// A planned order starting tomorrow with the doctor responsible, and the day after.
async fn planned(app: &App, f: &Fixture, n: u32) -> (i64, Date) {
    let tomorrow = app.today().tomorrow().expect("tomorrow");
    (order(app, f, n, &tomorrow.to_string()).await, tomorrow)
}

#[tokio::test]
async fn jobs_start_planned_orders_and_raise_each_missed_check_once() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (id, day) = planned(app, &f, 1).await;
    let (checked, _) = planned(app, &f, 2).await;
    let (o, _) = app.quarantine_order(&f.staff, id).await.expect("order");
    assert_eq!(o.state.code(), "planned");

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
    assert_eq!(o.state.code(), "active");
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
    let mine = AlertQuery {
        mine: true,
        ..of_kind("missed_check")
    };
    let alerts = alerts_of(app, &f.doctor, mine).await;
    assert_eq!(alerts.items.len(), 1);
    assert_eq!(alerts.items[0].order_id, id);
    assert_eq!(alerts.items[0].slot_part.code(), "morning");
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
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
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
        .alerts(&f.staff, &of_kind("missed_check"), first_page(500))
        .await
        .expect("alerts");
    assert_eq!(alerts.items.len(), orders.len() * 4, "each alert once");
    let mut keys: Vec<(i64, String, String)> = alerts
        .items
        .iter()
        .map(|a| {
            (
                a.order_id,
                a.slot_date.clone(),
                a.slot_part.code().to_owned(),
            )
        })
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
