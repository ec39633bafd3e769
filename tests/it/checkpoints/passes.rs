//! Passes: one per household, commuter and car; issued in bulk; suspended while the household
//! is sealed; reissued after a loss with the old one refused at once.

use app::passes::issue::{CommuterInput, IssueScope};
use domain::checkpoint::{PassState, PassageResult, StateReason};
use store::passes::PassFilter;

use super::{gate_with_guard, household_pass, refusal, show};
use crate::support::{
    TestDb, assert_chain_intact, assert_conflict, assert_field_error, assert_forbidden, first_page,
    home_order, household, resident,
};

#[tokio::test]
async fn one_household_one_pass_and_a_car_by_its_plate() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let (h, _, _) = household_pass(app, &f, "101").await;
    assert_field_error(
        app.issue_household_pass(&f.staff, h).await,
        "household_id",
        "pass_exists",
    );
    assert_field_error(
        app.issue_vehicle_pass(&f.staff, h, "陕X 1234").await,
        "plate",
        "plate_number",
    );
    let car = app
        .issue_vehicle_pass(&f.staff, h, "陕a·d1234 5")
        .await
        .expect("a new-energy car");
    assert_eq!(
        app.pass(&f.staff, car)
            .await
            .expect("pass")
            .plate
            .as_deref(),
        Some("陕AD12345")
    );
    // The same car cannot hold a second pass, whichever household asks.
    let other = household(app, &f.staff, f.building1_id, "1", "102").await;
    assert_field_error(
        app.issue_vehicle_pass(&f.staff, other, "陕AD12345").await,
        "plate",
        "pass_exists",
    );
    // A volunteer issues nothing; a grid worker only in their grid.
    assert_forbidden(app.issue_household_pass(&f.volunteer, other).await);
    let far = household(app, &f.staff, f.building3_id, "1", "101").await;
    crate::support::assert_not_found(app.issue_household_pass(&f.grid_worker, far).await);
}

#[tokio::test]
async fn a_bulk_issue_gives_each_household_one_pass_once() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    for room in ["101", "102", "201"] {
        household(app, &f.staff, f.building1_id, "1", room).await;
    }
    household(app, &f.staff, f.building3_id, "1", "101").await;
    let grid1 = IssueScope {
        grid_id: Some(f.grid1_id),
        building_id: None,
    };
    assert_eq!(
        app.issue_household_passes(&f.staff, grid1)
            .await
            .expect("issued"),
        3
    );
    assert_eq!(
        app.issue_household_passes(&f.staff, grid1)
            .await
            .expect("none"),
        0
    );
    let all = app
        .issue_household_passes(&f.staff, IssueScope::default())
        .await
        .expect("the rest of the community");
    assert_eq!(all, 1);
    let page = app
        .passes(&f.staff, &PassFilter::default(), first_page(50))
        .await
        .expect("passes");
    assert_eq!(page.items.len(), 4);
    assert!(page.items.iter().all(|p| p.state == PassState::Live));
}

#[tokio::test]
async fn a_sealed_household_is_refused_at_the_gate_until_released() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let gate = gate_with_guard(app, &f, "East gate").await;
    let (h, pass, code) = household_pass(app, &f, "101").await;
    let r = resident(app, &f, h, "张三", 1).await;
    let order = app
        .create_quarantine(&f.staff, r, &home_order())
        .await
        .expect("home quarantine");
    let p = app.pass(&f.staff, pass).await.expect("pass");
    assert_eq!(p.state, PassState::Suspended);
    assert_eq!(p.state_reason, Some(StateReason::Quarantine));
    let d = show(app, &f.guard, gate, &code, "out", 0).await;
    assert_eq!(refusal(&d), Some("pass_suspended"));
    // The gate's cached list says so too, with a new version.
    let list = app.revocations(&f.guard, gate).await.expect("list");
    assert_eq!(list.not_live.len(), 1);
    assert_eq!(list.not_live[0].id, pass);
    // A pass issued to a sealed household starts suspended.
    let car = app
        .issue_vehicle_pass(&f.staff, h, "陕A12345")
        .await
        .expect("car");
    assert_eq!(
        app.pass(&f.staff, car).await.expect("car").state,
        PassState::Suspended
    );

    app.transition_quarantine(&f.staff, order, "cancel", "entered by mistake")
        .await
        .expect("cancelled");
    assert_eq!(
        app.pass(&f.staff, pass).await.expect("pass").state,
        PassState::Live
    );
    let after = app.revocations(&f.guard, gate).await.expect("list");
    assert!(after.not_live.is_empty());
    assert!(after.version >= list.version);
    let d = show(app, &f.guard, gate, &code, "out", 0).await;
    assert_eq!(d.passage.result, PassageResult::Admitted);
    assert_chain_intact(app, &f.auditor).await;
}

