//! Mainland China mobile phone numbers.
//!
//! Residents' phones are how grid workers reach households and how notices go out by SMS; they
//! are personal data, so they are shown masked by default.

use std::fmt;
use std::str::FromStr;

/// An 11-digit mainland mobile number, normalised (no prefix, no separators).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MobilePhone(String);

/// Why a string is not a mobile number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("the phone number is empty")]
    Empty,
    #[error("not a mainland mobile number: 11 digits starting with 13 to 19 expected")]
    Format,
}

impl PhoneError {
    /// Stable snake_case code, used as the translation key and in API errors.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            PhoneError::Empty => "phone_empty",
            PhoneError::Format => "phone_format",
        }
    }
}

/// Full-width ASCII forms (U+FF01..U+FF5E) and the ideographic space to their ASCII forms.
fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

impl MobilePhone {
    /// Parses a number as typed or imported: spaces and dashes removed, full-width digits
    /// normalised, and a `+86`, `0086` or `86` country prefix dropped when 11 digits follow it.
    pub fn parse(input: &str) -> Result<MobilePhone, PhoneError> {
        let cleaned: String = input
            .chars()
            .map(half_width)
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if cleaned.is_empty() {
            return Err(PhoneError::Empty);
        }
        let national = ["+86", "0086", "86"]
            .iter()
            .filter_map(|prefix| cleaned.strip_prefix(prefix))
            .find(|rest| rest.len() == 11)
            .unwrap_or(&cleaned);
        let bytes = national.as_bytes();
        let valid = bytes.len() == 11
            && bytes.iter().all(u8::is_ascii_digit)
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1]);
        if valid {
            Ok(MobilePhone(national.to_owned()))
        } else {
            Err(PhoneError::Format)
        }
    }

    /// The full 11 digits. Personal data: prefer [`MobilePhone::masked`] for display.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form shown by default, e.g. `138****5678`.
    #[must_use]
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl FromStr for MobilePhone {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MobilePhone::parse(s)
    }
}

/// Prints the full number (needed to call or text it); use [`MobilePhone::masked`] in views.
impl fmt::Display for MobilePhone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Masked, so that a `{:?}` in a log line never leaks the number.
impl fmt::Debug for MobilePhone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MobilePhone").field(&self.masked()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_common_spellings() {
        for input in [
            "13812345678",
            " 138 1234 5678 ",
            "138-1234-5678",
            "+8613812345678",
            "+86 138 1234 5678",
            "8613812345678",
            "008613812345678",
            "0086-138-1234-5678",
            "１３８１２３４５６７８",
            "＋８６\u{3000}１３８－１２３４－５６７８",
        ] {
            let phone = MobilePhone::parse(input).expect(input);
            assert_eq!(phone.as_str(), "13812345678", "{input:?}");
        }
    }

    #[test]
    fn refusals() {
        assert_eq!(MobilePhone::parse(""), Err(PhoneError::Empty));
        assert_eq!(MobilePhone::parse(" - "), Err(PhoneError::Empty));
        for input in [
            "1381234567",
            "138123456789",
            "12812345678",
            "10812345678",
            "23812345678",
            "1381234567a",
            "+8612812345678",
            "+85213812345678",
            "861381234567",
            "(010)12345678",
            "+86",
            "13812345678x",
            "１３８１２３４５６７８９",
        ] {
            assert_eq!(
                MobilePhone::parse(input),
                Err(PhoneError::Format),
                "{input:?}"
            );
        }
        assert_eq!(PhoneError::Empty.code(), "phone_empty");
        assert_eq!(PhoneError::Format.code(), "phone_format");
    }

    #[test]
    fn prefix_only_dropped_when_eleven_digits_remain() {
        // An 11-digit number never starts with 86, so there is no ambiguity to resolve.
        assert_eq!(
            MobilePhone::parse("8613912345678").map(|p| p.to_string()),
            Ok("13912345678".to_owned())
        );
        assert_eq!(MobilePhone::parse("86139123456"), Err(PhoneError::Format));
    }

    #[test]
    fn masked_debug_and_display() {
        let phone = MobilePhone::parse("13812345678").expect("valid");
        assert_eq!(phone.masked(), "138****5678");
        assert_eq!(format!("{phone:?}"), "MobilePhone(\"138****5678\")");
        assert_eq!(format!("{phone}"), "13812345678");
        assert_eq!("13812345678".parse::<MobilePhone>(), Ok(phone));
    }

    proptest! {
        #[test]
        fn parse_never_panics(input in any::<String>()) {
            let _ = MobilePhone::parse(&input);
        }

        #[test]
        fn parse_never_panics_on_near_misses(input in "[+ 0-9０-９\\-－]{0,18}") {
            if let Ok(phone) = MobilePhone::parse(&input) {
                prop_assert_eq!(phone.as_str().len(), 11);
                prop_assert_eq!(MobilePhone::parse(phone.as_str()), Ok(phone.clone()));
            }
        }

        #[test]
        fn valid_numbers_round_trip(
            second in 3..=9_u8,
            rest in 0..1_000_000_000_u32,
            prefix in prop::sample::select(vec!["", "+86", "86", "0086", "+86 "]),
            dashed in any::<bool>(),
        ) {
            let number = format!("1{second}{rest:09}");
            let typed = if dashed {
                format!("{prefix}{}-{}-{}", &number[..3], &number[3..7], &number[7..])
            } else {
                format!("{prefix}{number}")
            };
            let phone = MobilePhone::parse(&typed).expect("valid number");
            prop_assert_eq!(phone.as_str(), number.as_str());
            prop_assert_eq!(phone.to_string(), number);
        }
    }
}
