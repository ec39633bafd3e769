//! Cases (C6) on both backends: a suspected case seals its building (passes suspended, the
//! gate refuses), exclusion lifts the seal where nothing else holds it, confirmation draws the
//! zone with its disinfection, tracing finds each kind of overlap and nothing outside its
//! window, and one step puts contacts on follow-up.

mod access;
mod tracing;

use app::ErrorCode;
use app::cases::{CaseInput, DecisionInput};
use domain::cases::{Status, ZoneKind};
use domain::checkpoint::{PassState, PassageResult};

use crate::checkpoints::{
    gate_with_guard, household_pass, issued_days_ago, refusal, show, visitor,
};
use crate::support::{
    Fixture, TestDb, assert_chain_intact, assert_conflict, assert_field_error, assert_not_found,
    audit_action, audit_trail, first_page, home_order, household, resident,
};

const MINUTE: i64 = 60_000;

fn suspected(resident_id: i64) -> CaseInput {
    CaseInput {
        resident_id: Some(resident_id),
        source: "fever_alert".to_owned(),
        ..Default::default()
    }
}

/// A decision on a case with nothing but its code: `confirm` or `exclude`.
fn decided(decision: &str) -> DecisionInput {
    DecisionInput {
        decision: decision.to_owned(),
        ..Default::default()
    }
}

async fn pass_state(app: &app::App, f: &Fixture, pass: i64) -> PassState {
    app.pass(&f.staff, pass).await.expect("pass").state
}

#[tokio::test]
async fn a_suspected_case_seals_its_building_until_it_is_excluded() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let gate = gate_with_guard(app, &f, "East gate").await;
    let (h, pass, code) = household_pass(app, &f, "101").await;
    let (neighbour, neighbour_pass, neighbour_code) = household_pass(app, &f, "502").await;
    let elsewhere_pass = {
        let h3 = household(app, &f.staff, f.building3_id, "1", "101").await;
        app.issue_household_pass(&f.staff, h3).await.expect("pass")
    };
    let case_person = resident(app, &f, h, "王五", 1).await;
    // The neighbour is also under home quarantine: the case's exclusion must not free them.
    let quarantined = resident(app, &f, neighbour, "赵四", 2).await;
    issued_days_ago(app, pass, 4).await;

    let case = app
        .record_case(&f.doctor, &suspected(case_person))
        .await
        .expect("case");
    // Reported twice (a double click, or the hotline after the hospital): one case.
    assert_field_error(
        app.record_case(&f.staff, &suspected(case_person)).await,
        "resident_id",
        "already_a_case",
    );
    assert_eq!(pass_state(app, &f, pass).await, PassState::Suspended);
    assert_eq!(
        pass_state(app, &f, neighbour_pass).await,
        PassState::Suspended
    );
    let d = show(app, &f.guard, gate, &code, "out", 0).await;
    assert_eq!(d.passage.result, PassageResult::Refused);
    assert_eq!(refusal(&d), Some("pass_suspended"));
    // Another building is untouched.
    assert_eq!(pass_state(app, &f, elsewhere_pass).await, PassState::Live);
    // A visitor to a household of the sealed building is refused too.
    let visit = app
        .admit_visitor(&f.guard, gate, &visitor(neighbour, "green", "36.5"))
        .await
        .expect("decision");
    assert_eq!(refusal(&visit), Some("visitor_household_sealed"));

    app.create_quarantine(&f.staff, quarantined, &home_order())
        .await
        .expect("home quarantine");

    // Excluded: the building's seal ends; the case's household goes out again, the
    // quarantined neighbour stays held.
    let status = app
        .decide_case(&f.cdc, case, &decided("exclude"))
        .await
        .expect("excluded");
    assert_eq!(status, Status::Excluded);
    assert_eq!(pass_state(app, &f, pass).await, PassState::Live);
    assert_eq!(
        pass_state(app, &f, neighbour_pass).await,
        PassState::Suspended
    );
    let d = show(app, &f.guard, gate, &code, "out", 0).await;
    assert_eq!(d.passage.result, PassageResult::Admitted, "{d:?}");
    let held = show(app, &f.guard, gate, &neighbour_code, "out", 0).await;
    assert_eq!(refusal(&held), Some("pass_suspended"));
    // Decided once: a second decision is refused.
    assert_conflict(
        app.decide_case(&f.cdc, case, &decided("confirm")).await,
        ErrorCode::CaseNotSuspected,
    );
    let file = app.case_file(&f.staff, case).await.expect("case file");
    assert_eq!(file.seals.len(), 1);
    assert!(file.seals[0].ended_at.is_some());
    let seals = audit_trail(app, &f.auditor, audit_action("seal_end")).await;
    assert_eq!(seals.len(), 1);
    let suspended = audit_trail(app, &f.auditor, audit_action("pass_suspend")).await;
    assert!(suspended.len() >= 2, "{suspended:?}");
    // Once excluded, the person can be a case again.
    let again = app
        .record_case(&f.doctor, &suspected(case_person))
        .await
        .expect("a new case after the exclusion");
    assert_ne!(again, case);
    assert_chain_intact(app, &f.auditor).await;
}

