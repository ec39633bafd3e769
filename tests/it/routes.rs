//! The real router in-process: signing in, CSRF, the JSON API and its errors, the OpenAPI
//! document, the upload limit, and every page for the roles that use it.

use std::path::PathBuf;

use app::registry::ResidentQuery;
use app::{Actor, App};
use axum::http::{HeaderName, Method, StatusCode, header};
use domain::page::PageRequest;
use serde_json::{Value, json};
use server::Options;

use crate::http::{Client, assert_api_error, form_input, full_citizen_id};
use crate::support::{PASSWORD, TestDb, citizen_id, household, raw_resident, with_bad_check_char};

const CSRF_HEADER: HeaderName = HeaderName::from_static("x-csrf-token");

/// How many residents the registry holds, seen by the system actor.
async fn resident_count(app: &App) -> usize {
    app.residents(
        &Actor::system(),
        &ResidentQuery::default(),
        PageRequest::new(None, Some(500)),
    )
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
    let mut browser = Client::new(router.clone());
    browser.sign_in("staff").await;
    let csrf = browser
        .session_csrf(
            &format!("/households/{h1}/residents/new"),
            &format!("/households/{h1}/residents"),
        )
        .await;
    // Another user's session token is no better than none.
    let mut other = Client::new(router.clone());
    other.sign_in("gridworker").await;
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

/// Every route the API router serves, relative to `/api/v1`, with its methods.
const API_ROUTES: &[(&str, &[&str])] = &[
    ("/tokens", &["post"]),
    ("/me", &["get"]),
    ("/me/tokens", &["delete", "get"]),
    ("/me/tokens/{id}", &["delete"]),
    ("/communities", &["get", "post"]),
    ("/communities/{id}/grids", &["get", "post"]),
    ("/communities/{id}", &["patch"]),
    ("/communities/{id}/summary", &["get"]),
    ("/grids/{id}", &["patch"]),
    ("/buildings/{id}", &["patch"]),
    ("/units/{id}", &["patch"]),
    ("/grids/{id}/buildings", &["get", "post"]),
    ("/buildings/{id}/units", &["get"]),
    ("/households", &["get", "post"]),
    ("/households/{id}", &["get", "patch"]),
    ("/residents", &["get", "post"]),
    ("/residents/export", &["get"]),
    ("/residents/{id}", &["delete", "get", "put"]),
    ("/residents/{id}/unmask", &["post"]),
    ("/imports", &["post"]),
    ("/imports/structure", &["post"]),
    ("/passes/keys", &["get"]),
    ("/passes/keys/rotate", &["post"]),
    ("/imports/{id}", &["get"]),
    ("/imports/{id}/rejects", &["get"]),
    ("/audit", &["get"]),
    ("/audit/verify", &["get"]),
    ("/accounts", &["get", "post"]),
    ("/accounts/{id}", &["put"]),
    ("/quarantine-orders", &["get", "post"]),
    ("/quarantine-orders/{id}", &["get", "patch"]),
    ("/quarantine-orders/{id}/duration", &["post"]),
    ("/quarantine-orders/{id}/transition", &["post"]),
    ("/quarantine-orders/{id}/checks", &["get", "post"]),
    (
        "/quarantine-orders/{id}/self-report-link",
        &["delete", "post"],
    ),
    ("/alerts", &["get"]),
    ("/assignees", &["get"]),
    ("/alerts/{id}/acknowledge", &["post"]),
    ("/alerts/{id}/resolve", &["post"]),
    ("/worklist", &["get"]),
    ("/self-reports/{token}", &["post"]),
    ("/delivery-tasks", &["get"]),
    ("/delivery-tasks/generate", &["post"]),
    ("/delivery-tasks/{id}", &["get"]),
    ("/delivery-tasks/{id}/ask", &["post"]),
    ("/delivery-tasks/{id}/deliver", &["post"]),
    ("/delivery-tasks/{id}/confirm", &["post"]),
    ("/delivery-tasks/{id}/cancel", &["post"]),
    ("/delivery-tasks/{id}/assign", &["post"]),
    ("/rubbish-rounds", &["get"]),
    ("/rubbish-rounds/open", &["post"]),
    ("/rubbish-rounds/{id}", &["get"]),
    ("/rubbish-rounds/{id}/stops/{stop_id}", &["post"]),
    ("/rubbish-rounds/{id}/done", &["post"]),
    ("/rubbish-rounds/{id}/assign", &["post"]),
    ("/task-volunteers", &["get"]),
    ("/screening-campaigns", &["get", "post"]),
    ("/screening-campaigns/{id}", &["get"]),
    ("/screening-campaigns/{id}/state", &["post"]),
    ("/screening-campaigns/{id}/teams", &["post"]),
    ("/screening-teams/{id}/members", &["put"]),
    ("/screening-campaigns/{id}/assign", &["post"]),
    ("/screening-campaigns/{id}/households", &["get"]),
    (
        "/screening-campaigns/{id}/households/{household_id}",
        &["get"],
    ),
    (
        "/screening-campaigns/{id}/households/{household_id}/phone",
        &["post"],
    ),
    ("/screening-attempts", &["post"]),
    ("/screening-campaigns/{id}/progress", &["get"]),
    ("/screening-campaigns/{id}/export", &["get"]),
];

/// The first place two JSON documents differ, as a JSON pointer with both values.
fn first_difference(path: &str, a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                let sub = format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"));
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => first_difference(&sub, p, q),
                    (p, q) => Some(format!("{sub}: stored {}, served {}", show(q), show(p))),
                }
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(&format!("{path}/{i}"), p, q)),
        _ if a == b => None,
        _ => Some(format!(
            "{path}: stored {}, served {}",
            show(Some(b)),
            show(Some(a))
        )),
    }
}

