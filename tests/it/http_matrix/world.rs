//! The world the route matrix acts on: in each of the four places of the registry table, an
//! account, an import, a quarantine order with a fever alert, a delivery and a rubbish round, and a
//! screening campaign with its teams.

use app::checks::{AlertQuery, CheckInput};
use app::quarantine::OrderInput;
use app::screening::{AssignTarget, CampaignInput};
use app::tasks::rubbish::RoundQuery;
use app::{Actor, App};
use domain::access::{Jurisdiction, Role};
use domain::page::PageRequest;

use super::{G1, G2, Place, places};
use crate::http::{Client, Res};
use crate::support::{
    Fixture, PASSWORD, citizen_id, deliveries_in_state, first_page, household, raw_resident,
};

/// What each place holds besides its household and resident: the objects of every capability.
pub(super) struct World {
    pub(super) places: [Place; 4],
    pub(super) streets: [i64; 4],
    pub(super) units: [i64; 4],
    pub(super) accounts: [i64; 4],
    pub(super) imports: [i64; 4],
    pub(super) orders: [i64; 4],
    pub(super) alerts: [i64; 4],
    pub(super) deliveries: [i64; 4],
    pub(super) rounds: [i64; 4],
    pub(super) stops: [i64; 4],
    pub(super) campaigns: [i64; 4],
    pub(super) teams: [i64; 4],
    pub(super) members: [Vec<i64>; 4],
    /// A household of a team nobody of the fixture works in, and that team (grid 1's for the
    /// first place; the place's own otherwise).
    pub(super) other_households: [i64; 4],
    pub(super) other_teams: [i64; 4],
    /// A delivery and a round assigned to another volunteer.
    pub(super) other_deliveries: [i64; 4],
    pub(super) other_rounds: [i64; 4],
    pub(super) day: String,
    pub(super) gates: super::gates::GateWorld,
    pub(super) cases: super::cases::CaseWorld,
    pub(super) returns: super::returns::ReturnWorld,
    pub(super) hotline: super::hotline::HotlineWorld,
}

/// The community's staff everywhere: sets the world up through the use cases.
pub(super) fn lead(f: &Fixture, role: Role) -> Actor {
    Actor {
        role,
        jurisdiction: Jurisdiction::ALL,
        ..f.staff.clone()
    }
}

fn days_ago(app: &App, n: i64) -> jiff::civil::Date {
    app.today().saturating_sub(jiff::Span::new().days(n))
}

async fn volunteer_of(app: &App, name: &str, community: i64) -> i64 {
    app.create_account(
        &Actor::system(),
        &app::accounts::AccountInput {
            username: name.to_owned(),
            display_name: name.to_owned(),
            password: PASSWORD.to_owned(),
            role: "volunteer".to_owned(),
            level: "community".to_owned(),
            scope_id: community,
            active: true,
            phone: None,
        },
    )
    .await
    .expect("volunteer account")
}

/// A home order that started two days ago (so a delivery is due today and the rounds of the two
/// days before visit its sealed door).
async fn home_order(app: &App, lead: &Actor, resident: i64) -> i64 {
    app.create_quarantine(
        lead,
        resident,
        &OrderInput {
            reason: "returnee".to_owned(),
            kind: "home".to_owned(),
            start_date: days_ago(app, 2).to_string(),
            days: "14".to_owned(),
            doctor_id: None,
            grid_worker_id: None,
            door_sealed: true,
            camera_installed: false,
        },
    )
    .await
    .expect("order")
}

pub(super) async fn import(admin: &mut Client, community: i64, n: u32) -> Res {
    let csv = format!(
        "姓名,身份证号,楼栋,单元,房号\r\n王五,{},1号楼,1,1{n:02}\r\n李四,bad,1号楼,1,2{n:02}\r\n",
        citizen_id(200 + n)
    );
    admin
        .post_file(
            &format!("/api/v1/imports?community_id={community}&file_name=m{n}.csv"),
            csv,
        )
        .await
}

