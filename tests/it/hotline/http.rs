//! The hotline and complaint pages through the router: the staff member on duty logs a call
//! on the form and reads it back masked, in both languages; the grid worker finishes the
//! follow-up from their list; a resident files a complaint on the public page and reads the
//! reply on the link shown once; the API answers the same.

use axum::http::StatusCode;
use serde_json::json;

use super::{CALLER, caller_at_home, on_duty};
use crate::http::Client;
use crate::support::TestDb;

#[tokio::test]
async fn a_call_is_logged_on_the_form_and_its_follow_up_finished_by_the_grid_worker() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (_, zhang) = caller_at_home(app, &f).await;
    let router = server::router(app.clone());
    let mut staff = Client::signed_in(router.clone(), "staff").await;

    let page = staff.get("/hotline").await;
    page.assert_status(StatusCode::OK);
    assert!(page.text().contains("data-testid=\"off-duty\""));
    on_duty(app, &f).await;
    let page = staff.get("/hotline?q=%E5%BC%A0").await;
    page.assert_status(StatusCode::OK);
    let text = page.text();
    assert!(text.contains("data-testid=\"on-duty\""));
    assert!(
        text.contains(&format!("name=\"resident_id\" value=\"{zhang}\"")),
        "张三 offered"
    );
    assert!(text.contains("139****5678"), "the resident's phone masked");
    assert!(!text.contains(CALLER));
    let fragment = staff.get("/hotline/callers?q=%E5%BC%A0").await;
    assert!(fragment.text().contains("data-testid=\"caller\""));

    let csrf = page.form_csrf("/hotline/calls").expect("the call form");
    let zs = zhang.to_string();
    let logged = staff
        .post_form(
            "/hotline/calls",
            &[
                ("csrf", &csrf),
                ("resident_id", &zs),
                ("caller_name", "张三"),
                ("caller_number", CALLER),
                ("topic", "returnee"),
                ("said", "儿子从武汉回来"),
                ("due_hours", "4"),
            ],
        )
        .await;
    logged.assert_status(StatusCode::OK);
    let text = logged.text();
    assert!(text.contains("返乡人员报告"));
    assert!(text.contains("139****5678") && !text.contains(CALLER));
    assert!(text.contains("data-testid=\"follow-up-card\""));
    assert!(
        text.contains("data-testid=\"call-return-application\"><a href=\"/return/"),
        "a returnee's call leads to the community's application page"
    );
    // Refused input comes back on the form with its reason.
    let refused = staff
        .post_form(
            "/hotline/calls",
            &[("csrf", &csrf), ("topic", "returnee"), ("said", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let chart = staff.get("/hotline").await.text();
    assert!(
        chart.contains("data-testid=\"bar-total\""),
        "the chart counts the call"
    );

    // The grid worker's list, and the follow-up done from it.
    let mut worker = Client::signed_in(router.clone(), "gridworker").await;
    let list = worker.get("/hotline/follow-ups").await;
    list.assert_status(StatusCode::OK);
    let text = list.text();
    assert!(text.contains("儿子从武汉回来"));
    assert!(
        text.contains("href=\"/hotline/follow-ups\""),
        "the navigation leads here"
    );
    let done_action = text
        .split("action=\"")
        .find(|s| s.starts_with("/hotline/follow-ups/") && s.contains("/done"))
        .and_then(|s| s.split('"').next())
        .expect("a done form")
        .to_owned();
    let csrf = list.form_csrf(&done_action).expect("its token");
    let done = worker
        .post_form(&done_action, &[("csrf", &csrf), ("note", "已上门")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(
        worker
            .get("/hotline/follow-ups")
            .await
            .text()
            .contains("data-testid=\"no-follow-ups\"")
    );

    // In English the same page speaks English, and no Chinese code shows on the Chinese one.
    let en = staff.get("/hotline").await.text();
    assert!(!en.contains("call_topic."), "no raw keys");
    // A volunteer has no hotline.
    let mut volunteer = Client::signed_in(router, "volunteer").await;
    assert_eq!(
        volunteer.get("/hotline").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_resident_files_a_complaint_and_reads_the_reply_on_the_link() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let router = server::router(app.clone());
    let mut resident = Client::new(router.clone());
    let form = resident.get(&format!("/complain/{}", f.community_id)).await;
    form.assert_status(StatusCode::OK);
    assert!(
        !form.text().contains("3号楼</option>"),
        "no list of the community's buildings: the building is typed"
    );
    let action = format!("/complain/{}", f.community_id);
    let csrf = form.form_csrf(&action).expect("the form's token");
    // Without the cookie's token nothing is filed.
    let mut stranger = Client::new(router.clone());
    let forged = stranger
        .post_form(
            &action,
            &[
                ("csrf", "x"),
                ("category", "supplies"),
                ("what", "x"),
                ("place", "y"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let filed = resident
        .post_form(
            &action,
            &[
                ("csrf", &csrf),
                ("category", "supplies"),
                ("what", "菜坏了"),
                ("place", "门口"),
                ("building", "1"),
                ("contact", "13812345678"),
            ],
        )
        .await;
    filed.assert_status(StatusCode::OK);
    let text = filed.text();
    let link = text
        .split("href=\"")
        .find(|s| s.contains("/complaint/"))
        .and_then(|s| s.split('"').next())
        .expect("the personal link")
        .to_owned();
    let path = link[link.find("/complaint/").expect("path")..].to_owned();
    let page = resident.get(&path).await;
    page.assert_status(StatusCode::OK);
    assert!(page.text().contains("data-testid=\"no-reply\""));
    assert_eq!(
        resident.get("/complaint/unknown").await.status,
        StatusCode::NOT_FOUND
    );

    // The lead assigns and replies on the complaint's page.
    let mut staff = Client::signed_in(router.clone(), "staff").await;
    let list = staff.get("/complaints").await;
    list.assert_status(StatusCode::OK);
    assert!(list.text().contains("菜坏了"));
    assert!(
        list.text()
            .contains(&format!("/complain/{}\"", f.community_id)),
        "the public page's link to post"
    );
    let id = app
        .complaints(
            &f.staff,
            store::complaints::View::Open,
            domain::page::PageRequest::first(),
        )
        .await
        .expect("open")
        .items[0]
        .id;
    let page = staff.get(&format!("/complaints/{id}")).await;
    assert!(page.text().contains("138****5678"));
    assert!(!page.text().contains("13812345678"));
    let csrf = page
        .form_csrf(&format!("/complaints/{id}/assign"))
        .expect("assign form");
    let owner = f.staff.account_id.to_string();
    let assigned = staff
        .post_form(
            &format!("/complaints/{id}/assign"),
            &[("csrf", &csrf), ("owner_id", &owner)],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER);
    let replied = staff
        .post_form(
            &format!("/complaints/{id}/reply"),
            &[("csrf", &csrf), ("body", "今天换新的")],
        )
        .await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER);
    let called = staff
        .post_form(&format!("/complaints/{id}/call"), &[("csrf", &csrf)])
        .await;
    assert_eq!(called.status, StatusCode::SEE_OTHER);
    assert_eq!(called.location(), Some("tel:13812345678"));

    // The resident reads it and rates it on the link.
    let page = resident.get(&path).await;
    let text = page.text();
    assert!(text.contains("今天换新的"));
    assert!(text.contains("data-testid=\"rate-form\""));
    let csrf = page.form_csrf(&path).expect("rate form");
    let rated = resident
        .post_form(&path, &[("csrf", &csrf), ("satisfaction", "satisfied")])
        .await;
    rated.assert_status(StatusCode::OK);
    assert!(rated.text().contains("data-testid=\"rated\""));
    assert!(
        staff
            .get("/complaints?view=closed")
            .await
            .text()
            .contains("菜坏了")
    );

    // The API's public filing and link.
    let mut anon = Client::new(router);
    let res = anon
        .post_json(
            &format!("/api/v1/communities/{}/complaints", f.community_id),
            &json!({ "category": "medical", "what": "买不到药", "place": "3号楼" }),
        )
        .await;
    res.assert_status(StatusCode::CREATED);
    let token = res.json()["token"].as_str().expect("token").to_owned();
    let res = anon.get(&format!("/api/v1/complaint-links/{token}")).await;
    res.assert_status(StatusCode::OK);
    assert_eq!(res.json()["state"], "filed");
}
