//! The OpenAPI document: every route the API serves is in it, and it matches its snapshot.

use std::path::PathBuf;

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::http::Client;
use crate::support::TestDb;

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
    ("/passes", &["get", "post"]),
    ("/passes/batch", &["post"]),
    ("/passes/{id}", &["get"]),
    ("/passes/{id}/code", &["get"]),
    ("/passes/{id}/reissue", &["post"]),
    ("/passes/{id}/revoke", &["post"]),
    ("/passes/{id}/link", &["post"]),
    ("/gates", &["get"]),
    ("/cases", &["get", "post"]),
    ("/cases/{id}", &["get"]),
    ("/cases/{id}/movements", &["post"]),
    ("/cases/{id}/decision", &["post"]),
    ("/cases/{id}/report-sent", &["post"]),
    ("/cases/{id}/end", &["post"]),
    ("/cases/{id}/contacts", &["get"]),
    ("/cases/{id}/follow-up", &["post"]),
    ("/cases/{id}/followed-contacts", &["get"]),
    ("/disinfections/{id}/done", &["post"]),
    ("/communities/{id}/control-level", &["get", "put"]),
    ("/communities/{id}/today", &["get"]),
    ("/communities/{id}/gates", &["post"]),
    ("/gates/{id}", &["get", "put"]),
    ("/gates/{id}/state", &["post"]),
    ("/gates/{id}/shifts", &["post"]),
    ("/gate-shifts/{id}", &["delete"]),
    ("/me/shifts", &["get"]),
    ("/hotline/shifts", &["get"]),
    ("/communities/{id}/hotline-shifts", &["post"]),
    ("/hotline-shifts/{id}", &["delete"]),
    ("/hotline/calls", &["get", "post"]),
    ("/hotline/calls/{id}", &["get"]),
    ("/hotline/calls-per-hour", &["get"]),
    ("/hotline/callers", &["get"]),
    ("/me/follow-ups", &["get"]),
    ("/notifications", &["get"]),
    ("/notifications/{id}/read", &["post"]),
    ("/notifications/read", &["post"]),
    ("/follow-ups/{id}/done", &["post"]),
    ("/follow-ups/{id}/call-back", &["post"]),
    ("/complaints", &["get"]),
    ("/complaints/figures", &["get"]),
    ("/complaints/{id}", &["get"]),
    ("/complaints/{id}/assign", &["post"]),
    ("/complaints/{id}/reply", &["post"]),
    ("/complaints/{id}/close", &["post"]),
    ("/complaints/{id}/contact", &["post"]),
    ("/communities/{id}/complaints", &["post"]),
    ("/complaint-links/{token}", &["get"]),
    ("/complaint-links/{token}/rating", &["post"]),
    ("/gates/{id}/passages", &["post"]),
    ("/gates/{id}/visitors", &["post"]),
    ("/gates/{id}/visitor-lookup", &["post"]),
    ("/gates/{id}/revocations", &["get"]),
    ("/gates/{id}/traffic", &["get"]),
    ("/passages", &["get"]),
    ("/passages/override-counts", &["get"]),
    ("/imports/{id}", &["get"]),
    ("/imports/{id}/rejects", &["get"]),
    ("/audit", &["get"]),
    ("/calls", &["post"]),
    ("/regions", &["get"]),
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
    ("/return-codes", &["post"]),
    ("/return-applications", &["post"]),
    ("/return-applications/{token}", &["get"]),
    ("/return-applications/{token}/arrival", &["put"]),
    ("/return-applications/{token}/withdraw", &["post"]),
    ("/returns", &["get"]),
    ("/returns/expected", &["get"]),
    ("/returns/throughput", &["get"]),
    ("/returns/{id}", &["get"]),
    ("/returns/{id}/transition", &["post"]),
    ("/returns/{id}/verify", &["post"]),
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
            // A link's token that names nothing is the use case's 404, not the router's.
            let unknown_link = path.contains("{token}")
                && res.status == StatusCode::NOT_FOUND
                && res.json()["error"]["code"] == "not_found";
            assert!(
                unknown_link
                    || ![StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED]
                        .contains(&res.status),
                "{method} {uri} is not served: {}",
                res.status
            );
            // A self-report's credential is its link; an unknown one is not found. The pass
            // keys are public: any gate or outside verifier reads them. A returning resident
            // applies and follows the application without an account; anyone may file a
            // complaint.
            if path != "/tokens"
                && path != "/passes/keys"
                && path != "/communities/{id}/complaints"
                && !path.starts_with("/self-reports/")
                && !path.starts_with("/return-")
                && !path.starts_with("/complaint-links/")
            {
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
