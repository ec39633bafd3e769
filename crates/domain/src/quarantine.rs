//! Quarantine orders: their states, how long they last, and the twice-daily check slots.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::access::Role;

mod slots;
mod standing;

pub use slots::{Part, SHEET_DAYS_MAX, Slot, Windows, WindowsError, sheet_slots};
pub use standing::{EndsOn, Standing, standing};

/// Why a person is in quarantine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OrderReason))]
pub enum Reason {
    Returnee,
    CaseContact,
    ReturnToWork,
    Other,
}

crate::coded!(Reason {
    Returnee => "returnee",
    CaseContact => "case_contact",
    ReturnToWork => "return_to_work",
    Other => "other",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OrderKind))]
pub enum Kind {
    Home,
    Centralised,
}

crate::coded!(Kind {
    Home => "home",
    Centralised => "centralised",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OrderState))]
pub enum State {
    Planned,
    Active,
    Released,
    TransferredToHospital,
    Cancelled,
}

crate::coded!(State {
    Planned => "planned",
    Active => "active",
    Released => "released",
    TransferredToHospital => "transferred_to_hospital",
    Cancelled => "cancelled",
});

impl State {
    pub fn is_final(self) -> bool {
        matches!(
            self,
            State::Released | State::TransferredToHospital | State::Cancelled
        )
    }
}

/// A requested change of state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Start,
    Release,
    Transfer,
    Cancel,
}

crate::coded!(Transition {
    Start => "start",
    Release => "release",
    Transfer => "transfer",
    Cancel => "cancel",
});

/// The longest order, in days, a form may ask for.
pub const MAX_DAYS: u16 = 365;

/// Who may create and change orders: the people who place and look after them.
pub fn can_manage(role: Role) -> bool {
    matches!(role, Role::CommunityStaff | Role::GridWorker | Role::Doctor)
}

/// Who may read orders: those who manage them, and the officials, CDC and administrators.
pub fn can_read(role: Role) -> bool {
    can_manage(role) || matches!(role, Role::Admin | Role::Official | Role::CdcLiaison)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("not allowed from this state")]
    NotAllowed,
    #[error("an early release is an override and needs a reason")]
    ReasonRequired,
}

impl TransitionError {
    pub fn code(self) -> &'static str {
        match self {
            TransitionError::NotAllowed => "transition_not_allowed",
            TransitionError::ReasonRequired => "reason_required",
        }
    }
}

/// The outcome of an allowed transition: the new state and whether it overrode the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub state: State,
    pub is_override: bool,
}

/// Applies a transition on `today` to an order ending on `end`. Releasing before the end date is
/// an override: allowed only with a reason, and recorded as such.
pub fn transition(
    from: State,
    t: Transition,
    end: Date,
    today: Date,
    reason: &str,
) -> Result<Outcome, TransitionError> {
    let has_reason = !reason.trim().is_empty();
    let to = match (from, t) {
        (State::Planned, Transition::Start) => State::Active,
        (State::Planned | State::Active, Transition::Cancel) => {
            if !has_reason {
                return Err(TransitionError::ReasonRequired);
            }
            State::Cancelled
        }
        (State::Active, Transition::Transfer) => State::TransferredToHospital,
        (State::Active, Transition::Release) => {
            if today < end {
                if !has_reason {
                    return Err(TransitionError::ReasonRequired);
                }
                return Ok(Outcome {
                    state: State::Released,
                    is_override: true,
                });
            }
            State::Released
        }
        _ => return Err(TransitionError::NotAllowed),
    };
    Ok(Outcome {
        state: to,
        is_override: false,
    })
}

/// The last day of quarantine for an order starting on `start` lasting `days` days.
pub fn end_date(start: Date, days: u16) -> Date {
    start.saturating_add(jiff::Span::new().days(i64::from(days)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    #[test]
    fn early_release_is_an_override_needing_a_reason() {
        let end = d("2020-02-14");
        assert_eq!(
            transition(State::Active, Transition::Release, end, d("2020-02-10"), ""),
            Err(TransitionError::ReasonRequired)
        );
        assert_eq!(
            transition(
                State::Active,
                Transition::Release,
                end,
                d("2020-02-10"),
                "negative tests"
            ),
            Ok(Outcome {
                state: State::Released,
                is_override: true
            })
        );
        assert_eq!(
            transition(State::Active, Transition::Release, end, d("2020-02-14"), ""),
            Ok(Outcome {
                state: State::Released,
                is_override: false
            })
        );
    }

    #[test]
    fn only_allowed_transitions() {
        let end = d("2020-02-14");
        let today = d("2020-02-01");
        assert_eq!(
            transition(State::Planned, Transition::Start, end, today, "").map(|o| o.state),
            Ok(State::Active)
        );
        assert_eq!(
            transition(State::Released, Transition::Start, end, today, "x"),
            Err(TransitionError::NotAllowed)
        );
        assert_eq!(
            transition(State::Planned, Transition::Release, end, today, "x"),
            Err(TransitionError::NotAllowed)
        );
        assert_eq!(
            transition(State::Active, Transition::Cancel, end, today, ""),
            Err(TransitionError::ReasonRequired)
        );
        assert_eq!(
            transition(State::Active, Transition::Transfer, end, today, "").map(|o| o.state),
            Ok(State::TransferredToHospital)
        );
        for s in State::ALL.into_iter().filter(|s| s.is_final()) {
            for t in [
                Transition::Start,
                Transition::Release,
                Transition::Transfer,
                Transition::Cancel,
            ] {
                assert_eq!(
                    transition(s, t, end, today, "reason"),
                    Err(TransitionError::NotAllowed)
                );
            }
        }
    }

    #[test]
    fn fourteen_days() {
        assert_eq!(end_date(d("2020-01-25"), 14), d("2020-02-08"));
    }
}
