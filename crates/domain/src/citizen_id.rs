//! The mainland resident identity card number (GB 11643-1999).
//!
//! Parsed once at the edge so that nothing deeper handles a raw, possibly malformed number, and
//! shown masked by default because it is sensitive personal information (SPEC C14).

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;

use crate::region::is_province_code;

/// Earliest birth date accepted: older numbers are data-entry errors, not residents.
const EARLIEST_BIRTH: Date = Date::constant(1900, 1, 1);
/// Latest birth date accepted; a fixed bound keeps parsing pure (no clock).
const LATEST_BIRTH: Date = Date::constant(2100, 12, 31);

/// ISO 7064 MOD 11-2 weights of the first 17 digits.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each remainder of the weighted sum modulo 11.
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

const LENGTH: usize = 18;

/// A valid 18-character citizen ID number, normalised (ASCII digits, upper-case `X`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CitizenId {
    number: String,
    birth: Date,
}

/// Sex as encoded by the parity of the sequence code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// Stable code for storage and translation keys.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<Sex> {
        [Sex::Male, Sex::Female]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

crate::stored_as_code!(Sex);

/// Why a string is not a citizen ID number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CitizenIdError {
    #[error("the citizen ID number is empty")]
    Empty,
    #[error("a citizen ID number has 18 characters, found {found}")]
    Length { found: usize },
    #[error("invalid character at position {position} of the citizen ID number")]
    Character { position: usize },
    #[error("the address code {code} does not start with a province code")]
    Region { code: String },
    #[error("the birth date is not a real date between 1900-01-01 and 2100-12-31")]
    BirthDate,
    #[error("the check character is {found}, expected {expected}")]
    CheckDigit { expected: char, found: char },
    /// Only from [`CitizenId::compose`]: a sequence code has three digits.
    #[error("the sequence code {value} has more than three digits")]
    Sequence { value: u16 },
}

impl CitizenIdError {
    /// Stable snake_case code, used as the translation key and in API errors.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            CitizenIdError::Empty => "citizen_id_empty",
            CitizenIdError::Length { .. } => "citizen_id_length",
            CitizenIdError::Character { .. } => "citizen_id_character",
            CitizenIdError::Region { .. } => "citizen_id_region",
            CitizenIdError::BirthDate => "citizen_id_birth_date",
            CitizenIdError::CheckDigit { .. } => "citizen_id_check_digit",
            CitizenIdError::Sequence { .. } => "citizen_id_sequence",
        }
    }
}

/// Maps the full-width forms found in Chinese spreadsheets, and a lower-case x, to ASCII.
fn normalise_char(c: char) -> char {
    match c {
        '０'..='９' => {
            char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
        }
        'x' | 'Ｘ' | 'ｘ' => 'X',
        _ => c,
    }
}

/// Weighted sum of 17 ASCII digits mapped to the check character.
fn check_char_of(digits: &[u8]) -> char {
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    // The remainder is below 11, so the index is always in range.
    CHECK_CHARS[(sum % 11) as usize]
}

/// Reads `len` ASCII digits as a number; the caller has checked they are digits.
fn digits_value(digits: &[u8]) -> i32 {
    digits
        .iter()
        .fold(0, |acc, d| acc * 10 + i32::from(d - b'0'))
}

fn birth_date_in_range(year: i32, month: i32, day: i32) -> Option<Date> {
    let date = Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    (EARLIEST_BIRTH..=LATEST_BIRTH)
        .contains(&date)
        .then_some(date)
}

