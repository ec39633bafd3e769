//! Return to work (C5): a resident returning from elsewhere applies online, is verified on
//! arrival, and on approval goes into quarantine. These are the application's states and the
//! transitions between them, who may do what, what makes two applications the same trip, and
//! where the quarantine is spent.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::access::Role;
use crate::quarantine::Kind;

mod verification;

pub use verification::{NucleicTest, Refusal, TestResult, Verification, VerificationRule};

/// Where an application stands, as its applicant follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ReturnState))]
pub enum State {
    /// Applied, the phone confirmed; not yet looked at.
    Submitted,
    /// Read by staff: the gate expects the applicant at the given time.
    Expected,
    /// At the gate, waiting for the verification's decision.
    Arrived,
    /// Verified and admitted; the quarantine order is being made.
    Approved,
    /// Refused, with the reason.
    Refused,
    /// Admitted and in quarantine until the order's end.
    InQuarantine,
    /// Withdrawn by the applicant before the verification.
    Withdrawn,
}

crate::coded!(State {
    Submitted => "submitted",
    Expected => "expected",
    Arrived => "arrived",
    Approved => "approved",
    Refused => "refused",
    InQuarantine => "in_quarantine",
    Withdrawn => "withdrawn",
});

impl State {
    /// No transition leaves it.
    #[must_use]
    pub fn is_final(self) -> bool {
        matches!(
            self,
            State::Refused | State::InQuarantine | State::Withdrawn
        )
    }

    /// Not yet verified: the applicant may still withdraw or change the arrival time.
    #[must_use]
    pub fn is_pending(self) -> bool {
        matches!(self, State::Submitted | State::Expected)
    }

    /// Counts as a trip under way: another application of the same person is a duplicate.
    #[must_use]
    pub fn is_open(self) -> bool {
        !matches!(self, State::Refused | State::Withdrawn)
    }
}

/// A requested change of state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ReturnTransition))]
pub enum Transition {
    /// Staff have read the application: the gate expects the applicant.
    Expect,
    /// The applicant is at the gate.
    Arrive,
    /// The verification admits the applicant (or a verifier overrides its refusal).
    Approve,
    /// The applicant is refused, with a reason.
    Refuse,
    /// The approved applicant's quarantine order is made.
    Quarantine,
    /// The applicant withdraws.
    Withdraw,
}

crate::coded!(Transition {
    Expect => "expect",
    Arrive => "arrive",
    Approve => "approve",
    Refuse => "refuse",
    Quarantine => "quarantine",
    Withdraw => "withdraw",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("not allowed from this state")]
    NotAllowed,
    #[error("a refusal needs a reason")]
    ReasonRequired,
}

impl TransitionError {
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            TransitionError::NotAllowed => "transition_not_allowed",
            TransitionError::ReasonRequired => "reason_required",
        }
    }
}

/// The state after `t` from `from`; a refusal needs a reason. A refusal is possible before
/// arrival too (staff reading an application from a region closed since).
pub fn transition(from: State, t: Transition, reason: &str) -> Result<State, TransitionError> {
    use State::*;
    let to = match (from, t) {
        (Submitted, Transition::Expect) => Expected,
        (Submitted | Expected, Transition::Arrive) => Arrived,
        (Arrived, Transition::Approve) => Approved,
        (Submitted | Expected | Arrived, Transition::Refuse) => Refused,
        (Approved, Transition::Quarantine) => InQuarantine,
        (Submitted | Expected, Transition::Withdraw) => Withdrawn,
        _ => return Err(TransitionError::NotAllowed),
    };
    if t == Transition::Refuse && reason.trim().is_empty() {
        return Err(TransitionError::ReasonRequired);
    }
    Ok(to)
}

/// Whether the applicant may still change the arrival time: until the verification.
#[must_use]
pub fn may_change_arrival(state: State) -> bool {
    state.is_pending()
}

