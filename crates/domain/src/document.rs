//! Identity documents: the citizen ID and the documents of people who do not hold one
//! (passports, Hong Kong/Macau and Taiwan travel permits, foreigners' permanent residence cards).
//!
//! Visitors and returning workers show any of these at a checkpoint, so each is checked for its
//! format and, like the citizen ID, shown masked by default.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::citizen_id::{CitizenId, CitizenIdError};

/// The kind of an identity document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 居民身份证 (GB 11643).
    CitizenId,
    Passport,
    /// 港澳居民来往内地通行证.
    HkMacauPermit,
    /// 台湾居民来往大陆通行证.
    TaiwanPermit,
    /// 外国人永久居留身份证.
    ForeignPermanentResidence,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 5] = [
        DocumentKind::CitizenId,
        DocumentKind::Passport,
        DocumentKind::HkMacauPermit,
        DocumentKind::TaiwanPermit,
        DocumentKind::ForeignPermanentResidence,
    ];

    /// Stable snake_case code, used in storage, forms and translation keys.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::CitizenId => "citizen_id",
            DocumentKind::Passport => "passport",
            DocumentKind::HkMacauPermit => "hk_macau_permit",
            DocumentKind::TaiwanPermit => "taiwan_permit",
            DocumentKind::ForeignPermanentResidence => "foreign_permanent_residence",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<DocumentKind> {
        DocumentKind::ALL
            .into_iter()
            .find(|kind| kind.code() == code)
    }
}

crate::stored_as_code!(DocumentKind);

/// Why a string is not a valid number for the document kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error(transparent)]
    CitizenId(#[from] CitizenIdError),
    #[error("the document number is empty")]
    Empty,
    #[error("not a valid {} number", kind.code())]
    Format { kind: DocumentKind },
}

impl DocumentError {
    /// Stable snake_case code; citizen ID errors keep their own, more precise code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            DocumentError::CitizenId(error) => error.code(),
            DocumentError::Empty => "document_empty",
            DocumentError::Format { kind } => match kind {
                // Never built: citizen IDs fail with `CitizenId(..)`; kept total for safety.
                DocumentKind::CitizenId => "citizen_id_format",
                DocumentKind::Passport => "passport_format",
                DocumentKind::HkMacauPermit => "hk_macau_permit_format",
                DocumentKind::TaiwanPermit => "taiwan_permit_format",
                DocumentKind::ForeignPermanentResidence => "foreign_permanent_residence_format",
            },
        }
    }
}

/// A validated identity document number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Document(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Citizen(CitizenId),
    /// Any other kind, with its normalised number.
    Other(DocumentKind, String),
}

/// Full-width ASCII forms (U+FF01..U+FF5E) to ASCII, as found in Chinese spreadsheets.
fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

fn all_digits(s: &[u8]) -> bool {
    s.iter().all(u8::is_ascii_digit)
}

fn is_valid(kind: DocumentKind, number: &str) -> bool {
    let b = number.as_bytes();
    match kind {
        // Delegated to `CitizenId::parse`; never reached.
        DocumentKind::CitizenId => false,
        // Formats differ by country; letters and digits only, of a plausible length.
        DocumentKind::Passport => {
            (5..=20).contains(&b.len()) && b.iter().all(u8::is_ascii_alphanumeric)
        }
        DocumentKind::HkMacauPermit => {
            matches!(b.len(), 9 | 11) && matches!(b[0], b'H' | b'M') && all_digits(&b[1..])
        }
        DocumentKind::TaiwanPermit => matches!(b.len(), 8 | 10) && all_digits(b),
        DocumentKind::ForeignPermanentResidence => match b.len() {
            // 2004 format: nationality letters and digits.
            15 => b[..3].iter().all(u8::is_ascii_uppercase) && all_digits(&b[3..]),
            // 2017 format: starts with 9, last character a digit or X.
            18 => b[0] == b'9' && all_digits(&b[..17]) && (b[17].is_ascii_digit() || b[17] == b'X'),
            _ => false,
        },
    }
}

impl Document {
    /// Parses a number of the given kind: trimmed, upper-cased, full-width forms normalised.
    pub fn parse(kind: DocumentKind, input: &str) -> Result<Document, DocumentError> {
        if kind == DocumentKind::CitizenId {
            return Ok(Document(Repr::Citizen(CitizenId::parse(input)?)));
        }
        let number: String = input
            .trim()
            .chars()
            .map(|c| half_width(c).to_ascii_uppercase())
            .collect();
        if number.is_empty() {
            return Err(DocumentError::Empty);
        }
        if is_valid(kind, &number) {
            Ok(Document(Repr::Other(kind, number)))
        } else {
            Err(DocumentError::Format { kind })
        }
    }