impl CitizenId {
    /// Parses and validates a number as typed or imported: whitespace anywhere dropped (a
    /// space typed between the region and the birth date, a full-width space), full-width
    /// digits and `x` normalised.
    pub fn parse(input: &str) -> Result<CitizenId, CitizenIdError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let trimmed = compact.as_str();
        if trimmed.is_empty() {
            return Err(CitizenIdError::Empty);
        }
        let found = trimmed.chars().count();
        if found != LENGTH {
            return Err(CitizenIdError::Length { found });
        }
        let mut number = String::with_capacity(LENGTH);
        for (index, c) in trimmed.chars().map(normalise_char).enumerate() {
            let valid = c.is_ascii_digit() || (c == 'X' && index == LENGTH - 1);
            if !valid {
                return Err(CitizenIdError::Character {
                    position: index + 1,
                });
            }
            number.push(c);
        }
        let bytes = number.as_bytes();
        let region = &number[..6];
        if !is_province_code(&region[..2]) {
            return Err(CitizenIdError::Region {
                code: region.to_owned(),
            });
        }
        let birth = birth_date_in_range(
            digits_value(&bytes[6..10]),
            digits_value(&bytes[10..12]),
            digits_value(&bytes[12..14]),
        )
        .ok_or(CitizenIdError::BirthDate)?;
        let expected = check_char_of(&bytes[..17]);
        let found = char::from(bytes[17]);
        if expected != found {
            return Err(CitizenIdError::CheckDigit { expected, found });
        }
        Ok(CitizenId { number, birth })
    }

    /// Builds a valid number from its parts, computing the check character (demo data, tests).
    pub fn compose(region: &str, birth: Date, sequence: u16) -> Result<CitizenId, CitizenIdError> {
        let region_ok = region.len() == 6
            && region.bytes().all(|b| b.is_ascii_digit())
            && is_province_code(&region[..2]);
        if !region_ok {
            return Err(CitizenIdError::Region {
                code: region.to_owned(),
            });
        }
        if !(EARLIEST_BIRTH..=LATEST_BIRTH).contains(&birth) {
            return Err(CitizenIdError::BirthDate);
        }
        if sequence > 999 {
            return Err(CitizenIdError::Sequence { value: sequence });
        }
        let mut number = format!(
            "{region}{:04}{:02}{:02}{sequence:03}",
            birth.year(),
            birth.month(),
            birth.day()
        );
        number.push(check_char_of(number.as_bytes()));
        Ok(CitizenId { number, birth })
    }

    /// The check character of the first 17 digits, or `None` unless given exactly 17 ASCII
    /// digits.
    #[must_use]
    pub fn check_char(first17: &str) -> Option<char> {
        let bytes = first17.as_bytes();
        (bytes.len() == 17 && bytes.iter().all(u8::is_ascii_digit)).then(|| check_char_of(bytes))
    }

    /// The full, normalised number. Sensitive: prefer [`CitizenId::masked`] for display.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// The 6-digit address code of the place of first registration.
    #[must_use]
    pub fn region_code(&self) -> &str {
        &self.number[..6]
    }

    #[must_use]
    pub fn birth_date(&self) -> Date {
        self.birth
    }

    #[must_use]
    pub fn sex(&self) -> Sex {
        if self.number.as_bytes()[16] % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The form shown by default: region kept, birth date and sequence hidden,
    /// e.g. `610825********123X`.
    #[must_use]
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.number[..6], &self.number[14..])
    }
}

impl FromStr for CitizenId {
    type Err = CitizenIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CitizenId::parse(s)
    }
}

/// Prints the FULL number, as encryption and keyed lookup need it. Never use it for logs or
/// views: use [`CitizenId::masked`] there.
impl fmt::Display for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.number)
    }
}