/// A JSON value for a message: compact, cut at 200 characters, or "nothing" when absent.
fn show(v: Option<&Value>) -> String {
    match v {
        None => "nothing".to_owned(),
        Some(v) => {
            let text = v.to_string();
            if text.chars().count() > 200 {
                format!("{}…", text.chars().take(200).collect::<String>())
            } else {
                text
            }
        }
    }
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_and_matches_its_snapshot() {
    let db = TestDb::new().await;
    let mut anon = Client::new(server::router(db.app.clone()));
    let res = anon.get("/api/v1/openapi.json").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.header(header::CONTENT_TYPE)
            .is_some_and(|c| c.starts_with("application/json")),
        "{:?}",
        res.header(header::CONTENT_TYPE)
    );
    let doc = res.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    let documented: Vec<(String, Vec<String>)> = paths
        .iter()
        .map(|(path, item)| {
            let mut methods: Vec<String> = item
                .as_object()
                .map(|o| o.keys().filter(|k| *k != "parameters").cloned().collect())
                .unwrap_or_default();
            methods.sort();
            (path.clone(), methods)
        })
        .collect();
    let mut served: Vec<(String, Vec<String>)> = API_ROUTES
        .iter()
        .map(|(p, m)| ((*p).to_owned(), m.iter().map(|m| (*m).to_owned()).collect()))
        .collect();
    served.sort();
    assert_eq!(
        documented, served,
        "the documented routes (left) and the routes the API serves (right)"
    );
    // Each listed route is really served: without credentials it answers 401 (the token route
    // refuses the empty body), never the router's 404 or 405.
    for &(path, methods) in API_ROUTES {
        let uri = format!("/api/v1{}", path.replace("{id}", "1"));
        for method in methods {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
            let res = anon.json(method.clone(), &uri, &json!({})).await;
            assert!(
                ![StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&res.status),
                "{method} {uri} is not served: {}",
                res.status
            );
            // A self-report's credential is its link; an unknown one is not found. The pass
            // keys are public: any gate or outside verifier reads them.
            if path != "/tokens" && path != "/passes/keys" && !path.starts_with("/self-reports/") {
                assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{method} {uri}");
            }
        }
    }
    // The document the tooling writes is the one served.
    let tooling: Value =
        serde_json::from_str(&server::api::openapi_json()).expect("openapi_json is JSON");
    assert_eq!(tooling, doc, "openapi_json() and the served document");

    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots/openapi.json");
    let mut text = serde_json::to_string_pretty(&doc).expect("serialise");
    text.push('\n');
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(file.parent().expect("a parent directory"))
            .expect("create the snapshot directory");
        std::fs::write(&file, text).expect("write the snapshot");
        return;
    }
    let stored = std::fs::read_to_string(&file).unwrap_or_else(|e| {
        panic!(
            "no OpenAPI snapshot at {} ({e}); run with UPDATE_SNAPSHOTS=1 to write it",
            file.display()
        )
    });
    let stored: Value = serde_json::from_str(&stored).expect("the snapshot is JSON");
    if let Some(diff) = first_difference("", &doc, &stored) {
        panic!(
            "the OpenAPI document differs from {} at {diff}\nIf the API change is intended, \
             run `UPDATE_SNAPSHOTS=1 cargo test --test it openapi` and commit the file.",
            file.display()
        );
    }
}

