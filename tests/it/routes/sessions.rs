//! Signing in over the login page, the CSRF token of forms and API writes on a session, and
//! the API's bearer tokens with its errors as JSON.

use app::registry::ResidentQuery;
use app::{Actor, App};
use axum::http::{HeaderName, Method, StatusCode, header};
use serde_json::json;

use crate::http::{Client, assert_api_error, form_input};
use crate::support::{PASSWORD, TestDb, citizen_id, first_page, household, with_bad_check_char};

const CSRF_HEADER: HeaderName = HeaderName::from_static("x-csrf-token");

/// How many residents the registry holds, seen by the system actor.
async fn resident_count(app: &App) -> usize {
    app.residents(&Actor::system(), &ResidentQuery::default(), first_page(500))
        .await
        .expect("list residents")
        .items
        .len()
}

#[tokio::test]
async fn the_login_page_opens_a_session_only_with_its_token_and_the_right_password() {
    let (db, _) = TestDb::with_fixture().await;
    let router = server::router(db.app.clone());
    let mut browser = Client::new(router.clone());

    // The form carries the token of the cookie it sets, and the page to go to.
    let page = browser.get("/login?next=/residents").await;
    assert_eq!(page.status, StatusCode::OK);
    let line = page
        .set_cookie("gw_login_csrf")
        .expect("the login page sets gw_login_csrf");
    assert!(
        line.contains("HttpOnly") && line.contains("SameSite=Lax"),
        "{line}"
    );
    let token = browser.cookies["gw_login_csrf"].clone();
    assert_eq!(page.form_csrf("/login").as_deref(), Some(token.as_str()));
    assert_eq!(
        form_input(&page.text(), "/login", "next").as_deref(),
        Some("/residents")
    );

    // Without the form's token, or with another one, no session.
    let staff = [("username", "staff"), ("password", PASSWORD)];
    for csrf in [None, Some("forged-token")] {
        let mut form = vec![("next", "/residents")];
        form.extend_from_slice(&staff);
        if let Some(c) = csrf {
            form.push(("csrf", c));
        }
        let res = browser.post_form("/login", &form).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "csrf {csrf:?}");
        assert!(res.set_cookie("gw_session").is_none(), "no session");
        assert!(!browser.cookies.contains_key("gw_session"));
        assert!(res.text().contains("表单已过期"), "{}", res.text());
    }

    // With it and the right password: a session cookie, and on to `next`.
    let res = browser.login("staff", PASSWORD, "/residents").await;
    res.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(res.location(), Some("/residents"));
    let session = res.set_cookie("gw_session").expect("gw_session set");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(session.contains(attribute), "{attribute} in {session}");
    }
    assert!(!session.contains("Secure"), "not Secure unless configured");
    assert!(
        !browser.cookies.contains_key("gw_login_csrf"),
        "the login token is spent"
    );
    assert_eq!(browser.get("/residents").await.status, StatusCode::OK);
    // Signed in, the login page sends the user on.
    let again = browser.get("/login?next=/imports").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.location(), Some("/imports"));

    // Only a local path follows a login.
    for evil in ["//evil.example", "https://evil.example/", "/\\evil.example"] {
        let mut other = Client::new(router.clone());
        let res = other.login("official", PASSWORD, evil).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "next {evil}");
        assert_eq!(res.location(), Some("/"), "next {evil}");
    }

    // A wrong password: 401 and the message in the page's language.
    let mut english = Client::new(router.clone()).with_header(header::ACCEPT_LANGUAGE, "en");
    let res = english.login("doctor", "wrong-password", "/").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(
        res.text().contains("Wrong username or password."),
        "{}",
        res.text()
    );
    assert!(res.set_cookie("gw_session").is_none());
    let mut chinese = Client::new(router.clone());
    let res = chinese.login("doctor", "wrong-password", "/").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(res.text().contains("用户名或密码错误"), "{}", res.text());

    // After five failures even the right password is refused for a while.
    for _ in 0..3 {
        let res = chinese.login("doctor", "wrong-password", "/").await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    let res = chinese.login("doctor", PASSWORD, "/").await;
    res.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().contains("失败次数过多"), "{}", res.text());
    assert!(res.set_cookie("gw_session").is_none());
    assert!(!chinese.cookies.contains_key("gw_session"));
}

/// The new-resident form as a browser posts it, with or without its `csrf` field.
fn resident_form<'a>(number: &'a str, csrf: Option<&'a str>) -> Vec<(&'static str, &'a str)> {
    let mut pairs = vec![
        ("name", "张三"),
        ("document_kind", "citizen_id"),
        ("document_number", number),
        ("hukou", "registered"),
        ("tenure", "owner"),
        ("travel_status", "stayed_in_city"),
    ];
    if let Some(t) = csrf {
        pairs.push(("csrf", t));
    }
    pairs
}