#[tokio::test]
async fn a_reissued_pass_refuses_the_lost_one_at_once() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let gate = gate_with_guard(app, &f, "East gate").await;
    let (h, old, old_code) = household_pass(app, &f, "101").await;
    let new = app.reissue_pass(&f.staff, old).await.expect("reissued");
    let new_code = app.pass_code(&f.staff, new).await.expect("code");
    assert_ne!(old_code, new_code);
    let d = show(app, &f.guard, gate, &old_code, "out", 0).await;
    assert_eq!(refusal(&d), Some("pass_revoked"));
    let d = show(app, &f.guard, gate, &new_code, "out", 0).await;
    assert_eq!(d.passage.result, PassageResult::Admitted);
    let p = app.pass(&f.staff, new).await.expect("new");
    assert_eq!((p.address.household_id, p.replaces_id), (h, Some(old)));
    assert_conflict(
        app.reissue_pass(&f.staff, old).await,
        app::ErrorCode::PassRevoked,
    );
    app.revoke_pass(&f.staff, new, StateReason::Withdrawn, "moved away")
        .await
        .expect("revoked");
    // A new pass may be issued once the old ones are revoked.
    app.issue_household_pass(&f.staff, h)
        .await
        .expect("issued again");
}

#[tokio::test]
async fn a_commuter_goes_out_on_the_days_and_hours_of_the_proof_in_another_colour() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let gate = gate_with_guard(app, &f, "East gate").await;
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;
    let r = resident(app, &f, h, "王医生", 2).await;
    let mut input = CommuterInput {
        resident_id: r,
        employer: "县医院".to_owned(),
        proof_stamped_on: app.today().to_string(),
        proof_checked: false,
        valid_days: "1234567".to_owned(),
        valid_hours: "00:00-24:00".to_owned(),
    };
    assert_field_error(
        app.issue_commuter_pass(&f.staff, &input).await,
        "proof_checked",
        "proof_not_checked",
    );
    input.proof_checked = true;
    let pass = app
        .issue_commuter_pass(&f.staff, &input)
        .await
        .expect("issued");
    assert_field_error(
        app.issue_commuter_pass(&f.staff, &input).await,
        "resident_id",
        "pass_exists",
    );
    let code = app.pass_code(&f.staff, pass).await.expect("code");
    // Out every day, the household quota does not apply to the commuter.
    let d = show(app, &f.guard, gate, &code, "out", 0).await;
    assert_eq!(d.passage.result, PassageResult::Admitted);
    let shown = d.pass.expect("shown");
    assert_eq!(shown.colour, "#1f4e9c");
    assert_eq!(shown.holder.as_deref(), Some("王**"));

    // The commuter going to work and the household's car leaving are not the household's exit.
    let car = app
        .issue_vehicle_pass(&f.staff, h, "陕A12345")
        .await
        .expect("car");
    let car_code = app.pass_code(&f.staff, car).await.expect("code");
    let d = show(app, &f.guard, gate, &car_code, "out", 0).await;
    assert_eq!(d.passage.result, PassageResult::Admitted);
    let own = app.issue_household_pass(&f.staff, h).await.expect("pass");
    let own_code = app.pass_code(&f.staff, own).await.expect("code");
    let d = show(app, &f.guard, gate, &own_code, "out", 0).await;
    assert_eq!(d.passage.result, PassageResult::Admitted, "{:?}", d.refusal);
}
