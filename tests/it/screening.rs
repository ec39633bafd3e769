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

use app::screening::{AttemptInput, AttemptResult, CampaignInput, HouseholdQuery};
use app::{Actor, App, AppResult};
use domain::page::Page;
use domain::screening::RawAnswer;
use sqlx::Row;
use store::audit::AuditFilter;
use store::screening::CampaignHousehold;

use domain::access::{Jurisdiction, Level, Role};

use crate::support::{Fixture, account, first_page, household, resident};

fn campaign_input(name: &str) -> CampaignInput {
    CampaignInput {
        name: name.to_owned(),
        questions: vec![("4201".to_owned(), "2020-01-10".to_owned())],
        grid_ids: Vec::new(),
        unreachable_after: String::new(),
    }
}

/// A campaign over one grid of the community only.
fn over_grid(name: &str, grid_id: i64) -> CampaignInput {
    CampaignInput {
        grid_ids: vec![grid_id],
        ..campaign_input(name)
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

/// A visit that met the household, with its members' answers.
fn met_at_home(key: &str, answers: Vec<RawAnswer>) -> AttemptInput {
    AttemptInput {
        answers,
        ..attempt("visit", "met", key)
    }
}

/// A member back from province 42 (Hubei) on 20 January 2020.
fn returned(resident_id: i64) -> RawAnswer {
    RawAnswer {
        resident_id,
        travel_status: "returned".to_owned(),
        origin: "42".to_owned(),
        returned_on: "2020-01-20".to_owned(),
    }
}

/// A member who stayed in the city.
fn stayed_in_city(resident_id: i64) -> RawAnswer {
    RawAnswer {
        resident_id,
        travel_status: "stayed_in_city".to_owned(),
        ..Default::default()
    }
}

async fn audit_len(app: &App, f: &Fixture) -> usize {
    app.audit_trail(&f.admin, &AuditFilter::default(), 100_000)
        .await
        .expect("audit")
        .len()
}

/// Records a contact attempt without answers by `actor` at household `h` of campaign `c`:
/// how they tried, what came of it, and the attempt's idempotency key.
async fn record(
    app: &App,
    actor: &Actor,
    c: i64,
    h: i64,
    method: &str,
    outcome: &str,
    key: &str,
) -> AppResult<AttemptResult> {
    app.record_screening_attempt(actor, c, h, &attempt(method, outcome, key))
        .await
}

/// A draft campaign of the fixture community, created by its staff.
async fn draft_campaign(app: &App, f: &Fixture, input: CampaignInput) -> i64 {
    app.create_campaign(&f.staff, f.community_id, &input)
        .await
        .expect("campaign")
}

/// A sub-team of campaign `c` holding `members`, made by the staff.
async fn team_of(app: &App, f: &Fixture, c: i64, name: &str, members: &[&Actor]) -> i64 {
    let ids: Vec<i64> = members.iter().map(|m| m.account_id).collect();
    app.create_screening_team(&f.staff, c, name, &ids)
        .await
        .expect("team")
}

/// Households: 1号楼 rooms 1-201, 1-20, 1-3 and 2-101 (grid 1), 3号楼 1-301 (grid 2); the
/// first has two residents. Returns (households in building order, the two residents).
async fn homes(app: &App, f: &Fixture) -> (Vec<i64>, [i64; 2]) {
    let h201 = household(app, &f.staff, f.building1_id, "1", "201").await;
    let h20 = household(app, &f.staff, f.building1_id, "1", "20").await;
    let h3 = household(app, &f.staff, f.building1_id, "1", "3").await;
    let h2101 = household(app, &f.staff, f.building1_id, "2", "101").await;
    let h301 = household(app, &f.staff, f.building3_id, "1", "301").await;
    let a = resident(app, f, h201, "张三", 1).await;
    let b = resident(app, f, h201, "李四", 2).await;
    // Natural order: room 3, 20, 201 of unit 1, then unit 2, then the next building.
    (vec![h3, h20, h201, h2101, h301], [a, b])
}

/// A campaign with one team holding the grid worker (grid 1), assigned by grid, opened.
async fn open_campaign(app: &App, f: &Fixture) -> (i64, i64) {
    let c = draft_campaign(app, f, campaign_input("Hubei returnees")).await;
    let team = team_of(app, f, c, "Team 1", &[&f.grid_worker]).await;
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

/// Up to 100 households of campaign `c` as `actor` lists them, as `query` filters them.
async fn households_of(
    app: &App,
    actor: &Actor,
    c: i64,
    query: HouseholdQuery,
) -> AppResult<Page<CampaignHousehold>> {
    app.screening_households(actor, c, &query, first_page(100))
        .await
}

/// The households of a list with their states, in list order.
fn states(list: Page<CampaignHousehold>) -> Vec<(i64, String)> {
    list.items
        .into_iter()
        .map(|h| (h.address.household_id, h.state.code().to_owned()))
        .collect()
}

/// The households of [`homes`] in the campaign of [`open_campaign`]: (households, residents,
/// campaign, team).
async fn homes_in_open_campaign(app: &App, f: &Fixture) -> (Vec<i64>, [i64; 2], i64, i64) {
    let (homes, residents) = homes(app, f).await;
    let (c, team) = open_campaign(app, f).await;
    (homes, residents, c, team)
}

/// The households on `actor`'s own list, with their states, in list order.
async fn my_list(app: &App, actor: &Actor, c: i64) -> Vec<(i64, String)> {
    let mine = HouseholdQuery {
        mine: true,
        ..Default::default()
    };
    states(households_of(app, actor, c, mine).await.expect("list"))
}

/// The travel register `name` of campaign `c` as `actor` exports it, masked or not, read back.
async fn register(app: &App, actor: &Actor, c: i64, name: &str, unmasked: bool) -> sheets::Table {
    let bytes = app
        .export_screening_register(actor, c, name, unmasked)
        .await
        .expect("export");
    sheets::read_table(&bytes, Some("register.xlsx")).expect("xlsx")
}

/// Asserts that household `h` of campaign `c` holds no attempt and is still open.
async fn assert_untouched(app: &App, f: &Fixture, c: i64, h: i64) {
    let v = app
        .screening_household(&f.staff, c, h)
        .await
        .expect("household");
    assert!(v.attempts.is_empty(), "{:?}", v.attempts);
    assert_eq!(v.household.state.code(), "open");
}

/// The kept counts equal a count over the households.
async fn assert_counts_match_households(app: &App, c: i64) {
    const KEPT: &str = "SELECT team_id, grid_id, open_households + 10 * unreachable_households + 100 * done_households, \
         matched_residents FROM screening_counts WHERE campaign_id = $1 \
         AND open_households + unreachable_households + done_households > 0 ORDER BY team_id, grid_id";
    const COUNTED: &str = "SELECT team_id, grid_id, \
         CAST(SUM(CASE state WHEN 'open' THEN 1 WHEN 'unreachable' THEN 10 ELSE 100 END) AS BIGINT), \
         CAST(SUM(matched) AS BIGINT) FROM screening_households WHERE campaign_id = $1 GROUP BY team_id, grid_id \
         ORDER BY team_id, grid_id";
    let mut conn = app.db.conn().await.expect("connection");
    let mut read = Vec::new();
    for sql in [KEPT, COUNTED] {
        let rows: Vec<(i64, i64, i64, i64)> = sqlx::query(sql)
            .bind(c)
            .fetch_all(&mut *conn)
            .await
            .expect("counts")
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect();
        read.push(rows);
    }
    assert_eq!(read[0], read[1], "kept counts, then counted");
}

/// Staff of the other community.
async fn other_staff(app: &App, f: &Fixture) -> Actor {
    let other = Jurisdiction::new(Level::Community, f.other_community_id);
    account(app, "otherstaff", Role::CommunityStaff, other).await
}
