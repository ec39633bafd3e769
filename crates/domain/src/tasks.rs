//! Supply-delivery tasks and rubbish rounds of home quarantine.
//!
//! A household with a member under active home quarantine gets a delivery every two days,
//! counted from the first day of its earliest active home order: a volunteer asks what it needs,
//! delivers it, and the household's receipt is confirmed. Every day from 17:00 a rubbish round
//! visits the sealed doors of each grid in building, unit and room order.

use jiff::civil::{Date, DateTime, Time};
use serde::{Deserialize, Serialize};

use crate::access::Role;

/// Days between two deliveries to the same household.
pub const DELIVERY_EVERY_DAYS: i64 = 2;

/// The longest list of needs a volunteer may write down.
pub const MAX_NEEDS_CHARS: usize = 500;

/// When rubbish rounds open, in the community's local time.
pub const RUBBISH_ROUND_OPENS: Time = Time::constant(17, 0, 0, 0);

/// Who works tasks: volunteers do them; staff and grid workers also record steps for them.
pub fn can_work(role: Role) -> bool {
    matches!(
        role,
        Role::Volunteer | Role::CommunityStaff | Role::GridWorker
    )
}

/// Who assigns tasks to volunteers, cancels them and opens rounds by hand.
pub fn can_assign(role: Role) -> bool {
    matches!(role, Role::CommunityStaff | Role::GridWorker)
}

/// Who reads every task of a jurisdiction: those who assign them, officials and administrators
/// who oversee the work, doctors checking that medicine arrived, and the CDC.
pub fn can_oversee(role: Role) -> bool {
    can_assign(role)
        || matches!(
            role,
            Role::Official | Role::Admin | Role::Doctor | Role::CdcLiaison
        )
}

/// Who reads tasks at all: those who work them and those who oversee them ([`task_reach`] says
/// which).
pub fn can_read(role: Role) -> bool {
    can_work(role) || can_oversee(role)
}

/// Which tasks of its jurisdiction a role reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskReach {
    /// Every task: those who assign, oversee, or record steps for anyone.
    Jurisdiction,
    /// The account's own tasks and the unassigned ones it may take: a volunteer does not read
    /// the doors and needs of households given to someone else.
    OwnOrUnassigned,
}

pub fn task_reach(role: Role) -> TaskReach {
    match role {
        Role::Volunteer => TaskReach::OwnOrUnassigned,
        _ => TaskReach::Jurisdiction,
    }
}

/// Whether `actor` may record a step of a task assigned to `assigned`: staff and grid workers
/// for anyone in their jurisdiction, a volunteer for their own tasks and for unassigned ones
/// (which become theirs).
pub fn may_record(role: Role, actor_id: i64, assigned: Option<i64>) -> bool {
    match role {
        Role::CommunityStaff | Role::GridWorker => true,
        Role::Volunteer => assigned.is_none_or(|v| v == actor_id),
        _ => false,
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeliveryState {
    /// Generated; nobody has asked the household yet.
    Open,
    /// The household said what it needs.
    Asked,
    /// Left at the door.
    Delivered,
    /// The household confirmed it received the delivery.
    Confirmed,
    /// No longer needed: the quarantine ended, or staff cancelled it.
    Cancelled,
}

crate::coded!(DeliveryState {
    Open => "open",
    Asked => "asked",
    Delivered => "delivered",
    Confirmed => "confirmed",
    Cancelled => "cancelled",
});

impl DeliveryState {
    /// Still work for the volunteer: nothing delivered yet.
    pub fn is_pending(self) -> bool {
        matches!(self, DeliveryState::Open | DeliveryState::Asked)
    }

    pub fn is_final(self) -> bool {
        matches!(self, DeliveryState::Confirmed | DeliveryState::Cancelled)
    }
}

/// A step a person records on a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Record what the household needs (again, to change it before delivery).
    Ask,
    Deliver,
    Confirm,
    Cancel,
}

impl Step {
    pub fn code(self) -> &'static str {
        match self {
            Step::Ask => "ask",
            Step::Deliver => "deliver",
            Step::Confirm => "confirm",
            Step::Cancel => "cancel",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("not allowed in this state")]
    NotAllowed,
}

impl StepError {
    pub fn code(self) -> &'static str {
        "task_step_not_allowed"
    }
}

