//! Working through a list: attempts, answers into the travel register, kept counts, the same
//! attempt twice, and a closed campaign.

use app::AppError;
use app::ErrorCode;
use app::screening::HouseholdQuery;
use domain::screening::RawAnswer;

use super::{
    assert_counts_match_households, assert_untouched, attempt, audit_len, campaign_input,
    draft_campaign, homes, homes_in_open_campaign, households_of, my_list, open_campaign, record,
};
use crate::support::{TestDb, assert_conflict, assert_field_error, assert_not_found};

#[tokio::test]
async fn a_grid_worker_works_through_their_list_until_answered() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (homes, [zhang, li], c, team) = homes_in_open_campaign(app, &f).await;

    // Their own households only: grid 1's four, open, in order.
    let list = my_list(app, &f.grid_worker, c).await;
    assert_eq!(
        list.iter().map(|x| x.0).collect::<Vec<_>>(),
        homes[..4],
        "grid 2's household is not theirs"
    );
    // Grid 2's household is outside the grid worker's jurisdiction.
    assert_not_found(app.screening_household(&f.grid_worker, c, homes[4]).await);

    // Call, no answer; visit, nobody home; notice left: unreachable after three.
    let h = homes[0];
    for (i, (m, o)) in [("call", "no_answer"), ("visit", "nobody_home")]
        .into_iter()
        .enumerate()
    {
        let r = record(app, &f.grid_worker, c, h, m, o, &format!("k{i}"))
            .await
            .expect("attempt");
        assert_eq!(r.state.code(), "open");
    }
    let r = record(app, &f.grid_worker, c, h, "notice", "left", "k2")
        .await
        .expect("notice");
    assert_eq!(r.state.code(), "unreachable");
    // Open ones first: the unreachable household moves behind the open ones.
    let list = my_list(app, &f.grid_worker, c).await;
    assert_eq!(list.last(), Some(&(h, "unreachable".to_owned())));
    // A refusal makes a household unreachable at once.
    let r = record(app, &f.grid_worker, c, homes[1], "call", "refused", "k3")
        .await
        .expect("refused");
    assert_eq!(r.state.code(), "unreachable");
    // A list of one state: the unreachable ones in building order, then the open ones.
    for (state, expected) in [
        ("unreachable", vec![homes[0], homes[1]]),
        ("open", vec![homes[2], homes[3]]),
        ("done", vec![]),
    ] {
        let one_state = HouseholdQuery {
            mine: true,
            state: Some(state.to_owned()),
            ..Default::default()
        };
        let page = households_of(app, &f.grid_worker, c, one_state)
            .await
            .expect("list of one state");
        let listed: Vec<i64> = page.items.iter().map(|h| h.address.household_id).collect();
        assert_eq!(listed, expected, "{state}");
    }

    // The household with residents answers on the phone: every member must be answered.
    let mut answer = attempt("call", "answered", "k4");
    answer.answers = vec![RawAnswer {
        resident_id: zhang,
        travel_status: "returned".to_owned(),
        origin: "420106".to_owned(),
        returned_on: "2020-01-20".to_owned(),
    }];
    assert_field_error(
        app.record_screening_attempt(&f.grid_worker, c, homes[2], &answer)
            .await,
        &format!("answers[{li}].travel_status"),
        "answer_required",
    );
    answer.answers.push(RawAnswer {
        resident_id: li,
        travel_status: "not_yet_returned".to_owned(),
        ..Default::default()
    });
    let (before, _) = app.resident(&f.staff, zhang).await.expect("resident");
    let r = app
        .record_screening_attempt(&f.grid_worker, c, homes[2], &answer)
        .await
        .expect("answered");
    assert_eq!(r.state.code(), "done");
    let (after, _) = app.resident(&f.staff, zhang).await.expect("resident");
    assert_eq!(after.particulars.travel_status.code(), "returned");
    assert_eq!(
        after.particulars.travel_origin.as_deref(),
        Some("420106"),
        "the code alone"
    );
    assert_eq!(after.particulars.returned_on.as_deref(), Some("2020-01-20"));
    assert_eq!(after.version, before.version + 1, "the version is bumped");
    let (li_after, _) = app.resident(&f.staff, li).await.expect("resident");
    assert_eq!(
        li_after.particulars.travel_status.code(),
        "not_yet_returned"
    );

    // The registry's kept counts follow the answers.
    let s = app
        .registry_summary(&f.staff, f.community_id)
        .await
        .expect("summary");
    assert_eq!(
        (
            s.total.returned,
            s.total.not_yet_returned,
            s.total.stayed_in_city
        ),
        (1, 1, 0)
    );

    // Progress per team and grid, kept with every attempt.
    let p = app.screening_progress(&f.staff, c).await.expect("progress");
    let team_totals = p.teams.iter().find(|x| x.id == team).expect("team row");
    assert_eq!(
        (
            team_totals.done,
            team_totals.open,
            team_totals.unreachable,
            team_totals.matched
        ),
        (1, 1, 2, 1)
    );
    let unassigned = p.teams.iter().find(|x| x.id == 0).expect("unassigned");
    assert_eq!(unassigned.open, 1);
    assert_eq!(p.total.households, 5);
    assert_eq!(p.total.percent_done(), 20);
    assert_counts_match_households(app, c).await;

    // The household's attempts, newest first.
    let v = app
        .screening_household(&f.grid_worker, c, homes[0])
        .await
        .expect("household");
    assert_eq!(
        v.attempts
            .iter()
            .map(|a| a.outcome.code())
            .collect::<Vec<_>>(),
        ["left", "nobody_home", "no_answer"]
    );
    assert!(v.can_record);

    // An unreachable household answered at the door becomes done.
    let r = record(app, &f.grid_worker, c, homes[0], "visit", "met", "k5")
        .await
        .expect("met");
    assert_eq!(r.state.code(), "done");
    assert_counts_match_households(app, c).await;
}

