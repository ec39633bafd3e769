//! Each role's home: a community's today read from counts kept with every write (which must
//! equal a direct count of the rows), the home each role lands on, and the menu kept on error
//! pages and limited to what the role may open.

use app::checks::CheckInput;
use app::home::QuarantineNow;
use app::{Actor, App};
use axum::http::{StatusCode, header};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::http::Client;
use crate::support::{TestDb, resident_in_quarantine};

/// The community's local `date` at `h:m`, as an instant.
fn at(app: &App, date: Date, h: i8, m: i8) -> Timestamp {
    date.at(h, m, 0, 0)
        .to_zoned_datetime(app.settings.time_zone.clone())
        .expect("a local time")
        .timestamp()
}

fn check(temperature: &str, correction: &str) -> CheckInput {
    CheckInput {
        temperature: temperature.to_owned(),
        method: "doctor_call".to_owned(),
        correction_reason: correction.to_owned(),
        ..Default::default()
    }
}

/// A count over the community's rows: the slow way the kept counts replace.
async fn count(app: &App, sql: &str, community_id: i64, day: Option<&str>) -> i64 {
    let mut conn = app.db.conn().await.expect("raw connection");
    let q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned())).bind(community_id);
    let q = match day {
        Some(d) => q.bind(d.to_owned()),
        None => q,
    };
    q.fetch_one(&mut *conn).await.expect("count")
}

/// Every figure of the today against a direct count of the rows behind it.
async fn assert_counts_match(app: &App, staff: &Actor, community_id: i64) -> app::home::Today {
    let d = app
        .community_today(staff, community_id)
        .await
        .expect("today");
    let direct = |sql| count(app, sql, community_id, None);
    let active = d.quarantine.expect("staff reads quarantine").in_quarantine;
    assert_eq!(
        active,
        direct(
            "SELECT COUNT(*) FROM quarantine_orders WHERE community_id = $1 AND state = 'active'"
        )
        .await
    );
    let alerts = d.open_alerts.expect("staff reads alerts");
    let (fever, missed) = (alerts.fever, alerts.missed_check);
    assert_eq!(
        fever,
        direct(
            "SELECT COUNT(*) FROM check_alerts WHERE community_id = $1 AND kind = 'fever' \
             AND state <> 'resolved'"
        )
        .await
    );
    assert_eq!(
        missed,
        direct(
            "SELECT COUNT(*) FROM check_alerts WHERE community_id = $1 \
             AND kind = 'missed_check' AND state <> 'resolved'"
        )
        .await
    );
    assert_eq!(d.days.len(), domain::home::CHART_DAYS);
    for day in &d.days {
        let on = |sql| count(app, sql, community_id, Some(&day.day));
        assert_eq!(
            day.orders_in,
            on(
                "SELECT COUNT(*) FROM quarantine_orders WHERE community_id = $1 \
                AND start_date = $2 AND state IN ('active', 'released', 'transferred_to_hospital')"
            )
            .await,
            "orders in on {}",
            day.day
        );
        assert_eq!(
            day.orders_out,
            on("SELECT COUNT(*) FROM quarantine_orders WHERE community_id = $1 AND closed_on = $2")
                .await,
            "orders out on {}",
            day.day
        );
        for (kept, part) in [
            (day.checks_morning, "morning"),
            (day.checks_evening, "evening"),
        ] {
            let sql = format!(
                "SELECT COUNT(*) FROM checks WHERE community_id = $1 AND slot_date = $2 \
                AND slot_part = '{part}' AND superseded_at IS NULL"
            );
            let counted = count(app, &sql, community_id, Some(&day.day)).await;
            assert_eq!(kept, counted, "{part} checks on {}", day.day);
        }
        for (kept, kind) in [
            (day.fever_raised, "fever"),
            (day.missed_raised, "missed_check"),
        ] {
            let sql = format!(
                "SELECT COUNT(*) FROM check_alerts WHERE community_id = $1 AND slot_date = $2 \
                AND kind = '{kind}'"
            );
            let counted = count(app, &sql, community_id, Some(&day.day)).await;
            assert_eq!(kept, counted, "{kind} alerts raised on {}", day.day);
        }
    }
    d
}

