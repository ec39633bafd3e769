//! Sign-in hardening: where a login may send the browser, limits that slow an attacker and not
//! the user, tokens that end, the last administrator, and the headers of every answer.

use app::AppError;
use app::ErrorCode;
use app::accounts::AccountInput;
use axum::http::{Method, StatusCode, header};
use serde_json::json;

use crate::http::{Client, form_input, percent};
use crate::support::{PASSWORD, TestDb, assert_chain_intact, assert_conflict, audit_action};

#[tokio::test]
async fn a_login_never_sends_the_browser_off_site_nor_fails_on_control_characters() {
    let (db, _) = TestDb::with_fixture().await;
    let router = server::router(db.app.clone());
    for next in [
        "/%09/evil.example/",
        "/\t/evil.example/",
        "/\r/evil.example/",
        "/\n/evil.example/",
        "/\u{b}/evil.example/",
        "/%0d%0aSet-Cookie:%20x=1",
        "//evil.example/",
        "/\\evil.example/",
        "/%5Cevil.example/",
        "https://evil.example/",
    ] {
        let mut browser = Client::new(router.clone());
        let page = browser.get(&format!("/login?next={}", percent(next))).await;
        assert_eq!(page.status, StatusCode::OK, "{next:?}");
        assert_eq!(
            form_input(&page.text(), "/login", "next").as_deref(),
            Some("/"),
            "the form of {next:?}"
        );
        // Posted directly, as the reporter did: signed in and sent home, never a 500.
        let res = browser.login("staff", PASSWORD, next).await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "{next:?}: {}",
            res.text()
        );
        assert_eq!(res.location(), Some("/"), "{next:?}");
    }
    let mut browser = Client::new(router.clone());
    let res = browser.login("staff", PASSWORD, "/residents?page=2").await;
    assert_eq!(res.location(), Some("/residents?page=2"));
}

#[tokio::test]
async fn failures_from_one_client_do_not_lock_the_user_out_elsewhere_and_refusals_are_audited_once()
{
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    for _ in 0..5 {
        assert!(matches!(
            app.login("staff", "wrong password", "203.0.113.9").await,
            Err(AppError::Unauthenticated)
        ));
    }
    // The attacker's client waits, however many times it tries, even with the right password.
    for _ in 0..50 {
        let r = app.login("staff", PASSWORD, "203.0.113.9").await;
        assert!(
            matches!(r, Err(AppError::RateLimited { retry_after_secs }) if (1..=30).contains(&retry_after_secs)),
            "{r:?}"
        );
    }
    // The real user, from their own client, signs in.
    let session = app
        .login("staff", PASSWORD, "198.51.100.4")
        .await
        .expect("the right password from another client");
    assert_eq!(session.actor, f.staff);

    // 50 refusals, one audit entry; the count reaches the trail with the next attempt.
    let limited = app
        .audit_trail(&f.auditor, &audit_action("login_rate_limited"), 100)
        .await
        .expect("trail");
    assert_eq!(limited.len(), 1, "audited once per wait");
    let after = limited[0].after.as_deref().unwrap_or_default();
    assert!(after.contains("203.0.113.9"), "{after}");
    assert_eq!(
        app.audit_trail(&f.auditor, &audit_action("login_failed"), 100)
            .await
            .expect("trail")
            .len(),
        5
    );
    assert_chain_intact(app, &f.auditor).await;
}

#[tokio::test]
async fn delays_grow_with_each_failure_after_the_free_ones() {
    let (t, _) = TestDb::with_fixture().await;
    let mut app = t.app.clone();
    app.settings.login_failures_per_user = 2;
    let wait = |r: Result<app::auth::NewSession, AppError>| match r {
        Err(AppError::RateLimited { retry_after_secs }) => retry_after_secs,
        other => panic!("expected a wait: {other:?}"),
    };
    for _ in 0..2 {
        assert!(app.login("doctor", "nope", "c1").await.is_err());
    }
    let first = wait(app.login("doctor", PASSWORD, "c1").await);
    assert!((25..=30).contains(&first), "{first}");
}