/// The state after `step`: ask → deliver → confirm, asking again until delivered, cancelling
/// only what has not been delivered.
pub fn advance(from: DeliveryState, step: Step) -> Result<DeliveryState, StepError> {
    use DeliveryState as S;
    match (from, step) {
        (S::Open | S::Asked, Step::Ask) => Ok(S::Asked),
        (S::Asked, Step::Deliver) => Ok(S::Delivered),
        (S::Delivered, Step::Confirm) => Ok(S::Confirmed),
        (S::Open | S::Asked, Step::Cancel) => Ok(S::Cancelled),
        _ => Err(StepError::NotAllowed),
    }
}

/// How the household's receipt reached the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ConfirmedVia {
    /// The household said so at the door, to the volunteer.
    AtDoor,
    /// The household confirmed on the phone.
    Phone,
}

crate::coded!(ConfirmedVia {
    AtDoor => "at_door",
    Phone => "phone",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NeedsError {
    #[error("required")]
    Required,
    #[error("too long")]
    TooLong,
}

impl crate::validation::Coded for NeedsError {
    fn code(&self) -> &'static str {
        match self {
            NeedsError::Required => "required",
            NeedsError::TooLong => "too_long",
        }
    }
    fn detail(&self) -> String {
        match self {
            NeedsError::Required => String::new(),
            NeedsError::TooLong => MAX_NEEDS_CHARS.to_string(),
        }
    }
}

/// What the household needs, as the volunteer wrote it: trimmed, not empty, not too long.
pub fn parse_needs(text: &str) -> Result<String, NeedsError> {
    let t = text.trim();
    if t.is_empty() {
        Err(NeedsError::Required)
    } else if t.chars().count() > MAX_NEEDS_CHARS {
        Err(NeedsError::TooLong)
    } else {
        Ok(t.to_owned())
    }
}

/// An active home-quarantine order as generation sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HomeOrder {
    pub household_id: i64,
    pub start_date: Date,
}

/// Whether a household whose earliest active home order started on `first_day` gets a
/// delivery on `date`: day 0, 2, 4 … of its quarantine.
pub fn delivery_due(first_day: Date, date: Date) -> bool {
    // Between civil dates `until` counts whole days.
    let days = first_day
        .until(date)
        .map(|s| i64::from(s.get_days()))
        .unwrap_or(-1);
    days >= 0 && days % DELIVERY_EVERY_DAYS == 0
}

/// The households due a delivery on `date`, given the active home orders: each household is
/// counted from its earliest order that has started; sorted by household id.
pub fn households_due(date: Date, orders: &[HomeOrder]) -> Vec<i64> {
    let mut first: std::collections::BTreeMap<i64, Date> = std::collections::BTreeMap::new();
    for o in orders.iter().filter(|o| o.start_date <= date) {
        first
            .entry(o.household_id)
            .and_modify(|d| *d = (*d).min(o.start_date))
            .or_insert(o.start_date);
    }
    first
        .into_iter()
        .filter(|(_, day)| delivery_due(*day, date))
        .map(|(h, _)| h)
        .collect()
}

/// Whether the rubbish round of `date` may open at local time `now`: from 17:00 that day.
pub fn rubbish_round_available(date: Date, now: DateTime) -> bool {
    now >= date.to_datetime(RUBBISH_ROUND_OPENS)
}

/// What the volunteer found at one sealed door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StopState {
    Pending,
    Collected,
    /// The household put nothing out today.
    NoRubbish,
}

crate::coded!(StopState {
    Pending => "pending",
    Collected => "collected",
    NoRubbish => "no_rubbish",
});

