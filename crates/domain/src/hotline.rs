//! The 24-hour hotline: who is on duty, what a call is about, what it leads to, and how a
//! caller's number is shown.

use serde::{Deserialize, Serialize};

use crate::access::Role;
use crate::phone::Phone;
use crate::validation::Coded;

/// The longest duty shift: a day and a night.
pub const SHIFT_MAX_MS: i64 = 24 * 3_600_000;
/// The longest caller's name.
pub const CALLER_NAME_MAX: usize = 64;
/// The longest number as typed (an extension, a country prefix).
pub const NUMBER_MAX: usize = 30;
/// The longest account of what was said.
pub const SAID_MAX: usize = 2000;
/// The longest outcome, follow-up task or note.
pub const NOTE_MAX: usize = 1000;
/// A follow-up is due within a week at the latest.
pub const FOLLOW_UP_MAX_HOURS: i64 = 7 * 24;
/// A follow-up is due in a day unless the form says otherwise.
pub const FOLLOW_UP_DEFAULT_HOURS: i64 = 24;

/// What a call is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CallTopic))]
pub enum Topic {
    /// A question: the rules, the pass, where to get tested.
    Consultation,
    /// Someone came back from elsewhere.
    Returnee,
    /// Someone has a fever or another symptom.
    Symptom,
    /// A request for help or supplies.
    Help,
    /// A complaint: it is filed as one.
    Complaint,
    Other,
}

crate::coded!(Topic {
    Consultation => "consultation",
    Returnee => "returnee",
    Symptom => "symptom",
    Help => "help",
    Complaint => "complaint",
    Other => "other",
});

impl Topic {
    /// Whether a call on this topic always leaves work for someone: a returnee must be
    /// screened, a symptom seen to. With no owner picked, the household's grid worker has it.
    #[must_use]
    pub fn needs_follow_up(self) -> bool {
        matches!(self, Topic::Returnee | Topic::Symptom)
    }
}

/// What a call leads to beside its record, decided from its topic and what is known of the
/// household.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leads {
    /// A complaint is filed with what was said.
    pub complaint: bool,
    /// The household's supply delivery is asked for: only a household under home quarantine
    /// has deliveries (any other would be called off as having nobody to serve).
    pub delivery: bool,
    /// A follow-up task is created even when the form asked for none.
    pub follow_up: bool,
}

#[must_use]
pub fn leads(topic: Topic, household_in_home_quarantine: bool) -> Leads {
    let delivery = topic == Topic::Help && household_in_home_quarantine;
    Leads {
        complaint: topic == Topic::Complaint,
        delivery,
        follow_up: topic.needs_follow_up(),
    }
}

/// Who answers the hotline and is put on its duty shifts: the community's staff.
#[must_use]
pub fn can_answer(role: Role) -> bool {
    role == Role::CommunityStaff
}

/// Who draws up the duty roster: the community's staff.
#[must_use]
pub fn can_manage_shifts(role: Role) -> bool {
    role == Role::CommunityStaff
}

/// Who reads the call log and its figures: the staff and the officials above them.
#[must_use]
pub fn can_read(role: Role) -> bool {
    matches!(role, Role::CommunityStaff | Role::Official)
}

/// Who may be given a follow-up: the people who go to a household or call it back.
#[must_use]
pub fn may_own_follow_up(role: Role) -> bool {
    matches!(role, Role::CommunityStaff | Role::GridWorker | Role::Doctor)
}

/// Whether `actor` may mark a follow-up owned by `owner` done: its owner, or staff.
#[must_use]
pub fn may_finish_follow_up(role: Role, actor_id: i64, owner_id: i64) -> bool {
    role == Role::CommunityStaff || (may_own_follow_up(role) && actor_id == owner_id)
}

/// Where a follow-up stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = FollowUpState))]
pub enum FollowUpState {
    Open,
    Done,
}

crate::coded!(FollowUpState {
    Open => "open",
    Done => "done",
});

/// A follow-up's due time from the hours the form gives: 1 to a week, a day when empty.
pub fn follow_up_due(at_ms: i64, hours: Option<i64>) -> Result<i64, TextError> {
    let h = hours.unwrap_or(FOLLOW_UP_DEFAULT_HOURS);
    if !(1..=FOLLOW_UP_MAX_HOURS).contains(&h) {
        return Err(TextError::OutOfRange);
    }
    Ok(at_ms + h * 3_600_000)
}

/// Whether a shift from `starts_at` to `ends_at` (ms) is one a roster may hold.
#[must_use]
pub fn shift_length_ok(starts_at: i64, ends_at: i64) -> bool {
    ends_at
        .checked_sub(starts_at)
        .is_some_and(|l| l > 0 && l <= SHIFT_MAX_MS)
}

/// A refused free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("required")]
    Required,
    #[error("too long")]
    TooLong { max: usize },
    #[error("control characters are not allowed")]
    Control,
    #[error("out of range")]
    OutOfRange,
    #[error("not a phone number")]
    Number,
}

impl Coded for TextError {
    fn code(&self) -> &'static str {
        match self {
            TextError::Required => "required",
            TextError::TooLong { .. } => "too_long",
            TextError::Control => "control_character",
            TextError::OutOfRange => "out_of_range",
            TextError::Number => "phone_format",
        }
    }
    fn detail(&self) -> String {
        match self {
            TextError::TooLong { max } => max.to_string(),
            _ => String::new(),
        }
    }
}

