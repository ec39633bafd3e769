//! Answers: each resident's travel, as a worker enters it when someone answers, and whether it
//! matches a question of the campaign.

use jiff::civil::Date;

use super::{Question, RegionCode};
use crate::registry::{Travel, TravelStatus};
use crate::validation::FieldErrors;

/// One resident's answer as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawAnswer {
    pub resident_id: i64,
    pub travel_status: String,
    /// A region code; required when the resident returned from elsewhere.
    pub origin: String,
    pub returned_on: String,
}

/// One resident's answer, parsed: the register entry and the origin's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub resident_id: i64,
    pub travel: Travel,
    pub origin: Option<RegionCode>,
    /// Whether any question of the campaign is answered "yes".
    pub matched: bool,
}

/// Parses one answer; field names carry the resident id (`answers[7].origin`) so a form shows
/// each message next to its person.
pub fn parse_answer(
    raw: &RawAnswer,
    questions: &[Question],
    today: Date,
    errors: &mut FieldErrors,
) -> Option<Answer> {
    let prefix = format!("answers[{}]", raw.resident_id);
    let Some(status) = crate::resident::travel_status_from_text(&raw.travel_status)
        .filter(|_| !raw.travel_status.trim().is_empty())
    else {
        errors.add(
            &format!("{prefix}.travel_status"),
            "unknown_travel_status",
            "",
        );
        return None;
    };
    if status != TravelStatus::Returned {
        return Some(Answer {
            resident_id: raw.resident_id,
            travel: Travel {
                status,
                origin: None,
                returned_on: None,
            },
            origin: None,
            matched: false,
        });
    }
    let origin = errors.check(&format!("{prefix}.origin"), RegionCode::parse(&raw.origin));
    let date_field = format!("{prefix}.returned_on");
    let returned_on = match crate::resident::date_from_text(&raw.returned_on) {
        Some(d) if d > today => {
            errors.add(&date_field, "date_in_future", "");
            None
        }
        Some(d) => Some(d),
        None if raw.returned_on.trim().is_empty() => {
            errors.add(&date_field, "required", "");
            None
        }
        None => {
            errors.add(&date_field, "date_format", raw.returned_on.trim());
            None
        }
    };
    let (origin, returned_on) = (origin?, returned_on?);
    let matched = questions
        .iter()
        .any(|q| q.matches(Some(&origin), Some(returned_on)));
    Some(Answer {
        resident_id: raw.resident_id,
        travel: Travel {
            status,
            origin: Some(origin.full_code()),
            returned_on: Some(returned_on),
        },
        origin: Some(origin),
        matched,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    #[test]
    fn answers_fill_the_register_and_flag_matches() {
        let today = d("2020-02-01");
        let qs = vec![Question {
            region: RegionCode::parse("4201").expect("wuhan"),
            since: d("2020-01-10"),
        }];
        let mut e = FieldErrors::new();
        let a = parse_answer(
            &RawAnswer {
                resident_id: 7,
                travel_status: "returned".to_owned(),
                origin: "420106".to_owned(),
                returned_on: "2020-01-20".to_owned(),
            },
            &qs,
            today,
            &mut e,
        )
        .expect("answer");
        assert!(a.matched);
        assert_eq!(a.travel.origin.as_deref(), Some("420106"));

        let a = parse_answer(
            &RawAnswer {
                resident_id: 8,
                travel_status: "stayed_in_city".to_owned(),
                origin: "42".to_owned(),
                ..Default::default()
            },
            &qs,
            today,
            &mut e,
        )
        .expect("answer");
        assert!(!a.matched && a.travel.origin.is_none());
        assert!(e.is_empty());

        let mut e = FieldErrors::new();
        assert!(
            parse_answer(
                &RawAnswer {
                    resident_id: 9,
                    travel_status: "returned".to_owned(),
                    origin: String::new(),
                    returned_on: "2020-02-02".to_owned(),
                },
                &qs,
                today,
                &mut e,
            )
            .is_none()
        );
        assert_eq!(
            e.for_field("answers[9].origin").map(|f| f.code.as_str()),
            Some("required")
        );
        assert_eq!(
            e.for_field("answers[9].returned_on")
                .map(|f| f.code.as_str()),
            Some("date_in_future")
        );
    }
}