impl StopState {
    /// The outcomes a volunteer records.
    pub fn outcome_from_code(s: &str) -> Option<StopState> {
        StopState::from_code(s).filter(|x| *x != StopState::Pending)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RoundState {
    Open,
    Done,
}

crate::coded!(RoundState {
    Open => "open",
    Done => "done",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoundError {
    #[error("the round is already done")]
    AlreadyDone,
    #[error("some doors have not been visited")]
    StopsPending,
}

impl RoundError {
    pub fn code(self) -> &'static str {
        match self {
            RoundError::AlreadyDone => "round_done",
            RoundError::StopsPending => "stops_pending",
        }
    }
}

/// A round is done when every door has been visited.
pub fn finish_round(state: RoundState, pending_stops: i64) -> Result<RoundState, RoundError> {
    match state {
        RoundState::Done => Err(RoundError::AlreadyDone),
        RoundState::Open if pending_stops > 0 => Err(RoundError::StopsPending),
        RoundState::Open => Ok(RoundState::Done),
    }
}

/// A key that sorts addresses as people read them: building, unit, room, with numbers in
/// numeric order ("2号楼" before "10号楼", room "302" before "1101").
pub fn place_key(building: &str, unit: &str, room: &str) -> String {
    let mut key = String::new();
    for part in [building, unit, room] {
        natural_into(part.trim(), &mut key);
        key.push('\u{1f}');
    }
    key
}

/// Appends `s` with each run of digits left-padded to 10 digits (longer runs kept whole).
fn natural_into(s: &str, out: &mut String) {
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if !digits.is_empty() {
            let trimmed = digits.trim_start_matches('0');
            let n = if trimmed.is_empty() { "0" } else { trimmed };
            for _ in n.len()..10 {
                out.push('0');
            }
            out.push_str(n);
            digits.clear();
        }
    };
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, out);
            out.push(c);
        }
    }
    flush(&mut digits, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    #[test]
    fn deliveries_every_second_day_from_the_first() {
        let first = d("2020-02-01");
        assert!(delivery_due(first, d("2020-02-01")));
        assert!(!delivery_due(first, d("2020-02-02")));
        assert!(delivery_due(first, d("2020-02-03")));
        assert!(delivery_due(first, d("2020-02-29")));
        assert!(!delivery_due(first, d("2020-03-01")), "across months");
        assert!(
            !delivery_due(first, d("2020-01-30")),
            "not before the start"
        );
    }

    #[test]
    fn a_household_counts_from_its_earliest_started_order() {
        let orders = [
            HomeOrder {
                household_id: 7,
                start_date: d("2020-02-02"),
            },
            HomeOrder {
                household_id: 7,
                start_date: d("2020-02-01"),
            },
            HomeOrder {
                household_id: 3,
                start_date: d("2020-02-02"),
            },
            // Starts later: not counted yet.
            HomeOrder {
                household_id: 9,
                start_date: d("2020-02-10"),
            },
        ];
        assert_eq!(households_due(d("2020-02-01"), &orders), vec![7]);
        assert_eq!(households_due(d("2020-02-02"), &orders), vec![3]);
        assert_eq!(households_due(d("2020-02-03"), &orders), vec![7]);
        assert_eq!(households_due(d("2020-02-04"), &orders), vec![3]);
        assert_eq!(households_due(d("2020-02-10"), &orders), vec![3, 9]);
        assert!(households_due(d("2020-02-01"), &[]).is_empty());
    }

    #[test]
    fn ask_deliver_confirm() {
        use DeliveryState as S;
        assert_eq!(advance(S::Open, Step::Ask), Ok(S::Asked));
        assert_eq!(advance(S::Asked, Step::Ask), Ok(S::Asked));
        assert_eq!(advance(S::Asked, Step::Deliver), Ok(S::Delivered));
        assert_eq!(advance(S::Delivered, Step::Confirm), Ok(S::Confirmed));
        assert_eq!(advance(S::Open, Step::Deliver), Err(StepError::NotAllowed));
        assert_eq!(advance(S::Asked, Step::Confirm), Err(StepError::NotAllowed));
        assert_eq!(
            advance(S::Delivered, Step::Cancel),
            Err(StepError::NotAllowed)
        );
        assert_eq!(advance(S::Delivered, Step::Ask), Err(StepError::NotAllowed));
        for s in [S::Confirmed, S::Cancelled] {
            for step in [Step::Ask, Step::Deliver, Step::Confirm, Step::Cancel] {
                assert_eq!(advance(s, step), Err(StepError::NotAllowed));
            }
        }
    }

    #[test]
    fn needs_are_required_and_bounded() {
        assert_eq!(parse_needs("  蔬菜, 药 "), Ok("蔬菜, 药".to_owned()));
        assert_eq!(parse_needs("   "), Err(NeedsError::Required));
        assert_eq!(
            parse_needs(&"米".repeat(MAX_NEEDS_CHARS + 1)),
            Err(NeedsError::TooLong)
        );
        assert!(parse_needs(&"米".repeat(MAX_NEEDS_CHARS)).is_ok());
    }

    #[test]
    fn who_records_steps() {
        assert!(may_record(Role::Volunteer, 5, Some(5)));
        assert!(may_record(Role::Volunteer, 5, None));
        assert!(!may_record(Role::Volunteer, 5, Some(6)));
        assert!(may_record(Role::GridWorker, 5, Some(6)));
        assert!(!may_record(Role::Doctor, 5, None));
        assert!(!can_assign(Role::Volunteer));
        assert!(can_oversee(Role::Official));
        assert!(!can_oversee(Role::Guard) && !can_oversee(Role::Volunteer));
        assert!(!can_work(Role::Guard));
        assert_eq!(task_reach(Role::Volunteer), TaskReach::OwnOrUnassigned);
        assert_eq!(task_reach(Role::GridWorker), TaskReach::Jurisdiction);
    }

    #[test]
    fn rubbish_rounds_open_at_five_in_the_evening() {
        let at = |s: &str| s.parse::<DateTime>().expect("datetime");
        let day = d("2020-02-01");
        assert!(!rubbish_round_available(day, at("2020-02-01T16:59:59")));
        assert!(rubbish_round_available(day, at("2020-02-01T17:00")));
        assert!(rubbish_round_available(day, at("2020-02-02T08:00")));
        assert!(!rubbish_round_available(day, at("2020-01-31T18:00")));
    }

    #[test]
    fn a_round_is_done_only_when_every_door_was_visited() {
        assert_eq!(finish_round(RoundState::Open, 0), Ok(RoundState::Done));
        assert_eq!(
            finish_round(RoundState::Open, 2),
            Err(RoundError::StopsPending)
        );
        assert_eq!(
            finish_round(RoundState::Done, 0),
            Err(RoundError::AlreadyDone)
        );
        assert_eq!(StopState::outcome_from_code("pending"), None);
        assert_eq!(
            StopState::outcome_from_code("no_rubbish"),
            Some(StopState::NoRubbish)
        );
    }

    #[test]
    fn addresses_sort_as_people_read_them() {
        let mut places = vec![
            ("10号楼", "1单元", "101"),
            ("2号楼", "2单元", "1101"),
            ("2号楼", "2单元", "302"),
            ("2号楼", "1单元", "502"),
            ("Building 1", "", "7"),
        ];
        places.sort_by_key(|(b, u, r)| place_key(b, u, r));
        assert_eq!(
            places,
            vec![
                ("2号楼", "1单元", "502"),
                ("2号楼", "2单元", "302"),
                ("2号楼", "2单元", "1101"),
                ("10号楼", "1单元", "101"),
                ("Building 1", "", "7"),
            ]
        );
        assert_eq!(place_key("01", "", "2"), place_key("1", "", "02"));
    }
}
