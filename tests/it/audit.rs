//! The audit trail is a hash chain that shows any edit or deletion; logins are audited and
//! limited.

use app::AppError;
use sqlx::Executor;
use store::audit::AuditFilter;

use crate::support::{
    PASSWORD, TestDb, assert_chain_intact, assert_forbidden, audit_action, citizen_id, household,
    raw_resident, zhang_san,
};

#[tokio::test]
async fn an_altered_entry_breaks_the_chain_at_its_sequence_number() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (_, r) = zhang_san(app, &f).await;
    app.delete_resident(&f.staff, r, "moved away")
        .await
        .expect("delete");

    let newest = app
        .audit_trail(&f.auditor, &AuditFilter::default(), 1)
        .await
        .expect("trail");
    let head = newest[0].seq;
    assert_eq!(newest[0].action, "resident_delete");
    assert_eq!(newest[0].reason.as_deref(), Some("moved away"));
    let intact = app.verify_audit(&f.auditor).await.expect("verify");
    assert_eq!(intact.broken_at, None);
    assert_eq!(intact.entries, head);
    assert!(head > 20, "the fixture and the changes are all recorded");
    // Each entry links to the one before it.
    let all = app
        .audit_trail(&f.admin, &AuditFilter::default(), 1000)
        .await
        .expect("trail");
    assert_eq!(all.len() as i64, head);
    for pair in all.windows(2) {
        assert_eq!(pair[0].seq, pair[1].seq + 1);
        assert_eq!(pair[0].prev_hash, pair[1].hash);
    }
    assert_forbidden(app.verify_audit(&f.staff).await);
    assert_forbidden(
        app.audit_trail(&f.official, &AuditFilter::default(), 10)
            .await,
    );

    let mut conn = app.db.conn().await.expect("raw connection");
    let changed = conn
        .execute("UPDATE audit_log SET after_state = '{}' WHERE seq = 2")
        .await
        .expect("tamper");
    assert_eq!(changed.rows_affected(), 1);
    drop(conn);
    let broken = app.verify_audit(&f.auditor).await.expect("verify");
    let (seq, why) = broken.broken_at.expect("the edit is detected");
    assert_eq!(seq, 2);
    assert_eq!(why, "entry altered");
    assert_eq!(broken.entries, 1, "entries verified before the break");
}

#[tokio::test]
async fn deleted_entries_are_detected_at_the_end_and_in_the_middle() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let newest = app
        .audit_trail(&f.auditor, &AuditFilter::default(), 1)
        .await
        .expect("trail");
    let last = newest[0].seq;
    assert_chain_intact(app, &f.auditor).await;

    let mut conn = app.db.conn().await.expect("raw connection");
    let deleted = sqlx::query("DELETE FROM audit_log WHERE seq = $1")
        .bind(last)
        .execute(&mut *conn)
        .await
        .expect("delete the last entry");
    assert_eq!(deleted.rows_affected(), 1);
    let broken = app.verify_audit(&f.auditor).await.expect("verify");
    assert_eq!(
        broken.broken_at.as_ref().map(|(seq, _)| *seq),
        Some(last),
        "{broken:?}"
    );
    assert_eq!(broken.entries, last - 1);

    sqlx::query("DELETE FROM audit_log WHERE seq = 3")
        .execute(&mut *conn)
        .await
        .expect("delete an entry in the middle");
    drop(conn);
    let broken = app.verify_audit(&f.auditor).await.expect("verify");
    assert_eq!(
        broken.broken_at,
        Some((3, "entry missing".to_owned())),
        "{broken:?}"
    );
}

#[tokio::test]
async fn failed_logins_are_audited_and_the_sixth_attempt_is_refused() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    for attempt in 1..=5 {
        let r = app.login("staff", "wrong password", "10.0.0.1").await;
        assert!(
            matches!(r, Err(AppError::Unauthenticated)),
            "attempt {attempt}: {r:?}"
        );
    }
    let failures = app
        .audit_trail(&f.auditor, &audit_action("login_failed"), 100)
        .await
        .expect("trail");
    assert_eq!(failures.len(), 5);
    for e in &failures {
        assert_eq!(e.account_name, "staff");
        assert_eq!(e.account_id, Some(f.staff.account_id));
        assert_eq!(e.role, "community_staff");
        assert_eq!(e.object_type, "account");
        let after = e.after.as_deref().unwrap_or_default();
        assert!(after.contains("10.0.0.1"), "{after}");
        assert!(!after.contains("wrong password"), "password in the trail");
    }

    // Even the right password is refused now from that client, for a while.
    let limited = app.login("staff", PASSWORD, "10.0.0.1").await;
    assert!(
        matches!(limited, Err(AppError::RateLimited { retry_after_secs }) if retry_after_secs > 0),
        "{limited:?}"
    );
    assert!(matches!(
        app.login(" staff ", PASSWORD, "10.0.0.1").await,
        Err(AppError::RateLimited { .. })
    ));
    // Other accounts from the same client are not locked out by one user's failures.
    let doctor = app
        .login("doctor", PASSWORD, "10.0.0.1")
        .await
        .expect("another account signs in");
    assert_eq!(doctor.actor, f.doctor);
    assert_eq!(
        app.audit_trail(&f.auditor, &audit_action("login"), 100)
            .await
            .expect("trail")
            .len(),
        1
    );

    // An unknown username fails the same way, and is audited without an account.
    assert!(matches!(
        app.login("nobody", "whatever", "10.0.0.9").await,
        Err(AppError::Unauthenticated)
    ));
    let failures = app
        .audit_trail(&f.auditor, &audit_action("login_failed"), 100)
        .await
        .expect("trail");
    assert_eq!(failures.len(), 6);
    assert_eq!(failures[0].account_name, "nobody");
    assert_eq!(failures[0].account_id, None);
    assert_chain_intact(app, &f.auditor).await;
}

#[tokio::test]
async fn the_audit_page_names_fields_in_the_readers_language_and_verifies_on_request() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;
    app.create_resident(&f.staff, h, &raw_resident("张三", &citizen_id(1), ""))
        .await
        .expect("resident");
    let router = server::router(app.clone());
    let mut auditor = crate::http::Client::new(router);
    auditor.sign_in("auditor").await;

    let page = auditor.get("/audit?action=resident_create").await.text();
    assert!(page.contains("姓名 = 张三"), "field names in Chinese");
    assert!(!page.contains("\"name\""), "no stored JSON keys");
    // The resident by masked name and household, not by number.
    assert!(page.contains("居民 张* · "), "{page}");
    assert!(!page.contains("居民 #"), "{page}");
    assert!(
        !page.contains("data-testid=\"chain-status\""),
        "the list does not wait for the chain"
    );
    let chain = auditor.get("/audit/chain").await.text();
    assert!(chain.contains("哈希链完整"), "{chain}");

    let mut conn = app.db.conn().await.expect("raw connection");
    conn.execute("UPDATE audit_log SET after_state = '{}' WHERE seq = 2")
        .await
        .expect("tamper");
    drop(conn);
    let chain = auditor.get("/audit/chain").await.text();
    assert!(chain.contains("class=\"alert\""), "{chain}");
    assert!(chain.contains('2'), "names the entry: {chain}");

    let mut staff = crate::http::Client::new(server::router(app.clone()));
    staff.sign_in("staff").await;
    let res = staff.get("/audit/chain").await;
    assert_eq!(res.status, axum::http::StatusCode::FORBIDDEN);
}
