//! The quarantine roster: the list's filters (grid, building, type, end day) and its count, the
//! export of what a filter selects with its audit entry, the printed roster of a grid, where a
//! resident stands in quarantine on the registry's pages, and forms that keep what was typed.

use app::quarantine::{OrderInput, OrderQuery};
use axum::http::StatusCode;
use domain::page::PageRequest;
use domain::quarantine::Standing;

use crate::http::Client;
use crate::support::{
    Fixture, TestDb, assert_field_error, audit_action, audit_trail, citizen_id,
    family_and_neighbour,
};

/// An order of `kind` that started `ago` days before today and lasts 14 days.
fn started(app: &app::App, kind: &str, ago: i64) -> OrderInput {
    let start = app
        .today()
        .checked_sub(jiff::Span::new().days(ago))
        .expect("a date");
    crate::support::returnee_order(kind, start)
}

struct Homes {
    /// 1号楼 (grid 1): 张三 ends today (home), 李四 ends tomorrow (centralised), 王五 none.
    household: i64,
    members: Vec<i64>,
    /// 3号楼 (grid 2): 赵六, planned from tomorrow (home).
    other: i64,
}

async fn homes(app: &app::App, f: &Fixture) -> Homes {
    let (h, members, _, other) = family_and_neighbour(app, f).await;
    app.create_quarantine(&f.staff, members[0], &started(app, "home", 14))
        .await
        .expect("ends today");
    app.create_quarantine(&f.staff, members[1], &started(app, "centralised", 13))
        .await
        .expect("ends tomorrow");
    app.create_quarantine(&f.staff, other, &started(app, "home", -1))
        .await
        .expect("planned");
    Homes {
        household: h,
        members,
        other,
    }
}

/// The names of the first page of orders the query selects, and the list's count of them.
async fn selected(app: &app::App, f: &Fixture, q: OrderQuery) -> (Vec<String>, i64) {
    let page = app
        .quarantine_orders(&f.staff, &q, PageRequest::first())
        .await
        .expect("orders");
    let count = app
        .count_quarantine_orders(&f.staff, &q)
        .await
        .expect("count");
    assert!(!count.more);
    let mut names: Vec<String> = page.items.into_iter().map(|o| o.resident_name).collect();
    names.sort();
    (names, count.n)
}

#[tokio::test]
async fn the_list_filters_by_grid_building_type_and_end_day_and_counts_what_it_selects() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    homes(app, &f).await;
    let q = |grid, building, kind: &str, ends: &str| OrderQuery {
        grid_id: grid,
        building_id: building,
        kind: Some(kind.to_owned()),
        ends: Some(ends.to_owned()),
        ..OrderQuery::default()
    };
    let names = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        selected(app, &f, q(None, None, "", "")).await,
        (names(&["张三", "李四", "赵六"]), 3)
    );
    assert_eq!(
        selected(app, &f, q(None, None, "", "today")).await,
        (names(&["张三"]), 1)
    );
    assert_eq!(
        selected(app, &f, q(None, None, "", "tomorrow")).await,
        (names(&["李四"]), 1)
    );
    assert_eq!(
        selected(app, &f, q(Some(f.grid1_id), None, "", "")).await,
        (names(&["张三", "李四"]), 2)
    );
    assert_eq!(
        selected(app, &f, q(Some(f.grid2_id), Some(f.building3_id), "", "")).await,
        (names(&["赵六"]), 1)
    );
    assert_eq!(
        selected(app, &f, q(None, Some(f.building2_id), "", "")).await,
        (Vec::new(), 0)
    );
    assert_eq!(
        selected(app, &f, q(None, None, "centralised", "")).await,
        (names(&["李四"]), 1)
    );
    assert_eq!(
        selected(app, &f, q(Some(f.grid1_id), None, "home", "today")).await,
        (names(&["张三"]), 1)
    );
    // A planned order is counted with the planned ones only.
    let planned = OrderQuery {
        state: Some("planned".to_owned()),
        ..OrderQuery::default()
    };
    assert_eq!(selected(app, &f, planned).await, (names(&["赵六"]), 1));
    // Another community's staff counts none of them.
    let other_staff = crate::support::account(
        app,
        "staff2",
        domain::access::Role::CommunityStaff,
        domain::access::Jurisdiction::new(domain::access::Level::Community, f.other_community_id),
    )
    .await;
    let none = app
        .count_quarantine_orders(&other_staff, &OrderQuery::default())
        .await
        .expect("count");
    assert_eq!(none.n, 0);
    assert_field_error(
        app.count_quarantine_orders(&f.staff, &q(None, None, "", "someday"))
            .await,
        "ends",
        "unknown_ends",
    );
    assert_field_error(
        app.count_quarantine_orders(&f.staff, &q(None, None, "boat", ""))
            .await,
        "kind",
        "unknown_kind",
    );
}

