//! The upload limit, on the API and on the upload page.

use axum::http::{StatusCode, header};
use server::Options;

use crate::http::{Client, assert_api_error};
use crate::support::{TestDb, citizen_id};

#[tokio::test]
async fn uploads_over_the_limit_are_refused_naming_the_limit() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let router = server::router_with(
        app.clone(),
        Options {
            max_upload_bytes: 1024 * 1024,
            ..Default::default()
        },
    );
    let big = vec![b'a'; 2 * 1024 * 1024];
    let mut anon = Client::new(router.clone());
    let token = anon.token("staff").await;
    let mut api = anon
        .bearer(&token)
        .with_header(header::ACCEPT_LANGUAGE, "en");
    let path = format!(
        "/api/v1/imports?community_id={}&file_name=x.csv",
        f.community_id
    );
    let res = api.post_file(&path, big.clone()).await;
    let body = assert_api_error(&res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("1 MB"), "{message}");

    // Under the limit the same route imports.
    let small = format!(
        "姓名,身份证号,楼栋,单元,房号\r\n王五,{},1号楼,1,101\r\n",
        citizen_id(11)
    );
    let res = api.post_file(&path, small).await;
    res.assert_status(StatusCode::CREATED);
    assert_eq!(res.json()["inserted"], 1, "{}", res.text());

    // The upload page states the limit and refuses a larger file naming it.
    let mut browser = Client::signed_in(router, "staff").await;
    let page = browser.get("/imports").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("1 MB"), "the page states the limit");
    let csrf = page.form_csrf("/imports").expect("csrf field");
    let community = f.community_id.to_string();
    let res = browser
        .post_multipart(
            "/imports",
            &[("csrf", &csrf), ("community_id", &community)],
            ("file", "big.csv", big),
        )
        .await;
    res.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text().contains("1 MB"), "{}", res.text());
    let imports = app
        .imports(&f.staff, f.community_id)
        .await
        .expect("imports");
    assert_eq!(imports.len(), 1, "only the small import was recorded");
}
