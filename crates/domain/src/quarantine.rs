//! Quarantine orders: their states, how long they last, and the twice-daily check slots.

use jiff::civil::{Date, DateTime, Time};
use serde::{Deserialize, Serialize};

use crate::access::Role;

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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OrderKind))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OrderState))]
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

crate::stored_as_code!(Reason, Kind, State);

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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SlotPart))]
pub enum Part {
    Morning,
    Evening,
}

impl Part {
    pub const ALL: [Part; 2] = [Part::Morning, Part::Evening];

    pub fn code(self) -> &'static str {
        match self {
            Part::Morning => "morning",
            Part::Evening => "evening",
        }
    }

    pub fn from_code(s: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| p.code() == s)
    }
}

crate::stored_as_code!(Part);

/// One of the two checks of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Slot {
    pub date: Date,
    pub part: Part,
}

impl Slot {
    /// The slot's key, `2020-02-01/morning`: how jobs and links name a slot.
    pub fn key(self) -> String {
        format!("{}/{}", self.date, self.part.code())
    }

    pub fn from_key(s: &str) -> Option<Slot> {
        let (date, part) = s.trim().split_once('/')?;
        Some(Slot {
            date: date.parse().ok()?,
            part: Part::from_code(part)?,
        })
    }

    /// The slot before this one.
    pub fn previous(self) -> Slot {
        match self.part {
            Part::Evening => Slot {
                date: self.date,
                part: Part::Morning,
            },
            Part::Morning => Slot {
                date: self.date.yesterday().unwrap_or(self.date),
                part: Part::Evening,
            },
        }
    }

    /// Whether an order running from `start` to `end` (its last day) covers this slot's day.
    pub fn within(self, start: Date, end: Date) -> bool {
        start <= self.date && self.date <= end
    }
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

    /// When a slot's window opens.
    pub fn opens_at(&self, slot: Slot) -> DateTime {
        let t = match slot.part {
            Part::Morning => self.morning.0,
            Part::Evening => self.evening.0,
        };
        slot.date.to_datetime(t)
    }

    /// The slots that closed after `from` and no later than `to` (local times), oldest first.
    pub fn closed_between(&self, from: DateTime, to: DateTime) -> Vec<Slot> {
        let mut out = Vec::new();
        let mut day = from.date();
        while day <= to.date() {
            for part in Part::ALL {
                let slot = Slot { date: day, part };
                let closes = self.closes_at(slot);
                if from < closes && closes <= to {
                    out.push(slot);
                }
            }
            match day.tomorrow() {
                Ok(d) => day = d,
                Err(_) => break,
            }
        }
        out
    }

    /// Parses `07:00-10:00,17:00-20:00`: the morning window, then the evening one, in order and
    /// not overlapping.
    pub fn parse(raw: &str) -> Result<Windows, WindowsError> {
        let parts: Vec<&str> = raw.split([',', ';']).map(str::trim).collect();
        let [m, e] = parts.as_slice() else {
            return Err(WindowsError::Format);
        };
        let window = |s: &str| -> Result<(Time, Time), WindowsError> {
            let (a, b) = s.split_once(['-', '–']).ok_or(WindowsError::Format)?;
            let t = |x: &str| {
                let x = x.trim();
                let (h, m) = x.split_once(':').ok_or(WindowsError::Format)?;
                let h: i8 = h.parse().map_err(|_| WindowsError::Format)?;
                let m: i8 = m.parse().map_err(|_| WindowsError::Format)?;
                Time::new(h, m, 0, 0).map_err(|_| WindowsError::Format)
            };
            Ok((t(a)?, t(b)?))
        };
        let w = Windows {
            morning: window(m)?,
            evening: window(e)?,
        };
        if w.morning.0 < w.morning.1 && w.morning.1 <= w.evening.0 && w.evening.0 < w.evening.1 {
            Ok(w)
        } else {
            Err(WindowsError::Order)
        }
    }
}

impl std::fmt::Display for Windows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hm = |t: Time| format!("{:02}:{:02}", t.hour(), t.minute());
        write!(
            f,
            "{}-{},{}-{}",
            hm(self.morning.0),
            hm(self.morning.1),
            hm(self.evening.0),
            hm(self.evening.1)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WindowsError {
    #[error("write the two windows as 07:00-10:00,17:00-20:00")]
    Format,
    #[error(
        "the morning window must end before the evening window starts, each start before its end"
    )]
    Order,
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
    fn windows_parse_and_print() {
        let w = Windows::parse("07:00-10:00, 17:00-20:00").expect("default windows");
        assert_eq!(w, Windows::default());
        assert_eq!(Windows::parse(&w.to_string()), Ok(w));
        assert_eq!(
            Windows::parse("06:30-09:00,16:00-19:30")
                .map(|w| w.evening.1)
                .ok(),
            Some(Time::constant(19, 30, 0, 0))
        );
        assert_eq!(Windows::parse("07:00-10:00"), Err(WindowsError::Format));
        assert_eq!(Windows::parse("7-10,17-20"), Err(WindowsError::Format));
        assert_eq!(
            Windows::parse("25:00-26:00,17:00-20:00"),
            Err(WindowsError::Format)
        );
        assert_eq!(
            Windows::parse("10:00-07:00,17:00-20:00"),
            Err(WindowsError::Order)
        );
        assert_eq!(
            Windows::parse("07:00-18:00,17:00-20:00"),
            Err(WindowsError::Order)
        );
    }

    #[test]
    fn slots_closed_in_a_span_oldest_first() {
        let w = Windows::default();
        let at = |s: &str| s.parse::<DateTime>().expect("datetime");
        let keys: Vec<String> = w
            .closed_between(at("2020-02-01T09:00"), at("2020-02-02T10:00"))
            .into_iter()
            .map(Slot::key)
            .collect();
        assert_eq!(
            keys,
            [
                "2020-02-01/morning",
                "2020-02-01/evening",
                "2020-02-02/morning"
            ]
        );
        assert!(
            w.closed_between(at("2020-02-01T10:00"), at("2020-02-01T19:59"))
                .is_empty()
        );
    }

    #[test]
    fn slot_keys_round_trip() {
        let s = Slot {
            date: d("2020-02-01"),
            part: Part::Evening,
        };
        assert_eq!(Slot::from_key(&s.key()), Some(s));
        assert_eq!(Slot::from_key("2020-02-01/noon"), None);
        assert_eq!(Slot::from_key("nonsense"), None);
        assert_eq!(s.previous().previous().key(), "2020-01-31/evening");
        assert!(s.within(d("2020-01-25"), d("2020-02-01")));
        assert!(!s.within(d("2020-02-02"), d("2020-02-10")));
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