#[tokio::test]
async fn forms_and_api_writes_without_the_session_token_are_refused_and_write_nothing() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let h1 = household(app, &f.staff, f.building1_id, "1", "101").await;
    let router = server::router(app.clone());
    let mut browser = Client::signed_in(router.clone(), "staff").await;
    let csrf = browser
        .session_csrf(
            &format!("/households/{h1}/residents/new"),
            &format!("/households/{h1}/residents"),
        )
        .await;
    // Another user's session token is no better than none.
    let mut other = Client::signed_in(router.clone(), "gridworker").await;
    let foreign = other.session_csrf("/residents", "/logout").await;
    assert_ne!(csrf, foreign);

    let number = citizen_id(7);
    let path = format!("/households/{h1}/residents");
    let before = resident_count(app).await;
    for token in [
        None,
        Some(""),
        Some("not-the-token"),
        Some(foreign.as_str()),
    ] {
        let res = browser
            .post_form(&path, &resident_form(&number, token))
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "csrf {token:?}");
        assert!(res.text().contains("表单已过期"), "{}", res.text());
        assert_eq!(resident_count(app).await, before, "nothing written");
    }
    // The same form with the session's token goes through.
    let res = browser
        .post_form(&path, &resident_form(&number, Some(&csrf)))
        .await;
    res.assert_status(StatusCode::SEE_OTHER);
    assert!(
        res.location()
            .is_some_and(|l| l.starts_with("/residents/") && l.ends_with("?saved=1")),
        "{:?}",
        res.location()
    );
    assert_eq!(resident_count(app).await, before + 1);

    // The API with the session cookie needs the token in a header on writes.
    let body = json!({
        "household_id": h1, "name": "李四", "document_number": citizen_id(8),
    });
    let before = resident_count(app).await;
    for sent in [None, Some("not-the-token"), Some(foreign.as_str())] {
        let extra: Vec<(HeaderName, &str)> = sent.map(|t| (CSRF_HEADER, t)).into_iter().collect();
        let res = browser
            .json_with(Method::POST, "/api/v1/residents", &body, &extra)
            .await;
        assert_api_error(&res, StatusCode::FORBIDDEN, "forbidden");
        assert_eq!(resident_count(app).await, before, "nothing written");
    }
    // Reads need no header; a write with the header goes through.
    let me = browser.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["username"], "staff");
    let res = browser
        .json_with(
            Method::POST,
            "/api/v1/residents",
            &body,
            &[(CSRF_HEADER, csrf.as_str())],
        )
        .await;
    res.assert_status(StatusCode::CREATED);
    assert_eq!(resident_count(app).await, before + 1);
}

#[tokio::test]
async fn the_api_authenticates_by_token_and_answers_errors_as_json() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let h1 = household(app, &f.staff, f.building1_id, "1", "101").await;
    let mut anon = Client::new(server::router(app.clone()));

    let res = anon
        .post_json(
            "/api/v1/tokens",
            &json!({ "username": "staff", "password": "wrong-password" }),
        )
        .await;
    assert_api_error(&res, StatusCode::UNAUTHORIZED, "unauthenticated");

    let staff_token = anon.token("staff").await;
    let mut staff = anon.bearer(&staff_token);
    let me = staff.get("/api/v1/me").await;
    me.assert_status(StatusCode::OK);
    let me = me.json();
    assert_eq!(me["username"], "staff");
    assert_eq!(me["role"], "community_staff");
    assert_eq!(me["level"], "community");
    assert_eq!(me["scope_id"], f.community_id);
    assert_eq!(me["account_id"], f.staff.account_id);

    // A wrong check character: 422 naming the field and the rule.
    let before = resident_count(app).await;
    let res = staff
        .post_json(
            "/api/v1/residents",
            &json!({
                "household_id": h1, "name": "李四",
                "document_number": with_bad_check_char(&citizen_id(8)),
            }),
        )
        .await;
    let body = assert_api_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let fields = body["error"]["fields"]
        .as_array()
        .expect("field errors listed");
    assert_eq!(fields[0]["field"], "document_number", "{body}");
    assert_eq!(fields[0]["code"], "citizen_id_check_digit", "{body}");
    assert!(
        fields[0]["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert_eq!(resident_count(app).await, before);

    // A bearer token needs no CSRF header; the created resident reads back masked.
    let number = citizen_id(9);
    let res = staff
        .post_json(
            "/api/v1/residents",
            &json!({ "household_id": h1, "name": "王五", "document_number": number }),
        )
        .await;
    res.assert_status(StatusCode::CREATED);
    let id = res.json()["id"].as_i64().expect("an id");
    let read = staff.get(&format!("/api/v1/residents/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(!read.text().contains(&number), "the number is masked");
    assert_eq!(read.json()["resident"]["name"], "王五");

    let res = staff.get("/api/v1/residents/987654321").await;
    assert_api_error(&res, StatusCode::NOT_FOUND, "not_found");

    let guard_token = anon.token("guard").await;
    let res = anon.bearer(&guard_token).get("/api/v1/residents").await;
    assert_api_error(&res, StatusCode::FORBIDDEN, "forbidden");

    let res = anon.get("/api/v1/residents").await;
    assert_api_error(&res, StatusCode::UNAUTHORIZED, "unauthenticated");
    let res = anon.bearer("not-a-token").get("/api/v1/residents").await;
    assert_api_error(&res, StatusCode::UNAUTHORIZED, "unauthenticated");
}
