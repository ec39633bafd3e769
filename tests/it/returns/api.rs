//! The API: the applicant's routes without an account (code, application, duplicate, status,
//! arrival, withdrawal), and the staff's (expected arrivals, search, verification, throughput).

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{PHONE, input, with_log};
use crate::http::Client;
use crate::support::{TestDb, citizen_id};

#[tokio::test]
async fn a_resident_applies_through_the_api_and_staff_admit_them() {
    let (t, f) = TestDb::with_fixture().await;
    let (app, log) = with_log(&t.app);
    let i = input(&app, &f).await;
    let mut anon = Client::new(server::router(app.clone()));
    let res = anon
        .post_json("/api/v1/return-codes", &json!({ "phone": PHONE }))
        .await;
    res.assert_status(StatusCode::NO_CONTENT);
    let code = log.last_to(PHONE).expect("code").params[0].clone();
    let body = json!({
        "community_id": f.community_id, "name": "李四", "document_number": citizen_id(5),
        "phone": PHONE, "code": code, "employer": i.employer, "employer_address": i.employer_address,
        "origin": "610113", "means": "flight", "trip": "MU2101", "arrival": i.arrival,
        "building_id": f.building1_id, "unit": "1", "room": "201",
        "companions": [{ "name": "王五", "document_number": citizen_id(6) }],
    });
    let res = anon.post_json("/api/v1/return-applications", &body).await;
    res.assert_status(StatusCode::CREATED);
    let id = res.json()["id"].as_i64().expect("id");
    let token = res.json()["token"].as_str().expect("token").to_owned();

    // The same trip again: 409 with the existing application and a fresh link to it.
    anon.post_json("/api/v1/return-codes", &json!({ "phone": PHONE }))
        .await;
    let mut again = body.clone();
    again["code"] = json!(log.last_to(PHONE).expect("code").params[0].clone());
    let dup = anon.post_json("/api/v1/return-applications", &again).await;
    dup.assert_status(StatusCode::CONFLICT);
    assert_eq!(dup.json()["code"], "return_duplicate");
    assert_eq!(dup.json()["id"], id);
    let token = dup.json()["token"].as_str().map_or(token, str::to_owned);
    let status = anon
        .get(&format!("/api/v1/return-applications/{token}"))
        .await;
    status.assert_status(StatusCode::OK);
    assert_eq!(status.json()["state"], "submitted");
    assert_eq!(status.json()["travellers"], json!(["李*", "王*"]));

    // A wrong code is a field error.
    let mut wrong = body.clone();
    wrong["document_number"] = json!(citizen_id(9));
    wrong["companions"] = json!([]);
    wrong["code"] = json!("000000");
    let res = anon.post_json("/api/v1/return-applications", &wrong).await;
    res.assert_status(StatusCode::UNPROCESSABLE_ENTITY);

    // Staff: expected, found, verified.
    let mut staff = Client::new(server::router(app.clone()));
    let bearer = staff.token("staff").await;
    let mut staff = staff.bearer(&bearer);
    let expected = staff.get("/api/v1/returns/expected").await;
    expected.assert_status(StatusCode::OK);
    assert_eq!(expected.json()[0]["id"], id);
    assert_eq!(expected.json()[0]["companions"], 1);
    let found = staff
        .get(&format!("/api/v1/returns?q={}", citizen_id(6)))
        .await;
    assert_eq!(
        found.json()[0]["id"],
        id,
        "found by a companion's ID number"
    );
    let verified = staff
        .json(
            Method::POST,
            &format!("/api/v1/returns/{id}/verify"),
            &json!({
                "health_code": "green", "itinerary_code": "yellow", "certificate_seen": true,
                "visited_regions": ["610113"], "test_taken_on": app.today().to_string(),
                "test_result": "negative", "temperature": "36.6", "decision": "approve",
                "reason": "itinerary turned yellow by a transit stop; confirmed green by phone",
            }),
        )
        .await;
    verified.assert_status(StatusCode::OK);
    assert_eq!(verified.json()["state"], "in_quarantine");
    assert_eq!(verified.json()["is_override"], true);
    assert_eq!(
        verified.json()["refusals"],
        json!(["return_itinerary_code"])
    );
    assert_eq!(
        verified.json()["order_ids"].as_array().map(Vec::len),
        Some(2)
    );
    let detail = staff.get(&format!("/api/v1/returns/{id}")).await;
    assert_eq!(detail.json()["verifications"][0]["is_override"], true);
    assert!(detail.json()["travellers"][1]["order_id"].is_i64());
    let tp = staff.get("/api/v1/returns/throughput?days=2").await;
    tp.assert_status(StatusCode::OK);
    assert_eq!(tp.json()[1]["verified"], 1);

    // The applicant sees it, and can no longer withdraw.
    let status = anon
        .get(&format!("/api/v1/return-applications/{token}"))
        .await;
    assert_eq!(status.json()["state"], "in_quarantine");
    let res = anon
        .send(
            Method::POST,
            &format!("/api/v1/return-applications/{token}/withdraw"),
            &[],
            axum::body::Body::empty(),
        )
        .await;
    res.assert_status(StatusCode::CONFLICT);
}
