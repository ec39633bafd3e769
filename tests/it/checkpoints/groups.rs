//! Scans arriving at once are written in groups (docs/decisions/0011): each still judged on the
//! log as the scans before it left it, each answered with its own decision or its own error.

use app::App;
use app::gates::scan::{GateDecision, PassageInput};
use app::{AppResult, ErrorCode};
use domain::checkpoint::{Direction, PassageResult};
use store::passages::PassageFilter;

use super::{gate_with_guard, household_log, household_pass, log_of};
use crate::support::{TestDb, assert_chain_intact, audit_action, audit_trail};

/// Scans sent together, as many gates' guards would at the same moment; their answers in the
/// order sent.
async fn at_once(
    app: &App,
    guard: &app::Actor,
    scans: Vec<(i64, PassageInput)>,
) -> Vec<AppResult<GateDecision>> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, (gate, input)) in scans.into_iter().enumerate() {
        let (app, guard) = (app.clone(), guard.clone());
        tasks.spawn(async move { (i, app.pass_through_gate(&guard, gate, &input).await) });
    }
    let mut answers: Vec<_> = tasks.join_all().await;
    answers.sort_by_key(|(i, _)| *i);
    answers.into_iter().map(|(_, a)| a).collect()
}

/// Where the passage sent twice sits among the others.
const COPY: usize = 7;

