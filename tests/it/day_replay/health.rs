//! The checks of the day: the doctor's two, and the fever the resident reports through their
//! link, acknowledged and resolved.

use axum::http::{Method, StatusCode};
use jiff::civil::Date;
use serde_json::{Value, json};

use super::{CREATED, Day, NO_CONTENT, OK, items, slot_date};

/// The doctor's morning call and evening visit to each of the two, neither febrile.
pub(super) async fn check_twice(day: &mut Day, orders: &[i64]) {
    let doctor = &mut day.doctor;
    let mine = doctor.get("/api/v1/worklist?mine=true").await.expect(OK);
    let mut on_list: Vec<i64> = mine["day"]
        .as_array()
        .expect("day")
        .iter()
        .filter_map(|d| d["order_id"].as_i64())
        .collect();
    on_list.sort_unstable();
    let mut expected = orders.to_vec();
    expected.sort_unstable();
    assert_eq!(on_list, expected, "the doctor's own residents");

    for &order in orders {
        let path = format!("/api/v1/quarantine-orders/{order}/checks");
        for (part, method, temperature) in [
            ("morning", "doctor_call", "36.5"),
            ("evening", "on_site", "36.8"),
        ] {
            let slot = format!("{}/{part}", day.date);
            let body = json!({ "temperature": temperature, "method": method, "slot": slot });
            let r = doctor.post(&path, &body).await.expect(CREATED);
            assert_eq!(r["slot"], slot);
            assert_eq!(r["febrile"], false);
            assert_eq!(r["fever_alert_id"], Value::Null);
        }
        let checks = doctor.get(&path).await.expect(OK);
        let mut slots: Vec<(String, f64)> = items(&checks)
            .iter()
            .map(|c| {
                assert_eq!(c["slot_date"], day.date.to_string());
                (
                    c["slot_part"].as_str().expect("part").to_owned(),
                    c["temperature"].as_f64().expect("temperature"),
                )
            })
            .collect();
        slots.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            slots,
            [("evening".to_owned(), 36.8), ("morning".to_owned(), 36.5)]
        );
    }
}

/// The resident reports a fever through their link; the doctor acknowledges and resolves it.
pub(super) async fn fever(day: &mut Day, order: i64, today: Date) {
    let doctor = &mut day.doctor;
    let link = doctor
        .post_empty(&format!(
            "/api/v1/quarantine-orders/{order}/self-report-link"
        ))
        .await
        .expect(CREATED);
    let token = link["token"].as_str().expect("a token");
    assert_eq!(link["path"], format!("/r/{token}"));

    let report_path = format!("/api/v1/self-reports/{token}");
    let body = json!({ "temperature": "38.3", "symptoms": ["cough"] });
    let report = day.anon.post(&report_path, &body).await.expect(CREATED);
    assert_eq!(report["febrile"], true);
    assert!(
        slot_date(&report["slot"]) >= today,
        "the slot of the moment: {report}"
    );
    let alert = report["fever_alert_id"].as_i64().expect("a fever alert");
    // The same slot again without a reason is refused as documented, as is a slot to come.
    let again = day
        .anon
        .post(&report_path, &json!({ "temperature": "37.0" }))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.body["error"]["code"], "slot_filled");
    let tomorrow = format!("{}/morning", today.tomorrow().expect("a day after today"));
    let body = json!({ "temperature": "36.6", "method": "doctor_call", "slot": tomorrow });
    let early = doctor
        .post(&format!("/api/v1/quarantine-orders/{order}/checks"), &body)
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(early["error"]["fields"][0]["field"], "slot");
    assert_eq!(early["error"]["fields"][0]["code"], "slot_in_future");

    let open = doctor.get("/api/v1/alerts?mine=true").await.expect(OK);
    let listed = items(&open);
    assert_eq!(listed.len(), 1, "{open}");
    assert_eq!(listed[0]["id"], alert);
    assert_eq!(listed[0]["kind"], "fever");
    assert_eq!(listed[0]["state"], "open");
    assert_eq!(listed[0]["order_id"], order);
    assert_eq!(listed[0]["temperature"], 38.3);
    let heading = doctor.get("/api/v1/worklist?mine=true").await.expect(OK);
    assert_eq!(heading["open_fever"], 1);

    doctor
        .post_empty(&format!("/api/v1/alerts/{alert}/acknowledge"))
        .await
        .expect(NO_CONTENT);
    let acknowledged = doctor
        .get("/api/v1/alerts?state=acknowledged")
        .await
        .expect(OK);
    assert_eq!(items(&acknowledged)[0]["id"], alert);
    assert_eq!(
        items(&acknowledged)[0]["acknowledged_by"],
        day.f.doctor.account_id
    );

    let note = "called back: 37.1 after rest, fever clinic if it rises";
    doctor
        .post(
            &format!("/api/v1/alerts/{alert}/resolve"),
            &json!({ "note": note }),
        )
        .await
        .expect(NO_CONTENT);
    let resolved = doctor.get("/api/v1/alerts?state=resolved").await.expect(OK);
    let listed = items(&resolved);
    assert_eq!(listed.len(), 1, "{resolved}");
    assert_eq!(listed[0]["state"], "resolved");
    assert_eq!(listed[0]["resolution_note"], note);
    assert_eq!(listed[0]["resolved_by"], day.f.doctor.account_id);
    let open = doctor.get("/api/v1/alerts").await.expect(OK);
    assert!(items(&open).is_empty(), "nothing left open: {open}");
    let heading = doctor.get("/api/v1/worklist?mine=true").await.expect(OK);
    assert_eq!(heading["open_fever"], 0);

    let checks = doctor
        .get(&format!("/api/v1/quarantine-orders/{order}/checks"))
        .await
        .expect(OK);
    let reported: Vec<&Value> = items(&checks)
        .iter()
        .filter(|c| c["method"] == "self_report")
        .collect();
    assert_eq!(reported.len(), 1, "{checks}");
    assert_eq!(reported[0]["link_id"], link["id"]);
    assert_eq!(reported[0]["recorded_by"], Value::Null);

    // Once the doctor revokes the link it takes nothing more.
    doctor
        .call(
            Method::DELETE,
            &format!("/api/v1/quarantine-orders/{order}/self-report-link"),
            None,
        )
        .await
        .expect(NO_CONTENT);
    let body = json!({ "temperature": "37.0", "correction_reason": "measured again" });
    let gone = day.anon.post(&report_path, &body).await;
    assert_eq!(gone.status, StatusCode::GONE, "{}", gone.body);
    assert_eq!(gone.body["error"]["code"], "link_revoked");
}
