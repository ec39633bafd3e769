//! The life of a campaign: draft, open, closed; and how many failed attempts make a household
//! unreachable.

use serde::{Deserialize, Serialize};

use super::{DEFAULT_UNREACHABLE_AFTER, MAX_UNREACHABLE_AFTER};
use crate::validation::FieldErrors;

/// The state of a campaign: prepared, being worked, finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignState {
    Draft,
    Open,
    Closed,
}

impl CampaignState {
    pub const ALL: [CampaignState; 3] = [
        CampaignState::Draft,
        CampaignState::Open,
        CampaignState::Closed,
    ];
    pub fn code(self) -> &'static str {
        match self {
            CampaignState::Draft => "draft",
            CampaignState::Open => "open",
            CampaignState::Closed => "closed",
        }
    }
    pub fn from_code(s: &str) -> Option<CampaignState> {
        CampaignState::ALL.into_iter().find(|x| x.code() == s)
    }

    /// The state after `to` is requested: draft → open → closed, nothing back.
    pub fn transition(self, to: CampaignState) -> Result<CampaignState, &'static str> {
        match (self, to) {
            (CampaignState::Draft, CampaignState::Open)
            | (CampaignState::Open, CampaignState::Closed) => Ok(to),
            (CampaignState::Closed, _) => Err("campaign_closed"),
            _ => Err("transition_not_allowed"),
        }
    }

    /// Whether attempts may be recorded; the error code when not.
    pub fn check_recording(self) -> Result<(), &'static str> {
        match self {
            CampaignState::Open => Ok(()),
            CampaignState::Draft => Err("campaign_not_open"),
            CampaignState::Closed => Err("campaign_closed"),
        }
    }

    /// Teams and assignments change only before the campaign closes.
    pub fn check_planning(self) -> Result<(), &'static str> {
        match self {
            CampaignState::Closed => Err("campaign_closed"),
            _ => Ok(()),
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
        assert_eq!(Closed.transition(Open), Err("campaign_closed"));
        assert_eq!(Draft.transition(Closed), Err("transition_not_allowed"));
        assert_eq!(Closed.check_recording(), Err("campaign_closed"));
        assert_eq!(Draft.check_recording(), Err("campaign_not_open"));
        assert_eq!(Open.check_recording(), Ok(()));
    }
}
