//! A small in-process HTTP client for the real router: a cookie jar, no redirects followed,
//! helpers to send forms, JSON and multipart bodies and to read responses.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::support;

/// One browser or API caller: the router it talks to, its cookies and its standing headers.
#[derive(Clone)]
pub struct Client {
    router: Router,
    /// Cookies by name, as the server last set them.
    pub cookies: HashMap<String, String>,
    headers: Vec<(HeaderName, String)>,
}

/// A response read to the end.
pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Client {
    pub fn new(router: Router) -> Client {
        Client {
            router,
            cookies: HashMap::new(),
            headers: Vec::new(),
        }
    }

    /// A client of `router` signed in as `username`.
    pub async fn signed_in(router: Router, username: &str) -> Client {
        let mut client = Client::new(router);
        client.sign_in(username).await;
        client
    }

    /// The same router with a bearer token on every request and no cookies.
    pub fn bearer(&self, token: &str) -> Client {
        Client::new(self.router.clone())
            .with_header(header::AUTHORIZATION, &format!("Bearer {token}"))
    }

    /// The same router signed in as `username` by a bearer token it asks for.
    pub async fn bearer_for(&mut self, username: &str) -> Client {
        let token = self.token(username).await;
        self.bearer(&token)
    }

    /// Adds a header sent with every request.
    pub fn with_header(mut self, name: HeaderName, value: &str) -> Client {
        self.headers.push((name, value.to_owned()));
        self
    }

    /// Sends a request with the jar's cookies and the standing headers, and keeps the cookies the
    /// response sets (a `Max-Age=0` or empty value removes one).
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        extra: &[(HeaderName, &str)],
        body: Body,
    ) -> Res {
        let mut req = Request::builder().method(method.clone()).uri(path);
        if !self.cookies.is_empty() {
            let mut jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            jar.sort();
            req = req.header(header::COOKIE, jar.join("; "));
        }
        for (name, value) in &self.headers {
            req = req.header(name, value.as_str());
        }
        for (name, value) in extra {
            req = req.header(name, *value);
        }
        let req = req.body(body).expect("a well-formed request");
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("the router never fails");
        let (parts, body) = res.into_parts();
        let body = body
            .collect()
            .await
            .unwrap_or_else(|e| panic!("read the body of {method} {path}: {e}"))
            .to_bytes()
            .to_vec();
        let res = Res {
            status: parts.status,
            headers: parts.headers,
            body,
        };
        for line in res.set_cookies() {
            let first = line.split(';').next().unwrap_or("");
            let Some((name, value)) = first.split_once('=') else {
                continue;
            };
            let expired = line
                .split(';')
                .any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
            if expired || value.is_empty() {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
        res
    }

    pub async fn get(&mut self, path: &str) -> Res {
        self.send(Method::GET, path, &[], Body::empty()).await
    }

    /// Posts `application/x-www-form-urlencoded` pairs.
    pub async fn post_form(&mut self, path: &str, pairs: &[(&str, &str)]) -> Res {
        self.send(
            Method::POST,
            path,
            &[(header::CONTENT_TYPE, "application/x-www-form-urlencoded")],
            Body::from(form_encode(pairs)),
        )
        .await
    }

    /// Sends a JSON body with any method.
    pub async fn json(&mut self, method: Method, path: &str, body: &Value) -> Res {
        self.json_with(method, path, body, &[]).await
    }

    /// Sends a DELETE without a body.
    pub async fn delete(&mut self, path: &str) -> Res {
        self.send(Method::DELETE, path, &[], Body::empty()).await
    }

    /// Posts a file's bytes as `application/octet-stream`, as the import API takes them.
    pub async fn post_file(&mut self, path: &str, bytes: impl Into<Body>) -> Res {
        self.send(
            Method::POST,
            path,
            &[(header::CONTENT_TYPE, "application/octet-stream")],
            bytes.into(),
        )
        .await
    }

    /// Posts a JSON body.
    pub async fn post_json(&mut self, path: &str, body: &Value) -> Res {
        self.json(Method::POST, path, body).await
    }

    pub async fn json_with(
        &mut self,
        method: Method,
        path: &str,
        body: &Value,
        extra: &[(HeaderName, &str)],
    ) -> Res {
        let mut headers = vec![(header::CONTENT_TYPE, "application/json")];
        headers.extend_from_slice(extra);
        self.send(method, path, &headers, Body::from(body.to_string()))
            .await
    }

    /// Posts `multipart/form-data`: text fields, then one file field.
    /// Sends a file through the upload form of `/imports` that posts to `action`, as a
    /// browser does: the form's CSRF token read from the page, the community chosen.
    pub async fn upload(&mut self, action: &str, community: i64, file: (&str, Vec<u8>)) -> Res {
        let page = self.get("/imports").await;
        let csrf = page
            .form_csrf(action)
            .expect("the upload form's csrf field");
        let community = community.to_string();
        self.post_multipart(
            action,
            &[("csrf", &csrf), ("community_id", &community)],
            ("file", file.0, file.1),
        )
        .await
    }

    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, Vec<u8>),
    ) -> Res {
        const BOUNDARY: &str = "gridwatch-test-boundary-7f3a";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        let (name, file_name, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&bytes);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        self.send(
            Method::POST,
            path,
            &[(header::CONTENT_TYPE, content_type.as_str())],
            Body::from(body),
        )
        .await
    }

    /// Signs in through the login page as `username` with the fixture password; panics unless
    /// the server answers with a session.
    pub async fn sign_in(&mut self, username: &str) {
        let res = self.login(username, support::PASSWORD, "/").await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "sign in as {username}: {}",
            res.text()
        );
        assert!(self.cookies.contains_key("gw_session"), "a session cookie");
    }

    /// Loads the login page and posts its form with the token it carries.
    pub async fn login(&mut self, username: &str, password: &str, next: &str) -> Res {
        let page = self.get("/login").await;
        assert_eq!(page.status, StatusCode::OK, "the login page");
        let csrf = page
            .form_csrf("/login")
            .expect("the login form carries a csrf field");
        self.post_form(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("next", next),
                ("csrf", &csrf),
            ],
        )
        .await
    }

    /// A bearer token for `username` from `POST /api/v1/tokens`.
    pub async fn token(&mut self, username: &str) -> String {
        let res = self
            .post_json(
                "/api/v1/tokens",
                &serde_json::json!({ "username": username, "password": support::PASSWORD }),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "token for {username}");
        res.json()["token"]
            .as_str()
            .expect("a token in the response")
            .to_owned()
    }

    /// The CSRF token of the signed-in session, read from a form of a page.
    pub async fn session_csrf(&mut self, page: &str, action: &str) -> String {
        let res = self.get(page).await;
        assert_eq!(res.status, StatusCode::OK, "GET {page}");
        res.form_csrf(action)
            .unwrap_or_else(|| panic!("GET {page}: a form to {action} with a csrf field"))
    }
}

