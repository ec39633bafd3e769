//! Households and residents: creating, searching, masking, refusing duplicates and paging.

use std::collections::HashSet;

use app::ErrorCode;
use app::registry::ResidentQuery;
use domain::citizen_id::CitizenId;
use domain::page::PageRequest;
use domain::resident::date_from_text;

use crate::support::{
    TestDb, assert_conflict, assert_field_error, audit_action, audit_trail, citizen_id, every_page,
    household, household_input, raw_resident, resident, search_residents, with_bad_check_char,
};

/// A citizen ID with sequence 123 whose check character is X, so its masked form is exactly
/// `610825********123X`.
fn id_ending_123x() -> String {
    (1..=12)
        .flat_map(|m| (1..=28).map(move |d| format!("1985-{m:02}-{d:02}")))
        .map(|day| {
            let birth = date_from_text(&day).expect("a real date");
            CitizenId::compose("610825", birth, 123)
                .expect("valid parts")
                .as_str()
                .to_owned()
        })
        .find(|id| id.ends_with('X'))
        .expect("about one in eleven IDs ends with X")
}

#[tokio::test]
async fn residents_are_found_by_name_id_phone_and_room_and_shown_masked() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let h = app
        .create_household(
            &f.staff,
            &household_input(f.building1_id, "1", "101", "138 0013 8000"),
        )
        .await
        .expect("household");
    let h2 = household(app, &f.staff, f.building3_id, "2", "502").await;
    let zhang_id = id_ending_123x();
    let zhang = app
        .create_resident(
            &f.staff,
            h,
            &raw_resident("张三", &zhang_id, "139 1234 5678"),
        )
        .await
        .expect("张三");
    let zhang2 = app
        .create_resident(
            &f.staff,
            h,
            &raw_resident("张三丰", &citizen_id(1), "13900000001"),
        )
        .await
        .expect("张三丰");
    let li = app
        .create_resident(&f.grid_worker, h, &raw_resident("李四", &citizen_id(2), ""))
        .await
        .expect("李四");
    let wang = resident(app, &f, h2, "王五", 3).await;

    let search = async |q: &str| search_residents(app, &f.staff, q).await;
    // By name; by exact ID, found through the keyed index, where a lower-case x is the same
    // number; by phone; by room.
    for (q, expected) in [
        ("张三".to_owned(), vec![zhang, zhang2]),
        ("李".to_owned(), vec![li]),
        (zhang_id.clone(), vec![zhang]),
        (zhang_id.to_lowercase(), vec![zhang]),
        ("+86 139-1234-5678".to_owned(), vec![zhang]),
        ("101".to_owned(), vec![zhang, zhang2, li]),
        ("502".to_owned(), vec![wang]),
        ("赵".to_owned(), vec![]),
    ] {
        let found = search(&q).await;
        assert_eq!(
            found.items.iter().map(|r| r.id).collect::<Vec<_>>(),
            expected,
            "{q}"
        );
    }
    let by_id = search(&zhang_id.to_lowercase()).await;

    // Lists show masked numbers and never the full ones.
    let r = by_id.items.first().expect("张三 found");
    assert_eq!(r.particulars.document_masked, "610825********123X");
    assert_eq!(r.particulars.phone.as_deref(), Some("139****5678"));
    assert_eq!(r.particulars.name, "张三");
    assert_eq!(r.address.building_name, "1号楼");
    assert_eq!(r.address.room, "101");
    let all = app
        .residents(&f.staff, &ResidentQuery::default(), PageRequest::first())
        .await
        .expect("list");
    assert_eq!(all.items.len(), 4);
    let listed = serde_json::to_string(&all.items).expect("json");
    assert!(!listed.contains(&zhang_id), "full ID leaked: {listed}");
    assert!(!listed.contains("13912345678"), "full phone leaked");
    assert!(!listed.contains(&citizen_id(1)), "full ID leaked");

    let (detail, merges) = app.resident(&f.staff, zhang).await.expect("detail");
    assert_eq!(detail.particulars.document_masked, "610825********123X");
    assert_eq!(detail.particulars.phone.as_deref(), Some("139****5678"));
    // Derived from the ID number.
    assert_eq!(detail.particulars.sex.map(|s| s.code()), Some("male"));
    assert!(merges.is_empty());

    let (hh, members) = app.household(&f.staff, h).await.expect("household");
    assert_eq!(hh.phone.as_deref(), Some("138****8000"));
    assert_eq!(hh.members, 3);
    assert_eq!(members.len(), 3);
    assert!(members.iter().all(|m| {
        m.particulars
            .phone
            .as_deref()
            .is_none_or(|p| p.contains("****"))
    }));
}