/// How the applicant travels; the trip's number says which train, flight or car.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ReturnMeans))]
pub enum Means {
    Train,
    Flight,
    Car,
    Coach,
    Other,
}

crate::coded!(Means {
    Train => "train",
    Flight => "flight",
    Car => "car",
    Coach => "coach",
    Other => "other",
});

/// Who reads applications and the expected arrivals: the staff who verify, the guards at the
/// gate, and those who oversee.
#[must_use]
pub fn can_read(role: Role) -> bool {
    matches!(
        role,
        Role::CommunityStaff
            | Role::GridWorker
            | Role::Guard
            | Role::Doctor
            | Role::Official
            | Role::Admin
    )
}

/// Who records an arrival and its verification: the staff at the desk and the guards at the gate.
#[must_use]
pub fn can_verify(role: Role) -> bool {
    matches!(role, Role::CommunityStaff | Role::GridWorker | Role::Guard)
}

/// Who decides: approval places people in quarantine, so only those who may place orders
/// (a guard records the verification, a member of staff or a doctor approves or refuses).
#[must_use]
pub fn can_decide(role: Role) -> bool {
    crate::quarantine::can_manage(role)
}

/// Who sees the throughput and exports it for the street office.
#[must_use]
pub fn can_oversee(role: Role) -> bool {
    matches!(role, Role::CommunityStaff | Role::Official | Role::Admin)
}

/// An application already stored, as the duplicate check sees it: one of its travellers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub application_id: i64,
    pub state: State,
    pub arrival: Date,
}

/// The application that makes a new one for the same person a duplicate: any trip still under
/// way (not refused, not withdrawn) whose arrival is within [`SAME_TRIP_DAYS`] of the new one,
/// or any pending one (a person has one application waiting at a time).
#[must_use]
pub fn duplicate_of(arrival: Date, existing: &[Existing]) -> Option<i64> {
    existing
        .iter()
        .filter(|e| e.state.is_open())
        .find(|e| e.state.is_pending() || (arrival - e.arrival).get_days().abs() <= SAME_TRIP_DAYS)
        .map(|e| e.application_id)
}

/// Two arrivals this many days apart or closer are the same trip.
pub const SAME_TRIP_DAYS: i32 = 3;

/// The household a returnee goes to, as the registry has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Household {
    /// Residents registered there now (not counting the returnees).
    pub members: u32,
    /// Of them, the elderly living alone, the chronically ill, the pregnant and the disabled.
    pub vulnerable_members: u32,
    /// Already sealed by a quarantine order of someone else.
    pub sealed: bool,
}

/// Where the quarantine is spent: at home, unless someone vulnerable lives there (they would
/// share the returnee's 14 days of risk) or the household already holds another quarantine
/// (the orders would keep each other's members in).
#[must_use]
pub fn quarantine_kind(h: Household) -> Kind {
    if h.vulnerable_members > 0 || h.sealed {
        Kind::Centralised
    } else {
        Kind::Home
    }
}

