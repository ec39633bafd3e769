//! One call of the capability table: the request a row makes, and its answer as the table
//! writes it.

use app::App;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::answer;
use crate::http::{Client, Res};
use crate::support::PASSWORD;

/// The id of a new API token of `username`, found by its label in that account's own list.
pub(super) async fn fresh_token_id(app: &App, username: &str) -> i64 {
    static MADE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let label = format!("matrix revoke {n}");
    let mut anon = Client::new(server::router(app.clone()));
    let res = anon
        .post_json(
            "/api/v1/tokens",
            &json!({ "username": username, "password": PASSWORD, "label": label }),
        )
        .await;
    let token = res.json()["token"].as_str().expect("a token").to_owned();
    let list = anon.bearer(&token).get("/api/v1/me/tokens").await.json();
    list.as_array()
        .expect("a list of tokens")
        .iter()
        .find(|t| t["label"] == label.as_str())
        .and_then(|t| t["id"].as_i64())
        .expect("the new token in the list, with its id")
}

/// The outcome of one call as the table writes it: the status, `200-` for a list without the
/// object, `!` after a status whose body does not say what the status says.
pub(super) fn outcome(res: &Res, marker: Option<String>) -> String {
    answer(
        res,
        |r| marker.is_none_or(|m| r.text().contains(&m)),
        |status, code, _| match status {
            StatusCode::UNPROCESSABLE_ENTITY => code == "validation_failed",
            _ => !code.is_empty(),
        },
    )
}

/// One call of the table: the method, the path under `/api/v1`, the body (null for none) and, for
/// a list, what the list shows when the object is in it.
pub(super) struct Request {
    pub(super) method: Method,
    pub(super) path: String,
    pub(super) body: Value,
    pub(super) marker: Option<String>,
}

impl Request {
    /// A read of one object, or of something that is not a list.
    pub(super) fn read(path: impl Into<String>) -> Request {
        Request::bare(Method::GET, path)
    }

    /// A list, which answers `200-` when it does not show `marker`.
    pub(super) fn list(path: impl Into<String>, marker: String) -> Request {
        Request {
            marker: Some(marker),
            ..Request::read(path)
        }
    }

    /// A step that carries no body.
    pub(super) fn bare(method: Method, path: impl Into<String>) -> Request {
        Request::send(method, path, Value::Null)
    }

    /// A call of `resident` for a task of `purpose` (`POST /calls`); `household` for a
    /// screening campaign's.
    pub(super) fn phone_call(
        purpose: &str,
        task_id: i64,
        household: Option<i64>,
        resident: i64,
    ) -> Request {
        Request::post(
            "/calls",
            json!({
                "purpose": purpose, "task_id": task_id,
                "household_id": household, "resident_id": resident,
            }),
        )
    }

    /// A `POST` with a JSON body.
    pub(super) fn post(path: impl Into<String>, body: Value) -> Request {
        Request::send(Method::POST, path, body)
    }

    /// A `POST` that carries no body.
    pub(super) fn post_bare(path: impl Into<String>) -> Request {
        Request::bare(Method::POST, path)
    }

    /// A step with a JSON body.
    pub(super) fn send(method: Method, path: impl Into<String>, body: Value) -> Request {
        Request {
            method,
            path: path.into(),
            body,
            marker: None,
        }
    }
}

/// `"key":value` followed by the end of the value, as compact JSON writes it.
pub(super) fn id_of(key: &str, v: i64) -> String {
    format!("\"{key}\":{v},")
}
