//! Mainland China phone numbers: mobiles, and the landlines many households still give.
//!
//! Residents' phones are how grid workers reach households and how notices go out by SMS (to
//! mobiles); they are personal data, so they are shown masked by default.

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
    #[error(
        "not a mainland phone number: a mobile of 11 digits starting with 13 to 19, or an area \
         code and a 7- or 8-digit landline number expected"
    )]
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

/// A number as typed, in ASCII, without the spaces (of any width) and dashes clerks put in it.
fn cleaned(input: &str) -> String {
    input
        .chars()
        .map(half_width)
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '\u{2010}'..='\u{2015}'))
        .collect()
}

impl MobilePhone {
    /// Parses a number as typed or imported: spaces and dashes removed, full-width digits
    /// normalised, and a `+86`, `0086` or `86` country prefix dropped when 11 digits follow it.
    pub fn parse(input: &str) -> Result<MobilePhone, PhoneError> {
        let cleaned = cleaned(input);
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

/// A mainland landline: an area code (`010` or `02x` before an 8-digit number, else `0` and
/// three digits before a 7- or 8-digit one) and a local number not starting with 0 or 1,
/// normalised as `029-88661234`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Landline(String);

impl Landline {
    /// Parses a landline as typed: spaces, dashes and brackets around the area code removed,
    /// full-width digits normalised, and a `+86` or `0086` country prefix taken for the area
    /// code's leading 0. The area code says where the local number starts, whatever the
    /// separators typed.
    pub fn parse(input: &str) -> Result<Landline, PhoneError> {
        let cleaned: String = cleaned(input)
            .chars()
            .filter(|c| !matches!(c, '(' | ')'))
            .collect();
        if cleaned.is_empty() {
            return Err(PhoneError::Empty);
        }
        let digits = match ["+86", "0086"]
            .iter()
            .find_map(|prefix| cleaned.strip_prefix(prefix))
        {
            Some(rest) if !rest.starts_with('0') => format!("0{rest}"),
            Some(rest) => rest.to_owned(),
            None => cleaned,
        };
        let bytes = digits.as_bytes();
        if !bytes.iter().all(u8::is_ascii_digit) || bytes.first() != Some(&b'0') {
            return Err(PhoneError::Format);
        }
        // The large cities' three-digit codes go with eight-digit numbers; elsewhere a number
        // has seven or eight.
        let (area, lengths) = match bytes.get(1..3) {
            Some([b'1', b'0'] | [b'2', _]) => (3, 8..=8),
            Some([b'3'..=b'9', _]) => (4, 7..=8),
            _ => return Err(PhoneError::Format),
        };
        let local = digits.get(area..).unwrap_or_default();
        if !lengths.contains(&local.len()) || local.starts_with(['0', '1']) {
            return Err(PhoneError::Format);
        }
        Ok(Landline(format!("{}-{local}", &digits[..area])))
    }

    /// The number as `029-88661234`. Personal data: prefer [`Landline::masked`] for display.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form shown by default: the area code and the last four digits, e.g. `029-****1234`.
    #[must_use]
    pub fn masked(&self) -> String {
        let (area, local) = self.0.split_once('-').unwrap_or(("", &self.0));
        let hidden = local.len().saturating_sub(4);
        format!("{area}-{}{}", "*".repeat(hidden), &local[hidden..])
    }
}

/// A phone a resident or a household is reached on: a mobile, or a landline. Both are stored
/// as their normalised text, which tells them apart (a landline has its area code and a dash).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phone {
    Mobile(MobilePhone),
    Landline(Landline),
}

impl Phone {
    /// Parses a number as a clerk types it: a mobile (see [`MobilePhone::parse`]), else a
    /// landline (see [`Landline::parse`]).
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        match MobilePhone::parse(input) {
            Ok(mobile) => Ok(Phone::Mobile(mobile)),
            Err(PhoneError::Empty) => Err(PhoneError::Empty),
            Err(PhoneError::Format) => Landline::parse(input).map(Phone::Landline),
        }
    }

    /// The mobile, if it is one: only a mobile takes text messages.
    #[must_use]
    pub fn mobile(&self) -> Option<&MobilePhone> {
        match self {
            Phone::Mobile(mobile) => Some(mobile),
            Phone::Landline(_) => None,
        }
    }

    /// The normalised number. Personal data: prefer [`Phone::masked`] for display.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Phone::Mobile(mobile) => mobile.as_str(),
            Phone::Landline(landline) => landline.as_str(),
        }
    }

    /// The form shown by default: `138****5678`, `029-****1234`.
    #[must_use]
    pub fn masked(&self) -> String {
        match self {
            Phone::Mobile(mobile) => mobile.masked(),
            Phone::Landline(landline) => landline.masked(),
        }
    }
}

impl FromStr for Phone {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Phone::parse(s)
    }
}

