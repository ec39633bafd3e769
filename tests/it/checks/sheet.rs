//! The printed self-report sheet through the real router: what it holds, what it never shows, its
//! audit, and the link it carries.

use axum::http::{StatusCode, header};

use super::*;
use crate::http::Client;

/// The page's text as printed: tags dropped, the entities askama writes decoded.
fn visible_text(html: &str) -> String {
    let body = &html[html.find("<body").unwrap_or(0)..];
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    [
        ("&#39;", "'"),
        ("&#34;", "\""),
        ("&quot;", "\""),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(out, |text, (entity, c)| text.replace(entity, c))
}

#[tokio::test]
async fn the_printed_sheet_holds_what_the_resident_needs_and_nothing_else() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let id = order(app, &f, 1, "").await;
    app.set_account_phone(&f.admin, f.doctor.account_id, "13800138000")
        .await
        .expect("doctor's phone");
    app.set_account_phone(&f.admin, f.grid_worker.account_id, "13900139000")
        .await
        .expect("grid worker's phone");
    let (o, _) = app.quarantine_order(&f.staff, id).await.expect("order");
    let router = server::router(app.clone());
    let mut staff = Client::signed_in(router.clone(), "staff").await;

    // Printed from the order's page, in the resident's language.
    let action = format!("/quarantine/{id}/self-report-sheet");
    let csrf = staff
        .session_csrf(&format!("/quarantine/{id}"), &action)
        .await;
    let res = staff
        .post_form(&action, &[("csrf", &csrf), ("lang", "en")])
        .await;
    res.assert_status(StatusCode::OK);
    assert_eq!(res.header(header::CACHE_CONTROL), Some("no-store"));
    let html = res.text();
    let text = visible_text(&html);
    let address = format!(
        "{} {} {}",
        o.address.building_name, o.address.unit_name, o.address.room
    );
    for needed in [
        "张小明",
        address.as_str(),
        o.start_date.as_str(),
        o.end_date.as_str(),
        "morning 07:00–10:00",
        "evening 17:00–20:00",
        "Cough",
        "13800138000",
        "13900139000",
    ] {
        assert!(text.contains(needed), "the sheet shows {needed:?}: {text}");
    }
    assert!(html.contains("<svg"), "a QR code");
    // One line per report from today to the last day.
    let days = app
        .today()
        .until(domain::resident::date_from_text(&o.end_date).expect("end"))
        .expect("days")
        .get_days()
        + 1;
    assert_eq!(
        html.matches("data-testid=\"sheet-line\"").count(),
        usize::try_from(days * 2).expect("a count")
    );

    // Nothing else: no ID number, masked or not, and no number but the dates, times, phones,
    // address, the emergency number and the fever threshold.
    assert_eq!(crate::http::full_citizen_id(&html), None);
    assert!(
        !html.contains(&citizen_id(1)[..6]),
        "not even the region of the ID"
    );
    let start = html.find("/r/").expect("the link") + 3;
    let token: String = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let mut rest = text.replace(&format!("/r/{token}"), "");
    for shown in [
        address.as_str(),
        "13800138000",
        "13900139000",
        "37.3",
        "120",
        "127.0.0.1",
    ] {
        rest = rest.replace(shown, "");
    }
    let rest: String = rest
        .split_whitespace()
        .filter(|w| {
            let a_date = w.len() == 10 && w.as_bytes()[4] == b'-' && w.as_bytes()[7] == b'-';
            // Times and the link's scheme and port.
            let a_time = w.contains(':');
            !a_date && !a_time
        })
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        !rest.chars().any(|c| c.is_ascii_digit()),
        "no other number on the sheet: {rest}"
    );

    // The link works for the resident, without an account.
    let mut resident = Client::new(router.clone());
    resident
        .get(&format!("/r/{token}"))
        .await
        .assert_status(StatusCode::OK);

    // Opening it is audited, with the people whose numbers it gives; and so is its new link.
    let printed = audit_actions(app, &f, "self_report_sheet_print").await;
    assert_eq!(printed.len(), 1);
    assert_eq!(printed[0].object_type, "quarantine_order");
    assert_eq!(printed[0].object_id, id.to_string());
    assert_eq!(printed[0].account_id, Some(f.staff.account_id));
    let after: serde_json::Value =
        serde_json::from_str(printed[0].after.as_deref().expect("after")).expect("json");
    assert_eq!(after["doctor_id"], serde_json::json!(f.doctor.account_id));
    assert_eq!(
        after["grid_worker_id"],
        serde_json::json!(f.grid_worker.account_id)
    );
    assert_eq!(
        audit_actions(app, &f, "self_report_link_create")
            .await
            .len(),
        1
    );
    // The trail names the entry and the people, in the reader's language.
    let mut auditor = Client::signed_in(router.clone(), "auditor").await;
    let trail = auditor
        .get("/audit?action=self_report_sheet_print")
        .await
        .text();
    assert!(trail.contains("打印纸质自报表"), "{trail}");
    assert!(
        trail.contains(&format!("责任医生 = {}", f.doctor.display_name)),
        "{trail}"
    );

    // A second sheet makes a new link: the first sheet's stops working.
    let again = staff
        .post_form(&action, &[("csrf", &csrf), ("lang", "zh")])
        .await;
    again.assert_status(StatusCode::OK);
    assert!(again.text().contains("居家隔离健康自报表"));
    assert_eq!(
        resident.get(&format!("/r/{token}")).await.status,
        StatusCode::GONE
    );

    // Only those who manage orders print one.
    let mut volunteer = Client::signed_in(router, "volunteer").await;
    let vcsrf = volunteer.session_csrf("/tasks", "/logout").await;
    let refused = volunteer
        .post_form(&action, &[("csrf", &vcsrf), ("lang", "zh")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        audit_actions(app, &f, "self_report_sheet_print")
            .await
            .len(),
        2
    );
}
