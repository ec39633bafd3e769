//! The life of a campaign: draft, open, closed; and how many failed attempts make a household
//! unreachable.

use serde::{Deserialize, Serialize};

use super::{DEFAULT_UNREACHABLE_AFTER, MAX_UNREACHABLE_AFTER};
use crate::validation::FieldErrors;

/// The state of a campaign: prepared, being worked, finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CampaignState {
    Draft,
    Open,
    Closed,
}

crate::coded!(CampaignState {
    Draft => "draft",
    Open => "open",
    Closed => "closed",
});

impl CampaignState {
    /// The state after `to` is requested: draft → open → closed, nothing back.
    pub fn transition(self, to: CampaignState) -> Result<CampaignState, CampaignError> {
        match (self, to) {
            (CampaignState::Draft, CampaignState::Open)
            | (CampaignState::Open, CampaignState::Closed) => Ok(to),
            (CampaignState::Closed, _) => Err(CampaignError::Closed),
            _ => Err(CampaignError::TransitionNotAllowed),
        }
    }

    /// Whether attempts may be recorded.
    pub fn check_recording(self) -> Result<(), CampaignError> {
        match self {
            CampaignState::Open => Ok(()),
            CampaignState::Draft => Err(CampaignError::NotOpen),
            CampaignState::Closed => Err(CampaignError::Closed),
        }
    }

    /// Teams and assignments change only before the campaign closes.
    pub fn check_planning(self) -> Result<(), CampaignError> {
        match self {
            CampaignState::Closed => Err(CampaignError::Closed),
            _ => Ok(()),
        }
    }
}

/// Why a campaign's state refuses what was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CampaignError {
    #[error("the campaign is closed")]
    Closed,
    #[error("the campaign is not open yet")]
    NotOpen,
    #[error("not allowed from this state")]
    TransitionNotAllowed,
}

impl CampaignError {
    pub fn code(self) -> &'static str {
        match self {
            CampaignError::Closed => "campaign_closed",
            CampaignError::NotOpen => "campaign_not_open",
            CampaignError::TransitionNotAllowed => "transition_not_allowed",
        }
    }
}

/// Parses how many failed attempts make a household unreachable; empty for the default.
pub fn parse_unreachable_after(raw: &str, errors: &mut FieldErrors) -> Option<u8> {
    let s = raw.trim();
    if s.is_empty() {
        return Some(DEFAULT_UNREACHABLE_AFTER);
    }
    match s.parse::<u8>() {
        Ok(n) if (1..=MAX_UNREACHABLE_AFTER).contains(&n) => Some(n),
        _ => {
            errors.add(
                "unreachable_after",
                "unreachable_after_out_of_range",
                MAX_UNREACHABLE_AFTER.to_string(),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaign_states_move_forward_only() {
        use CampaignState::*;
        assert_eq!(Draft.transition(Open), Ok(Open));
        assert_eq!(Open.transition(Closed), Ok(Closed));
        assert_eq!(Closed.transition(Open), Err(CampaignError::Closed));
        assert_eq!(
            Draft.transition(Closed),
            Err(CampaignError::TransitionNotAllowed)
        );
        assert_eq!(Closed.check_recording(), Err(CampaignError::Closed));
        assert_eq!(Draft.check_recording(), Err(CampaignError::NotOpen));
        assert_eq!(Open.check_recording(), Ok(()));
        assert_eq!(CampaignError::Closed.code(), "campaign_closed");
    }
}
