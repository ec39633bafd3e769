//! Screening campaigns: creating a campaign over a community or some grids, forming sub-teams
//! and sharing the households among them, recording each call, visit and notice with the
//! answers that update the travel register, following progress, and exporting the registers.

mod attempts;
mod campaigns;
mod enrolment;
mod export;
mod households;
mod progress;
mod teams;

pub use attempts::{AttemptInput, AttemptResult};
pub use campaigns::{CampaignInput, CampaignView};
pub use export::REGISTER_HEADERS;
pub use households::{HouseholdQuery, HouseholdView};
pub use progress::{ProgressView, Totals};
pub use teams::AssignTarget;

use domain::screening::{self as sc, HouseholdReach, Question, RegionCode};
use store::screening::Reach;

use crate::{Actor, AppError, AppResult, ErrorCode};

/// The audit object type of a campaign.
pub const OBJECT_TYPE: &str = "screening_campaign";

fn questions_json(qs: &[Question]) -> String {
    serde_json::Value::Array(
        qs.iter()
            .map(|q| {
                serde_json::json!({
                    "kind": Question::KIND, "region": q.region.as_str(),
                    "since": q.since.to_string(),
                })
            })
            .collect(),
    )
    .to_string()
}

fn stored_questions(json: &str) -> AppResult<Vec<Question>> {
    let v: Vec<serde_json::Value> = serde_json::from_str(json)
        .map_err(|e| AppError::Internal(format!("stored questions: {e}")))?;
    v.iter()
        .map(|q| {
            let region = q["region"]
                .as_str()
                .and_then(|r| RegionCode::parse(r).ok())
                .ok_or_else(|| AppError::Internal(format!("stored question {q}")))?;
            let since = q["since"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| AppError::Internal(format!("stored question {q}")))?;
            Ok(Question { region, since })
        })
        .collect()
}

/// Which of a campaign's households the actor reads, by the domain's rule, as the store binds it.
fn reach_of(actor: &Actor) -> Reach {
    match sc::household_reach(actor.role) {
        HouseholdReach::Jurisdiction => Reach::Jurisdiction,
        HouseholdReach::OwnTeams => Reach::MemberOf(actor.account_id),
    }
}

fn conflict(e: domain::screening::CampaignError) -> AppError {
    use domain::screening::CampaignError as E;
    AppError::Conflict(match e {
        E::Closed => ErrorCode::CampaignClosed,
        E::NotOpen => ErrorCode::CampaignNotOpen,
        E::TransitionNotAllowed => ErrorCode::TransitionNotAllowed,
    })
}
