//! The contract itself refuses what does not fit the document, naming the operation, the status
//! and what is wrong: a test passing through it means something.

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde_json::{Value, json};

use super::contract::Contract;
use crate::http::Res;

/// The document as committed; the day replay reads the one the server serves, the same.
fn contract() -> Contract {
    let doc: Value = serde_json::from_str(include_str!("../snapshots/openapi.json"))
        .expect("the snapshot is JSON");
    Contract::new(doc)
}

fn response(status: StatusCode, content_type: &str, body: &[u8]) -> Res {
    let mut headers = HeaderMap::new();
    if !content_type.is_empty() {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).expect("a header value"),
        );
    }
    Res {
        status,
        headers,
        body: body.to_vec(),
    }
}

fn json_response(status: StatusCode, body: &Value) -> Res {
    response(status, "application/json", body.to_string().as_bytes())
}

#[track_caller]
fn refused(result: Result<impl std::fmt::Debug, String>, expected: &[&str]) {
    match result {
        Ok(v) => panic!("accepted, expected a refusal naming {expected:?}: {v:?}"),
        Err(e) => {
            for part in expected {
                assert!(e.contains(part), "{part:?} not in {e:?}");
            }
        }
    }
}

#[test]
fn a_response_body_that_does_not_fit_its_schema_is_refused_with_the_operation_and_status() {
    let c = contract();
    let (post, path) = (Method::POST, "/api/v1/residents");
    let fits = c.check_response(
        &post,
        path,
        &json_response(StatusCode::CREATED, &json!({ "id": 7 })),
    );
    assert_eq!(fits, Ok(json!({ "id": 7 })));
    // The schema is a `$ref` into the components: resolved, it wants an integer `id`.
    refused(
        c.check_response(
            &post,
            path,
            &json_response(StatusCode::CREATED, &json!({ "id": "seven" })),
        ),
        &["POST /residents (create_resident)", "201", "/id"],
    );
    refused(
        c.check_response(&post, path, &json_response(StatusCode::CREATED, &json!({}))),
        &["201", "\"id\" is a required property"],
    );
    // An error body is held to the shared error response.
    refused(
        c.check_response(
            &post,
            path,
            &json_response(StatusCode::CONFLICT, &json!({ "code": "conflict" })),
        ),
        &["409", "error"],
    );
    // Schemas nested in others resolve too: each item of a page is held to its own schema.
    let page = json!({ "items": [{
        "id": 1, "state": 3, "household_id": 1, "building_id": 1, "grid_id": 1,
        "community_id": 1, "building_name": "1号楼", "unit_name": "1", "room": "101",
    }] });
    refused(
        c.check_response(
            &Method::GET,
            "/api/v1/alerts",
            &json_response(StatusCode::OK, &page),
        ),
        &["GET /alerts (alerts)", "200", "/items/0", "AlertDto"],
    );
}

#[test]
fn a_status_media_type_or_body_the_document_does_not_give_is_refused() {
    let c = contract();
    let post = Method::POST;
    refused(
        c.check_response(
            &post,
            "/api/v1/residents",
            &json_response(StatusCode::OK, &json!({ "id": 7 })),
        ),
        &["does not document the status 200"],
    );
    refused(
        c.check_response(
            &Method::GET,
            "/api/v1/me",
            &response(StatusCode::OK, "text/html", b"<p>me</p>"),
        ),
        &["GET /me (me)", "text/html"],
    );
    refused(
        c.check_response(
            &Method::GET,
            "/api/v1/me",
            &response(StatusCode::OK, "application/json", b"{\"account_id\":"),
        ),
        &["not JSON"],
    );
    let ack = "/api/v1/alerts/3/acknowledge";
    assert_eq!(
        c.check_response(&post, ack, &response(StatusCode::NO_CONTENT, "", b"")),
        Ok(Value::Null)
    );
    refused(
        c.check_response(&post, ack, &response(StatusCode::NO_CONTENT, "", b"done")),
        &[
            "acknowledge_alert",
            "204",
            "a body where the document has none",
        ],
    );
}

#[test]
fn a_refusal_naming_a_field_the_request_cannot_have_is_refused() {
    let c = contract();
    let confirm = "/api/v1/delivery-tasks/5/confirm";
    let naming = |field: &str| {
        json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!({ "error": { "code": "validation_failed", "message": "Some fields are not valid.",
                "fields": [{ "field": field, "code": "unknown_confirmation", "message": "Choose." }] } }),
        )
    };
    assert!(
        c.check_response(&Method::POST, confirm, &naming("via"))
            .is_ok()
    );
    refused(
        c.check_response(&Method::POST, confirm, &naming("confirmed_via")),
        &["delivery_confirm", "422", "`confirmed_via`"],
    );
    // A parameter is named as the query writes it; an item of a list by its list.
    let attempts = "/api/v1/screening-attempts";
    let item = naming("answers[3].travel_status");
    assert!(c.check_response(&Method::POST, attempts, &item).is_ok());
    let limit = naming("limit");
    assert!(
        c.check_response(&Method::GET, "/api/v1/residents", &limit)
            .is_ok()
    );
}