    #[must_use]
    pub fn kind(&self) -> DocumentKind {
        match &self.0 {
            Repr::Citizen(_) => DocumentKind::CitizenId,
            Repr::Other(kind, _) => *kind,
        }
    }

    /// The full, normalised number. Sensitive: prefer [`Document::masked`] for display.
    #[must_use]
    pub fn number(&self) -> &str {
        match &self.0 {
            Repr::Citizen(id) => id.as_str(),
            Repr::Other(_, number) => number,
        }
    }

    /// The citizen ID, when the document is one (birth date, sex and region are then known).
    #[must_use]
    pub fn citizen_id(&self) -> Option<&CitizenId> {
        match &self.0 {
            Repr::Citizen(id) => Some(id),
            Repr::Other(..) => None,
        }
    }

    /// The form shown by default: the citizen ID's own mask, otherwise the first and last two
    /// characters with stars between, e.g. `E1*****78`.
    #[must_use]
    pub fn masked(&self) -> String {
        match &self.0 {
            Repr::Citizen(id) => id.masked(),
            Repr::Other(_, number) => {
                // Every valid number is ASCII and at least 5 characters long.
                let len = number.len();
                format!(
                    "{}{}{}",
                    &number[..2],
                    "*".repeat(len - 4),
                    &number[len - 2..]
                )
            }
        }
    }
}

impl From<CitizenId> for Document {
    fn from(id: CitizenId) -> Self {
        Document(Repr::Citizen(id))
    }
}

/// Prints the FULL number, as encryption and keyed lookup need it. Never use it for logs or
/// views: use [`Document::masked`] there.
impl fmt::Display for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.number())
    }
}

