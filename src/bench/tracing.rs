//! P5 (issue 13): tracing a case with 20 movements at the gate over the month of passages the
//! checkpoint bench seeded (about 40 million at county scale), through the use case the lead's
//! tracing page calls, in under a second.

use std::time::Instant;

use app::cases::{CaseInput, DecisionInput, MovementInput};
use domain::page::PageRequest;
use store::passes::PassFilter;

use super::load::Setup;
use super::report::{Figure, Report, Timings};
use crate::error::CliError;

/// P5: a case's tracing over the passage log.
const TRACE_GOAL_MS: f64 = 1_000.0;
/// The movements the case was seen at the gate with.
const MOVEMENTS: i64 = 20;
/// How long each stay at the gate lasted (ms).
const STAY_MS: i64 = 10 * 60_000;

pub async fn run(
    s: &Setup,
    gate: i64,
    seeded_at: i64,
    runs: usize,
    report: &mut Report,
) -> Result<(), CliError> {
    let first = s
        .app
        .passes(
            &s.staff,
            &PassFilter::default(),
            PageRequest::new(None, Some(1)),
        )
        .await?;
    let Some(pass) = first.items.first() else {
        report.check("a pass to trace from", false, "no passes".to_owned());
        return Ok(());
    };
    // Someone registered nowhere, staying in the first pass's building, who went through the
    // gate twenty times in the fortnight before symptom onset.
    let onset = jiff::Timestamp::from_millisecond(seeded_at - 86_400_000)
        .map(|t| s.app.local(t).date().to_string())
        .unwrap_or_default();
    let case = s
        .app
        .record_case(
            &s.staff,
            &CaseInput {
                person_name: "流调基准".to_owned(),
                building_id: Some(pass.address.building_id),
                source: "cdc".to_owned(),
                onset_on: onset,
                ..Default::default()
            },
        )
        .await?;
    for k in 1..=MOVEMENTS {
        let from_at = seeded_at - k * 15 * 3_600_000;
        s.app
            .add_case_movement(
                &s.staff,
                case,
                &MovementInput {
                    kind: "gate".to_owned(),
                    gate_id: Some(gate),
                    from_at,
                    to_at: from_at + STAY_MS,
                    ..Default::default()
                },
            )
            .await?;
    }
    let mut times = Timings::default();
    let mut contacts = 0;
    for _ in 0..runs.clamp(1, 10) {
        let t = Instant::now();
        let trace = s.app.trace_case(&s.staff, case).await?;
        times.push(t.elapsed());
        contacts = trace.contacts.len();
    }
    report.add(
        Figure::latency(
            format!("P5 trace a case with {MOVEMENTS} gate movements over the passage log"),
            &times,
            TRACE_GOAL_MS,
        )
        .extra("contacts", contacts as f64)
        .note("each movement's 10 minutes ± 5 at the gate from its index, the building's households, visitors and workers; merged per household"),
    );
    report.check(
        "tracing finds the households through the gate beside the case",
        contacts > 0,
        format!("{contacts} contacts"),
    );
    // The case is excluded, so nothing of the bench stays sealed.
    s.app
        .decide_case(
            &s.staff,
            case,
            &DecisionInput {
                decision: "exclude".to_owned(),
                ..Default::default()
            },
        )
        .await?;
    Ok(())
}