pub(super) async fn world(app: &App, f: &Fixture, admin: &mut Client) -> World {
    let sys = Actor::system();
    let staff = lead(f, Role::CommunityStaff);
    let places = places(app, f).await;
    let far_street = app
        .ensure_street(&sys, "610826", "Far County", "Far Street")
        .await
        .expect("the far street");
    let streets = [f.street_id, f.street_id, f.street_id, far_street];
    let mut units = [0; 4];
    let mut accounts = [0; 4];
    let mut imports = [0; 4];
    let mut orders = [0; 4];
    let mut alerts = [0; 4];
    for (i, p) in places.iter().enumerate() {
        let n = u32::try_from(i).expect("small");
        let res = admin
            .get(&format!("/api/v1/buildings/{}/units", p.building))
            .await;
        units[i] = res.json()[0]["id"].as_i64().expect("a unit");
        accounts[i] = volunteer_of(app, &format!("matrix{i}"), p.community).await;
        let res = import(admin, p.community, n).await;
        imports[i] = res.json()["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("an import: {}", res.text()));
        orders[i] = home_order(app, &staff, p.resident).await;
        app.record_check(
            &staff,
            orders[i],
            &CheckInput {
                temperature: "38.6".to_owned(),
                method: "doctor_call".to_owned(),
                ..Default::default()
            },
        )
        .await
        .expect("a fever check");
        alerts[i] = app
            .alerts(
                &sys,
                &AlertQuery {
                    order_id: Some(orders[i]),
                    ..Default::default()
                },
                PageRequest::first(),
            )
            .await
            .expect("alerts")
            .items[0]
            .id;
    }

    // A second household of grid 1 (2号楼) with its own order, for another volunteer.
    let other_volunteer = volunteer_of(app, "othervolunteer", f.community_id).await;
    let other_household = household(app, &staff, f.building2_id, "1", "101").await;
    let other_resident = app
        .create_resident(
            &staff,
            other_household,
            &raw_resident("邻居", &citizen_id(90), ""),
        )
        .await
        .expect("resident");
    home_order(app, &staff, other_resident).await;

    // Deliveries of today and rubbish rounds of yesterday and the day before.
    let today = app.today();
    app.generate_delivery_tasks(&sys, today)
        .await
        .expect("deliveries");
    let day = days_ago(app, 1);
    let day_before = days_ago(app, 2);
    app.open_rubbish_rounds(&sys, day).await.expect("rounds");
    app.open_rubbish_rounds(&sys, day_before)
        .await
        .expect("rounds");
    let board = app
        .delivery_board(&sys, &deliveries_in_state("all"), first_page(100))
        .await
        .expect("the board")
        .items;
    let delivery_of = |household: i64| {
        board
            .iter()
            .find(|d| d.address.household_id == household)
            .map(|d| d.id)
            .expect("a delivery")
    };
    let round_of = async |grid: i64, date: jiff::civil::Date| {
        let round = app
            .rubbish_rounds(
                &sys,
                &RoundQuery {
                    date: Some(date.to_string()),
                    mine: false,
                    grid_id: Some(grid),
                },
                PageRequest::first(),
            )
            .await
            .expect("rounds")
            .items[0]
            .id;
        let (_, stops) = app
            .rubbish_round(&sys, round, PageRequest::first())
            .await
            .expect("a round");
        (round, stops.items[0].id)
    };
    let mut deliveries = [0; 4];
    let mut rounds = [0; 4];
    let mut stops = [0; 4];
    let mut other_rounds = [0; 4];
    for (i, p) in places.iter().enumerate() {
        deliveries[i] = delivery_of(p.household);
        (rounds[i], stops[i]) = round_of(p.grid, day).await;
        (other_rounds[i], _) = round_of(p.grid, day_before).await;
    }
    let mut other_deliveries = deliveries;
    other_deliveries[G1] = delivery_of(other_household);
    app.assign_delivery(&staff, other_deliveries[G1], Some(other_volunteer))
        .await
        .expect("assign to the other volunteer");
    app.assign_rubbish_round(&staff, other_rounds[G1], Some(other_volunteer))
        .await
        .expect("assign to the other volunteer");
    // The fixture's volunteer has the tasks of grid 1.
    app.assign_delivery(&staff, deliveries[G1], Some(f.volunteer.account_id))
        .await
        .expect("assign");
    app.assign_rubbish_round(&staff, rounds[G1], Some(f.volunteer.account_id))
        .await
        .expect("assign");

    // Campaigns: one per community; in the first, the grid worker and the volunteer work the
    // whole community but 2号楼, which another team (of staff only) has.
    let mut campaigns = [0; 4];
    let mut teams = [0; 4];
    let mut members: [Vec<i64>; 4] = Default::default();
    let mut other_teams = [0; 4];
    let mut other_households = [0; 4];
    for (i, p) in places.iter().enumerate() {
        if i == G2 {
            continue;
        }
        let c = app
            .create_campaign(
                &staff,
                p.community,
                &CampaignInput {
                    name: format!("Matrix {i}"),
                    questions: vec![("4201".to_owned(), "2020-01-10".to_owned())],
                    grid_ids: Vec::new(),
                    unreachable_after: String::new(),
                },
            )
            .await
            .expect("campaign");
        if i == G1 {
            members[i] = vec![f.grid_worker.account_id, f.volunteer.account_id];
        }
        let team = app
            .create_screening_team(&staff, c, "Workers", &members[i])
            .await
            .expect("team");
        for g in [p.grid, f.grid2_id] {
            if i == G1 || g == p.grid {
                app.assign_screening_households(&staff, c, team, &AssignTarget::Grid(g))
                    .await
                    .expect("assign a grid");
            }
        }
        campaigns[i] = c;
        teams[i] = team;
        other_teams[i] = team;
        other_households[i] = p.household;
        if i == G1 {
            let others = app
                .create_screening_team(&staff, c, "Others", &[f.staff.account_id])
                .await
                .expect("team");
            app.assign_screening_households(
                &staff,
                c,
                others,
                &AssignTarget::Buildings(vec![f.building2_id]),
            )
            .await
            .expect("2号楼 to the others");
            other_teams[i] = others;
            other_households[i] = other_household;
        }
        app.transition_campaign(&staff, c, "open")
            .await
            .expect("open");
    }
    let gates = super::gates::gate_world(app, f, &places).await;
    let cases = super::cases::case_world(app, f, &places).await;
    let returns = super::returns::return_world(app, &places).await;
    let hotline = super::hotline::hotline_world(app, f, &places).await;
    campaigns[G2] = campaigns[G1];
    teams[G2] = teams[G1];
    members[G2] = members[G1].clone();
    other_teams[G2] = teams[G1];
    other_households[G2] = places[G2].household;
    World {
        places,
        streets,
        units,
        accounts,
        imports,
        orders,
        alerts,
        deliveries,
        rounds,
        stops,
        campaigns,
        teams,
        members,
        other_households,
        other_teams,
        other_deliveries,
        other_rounds,
        day: day.to_string(),
        gates,
        cases,
        returns,
        hotline,
    }
}
