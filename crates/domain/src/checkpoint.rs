//! The rules at a community's gate (C4): how often a household may go out, which visitors are
//! let in, and what a car's number plate looks like.

mod gate;

pub use gate::*;

use crate::health::Temperature;

/// How often a pass lets its holders out: `exits` exits in any `days` days (0 exits: no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExitQuota {
    pub exits: u32,
    pub days: u32,
}

const DAY_SECONDS: i64 = 86_400;

impl ExitQuota {
    /// The study's rule: one exit every two days per household.
    pub const HOUSEHOLD: ExitQuota = ExitQuota { exits: 1, days: 2 };

    /// Whether one more exit is allowed at `now`, given the times (seconds) of the exits already
    /// made; when not, the time the next one is. An exit counts for `days` days from when it
    /// was made.
    pub fn next_exit(self, exits_made: &[i64], now: i64) -> Result<(), i64> {
        if self.exits == 0 {
            return Ok(());
        }
        let window = i64::from(self.days) * DAY_SECONDS;
        let mut within: Vec<i64> = exits_made
            .iter()
            .copied()
            .filter(|t| *t <= now && now - *t < window)
            .collect();
        if within.len() < self.exits as usize {
            return Ok(());
        }
        within.sort_unstable();
        // The exit that frees a place is the one that leaves the window first, so that
        // `exits - 1` remain in it.
        let frees = within[within.len() - self.exits as usize];
        Err(frees + window)
    }
}

/// A health-code colour as the visitor's phone shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HealthCode {
    Green,
    Yellow,
    Red,
}

crate::coded!(HealthCode {
    Green => "green",
    Yellow => "yellow",
    Red => "red",
});

/// The admission rule for visitors (configuration now, the plan later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorRule {
    /// Health codes refused at the gate.
    pub refused_codes: Vec<HealthCode>,
    /// A temperature at or above this many tenths of a degree is refused.
    pub fever_from_tenths: u16,
    /// GB/T 2260 codes of risk regions; a visitor from a region whose code begins with one of
    /// them (a province `42`, a city `4201`, a county `420102`) is refused.
    pub risk_regions: Vec<String>,
}

impl Default for VisitorRule {
    fn default() -> Self {
        VisitorRule {
            refused_codes: vec![HealthCode::Yellow, HealthCode::Red],
            fever_from_tenths: 373,
            risk_regions: Vec::new(),
        }
    }
}

/// What the guard knows of a visitor at the gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visitor {
    pub health_code: HealthCode,
    pub temperature: Temperature,
    /// GB/T 2260 code of where the visitor comes from.
    pub origin: String,
    /// The household visited: `None` when the registry has no such household.
    pub destination: Option<Destination>,
}

/// The household a visitor goes to, as the registry has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Destination {
    pub household_id: i64,
    /// Sealed by a quarantine order (or, later, a case).
    pub sealed: bool,
}

/// Why a visitor is refused: the rule that decided, shown to the guard and logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    HealthCode(HealthCode),
    Fever(Temperature),
    RiskRegion(String),
    UnknownHousehold,
    HouseholdSealed,
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::HealthCode(_) => "visitor_health_code",
            Refusal::Fever(_) => "visitor_fever",
            Refusal::RiskRegion(_) => "visitor_risk_region",
            Refusal::UnknownHousehold => "visitor_unknown_household",
            Refusal::HouseholdSealed => "visitor_household_sealed",
        }
    }
}

impl VisitorRule {
    /// Admits the visitor, or names the first rule that refuses them, in the order a guard
    /// checks: the code on the phone, the temperature, where they come from, where they go.
    pub fn admit(&self, v: &Visitor) -> Result<(), Refusal> {
        if self.refused_codes.contains(&v.health_code) {
            return Err(Refusal::HealthCode(v.health_code));
        }
        if v.temperature.tenths() >= self.fever_from_tenths {
            return Err(Refusal::Fever(v.temperature));
        }
        if let Some(r) = self
            .risk_regions
            .iter()
            .find(|r| !r.is_empty() && v.origin.starts_with(r.as_str()))
        {
            return Err(Refusal::RiskRegion(r.clone()));
        }
        match v.destination {
            None => Err(Refusal::UnknownHousehold),
            Some(d) if d.sealed => Err(Refusal::HouseholdSealed),
            Some(_) => Ok(()),
        }
    }
}

/// The one-character abbreviations of the provinces that begin a mainland number plate.
const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

/// A mainland number plate, written without spaces or dots: `陕A12345`, a new-energy car's
/// `陕AD12345` (small) or `陕A12345D` (large).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Plate(String);

/// Why a plate is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlateError {
    Province,
    Authority,
    Number,
}

impl PlateError {
    pub fn code(self) -> &'static str {
        match self {
            PlateError::Province => "plate_province",
            PlateError::Authority => "plate_authority",
            PlateError::Number => "plate_number",
        }
    }
}