/// A free text of up to `max` characters, trimmed, lines kept: empty is `Ok("")` unless
/// `required`.
pub fn parse_text(raw: &str, max: usize, required: bool) -> Result<String, TextError> {
    let t = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    if t.is_empty() {
        return if required {
            Err(TextError::Required)
        } else {
            Ok(String::new())
        };
    }
    if t.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    if t.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(TextError::Control);
    }
    Ok(t.replace("\r\n", "\n"))
}

/// A caller's number as typed: any number a phone showed (an extension, a number from another
/// province), digits with `+ - ( )` and spaces; empty when the caller withheld it.
pub fn parse_number(raw: &str) -> Result<String, TextError> {
    let t = raw.trim();
    if t.chars().count() > NUMBER_MAX {
        return Err(TextError::TooLong { max: NUMBER_MAX });
    }
    if !t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | ' '))
    {
        return Err(TextError::Number);
    }
    Ok(t.to_owned())
}

/// A number as lists show it: a mainland phone as the registry masks it (`138****5678`), any
/// other keeps its first three and last four digits when it has eight or more, and nothing
/// but stars otherwise.
#[must_use]
pub fn mask_number(number: &str) -> String {
    if let Ok(p) = Phone::parse(number) {
        return p.masked();
    }
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 8 {
        let head: String = digits[..3].iter().collect();
        let tail: String = digits[digits.len() - 4..].iter().collect();
        format!("{head}{}{tail}", "*".repeat(digits.len() - 7))
    } else {
        "*".repeat(digits.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_lead_to_their_work() {
        let l = leads(Topic::Complaint, false);
        assert!(l.complaint && !l.delivery && !l.follow_up);
        assert!(leads(Topic::Help, true).delivery);
        assert!(
            !leads(Topic::Help, false).delivery,
            "a household not in quarantine has no deliveries"
        );
        assert!(leads(Topic::Returnee, false).follow_up);
        assert!(leads(Topic::Symptom, true).follow_up);
        for t in [Topic::Consultation, Topic::Other] {
            assert_eq!(
                leads(t, true),
                Leads {
                    complaint: false,
                    delivery: false,
                    follow_up: false
                }
            );
        }
        for t in Topic::ALL {
            assert_eq!(Topic::from_code(t.code()), Some(t));
        }
    }

    #[test]
    fn only_staff_answer_and_owners_finish_their_follow_ups() {
        assert!(can_answer(Role::CommunityStaff));
        for r in [Role::GridWorker, Role::Guard, Role::Volunteer, Role::Admin] {
            assert!(!can_answer(r), "{r:?}");
        }
        assert!(can_read(Role::Official) && !can_read(Role::Auditor));
        assert!(may_own_follow_up(Role::GridWorker) && !may_own_follow_up(Role::Volunteer));
        assert!(may_finish_follow_up(Role::GridWorker, 7, 7));
        assert!(!may_finish_follow_up(Role::GridWorker, 7, 8));
        assert!(may_finish_follow_up(Role::CommunityStaff, 7, 8));
        assert!(!may_finish_follow_up(Role::Volunteer, 7, 7));
    }

    #[test]
    fn numbers_are_masked_whatever_their_shape() {
        assert_eq!(mask_number("13812345678"), "138****5678");
        assert_eq!(mask_number("029-88661234"), "029-****1234");
        assert_eq!(mask_number("+1 (415) 555-0100"), "141****0100");
        assert_eq!(mask_number("12345"), "*****");
        assert_eq!(mask_number(""), "");
        assert!(!mask_number("0912-3456789").contains("345678"));
    }

    #[test]
    fn numbers_and_texts_are_parsed() {
        assert_eq!(
            parse_number(" 138 1234 5678 "),
            Ok("138 1234 5678".to_owned())
        );
        assert_eq!(parse_number(""), Ok(String::new()));
        assert_eq!(parse_number("call me"), Err(TextError::Number));
        assert!(parse_number(&"1".repeat(31)).is_err());
        assert_eq!(parse_text("  ", 10, true), Err(TextError::Required));
        assert_eq!(parse_text("  ", 10, false), Ok(String::new()));
        assert_eq!(parse_text("a\r\nb", 10, true), Ok("a\nb".to_owned()));
        assert_eq!(
            parse_text("toolong", 3, true),
            Err(TextError::TooLong { max: 3 })
        );
        assert_eq!(parse_text("a\u{7}", 10, true), Err(TextError::Control));
    }

    #[test]
    fn shifts_and_follow_ups_are_bounded() {
        assert!(shift_length_ok(0, 8 * 3_600_000));
        assert!(shift_length_ok(0, SHIFT_MAX_MS));
        assert!(!shift_length_ok(0, SHIFT_MAX_MS + 1));
        assert!(!shift_length_ok(10, 10));
        assert_eq!(follow_up_due(0, None), Ok(24 * 3_600_000));
        assert_eq!(follow_up_due(0, Some(2)), Ok(2 * 3_600_000));
        assert_eq!(follow_up_due(0, Some(0)), Err(TextError::OutOfRange));
        assert_eq!(follow_up_due(0, Some(24 * 8)), Err(TextError::OutOfRange));
    }
}
