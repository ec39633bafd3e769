//! Health checks of people in quarantine: temperatures, symptoms, and the fever rule.

use serde::{Deserialize, Serialize};

use crate::validation::Coded;

/// A body temperature in tenths of a degree Celsius, 35.0–42.0 °C; anything outside is a
/// misreading, not a measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Temperature(u16);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TemperatureError {
    #[error("not a temperature")]
    Format,
    #[error("outside 35.0–42.0 °C")]
    OutOfRange,
    #[error("at most one decimal")]
    Precision,
}

impl Coded for TemperatureError {
    fn code(&self) -> &'static str {
        match self {
            TemperatureError::Format => "temperature_format",
            TemperatureError::OutOfRange => "temperature_out_of_range",
            TemperatureError::Precision => "temperature_precision",
        }
    }
}

/// The fever threshold of the plan: 37.3 °C.
pub const FEVER_TENTHS: u16 = 373;

impl Temperature {
    pub const MIN_TENTHS: u16 = 350;
    pub const MAX_TENTHS: u16 = 420;

    /// Parses "36.8", "36,8" or "37" (full-width digits too).
    pub fn parse(raw: &str) -> Result<Temperature, TemperatureError> {
        let s: String = raw
            .trim()
            .trim_end_matches(['℃', 'C', 'c', '°'])
            .trim()
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '．' | ',' => '.',
                _ => c,
            })
            .collect();
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w, f),
            None => (s.as_str(), ""),
        };
        if whole.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return Err(TemperatureError::Format);
        }
        if frac.len() > 1 {
            return Err(TemperatureError::Precision);
        }
        let whole: u16 = whole.parse().map_err(|_| TemperatureError::OutOfRange)?;
        let tenth: u16 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| TemperatureError::Format)?
        };
        let t = whole
            .checked_mul(10)
            .and_then(|w| w.checked_add(tenth))
            .ok_or(TemperatureError::OutOfRange)?;
        Temperature::from_tenths(t)
    }

    pub fn from_tenths(t: u16) -> Result<Temperature, TemperatureError> {
        if (Self::MIN_TENTHS..=Self::MAX_TENTHS).contains(&t) {
            Ok(Temperature(t))
        } else {
            Err(TemperatureError::OutOfRange)
        }
    }

    pub fn tenths(self) -> u16 {
        self.0
    }

    pub fn is_fever(self) -> bool {
        self.0 >= FEVER_TENTHS
    }
}

impl std::fmt::Display for Temperature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Symptom {
    Fever,
    Cough,
    SoreThroat,
    Fatigue,
    LossOfTasteOrSmell,
    ShortnessOfBreath,
    Diarrhoea,
}

crate::coded!(Symptom {
    Fever => "fever",
    Cough => "cough",
    SoreThroat => "sore_throat",
    Fatigue => "fatigue",
    LossOfTasteOrSmell => "loss_of_taste_or_smell",
    ShortnessOfBreath => "shortness_of_breath",
    Diarrhoea => "diarrhoea",
});

/// What a check found, for the alert rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub temperature: Temperature,
    pub symptoms: Vec<Symptom>,
    /// Free text of an "other" symptom; non-empty counts as a symptom.
    pub other_symptom: String,
}

impl Finding {
    /// 37.3 °C or above, or any symptom at all, raises a fever alert.
    pub fn raises_fever_alert(&self) -> bool {
        self.temperature.is_fever()
            || !self.symptoms.is_empty()
            || !self.other_symptom.trim().is_empty()
    }
}

/// The longest "other symptom" text.
pub const MAX_OTHER_SYMPTOM: usize = 200;

/// The symptoms ticked on a form, by code; an unknown code is refused, duplicates collapse.
pub fn parse_symptoms<S: AsRef<str>>(codes: &[S]) -> Result<Vec<Symptom>, String> {
    let mut out = Vec::new();
    for c in codes
        .iter()
        .map(|c| c.as_ref().trim())
        .filter(|c| !c.is_empty())
    {
        let s = Symptom::from_code(c).ok_or_else(|| c.to_owned())?;
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out)
}

/// How a check was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CheckMethod))]
pub enum Method {
    /// The doctor called the resident.
    DoctorCall,
    /// The resident reported through their personal link.
    SelfReport,
    /// Someone measured at the door.
    OnSite,
}

crate::coded!(Method {
    DoctorCall => "doctor_call",
    SelfReport => "self_report",
    OnSite => "on_site",
});

impl Method {
    /// Methods staff record; a self-report comes only through a resident's link.
    pub const STAFF: [Method; 2] = [Method::DoctorCall, Method::OnSite];
}

/// Who records checks for residents: the doctor, and the grid worker or staff at the door.
pub fn can_record_checks(role: crate::access::Role) -> bool {
    use crate::access::Role;
    matches!(role, Role::Doctor | Role::GridWorker | Role::CommunityStaff)
}

/// Who acknowledges and resolves alerts: the responsible doctor and the community's leads.
pub fn can_handle_alerts(role: crate::access::Role) -> bool {
    can_record_checks(role)
}

/// Who reads checks and alerts: those who handle them, and officials, CDC and administrators.
pub fn can_read_checks(role: crate::access::Role) -> bool {
    crate::quarantine::can_read(role)
}

/// Why an alert was raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AlertKind {
    /// 37.3 °C or above, or any symptom.
    Fever,
    /// A slot closed with no check.
    MissedCheck,
}

