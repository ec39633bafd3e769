//! Screening campaigns: questions by region, scope, attempts and the answers that update the
//! travel register.
//!
//! A campaign asks every household of its scope the same questions ("returned from region X
//! since date Y?"). Sub-teams work through their households: a phone call first; no answer, a
//! home visit; nobody home, a notice on the door so that the household calls back. A household
//! stays open until answered; one that refused, or that was tried as many times as the campaign's
//! `unreachable_after` without an answer, is *unreachable*, and still accepts attempts: an answer
//! marks it done.

mod answers;
mod attempts;
mod campaigns;
mod questions;

pub use answers::{Answer, RawAnswer, parse_answer};
pub use attempts::{
    BAND, Contact, HouseholdState, Method, Outcome, POSITION_GAP, list_rank, next_state,
    parse_attempt_time, position_of,
};
pub use campaigns::{CampaignError, CampaignState, parse_unreachable_after};
pub use questions::{Question, RegionCode, RegionError, parse_questions};

use crate::access::Role;

/// The longest campaign or team name.
pub const NAME_MAX: usize = 100;
/// The most questions one campaign asks.
pub const MAX_QUESTIONS: usize = 10;
/// Failed attempts after which a household counts as unreachable, unless the campaign says.
pub const DEFAULT_UNREACHABLE_AFTER: u8 = 3;
pub const MAX_UNREACHABLE_AFTER: u8 = 10;

/// Who creates campaigns, forms sub-teams, assigns households, opens and closes campaigns: the
/// community's staff, who lead the drive.
pub fn can_manage(role: Role) -> bool {
    matches!(role, Role::CommunityStaff)
}

/// Who records attempts: the people who call and knock.
pub fn can_record(role: Role) -> bool {
    matches!(
        role,
        Role::CommunityStaff | Role::GridWorker | Role::Volunteer
    )
}

/// Who may be a member of a sub-team.
pub fn can_be_member(role: Role) -> bool {
    can_record(role)
}

/// Who sees campaigns and their progress: those who run them, and the officials above.
pub fn can_read(role: Role) -> bool {
    can_record(role) || matches!(role, Role::Official | Role::Admin)
}

/// How far a role's reading of a campaign's households, their attempts and registers reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HouseholdReach {
    /// Every household of the campaign inside the role's jurisdiction: those who lead the drive
    /// and the officials above them.
    Jurisdiction,
    /// Only the households of the sub-teams the account is a member of: the people who call
    /// and knock see the doors they were given, not the community's register.
    OwnTeams,
}

pub fn household_reach(role: Role) -> HouseholdReach {
    match role {
        Role::GridWorker | Role::Volunteer => HouseholdReach::OwnTeams,
        _ => HouseholdReach::Jurisdiction,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_read_their_teams_and_leads_their_jurisdiction() {
        assert_eq!(household_reach(Role::Volunteer), HouseholdReach::OwnTeams);
        assert_eq!(household_reach(Role::GridWorker), HouseholdReach::OwnTeams);
        for r in [Role::CommunityStaff, Role::Official, Role::Admin] {
            assert_eq!(household_reach(r), HouseholdReach::Jurisdiction, "{r:?}");
        }
    }
}
