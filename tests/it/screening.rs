//! Integration tests of screening campaigns: questions, scope, sub-teams, households and
//! attempts, the travel register they update, progress counts, idempotency, exports, roles and
//! jurisdiction.

mod attempts;
mod campaigns;
mod enrolment;
mod export;
mod pages;
mod reach;
mod teams;

use app::screening::{AttemptInput, CampaignInput, HouseholdQuery};
use app::{Actor, App};
use domain::page::PageRequest;
use sqlx::Row;
use store::audit::AuditFilter;

use crate::support::{Fixture, citizen_id, household, raw_resident};

fn campaign_input(name: &str) -> CampaignInput {
    CampaignInput {
        name: name.to_owned(),
        questions: vec![("4201".to_owned(), "2020-01-10".to_owned())],
        grid_ids: Vec::new(),
        unreachable_after: String::new(),
    }
}

fn attempt(method: &str, outcome: &str, key: &str) -> AttemptInput {
    AttemptInput {
        method: method.to_owned(),
        outcome: outcome.to_owned(),
        idempotency_key: key.to_owned(),
        ..Default::default()
    }
}

async fn audit_len(app: &App, f: &Fixture) -> usize {
    app.audit_trail(&f.admin, &AuditFilter::default(), 100_000)
        .await
        .expect("audit")
        .len()
}

/// Households: 1号楼 rooms 1-201, 1-20, 1-3 and 2-101 (grid 1), 3号楼 1-301 (grid 2); the
/// first has two residents. Returns (households in building order, the two residents).
async fn homes(app: &App, f: &Fixture) -> (Vec<i64>, [i64; 2]) {
    let h201 = household(app, &f.staff, f.building1_id, "1", "201").await;
    let h20 = household(app, &f.staff, f.building1_id, "1", "20").await;
    let h3 = household(app, &f.staff, f.building1_id, "1", "3").await;
    let h2101 = household(app, &f.staff, f.building1_id, "2", "101").await;
    let h301 = household(app, &f.staff, f.building3_id, "1", "301").await;
    let a = app
        .create_resident(&f.staff, h201, &raw_resident("张三", &citizen_id(1), ""))
        .await
        .expect("resident");
    let b = app
        .create_resident(&f.staff, h201, &raw_resident("李四", &citizen_id(2), ""))
        .await
        .expect("resident");
    // Natural order: room 3, 20, 201 of unit 1, then unit 2, then the next building.
    (vec![h3, h20, h201, h2101, h301], [a, b])
}

/// A campaign with one team holding the grid worker (grid 1), assigned by grid, opened.
async fn open_campaign(app: &App, f: &Fixture) -> (i64, i64) {
    let c = app
        .create_campaign(&f.staff, f.community_id, &campaign_input("Hubei returnees"))
        .await
        .expect("campaign");
    let team = app
        .create_screening_team(&f.staff, c, "Team 1", &[f.grid_worker.account_id])
        .await
        .expect("team");
    let moved = app
        .assign_screening_by_grid(&f.staff, c)
        .await
        .expect("assign by grid");
    assert_eq!(
        moved, 4,
        "grid 1's four households go to the grid worker's team"
    );
    app.transition_campaign(&f.staff, c, "open")
        .await
        .expect("open");
    (c, team)
}

async fn my_list(app: &App, actor: &Actor, c: i64) -> Vec<(i64, String)> {
    app.screening_households(
        actor,
        c,
        &HouseholdQuery {
            mine: true,
            ..Default::default()
        },
        PageRequest::new(None, Some(100)),
    )
    .await
    .expect("list")
    .items
    .into_iter()
    .map(|h| (h.household_id, h.state.code().to_owned()))
    .collect()
}

/// The kept counts equal a count over the households.
async fn assert_counts_match_households(app: &App, c: i64) {
    let mut conn = app.db.conn().await.expect("connection");
    let kept: Vec<(i64, i64, i64, i64)> = sqlx::query(
        "SELECT team_id, grid_id, open_households + 10 * unreachable_households + 100 * done_households, \
         matched_residents FROM screening_counts WHERE campaign_id = $1 \
         AND open_households + unreachable_households + done_households > 0 ORDER BY team_id, grid_id",
    )
    .bind(c)
    .fetch_all(&mut *conn)
    .await
    .expect("counts")
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
    .collect();
    let counted: Vec<(i64, i64, i64, i64)> = sqlx::query(
        "SELECT team_id, grid_id, \
         CAST(SUM(CASE state WHEN 'open' THEN 1 WHEN 'unreachable' THEN 10 ELSE 100 END) AS BIGINT), \
         CAST(SUM(matched) AS BIGINT) FROM screening_households WHERE campaign_id = $1 GROUP BY team_id, grid_id \
         ORDER BY team_id, grid_id",
    )
    .bind(c)
    .fetch_all(&mut *conn)
    .await
    .expect("count")
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
    .collect();
    assert_eq!(kept, counted);
}

async fn other_staff(app: &App, f: &Fixture) -> Actor {
    let input = app::accounts::AccountInput {
        username: "otherstaff".to_owned(),
        display_name: "Other staff".to_owned(),
        password: crate::support::PASSWORD.to_owned(),
        role: "community_staff".to_owned(),
        level: "community".to_owned(),
        scope_id: f.other_community_id,
        active: true,
    };
    let id = app.create_account(&f.admin, &input).await.expect("account");
    Actor {
        account_id: id,
        username: input.username,
        display_name: input.display_name,
        role: domain::access::Role::CommunityStaff,
        jurisdiction: domain::access::Jurisdiction::new(
            domain::access::Level::Community,
            f.other_community_id,
        ),
        language: "en".to_owned(),
    }
}