/// Masked, so that a `{:?}` in a log line never leaks the number.
impl fmt::Debug for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CitizenId").field(&self.masked()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::PROVINCES;
    use jiff::Span;
    use proptest::prelude::*;

    const EXAMPLE: &str = "11010519491231002X";

    #[test]
    fn public_example_parses() {
        let id = CitizenId::parse(EXAMPLE).expect("valid example");
        assert_eq!(id.as_str(), EXAMPLE);
        assert_eq!(id.region_code(), "110105");
        assert_eq!(id.birth_date(), Date::constant(1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.sex().code(), "female");
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(id.to_string(), EXAMPLE);
        assert_eq!(CitizenId::check_char("11010519491231002"), Some('X'));
    }

    #[test]
    fn compose_builds_valid_ids() {
        let id =
            CitizenId::compose("610825", Date::constant(1985, 3, 7), 123).expect("valid parts");
        assert_eq!(id.as_str().len(), 18);
        assert!(id.as_str().starts_with("61082519850307123"));
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.sex().code(), "male");
        assert_eq!(CitizenId::parse(id.as_str()), Ok(id.clone()));
        assert!(id.masked().starts_with("610825********123"));

        let id = CitizenId::compose("420106", Date::constant(2000, 2, 29), 4).expect("valid parts");
        assert!(id.as_str().starts_with("42010620000229004"));
        assert_eq!(id.sex(), Sex::Female);
    }

    #[test]
    fn compose_refuses_bad_parts() {
        let date = Date::constant(1985, 3, 7);
        assert_eq!(
            CitizenId::compose("990101", date, 1).map_err(|e| e.code()),
            Err("citizen_id_region")
        );
        assert_eq!(
            CitizenId::compose("61082", date, 1).map_err(|e| e.code()),
            Err("citizen_id_region")
        );
        assert_eq!(
            CitizenId::compose("6108２5", date, 1).map_err(|e| e.code()),
            Err("citizen_id_region")
        );
        assert_eq!(
            CitizenId::compose("610825", Date::constant(1899, 12, 31), 1),
            Err(CitizenIdError::BirthDate)
        );
        assert_eq!(
            CitizenId::compose("610825", Date::constant(2101, 1, 1), 1),
            Err(CitizenIdError::BirthDate)
        );
        assert_eq!(
            CitizenId::compose("610825", date, 1000),
            Err(CitizenIdError::Sequence { value: 1000 })
        );
        assert!(CitizenId::compose("610825", date, 999).is_ok());
        assert!(CitizenId::compose("830000", date, 0).is_ok());
    }

    #[test]
    fn normalises_case_width_and_whitespace() {
        let expected = CitizenId::parse(EXAMPLE).expect("valid example");
        for input in [
            "11010519491231002x",
            "  11010519491231002X\t",
            "\u{3000}１１０１０５１９４９１２３１００２Ｘ\u{3000}",
            "１１０１０５１９４９１２３１００２ｘ",
            "110105 19491231002X",
            "110105\u{3000}19491231 002X",
            "1101 0519 4912 3100 2X",
        ] {
            assert_eq!(CitizenId::parse(input).as_ref(), Ok(&expected), "{input:?}");
        }
    }

    #[test]
    fn refusals_carry_their_code() {
        let cases: [(&str, CitizenIdError); 10] = [
            ("", CitizenIdError::Empty),
            ("   ", CitizenIdError::Empty),
            ("1101051949123100", CitizenIdError::Length { found: 16 }),
            ("11010519491231002XX", CitizenIdError::Length { found: 19 }),
            (
                "X1010519491231002X",
                CitizenIdError::Character { position: 1 },
            ),
            (
                "1101051949123100X2",
                CitizenIdError::Character { position: 17 },
            ),
            (
                "11010519491231-02X",
                CitizenIdError::Character { position: 15 },
            ),
            (
                "99010519491231002X",
                CitizenIdError::Region {
                    code: "990105".to_owned(),
                },
            ),
            ("110105194912320027", CitizenIdError::BirthDate),
            (
                "110105194912310021",
                CitizenIdError::CheckDigit {
                    expected: 'X',
                    found: '1',
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(CitizenId::parse(input), Err(expected), "{input:?}");
        }
        let codes = [
            (CitizenIdError::Empty, "citizen_id_empty"),
            (CitizenIdError::Length { found: 1 }, "citizen_id_length"),
            (
                CitizenIdError::Character { position: 1 },
                "citizen_id_character",
            ),
            (
                CitizenIdError::Region {
                    code: String::new(),
                },
                "citizen_id_region",
            ),
            (CitizenIdError::BirthDate, "citizen_id_birth_date"),
            (
                CitizenIdError::CheckDigit {
                    expected: '1',
                    found: '2',
                },
                "citizen_id_check_digit",
            ),
            (
                CitizenIdError::Sequence { value: 1000 },
                "citizen_id_sequence",
            ),
        ];
        for (error, code) in codes {
            assert_eq!(error.code(), code);
            assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn birth_date_bounds() {
        let at = |date: Date| {
            CitizenId::compose("610825", date, 1)
                .expect("in range")
                .as_str()
                .to_owned()
        };
        assert!(CitizenId::parse(&at(EARLIEST_BIRTH)).is_ok());
        assert!(CitizenId::parse(&at(LATEST_BIRTH)).is_ok());
        // Out of range or not real: the check character is right, the date is not.
        for first17 in [
            "61082518991231001",
            "61082521010101001",
            "61082519000229001",
            "61082519850431001",
            "61082519851301001",
            "61082519850000001",
        ] {
            let check = CitizenId::check_char(first17).expect("17 digits");
            let input = format!("{first17}{check}");
            assert_eq!(
                CitizenId::parse(&input),
                Err(CitizenIdError::BirthDate),
                "{input}"
            );
        }
    }

    #[test]
    fn check_char_needs_17_ascii_digits() {
        assert_eq!(CitizenId::check_char(""), None);
        assert_eq!(CitizenId::check_char("1101051949123100"), None);
        assert_eq!(CitizenId::check_char("110105194912310021"), None);
        assert_eq!(CitizenId::check_char("1101051949123100X"), None);
        assert_eq!(
            CitizenId::check_char("１１０１０５１９４９１２３１００"),
            None
        );
    }

    #[test]
    fn debug_is_masked_display_is_full() {
        let id = CitizenId::parse(EXAMPLE).expect("valid example");
        let debug = format!("{id:?}");
        assert!(!debug.contains("19491231"), "{debug}");
        assert_eq!(debug, "CitizenId(\"110105********002X\")");
        assert_eq!(format!("{id}"), EXAMPLE);
        assert_eq!(EXAMPLE.parse::<CitizenId>(), Ok(id));
    }

    fn region() -> impl Strategy<Value = String> {
        (
            prop::sample::select(
                PROVINCES
                    .iter()
                    .map(|(code, _, _)| *code)
                    .collect::<Vec<_>>(),
            ),
            0..10_000_u16,
        )
            .prop_map(|(province, rest)| format!("{province}{rest:04}"))
    }

    fn birth() -> impl Strategy<Value = Date> {
        let days = i64::from(
            LATEST_BIRTH
                .since(EARLIEST_BIRTH)
                .expect("small span")
                .get_days(),
        );
        (0..=days).prop_map(|n| {
            EARLIEST_BIRTH
                .checked_add(Span::new().days(n))
                .expect("within range")
        })
    }

    fn valid_id() -> impl Strategy<Value = CitizenId> {
        (region(), birth(), 0..=999_u16).prop_map(|(region, birth, sequence)| {
            CitizenId::compose(&region, birth, sequence).expect("valid parts")
        })
    }

    proptest! {
        #[test]
        fn composed_ids_round_trip((region, birth, sequence) in (region(), birth(), 0..=999_u16)) {
            let id = CitizenId::compose(&region, birth, sequence).expect("valid parts");
            let parsed = CitizenId::parse(id.as_str()).expect("composed ID parses");
            prop_assert_eq!(parsed.birth_date(), birth);
            prop_assert_eq!(parsed.region_code(), region.as_str());
            let sex = if sequence % 2 == 1 { Sex::Male } else { Sex::Female };
            prop_assert_eq!(parsed.sex(), sex);
            prop_assert_eq!(&parsed, &id);
        }

        #[test]
        fn single_substitution_is_caught(
            id in valid_id(),
            position in 0..18_usize,
            replacement in prop::sample::select(b"0123456789X".to_vec()),
        ) {
            let mut bytes = id.as_str().as_bytes().to_vec();
            prop_assume!(bytes[position] != replacement);
            bytes[position] = replacement;
            let altered = String::from_utf8(bytes).expect("ASCII");
            if let Ok(parsed) = CitizenId::parse(&altered) {
                let check = CitizenId::check_char(&parsed.as_str()[..17]);
                prop_assert_eq!(check, parsed.as_str().chars().nth(17));
            }
            // Stronger: MOD 11-2 weights are non-zero modulo the prime 11, so one changed
            // character always changes the expected check character.
            prop_assert!(CitizenId::parse(&altered).is_err(), "{} accepted", altered);
        }

        #[test]
        fn parse_never_panics(input in any::<String>()) {
            let _ = CitizenId::parse(&input);
        }

        #[test]
        fn parse_never_panics_on_near_misses(input in "[ 0-9xX０-９Ｘｘ\u{3000}]{0,22}") {
            if let Ok(id) = CitizenId::parse(&input) {
                prop_assert_eq!(CitizenId::parse(id.as_str()), Ok(id.clone()));
            }
        }
    }
}
