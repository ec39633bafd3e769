//! Checkpoint passes: the signing keys a gate verifies with, published and rotated.

use axum::http::{Method, StatusCode, header};

use crate::http::Client;
use crate::support::{TestDb, assert_chain_intact};

fn claims(now: i64) -> passes::PassClaims {
    passes::PassClaims {
        issuer: "610825".to_owned(),
        issued_at: now,
        expires_at: now + 86_400,
        pass_id: 1,
        kind: passes::PassKind::Household,
        household_id: 7,
        gates: Vec::new(),
        quota: passes::Quota { exits: 1, days: 2 },
        colour: "#1e7b34".to_owned(),
    }
}

#[tokio::test]
async fn the_published_keys_verify_passes_signed_before_and_after_a_rotation() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let now = 1_600_000_000;
    let before =
        passes::issue(&claims(now), &app.pass_signing_key().await.expect("key")).expect("issued");

    let mut anon = Client::new(server::router(app.clone()));
    let published = |res: &crate::http::Res| {
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert_eq!(
            res.header(header::CONTENT_TYPE),
            Some("application/cose-key-set")
        );
        passes::KeySet::from_cose(&res.body).expect("a COSE_KeySet")
    };
    let keys = published(&anon.get("/api/v1/passes/keys").await);
    assert_eq!(keys.keys().len(), 1);
    assert!(passes::verify(&before, &keys, now).is_ok());

    // Only an administrator rotates; the old key stays published.
    let token = anon.token("staff").await;
    let res = anon
        .bearer(&token)
        .send(
            Method::POST,
            "/api/v1/passes/keys/rotate",
            &[],
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
    let version = app.rotate_pass_key(&f.admin).await.expect("rotated");
    assert_eq!(version, 2);
    let after =
        passes::issue(&claims(now), &app.pass_signing_key().await.expect("key")).expect("issued");
    let keys = published(&anon.get("/api/v1/passes/keys").await);
    assert_eq!(keys.keys().len(), 2);
    assert!(passes::verify(&before, &keys, now).is_ok());
    assert!(passes::verify(&after, &keys, now).is_ok());
    assert_ne!(before, after, "signed with another key");
    assert_chain_intact(app, &f.auditor).await;
}
