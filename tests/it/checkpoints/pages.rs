//! The staff's checkpoint pages through the real router: a gate made and staffed from its
//! forms, passes issued for a grid, a pass's card, the print sheet, the resident's link, and
//! the supervisors' list of overrides; who may open what.

use axum::http::StatusCode;

use super::{gate_with_guard, household_pass, overriding};
use crate::http::Client;
use crate::support::{TestDb, citizen_id, household, raw_resident};

#[tokio::test]
async fn staff_make_a_gate_issue_passes_print_them_and_give_a_resident_the_link() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;
    household(app, &f.staff, f.building1_id, "1", "102").await;
    app.create_resident(&f.staff, h, &raw_resident("王医生", &citizen_id(3), ""))
        .await
        .expect("a member");
    let router = server::router(app.clone());
    let mut staff = Client::signed_in(router.clone(), "staff").await;

    let csrf = staff.session_csrf("/gates", "/gates").await;
    let community = f.community_id.to_string();
    let refused = staff
        .post_form(
            "/gates",
            &[
                ("csrf", &csrf),
                ("community_id", &community),
                ("name", "东门"),
                ("buildings", "1号楼, 9号楼"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text().contains("9号楼"),
        "the unknown building is named"
    );
    assert!(
        refused.text().contains("value=\"东门\""),
        "what was typed is kept"
    );
    let made = staff
        .post_form(
            "/gates",
            &[
                ("csrf", &csrf),
                ("community_id", &community),
                ("name", "东门"),
                ("buildings", "1号楼"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
    let gate_path = made.location().expect("to the gate").to_owned();
    let gate = staff.get(&gate_path).await;
    assert_eq!(gate.status, StatusCode::OK);
    assert!(gate.text().contains("1号楼"));
    assert!(
        gate.text().contains("Test guard"),
        "the community's guards are offered"
    );

    let batch = staff
        .post_form(
            "/passes",
            &[("csrf", &csrf), ("grid_id", &f.grid1_id.to_string())],
        )
        .await;
    assert_eq!(batch.status, StatusCode::OK);
    assert!(batch.text().contains("data-testid=\"issued\""));
    let list = app
        .passes(
            &f.staff,
            &store::passes::PassFilter::default(),
            domain::page::PageRequest::first(),
        )
        .await
        .expect("passes");
    assert_eq!(list.items.len(), 2);
    let pass = list.items[0].id;
    let card = staff.get(&format!("/passes/{pass}")).await;
    assert_eq!(card.status, StatusCode::OK);
    assert!(card.text().contains("<svg"), "the pass's QR code");
    let sheet = staff
        .get(&format!("/passes/print?grid_id={}", f.grid1_id))
        .await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert_eq!(
        sheet.text().matches("data-testid=\"print-card\"").count(),
        2
    );

    // A household's passes, with the forms for its car and its commuters.
    let own = staff.get(&format!("/passes?household_id={h}")).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.text().contains("data-testid=\"commuter-form\""));
    assert!(own.text().contains("data-testid=\"vehicle-form\""));

    // The resident's link is shown once and opens the pass with no account.
    let link = staff
        .post_form(&format!("/passes/{pass}/link"), &[("csrf", &csrf)])
        .await;
    assert_eq!(link.status, StatusCode::OK);
    let html = link.text();
    let at = html.find("/pass/").expect("the link");
    let token: String = html[at + 6..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let mut anon = Client::new(router.clone());
    let mine = anon.get(&format!("/pass/{token}")).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.text().contains("<svg"));
    assert_eq!(
        anon.get("/pass/not-a-token").await.status,
        StatusCode::NOT_FOUND
    );

    // Lost: reissued from the card, the old one shows revoked.
    let again = staff
        .post_form(&format!("/passes/{pass}/reissue"), &[("csrf", &csrf)])
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let old = staff.get(&format!("/passes/{pass}")).await;
    assert!(old.text().contains("data-testid=\"pass-state\">作废"));
}

#[tokio::test]
async fn overrides_reach_the_supervisors_page_and_pages_keep_to_their_roles() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let gate = gate_with_guard(app, &f, "东门").await;
    let (_, _, code) = household_pass(app, &f, "101").await;
    for direction in ["out", "in"] {
        super::show(app, &f.guard, gate, &code, direction, 0).await;
    }
    app.pass_through_gate(
        &f.guard,
        gate,
        &app::gates::scan::PassageInput {
            code,
            direction: "out".to_owned(),
            overriding: overriding("看病"),
            ..Default::default()
        },
    )
    .await
    .expect("overridden");
    let router = server::router(app.clone());
    let mut staff = Client::signed_in(router.clone(), "staff").await;
    let page = staff.get("/passages?exceptions=1").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("看病"));
    assert!(html.contains("street official Wang by phone"));
    assert!(
        html.contains("本户出门次数已用完"),
        "the rule it went against"
    );

    let mut guard = Client::signed_in(router.clone(), "guard").await;
    let mine = guard.get("/gates").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.text().contains(&format!("/gates/{gate}/scan")));
    let mut volunteer = Client::signed_in(router, "volunteer").await;
    for page in ["/gates", "/passes", "/passages?exceptions=1"] {
        assert_eq!(
            volunteer.get(page).await.status,
            StatusCode::FORBIDDEN,
            "{page}"
        );
    }
}