#[tokio::test]
async fn the_wait_is_named_in_minutes_in_both_languages_on_the_page_and_the_api() {
    let (db, _) = TestDb::with_fixture().await;
    let router = server::router(db.app.clone());
    for (lang, words) in [("en", "Try again in 1 minutes."), ("zh", "请 1 分钟后再试")] {
        let mut browser = Client::new(router.clone()).with_header(header::ACCEPT_LANGUAGE, lang);
        for _ in 0..5 {
            browser.login("volunteer", "wrong", "/").await;
        }
        let res = browser.login("volunteer", PASSWORD, "/").await;
        assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(res.text().contains(words), "{lang}: {}", res.text());
    }
    let mut api = Client::new(router.clone());
    let res = api
        .post_json(
            "/api/v1/tokens",
            &json!({ "username": "volunteer", "password": PASSWORD }),
        )
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    let message = res.json()["error"]["message"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    assert!(message.contains("Try again in 1 minutes."), "{message}");
    assert!(res.header(header::RETRY_AFTER).is_some());
}

#[tokio::test]
async fn the_client_is_read_from_the_trusted_proxy_header_when_one_is_configured() {
    let (db, _) = TestDb::with_fixture().await;
    let router = server::router_with(
        db.app.clone(),
        server::Options {
            client_ip_header: Some(header::HeaderName::from_static("x-forwarded-for")),
            ..Default::default()
        },
    );
    let mut attacker = Client::new(router.clone()).with_header(
        header::HeaderName::from_static("x-forwarded-for"),
        "203.0.113.9",
    );
    for _ in 0..5 {
        attacker.login("staff", "wrong", "/").await;
    }
    assert_eq!(
        attacker.login("staff", PASSWORD, "/").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let mut user = Client::new(router.clone()).with_header(
        header::HeaderName::from_static("x-forwarded-for"),
        "198.51.100.4",
    );
    assert_eq!(
        user.login("staff", PASSWORD, "/").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn tokens_expire_are_listed_with_last_use_and_are_revoked_one_or_all() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    // A token of a zero-day life is dead on arrival.
    let mut short = app.clone();
    short.settings.api_token_days = 0;
    let dead = short
        .issue_api_token(&f.staff, "short")
        .await
        .expect("issue");
    assert_eq!(app.bearer(&dead).await.expect("lookup"), None);

    let router = server::router(app.clone());
    let mut anon = Client::new(router.clone());
    let one = anon.token("staff").await;
    let two = anon.token("staff").await;
    let mut api = anon.bearer(&one);
    let list = api.get("/api/v1/me/tokens").await;
    list.assert_status(StatusCode::OK);
    let tokens = list.json();
    let tokens = tokens.as_array().expect("a list").clone();
    assert_eq!(tokens.len(), 2, "the expired one is not listed: {tokens:?}");
    let day = 86_400_000_i64;
    for t in &tokens {
        let life =
            t["expires_at"].as_i64().expect("expiry") - t["created_at"].as_i64().expect("made");
        assert!((29 * day..=30 * day + 1000).contains(&life), "{t}");
    }
    assert!(
        tokens.iter().any(|t| t["last_used_at"].as_i64().is_some()),
        "the token in use shows its use: {tokens:?}"
    );
    let id_two = tokens
        .iter()
        .map(|t| t["id"].as_i64().expect("id"))
        .max()
        .expect("two");
    // Another account cannot revoke it.
    let mut other = anon.bearer(&anon.clone().token("doctor").await);
    assert_eq!(
        other
            .delete(&format!("/api/v1/me/tokens/{id_two}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let res = api.delete(&format!("/api/v1/me/tokens/{id_two}")).await;
    res.assert_status(StatusCode::NO_CONTENT);
    assert_eq!(
        anon.bearer(&two).get("/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(api.get("/api/v1/me").await.status, StatusCode::OK);
    let all = api.delete("/api/v1/me/tokens").await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.json()["revoked"], 1);
    assert_eq!(api.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);

    // The page lists them and revokes with its forms.
    let _three = anon.token("staff").await;
    let mut browser = Client::signed_in(router.clone(), "staff").await;
    let page = browser.get("/account/tokens").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text().matches("data-testid=\"token-row\"").count(), 1);
    let csrf = page
        .form_csrf("/account/tokens/revoke-all")
        .expect("a form");
    let res = browser
        .post_form("/account/tokens/revoke-all", &[("csrf", &csrf)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        browser
            .get("/account/tokens")
            .await
            .text()
            .contains("no-tokens")
    );
}

fn same(a: &store::accounts::Account, password: &str, active: bool) -> AccountInput {
    AccountInput {
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        password: password.to_owned(),
        role: a.role.code().to_owned(),
        level: a.level.code().to_owned(),
        scope_id: a.scope_id,
        active,
        phone: None,
    }
}

#[tokio::test]
async fn a_password_reset_or_disabling_ends_every_session_and_token() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let account = app
        .account(&f.admin, f.doctor.account_id)
        .await
        .expect("read");

    let session = app.login("doctor", PASSWORD, "c").await.expect("sign in");
    let token = app.issue_api_token(&f.doctor, "t").await.expect("token");
    app.update_account(
        &f.admin,
        account.id,
        &same(&account, "a-new-long-password", true),
    )
    .await
    .expect("reset");
    assert_eq!(app.session(&session.token).await.expect("lookup"), None);
    assert_eq!(app.bearer(&token).await.expect("lookup"), None);

    // The command line resets through the same use case, as the system.
    let session = app
        .login("doctor", "a-new-long-password", "c")
        .await
        .expect("sign in");
    let token = app.issue_api_token(&f.doctor, "t").await.expect("token");
    app.update_account(
        &app::Actor::system(),
        account.id,
        &same(&account, "another-password", true),
    )
    .await
    .expect("cli reset");
    assert_eq!(app.session(&session.token).await.expect("lookup"), None);
    assert_eq!(app.bearer(&token).await.expect("lookup"), None);

    let token = app.issue_api_token(&f.doctor, "t").await.expect("token");
    app.update_account(&f.admin, account.id, &same(&account, "", false))
        .await
        .expect("disable");
    app.update_account(&f.admin, account.id, &same(&account, "", true))
        .await
        .expect("enable again");
    assert_eq!(
        app.bearer(&token).await.expect("lookup"),
        None,
        "a token of a disabled account does not come back with it"
    );
}

#[tokio::test]
async fn a_token_in_use_is_refused_at_once_when_revoked_and_follows_its_account() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    // In use: the server keeps its actor for a few seconds.
    let token = app.issue_api_token(&f.doctor, "gate").await.expect("token");
    assert!(app.bearer(&token).await.expect("lookup").is_some());
    let id = app.api_tokens(&f.doctor).await.expect("list")[0].id;
    app.revoke_api_token(&f.doctor, id).await.expect("revoke");
    assert_eq!(app.bearer(&token).await.expect("lookup"), None);

    let token = app.issue_api_token(&f.doctor, "gate").await.expect("token");
    assert!(app.bearer(&token).await.expect("lookup").is_some());
    app.revoke_api_tokens(&f.doctor).await.expect("revoke all");
    assert_eq!(app.bearer(&token).await.expect("lookup"), None);

    // A change of the account is seen by the next request.
    let token = app.issue_api_token(&f.doctor, "gate").await.expect("token");
    assert!(app.bearer(&token).await.expect("lookup").is_some());
    let account = app
        .account(&f.admin, f.doctor.account_id)
        .await
        .expect("read");
    let mut renamed = same(&account, "", true);
    renamed.display_name = "Dr. Renamed".to_owned();
    app.update_account(&f.admin, account.id, &renamed)
        .await
        .expect("renamed");
    let actor = app.bearer(&token).await.expect("lookup").expect("live");
    assert_eq!(actor.display_name, "Dr. Renamed");
}

#[tokio::test]
async fn the_last_active_administrator_cannot_be_disabled_or_demoted() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let admins: Vec<_> = app
        .list_accounts(&f.admin)
        .await
        .expect("list")
        .into_iter()
        .filter(|a| a.role.code() == "admin" && a.active)
        .collect();
    assert_eq!(admins.len(), 1, "the fixture has one administrator");
    let me = admins[0].clone();
    let r = app
        .update_account(&f.admin, me.id, &same(&me, "", false))
        .await;
    assert_conflict(r, ErrorCode::LastAdmin);
    let mut demoted = same(&me, "", true);
    demoted.role = "official".to_owned();
    let r = app.update_account(&f.admin, me.id, &demoted).await;
    assert_conflict(r, ErrorCode::LastAdmin);

    // Through the API: 409 with the stable code.
    let router = server::router(app.clone());
    let mut anon = Client::new(router.clone());
    let mut api = anon.bearer_for(&me.username).await;
    let body = json!({
        "username": me.username, "display_name": me.display_name, "password": "",
        "role": "admin", "level": me.level, "scope_id": me.scope_id, "active": false,
    });
    let res = api
        .json(Method::PUT, &format!("/api/v1/accounts/{}", me.id), &body)
        .await;
    res.assert_status(StatusCode::CONFLICT);
    assert_eq!(res.json()["error"]["code"], "last_admin");

    // With a second active administrator, the first may step down.
    let mut second = same(&me, "a-long-password", true);
    second.username = "admin2".to_owned();
    app.create_account(&f.admin, &second)
        .await
        .expect("second admin");
    app.update_account(&f.admin, me.id, &same(&me, "", false))
        .await
        .expect("no longer the last");
}

#[tokio::test]
async fn pages_and_api_answers_carry_the_security_headers_and_are_not_stored() {
    let (db, _) = TestDb::with_fixture().await;
    let router = server::router(db.app.clone());
    let mut browser = Client::signed_in(router.clone(), "staff").await;
    let token = browser.clone().token("staff").await;
    let page = browser.get("/residents").await;
    let api = Client::new(router.clone())
        .bearer(&token)
        .get("/api/v1/residents")
        .await;
    let login = Client::new(router.clone()).get("/login").await;
    for (what, res) in [("page", &page), ("api", &api), ("login", &login)] {
        assert_eq!(res.status, StatusCode::OK, "{what}");
        let csp = res.header(header::CONTENT_SECURITY_POLICY).unwrap_or("");
        assert!(csp.contains("default-src 'self'"), "{what}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
        assert!(!csp.contains("script-src 'unsafe-inline'"), "{what}: {csp}");
        assert_eq!(res.header(header::X_FRAME_OPTIONS), Some("DENY"), "{what}");
        assert_eq!(
            res.header(header::X_CONTENT_TYPE_OPTIONS),
            Some("nosniff"),
            "{what}"
        );
        assert_eq!(
            res.header(header::CACHE_CONTROL),
            Some("no-store"),
            "{what}"
        );
    }
    // No inline script or handler in a page.
    for text in [page.text(), login.text()] {
        assert!(!text.contains("<script>"), "inline script");
        assert!(!text.contains("onclick="), "inline handler");
    }
    let asset = Client::new(router.clone()).get("/assets/app.js").await;
    assert_ne!(asset.header(header::CACHE_CONTROL), Some("no-store"));

    // Secure cookies when configured.
    let secure = server::router_with(
        db.app.clone(),
        server::Options {
            secure_cookies: true,
            ..Default::default()
        },
    );
    let res = Client::new(secure).login("staff", PASSWORD, "/").await;
    let cookie = res.set_cookie("gw_session").expect("a session");
    assert!(cookie.contains("Secure"), "{cookie}");
}

/// Counted failures whose wait ended more than a day ago are forgotten by the daily job,
/// audited once; recent ones are kept.
#[tokio::test]
async fn old_sign_in_failures_are_forgotten_by_the_daily_job() {
    use store::accounts::throttle::{self, Scope, Throttle};
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    assert!(app.login("doctor", "nope", "recent").await.is_err());
    let long_ago = store::now_ms() - 3 * 24 * 60 * 60 * 1000;
    let old = Throttle {
        failures: 4,
        last_failure_at: long_ago,
        blocked_until: long_ago + 60_000,
        refused: 0,
    };
    let mut tx = app.db.write().await.expect("tx");
    throttle::set_failures(tx.conn(), Scope::User, "ghost", "old", &old)
        .await
        .expect("stored");
    tx.commit().await.expect("commit");
    let runs = app.run_due_jobs(jiff::Timestamp::now()).await.expect("ran");
    let forgot: Vec<_> = runs
        .iter()
        .filter(|r| r.job == "forget_login_failures")
        .map(|r| r.outcome.as_str())
        .collect();
    assert!(forgot.contains(&"forgot 1"), "{runs:?}");
    let mut conn = app.db.conn().await.expect("conn");
    let ghost = throttle::throttle(&mut conn, Scope::User, "ghost", "old")
        .await
        .expect("read");
    assert!(ghost.is_none(), "forgotten");
    let recent = throttle::throttle(&mut conn, Scope::User, "doctor", "recent")
        .await
        .expect("read");
    assert_eq!(recent.map(|r| r.failures), Some(1), "kept");
    drop(conn);
    let audited = app
        .audit_trail(&f.auditor, &audit_action("login_failures_forgotten"), 100)
        .await
        .expect("trail");
    assert_eq!(audited.len(), 1);
}

/// A NUL typed into a sign-in form is a refused sign-in, not a server error (PostgreSQL cannot
/// store it in text, and the failure is counted by username).
#[tokio::test]
async fn a_nul_in_a_sign_in_is_refused_not_a_server_error() {
    let (t, _) = TestDb::with_fixture().await;
    let mut browser = Client::new(server::router(t.app.clone()));
    let res = browser
        .post_form(
            "/login",
            &[("username", "sta\u{0}ff"), ("password", "x"), ("next", "/")],
        )
        .await;
    assert!(
        res.status.is_client_error(),
        "{} {}",
        res.status,
        res.text()
    );
    let res = browser
        .send(
            Method::POST,
            "/api/v1/tokens",
            &[(header::CONTENT_TYPE, "application/json")],
            axum::body::Body::from(r#"{"username":"sta\u0000ff","password":"x"}"#),
        )
        .await;
    res.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
}
