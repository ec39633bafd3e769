//! The API's contract: every refusal is a JSON error with a stable code that names the field or
//! parameter, every status it answers is in the document, bounds in the document are the bounds
//! enforced, request bodies refuse fields they do not know, and a conflict with stored data is a
//! 409, not a 500.

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use serde_json::json;

use crate::http::{Client, Res, assert_api_error};
use crate::support::{TestDb, citizen_id, household, resident};

/// A client of the API signed in as the fixture's community staff, by token.
async fn staff_api(app: &app::App) -> Client {
    let mut anon = Client::new(server::router(app.clone()));
    let token = anon.token("staff").await;
    anon.bearer(&token)
}

/// Sends `body` as the JSON text of a new resident.
async fn post_resident(client: &mut Client, body: &serde_json::Value) -> Res {
    client
        .send(
            Method::POST,
            "/api/v1/residents",
            &[(header::CONTENT_TYPE, "application/json")],
            Body::from(body.to_string()),
        )
        .await
}

/// Asserts a 422 whose only field error is `field` with `code`.
#[track_caller]
fn field_error(res: &Res, field: &str, code: &str) {
    let body = assert_api_error(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let fields = body["error"]["fields"].as_array().expect("fields listed");
    assert_eq!(fields.len(), 1, "{body}");
    assert_eq!(fields[0]["field"], field, "{body}");
    assert_eq!(fields[0]["code"], code, "{body}");
}

#[tokio::test]
async fn deleting_a_resident_under_quarantine_is_a_conflict_and_deletes_nothing() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;
    let id = resident(app, &f, h, "张三", 1).await;
    let mut staff = staff_api(app).await;

    let res = staff
        .post_json(
            "/api/v1/quarantine-orders",
            &json!({ "resident_id": id, "reason": "returnee", "kind": "home" }),
        )
        .await;
    res.assert_status(StatusCode::CREATED);

    let path = format!("/api/v1/residents/{id}");
    let res = staff
        .json(Method::DELETE, &path, &json!({ "reason": "moved away" }))
        .await;
    assert_api_error(&res, StatusCode::CONFLICT, "reference_conflict");
    // Still there, whole.
    let read = staff.get(&path).await;
    read.assert_status(StatusCode::OK);
    assert_eq!(read.json()["resident"]["name"], "张三");

    // A resident nobody refers to is deleted.
    let free = resident(app, &f, h, "李四", 2).await;
    let res = staff
        .json(
            Method::DELETE,
            &format!("/api/v1/residents/{free}"),
            &json!({ "reason": "moved away" }),
        )
        .await;
    res.assert_status(StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn malformed_requests_are_refused_as_json_naming_what_is_wrong() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;
    let mut staff = staff_api(app).await;
    let wang_wu = json!({ "household_id": h, "name": "王五", "document_number": citizen_id(5) });

    // Not sent as JSON: 415; not JSON at all: 400.
    let res = staff
        .send(
            Method::POST,
            "/api/v1/residents",
            &[(header::CONTENT_TYPE, "text/plain")],
            Body::from(wang_wu.to_string()),
        )
        .await;
    assert_api_error(
        &res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    let res = staff
        .send(
            Method::POST,
            "/api/v1/residents",
            &[(header::CONTENT_TYPE, "application/json")],
            Body::from("{\"name\": "),
        )
        .await;
    assert_api_error(&res, StatusCode::BAD_REQUEST, "malformed_json");

    // A field the body does not have is refused by name, and nothing is written.
    let mut extra = wang_wu.clone();
    extra["nickname"] = json!("小王");
    let res = staff.post_json("/api/v1/residents", &extra).await;
    field_error(&res, "nickname", "unknown_field");
    // A field of the wrong type is named too.
    let mut wrong = wang_wu.clone();
    wrong["household_id"] = json!("one");
    let res = staff.post_json("/api/v1/residents", &wrong).await;
    field_error(&res, "household_id", "invalid_value");
    let list = staff.get("/api/v1/residents").await;
    assert_eq!(list.json()["items"].as_array().map(Vec::len), Some(0));

    // Page sizes outside the documented bounds are refused, not clamped.
    for limit in ["0", "501", "2147483648"] {
        let res = staff.get(&format!("/api/v1/residents?limit={limit}")).await;
        field_error(&res, "limit", "out_of_range");
    }
    let res = staff.get("/api/v1/residents?limit=ten").await;
    field_error(&res, "limit", "invalid_parameter");
    let res = staff.get("/api/v1/residents?limit=500").await;
    res.assert_status(StatusCode::OK);
    let res = staff.get("/api/v1/audit?limit=1001").await;
    field_error(&res, "limit", "out_of_range");

    // A path parameter that is not a number, a route that does not exist, a method a route does
    // not serve.
    let res = staff.get("/api/v1/residents/abc").await;
    field_error(&res, "id", "invalid_parameter");
    let res = staff.get("/api/v1/no-such-thing").await;
    assert_api_error(&res, StatusCode::NOT_FOUND, "no_such_route");
    let res = staff.get("/api/v2/residents").await;
    assert_api_error(&res, StatusCode::NOT_FOUND, "no_such_route");
    let res = staff.json(Method::PATCH, "/api/v1/me", &json!({})).await;
    assert_api_error(&res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");

    // The reason of a delete is required and may not be empty, as documented.
    let id = resident(app, &f, h, "赵六", 6).await;
    let path = format!("/api/v1/residents/{id}");
    let res = staff.json(Method::DELETE, &path, &json!({})).await;
    field_error(&res, "reason", "required");
    let res = staff
        .json(Method::DELETE, &path, &json!({ "reason": "" }))
        .await;
    field_error(&res, "reason", "required");
    assert_eq!(staff.get(&path).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_screening_assign_body_sent_to_a_task_is_refused_instead_of_unassigning() {
    let (db, _) = TestDb::with_fixture().await;
    let app = &db.app;
    let mut staff = staff_api(app).await;

    // Without the fix the body deserialised to `volunteer_id: null` and the route looked for the
    // task (404); now the body itself is refused before anything is read or written.
    for path in [
        "/api/v1/delivery-tasks/987654/assign",
        "/api/v1/rubbish-rounds/987654/assign",
    ] {
        let res = staff.post_json(path, &json!({ "team_id": 1 })).await;
        field_error(&res, "team_id", "unknown_field");
        let res = staff.post_json(path, &json!({})).await;
        field_error(&res, "volunteer_id", "required");
    }

    // The document names the two bodies apart.
    let doc = staff.get("/api/v1/openapi.json").await.json();
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["VolunteerAssignRequest"]["properties"]["volunteer_id"].is_object(),
        "{}",
        schemas["VolunteerAssignRequest"]
    );
    assert_eq!(
        schemas["VolunteerAssignRequest"]["required"],
        json!(["volunteer_id"])
    );
    assert!(schemas["AssignRequest"]["properties"]["volunteer_id"].is_null());
    for path in ["/delivery-tasks/{id}/assign", "/rubbish-rounds/{id}/assign"] {
        assert_eq!(
            doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/VolunteerAssignRequest",
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_document_lists_every_status_and_the_real_bounds() {
    let db = TestDb::new().await;
    let mut anon = Client::new(server::router(db.app.clone()));
    let doc = anon.get("/api/v1/openapi.json").await.json();
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            operations += 1;
            let responses = op["responses"].as_object().expect("responses");
            let mut wanted = vec!["401", "403", "404", "409", "422", "429", "503"];
            if op.get("requestBody").is_some() {
                wanted.extend(["400", "413", "415"]);
            }
            for status in wanted {
                assert!(
                    responses.contains_key(status),
                    "{method} {path} does not document {status}"
                );
            }
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["name"] == "limit" {
                    assert_eq!(p["schema"]["minimum"], 1, "{method} {path}");
                    assert!(p["schema"]["maximum"].is_number(), "{method} {path}");
                }
            }
        }
    }
    assert!(operations >= 76, "{operations} operations");
    let reason = &doc["components"]["schemas"]["ReasonRequest"];
    assert_eq!(reason["properties"]["reason"]["minLength"], 1, "{reason}");
    assert_eq!(reason["required"], json!(["reason"]), "{reason}");
}

/// A NUL in a parameter or in a body's text is refused naming where it is: no text column may
/// hold one, and PostgreSQL would answer a 500.
#[tokio::test]
async fn a_nul_character_is_refused_naming_its_parameter_or_field() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;
    let mut staff = staff_api(app).await;
    let res = staff
        .send(Method::GET, "/api/v1/residents?q=a%00b", &[], Body::empty())
        .await;
    field_error(&res, "q", "control_character");
    let body = json!({ "household_id": h, "name": "王\u{0}五", "document_number": citizen_id(6) });
    let res = post_resident(&mut staff, &body).await;
    field_error(&res, "name", "control_character");
    // An escaped backslash before "u0000" is text, not a NUL.
    let body =
        json!({ "household_id": h, "name": "王\\u0000五", "document_number": citizen_id(7) });
    let res = post_resident(&mut staff, &body).await;
    assert_ne!(
        res.json()["error"]["fields"][0]["code"],
        "control_character"
    );
}