#[tokio::test]
async fn the_today_counts_follow_orders_checks_and_alerts() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let today = app.today();
    let yesterday = today.yesterday().expect("yesterday");
    let tomorrow = today.tomorrow().expect("tomorrow");
    let (_, a) = resident_in_quarantine(app, &f, 1, &yesterday.to_string()).await;
    let (_, b) = resident_in_quarantine(app, &f, 2, &yesterday.to_string()).await;
    let (_, c) = resident_in_quarantine(app, &f, 3, &yesterday.to_string()).await;
    let (_, planned) = resident_in_quarantine(app, &f, 4, &tomorrow.to_string()).await;
    let started = assert_counts_match(app, &f.staff, f.community_id).await;
    let yesterday_row = &started.days[domain::home::CHART_DAYS - 2];
    assert_eq!(
        yesterday_row.orders_in, 3,
        "the planned order is not in yet"
    );

    // A morning check, its febrile correction (one record, one alert), a febrile check.
    let morning = at(app, today, 8, 0);
    app.record_check_at(&f.doctor, a, &check("36.6", ""), morning)
        .await
        .expect("check");
    app.record_check_at(&f.doctor, a, &check("38.1", "misread"), morning)
        .await
        .expect("correction");
    let fever_b = app
        .record_check_at(&f.doctor, b, &check("38.5", ""), morning)
        .await
        .expect("febrile check")
        .fever_alert_id
        .expect("a fever alert");
    app.resolve_alert(&f.doctor, fever_b, "called, sent to the clinic")
        .await
        .expect("resolve");
    // The slots of yesterday and this morning close: the unchecked ones are missed.
    app.run_due_jobs(at(app, today, 10, 1)).await.expect("jobs");
    // One order ends early, the planned one is cancelled before it starts.
    app.transition_quarantine(&f.staff, c, "release", "negative test twice")
        .await
        .expect("release");
    app.transition_quarantine(&f.staff, planned, "cancel", "travel called off")
        .await
        .expect("cancel");

    let d = assert_counts_match(app, &f.staff, f.community_id).await;
    let now = d.days.last().expect("today's row");
    assert_eq!(now.day, today.to_string());
    assert_eq!(
        now.checks_morning, 2,
        "the correction replaced, it did not add"
    );
    assert_eq!(now.fever_raised, 2);
    assert_eq!(now.orders_out, 1);
    assert_eq!(
        d.open_alerts.map(|o| o.fever),
        Some(1),
        "b's alert was resolved"
    );
    assert!(
        d.open_alerts.map(|o| o.missed_check) > Some(0),
        "yesterday's slots were missed"
    );
    assert_eq!(
        d.quarantine,
        Some(QuarantineNow {
            in_quarantine: 2,
            ending_today: 0
        })
    );

    // Counting everything again from the rows gives the same figures.
    let mut tx = app.db.write().await.expect("write");
    store::home_counts::recount(tx.conn(), f.community_id)
        .await
        .expect("recount");
    tx.commit().await.expect("commit");
    let again = app
        .community_today(&f.staff, f.community_id)
        .await
        .expect("today");
    assert_eq!(again.days, d.days);
    assert_eq!(again.open_alerts, d.open_alerts);

    // The other community's figures are its own.
    let other = app
        .community_today(&f.admin, f.other_community_id)
        .await
        .expect("other");
    assert_eq!(other.quarantine, Some(QuarantineNow::default()));
    assert!(other.days.iter().all(|x| x.orders_in == 0));
}

#[tokio::test]
async fn a_grid_worker_reads_their_grid_and_not_the_community_figures() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    assert!(
        app.community_today(&f.grid_worker, f.community_id)
            .await
            .is_err()
    );
    let g = app.grid_today(&f.grid_worker).await.expect("grid");
    assert_eq!(g.grid.id, f.grid1_id);
    assert!(app.grid_today(&f.staff).await.is_err());
    // Outside the jurisdiction the community does not exist.
    assert!(
        app.community_today(&f.staff, f.other_community_id)
            .await
            .is_err()
    );
}

async fn signed_in(t: &TestDb, username: &str) -> Client {
    Client::signed_in(server::router(t.app.clone()), username).await
}

