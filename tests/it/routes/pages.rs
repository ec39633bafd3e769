//! Every page for the roles that use it, with no full ID number on any of them.

use axum::http::{StatusCode, header};

use crate::http::{Client, full_citizen_id};
use crate::support::{TestDb, citizen_id, household, raw_resident};

#[tokio::test]
async fn every_page_renders_for_its_role_without_full_id_numbers() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let h1 = household(app, &f.staff, f.building1_id, "1", "101").await;
    let number = citizen_id(21);
    let phone = "13912345678";
    let r1 = app
        .create_resident(&f.staff, h1, &raw_resident("赵六", &number, phone))
        .await
        .expect("create resident");
    let router = server::router(app.clone());

    let pages = [
        format!("/communities/{}", f.community_id),
        format!("/grids/{}", f.grid1_id),
        format!("/buildings/{}", f.building1_id),
        format!("/households/{h1}"),
        "/residents".to_owned(),
        "/residents?q=赵".to_owned(),
        format!("/residents?q={number}"),
        format!("/residents/{r1}"),
        format!("/residents/{r1}/edit"),
        "/imports".to_owned(),
        format!("/households/{h1}/residents/new"),
    ];
    let mut staff = Client::signed_in(router.clone(), "staff").await;
    // A worker of one community finds their community's today at home, linked to its page.
    let home = staff.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.text()
            .contains(&format!("href=\"/communities/{}\"", f.community_id))
    );
    for page in &pages {
        let path = page.replace('赵', "%E8%B5%B5");
        let res = staff.get(&path).await;
        assert_eq!(res.status, StatusCode::OK, "GET {page}: {}", res.text());
        assert!(
            res.header(header::CONTENT_TYPE)
                .is_some_and(|c| c.starts_with("text/html")),
            "GET {page} is HTML"
        );
        let html = res.text();
        assert!(html.contains("</html>"), "GET {page} is a whole page");
        // A search by number echoes what the user typed (search box, paging and export
        // links); everything else, the results included, shows numbers masked.
        let typed = page.contains(number.as_str());
        let scanned = if typed {
            html.replace(number.as_str(), "")
        } else {
            html.clone()
        };
        assert_eq!(
            full_citizen_id(&scanned),
            None,
            "GET {page} shows a full ID"
        );
        assert!(!html.contains(phone), "GET {page} shows the full phone");
        if typed {
            let start = html
                .find("data-testid=\"resident-table\"")
                .expect("the results table");
            let table = &html[start..];
            let table = &table[..table.find("</table>").expect("the table ends")];
            assert!(
                table.contains("赵六"),
                "search by ID number finds the resident"
            );
            assert!(!table.contains(number.as_str()), "the result is masked");
        }
    }

    let mut admin = Client::signed_in(router.clone(), "admin").await;
    for page in ["/", "/accounts", "/audit"] {
        let res = admin.get(page).await;
        assert_eq!(res.status, StatusCode::OK, "admin GET {page}");
    }
    let mut auditor = Client::signed_in(router.clone(), "auditor").await;
    let res = auditor.get("/audit").await;
    assert_eq!(res.status, StatusCode::OK, "auditor GET /audit");
    assert_eq!(full_citizen_id(&res.text()), None, "the audit page");

    // Signed out, every page sends the browser to sign in and back.
    let mut anon = Client::new(router);
    let all = pages
        .iter()
        .map(String::as_str)
        .chain(["/", "/audit", "/accounts"]);
    for page in all {
        let path = page.replace('赵', "%E8%B5%B5");
        let res = anon.get(&path).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "signed out GET {page}");
        let expected = format!("/login?next={}", login_next(&path));
        assert_eq!(res.location(), Some(expected.as_str()), "GET {page}");
    }
}

/// How the server writes a path into `next`: unreserved characters and `/` as they are.
fn login_next(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