#[tokio::test]
async fn confirmation_draws_the_zone_with_its_disinfection_and_the_report_is_sent() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let h = household(app, &f.staff, f.building1_id, "2", "201").await;
    let person = resident(app, &f, h, "李雷", 3).await;
    let case = app
        .record_case(&f.staff, &suspected(person))
        .await
        .expect("case");
    // A report is only sent for a confirmed case.
    assert_conflict(
        app.mark_case_report_sent(&f.staff, case).await,
        ErrorCode::CaseNotConfirmed,
    );
    // A building of another community cannot join the zone.
    assert_field_error(
        app.decide_case(
            &f.cdc,
            case,
            &DecisionInput {
                decision: "confirm".to_owned(),
                zone_buildings: vec![f.other_building_id],
                ..Default::default()
            },
        )
        .await,
        "zone_buildings",
        "unknown_building",
    );
    app.decide_case(
        &f.cdc,
        case,
        &DecisionInput {
            decision: "confirm".to_owned(),
            zone_buildings: vec![f.building2_id],
            note: "核酸阳性".to_owned(),
        },
    )
    .await
    .expect("confirmed");
    let file = app.case_file(&f.staff, case).await.expect("file");
    assert_eq!(file.case.status, Status::Confirmed);
    let outbreak: Vec<_> = file
        .zones
        .iter()
        .filter(|z| z.kind == ZoneKind::OutbreakPoint)
        .collect();
    assert_eq!(outbreak.len(), 1);
    assert_eq!(outbreak[0].building_id, f.building1_id);
    assert!(
        outbreak[0].unit_id.is_some(),
        "the unit is the outbreak point"
    );
    let mut alert: Vec<i64> = file
        .zones
        .iter()
        .filter(|z| z.kind == ZoneKind::AlertZone)
        .map(|z| z.building_id)
        .collect();
    alert.sort_unstable();
    assert_eq!(alert, vec![f.building1_id, f.building2_id]);
    let mut disinfect: Vec<i64> = file.disinfections.iter().map(|d| d.building_id).collect();
    disinfect.sort_unstable();
    assert_eq!(disinfect, vec![f.building1_id, f.building2_id]);
    // The seal holds on confirmation.
    assert!(file.seals.iter().all(|s| s.ended_at.is_none()));

    app.finish_disinfection(&f.volunteer, file.disinfections[0].id)
        .await
        .expect("done");
    assert_conflict(
        app.finish_disinfection(&f.volunteer, file.disinfections[0].id)
            .await,
        ErrorCode::TaskClosed,
    );
    app.mark_case_report_sent(&f.cdc, case).await.expect("sent");
    assert!(
        app.case_file(&f.staff, case)
            .await
            .expect("file")
            .case
            .report_sent_at
            .is_some()
    );

    // The lead sets the control level with a reason; everyone in the community reads it.
    assert_field_error(
        app.set_control_level(&f.staff, f.community_id, "key", " ")
            .await,
        "reason",
        "reason_required",
    );
    assert_eq!(app.shown_control_level(&f.grid_worker).await, None);
    app.set_control_level(&f.staff, f.community_id, "key", "确诊病例一例")
        .await
        .expect("level");
    // Every page of the community's workers shows it at once; a street's official sees it on
    // each community's page instead.
    assert_eq!(
        app.shown_control_level(&f.grid_worker).await,
        Some(domain::cases::ControlLevel::Key)
    );
    assert_eq!(app.shown_control_level(&f.official).await, None);
    let (level, reason, at) = app
        .control_level(&f.grid_worker, f.community_id)
        .await
        .expect("level");
    assert_eq!(level, domain::cases::ControlLevel::Key);
    assert_eq!(reason, "确诊病例一例");
    assert!(at.is_some());
    assert_not_found(
        app.control_level(&f.grid_worker, f.other_community_id)
            .await,
    );

    // The lead ends the measures early, with a reason; the zone and seal end, audited.
    assert_field_error(
        app.end_case_measures(&f.staff, case, None, "").await,
        "note",
        "reason_required",
    );
    let ended = app
        .end_case_measures(&f.staff, case, None, "区疾控同意解除")
        .await
        .expect("ended");
    assert!(ended >= 2, "{ended}");
    let file = app.case_file(&f.staff, case).await.expect("file");
    assert!(file.zones.iter().all(|z| z.ended_at.is_some()));
    assert!(file.seals.iter().all(|s| s.ended_at.is_some()));
    assert_chain_intact(app, &f.auditor).await;
}

#[tokio::test]
async fn a_case_form_submitted_twice_makes_one_case_and_names_the_one_that_exists() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;
    let person = resident(app, &f, h, "王五", 1).await;
    let mut staff = crate::http::Client::new(server::router(app.clone()));
    staff.sign_in("staff").await;
    let form = staff.get(&format!("/cases/new?resident_id={person}")).await;
    let csrf = form.form_csrf("/cases").expect("the case form");
    let id = person.to_string();
    let fields = [
        ("csrf", csrf.as_str()),
        ("resident_id", id.as_str()),
        ("source", "hotline"),
    ];
    let first = staff.post_form("/cases", &fields).await;
    assert_eq!(first.status, axum::http::StatusCode::SEE_OTHER);
    let second = staff.post_form("/cases", &fields).await;
    assert_eq!(second.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    let text = second.text();
    assert!(text.contains("data-testid=\"already-a-case\""), "{text}");
    assert!(text.contains("此人已是病例"));
    let listed = app
        .cases(&f.staff, &Default::default(), first_page(10))
        .await
        .expect("cases");
    assert_eq!(listed.items.len(), 1);
    // Tracing from the page is one audited read, not a trace and a file.
    let case = first.location().expect("the new case's page").to_owned();
    let reads_before = audit_trail(app, &f.auditor, audit_action("case_read"))
        .await
        .len();
    let contacts = staff.get(&format!("{case}/contacts")).await;
    assert_eq!(contacts.status, axum::http::StatusCode::OK);
    assert!(
        contacts.text().contains("王五"),
        "the case named in the title"
    );
    let traces = audit_trail(app, &f.auditor, audit_action("case_trace")).await;
    assert_eq!(traces.len(), 1);
    let reads = audit_trail(app, &f.auditor, audit_action("case_read")).await;
    assert_eq!(reads.len(), reads_before);
}
