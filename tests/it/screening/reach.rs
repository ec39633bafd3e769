//! A volunteer or grid worker reads a campaign's households only for the sub-teams they belong
//! to (issue 8, finding 3): the list, one household with its attempts, a phone, recording, the
//! register exports and the pages; a team outside theirs is refused, a household outside them
//! is not found. Staff keep their jurisdiction-wide view.

use app::screening::{AssignTarget, HouseholdQuery};
use axum::http::StatusCode;

use super::{
    campaign_input, draft_campaign, homes, households_of, met_at_home, record, register, returned,
    stayed_in_city, team_of,
};
use crate::http::{Client, sorted_item_ids};
use crate::support::{TestDb, assert_forbidden, assert_not_found, household, resident};

#[tokio::test]
async fn workers_read_only_the_households_of_their_own_teams() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (homes, [zhang, li]) = homes(app, &f).await;
    // 2号楼 is in grid 1, the grid worker's jurisdiction, but goes to the volunteers' team.
    let h_b2 = household(app, &f.staff, f.building2_id, "1", "101").await;
    let wang = resident(app, &f, h_b2, "王五", 7).await;
    let c = draft_campaign(app, &f, campaign_input("Hubei returnees")).await;
    let workers = team_of(app, &f, c, "Grid 1", &[&f.grid_worker]).await;
    let volunteers = team_of(app, &f, c, "Volunteers", &[&f.volunteer]).await;
    app.assign_screening_households(&f.staff, c, workers, &AssignTarget::Grid(f.grid1_id))
        .await
        .expect("grid 1 to the grid worker");
    let moved = app
        .assign_screening_households(
            &f.staff,
            c,
            volunteers,
            &AssignTarget::Buildings(vec![f.building2_id, f.building3_id]),
        )
        .await
        .expect("2号楼 and 3号楼 to the volunteers");
    assert_eq!(moved, 2);
    app.transition_campaign(&f.staff, c, "open")
        .await
        .expect("open");
    let answer = met_at_home("w", vec![returned(zhang), stayed_in_city(li)]);
    app.record_screening_attempt(&f.grid_worker, c, homes[2], &answer)
        .await
        .expect("the grid worker answers for their team");
    let answer = met_at_home("v", vec![returned(wang)]);
    app.record_screening_attempt(&f.volunteer, c, h_b2, &answer)
        .await
        .expect("the volunteer answers for their team");

    let router = server::router(app.clone());
    let mut anon = Client::new(router.clone());
    let base = format!("/api/v1/screening-campaigns/{c}/households");
    let mut volunteers_only = vec![h_b2, homes[4]];
    volunteers_only.sort_unstable();
    let mut workers_only = homes[..4].to_vec();
    workers_only.sort_unstable();

    // The volunteer: their team's two households, whatever the list asks.
    let mut volunteer = anon.bearer_for("volunteer").await;
    for query in [
        "?limit=500",
        "?limit=500&mine=false",
        "?limit=500&mine=true",
    ] {
        let res = volunteer.get(&format!("{base}{query}")).await;
        assert_eq!(res.status, StatusCode::OK, "{query}");
        assert_eq!(
            sorted_item_ids(&res.json(), "household_id"),
            volunteers_only,
            "{query}"
        );
    }
    let res = volunteer
        .get(&format!("{base}?team_id={volunteers}&limit=500"))
        .await;
    assert_eq!(
        sorted_item_ids(&res.json(), "household_id"),
        volunteers_only
    );
    for team in [workers, 0, volunteers + 100] {
        let res = volunteer
            .get(&format!("{base}?team_id={team}&limit=500"))
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "team {team} is refused");
        assert_eq!(res.json()["error"]["code"], "forbidden");
    }
    for h in &homes[..4] {
        let res = volunteer.get(&format!("{base}/{h}")).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "household {h}");
        assert!(!res.text().contains("张三"));
    }
    let res = volunteer.get(&format!("{base}/{h_b2}")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text().contains("王五"));

    // The grid worker: grid 1's households of their team, not 2号楼 of the same grid.
    let mut worker = anon.bearer_for("gridworker").await;
    let res = worker.get(&format!("{base}?limit=500")).await;
    assert_eq!(sorted_item_ids(&res.json(), "household_id"), workers_only);
    let res = worker
        .get(&format!("{base}?team_id={volunteers}&limit=500"))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = worker.get(&format!("{base}/{h_b2}")).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(!res.text().contains("王五"));
    let res = worker
        .post_json(&format!("{base}/{h_b2}/phone"), &serde_json::json!({}))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // The staff lead: every household of the jurisdiction, any team.
    let all = households_of(app, &f.staff, c, HouseholdQuery::default())
        .await
        .expect("the lead's list");
    assert_eq!(all.items.len(), 6);
    let volunteers_team = HouseholdQuery {
        team_id: Some(volunteers),
        ..Default::default()
    };
    let theirs = households_of(app, &f.staff, c, volunteers_team.clone())
        .await
        .expect("one team's list");
    assert_eq!(theirs.items.len(), 2);
    app.screening_household(&f.staff, c, h_b2)
        .await
        .expect("the lead reads any household");

    // Use cases: out-of-team reads and writes are not found, an out-of-team filter forbidden.
    assert_not_found(app.screening_household(&f.volunteer, c, homes[2]).await);
    assert_not_found(app.screening_household(&f.grid_worker, c, h_b2).await);
    assert_not_found(record(app, &f.volunteer, c, homes[0], "call", "no_answer", "x").await);
    assert_not_found(record(app, &f.grid_worker, c, h_b2, "call", "no_answer", "y").await);
    assert_not_found(app.screening_household_phone(&f.grid_worker, c, h_b2).await);
    assert_forbidden(households_of(app, &f.grid_worker, c, volunteers_team).await);

    // The register export of a grid worker holds their team's residents only.
    for (actor, expected) in [
        (&f.grid_worker, vec!["张三"]),
        (&f.staff, vec!["张三", "王五"]),
    ] {
        let table = register(app, actor, c, "returned", false).await;
        let mut names: Vec<&str> = table.rows.iter().map(|r| r.cell(0)).collect();
        names.sort_unstable();
        assert_eq!(names, expected, "{}", actor.username);
    }

    // The pages: the volunteer's household page of another team is not found.
    let mut page = Client::signed_in(router.clone(), "volunteer").await;
    let res = page
        .get(&format!("/screening/{c}/households/{}", homes[2]))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(!res.text().contains("张三"));
    let res = page.get(&format!("/screening/{c}/households/{h_b2}")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text().contains("王五"));
}