fn out(code: &str, client_id: &str) -> PassageInput {
    PassageInput {
        code: code.to_owned(),
        direction: "out".to_owned(),
        client_id: client_id.to_owned(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_household_shown_at_every_gate_at_once_goes_out_once() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let mut gates = Vec::new();
    for name in ["East gate", "West gate", "North gate"] {
        gates.push(gate_with_guard(app, &f, name).await);
    }
    let (h1, _, code1) = household_pass(app, &f, "101").await;
    let (h2, _, code2) = household_pass(app, &f, "102").await;
    // Twelve exits of each household sent at once, spread over the gates and interleaved.
    let scans = (0..24)
        .map(|i| {
            let code = if i % 2 == 0 { &code1 } else { &code2 };
            (gates[i % gates.len()], out(code, ""))
        })
        .collect();
    let answers = at_once(app, &f.guard, scans).await;
    let mut admitted = [0, 0];
    for (i, a) in answers.iter().enumerate() {
        let d = a.as_ref().expect("every scan is decided");
        match d.passage.result {
            PassageResult::Admitted => admitted[i % 2] += 1,
            PassageResult::Refused => assert!(
                matches!(
                    d.refusal.map(|r| r.code()),
                    Some("pass_quota_used" | "pass_presented_twice")
                ),
                "{d:?}"
            ),
            PassageResult::Overridden => panic!("no override was asked for: {d:?}"),
        }
    }
    // The quota is one exit in two days: exactly one of each household's twelve.
    assert_eq!(admitted, [1, 1]);
    for h in [h1, h2] {
        let log = household_log(app, &f.staff, h).await;
        assert_eq!(log.len(), 12, "every scan is logged, refused ones too");
        let let_through = log
            .iter()
            .filter(|p| p.result == PassageResult::Admitted)
            .count();
        assert_eq!(let_through, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_scan_that_fails_in_a_group_loses_none_of_the_others() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let gate = gate_with_guard(app, &f, "East gate").await;
    let mut codes = Vec::new();
    for room in 101..121 {
        codes.push(household_pass(app, &f, &room.to_string()).await);
    }
    let (twice_h, _, twice) = household_pass(app, &f, "201").await;
    // Twenty households and, among them, one gate's queue that sends a passage twice at once:
    // both copies may pass the look-up of the gate's id before either is stored, and the second
    // then fails on the unique index inside its group's transaction. Out, then back in.
    for (round, direction) in ["out", "in"].into_iter().enumerate() {
        let shown = |code: &str, client_id: String| {
            let mut input = out(code, &client_id);
            input.direction = direction.to_owned();
            (gate, input)
        };
        let mut scans: Vec<(i64, PassageInput)> = codes
            .iter()
            .enumerate()
            .map(|(i, (_, _, code))| shown(code, format!("q-{round}-{i}")))
            .collect();
        for at in [COPY, COPY + 1] {
            scans.insert(at, shown(&twice, format!("twice-{round}")));
        }
        let answers = at_once(app, &f.guard, scans).await;
        let (copies, others): (Vec<_>, Vec<_>) = answers
            .into_iter()
            .enumerate()
            .partition(|(i, _)| *i == COPY || *i == COPY + 1);
        for (_, a) in &others {
            let d = a.as_ref().expect("every other scan is decided");
            assert_eq!(d.passage.result, PassageResult::Admitted, "{d:?}");
            assert!(!d.repeated);
        }
        // One copy is stored; the other is answered as the same passage or refused alone.
        let stored: Vec<_> = copies
            .iter()
            .filter_map(|(_, a)| a.as_ref().ok())
            .filter(|d| !d.repeated)
            .collect();
        assert_eq!(stored.len(), 1, "{copies:?}");
        assert_eq!(stored[0].passage.result, PassageResult::Admitted);
        for (_, a) in &copies {
            match a {
                Ok(d) => assert_eq!(d.passage.id, stored[0].passage.id),
                Err(e) => {
                    assert_eq!(e.code(), ErrorCode::ValidationFailed, "{e:?}");
                    assert!(format!("{e:?}").contains("client_id_reused"), "{e:?}");
                }
            }
        }
    }
    let all = log_of(app, &f.staff, PassageFilter::default()).await;
    assert_eq!(
        all.len(),
        42,
        "each household out and in, the passages sent twice once"
    );
    assert_eq!(
        all.iter()
            .filter(|p| p.household_id == Some(twice_h))
            .count(),
        2
    );
    assert_chain_intact(app, &f.auditor).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overrides_written_together_keep_the_audit_chain_whole() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let gate = gate_with_guard(app, &f, "East gate").await;
    let mut scans = Vec::new();
    for room in 101..111 {
        let (_, _, code) = household_pass(app, &f, &room.to_string()).await;
        // In once: in again is refused by the fence, however the scans below are ordered, and
        // an override lets it through all the same.
        super::show(app, &f.guard, gate, &code, "in", 0).await;
        for overriding in [None, super::overriding("hospital appointment")] {
            let input = PassageInput {
                code: code.clone(),
                direction: "in".to_owned(),
                overriding,
                ..Default::default()
            };
            scans.push((gate, input));
        }
    }
    let answers = at_once(app, &f.guard, scans).await;
    let results: Vec<_> = answers
        .iter()
        .map(|a| a.as_ref().expect("decided").passage.result)
        .collect();
    let count = |r| results.iter().filter(|x| **x == r).count();
    assert_eq!(count(PassageResult::Overridden), 10, "{results:?}");
    assert_eq!(count(PassageResult::Refused), 10, "{results:?}");
    let audited = audit_trail(app, &f.auditor, audit_action("passage_override")).await;
    assert_eq!(audited.len(), 10);
    assert_chain_intact(app, &f.auditor).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_car_shown_both_ways_at_once_alternates_in_the_log_and_after_it() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let gate = gate_with_guard(app, &f, "East gate").await;
    let h = crate::support::household(app, &f.staff, f.building1_id, "1", "101").await;
    let car = app
        .issue_vehicle_pass(&f.staff, h, "陕A12345")
        .await
        .expect("car pass");
    let code = app.pass_code(&f.staff, car).await.expect("code");
    // A car has no quota: only the fence (not the same way twice in a row) refuses it. The
    // scans of one group share their time, so the log orders them by when they were judged.
    let scans = (0..16)
        .map(|i| {
            let mut input = out(&code, "");
            if i % 2 == 1 {
                input.direction = "in".to_owned();
            }
            (gate, input)
        })
        .collect();
    for a in at_once(app, &f.guard, scans).await {
        let d = a.expect("every scan is decided");
        if d.passage.result == PassageResult::Refused {
            assert_eq!(super::refusal(&d), Some("pass_presented_twice"), "{d:?}");
        }
    }
    let mut log = log_of(
        app,
        &f.staff,
        PassageFilter {
            pass_id: Some(car),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(log.len(), 16);
    log.sort_by_key(|p| p.id);
    let through: Vec<_> = log
        .iter()
        .filter(|p| p.result == PassageResult::Admitted)
        .map(|p| p.direction)
        .collect();
    assert!(
        through.windows(2).all(|w| w[0] != w[1]),
        "the passages let through alternate: {through:?}"
    );
    // The next scan sees the last of them, even at the same millisecond as the group.
    let last = *through.last().expect("some let through");
    let again = super::show(app, &f.guard, gate, &code, last.code(), 0).await;
    assert_eq!(super::refusal(&again), Some("pass_presented_twice"));
    let back = if last == Direction::Out { "in" } else { "out" };
    let other_way = super::show(app, &f.guard, gate, &code, back, 0).await;
    assert_eq!(other_way.passage.result, PassageResult::Admitted);
}