/// Masked, so that a `{:?}` in a log line never leaks the number.
impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("kind", &self.kind())
            .field("number", &self.masked())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code_of(kind: DocumentKind, input: &str) -> Result<String, &'static str> {
        Document::parse(kind, input)
            .map(|doc| doc.number().to_owned())
            .map_err(|e| e.code())
    }

    /// Asserts that `kind` takes every number of `good`, refuses every one of `bad` with
    /// `code`, and masks `sample` as `masked`.
    fn assert_rule(
        kind: DocumentKind,
        good: &[&str],
        bad: &[&str],
        code: &str,
        (sample, masked): (&str, &str),
    ) {
        for good in good {
            assert!(code_of(kind, good).is_ok(), "{good}");
        }
        for bad in bad {
            assert_eq!(code_of(kind, bad), Err(code), "{bad}");
        }
        let doc = Document::parse(kind, sample).expect("valid");
        assert_eq!(doc.masked(), masked);
    }

    #[test]
    fn kind_codes_round_trip() {
        for kind in DocumentKind::ALL {
            assert_eq!(DocumentKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(DocumentKind::from_code("driving_licence"), None);
        assert_eq!(DocumentKind::from_code(""), None);
    }

    #[test]
    fn kind_serde_names_are_the_codes() {
        use serde::de::value::{Error, StrDeserializer};
        for kind in DocumentKind::ALL {
            let parsed = DocumentKind::deserialize(StrDeserializer::<Error>::new(kind.code()));
            assert_eq!(parsed, Ok(kind));
        }
    }

    #[test]
    fn citizen_id_documents() {
        let doc = Document::parse(DocumentKind::CitizenId, " 11010519491231002x ").expect("valid");
        assert_eq!(doc.kind(), DocumentKind::CitizenId);
        assert_eq!(doc.number(), "11010519491231002X");
        assert_eq!(doc.masked(), "110105********002X");
        assert_eq!(doc.citizen_id().map(CitizenId::region_code), Some("110105"));
        assert_eq!(
            code_of(DocumentKind::CitizenId, "110105194912310021"),
            Err("citizen_id_check_digit")
        );
        assert_eq!(
            code_of(DocumentKind::CitizenId, ""),
            Err("citizen_id_empty")
        );
        assert_eq!(
            code_of(DocumentKind::CitizenId, "E12345678"),
            Err("citizen_id_length")
        );
    }

    #[test]
    fn passports() {
        assert_eq!(
            code_of(DocumentKind::Passport, "E12345678"),
            Ok("E12345678".into())
        );
        assert_eq!(
            code_of(DocumentKind::Passport, " e1234567８ "),
            Ok("E12345678".into())
        );
        assert_eq!(code_of(DocumentKind::Passport, "AB123"), Ok("AB123".into()));
        assert_eq!(
            code_of(DocumentKind::Passport, "A1234567890123456789"),
            Ok("A1234567890123456789".into())
        );
        assert_eq!(code_of(DocumentKind::Passport, "  "), Err("document_empty"));
        for bad in [
            "AB12",
            "A12345678901234567890",
            "E1234-5678",
            "E 12345678",
            "护照12345",
        ] {
            assert_eq!(
                code_of(DocumentKind::Passport, bad),
                Err("passport_format"),
                "{bad}"
            );
        }
        let doc = Document::parse(DocumentKind::Passport, "E12345678").expect("valid");
        assert_eq!(doc.masked(), "E1*****78");
        assert_eq!(doc.citizen_id(), None);
        assert_eq!(
            format!("{doc:?}"),
            "Document { kind: Passport, number: \"E1*****78\" }"
        );
        assert_eq!(doc.to_string(), "E12345678");
    }

    #[test]
    fn hk_macau_permits() {
        assert_rule(
            DocumentKind::HkMacauPermit,
            &["H12345678", "M1234567890", "h12345678", "Ｍ12345678"],
            &[
                "H1234567",
                "H123456789",
                "H123456789012",
                "C12345678",
                "12345678H",
                "HA2345678",
            ],
            "hk_macau_permit_format",
            ("H1234567890", "H1*******90"),
        );
    }

    #[test]
    fn taiwan_permits() {
        assert_rule(
            DocumentKind::TaiwanPermit,
            &["12345678", "1234567890", "１２３４５６７８"],
            &[
                "1234567",
                "123456789",
                "12345678901",
                "T1234567",
                "1234567X",
            ],
            "taiwan_permit_format",
            ("12345678", "12****78"),
        );
    }

    #[test]
    fn foreign_permanent_residence_cards() {
        assert_rule(
            DocumentKind::ForeignPermanentResidence,
            &[
                "USA110012345678",
                "usa110012345678",
                "933356198001010012",
                "93335619800101001x",
            ],
            &[
                "US1110012345678",
                "USA11001234567",
                "USA1100123456789",
                "833356198001010012",
                "9333561980010100XX",
                "93335619800101001",
                "USA11001234567X",
            ],
            "foreign_permanent_residence_format",
            ("USA110012345678", "US***********78"),
        );
    }

    #[test]
    fn error_codes() {
        assert_eq!(DocumentError::Empty.code(), "document_empty");
        for (kind, code) in [
            (DocumentKind::Passport, "passport_format"),
            (DocumentKind::HkMacauPermit, "hk_macau_permit_format"),
            (DocumentKind::TaiwanPermit, "taiwan_permit_format"),
            (
                DocumentKind::ForeignPermanentResidence,
                "foreign_permanent_residence_format",
            ),
        ] {
            let error = DocumentError::Format { kind };
            assert_eq!(error.code(), code);
            assert!(error.to_string().contains(kind.code()));
        }
        let error = DocumentError::from(CitizenIdError::BirthDate);
        assert_eq!(error.code(), "citizen_id_birth_date");
    }

    #[test]
    fn from_citizen_id() {
        let id = CitizenId::parse("11010519491231002X").expect("valid");
        let doc = Document::from(id.clone());
        assert_eq!(doc.citizen_id(), Some(&id));
        assert_eq!(doc.kind(), DocumentKind::CitizenId);
    }

    proptest! {
        #[test]
        fn parse_never_panics(
            kind in prop::sample::select(DocumentKind::ALL.to_vec()),
            input in any::<String>(),
        ) {
            if let Ok(doc) = Document::parse(kind, &input) {
                prop_assert_eq!(doc.kind(), kind);
                prop_assert_eq!(doc.masked().chars().count(), doc.number().chars().count());
            }
        }

        #[test]
        fn valid_numbers_mask_to_same_length(
            kind in prop::sample::select(DocumentKind::ALL.to_vec()),
            input in "[A-Z]{0,3}[0-9HMXＡ-Ｚ０-９]{3,18}",
        ) {
            if let Ok(doc) = Document::parse(kind, &input) {
                prop_assert_eq!(doc.masked().len(), doc.number().len());
                prop_assert_eq!(Document::parse(kind, doc.number()), Ok(doc.clone()));
            }
        }
    }
}
