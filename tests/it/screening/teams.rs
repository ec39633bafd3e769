//! Sub-teams: who may be a member, who records, and the lead's reassignments.

use app::screening::AssignTarget;

use super::{
    assert_counts_match_households, campaign_input, draft_campaign, homes_in_open_campaign,
    my_list, other_staff, record, team_of,
};
use crate::support::{TestDb, assert_field_error, assert_forbidden, assert_not_found};

#[tokio::test]
async fn teams_take_only_screening_accounts_of_the_community() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let c = draft_campaign(app, &f, campaign_input("C")).await;
    assert_field_error(
        app.create_screening_team(&f.staff, c, "Doctors", &[f.doctor.account_id])
            .await,
        "members",
        "not_a_screening_member",
    );
    assert_field_error(
        app.create_screening_team(&f.staff, c, "Officials", &[f.official.account_id])
            .await,
        "members",
        "not_a_screening_member",
    );
    let team = team_of(
        app,
        &f,
        c,
        "Old neighbours",
        &[&f.volunteer, &f.grid_worker],
    )
    .await;
    let view = app.screening_campaign(&f.staff, c).await.expect("view");
    assert_eq!(view.teams.len(), 1);
    assert_eq!(view.teams[0].members.len(), 2);
    app.set_screening_team_members(&f.staff, c, team, &[f.volunteer.account_id])
        .await
        .expect("members");
    let view = app.screening_campaign(&f.staff, c).await.expect("view");
    assert_eq!(view.teams[0].members[0].account_id, f.volunteer.account_id);
}

#[tokio::test]
async fn only_the_team_records_and_the_lead_reassigns() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (homes, _, c, team) = homes_in_open_campaign(app, &f).await;
    // A volunteer of no team does not reach the household; a doctor never records.
    assert_not_found(record(app, &f.volunteer, c, homes[0], "call", "no_answer", "v").await);
    assert_forbidden(record(app, &f.doctor, c, homes[0], "call", "no_answer", "d").await);
    assert!(my_list(app, &f.volunteer, c).await.is_empty());
    // The lead gives 3号楼 (grid 2) to a volunteers' team; building-level reassignment.
    let vteam = team_of(app, &f, c, "Volunteers", &[&f.volunteer]).await;
    let moved = app
        .assign_screening_households(
            &f.staff,
            c,
            vteam,
            &AssignTarget::Buildings(vec![f.building3_id, f.building2_id]),
        )
        .await
        .expect("assign");
    assert_eq!(moved, 1, "2号楼 has no households");
    assert_eq!(
        my_list(app, &f.volunteer, c)
            .await
            .iter()
            .map(|x| x.0)
            .collect::<Vec<_>>(),
        [homes[4]]
    );
    record(app, &f.volunteer, c, homes[4], "notice", "left", "v1")
        .await
        .expect("volunteer records for their team");
    // A whole grid back to nobody; the grid worker's list empties.
    app.assign_screening_households(&f.staff, c, 0, &AssignTarget::Grid(f.grid1_id))
        .await
        .expect("unassign");
    assert!(my_list(app, &f.grid_worker, c).await.is_empty());
    assert_field_error(
        app.assign_screening_households(&f.staff, c, team + 100, &AssignTarget::Grid(f.grid1_id))
            .await,
        "team_id",
        "unknown_team",
    );
    assert_field_error(
        app.assign_screening_households(&f.staff, c, team, &AssignTarget::Grid(f.other_grid_id))
            .await,
        "grid_id",
        "not_in_campaign",
    );
    assert_forbidden(
        app.assign_screening_households(&f.grid_worker, c, team, &AssignTarget::Grid(f.grid1_id))
            .await,
    );
    assert_counts_match_households(app, c).await;
    // Another community's staff does not see the campaign.
    assert_not_found(app.screening_campaign(&other_staff(app, &f).await, c).await);
}
