//! Quarantine orders: their states, how long they last, and the twice-daily check slots.

use jiff::civil::{Date, DateTime, Time};
use serde::{Deserialize, Serialize};

use crate::access::Role;

/// Why a person is in quarantine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Returnee,
    CaseContact,
    ReturnToWork,
    Other,
}

impl Reason {
    pub const ALL: [Reason; 4] = [
        Reason::Returnee,
        Reason::CaseContact,
        Reason::ReturnToWork,
        Reason::Other,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Reason::Returnee => "returnee",
            Reason::CaseContact => "case_contact",
            Reason::ReturnToWork => "return_to_work",
            Reason::Other => "other",
        }
    }
    pub fn from_code(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Home,
    Centralised,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Home => "home",
            Kind::Centralised => "centralised",
        }
    }
    pub fn from_code(s: &str) -> Option<Kind> {
        [Kind::Home, Kind::Centralised]
            .into_iter()
            .find(|k| k.code() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Planned,
    Active,
    Released,
    TransferredToHospital,
    Cancelled,
}

impl State {
    pub const ALL: [State; 5] = [
        State::Planned,
        State::Active,
        State::Released,
        State::TransferredToHospital,
        State::Cancelled,
    ];
    pub fn code(self) -> &'static str {
        match self {
            State::Planned => "planned",
            State::Active => "active",
            State::Released => "released",
            State::TransferredToHospital => "transferred_to_hospital",
            State::Cancelled => "cancelled",
        }
    }
    pub fn from_code(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.code() == s)
    }
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

impl Transition {
    pub const ALL: [Transition; 4] = [
        Transition::Start,
        Transition::Release,
        Transition::Transfer,
        Transition::Cancel,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Transition::Start => "start",
            Transition::Release => "release",
            Transition::Transfer => "transfer",
            Transition::Cancel => "cancel",
        }
    }

    pub fn from_code(s: &str) -> Option<Transition> {
        Transition::ALL.into_iter().find(|x| x.code() == s)
    }
}

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

/// Morning or evening check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Morning,
    Evening,
}

impl Part {
    pub fn code(self) -> &'static str {
        match self {
            Part::Morning => "morning",
            Part::Evening => "evening",
        }
    }
}

/// One of the two checks of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Slot {
    pub date: Date,
    pub part: Part,
}

/// When checks are expected, in the community's local time (default 07:00–10:00, 17:00–20:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    pub morning: (Time, Time),
    pub evening: (Time, Time),
}

impl Default for Windows {
    fn default() -> Self {
        Windows {
            morning: (Time::constant(7, 0, 0, 0), Time::constant(10, 0, 0, 0)),
            evening: (Time::constant(17, 0, 0, 0), Time::constant(20, 0, 0, 0)),
        }
    }
}

impl Windows {
    /// The slot a check made at local time `at` fills: the morning one until the evening window
    /// opens (a late morning call still counts for the morning), the evening one after.
    pub fn slot_of(&self, at: DateTime) -> Slot {
        let part = if at.time() < self.evening.0 {
            Part::Morning
        } else {
            Part::Evening
        };
        Slot {
            date: at.date(),
            part,
        }
    }

    /// When a slot closes: after this, a slot without a check is missed.
    pub fn closes_at(&self, slot: Slot) -> DateTime {
        let t = match slot.part {
            Part::Morning => self.morning.1,
            Part::Evening => self.evening.1,
        };
        slot.date.to_datetime(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().expect("date")
    }

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

    #[test]
    fn checks_fill_morning_until_the_evening_window() {
        let w = Windows::default();
        let at = |s: &str| s.parse::<DateTime>().expect("datetime");
        assert_eq!(w.slot_of(at("2020-02-01T08:30")).part, Part::Morning);
        assert_eq!(w.slot_of(at("2020-02-01T13:00")).part, Part::Morning);
        assert_eq!(w.slot_of(at("2020-02-01T17:00")).part, Part::Evening);
        assert_eq!(w.slot_of(at("2020-02-01T23:59")).part, Part::Evening);
        assert_eq!(
            w.closes_at(Slot {
                date: d("2020-02-01"),
                part: Part::Evening
            }),
            at("2020-02-01T20:00")
        );
    }
}