#[tokio::test]
async fn duplicates_and_invalid_numbers_are_refused_with_field_codes() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;
    let h3 = household(app, &f.staff, f.building3_id, "1", "101").await;
    let id = citizen_id(7);
    app.create_resident(&f.staff, h, &raw_resident("张三", &id, ""))
        .await
        .expect("first");

    // The same person again, even in another household and written differently.
    assert_field_error(
        app.create_resident(&f.staff, h3, &raw_resident("张三", &id, ""))
            .await,
        "document_number",
        "duplicate_document",
    );
    let full_width: String = id
        .chars()
        .map(|c| char::from_u32(u32::from(c) - u32::from('0') + 0xFF10).expect("digit"))
        .collect();
    assert_field_error(
        app.create_resident(&f.staff, h3, &raw_resident("张三", &full_width, ""))
            .await,
        "document_number",
        "duplicate_document",
    );

    assert_field_error(
        app.create_resident(
            &f.staff,
            h,
            &raw_resident("李四", &with_bad_check_char(&citizen_id(8)), ""),
        )
        .await,
        "document_number",
        "citizen_id_check_digit",
    );
    assert_field_error(
        app.create_resident(&f.staff, h, &raw_resident("李四", &citizen_id(8), "12345"))
            .await,
        "phone",
        "phone_format",
    );
    assert_field_error(
        app.create_resident(&f.staff, h, &raw_resident("", &citizen_id(8), ""))
            .await,
        "name",
        "required",
    );

    // Same building, unit and room: refused; same room in another unit or building: fine.
    assert_field_error(
        app.create_household(&f.staff, &household_input(f.building1_id, "1", "101", ""))
            .await,
        "room",
        "duplicate_household",
    );
    household(app, &f.staff, f.building1_id, "2", "101").await;
    assert_field_error(
        app.create_household(
            &f.staff,
            &household_input(f.building1_id, "3", "301", "555"),
        )
        .await,
        "phone",
        "phone_format",
    );
    assert_field_error(
        app.create_household(&f.staff, &household_input(999_999, "1", "101", ""))
            .await,
        "building_id",
        "unknown_building",
    );

    // Nothing refused was stored.
    let all = app
        .residents(&f.staff, &ResidentQuery::default(), PageRequest::first())
        .await
        .expect("list");
    assert_eq!(all.items.len(), 1);
}

#[tokio::test]
async fn an_edit_on_a_stale_version_is_a_conflict() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;
    let h2 = household(app, &f.staff, f.building2_id, "1", "201").await;
    let id = citizen_id(11);
    let r = app
        .create_resident(&f.staff, h, &raw_resident("张三", &id, "13800000001"))
        .await
        .expect("create");
    let (before, _) = app.resident(&f.staff, r).await.expect("read");
    assert_eq!(before.version, 1);

    let mut edit = raw_resident("张三", &id, "13800000002");
    edit.travel_status = "外地返回".to_owned();
    edit.travel_origin = "武汉".to_owned();
    edit.returned_on = "2020-01-22".to_owned();
    app.update_resident(&f.grid_worker, r, before.version, h2, &edit)
        .await
        .expect("first edit on the current version");
    let (after, _) = app.resident(&f.staff, r).await.expect("read");
    assert_eq!(after.version, 2);
    assert_eq!(after.address.household_id, h2);
    assert_eq!(after.address.building_name, "2号楼");
    assert_eq!(after.particulars.phone.as_deref(), Some("138****0002"));
    assert_eq!(after.particulars.travel_status.code(), "returned");
    assert_eq!(after.particulars.travel_origin.as_deref(), Some("武汉"));
    assert_eq!(after.particulars.returned_on.as_deref(), Some("2020-01-22"));

    // A second editor still holding version 1 loses, and changes nothing.
    let other = raw_resident("张三改", &id, "13800000003");
    let stale = app
        .update_resident(&f.staff, r, before.version, h, &other)
        .await;
    assert_conflict(stale, ErrorCode::StaleVersion);
    let (still, _) = app.resident(&f.staff, r).await.expect("read");
    assert_eq!(still.particulars.name, "张三");
    assert_eq!(still.version, 2);

    // Taking another resident's number in an edit is refused too.
    let r2 = resident(app, &f, h, "李四", 12).await;
    assert_field_error(
        app.update_resident(&f.staff, r2, 1, h, &raw_resident("李四", &id, ""))
            .await,
        "document_number",
        "duplicate_document",
    );

    // The edit is in the audit trail, masked.
    let trail = audit_trail(app, &f.auditor, audit_action("resident_update")).await;
    assert_eq!(trail.len(), 1);
    let entry = &trail[0];
    assert_eq!(entry.account_name, "gridworker");
    assert_eq!(entry.object_id, r.to_string());
    let after_state = entry.after.as_deref().expect("after state");
    assert!(after_state.contains("138****0002"), "{after_state}");
    assert!(!after_state.contains("13800000002"), "{after_state}");
    assert!(!after_state.contains(&id), "{after_state}");
}

