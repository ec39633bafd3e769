//! Visitors at the gate: the rule that refuses is named, refusals are logged, a visitor is
//! found again by ID, and a passage to a sealed household is refused.

use app::gates::visitors::VisitorInput;
use app::gates::{GATE_BUILDINGS_LISTED, GateBuildings};
use domain::checkpoint::PassageResult;

use super::{gate_with_guard, overriding, refusal, visitor};
use crate::support::{TestDb, assert_field_error, citizen_id, household};

#[tokio::test]
async fn the_visitor_rule_names_what_refuses_and_a_known_visitor_is_found_by_id() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let gate = gate_with_guard(app, &f, "East gate").await;
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;

    let red = app
        .admit_visitor(&f.guard, gate, &visitor(h, "red", "36.5"))
        .await
        .expect("a decision");
    assert_eq!(red.passage.result, PassageResult::Refused);
    assert_eq!(refusal(&red), Some("visitor_health_code"));
    let fever = app
        .admit_visitor(&f.guard, gate, &visitor(h, "green", "37.3"))
        .await
        .expect("a decision");
    assert_eq!(refusal(&fever), Some("visitor_fever"));
    let nowhere = app
        .admit_visitor(&f.guard, gate, &visitor(h + 1_000, "green", "36.5"))
        .await
        .expect("a decision");
    assert_eq!(refusal(&nowhere), Some("visitor_unknown_household"));
    let ok = app
        .admit_visitor(&f.guard, gate, &visitor(h, "green", "36.5"))
        .await
        .expect("a decision");
    assert_eq!(ok.passage.result, PassageResult::Admitted);
    assert_eq!(ok.passage.household_id, Some(h));

    // One visitor, found again by ID, masked.
    let found = app
        .find_visitor(&f.guard, gate, "", &citizen_id(77))
        .await
        .expect("lookup")
        .expect("known");
    assert_eq!(found.name, "赵六");
    assert!(found.document_masked.contains('*'));
    assert_eq!(red.passage.visitor_id, Some(found.id));
    assert_eq!(ok.passage.visitor_id, Some(found.id));

    // Bad input is refused field by field.
    let mut bad = visitor(h, "purple", "36.5");
    bad.document_number = "123".to_owned();
    bad.origin = "武汉".to_owned();
    let e = app.admit_visitor(&f.guard, gate, &bad).await;
    let Err(app::AppError::Validation(fields)) = e else {
        panic!("expected field errors, got {e:?}");
    };
    let named: Vec<&str> = fields.0.iter().map(|f| f.field.as_str()).collect();
    assert!(named.contains(&"document_number"), "{named:?}");
    assert!(named.contains(&"origin"), "{named:?}");
    assert!(named.contains(&"health_code"), "{named:?}");

    // A red code let in anyway is an override, with its reason.
    let mut urgent = visitor(h, "red", "36.5");
    urgent.overriding = overriding("ambulance crew");
    let d = app
        .admit_visitor(&f.guard, gate, &urgent)
        .await
        .expect("overridden");
    assert_eq!(d.passage.result, PassageResult::Overridden);
    let mut no_reason = visitor(h, "red", "36.5");
    no_reason.overriding = Some(Default::default());
    assert_field_error(
        app.admit_visitor(&f.guard, gate, &no_reason).await,
        "override_reason",
        "required",
    );
}

#[tokio::test]
async fn a_visitor_goes_to_a_household_named_by_its_place_from_a_region_named_by_name() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let gate = gate_with_guard(app, &f, "East gate").await;
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;
    let by_place = |room: &str| VisitorInput {
        household_id: None,
        building: "1号楼".to_owned(),
        unit: "1".to_owned(),
        room: room.to_owned(),
        origin: "武汉市".to_owned(),
        ..visitor(0, "green", "36.5")
    };
    let d = app
        .admit_visitor(&f.guard, gate, &by_place("101"))
        .await
        .expect("a decision");
    assert_eq!(d.passage.result, PassageResult::Admitted);
    assert_eq!(d.passage.household_id, Some(h));
    let nowhere = app
        .admit_visitor(&f.guard, gate, &by_place("999"))
        .await
        .expect("a decision");
    assert_eq!(refusal(&nowhere), Some("visitor_unknown_household"));
    assert_field_error(
        app.admit_visitor(&f.guard, gate, &by_place("")).await,
        "room",
        "required",
    );
    // The gate page offers the community's buildings to pick from.
    let names = app
        .gate_building_names(&f.guard, gate)
        .await
        .expect("names");
    let GateBuildings::Listed(names) = names else {
        panic!("a community of three buildings is listed: {names:?}");
    };
    assert!(names.contains(&"1号楼".to_owned()), "{names:?}");
}

/// A gate that serves more buildings than its page lists offers them as the guard types: the
/// gate's buildings starting with what was typed, shortest first, to a guard on shift only.
#[tokio::test]
async fn a_gate_of_many_buildings_offers_them_as_the_guard_types() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let gate = gate_with_guard(app, &f, "South gate").await;
    let names: Vec<String> = (1..=GATE_BUILDINGS_LISTED)
        .map(|n| format!("{n}栋"))
        .collect();
    app.create_buildings(&f.staff, f.grid2_id, &names, &["1"])
        .await
        .expect("buildings");
    assert_eq!(
        app.gate_building_names(&f.guard, gate)
            .await
            .expect("names"),
        GateBuildings::AsTyped,
        "three buildings and a thousand more are offered as typed"
    );
    let offered = app
        .gate_building_suggestions(&f.guard, gate, " 99")
        .await
        .expect("suggestions");
    assert_eq!(offered.first().map(String::as_str), Some("99栋"));
    assert!(offered.len() <= 20 && offered.len() > 1, "{offered:?}");
    assert!(offered.iter().all(|n| n.starts_with("99")), "{offered:?}");
    assert!(
        app.gate_building_suggestions(&f.guard, gate, "")
            .await
            .expect("nothing typed")
            .is_empty()
    );
    // Another gate's guard, off shift here, is told so.
    let other = crate::checkpoints::unstaffed_gate(app, &f, "North gate").await;
    assert!(
        app.gate_building_suggestions(&f.guard, other, "99")
            .await
            .is_err()
    );
}
