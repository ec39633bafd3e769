//! The demo's case: the register's first resident, confirmed three days after symptom onset, so the
//! community's page opens on a risk map with an outbreak point, a sealed building and its
//! disinfection, and the lead has a case to trace.

use app::cases::{CaseInput, DecisionInput};
use app::{Actor, App};
use domain::page::PageRequest;
use store::cases::CaseFilter;

use crate::error::CliError;

/// Adds the case unless the community has cases already.
pub async fn seed(app: &App, community_id: i64) -> Result<(), CliError> {
    let system = Actor::system();
    let any = app
        .cases(
            &system,
            &CaseFilter::default(),
            PageRequest::new(None, Some(1)),
        )
        .await?;
    if !any.items.is_empty() {
        return Ok(());
    }
    let query = app::registry::ResidentQuery::default();
    let page = app
        .residents(&system, &query, PageRequest::new(None, Some(1)))
        .await?;
    let Some(resident) = page.items.first() else {
        return Ok(());
    };
    let onset = app
        .today()
        .checked_sub(jiff::Span::new().days(3))
        .map(|d| d.to_string())
        .unwrap_or_default();
    let case = app
        .record_case(
            &system,
            &CaseInput {
                resident_id: Some(resident.id),
                source: "fever_alert".to_owned(),
                onset_on: onset,
                reference: "县疾控 2020-017".to_owned(),
                ..Default::default()
            },
        )
        .await?;
    app.decide_case(
        &system,
        case,
        &DecisionInput {
            decision: "confirm".to_owned(),
            note: "核酸检测阳性".to_owned(),
            ..Default::default()
        },
    )
    .await?;
    app.set_control_level(&system, community_id, "key", "确诊病例一例，全社区封闭管理")
        .await?;
    println!(
        "a confirmed case in {} (case {case}): building sealed, outbreak point drawn",
        resident.address.building_name
    );
    Ok(())
}