/// At most this many companions travel on one application.
pub const MAX_COMPANIONS: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_application_moves_through_its_states() {
        use State::*;
        use Transition as T;
        assert_eq!(transition(Submitted, T::Expect, ""), Ok(Expected));
        assert_eq!(transition(Submitted, T::Arrive, ""), Ok(Arrived));
        assert_eq!(transition(Expected, T::Arrive, ""), Ok(Arrived));
        assert_eq!(transition(Arrived, T::Approve, ""), Ok(Approved));
        assert_eq!(transition(Approved, T::Quarantine, ""), Ok(InQuarantine));
        assert_eq!(transition(Arrived, T::Refuse, "red code"), Ok(Refused));
        assert_eq!(
            transition(Expected, T::Refuse, "closed region"),
            Ok(Refused)
        );
        assert_eq!(transition(Submitted, T::Withdraw, ""), Ok(Withdrawn));
        assert_eq!(transition(Expected, T::Withdraw, ""), Ok(Withdrawn));
    }

    #[test]
    fn transitions_that_skip_or_undo_a_step_are_refused() {
        use State::*;
        use Transition as T;
        for (from, t) in [
            (Submitted, T::Approve),
            (Expected, T::Approve),
            (Expected, T::Expect),
            (Arrived, T::Withdraw),
            (Arrived, T::Arrive),
            (Approved, T::Refuse),
            (Approved, T::Withdraw),
            (Refused, T::Approve),
            (InQuarantine, T::Withdraw),
            (Withdrawn, T::Arrive),
            (Submitted, T::Quarantine),
        ] {
            assert_eq!(
                transition(from, t, "why"),
                Err(TransitionError::NotAllowed),
                "{from:?} {t:?}"
            );
        }
        assert_eq!(
            transition(Arrived, T::Refuse, "  "),
            Err(TransitionError::ReasonRequired)
        );
    }

    #[test]
    fn final_states_have_no_way_out() {
        for s in State::ALL.into_iter().filter(|s| s.is_final()) {
            for t in Transition::ALL {
                assert!(transition(s, t, "reason").is_err(), "{s:?} {t:?}");
            }
        }
        for s in State::ALL.into_iter().filter(|s| !s.is_final()) {
            assert!(
                Transition::ALL
                    .iter()
                    .any(|t| transition(s, *t, "reason").is_ok()),
                "{s:?}"
            );
        }
    }

    #[test]
    fn the_arrival_changes_only_until_the_verification() {
        assert!(may_change_arrival(State::Submitted));
        assert!(may_change_arrival(State::Expected));
        for s in [
            State::Arrived,
            State::Approved,
            State::Refused,
            State::InQuarantine,
            State::Withdrawn,
        ] {
            assert!(!may_change_arrival(s), "{s:?}");
        }
    }

    fn day(d: &str) -> Date {
        d.parse().expect("date")
    }

    #[test]
    fn the_same_person_on_the_same_trip_is_a_duplicate() {
        let arrival = day("2020-02-10");
        let e = |id, state, a: &str| Existing {
            application_id: id,
            state,
            arrival: day(a),
        };
        assert_eq!(duplicate_of(arrival, &[]), None);
        // Pending, whatever its date: one application waits at a time.
        assert_eq!(
            duplicate_of(arrival, &[e(1, State::Submitted, "2020-03-01")]),
            Some(1)
        );
        // Verified for a trip close to this one: the same trip.
        assert_eq!(
            duplicate_of(arrival, &[e(2, State::InQuarantine, "2020-02-08")]),
            Some(2)
        );
        // A trip long before is another trip.
        assert_eq!(
            duplicate_of(arrival, &[e(3, State::InQuarantine, "2020-01-20")]),
            None
        );
        // Withdrawn and refused applications do not stand in the way.
        assert_eq!(
            duplicate_of(
                arrival,
                &[
                    e(4, State::Withdrawn, "2020-02-10"),
                    e(5, State::Refused, "2020-02-10")
                ]
            ),
            None
        );
    }

    #[test]
    fn quarantine_is_at_home_unless_the_household_cannot_take_it() {
        let h = Household {
            members: 3,
            ..Household::default()
        };
        assert_eq!(quarantine_kind(h), Kind::Home);
        assert_eq!(quarantine_kind(Household::default()), Kind::Home);
        assert_eq!(
            quarantine_kind(Household {
                vulnerable_members: 1,
                ..h
            }),
            Kind::Centralised
        );
        assert_eq!(
            quarantine_kind(Household { sealed: true, ..h }),
            Kind::Centralised
        );
    }

    #[test]
    fn roles() {
        assert!(can_verify(Role::Guard));
        assert!(!can_decide(Role::Guard));
        assert!(can_decide(Role::CommunityStaff));
        assert!(!can_read(Role::Volunteer));
        assert!(!can_read(Role::Auditor));
        assert!(can_oversee(Role::Official));
        assert!(!can_oversee(Role::Guard));
    }
}