/// Prints the full number (needed to call it); use [`Phone::masked`] in views.
impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Masked, so that a `{:?}` in a log line never leaks the number.
impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Phone").field(&self.masked()).finish()
    }
}

/// Masked, as [`Phone`]'s.
impl fmt::Debug for Landline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Landline").field(&self.masked()).finish()
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

    #[test]
    fn landlines_as_clerks_type_them() {
        for (input, stored) in [
            ("029-88661234", "029-88661234"),
            ("02988661234", "029-88661234"),
            ("(029)88661234", "029-88661234"),
            ("（０２９）８８６６１２３４", "029-88661234"),
            ("+86 29 8866 1234", "029-88661234"),
            ("0086-29-88661234", "029-88661234"),
            ("0912 3456789", "0912-3456789"),
            ("0912-34567890", "0912-34567890"),
            ("010 6512 3456", "010-65123456"),
        ] {
            let phone = Phone::parse(input).expect(input);
            assert_eq!(phone.as_str(), stored, "{input:?}");
            assert_eq!(phone.mobile(), None, "{input:?}");
        }
        for input in [
            "029-8866123",
            "010-6512345",
            "029-886612345",
            "010-12345678",
            "029-08661234",
            "0012345678",
            "0112345678",
            "029-88661234-801",
            "88661234",
            "029x88661234",
            // Too short for any area code and number: once read past its end.
            "０3０",
        ] {
            assert_eq!(Phone::parse(input), Err(PhoneError::Format), "{input:?}");
        }
        assert_eq!(Phone::parse(" \u{3000}- "), Err(PhoneError::Empty));
    }

    #[test]
    fn a_phone_is_a_mobile_first_and_is_masked_either_way() {
        let mobile = Phone::parse("86-138 1234 5678").expect("a mobile");
        assert_eq!(mobile.as_str(), "13812345678");
        assert_eq!(
            mobile.mobile().map(MobilePhone::as_str),
            Some("13812345678")
        );
        assert_eq!(mobile.masked(), "138****5678");
        let landline = Phone::parse("029-88661234").expect("a landline");
        assert_eq!(landline.masked(), "029-****1234");
        assert_eq!(format!("{landline:?}"), "Phone(\"029-****1234\")");
        assert_eq!(landline.to_string(), "029-88661234");
        let short = Phone::parse("0912 3456789").expect("a landline");
        assert_eq!(short.masked(), "0912-***6789");
        // What is stored reads back as the same phone.
        for phone in [mobile, landline, short] {
            assert_eq!(phone.as_str().parse::<Phone>(), Ok(phone.clone()));
        }
    }

    /// `digits` with a separator typed after some of them.
    fn typed(digits: &str, separators: &[(bool, &str)]) -> String {
        let mut out = String::new();
        for (digit, (after, separator)) in digits.chars().zip(separators.iter().cycle()) {
            out.push(digit);
            if *after {
                out.push_str(separator);
            }
        }
        out
    }

    fn separators() -> impl Strategy<Value = Vec<(bool, &'static str)>> {
        prop::collection::vec(
            (
                any::<bool>(),
                prop::sample::select(vec![" ", "-", "\u{3000}", "－", "\u{a0}", "  ", "–"]),
            ),
            1..12,
        )
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

        #[test]
        fn any_mobile_with_any_separators_is_the_same_mobile(
            second in 3..=9_u8,
            rest in 0..1_000_000_000_u32,
            prefix in prop::sample::select(vec!["", "+86", "+86 ", "86-", "86", "0086", "0086 "]),
            separators in separators(),
        ) {
            let number = format!("1{second}{rest:09}");
            let input = format!("{prefix}{}", typed(&number, &separators));
            let phone = Phone::parse(&input).expect("a mobile");
            prop_assert_eq!(phone.as_str(), number.as_str());
            prop_assert!(phone.mobile().is_some());
        }

        #[test]
        fn any_landline_with_any_separators_is_the_same_landline(
            area in prop::sample::select(vec!["010", "021", "029", "0912", "0371"]),
            first in 2..=9_u8,
            rest in 0..10_000_000_u32,
            eight in any::<bool>(),
            separators in separators(),
        ) {
            let eight = eight || area.len() == 3;
            let local = if eight {
                format!("{first}{rest:07}")
            } else {
                format!("{first}{:06}", rest % 1_000_000)
            };
            let input = typed(&format!("{area}{local}"), &separators);
            let phone = Phone::parse(&input).expect("a landline");
            prop_assert_eq!(phone.as_str(), format!("{area}-{local}"));
            prop_assert!(phone.mobile().is_none());
        }

        #[test]
        fn phones_never_panic_and_read_back_alike(input in "[+ ()0-9０-９\\-－]{0,18}") {
            if let Ok(phone) = Phone::parse(&input) {
                prop_assert_eq!(Phone::parse(phone.as_str()), Ok(phone.clone()));
                prop_assert!(phone.masked().contains('*'));
            }
        }
    }
}
