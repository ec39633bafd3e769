//! The pages: a resident applies on the public page (no account) with the code from the log
//! sender and follows the status; a member of staff finds the arrival, verifies and admits
//! it, and finds the quarantine order on the household page; the throughput chart and export.

use axum::http::StatusCode;

use app::returns::ApplicationInput;

use super::{PHONE, form_fields, input, with_log};
use crate::http::{Client, form_input};
use crate::support::{TestDb, citizen_id};

#[tokio::test]
async fn a_resident_applies_on_the_public_page_and_staff_admit_them() {
    let (t, f) = TestDb::with_fixture().await;
    let (app, log) = with_log(&t.app);
    let i = input(&app, &f).await;
    let mut resident = Client::new(server::router(app.clone()));
    let c = f.community_id;

    let page = resident.get(&format!("/return/{c}")).await;
    page.assert_status(StatusCode::OK);
    assert!(page.text().contains("返岗申请"), "Chinese by default");
    let action = format!("/return/{c}");
    let csrf = page.form_csrf(&action).expect("the form's token");
    let sent = resident
        .post_form(
            &format!("/return/{c}/code"),
            &[("csrf", &csrf), ("phone", PHONE), ("name", "李四")],
        )
        .await;
    sent.assert_status(StatusCode::OK);
    assert!(sent.text().contains("returns-notice"));
    // What was typed comes back with the form.
    assert_eq!(sent.form_field(&action, "name").as_deref(), Some("李四"));
    let code = log.last_to(PHONE).expect("a code").params[0].clone();
    let csrf = sent.form_csrf(&action).expect("the form's token");
    let document = citizen_id(5);
    let companion = citizen_id(6);
    let i = ApplicationInput {
        building: "1号楼".to_owned(),
        ..i
    };
    let mut fields = form_fields(&i, &csrf, &code);
    fields.extend([
        ("companion_name_0", "王五"),
        ("companion_document_0", companion.as_str()),
    ]);
    let applied = resident.post_form(&action, &fields).await;
    applied.assert_status(StatusCode::SEE_OTHER);
    let status_path = applied.location().expect("to the status").to_owned();
    assert!(status_path.starts_with("/return/s/"));
    let status = resident.get(&status_path).await;
    status.assert_status(StatusCode::OK);
    assert!(status.text().contains("data-state=\"submitted\""));
    assert!(status.text().contains("<svg"), "the QR to show at the gate");
    assert!(
        !status.text().contains(&document),
        "the ID number is not shown"
    );

    // The same trip again: refused with a link to the existing application.
    let again = resident.get(&action).await;
    let csrf = again.form_csrf(&action).expect("token");
    let sent = resident
        .post_form(
            &format!("/return/{c}/code"),
            &[("csrf", &csrf), ("phone", PHONE)],
        )
        .await;
    // Each page sets its own token.
    let csrf = sent.form_csrf(&action).expect("token");
    let code2 = log.last_to(PHONE).expect("a code").params[0].clone();
    let mut dup = fields.to_vec();
    dup[0] = ("csrf", csrf.as_str());
    dup[4] = ("code", code2.as_str());
    let refused = resident.post_form(&action, &dup).await;
    refused.assert_status(StatusCode::CONFLICT);
    assert!(refused.text().contains("returns-existing"));
    let start = refused.text().find("/return/s/").expect("the link");
    let new_link: String = refused.text()[start..]
        .chars()
        .take_while(|ch| *ch != '"')
        .collect();
    let status_path = new_link;

    // The applicant changes the arrival time.
    let status = resident.get(&status_path).await;
    let arrival_action = format!("{status_path}/arrival");
    let csrf = form_input(&status.text(), &arrival_action, "csrf").expect("token");
    let later = app.today().saturating_add(jiff::Span::new().days(1));
    let moved = resident
        .post_form(
            &arrival_action,
            &[("csrf", &csrf), ("arrival", &format!("{later}T16:45"))],
        )
        .await;
    moved.assert_status(StatusCode::SEE_OTHER);
    assert!(resident.get(&status_path).await.text().contains("16:45"));

    // Staff find tomorrow's arrival, verify and admit it.
    let mut staff = Client::signed_in(server::router(app.clone()), "staff").await;
    let list = staff.get("/returns").await;
    list.assert_status(StatusCode::OK);
    assert!(list.text().contains("返岗人员"));
    assert!(list.text().contains("李四 +1"));
    let found = staff.get(&format!("/returns?q={document}")).await;
    let text = found.text();
    let results = &text[text.find("returns-found").expect("the results")..];
    let start = results.find("href=\"/returns/").expect("found") + "href=\"/returns/".len();
    let id: String = results[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let detail = staff.get(&format!("/returns/{id}")).await;
    detail.assert_status(StatusCode::OK);
    let verify = format!("/returns/{id}/verify");
    let csrf = form_input(&detail.text(), &verify, "csrf").expect("the verification form");
    let test_day = app.today().to_string();
    let verification = |decision| {
        [
            ("csrf", csrf.as_str()),
            ("health_code", "green"),
            ("itinerary_code", "green"),
            ("visited_regions", "610113"),
            ("certificate_seen", "1"),
            ("test_taken_on", test_day.as_str()),
            ("test_result", "negative"),
            ("temperature", "36.4"),
            ("decision", decision),
        ]
    };
    // A refusal the rule does not make needs a reason: the form comes back.
    let no_reason = staff.post_form(&verify, &verification("refuse")).await;
    no_reason.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.text().contains("field-error-reason"));
    let admitted = staff.post_form(&verify, &verification("approve")).await;
    admitted.assert_status(StatusCode::SEE_OTHER);
    let detail = staff.get(&format!("/returns/{id}")).await;
    assert!(detail.text().contains("data-state=\"in_quarantine\""));
    assert!(detail.text().contains("returns-order"));
    // The household page shows the quarantine of its new member.
    let start = detail
        .text()
        .find("href=\"/households/")
        .expect("household")
        + "href=\"/households/".len();
    let h: String = detail.text()[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let household = staff.get(&format!("/households/{h}")).await;
    household.assert_status(StatusCode::OK);
    assert!(
        household.text().contains("/quarantine/"),
        "the order is on the household page"
    );
    // The applicant's page says so, and offers no withdrawal any more.
    let status = resident.get(&status_path).await;
    assert!(status.text().contains("data-state=\"in_quarantine\""));
    assert!(!status.text().contains("returns-withdraw"));

    // The throughput chart and the export.
    let chart = staff.get("/returns/throughput").await;
    chart.assert_status(StatusCode::OK);
    assert!(chart.text().contains("returns-chart"));
    let csv = staff.get("/returns/throughput.csv?days=3").await;
    csv.assert_status(StatusCode::OK);
    assert!(
        csv.text()
            .starts_with("date,applications,arrivals,verified,refused")
    );
    assert!(csv.text().contains(&format!("{},1,1,1,0", app.today())));
}

#[tokio::test]
async fn the_public_page_speaks_english_and_refuses_a_forged_form() {
    let (t, f) = TestDb::with_fixture().await;
    let (app, _) = with_log(&t.app);
    let mut resident = Client::new(server::router(app.clone()));
    resident
        .cookies
        .insert("gw_lang".to_owned(), "en".to_owned());
    let page = resident.get(&format!("/return/{}", f.community_id)).await;
    assert!(page.text().contains("Return-to-work application"));
    assert!(!page.text().contains("返岗申请"));
    let forged = resident
        .post_form(
            &format!("/return/{}", f.community_id),
            &[("csrf", "not-the-token"), ("phone", PHONE)],
        )
        .await;
    forged.assert_status(StatusCode::FORBIDDEN);
    let unknown = resident.get(&format!("/return/s/{}", "a".repeat(43))).await;
    unknown.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(
        resident.get("/return/999999").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_refused_applicant_reads_the_reasons_in_their_language() {
    let (t, f) = TestDb::with_fixture().await;
    let (app, log) = with_log(&t.app);
    let (id, token) = super::apply(&app, &log, input(&app, &f).await).await;
    let mut v = super::green(&app);
    v.health_code = "red".to_owned();
    v.temperature = "38.2".to_owned();
    v.decision = "refuse".to_owned();
    app.verify_return(&f.staff, id, &v).await.expect("refused");
    let mut resident = Client::new(server::router(app.clone()));
    let page = resident.get(&format!("/return/s/{token}")).await;
    page.assert_status(StatusCode::OK);
    let text = page.text();
    assert!(text.contains("data-state=\"refused\""));
    assert!(
        text.contains("健康码不是绿码") && text.contains("体温过高"),
        "{text}"
    );
    assert!(
        !text.contains("return_health_code"),
        "no raw codes on a Chinese page"
    );
    let mut staff = Client::signed_in(server::router(app.clone()), "staff").await;
    let detail = staff.get(&format!("/returns/{id}")).await;
    assert!(detail.text().contains("健康码不是绿码"));
    assert!(!detail.text().contains("return_fever"));
}
