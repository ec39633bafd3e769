//! The registry: the people and places a community looks after.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::citizen_id::Sex;
use crate::document::Document;
use crate::phone::Phone;
use crate::validation::{Coded, FieldErrors};

/// A short free-text label: a person's name, a building's name, a room number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Label(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("required")]
    Empty,
    #[error("at most {max} characters")]
    TooLong { max: usize },
    #[error("control characters are not allowed")]
    Control,
}

impl Coded for LabelError {
    fn code(&self) -> &'static str {
        match self {
            LabelError::Empty => "required",
            LabelError::TooLong { .. } => "too_long",
            LabelError::Control => "control_character",
        }
    }
    fn detail(&self) -> String {
        match self {
            LabelError::TooLong { max } => max.to_string(),
            _ => String::new(),
        }
    }
}

impl Label {
    /// Trims, folds full-width spaces and refuses empty, over-long or control-character input.
    pub fn parse(raw: &str, max: usize) -> Result<Label, LabelError> {
        let s = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        if s.is_empty() {
            return Err(LabelError::Empty);
        }
        if s.chars().count() > max {
            return Err(LabelError::TooLong { max });
        }
        if s.chars().any(char::is_control) {
            return Err(LabelError::Control);
        }
        Ok(Label(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

pub const NAME_MAX: usize = 50;
pub const ROOM_MAX: usize = 16;
pub const NOTES_MAX: usize = 2000;

/// Registered residence (hukou) here, or living here without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Hukou {
    Registered,
    ResidentOnly,
}

crate::coded!(Hukou {
    Registered => "registered",
    ResidentOnly => "resident_only",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Tenure {
    Owner,
    Tenant,
}

crate::coded!(Tenure {
    Owner => "owner",
    Tenant => "tenant",
});

/// The three registers the screening sorts residents into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TravelStatus {
    StayedInCity,
    Returned,
    NotYetReturned,
}

crate::coded!(TravelStatus {
    StayedInCity => "stayed_in_city",
    Returned => "returned",
    NotYetReturned => "not_yet_returned",
});

/// Where an import of a register stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Running,
    Finished,
    // Stopped once more rows were rejected than the settings allow.
    TooManyRejects,
    Failed,
    // The server stopped while it ran.
    Interrupted,
}

crate::coded!(ImportStatus {
    Running => "running",
    Finished => "finished",
    TooManyRejects => "too_many_rejects",
    Failed => "failed",
    Interrupted => "interrupted",
});

/// A resident's travel register entry; a return carries where from and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Travel {
    pub status: TravelStatus,
    pub origin: Option<String>,
    pub returned_on: Option<Date>,
}

impl Travel {
    pub fn stayed() -> Travel {
        Travel {
            status: TravelStatus::StayedInCity,
            origin: None,
            returned_on: None,
        }
    }

    /// A return needs its origin and a date that is not after `today`; other registers carry neither.
    pub fn parse(
        status: TravelStatus,
        origin: Option<&str>,
        returned_on: Option<Date>,
        today: Date,
        errors: &mut FieldErrors,
    ) -> Option<Travel> {
        match status {
            TravelStatus::Returned => {
                let origin = origin.map(str::trim).filter(|s| !s.is_empty());
                let origin = match origin {
                    // A GB/T 2260 code is stored in its one 6-digit form, and so is a picked
                    // region or the name of one division; other text as written.
                    Some(o) if o.bytes().all(|b| b.is_ascii_digit()) => errors
                        .check("travel_origin", crate::screening::RegionCode::parse(o))
                        .and_then(|c| Label::parse(&c.full_code(), NAME_MAX).ok()),
                    Some(o) => match crate::region::code_of_input(o) {
                        Some(code) => Label::parse(&code, NAME_MAX).ok(),
                        None => errors.check("travel_origin", Label::parse(o, NAME_MAX)),
                    },
                    None => {
                        errors.add("travel_origin", "required", "");
                        None
                    }
                };
                let date = match returned_on {
                    Some(d) if d > today => {
                        errors.add("returned_on", "date_in_future", "");
                        None
                    }
                    Some(d) => Some(d),
                    None => {
                        errors.add("returned_on", "required", "");
                        None
                    }
                };
                Some(Travel {
                    status,
                    origin: Some(origin?.into_string()),
                    returned_on: Some(date?),
                })
            }
            _ => Some(Travel {
                status,
                origin: None,
                returned_on: None,
            }),
        }
    }
}

/// Vulnerability flags, stored as a bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Vulnerabilities(pub u8);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vulnerability {
    ElderlyAlone,
    ChronicIllness,
    Pregnancy,
    Disability,
}

crate::coded!(Vulnerability {
    ElderlyAlone => "elderly_alone",
    ChronicIllness => "chronic_illness",
    Pregnancy => "pregnancy",
    Disability => "disability",
});

impl Vulnerability {
    fn bit(self) -> u8 {
        match self {
            Vulnerability::ElderlyAlone => 1,
            Vulnerability::ChronicIllness => 2,
            Vulnerability::Pregnancy => 4,
            Vulnerability::Disability => 8,
        }
    }
}

impl Vulnerabilities {
    pub fn from_list(list: &[Vulnerability]) -> Vulnerabilities {
        Vulnerabilities(list.iter().fold(0, |acc, v| acc | v.bit()))
    }
    pub fn contains(self, v: Vulnerability) -> bool {
        self.0 & v.bit() != 0
    }
    pub fn list(self) -> Vec<Vulnerability> {
        Vulnerability::ALL
            .into_iter()
            .filter(|v| self.contains(*v))
            .collect()
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// A resident as entered on a form, an API call or an import row, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentDraft {
    pub name: Label,
    pub document: Document,
    pub sex: Option<Sex>,
    pub birth_date: Option<Date>,
    pub phone: Option<Phone>,
    pub hukou: Hukou,
    pub tenure: Tenure,
    pub travel: Travel,
    pub vulnerabilities: Vulnerabilities,
    pub notes: String,
}

impl ResidentDraft {
    /// Sex and birth date come from a citizen ID when there is one; for other documents the
    /// values entered by hand are kept.
    pub fn derive_from_document(&mut self) {
        if let Some(id) = self.document.citizen_id() {
            self.sex = Some(id.sex());
            self.birth_date = Some(id.birth_date());
        }
    }
}

/// Parses optional notes.
pub fn parse_notes(raw: &str, errors: &mut FieldErrors) -> String {
    let s = raw.trim();
    if s.chars().count() > NOTES_MAX {
        errors.add("notes", "too_long", NOTES_MAX.to_string());
    }
    s.to_owned()
}

/// The longest building name a resident's search is read for.
pub const BUILDING_TYPED_MAX: usize = 40;

/// A building's name as a resident types it on a phone, folded to how names are kept:
/// spaces of any width dropped, full-width letters and digits made ASCII (`３号楼` is `3号楼`).
/// `None` when nothing is left or it is longer than any name.
pub fn building_typed(raw: &str) -> Option<String> {
    let folded: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    let length = folded.chars().count();
    (1..=BUILDING_TYPED_MAX).contains(&length).then_some(folded)
}

/// The building a resident meant, among buildings whose names start with what they typed
/// (`typed` as [`building_typed`] gives it): the one named so exactly, or else the only one
/// whose name goes on with something other than a digit (`3` is `3号楼`, never `30号楼`).
/// `None` when none or several fit, and the resident picks from the suggestions.
pub fn building_meant(typed: &str, candidates: &[(i64, String)]) -> Option<i64> {
    if let Some((id, _)) = candidates.iter().find(|(_, name)| name == typed) {
        return Some(*id);
    }
    let mut fits = candidates.iter().filter(|(_, name)| {
        name.strip_prefix(typed)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|next| !next.is_ascii_digit())
    });
    match (fits.next(), fits.next()) {
        (Some((id, _)), None) => Some(*id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d as date;

    #[test]
    fn a_typed_building_is_folded_as_names_are_kept() {
        assert_eq!(building_typed(" ３ 号楼\u{3000}").as_deref(), Some("3号楼"));
        assert_eq!(building_typed("Ａ座").as_deref(), Some("A座"));
        assert_eq!(building_typed(" \u{3000} "), None);
        assert_eq!(building_typed(&"楼".repeat(BUILDING_TYPED_MAX + 1)), None);
    }

    #[test]
    fn the_building_meant_is_the_exact_name_or_the_one_not_going_on_with_a_digit() {
        let named = |names: &[&str]| -> Vec<(i64, String)> {
            (1..).zip(names.iter().map(|n| (*n).to_owned())).collect()
        };
        let buildings = named(&["30号楼", "31号楼", "3号楼", "3号楼东"]);
        assert_eq!(
            building_meant("3号楼", &buildings),
            Some(3),
            "the exact name first"
        );
        assert_eq!(
            building_meant("3", &named(&["30号楼", "3号楼", "31号楼"])),
            Some(2)
        );
        assert_eq!(
            building_meant("3", &buildings),
            None,
            "3号楼 and 3号楼东 both fit"
        );
        assert_eq!(building_meant("3", &named(&["30号楼", "31号楼"])), None);
        assert_eq!(building_meant("9", &[]), None);
    }

    #[test]
    fn import_statuses_decode_from_their_codes_only() {
        for status in ImportStatus::ALL {
            assert_eq!(ImportStatus::try_from(status.code().to_owned()), Ok(status));
        }
        assert!(ImportStatus::try_from("done".to_owned()).is_err());
    }

    #[test]
    fn label_trims_and_refuses_empty_and_long() {
        assert_eq!(
            Label::parse("  张三\u{3000}", NAME_MAX).map(|l| l.into_string()),
            Ok("张三".to_owned())
        );
        assert_eq!(Label::parse("   ", NAME_MAX), Err(LabelError::Empty));
        assert_eq!(
            Label::parse(&"长".repeat(51), NAME_MAX),
            Err(LabelError::TooLong { max: 50 })
        );
        assert_eq!(Label::parse("a\u{7}b", NAME_MAX), Err(LabelError::Control));
    }

    #[test]
    fn a_return_needs_origin_and_a_past_date() {
        let today = date("2020-02-10");
        let mut e = FieldErrors::new();
        assert!(Travel::parse(TravelStatus::Returned, None, None, today, &mut e).is_none());
        assert!(e.for_field("travel_origin").is_some());
        assert!(e.for_field("returned_on").is_some());

        let returned_on = |day: &str, e: &mut FieldErrors| {
            Travel::parse(
                TravelStatus::Returned,
                Some("武汉"),
                Some(date(day)),
                today,
                e,
            )
        };
        let mut e = FieldErrors::new();
        assert!(returned_on("2020-02-11", &mut e).is_none());
        assert_eq!(e.0[0].code, "date_in_future");

        let mut e = FieldErrors::new();
        let t = returned_on("2020-01-20", &mut e);
        assert!(e.is_empty());
        assert_eq!(t.and_then(|t| t.origin), Some("武汉".to_owned()));

        let origin = |typed: &str| {
            let mut e = FieldErrors::new();
            let t = Travel::parse(
                TravelStatus::Returned,
                Some(typed),
                Some(date("2020-01-20")),
                today,
                &mut e,
            );
            t.and_then(|t| t.origin)
        };
        assert_eq!(origin("420100 武汉市 (湖北省)").as_deref(), Some("420100"));
        assert_eq!(origin("武汉市").as_deref(), Some("420100"));
        assert_eq!(origin("朝阳区").as_deref(), Some("朝阳区"));
    }

    #[test]
    fn other_registers_drop_origin() {
        let mut e = FieldErrors::new();
        let t = Travel::parse(
            TravelStatus::StayedInCity,
            Some("x"),
            None,
            date("2020-01-01"),
            &mut e,
        );
        assert_eq!(t, Some(Travel::stayed()));
    }

    #[test]
    fn vulnerability_bits_round_trip() {
        let v =
            Vulnerabilities::from_list(&[Vulnerability::Pregnancy, Vulnerability::ElderlyAlone]);
        assert_eq!(
            v.list(),
            vec![Vulnerability::ElderlyAlone, Vulnerability::Pregnancy]
        );
        assert!(!v.contains(Vulnerability::Disability));
    }
}
