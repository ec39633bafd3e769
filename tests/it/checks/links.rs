//! Self-report links: a resident reports through a link staff can replace and revoke; rate limits.

use app::ErrorCode;

use super::*;
use crate::support::assert_conflict;

#[tokio::test]
async fn a_resident_self_reports_through_a_link_that_staff_can_replace_and_revoke() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
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
    assert_conflict(r, ErrorCode::LinkRevoked);
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
    assert!(checks_of(app, &f.doctor, id).await.items.is_empty());

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
    let checks = checks_of(app, &f.doctor, id).await;
    assert_eq!(checks.items[0].method.code(), "self_report");
    assert_eq!(checks.items[0].link_id, Some(link.id));
    assert_eq!(checks.items[0].recorded_by, None);
    let worklist = worklist(app, &f.doctor).await;
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
    assert_conflict(r, ErrorCode::SlotFilled);

    // Revoked: refused, nothing written.
    app.revoke_self_report_link(&f.staff, id)
        .await
        .expect("revoke");
    let mut fix = report("37.0", &[]);
    fix.correction_reason = "measured wrong".to_owned();
    let r = app
        .submit_self_report(&link.token, &fix, "10.0.0.1", morning)
        .await;
    assert_conflict(r, ErrorCode::LinkRevoked);
    assert_eq!(checks_of(app, &f.doctor, id).await.items.len(), 1);
    let r = app.revoke_self_report_link(&f.staff, id).await;
    assert_conflict(r, ErrorCode::NoLiveLink);
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
    assert_conflict(r, ErrorCode::OrderEnded);
    let r = app.create_self_report_link(&f.doctor, id).await;
    assert_conflict(r, ErrorCode::OrderClosed);
}

#[tokio::test]
async fn self_reports_are_rate_limited_per_link_and_per_client() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
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
