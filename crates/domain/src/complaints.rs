//! Residents' complaints and requests: their categories and due times, the states a complaint
//! goes through from filing to closing, and who handles them.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::access::Role;

/// The longest complaint.
pub const WHAT_MAX: usize = 1000;
/// The longest place.
pub const PLACE_MAX: usize = 200;
/// The longest reply or reason.
pub const REPLY_MAX: usize = 1000;
/// The longest comment with a satisfaction answer.
pub const SATISFACTION_NOTE_MAX: usize = 500;
/// Complaints accepted per client address in an hour on the public page: a flood from one
/// address is stopped, while the many residents a mobile carrier puts behind one address can
/// still file.
pub const FILED_PER_CLIENT_PER_HOUR: i64 = 30;

/// What a complaint is about; it sets the time the community has to answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ComplaintCategory))]
pub enum Category {
    /// Seeing a doctor, medicine.
    Medical,
    /// Food and daily supplies, deliveries.
    Supplies,
    /// Home quarantine: the door, the checks, the rubbish.
    Quarantine,
    /// The gate and passes.
    Access,
    /// Cleanliness and disinfection.
    Sanitation,
    /// How a member of the team behaved.
    Conduct,
    Other,
}

crate::coded!(Category {
    Medical => "medical",
    Supplies => "supplies",
    Quarantine => "quarantine",
    Access => "access",
    Sanitation => "sanitation",
    Conduct => "conduct",
    Other => "other",
});

/// Hours to answer a complaint, by category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueHours(BTreeMap<Category, i64>);

impl Default for DueHours {
    /// Health first: a medical complaint in 4 hours, supplies and quarantine within the day,
    /// the rest in two or three days.
    fn default() -> Self {
        DueHours(BTreeMap::from([
            (Category::Medical, 4),
            (Category::Supplies, 12),
            (Category::Quarantine, 24),
            (Category::Access, 24),
            (Category::Sanitation, 48),
            (Category::Conduct, 72),
            (Category::Other, 72),
        ]))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DueHoursError {
    #[error("expected category=hours, got {0:?}")]
    Shape(String),
    #[error("unknown category {0:?}")]
    Category(String),
    #[error("hours must be 1 to 720, got {0:?}")]
    Hours(String),
}

impl DueHours {
    /// The hours of a category.
    #[must_use]
    pub fn hours(&self, c: Category) -> i64 {
        self.0.get(&c).copied().unwrap_or(72)
    }

    /// When a complaint of `c` filed at `filed_at` (ms) is due.
    #[must_use]
    pub fn due_at(&self, c: Category, filed_at: i64) -> i64 {
        filed_at + self.hours(c) * 3_600_000
    }

    /// The defaults with the categories a configuration names changed:
    /// `medical=2,supplies=24`.
    pub fn parse(text: &str) -> Result<DueHours, DueHoursError> {
        let mut d = DueHours::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| DueHoursError::Shape(part.to_owned()))?;
            let c = Category::from_code(k.trim())
                .ok_or_else(|| DueHoursError::Category(k.trim().to_owned()))?;
            let h: i64 = v
                .trim()
                .parse()
                .ok()
                .filter(|h| (1..=720).contains(h))
                .ok_or_else(|| DueHoursError::Hours(v.trim().to_owned()))?;
            d.0.insert(c, h);
        }
        Ok(d)
    }
}

/// As a configuration writes it, every category named.
impl fmt::Display for DueHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(c, h)| format!("{}={h}", c.code()))
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// How a complaint reached the community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ComplaintSource))]
pub enum Source {
    /// The resident's own page, no account.
    Public,
    /// A call to the hotline.
    Hotline,
}

crate::coded!(Source {
    Public => "public",
    Hotline => "hotline",
});

/// Where a complaint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ComplaintState))]
pub enum State {
    /// Nobody owns it yet.
    Filed,
    /// Its owner works on it (again, when the resident was not satisfied).
    Assigned,
    /// Answered; waiting for the resident's satisfaction.
    Replied,
    Closed,
}