crate::coded!(AlertKind {
    Fever => "fever",
    MissedCheck => "missed_check",
});

/// Open → acknowledged → resolved (with a note).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AlertState {
    Open,
    Acknowledged,
    Resolved,
}

crate::coded!(AlertState {
    Open => "open",
    Acknowledged => "acknowledged",
    Resolved => "resolved",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertAction {
    Acknowledge,
    Resolve,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AlertError {
    #[error("the alert is already past this step")]
    NotAllowed,
    #[error("resolving an alert needs a note of what was done")]
    NoteRequired,
}

impl AlertError {
    pub fn code(self) -> &'static str {
        match self {
            AlertError::NotAllowed => "alert_transition_not_allowed",
            AlertError::NoteRequired => "note_required",
        }
    }
}

/// The state after `action`; resolving may skip acknowledging, but never lacks a note.
pub fn alert_step(
    from: AlertState,
    action: AlertAction,
    note: &str,
) -> Result<AlertState, AlertError> {
    match (from, action) {
        (AlertState::Open, AlertAction::Acknowledge) => Ok(AlertState::Acknowledged),
        (AlertState::Open | AlertState::Acknowledged, AlertAction::Resolve) => {
            if note.trim().is_empty() {
                Err(AlertError::NoteRequired)
            } else {
                Ok(AlertState::Resolved)
            }
        }
        _ => Err(AlertError::NotAllowed),
    }
}

/// A resident's name as the self-report page shows it: the first character, the rest masked,
/// so a found link tells little about whose it is.
pub fn masked_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn temperatures_parse_in_common_spellings() {
        for (s, t) in [
            ("36.8", 368),
            ("37", 370),
            ("３７．５", 375),
            ("36,6", 366),
            ("38.0℃", 380),
            (" 35.0 ", 350),
            ("42", 420),
        ] {
            assert_eq!(Temperature::parse(s).map(Temperature::tenths), Ok(t), "{s}");
        }
        assert_eq!(
            Temperature::parse("34.9"),
            Err(TemperatureError::OutOfRange)
        );
        assert_eq!(
            Temperature::parse("42.1"),
            Err(TemperatureError::OutOfRange)
        );
        assert_eq!(
            Temperature::parse("36.85"),
            Err(TemperatureError::Precision)
        );
        assert_eq!(Temperature::parse("hot"), Err(TemperatureError::Format));
        assert_eq!(Temperature::parse(""), Err(TemperatureError::Format));
        assert_eq!(
            Temperature::parse("99999999"),
            Err(TemperatureError::OutOfRange)
        );
    }

    #[test]
    fn fever_rule() {
        let f = |t: u16, s: Vec<Symptom>, o: &str| Finding {
            temperature: Temperature::from_tenths(t).expect("valid"),
            symptoms: s,
            other_symptom: o.into(),
        };
        assert!(!f(372, vec![], "").raises_fever_alert());
        assert!(f(373, vec![], "").raises_fever_alert());
        assert!(f(365, vec![Symptom::Cough], "").raises_fever_alert());
        assert!(f(365, vec![], "headache").raises_fever_alert());
        assert!(!f(365, vec![], "  ").raises_fever_alert());
    }

    #[test]
    fn symptoms_parse_from_codes() {
        assert_eq!(
            parse_symptoms(&["cough", "fever", "cough", ""]),
            Ok(vec![Symptom::Cough, Symptom::Fever])
        );
        assert_eq!(parse_symptoms(&["sneezing"]), Err("sneezing".to_owned()));
        assert_eq!(parse_symptoms::<&str>(&[]), Ok(vec![]));
    }

    #[test]
    fn alerts_go_open_acknowledged_resolved_with_a_note() {
        use AlertAction::*;
        use AlertState::*;
        let steps = [
            (Open, Acknowledge, "", Ok(Acknowledged)),
            (Acknowledged, Acknowledge, "", Err(AlertError::NotAllowed)),
            (Acknowledged, Resolve, " ", Err(AlertError::NoteRequired)),
            (Acknowledged, Resolve, "called, 36.6 now", Ok(Resolved)),
            (Open, Resolve, "false alarm", Ok(Resolved)),
            (Resolved, Resolve, "again", Err(AlertError::NotAllowed)),
            (Resolved, Acknowledge, "", Err(AlertError::NotAllowed)),
        ];
        for (from, action, note, to) in steps {
            assert_eq!(
                alert_step(from, action, note),
                to,
                "{from:?} {action:?} {note:?}"
            );
        }
    }

    #[test]
    fn names_are_masked_after_the_first_character() {
        assert_eq!(masked_name("张三"), "张*");
        assert_eq!(masked_name("欧阳小明"), "欧***");
        assert_eq!(masked_name("Li"), "L*");
        assert_eq!(masked_name(""), "");
        assert_eq!(masked_name("王"), "王*");
    }

    #[test]
    fn method_codes_round_trip() {
        for m in Method::ALL {
            assert_eq!(Method::from_code(m.code()), Some(m));
        }
        assert!(!Method::STAFF.contains(&Method::SelfReport));
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,12}") {
            let _ = Temperature::parse(&s);
        }

        #[test]
        fn every_valid_reading_round_trips(t in 350u16..=420) {
            let temp = Temperature::from_tenths(t).expect("in range");
            prop_assert_eq!(Temperature::parse(&temp.to_string()), Ok(temp));
        }
    }
}
