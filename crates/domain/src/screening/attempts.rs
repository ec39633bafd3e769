//! Attempts: a call, a visit or a notice with what came of it, and where that leaves the
//! household in the worker's list.

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::validation::FieldErrors;

/// How a household was tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
// Named apart from the checks' method of the same name in the API's document.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ScreeningMethod))]
pub enum Method {
    Call,
    Visit,
    Notice,
}

crate::coded!(Method {
    Call => "call",
    Visit => "visit",
    Notice => "notice",
});

/// What came of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ScreeningOutcome))]
pub enum Outcome {
    Answered,
    NoAnswer,
    Refused,
    Met,
    NobodyHome,
    Left,
}

crate::coded!(Outcome {
    Answered => "answered",
    NoAnswer => "no_answer",
    Refused => "refused",
    Met => "met",
    NobodyHome => "nobody_home",
    Left => "left",
});

/// A method with an outcome it can have: a call is answered, not answered or refused; a visit
/// meets someone or finds nobody home; a notice is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Contact {
    pub method: Method,
    pub outcome: Outcome,
}

impl Contact {
    /// Every allowed pair, in the order a worker escalates: call, visit, notice.
    pub const ALL: [Contact; 6] = [
        Contact::new(Method::Call, Outcome::Answered),
        Contact::new(Method::Call, Outcome::NoAnswer),
        Contact::new(Method::Call, Outcome::Refused),
        Contact::new(Method::Visit, Outcome::Met),
        Contact::new(Method::Visit, Outcome::NobodyHome),
        Contact::new(Method::Notice, Outcome::Left),
    ];

    const fn new(method: Method, outcome: Outcome) -> Contact {
        Contact { method, outcome }
    }

    /// Parses a method and outcome pair, refusing pairs that cannot happen.
    pub fn parse(method: &str, outcome: &str, errors: &mut FieldErrors) -> Option<Contact> {
        let Some(m) = Method::from_code(method.trim()) else {
            errors.add("method", "unknown_method", "");
            return None;
        };
        let o = Outcome::from_code(outcome.trim());
        match o.map(|o| Contact::new(m, o)) {
            Some(c) if Contact::ALL.contains(&c) => Some(c),
            _ => {
                errors.add("outcome", "outcome_not_for_method", "");
                None
            }
        }
    }

    /// Someone was reached and answered the questions.
    pub fn is_answer(self) -> bool {
        matches!(self.outcome, Outcome::Answered | Outcome::Met)
    }

    /// The stable code of the pair, e.g. `call_no_answer`.
    pub fn code(self) -> String {
        format!("{}_{}", self.method.code(), self.outcome.code())
    }
}

/// Where a household stands in a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum HouseholdState {
    Open,
    Unreachable,
    Done,
}

crate::coded!(HouseholdState {
    Open => "open",
    Unreachable => "unreachable",
    Done => "done",
});

impl HouseholdState {
    /// The band a worker's list shows the household in: open first, then unreachable (to try
    /// again), then done.
    fn band(self) -> i64 {
        match self {
            HouseholdState::Open => 0,
            HouseholdState::Unreachable => 1,
            HouseholdState::Done => 2,
        }
    }
}

/// Positions within a campaign are below this, so a band and a position make one sort key.
pub const BAND: i64 = 1_000_000_000_000;

/// The distance between the positions of neighbouring households when a campaign numbers its
/// scope, so that households registered later fit between their neighbours: 16 halvings of one
/// gap before the campaign has to be numbered again, and room below [`BAND`] for 15 million
/// households.
pub const POSITION_GAP: i64 = 65_536;

/// The key a worker's list is ordered and paged by: the state's band, then the household's
/// place in building, unit and room order.
pub fn list_rank(state: HouseholdState, position: i64) -> i64 {
    state.band() * BAND + position
}

/// The position part of a list rank.
pub fn position_of(rank: i64) -> i64 {
    rank.rem_euclid(BAND)
}