#[tokio::test]
async fn submitting_the_same_attempt_twice_records_it_once() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (homes, _, c, _) = homes_in_open_campaign(app, &f).await;
    // The grid worker's call without an answer, always under the same idempotency key.
    let same = async |h| record(app, &f.grid_worker, c, h, "call", "no_answer", "same").await;
    let first = same(homes[0]).await.expect("first");
    let audit = audit_len(app, &f).await;
    let second = same(homes[0]).await.expect("second");
    assert_eq!(second.attempt_id, first.attempt_id);
    assert!(second.duplicate && !first.duplicate);
    assert_eq!(audit_len(app, &f).await, audit, "nothing new written");
    let v = app
        .screening_household(&f.grid_worker, c, homes[0])
        .await
        .expect("household");
    assert_eq!(v.attempts.len(), 1);
    assert_eq!(v.household.attempts, 1);
    // The same key for another household is a mistake, not a repeat.
    let r = same(homes[1]).await;
    assert_conflict(r, ErrorCode::IdempotencyKeyReused);
    assert_field_error(
        record(app, &f.grid_worker, c, homes[1], "call", "no_answer", "").await,
        "idempotency_key",
        "idempotency_key_invalid",
    );
    // Two submits at once: one attempt.
    let a = attempt("visit", "nobody_home", "race");
    let (x, y) = tokio::join!(
        app.record_screening_attempt(&f.grid_worker, c, homes[1], &a),
        app.record_screening_attempt(&f.grid_worker, c, homes[1], &a)
    );
    assert_eq!(x.expect("x").attempt_id, y.expect("y").attempt_id);
    assert_counts_match_households(app, c).await;
}

#[tokio::test]
async fn an_attempt_for_a_closed_campaign_is_refused_and_writes_nothing() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (homes, _) = homes(app, &f).await;
    let draft = draft_campaign(app, &f, campaign_input("Draft")).await;
    let r = record(app, &f.staff, draft, homes[0], "call", "no_answer", "d").await;
    assert_conflict(r, ErrorCode::CampaignNotOpen);
    let (c, _) = open_campaign(app, &f).await;
    app.transition_campaign(&f.staff, c, "closed")
        .await
        .expect("close");
    let audit = audit_len(app, &f).await;
    let r = record(app, &f.grid_worker, c, homes[0], "call", "no_answer", "z").await;
    assert_conflict(r, ErrorCode::CampaignClosed);
    assert_eq!(audit_len(app, &f).await, audit);
    assert_untouched(app, &f, c, homes[0]).await;
    // Closed is final.
    let r = app.transition_campaign(&f.staff, c, "open").await;
    assert!(matches!(r, Err(AppError::Conflict(_))), "{r:?}");
    // Bad attempts write nothing either.
    let (c2, _) = {
        let c2 = draft_campaign(app, &f, campaign_input("Second")).await;
        app.transition_campaign(&f.staff, c2, "open")
            .await
            .expect("open");
        (c2, ())
    };
    assert_field_error(
        record(app, &f.staff, c2, homes[0], "call", "met", "m").await,
        "outcome",
        "outcome_not_for_method",
    );
    let mut future = attempt("call", "no_answer", "f");
    future.at = "2999-01-01T08:00".to_owned();
    assert_field_error(
        app.record_screening_attempt(&f.staff, c2, homes[0], &future)
            .await,
        "at",
        "time_in_future",
    );
}