#[tokio::test]
async fn the_export_holds_what_the_filter_selects_masked_and_is_audited() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    homes(app, &f).await;
    let router = server::router(app.clone());
    let mut staff = Client::signed_in(router.clone(), "staff").await;

    let res = staff
        .get(&format!(
            "/quarantine/export?format=csv&grid={}",
            f.grid1_id
        ))
        .await;
    res.assert_status(StatusCode::OK);
    assert!(
        res.header(axum::http::header::CONTENT_TYPE)
            .is_some_and(|t| t.starts_with("text/csv"))
    );
    let csv = res.text();
    let lines: Vec<&str> = csv.trim().lines().collect();
    assert_eq!(lines.len(), 3, "a header and grid 1's two orders: {csv}");
    assert!(lines[0].contains("证件号码") && lines[0].contains("截止日期"));
    assert!(csv.contains("张三") && csv.contains("李四") && !csv.contains("赵六"));
    assert!(
        csv.contains("集中隔离") && csv.contains("居家隔离"),
        "types in words"
    );
    assert!(!csv.contains(&citizen_id(1)), "no whole ID number");
    let masked = app
        .resident(
            &f.staff,
            app.residents(&f.staff, &Default::default(), PageRequest::first())
                .await
                .expect("residents")
                .items
                .iter()
                .find(|r| r.particulars.name == "张三")
                .expect("张三")
                .id,
        )
        .await
        .expect("resident")
        .0
        .particulars
        .document_masked;
    assert!(csv.contains(&masked), "the masked number {masked}");

    let entries = audit_trail(app, &f.admin, audit_action("quarantine_export")).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].account_name, "staff");
    let after: serde_json::Value =
        serde_json::from_str(entries[0].after.as_deref().expect("after")).expect("json");
    assert_eq!(after["rows"], 2);
    assert_eq!(after["format"], "csv");
    assert_eq!(after["grid_id"], f.grid1_id);

    let xlsx = staff.get("/quarantine/export?format=xlsx&ends=today").await;
    xlsx.assert_status(StatusCode::OK);
    assert!(xlsx.body.starts_with(b"PK"), "a workbook");
    assert_eq!(
        audit_trail(app, &f.admin, audit_action("quarantine_export"))
            .await
            .len(),
        2
    );

    // A doctor reads orders but exports nothing; a guard reads none.
    let mut doctor = Client::signed_in(router.clone(), "doctor").await;
    assert_eq!(
        doctor.get("/quarantine/export?format=csv").await.status,
        StatusCode::FORBIDDEN
    );
    let mut guard = Client::signed_in(router, "guard").await;
    assert_eq!(
        guard.get("/quarantine/export?format=csv").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        audit_trail(app, &f.admin, audit_action("quarantine_export"))
            .await
            .len(),
        2
    );
}

#[tokio::test]
async fn a_grid_prints_its_roster_with_masked_names_and_a_box_per_check() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let homes = homes(app, &f).await;
    let (grid, lines) = app
        .grid_quarantine_roster(&f.staff, f.grid1_id)
        .await
        .expect("roster");
    assert_eq!(grid.id, f.grid1_id);
    let ids: Vec<i64> = lines.iter().map(|l| l.order.resident_id).collect();
    assert_eq!(ids, homes.members[..2].to_vec(), "by room, then name");

    let router = server::router(app.clone());
    let mut staff = Client::signed_in(router.clone(), "staff").await;
    let page = staff
        .get(&format!("/quarantine/roster?grid={}", f.grid1_id))
        .await;
    page.assert_status(StatusCode::OK);
    let html = page.text();
    assert_eq!(html.matches("data-testid=\"roster-line\"").count(), 2);
    assert!(html.contains("张*") && html.contains("李*"), "masked names");
    assert!(
        !html.contains("张三") && !html.contains("赵"),
        "no whole name, no other grid"
    );
    assert_eq!(
        html.matches("class=\"box\"").count(),
        4,
        "morning and evening each"
    );
    assert!(html.contains("今天到期"), "张三's last day is today");

    // A grid worker prints his own grid's roster, and no other.
    let mut worker = Client::signed_in(router, "gridworker").await;
    let own = worker
        .get(&format!("/quarantine/roster?grid={}", f.grid1_id))
        .await;
    own.assert_status(StatusCode::OK);
    let other = worker
        .get(&format!("/quarantine/roster?grid={}", f.grid2_id))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_registry_shows_where_a_resident_stands_in_quarantine() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let homes = homes(app, &f).await;
    let mut ids = homes.members.clone();
    ids.push(homes.other);
    let standings = app
        .quarantine_standings(&f.staff, &ids)
        .await
        .expect("standings");
    assert_eq!(standings.get(&homes.members[0]), Some(&Standing::EndsToday));
    let tomorrow = app.today().tomorrow().expect("tomorrow");
    assert_eq!(
        standings.get(&homes.members[1]),
        Some(&Standing::Until { end: tomorrow })
    );
    assert_eq!(standings.get(&homes.members[2]), None);
    assert_eq!(
        standings.get(&homes.other),
        Some(&Standing::Planned { start: tomorrow })
    );
    // A guard reads no orders, so no standing either.
    assert!(
        app.quarantine_standings(&f.guard, &ids)
            .await
            .expect("none")
            .is_empty()
    );

    let router = server::router(app.clone());
    let mut staff = Client::signed_in(router, "staff").await;
    let list = staff.get("/residents").await;
    list.assert_status(StatusCode::OK);
    let html = list.text();
    assert!(html.contains("今天到期"));
    assert!(html.contains(&format!("隔离至 {tomorrow}")));
    assert!(html.contains(&format!("计划 {tomorrow} 开始隔离")));
    let page = staff.get(&format!("/residents/{}", homes.members[1])).await;
    let html = page.text();
    assert!(html.contains("resident-standing") && html.contains(&format!("隔离至 {tomorrow}")));
    let free = staff.get(&format!("/residents/{}", homes.members[2])).await;
    let html = free.text();
    assert!(!html.contains("resident-standing"));
    assert!(
        html.contains(&format!("/quarantine/households/{}#place", homes.household)),
        "a button to register an order for the household"
    );
    let household = staff.get(&format!("/households/{}", homes.household)).await;
    assert!(household.text().contains("data-testid=\"register-order\""));
}