#[test]
fn a_strict_contract_refuses_a_property_the_document_does_not_name() {
    let me = json!({
        "account_id": 1, "username": "staff", "display_name": "Staff", "role": "community_staff",
        "level": "community", "scope_id": 1, "language": "zh", "shoe_size": 42,
    });
    let res = json_response(StatusCode::OK, &me);
    assert!(
        contract()
            .check_response(&Method::GET, "/api/v1/me", &res)
            .is_ok()
    );
    refused(
        contract()
            .strict()
            .check_response(&Method::GET, "/api/v1/me", &res),
        &["GET /me (me)", "shoe_size"],
    );
}

#[test]
fn a_strict_contract_refuses_an_unnamed_property_beside_a_household_address() {
    let pass = json!({
        "household_id": 1, "building_id": 2, "grid_id": 3, "community_id": 4,
        "building_name": "1号楼", "unit_name": "1", "room": "101",
        "id": 5, "kind": "household", "state": "live", "quota_exits": 1, "quota_days": 2,
        "issued_at": 0, "expires_at": 1, "colour": "green",
    });
    let strict = contract().strict();
    let res = json_response(StatusCode::OK, &pass);
    assert!(
        strict
            .check_response(&Method::GET, "/api/v1/passes/5", &res)
            .is_ok()
    );
    let mut extra = pass.clone();
    extra["shoe_size"] = json!(42);
    let res = json_response(StatusCode::OK, &extra);
    refused(
        strict.check_response(&Method::GET, "/api/v1/passes/5", &res),
        &["GET /passes/{id}", "shoe_size"],
    );
    let mut no_room = pass.clone();
    no_room.as_object_mut().map(|o| o.remove("room"));
    let res = json_response(StatusCode::OK, &no_room);
    refused(
        strict.check_response(&Method::GET, "/api/v1/passes/5", &res),
        &["room"],
    );
}

#[test]
fn a_request_outside_the_document_is_refused() {
    let c = contract();
    let (get, post) = (Method::GET, Method::POST);
    let resident = json!({ "household_id": 1, "name": "张三", "document_number": "x" });
    assert_eq!(
        c.check_request(&post, "/api/v1/residents", Some(&resident)),
        Ok(())
    );
    let mut extra = resident.clone();
    extra["nickname"] = json!("小张");
    refused(
        c.check_request(&post, "/api/v1/residents", Some(&extra)),
        &["POST /residents (create_resident)", "nickname"],
    );
    refused(
        c.check_request(&post, "/api/v1/residents", Some(&json!({ "name": "张三" }))),
        &["household_id"],
    );
    refused(
        c.check_request(&post, "/api/v1/alerts/3/acknowledge", Some(&json!({}))),
        &["documents no request body"],
    );
    refused(
        c.check_request(&post, "/api/v1/alerts/3/resolve", None),
        &["resolve_alert", "required"],
    );
    // Parameters: documented, of their type and within their bounds.
    assert_eq!(
        c.check_request(&get, "/api/v1/residents?limit=20&q=%E5%BC%A0", None),
        Ok(())
    );
    let bad_gets: [(&str, &[&str]); 6] = [
        ("/api/v1/residents?limit=0", &["limit", "minimum"]),
        (
            "/api/v1/residents?colour=red",
            &["no query parameter `colour`"],
        ),
        (
            "/api/v1/residents/abc",
            &["GET /residents/{id}", "path parameter `id`"],
        ),
        ("/api/v1/assignees?role=doctor", &["building_id", "missing"]),
        (
            "/api/v1/no-such-thing",
            &["no operation GET /no-such-thing"],
        ),
        ("/api/v2/residents", &["not under the server URL"]),
    ];
    for (path, expected) in bad_gets {
        refused(c.check_request(&get, path, None), expected);
    }
}

#[test]
fn a_literal_segment_is_preferred_to_a_parameter() {
    let c = contract();
    let op = c
        .operation(&Method::GET, "/api/v1/residents/export?format=csv")
        .expect("documented");
    assert_eq!(op.template, "/residents/export");
    let op = c
        .operation(&Method::GET, "/api/v1/residents/12")
        .expect("documented");
    assert_eq!(op.template, "/residents/{id}");
}

#[test]
#[should_panic(expected = "operationIds used more than once")]
fn a_document_that_names_two_operations_alike_is_refused() {
    let op = json!({ "operationId": "households", "responses": {} });
    Contract::new(json!({
        "openapi": "3.1.0",
        "paths": { "/households": { "get": op }, "/campaigns/{id}/households": { "get": op } },
    }));
}
