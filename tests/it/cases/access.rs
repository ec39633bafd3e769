//! Who sees and decides a case: the jurisdiction bounds every read and write, and each step
//! has its role.

use app::cases::{CaseInput, MovementInput};

use super::{MINUTE, decided, suspected};
use crate::support::{
    TestDb, assert_field_error, assert_forbidden, assert_not_found, household, resident,
};

#[tokio::test]
async fn cases_are_seen_and_decided_only_within_the_jurisdiction_and_the_role() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;
    let person = resident(app, &f, h, "韩梅梅", 4).await;
    assert_forbidden(app.record_case(&f.guard, &suspected(person)).await);
    assert_forbidden(app.record_case(&f.volunteer, &suspected(person)).await);
    let case = app
        .record_case(&f.doctor, &suspected(person))
        .await
        .expect("case");
    assert_forbidden(app.decide_case(&f.doctor, case, &decided("confirm")).await);
    assert_forbidden(app.case_file(&f.guard, case).await);
    assert_forbidden(app.trace_case(&f.grid_worker, case).await);
    // An unregistered person needs a building; an unknown source is named.
    assert_field_error(
        app.record_case(
            &f.staff,
            &CaseInput {
                person_name: "过路人".to_owned(),
                source: "hotline".to_owned(),
                ..Default::default()
            },
        )
        .await,
        "building_id",
        "required",
    );
    assert_field_error(
        app.record_case(
            &f.staff,
            &CaseInput {
                person_name: "过路人".to_owned(),
                building_id: Some(f.building3_id),
                source: "rumour".to_owned(),
                ..Default::default()
            },
        )
        .await,
        "source",
        "unknown_source",
    );
    // Someone staying outside the jurisdiction: no such building.
    assert_not_found(
        app.record_case(
            &f.staff,
            &CaseInput {
                person_name: "过路人".to_owned(),
                building_id: Some(f.other_building_id),
                source: "hotline".to_owned(),
                ..Default::default()
            },
        )
        .await,
    );
    let outside = app
        .record_case(
            &f.staff,
            &CaseInput {
                person_name: "过路人".to_owned(),
                building_id: Some(f.building3_id),
                source: "hotline".to_owned(),
                onset_on: "2020年1月25日".to_owned(),
                ..Default::default()
            },
        )
        .await
        .expect("an unregistered person's case");
    // The same name in the same building is the same person; in another, someone else.
    let again = |building_id| CaseInput {
        person_name: " 过路人 ".to_owned(),
        building_id: Some(building_id),
        source: "cdc".to_owned(),
        ..Default::default()
    };
    assert_field_error(
        app.record_case(&f.staff, &again(f.building3_id)).await,
        "person_name",
        "already_a_case",
    );
    app.record_case(&f.staff, &again(f.building2_id))
        .await
        .expect("a namesake in another building");
    let file = app.case_file(&f.staff, outside).await.expect("file");
    assert_eq!(file.case.onset_on.as_deref(), Some("2020-01-25"));
    // The grid worker of grid 1 sees the grid-1 case, not the grid-2 one.
    app.case_file(&f.grid_worker, case).await.expect("own grid");
    let worker2 = crate::support::account(
        app,
        "gw2",
        domain::access::Role::GridWorker,
        domain::access::Jurisdiction::new(domain::access::Level::Grid, f.grid2_id),
    )
    .await;
    assert_not_found(app.case_file(&worker2, case).await);
    app.case_file(&worker2, outside)
        .await
        .expect("grid 2's case");
    // A movement names a place the actor may see, and ends after it starts.
    let now = store::now_ms();
    assert_field_error(
        app.add_case_movement(
            &f.staff,
            case,
            &MovementInput {
                kind: "building".to_owned(),
                building_id: Some(f.other_building_id),
                from_at: now - 60 * MINUTE,
                to_at: now - 30 * MINUTE,
                ..Default::default()
            },
        )
        .await,
        "building_id",
        "unknown_building",
    );
    assert_field_error(
        app.add_case_movement(
            &f.staff,
            case,
            &MovementInput {
                kind: "outside".to_owned(),
                place: "人民医院发热门诊".to_owned(),
                from_at: now - 30 * MINUTE,
                to_at: now - 60 * MINUTE,
                ..Default::default()
            },
        )
        .await,
        "to_at",
        "ends_before_start",
    );
}