#[tokio::test]
async fn keyset_pages_walk_every_resident_once() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let mut homes = Vec::new();
    for (i, building) in [f.building1_id, f.building2_id, f.building3_id]
        .into_iter()
        .enumerate()
    {
        for room in 0..4 {
            homes.push(household(app, &f.admin, building, "1", &format!("{}0{room}", i + 1)).await);
        }
    }
    let mut created = HashSet::new();
    for n in 0..120_u32 {
        let home = homes[n as usize % homes.len()];
        let id = app
            .create_resident(
                &f.staff,
                home,
                &raw_resident(&format!("居民{n:03}"), &citizen_id(100 + n), ""),
            )
            .await
            .expect("create resident");
        assert!(created.insert(id));
    }

    let pages = every_page(50, async |p| {
        app.residents(&f.staff, &ResidentQuery::default(), p).await
    })
    .await;
    assert_eq!(pages.len(), 3);
    for page in &pages {
        assert!(page.items.len() <= 50);
        if let Some(next) = page.next {
            assert_eq!(Some(next), page.items.last().map(|r| r.id));
        }
    }
    let seen: Vec<i64> = pages.iter().flat_map(|p| &p.items).map(|r| r.id).collect();
    assert_eq!(seen.len(), 120, "each resident once");
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), 120, "no duplicates");
    assert_eq!(unique, created, "none missing");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "in key order");

    // Households page the same way, within a building filter.
    let pages = every_page(5, async |p| {
        app.households(&f.staff, &store::registry::HouseholdFilter::default(), p)
            .await
    })
    .await;
    let households: Vec<i64> = pages.iter().flat_map(|p| &p.items).map(|h| h.id).collect();
    assert_eq!(households, homes);
}

#[tokio::test]
async fn a_search_by_id_number_is_posted_and_kept_out_of_links_and_caches() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;
    let number = citizen_id(7);
    app.create_resident(&f.staff, h, &raw_resident("赵六", &number, ""))
        .await
        .expect("resident");
    let mut staff = crate::http::Client::new(server::router(app.clone()));
    staff.sign_in("staff").await;
    let csrf = staff
        .get("/residents")
        .await
        .text()
        .split("data-csrf=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(str::to_owned)
        .expect("the search form carries the token for a posted search");

    let res = staff
        .post_form("/residents", &[("csrf", &csrf), ("q", &number)])
        .await;
    assert_eq!(res.status, axum::http::StatusCode::OK);
    assert_eq!(
        res.header(axum::http::header::CACHE_CONTROL),
        Some("no-store")
    );
    let html = res.text();
    let table = &html[html
        .find("data-testid=\"resident-table\"")
        .expect("results")..];
    assert!(
        table.contains("赵六"),
        "the posted search finds the resident"
    );
    for link in html.split("href=\"").skip(1) {
        let link = link.split('"').next().unwrap_or("");
        assert!(!link.contains(&number), "a link carries the number: {link}");
    }

    let refused = staff.post_form("/residents", &[("q", &number)]).await;
    assert_eq!(refused.status, axum::http::StatusCode::FORBIDDEN);
}
