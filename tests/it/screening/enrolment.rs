//! Households registered after a campaign was created: enrolled in their place, given to their
//! building's team, counted; by the registering write, or when the lists are opened.

use app::App;
use app::screening::HouseholdQuery;
use store::registry::{self as reg, NewHousehold};
use store::structure::{self, Node};

use super::{
    assert_counts_match_households, audit_len, campaign_input, draft_campaign,
    homes_in_open_campaign, households_of, my_list, over_grid, record, states,
};
use crate::support::{TestDb, audit_action, audit_trail, every_page, household};

/// Registers a household the way an import does: in a write of its own that knows nothing of
/// campaigns.
async fn register_quietly(app: &App, building_id: i64, unit: &str, room: &str) -> i64 {
    let mut tx = app.db.write().await.expect("write");
    let placement = structure::placement(tx.conn(), Node::Building(building_id))
        .await
        .expect("placement");
    let unit_id = structure::unit_by_name_or_insert(tx.conn(), building_id, unit)
        .await
        .expect("unit");
    let id = reg::insert_household(
        tx.conn(),
        &NewHousehold {
            unit_id,
            placement,
            room,
            phone: None,
        },
    )
    .await
    .expect("household");
    tx.commit().await.expect("commit");
    id
}

/// Every household of the campaign as the lead sees it, open first, in list order.
async fn whole_list(app: &App, f: &crate::support::Fixture, c: i64) -> Vec<(i64, String)> {
    let all = households_of(app, &f.staff, c, HouseholdQuery::default()).await;
    states(all.expect("list"))
}

async fn enrolments(app: &App, f: &crate::support::Fixture) -> usize {
    audit_trail(app, &f.admin, audit_action("screening_enrol"))
        .await
        .len()
}

#[tokio::test]
async fn a_household_registered_later_joins_the_workers_list_with_counts_right() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (homes, _, c, team) = homes_in_open_campaign(app, &f).await;
    // A closed campaign and one over grid 2 only, which must not take it in.
    let grid2 = draft_campaign(app, &f, over_grid("Grid 2", f.grid2_id)).await;
    let closed = draft_campaign(app, &f, campaign_input("Closed")).await;
    app.transition_campaign(&f.staff, closed, "open")
        .await
        .expect("open");
    app.transition_campaign(&f.staff, closed, "closed")
        .await
        .expect("close");
    record(app, &f.grid_worker, c, homes[0], "call", "refused", "r")
        .await
        .expect("refused");

    // 1号楼 unit 1 room 5: between rooms 3 and 20.
    let late = household(app, &f.staff, f.building1_id, "1", "5").await;
    let list = my_list(app, &f.grid_worker, c).await;
    assert_eq!(
        list.iter().map(|x| x.0).collect::<Vec<_>>(),
        [late, homes[1], homes[2], homes[3], homes[0]],
        "open ones in building, unit and room order, the refused one last"
    );
    assert_eq!(list[0].1, "open");
    let p = app.screening_progress(&f.staff, c).await.expect("progress");
    let mine = p.teams.iter().find(|x| x.id == team).expect("team row");
    assert_eq!(
        (mine.households, mine.open, mine.unreachable, mine.done),
        (5, 4, 1, 0),
        "the team's counts include the new household"
    );
    assert_eq!(p.total.households, 6);
    assert_eq!(
        p.grids.iter().find(|g| g.id == f.grid1_id).map(|g| g.open),
        Some(4)
    );
    assert_counts_match_households(app, c).await;
    record(app, &f.grid_worker, c, late, "visit", "met", "m")
        .await
        .expect("the new household is worked like the others");
    assert_counts_match_households(app, c).await;

    let p = app
        .screening_progress(&f.staff, grid2)
        .await
        .expect("progress");
    assert_eq!(
        p.total.households, 1,
        "grid 2's campaign does not take in grid 1's household"
    );
    let p = app
        .screening_progress(&f.staff, closed)
        .await
        .expect("progress");
    assert_eq!(p.total.households, 5, "a closed campaign takes in nobody");
    assert_eq!(enrolments(app, &f).await, 1, "one enrolment, audited");
}

#[tokio::test]
async fn households_that_arrive_another_way_join_when_the_list_is_opened() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (homes, _, c, team) = homes_in_open_campaign(app, &f).await;
    // Three between the same neighbours (unit 1 rooms 3 and 20), one in a new building of grid
    // 2, one after everything.
    let r4 = register_quietly(app, f.building1_id, "1", "4").await;
    let r10 = register_quietly(app, f.building1_id, "1", "10").await;
    let r6 = register_quietly(app, f.building1_id, "1", "6").await;
    let b4 = app
        .create_building(&app::Actor::system(), f.grid2_id, "4号楼")
        .await
        .expect("building");
    let r401 = register_quietly(app, b4, "1", "401").await;
    let before = audit_len(app, &f).await;

    let list = whole_list(app, &f, c).await;
    assert_eq!(
        list.iter().map(|x| x.0).collect::<Vec<_>>(),
        [
            homes[0], r4, r6, r10, homes[1], homes[2], homes[3], homes[4], r401
        ]
    );
    assert_eq!(
        audit_len(app, &f).await,
        before + 1,
        "one enrolment, audited"
    );
    // Opening again finds nobody new and writes nothing.
    whole_list(app, &f, c).await;
    app.screening_progress(&f.staff, c).await.expect("progress");
    assert_eq!(audit_len(app, &f).await, before + 1);

    let mine: Vec<i64> = my_list(app, &f.grid_worker, c)
        .await
        .iter()
        .map(|x| x.0)
        .collect();
    assert_eq!(mine, [homes[0], r4, r6, r10, homes[1], homes[2], homes[3]]);
    let p = app.screening_progress(&f.staff, c).await.expect("progress");
    let team_totals = p.teams.iter().find(|x| x.id == team).expect("team");
    assert_eq!((team_totals.households, team_totals.open), (7, 7));
    let unassigned = p.teams.iter().find(|x| x.id == 0).expect("unassigned");
    assert_eq!(
        unassigned.households, 2,
        "grid 2's households have no team yet"
    );
    assert_eq!(p.total.households, 9);
    assert_counts_match_households(app, c).await;
}

#[tokio::test]
async fn many_households_between_the_same_neighbours_keep_their_order() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (homes, _, c, _) = homes_in_open_campaign(app, &f).await;
    // Each between 1-201 and the one registered before it: the gap halves every time, until
    // the campaign has to be numbered afresh.
    let mut late = Vec::new();
    for room in (202..=219).rev() {
        late.push(household(app, &f.staff, f.building1_id, "1", &room.to_string()).await);
    }
    late.reverse();
    let mut expected = homes[..3].to_vec();
    expected.extend(&late);
    expected.extend(&homes[3..]);
    let list = whole_list(app, &f, c).await;
    assert_eq!(list.iter().map(|x| x.0).collect::<Vec<_>>(), expected);
    // Paging by key still walks every household once.
    let pages = every_page(4, async |p| {
        app.screening_households(&f.staff, c, &HouseholdQuery::default(), p)
            .await
    })
    .await;
    let seen: Vec<i64> = pages
        .iter()
        .flat_map(|p| &p.items)
        .map(|h| h.address.household_id)
        .collect();
    assert_eq!(seen, expected);
    assert_counts_match_households(app, c).await;
}
