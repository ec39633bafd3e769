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
pub enum Symptom {
    Fever,
    Cough,
    SoreThroat,
    Fatigue,
    LossOfTasteOrSmell,
    ShortnessOfBreath,
    Diarrhoea,
}

impl Symptom {
    pub const ALL: [Symptom; 7] = [
        Symptom::Fever,
        Symptom::Cough,
        Symptom::SoreThroat,
        Symptom::Fatigue,
        Symptom::LossOfTasteOrSmell,
        Symptom::ShortnessOfBreath,
        Symptom::Diarrhoea,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Symptom::Fever => "fever",
            Symptom::Cough => "cough",
            Symptom::SoreThroat => "sore_throat",
            Symptom::Fatigue => "fatigue",
            Symptom::LossOfTasteOrSmell => "loss_of_taste_or_smell",
            Symptom::ShortnessOfBreath => "shortness_of_breath",
            Symptom::Diarrhoea => "diarrhoea",
        }
    }

    pub fn from_code(s: &str) -> Option<Symptom> {
        Symptom::ALL.into_iter().find(|x| x.code() == s)
    }
}

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