#[tokio::test]
async fn uploads_over_the_limit_are_refused_naming_the_limit() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let router = server::router_with(
        app.clone(),
        Options {
            max_upload_bytes: 1024 * 1024,
            ..Default::default()
        },
    );
    let big = vec![b'a'; 2 * 1024 * 1024];
    let mut anon = Client::new(router.clone());
    let token = anon.token("staff").await;
    let mut api = anon
        .bearer(&token)
        .with_header(header::ACCEPT_LANGUAGE, "en");
    let path = format!(
        "/api/v1/imports?community_id={}&file_name=x.csv",
        f.community_id
    );
    let res = api.post_file(&path, big.clone()).await;
    let body = assert_api_error(&res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("1 MB"), "{message}");

    // Under the limit the same route imports.
    let small = format!(
        "姓名,身份证号,楼栋,单元,房号\r\n王五,{},1号楼,1,101\r\n",
        citizen_id(11)
    );
    let res = api.post_file(&path, small).await;
    res.assert_status(StatusCode::CREATED);
    assert_eq!(res.json()["inserted"], 1, "{}", res.text());

    // The upload page states the limit and refuses a larger file naming it.
    let mut browser = Client::new(router);
    browser.sign_in("staff").await;
    let page = browser.get("/imports").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("1 MB"), "the page states the limit");
    let csrf = page.form_csrf("/imports").expect("csrf field");
    let community = f.community_id.to_string();
    let res = browser
        .post_multipart(
            "/imports",
            &[("csrf", &csrf), ("community_id", &community)],
            ("file", "big.csv", big),
        )
        .await;
    res.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text().contains("1 MB"), "{}", res.text());
    let imports = app
        .imports(&f.staff, f.community_id)
        .await
        .expect("imports");
    assert_eq!(imports.len(), 1, "only the small import was recorded");
}

#[tokio::test]
async fn every_page_renders_for_its_role_without_full_id_numbers() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let h1 = household(app, &f.staff, f.building1_id, "1", "101").await;
    let number = citizen_id(21);
    let phone = "13912345678";
    let r1 = app
        .create_resident(&f.staff, h1, &raw_resident("赵六", &number, phone))
        .await
        .expect("create resident");
    let router = server::router(app.clone());

    let pages = [
        format!("/communities/{}", f.community_id),
        format!("/grids/{}", f.grid1_id),
        format!("/buildings/{}", f.building1_id),
        format!("/households/{h1}"),
        "/residents".to_owned(),
        "/residents?q=赵".to_owned(),
        format!("/residents?q={number}"),
        format!("/residents/{r1}"),
        format!("/residents/{r1}/edit"),
        "/imports".to_owned(),
        format!("/households/{h1}/residents/new"),
    ];
    let mut staff = Client::new(router.clone());
    staff.sign_in("staff").await;
    // A worker of one community goes from the home page straight to it.
    let home = staff.get("/").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(
        home.location(),
        Some(format!("/communities/{}", f.community_id).as_str())
    );
    for page in &pages {
        let path = page.replace('赵', "%E8%B5%B5");
        let res = staff.get(&path).await;
        assert_eq!(res.status, StatusCode::OK, "GET {page}: {}", res.text());
        assert!(
            res.header(header::CONTENT_TYPE)
                .is_some_and(|c| c.starts_with("text/html")),
            "GET {page} is HTML"
        );
        let html = res.text();
        assert!(html.contains("</html>"), "GET {page} is a whole page");
        // A search by number echoes what the user typed (search box, paging and export
        // links); everything else, the results included, shows numbers masked.
        let typed = page.contains(number.as_str());
        let scanned = if typed {
            html.replace(number.as_str(), "")
        } else {
            html.clone()
        };
        assert_eq!(
            full_citizen_id(&scanned),
            None,
            "GET {page} shows a full ID"
        );
        assert!(!html.contains(phone), "GET {page} shows the full phone");
        if typed {
            let start = html
                .find("data-testid=\"resident-table\"")
                .expect("the results table");
            let table = &html[start..];
            let table = &table[..table.find("</table>").expect("the table ends")];
            assert!(
                table.contains("赵六"),
                "search by ID number finds the resident"
            );
            assert!(!table.contains(number.as_str()), "the result is masked");
        }
    }

    let mut admin = Client::new(router.clone());
    admin.sign_in("admin").await;
    for page in ["/", "/accounts", "/audit"] {
        let res = admin.get(page).await;
        assert_eq!(res.status, StatusCode::OK, "admin GET {page}");
    }
    let mut auditor = Client::new(router.clone());
    auditor.sign_in("auditor").await;
    let res = auditor.get("/audit").await;
    assert_eq!(res.status, StatusCode::OK, "auditor GET /audit");
    assert_eq!(full_citizen_id(&res.text()), None, "the audit page");

    // Signed out, every page sends the browser to sign in and back.
    let mut anon = Client::new(router);
    let all = pages
        .iter()
        .map(String::as_str)
        .chain(["/", "/audit", "/accounts"]);
    for page in all {
        let path = page.replace('赵', "%E8%B5%B5");
        let res = anon.get(&path).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "signed out GET {page}");
        let expected = format!("/login?next={}", login_next(&path));
        assert_eq!(res.location(), Some(expected.as_str()), "GET {page}");
    }
}

/// How the server writes a path into `next`: unreserved characters and `/` as they are.
fn login_next(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
