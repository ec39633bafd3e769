//! The month of quarantine work the demo and the benchmark write in bulk agrees with what the
//! use cases and the jobs would have written: checks in closed slots only, one alert per fever
//! and per missed slot, nothing raised again by the real job, an intact audit chain.

use app::seeding::Activity;

use crate::checks::worklist;
use crate::support::{TestDb, citizen_id, household, raw_resident};

#[tokio::test]
async fn a_seeded_month_matches_what_the_jobs_would_raise_and_is_written_once() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    for n in 0..12u32 {
        let building = if n % 2 == 0 {
            f.building1_id
        } else {
            f.building3_id
        };
        let h = household(app, &f.staff, building, "1", &format!("{}", 101 + n)).await;
        app.create_resident(
            &f.staff,
            h,
            &raw_resident(&format!("居民{n}"), &citizen_id(n + 1), ""),
        )
        .await
        .expect("resident");
    }
    let activity = Activity {
        community_id: f.community_id,
        orders: 12,
        doctors: vec![f.doctor.account_id],
        grid_workers: vec![f.grid_worker.account_id],
    };
    let now = jiff::Timestamp::now();
    let seeded = app
        .seed_activity(&activity, now)
        .await
        .expect("seed")
        .expect("a community without orders is seeded");
    assert_eq!(seeded.orders, 12);
    assert!(
        (4..=8).contains(&seeded.active_orders),
        "about half of a month's 14-day orders are still running: {seeded:?}"
    );
    assert!(seeded.checks > 100, "{seeded:?}");

    let mut conn = app.db.conn().await.expect("connection");
    let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
    let checks = count("SELECT COUNT(*) FROM checks")
        .fetch_one(&mut *conn)
        .await
        .expect("checks");
    assert_eq!(checks, seeded.checks);
    let febrile = count("SELECT COUNT(*) FROM checks WHERE febrile = 1")
        .fetch_one(&mut *conn)
        .await
        .expect("febrile");
    let fever = count("SELECT COUNT(*) FROM check_alerts WHERE kind = 'fever'")
        .fetch_one(&mut *conn)
        .await
        .expect("fever alerts");
    assert_eq!(fever, febrile, "one fever alert per febrile check");
    assert_eq!(fever, seeded.fever_alerts);
    let future = count(
        "SELECT COUNT(*) FROM checks c JOIN quarantine_orders q ON q.id = c.order_id \
         WHERE c.slot_date < q.start_date OR c.slot_date > q.end_date",
    )
    .fetch_one(&mut *conn)
    .await
    .expect("checks outside orders");
    assert_eq!(future, 0, "checks only while in quarantine");
    drop(conn);

    // The real job finds every closed slot of the last days already handled.
    let runs = app.run_due_jobs(now).await.expect("jobs");
    let mut conn = app.db.conn().await.expect("connection");
    let missed = count("SELECT COUNT(*) FROM check_alerts WHERE kind = 'missed_check'")
        .fetch_one(&mut *conn)
        .await
        .expect("missed alerts");
    drop(conn);
    assert_eq!(
        missed, seeded.missed_alerts,
        "the missed-check job raised nothing the seeding had not: {runs:?}"
    );

    // The doctor's worklist shows the recent alerts as open; older ones were resolved.
    let open = worklist(app, &f.doctor).await;
    assert_eq!(
        i64::try_from(open.items.len()).expect("small"),
        seeded.open_alerts.min(50)
    );
    assert!(open.items.iter().all(|a| a.state.code() != "resolved"));

    assert_eq!(
        app.seed_activity(&activity, now)
            .await
            .expect("second seed"),
        None,
        "a community with orders is left alone"
    );
    let verification = app.verify_audit(&f.auditor).await.expect("verify");
    assert_eq!(verification.broken_at, None);
}