#[tokio::test]
async fn the_list_pages_count_filter_and_lead_to_the_order_form() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let homes = homes(app, &f).await;
    let router = server::router(app.clone());
    let mut staff = Client::signed_in(router, "staff").await;

    let list = staff
        .get(&format!("/quarantine?grid={}&ends=today", f.grid1_id))
        .await;
    list.assert_status(StatusCode::OK);
    let html = list.text();
    assert!(html.contains("共 1 人"), "the count");
    assert_eq!(html.matches("data-testid=\"order-row\"").count(), 1);
    assert!(html.contains(&format!("/quarantine/roster?grid={}", f.grid1_id)));
    assert!(html.contains(&format!("/quarantine/households/{}#place", homes.household)));
    assert!(
        html.contains("1号楼") && html.contains("2号楼"),
        "the grid's buildings"
    );

    // The household is picked by building and room.
    let found = staff
        .get(&format!(
            "/quarantine/new?grid={}&building={}&room=101",
            f.grid1_id, f.building1_id
        ))
        .await;
    assert_eq!(found.status, StatusCode::SEE_OTHER);
    assert_eq!(
        found.location(),
        Some(format!("/quarantine/households/{}#place", homes.household).as_str())
    );
    let missing = staff
        .get(&format!(
            "/quarantine/new?grid={}&building={}&room=909",
            f.grid1_id, f.building1_id
        ))
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = missing.text();
    assert!(html.contains("data-testid=\"field-error-room\""));
    assert!(html.contains("value=\"909\""), "the room typed");
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"error-room\""));
}

#[tokio::test]
async fn a_refused_order_form_keeps_what_was_typed_and_names_the_field() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let homes = homes(app, &f).await;
    let router = server::router(app.clone());
    let mut staff = Client::signed_in(router, "staff").await;

    let page = format!("/quarantine/households/{}", homes.household);
    let csrf = staff.session_csrf(&page, &page).await;
    let member = homes.members[2].to_string();
    let refused = staff
        .post_form(
            &page,
            &[
                ("csrf", &csrf),
                ("resident_id", &member),
                ("reason", "case_contact"),
                ("kind", "centralised"),
                ("start_date", "2020-02-01"),
                ("days", "999"),
                ("doctor_id", ""),
                ("grid_worker_id", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(html.contains("value=\"999\"") && html.contains("value=\"2020-02-01\""));
    assert!(html.contains(&format!("value=\"{member}\" selected")));
    assert!(html.contains("value=\"case_contact\" selected"));
    assert!(html.contains("value=\"centralised\" selected"));
    assert!(
        html.contains("应为 1 至 365 天。"),
        "the message in Chinese"
    );
    assert!(html.contains("id=\"error-days\""));
    assert!(html.contains("aria-describedby=\"error-days\""));
    assert!(
        !html.contains("aria-describedby=\"error-reason\""),
        "only the refused field"
    );

    // A member already in quarantine is named on the member field.
    let busy = homes.members[0].to_string();
    let refused = staff
        .post_form(
            &page,
            &[
                ("csrf", &csrf),
                ("resident_id", &busy),
                ("reason", "returnee"),
                ("kind", "home"),
                ("days", "14"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .contains("data-testid=\"field-error-resident_id\"")
    );

    // The order page's duration form keeps the days typed and names the missing reason.
    let id = app
        .quarantine_orders(
            &f.staff,
            &OrderQuery {
                resident_id: Some(homes.members[1]),
                ..OrderQuery::default()
            },
            PageRequest::first(),
        )
        .await
        .expect("orders")
        .items[0]
        .id;
    let action = format!("/quarantine/{id}/duration");
    let csrf = staff
        .session_csrf(&format!("/quarantine/{id}"), &action)
        .await;
    let refused = staff
        .post_form(&action, &[("csrf", &csrf), ("days", "21"), ("reason", "")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(html.contains("id=\"d-days\" name=\"days\" inputmode=\"numeric\" value=\"21\""));
    assert!(html.contains("data-testid=\"field-error-reason\""));
    assert!(html.contains("必须填写原因。"));
}