impl Res {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts the status, with the body in the message when it differs.
    #[track_caller]
    pub fn assert_status(&self, status: StatusCode) {
        assert_eq!(self.status, status, "{}", self.text());
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "a JSON body ({e}), got {} {:?}",
                self.status,
                self.text().chars().take(500).collect::<String>()
            )
        })
    }

    pub fn header(&self, name: HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn location(&self) -> Option<&str> {
        self.header(header::LOCATION)
    }

    /// Every Set-Cookie line.
    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v: &HeaderValue| v.to_str().ok())
            .collect()
    }

    /// The Set-Cookie line of one cookie, when set with a value.
    pub fn set_cookie(&self, name: &str) -> Option<&str> {
        self.set_cookies().into_iter().find(|l| {
            l.split(';')
                .next()
                .and_then(|c| c.split_once('='))
                .is_some_and(|(k, v)| k.trim() == name && !v.trim().is_empty())
        })
    }

    /// The value of the `csrf` field of the page's form posting to `action`.
    pub fn form_csrf(&self, action: &str) -> Option<String> {
        form_input(&self.text(), action, "csrf")
    }

    /// The value of the form field `name` in the form posting to `action`.
    pub fn form_field(&self, action: &str, name: &str) -> Option<String> {
        form_input(&self.text(), action, name)
    }
}

/// The value of `<input name="{name}" value="...">` in the form posting to `action`.
pub fn form_input(html: &str, action: &str, name: &str) -> Option<String> {
    let form_start = html.find(&format!("action=\"{action}\""))?;
    let form = &html[form_start..];
    let form = &form[..form.find("</form>")?];
    let marker = format!("name=\"{name}\" value=\"");
    let start = form.find(&marker)? + marker.len();
    let len = form[start..].find('"')?;
    Some(form[start..start + len].to_owned())
}

/// Form encoding: unreserved characters as they are, everything else percent-encoded.
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent(k), percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn percent(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The first run of text that looks like a full citizen ID: 17 digits and a digit or X.
pub fn full_citizen_id(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut run = 0usize;
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_digit() {
            run += 1;
            continue;
        }
        if run >= 17 && matches!(c, 'X' | 'x') {
            return Some(chars[i - 17..=i].iter().collect());
        }
        if run >= 18 {
            return Some(chars[i - run..i].iter().collect());
        }
        run = 0;
    }
    (run >= 18).then(|| chars[chars.len() - run..].iter().collect())
}

/// The `field` of every item of a list answer, in ascending order.
pub fn sorted_item_ids(body: &Value, field: &str) -> Vec<i64> {
    let mut ids: Vec<i64> = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item[field].as_i64().unwrap_or_else(|| panic!("{field}")))
        .collect();
    ids.sort_unstable();
    ids
}

/// Asserts a JSON error with `status` and `code`, and returns its body.
#[track_caller]
pub fn assert_api_error(res: &Res, status: StatusCode, code: &str) -> Value {
    assert_eq!(res.status, status, "{}", res.text());
    assert!(
        res.header(header::CONTENT_TYPE)
            .is_some_and(|c| c.starts_with("application/json")),
        "JSON, not {:?}: {}",
        res.header(header::CONTENT_TYPE),
        res.text()
    );
    let body = res.json();
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body
}
