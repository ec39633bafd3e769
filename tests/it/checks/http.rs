//! The API and the pages of checks, alerts and self-reports, through the real router.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::*;
use crate::http::{Client, form_input};

#[tokio::test]
async fn the_api_records_checks_handles_alerts_and_takes_self_reports() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let id = order(app, &f, 1, "").await;
    let router = server::router(app.clone());
    let mut anon = Client::new(router.clone());
    let mut doctor = anon.bearer_for("doctor").await;

    let path = format!("/api/v1/quarantine-orders/{id}/checks");
    let res = doctor
        .post_json(
            &path,
            &json!({ "temperature": "42.3", "method": "doctor_call" }),
        )
        .await;
    res.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["error"]["fields"][0]["field"], "temperature");
    assert_eq!(
        res.json()["error"]["fields"][0]["code"],
        "temperature_out_of_range"
    );
    let res = doctor
        .post_json(
            &path,
            &json!({ "temperature": "38.4", "symptoms": ["cough"], "method": "doctor_call" }),
        )
        .await;
    res.assert_status(StatusCode::CREATED);
    let alert = res.json()["fever_alert_id"].as_i64().expect("fever alert");
    let res = doctor
        .post_json(
            &path,
            &json!({ "temperature": "36.4", "method": "doctor_call" }),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.json()["error"]["code"], "slot_filled");
    let list = doctor.get(&path).await.json();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["items"][0]["temperature"], json!(38.4));

    let alerts = doctor.get("/api/v1/alerts?mine=true").await.json();
    assert_eq!(alerts["items"][0]["id"], json!(alert));
    assert_eq!(alerts["items"][0]["kind"], "fever");
    let w = doctor.get("/api/v1/worklist?mine=true").await.json();
    assert_eq!(w["open_fever"], json!(1));
    assert_eq!(w["day"][0]["order_id"], json!(id));
    let res = doctor
        .post_json(&format!("/api/v1/alerts/{alert}/acknowledge"), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    // A resolution needs a note saying what was done.
    let resolve = format!("/api/v1/alerts/{alert}/resolve");
    for (note, status) in [
        ("", StatusCode::UNPROCESSABLE_ENTITY),
        ("sent to the fever clinic", StatusCode::NO_CONTENT),
    ] {
        let res = doctor.post_json(&resolve, &json!({ "note": note })).await;
        assert_eq!(res.status, status, "{note:?}");
    }

    // A link through the API, a self-report without an account, then revoked: 410.
    let res = doctor
        .post_json(
            &format!("/api/v1/quarantine-orders/{id}/self-report-link"),
            &json!({}),
        )
        .await;
    res.assert_status(StatusCode::CREATED);
    let link = res.json()["token"].as_str().expect("token").to_owned();
    let report = format!("/api/v1/self-reports/{link}");
    let res = anon
        .post_json(
            &report,
            &json!({ "temperature": "37.0", "correction_reason": "feel better" }),
        )
        .await;
    res.assert_status(StatusCode::CREATED);
    assert_eq!(res.json()["replaced"], list["items"][0]["id"]);
    let res = anon
        .post_json(
            &format!("/api/v1/self-reports/{}", "x".repeat(43)),
            &json!({ "temperature": "37.0" }),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = doctor
        .json(
            Method::DELETE,
            &format!("/api/v1/quarantine-orders/{id}/self-report-link"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let res = anon
        .post_json(&report, &json!({ "temperature": "37.0" }))
        .await;
    assert_eq!(res.status, StatusCode::GONE);
    assert_eq!(res.json()["error"]["code"], "link_revoked");
    assert_eq!(
        doctor.get(&path).await.json()["items"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "nothing written after the revocation"
    );
}

#[tokio::test]
async fn the_pages_record_correct_and_take_a_residents_report() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let id = order(app, &f, 1, "").await;
    let router = server::router(app.clone());
    let mut doctor = Client::signed_in(router.clone(), "doctor").await;

    let page = format!("/quarantine/{id}/checks");
    let csrf = doctor.session_csrf(&page, &page).await;
    let res = doctor
        .post_form(
            &page,
            &[
                ("csrf", &csrf),
                ("temperature", "43"),
                ("method", "doctor_call"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("35.0"), "a precise message");
    let res = doctor
        .post_form(
            &page,
            &[
                ("csrf", &csrf),
                ("temperature", "36.7"),
                ("method", "doctor_call"),
                ("symptom", "cough"),
                ("symptom", "fatigue"),
            ],
        )
        .await;
    res.assert_status(StatusCode::SEE_OTHER);
    let shown = doctor.get(&page).await.text();
    assert!(
        shown.contains("data-testid=\"slot-filled\""),
        "the first record is shown"
    );
    assert!(shown.contains("36.7"));
    let checks = checks_of(app, &f.doctor, id).await;
    assert_eq!(
        checks.items[0].symptoms,
        vec![Symptom::Cough, Symptom::Fatigue]
    );
    // The same slot again without a reason: the correction form, nothing written.
    let res = doctor
        .post_form(
            &page,
            &[
                ("csrf", &csrf),
                ("temperature", "37.9"),
                ("method", "doctor_call"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.text().contains("data-testid=\"correction-error\""));
    let worklist = doctor.get("/checks").await;
    assert_eq!(worklist.status, StatusCode::OK);
    assert!(worklist.text().contains("张小明"));

    // The link is shown once, with its QR code.
    let res = doctor
        .post_form(
            &format!("/quarantine/{id}/self-report-link"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(html.contains("<svg"), "a QR code");
    let start = html.find("/r/").expect("the link");
    let token: String = html[start + 3..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert_eq!(token.len(), 43);

    // The resident, with no account.
    let mut resident = Client::new(router.clone());
    let form = resident.get(&format!("/r/{token}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains("张**"), "the name masked");
    assert!(!form.text().contains("张小明"));
    let report_csrf =
        form_input(&form.text(), &format!("/r/{token}"), "csrf").expect("the form's token");
    let res = resident
        .post_form(
            &format!("/r/{token}"),
            &[
                ("csrf", &report_csrf),
                ("temperature", "38.6"),
                ("correction_reason", "I feel hot"),
            ],
        )
        .await;
    res.assert_status(StatusCode::OK);
    assert!(res.text().contains("data-testid=\"report-fever\""));
    let alerts = alerts_of(app, &f.doctor, AlertQuery::default()).await;
    assert_eq!(alerts.items.len(), 1);
    assert_eq!(alerts.items[0].temperature, Some(386));

    // Unknown and revoked links: one clear page, nothing written.
    let res = resident.get(&format!("/r/{}", "Z".repeat(43))).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.text().contains("data-testid=\"report-refused\""));
    app.revoke_self_report_link(&f.doctor, id)
        .await
        .expect("revoke");
    let res = resident
        .post_form(
            &format!("/r/{token}"),
            &[("csrf", &report_csrf), ("temperature", "37.0")],
        )
        .await;
    assert_eq!(res.status, StatusCode::GONE);
    assert_eq!(checks_of(app, &f.doctor, id).await.items.len(), 2);
}