#[tokio::test]
async fn the_api_gives_the_today_with_only_what_the_role_may_read() {
    let (t, f) = TestDb::with_fixture().await;
    resident_in_quarantine(&t.app, &f, 1, "").await;
    let path = format!("/api/v1/communities/{}/today", f.community_id);
    let staff = signed_in(&t, "staff").await.get(&path).await;
    assert_eq!(staff.status, StatusCode::OK);
    let d = staff.json();
    assert_eq!(d["community"]["id"], f.community_id);
    assert_eq!(d["in_quarantine"], 1);
    assert_eq!(d["ending_today"], 0);
    assert_eq!(
        d["checks"]["missing"], 1,
        "the new order is not checked yet"
    );
    assert_eq!(d["open_fever_alerts"], 0);
    assert_eq!(
        d["days"].as_array().map(Vec::len),
        Some(domain::home::CHART_DAYS)
    );
    assert_eq!(d["days"][domain::home::CHART_DAYS - 1]["orders_in"], 1);
    assert!(
        d["deliveries_due"].is_i64(),
        "the lead oversees the deliveries"
    );

    // The doctor reads quarantine and checks, not the registry's imports.
    let doctor = signed_in(&t, "doctor").await.get(&path).await.json();
    assert_eq!(doctor["in_quarantine"], 1);
    assert!(doctor["recent_imports"].is_null());
    assert!(d["recent_imports"].is_array());

    // A grid's worker reads their grid, not the community's figures; another community is not
    // there for the staff.
    let grid = signed_in(&t, "gridworker").await.get(&path).await;
    assert_eq!(grid.status, StatusCode::FORBIDDEN);
    let other = format!("/api/v1/communities/{}/today", f.other_community_id);
    let outside = signed_in(&t, "staff").await.get(&other).await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn each_role_lands_on_its_home() {
    let (t, f) = TestDb::with_fixture().await;
    resident_in_quarantine(&t.app, &f, 1, "").await;
    for (user, to) in [
        ("doctor", "/checks#alerts"),
        ("volunteer", "/tasks"),
        ("guard", "/gates/scan"),
        ("auditor", "/audit"),
    ] {
        let mut c = signed_in(&t, user).await;
        let res = c.get("/").await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{user}");
        assert_eq!(res.header(header::LOCATION), Some(to), "{user}");
    }
    let mut staff = signed_in(&t, "staff").await;
    let home = staff.get("/").await;
    home.assert_status(StatusCode::OK);
    let body = home.text();
    for testid in [
        "first-task",
        "fig-in-quarantine",
        "fig-ends-today",
        "fig-missing-checks",
        "fig-open-fever",
        "fig-open-missed",
        "fig-deliveries",
        "fig-rounds",
        "chart-checks",
        "chart-alerts",
        "chart-orders",
        "chart-orders-table",
    ] {
        assert!(body.contains(testid), "staff's today shows {testid}");
    }
    assert!(body.contains("viewBox"), "charts are drawn on the server");
    // One order is active and its two slots are due: both figures say so.
    assert!(body.contains(
        r#"data-testid="fig-in-quarantine" class="figure"><span class="big-count">1</span>"#
    ));

    let mut official = signed_in(&t, "official").await;
    let body = official.get("/").await.text();
    assert!(
        body.contains("community-cards"),
        "an official's communities side by side"
    );
    assert!(body.contains(&format!(r#"data-community="{}""#, f.community_id)));

    let mut gw = signed_in(&t, "gridworker").await;
    let body = gw.get("/").await.text();
    assert!(body.contains("grid-link"));
    assert!(body.contains(&format!("/grids/{}", f.grid1_id)));

    let mut cdc = signed_in(&t, "cdc").await;
    let body = cdc.get("/").await.text();
    assert!(body.contains("risk-map-link"));
}

/// The links of the page's menu.
fn menu(body: &str) -> Vec<String> {
    let Some(start) = body.find("<nav>") else {
        return Vec::new();
    };
    let end = body[start..]
        .find("</nav>")
        .map_or(body.len(), |e| start + e);
    body[start..end]
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn error_pages_keep_the_menu_and_the_menu_opens_for_every_role() {
    let (t, _f) = TestDb::with_fixture().await;
    let mut staff = signed_in(&t, "staff").await;
    let refused = staff.get("/accounts").await;
    refused.assert_status(StatusCode::FORBIDDEN);
    assert!(menu(&refused.text()).contains(&"/quarantine".to_owned()));
    let missing = staff.get("/no-such-page").await;
    missing.assert_status(StatusCode::NOT_FOUND);
    assert!(menu(&missing.text()).contains(&"/residents".to_owned()));
    let mut anonymous = Client::new(server::router(t.app.clone()));
    let missing = anonymous.get("/no-such-page").await;
    missing.assert_status(StatusCode::NOT_FOUND);
    assert!(menu(&missing.text()).is_empty());

    let mut refused = Vec::new();
    for user in [
        "admin",
        "official",
        "staff",
        "gridworker",
        "guard",
        "doctor",
        "volunteer",
        "cdc",
        "auditor",
    ] {
        let mut c = signed_in(&t, user).await;
        let page = c.get("/account/tokens").await;
        let links = menu(&page.text());
        assert!(!links.is_empty(), "{user} has a menu");
        for link in links {
            let res = c.get(&link).await;
            if res.status != StatusCode::OK && res.status != StatusCode::SEE_OTHER {
                refused.push(format!("{user} {link} {}", res.status));
            }
        }
    }
    assert!(refused.is_empty(), "menu links refused: {refused:?}");
}

#[tokio::test]
async fn a_page_address_with_a_malformed_id_answers_the_error_page_in_the_readers_language() {
    let (t, _f) = TestDb::with_fixture().await;
    let mut anonymous =
        Client::new(server::router(t.app.clone())).with_header(header::ACCEPT_LANGUAGE, "en");
    let res = anonymous.get("/public/abc/buildings").await;
    res.assert_status(StatusCode::NOT_FOUND);
    assert!(
        res.header(header::CONTENT_TYPE)
            .is_some_and(|v| v.starts_with("text/html")),
        "{:?}",
        res.header(header::CONTENT_TYPE)
    );
    let text = res.text();
    assert!(
        text.contains("Not found, or outside your jurisdiction."),
        "{text}"
    );
    assert!(!text.contains("Cannot parse"), "{text}");
    assert!(menu(&text).is_empty());

    // Signed in: in the reader's language, inside the menu.
    let mut staff = signed_in(&t, "staff").await;
    let res = staff.get("/quarantine/abc").await;
    res.assert_status(StatusCode::NOT_FOUND);
    let text = res.text();
    assert!(text.contains("未找到，或不在您的辖区内。"), "{text}");
    assert!(menu(&text).contains(&"/residents".to_owned()));
}