impl Plate {
    /// Reads a plate as a guard types it: spaces, dots and dashes ignored, letters of any case
    /// and width.
    pub fn parse(raw: &str) -> Result<Plate, PlateError> {
        let chars: Vec<char> = raw
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '.' | '-' | '•'))
            .map(|c| match c {
                '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
                c => c,
            })
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let (Some(province), Some(authority)) = (chars.first(), chars.get(1)) else {
            return Err(PlateError::Province);
        };
        if !PROVINCES.contains(*province) {
            return Err(PlateError::Province);
        }
        if !authority.is_ascii_uppercase() {
            return Err(PlateError::Authority);
        }
        // I and O are never used, to be told apart from 1 and 0.
        let serial =
            |c: &char| (c.is_ascii_uppercase() || c.is_ascii_digit()) && !matches!(c, 'I' | 'O');
        let rest = &chars[2..];
        let energy = |c: &char| matches!(c, 'D' | 'F');
        let ok = match rest.len() {
            // Ordinary: five letters and digits, the last may be 挂 学 警 港 澳.
            5 => {
                rest[..4].iter().all(serial) && (serial(&rest[4]) || "挂学警港澳".contains(rest[4]))
            }
            // New energy: D or F then a letter or digit and four digits (small cars), or five
            // digits then D or F (large).
            6 => {
                (energy(&rest[0]) && serial(&rest[1]) && rest[2..].iter().all(char::is_ascii_digit))
                    || (rest[..5].iter().all(char::is_ascii_digit) && energy(&rest[5]))
            }
            _ => false,
        };
        if !ok {
            return Err(PlateError::Number);
        }
        Ok(Plate(chars.into_iter().collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_580_515_200;

    #[test]
    fn a_household_goes_out_once_every_two_days() {
        let q = ExitQuota::HOUSEHOLD;
        assert_eq!(q.next_exit(&[], NOW), Ok(()));
        let earlier = NOW - 3_600;
        assert_eq!(q.next_exit(&[earlier], NOW), Err(earlier + 2 * DAY_SECONDS));
        assert_eq!(q.next_exit(&[NOW - 2 * DAY_SECONDS], NOW), Ok(()));
        // A quota of two in three days frees its place when the older exit leaves the window.
        let q = ExitQuota { exits: 2, days: 3 };
        let exits = [NOW - 2 * DAY_SECONDS, NOW - DAY_SECONDS];
        assert_eq!(q.next_exit(&exits, NOW), Err(NOW + DAY_SECONDS));
        assert_eq!(
            ExitQuota { exits: 0, days: 2 }.next_exit(&exits, NOW),
            Ok(())
        );
    }

    fn t(tenths: u16) -> Temperature {
        Temperature::from_tenths(tenths).expect("a temperature")
    }

    fn visitor() -> Visitor {
        Visitor {
            health_code: HealthCode::Green,
            temperature: t(365),
            origin: "610825".to_owned(),
            destination: Some(Destination {
                household_id: 1,
                sealed: false,
            }),
        }
    }

    #[test]
    fn a_visitor_is_refused_by_the_first_rule_that_refuses() {
        let rule = VisitorRule {
            risk_regions: vec!["4201".to_owned()],
            ..VisitorRule::default()
        };
        assert_eq!(rule.admit(&visitor()), Ok(()));
        let red = Visitor {
            health_code: HealthCode::Red,
            temperature: t(380),
            ..visitor()
        };
        assert_eq!(rule.admit(&red), Err(Refusal::HealthCode(HealthCode::Red)));
        let fever = Visitor {
            temperature: t(373),
            ..visitor()
        };
        assert_eq!(
            rule.admit(&fever).map_err(|r| r.code()),
            Err("visitor_fever")
        );
        let wuhan = Visitor {
            origin: "420102".to_owned(),
            ..visitor()
        };
        assert_eq!(
            rule.admit(&wuhan),
            Err(Refusal::RiskRegion("4201".to_owned()))
        );
        let nowhere = Visitor {
            destination: None,
            ..visitor()
        };
        assert_eq!(rule.admit(&nowhere), Err(Refusal::UnknownHousehold));
        let sealed = Visitor {
            destination: Some(Destination {
                household_id: 1,
                sealed: true,
            }),
            ..visitor()
        };
        assert_eq!(rule.admit(&sealed), Err(Refusal::HouseholdSealed));
    }

    #[test]
    fn plates_are_read_as_guards_type_them() {
        let ok = |s: &str| Plate::parse(s).map(|p| p.as_str().to_owned());
        assert_eq!(ok("陕A·12345"), Ok("陕A12345".to_owned()));
        assert_eq!(ok("陕 a 1b2c3"), Ok("陕A1B2C3".to_owned()));
        assert_eq!(
            ok("陕AD12345"),
            Ok("陕AD12345".to_owned()),
            "small new-energy car"
        );
        assert_eq!(
            ok("陕A12345F"),
            Ok("陕A12345F".to_owned()),
            "large new-energy car"
        );
        assert_eq!(ok("陕A1234挂"), Ok("陕A1234挂".to_owned()));
        assert_eq!(Plate::parse("AB12345"), Err(PlateError::Province));
        assert_eq!(Plate::parse("陕112345"), Err(PlateError::Authority));
        assert_eq!(
            Plate::parse("陕A1234O"),
            Err(PlateError::Number),
            "no letter O"
        );
        assert_eq!(Plate::parse("陕A123"), Err(PlateError::Number));
        assert_eq!(Plate::parse("陕AD1234X"), Err(PlateError::Number));
        assert_eq!(Plate::parse(""), Err(PlateError::Province));
    }
}