crate::coded!(State {
    Filed => "filed",
    Assigned => "assigned",
    Replied => "replied",
    Closed => "closed",
});

impl State {
    /// Still the community's to answer: what can be overdue.
    #[must_use]
    pub fn awaits_answer(self) -> bool {
        matches!(self, State::Filed | State::Assigned)
    }
}

/// The resident's answer on their link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Satisfaction {
    Satisfied,
    Neutral,
    Unsatisfied,
}

crate::coded!(Satisfaction {
    Satisfied => "satisfied",
    Neutral => "neutral",
    Unsatisfied => "unsatisfied",
});

/// A step of a complaint's handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Staff give it an owner (or another one).
    Assign,
    /// The owner answers the resident.
    Reply,
    /// The resident says how satisfied they are.
    Rate(Satisfaction),
    /// Staff close it with a reason (a duplicate, no answer from the resident).
    Close,
}

impl Step {
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Step::Assign => "assign",
            Step::Reply => "reply",
            Step::Rate(_) => "rate",
            Step::Close => "close",
        }
    }
}

/// The state after `step`: filed → assigned → replied → closed by the resident's answer; an
/// unsatisfied resident sends it back to its owner; staff may close it at any point before.
pub fn advance(from: State, step: Step) -> Result<State, StepError> {
    use State as S;
    match (from, step) {
        (S::Filed | S::Assigned, Step::Assign) => Ok(S::Assigned),
        (S::Assigned | S::Replied, Step::Reply) => Ok(S::Replied),
        (S::Replied, Step::Rate(Satisfaction::Unsatisfied)) => Ok(S::Assigned),
        (S::Replied, Step::Rate(_)) => Ok(S::Closed),
        (S::Filed | S::Assigned | S::Replied, Step::Close) => Ok(S::Closed),
        _ => Err(StepError),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not allowed in this state")]
pub struct StepError;

/// Whether a complaint in `state` due at `due_at` is overdue at `now` (ms): it still awaits
/// the community's answer past its due time.
#[must_use]
pub fn is_overdue(state: State, due_at: i64, now: i64) -> bool {
    state.awaits_answer() && now > due_at
}

/// Who assigns, closes and reads every complaint of a jurisdiction: the staff.
#[must_use]
pub fn can_manage(role: Role) -> bool {
    role == Role::CommunityStaff
}

/// Who reads complaints: staff and the officials above them every one, grid workers those
/// they own.
#[must_use]
pub fn can_read(role: Role) -> bool {
    matches!(
        role,
        Role::CommunityStaff | Role::Official | Role::GridWorker
    )
}

/// Which complaints a role reads inside its jurisdiction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Jurisdiction,
    Owned,
}

#[must_use]
pub fn reach(role: Role) -> Reach {
    match role {
        Role::GridWorker => Reach::Owned,
        _ => Reach::Jurisdiction,
    }
}

/// Who may own a complaint: staff and grid workers.
#[must_use]
pub fn may_own(role: Role) -> bool {
    matches!(role, Role::CommunityStaff | Role::GridWorker)
}

/// Whether `actor` may reply to a complaint owned by `owner`: its owner, or staff.
#[must_use]
pub fn may_reply(role: Role, actor_id: i64, owner: Option<i64>) -> bool {
    role == Role::CommunityStaff || (may_own(role) && owner == Some(actor_id))
}

/// The mean of the times to close, in ms; `None` with nothing closed.
#[must_use]
pub fn average_ms(total_ms: i64, closed: i64) -> Option<i64> {
    (closed > 0).then(|| total_ms / closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complaint_goes_from_filed_to_closed_by_the_residents_answer() {
        let s = advance(State::Filed, Step::Assign).expect("assign");
        assert_eq!(s, State::Assigned);
        assert_eq!(advance(s, Step::Assign), Ok(State::Assigned), "reassigned");
        let s = advance(s, Step::Reply).expect("reply");
        assert_eq!(s, State::Replied);
        assert_eq!(
            advance(s, Step::Reply),
            Ok(State::Replied),
            "a further reply"
        );
        assert_eq!(
            advance(s, Step::Rate(Satisfaction::Satisfied)),
            Ok(State::Closed)
        );
        assert_eq!(
            advance(s, Step::Rate(Satisfaction::Neutral)),
            Ok(State::Closed)
        );
        assert_eq!(
            advance(s, Step::Rate(Satisfaction::Unsatisfied)),
            Ok(State::Assigned),
            "back to its owner"
        );
    }

    #[test]
    fn steps_out_of_order_are_refused() {
        assert_eq!(advance(State::Filed, Step::Reply), Err(StepError));
        assert_eq!(
            advance(State::Assigned, Step::Rate(Satisfaction::Satisfied)),
            Err(StepError),
            "nothing to rate before a reply"
        );
        assert_eq!(advance(State::Replied, Step::Assign), Err(StepError));
        for step in [
            Step::Assign,
            Step::Reply,
            Step::Close,
            Step::Rate(Satisfaction::Satisfied),
        ] {
            assert_eq!(advance(State::Closed, step), Err(StepError), "{step:?}");
        }
        assert_eq!(advance(State::Filed, Step::Close), Ok(State::Closed));
    }

    #[test]
    fn overdue_is_only_what_still_awaits_an_answer() {
        assert!(is_overdue(State::Filed, 10, 11));
        assert!(is_overdue(State::Assigned, 10, 11));
        assert!(!is_overdue(State::Assigned, 10, 10));
        assert!(!is_overdue(State::Replied, 10, 11));
        assert!(!is_overdue(State::Closed, 10, 11));
    }

    #[test]
    fn due_times_come_by_category_and_configuration_changes_them() {
        let d = DueHours::default();
        assert_eq!(d.hours(Category::Medical), 4);
        assert_eq!(d.due_at(Category::Supplies, 1000), 1000 + 12 * 3_600_000);
        let c = DueHours::parse("medical=2, other=24").expect("parse");
        assert_eq!(c.hours(Category::Medical), 2);
        assert_eq!(c.hours(Category::Other), 24);
        assert_eq!(
            c.hours(Category::Sanitation),
            48,
            "unnamed ones keep defaults"
        );
        assert_eq!(DueHours::parse(&c.to_string()), Ok(c));
        assert_eq!(DueHours::parse(""), Ok(DueHours::default()));
        assert!(matches!(
            DueHours::parse("noise=3"),
            Err(DueHoursError::Category(_))
        ));
        assert!(matches!(
            DueHours::parse("medical=0"),
            Err(DueHoursError::Hours(_))
        ));
        assert!(matches!(
            DueHours::parse("medical"),
            Err(DueHoursError::Shape(_))
        ));
    }

    #[test]
    fn staff_manage_owners_reply_and_grid_workers_read_their_own() {
        assert!(can_manage(Role::CommunityStaff) && !can_manage(Role::GridWorker));
        assert!(can_read(Role::Official) && !can_read(Role::Volunteer));
        assert_eq!(reach(Role::GridWorker), Reach::Owned);
        assert_eq!(reach(Role::CommunityStaff), Reach::Jurisdiction);
        assert!(may_reply(Role::GridWorker, 3, Some(3)));
        assert!(!may_reply(Role::GridWorker, 3, Some(4)));
        assert!(!may_reply(Role::GridWorker, 3, None));
        assert!(may_reply(Role::CommunityStaff, 3, None));
        assert!(!may_reply(Role::Official, 3, Some(3)));
        assert_eq!(average_ms(90, 3), Some(30));
        assert_eq!(average_ms(0, 0), None);
    }
}