/// The state after an attempt, given the attempts without an answer so far (this one
/// included). An answer closes the household; a refusal, or `unreachable_after` attempts
/// without one, make it unreachable; a later failed attempt never reopens an answered one.
pub fn next_state(
    current: HouseholdState,
    contact: Contact,
    failed_attempts: i64,
    unreachable_after: u8,
) -> HouseholdState {
    if contact.is_answer() || current == HouseholdState::Done {
        HouseholdState::Done
    } else if contact.outcome == Outcome::Refused || failed_attempts >= i64::from(unreachable_after)
    {
        HouseholdState::Unreachable
    } else {
        HouseholdState::Open
    }
}

/// Parses the local time an attempt happened: empty for `now`; never in the future (a few
/// minutes of clock difference between phone and server are allowed).
pub fn parse_attempt_time(raw: &str, now: DateTime, errors: &mut FieldErrors) -> Option<DateTime> {
    let s = raw.trim();
    if s.is_empty() {
        return Some(now);
    }
    let parsed = s
        .parse::<DateTime>()
        .ok()
        .or_else(|| s.replacen(' ', "T", 1).parse::<DateTime>().ok());
    match parsed {
        Some(t) if t > now.saturating_add(jiff::Span::new().minutes(5)) => {
            errors.add("at", "time_in_future", "");
            None
        }
        Some(t) => Some(t),
        None => {
            errors.add("at", "time_format", s);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(m: Method, o: Outcome) -> Contact {
        Contact::new(m, o)
    }

    #[test]
    fn only_real_method_outcome_pairs() {
        let mut e = FieldErrors::new();
        assert!(Contact::parse("call", "answered", &mut e).is_some_and(Contact::is_answer));
        assert!(Contact::parse("visit", "met", &mut e).is_some_and(Contact::is_answer));
        assert!(Contact::parse("notice", "left", &mut e).is_some_and(|c| !c.is_answer()));
        assert!(e.is_empty());
        assert!(Contact::parse("call", "met", &mut e).is_none());
        assert_eq!(e.0[0].code, "outcome_not_for_method");
        let mut e = FieldErrors::new();
        assert!(Contact::parse("fax", "left", &mut e).is_none());
        assert_eq!(e.0[0].code, "unknown_method");
    }

    #[test]
    fn a_household_stays_open_until_answered_and_becomes_unreachable() {
        let no_answer = contact(Method::Call, Outcome::NoAnswer);
        let nobody = contact(Method::Visit, Outcome::NobodyHome);
        let notice = contact(Method::Notice, Outcome::Left);
        let refused = contact(Method::Call, Outcome::Refused);
        let met = contact(Method::Visit, Outcome::Met);
        use HouseholdState::{Done, Open, Unreachable};
        let steps = [
            (Open, no_answer, 1, Open),
            (Open, nobody, 2, Open),
            (Open, notice, 3, Unreachable),
            (Open, refused, 1, Unreachable),
            (Unreachable, met, 3, Done),
            (Done, no_answer, 4, Done),
        ];
        for (from, contact, failed, to) in steps {
            assert_eq!(
                next_state(from, contact, failed, 3),
                to,
                "{from:?} {contact:?}"
            );
        }
    }

    #[test]
    fn list_rank_puts_open_first_and_keeps_the_position() {
        let a = list_rank(HouseholdState::Open, 900);
        let b = list_rank(HouseholdState::Unreachable, 1);
        let c = list_rank(HouseholdState::Done, 1);
        assert!(a < b && b < c);
        assert_eq!(position_of(b), 1);
        assert_eq!(position_of(a), 900);
    }

    #[test]
    fn attempt_time_defaults_to_now_and_is_not_in_the_future() {
        let now: DateTime = "2020-02-01T08:00".parse().expect("time");
        let mut e = FieldErrors::new();
        assert_eq!(parse_attempt_time("", now, &mut e), Some(now));
        assert_eq!(
            parse_attempt_time("2020-02-01 07:30", now, &mut e),
            "2020-02-01T07:30".parse().ok()
        );
        assert!(e.is_empty());
        assert!(parse_attempt_time("2020-02-01T09:00", now, &mut e).is_none());
        assert_eq!(e.0[0].code, "time_in_future");
    }
}
