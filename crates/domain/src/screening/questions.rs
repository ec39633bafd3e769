//! The questions of a campaign: "returned from region X since date Y?", the region a GB/T 2260
//! code or prefix.

use jiff::civil::Date;
use serde::Serialize;

use super::MAX_QUESTIONS;
use crate::region;
use crate::validation::{Coded, FieldErrors};

/// A GB/T 2260 code or code prefix: a province (`42`), a prefecture (`4201`) or a county
/// (`420106`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RegionCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    #[error("required")]
    Empty,
    #[error("2, 4 or 6 digits")]
    Format,
    #[error("no such province")]
    Province,
}

impl Coded for RegionError {
    fn code(&self) -> &'static str {
        match self {
            RegionError::Empty => "required",
            RegionError::Format => "region_code_format",
            RegionError::Province => "unknown_province",
        }
    }
}

impl RegionCode {
    /// Accepts 2, 4 or 6 digits whose first two name a province; a code padded with zeros
    /// (`420000`, `420100`) is shortened to its prefix, since that is what it means. A
    /// picker's choice (`420100 武汉市 (湖北省)`) or a name of one division (`武汉市`) is read
    /// as its code.
    pub fn parse(raw: &str) -> Result<RegionCode, RegionError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(RegionError::Empty);
        }
        let picked;
        let s = if s.bytes().all(|b| b.is_ascii_digit()) {
            s
        } else {
            picked = region::code_of_input(s).ok_or(RegionError::Format)?;
            picked.as_str()
        };
        if !s.bytes().all(|b| b.is_ascii_digit()) || ![2, 4, 6].contains(&s.len()) {
            return Err(RegionError::Format);
        }
        let province = &s[..2];
        if !region::PROVINCES.iter().any(|(c, _, _)| *c == province) {
            return Err(RegionError::Province);
        }
        let mut code = s.to_owned();
        while code.len() > 2 && code.ends_with("00") {
            code.truncate(code.len() - 2);
        }
        Ok(RegionCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `other` lies inside this region (`4201` covers `420106`).
    pub fn covers(&self, other: &RegionCode) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The 6-digit GB/T 2260 code (`4201` is `420100`): the one form a region is stored in.
    pub fn full_code(&self) -> String {
        region::full_code(&self.0).unwrap_or_else(|| self.0.clone())
    }

    /// The code with its name from the GB/T 2260 table, e.g. `420106 湖北省 武汉市 武昌区`,
    /// `420100 湖北省 武汉市`.
    pub fn label(&self) -> String {
        let name = region::region_name(&self.0).unwrap_or_default();
        format!("{} {name}", self.full_code())
    }

    /// The name with where it lies, as pages show a region: `武汉市 (湖北省)`.
    pub fn name(&self) -> String {
        region::division(&self.0)
            .map(|d| d.label())
            .unwrap_or_else(|| self.full_code())
    }

    /// What a region picker's field holds for this region: `420100 武汉市 (湖北省)`.
    pub fn picked(&self) -> String {
        region::division(&self.0)
            .map(|d| d.option_value())
            .unwrap_or_else(|| self.full_code())
    }

    /// The code with its name in a language: `420106 Wuchang District, Wuhan, Hubei` in
    /// English, as [`RegionCode::label`] in Chinese.
    pub fn label_in(&self, language: region::Language) -> String {
        let name = region::region_name_in(&self.0, language).unwrap_or_default();
        format!("{} {name}", self.full_code())
    }

    /// The name with where it lies in a language: `Wuhan (Hubei)` in English.
    pub fn name_in(&self, language: region::Language) -> String {
        region::division(&self.0)
            .map(|d| d.label_in(language))
            .unwrap_or_else(|| self.full_code())
    }

    /// A region picker's field in a language: `420100 Wuhan (Hubei)` in English.
    pub fn picked_in(&self, language: region::Language) -> String {
        region::division(&self.0)
            .map(|d| d.option_value_in(language))
            .unwrap_or_else(|| self.full_code())
    }
}

/// "Returned from `region` since `since`?": the one kind of question the drive asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    pub region: RegionCode,
    pub since: Date,
}

impl Question {
    pub const KIND: &'static str = "returned_from_region_since";

    /// Whether a resident's travel answers "yes": returned from inside the region on or after
    /// the date.
    pub fn matches(&self, origin: Option<&RegionCode>, returned_on: Option<Date>) -> bool {
        match (origin, returned_on) {
            (Some(o), Some(d)) => self.region.covers(o) && d >= self.since,
            _ => false,
        }
    }
}

/// Parses the questions of a campaign from (region, since) text pairs; blank pairs are skipped.
/// Errors name the field `questions[i].region` or `questions[i].since`.
pub fn parse_questions(
    raw: &[(String, String)],
    today: Date,
    errors: &mut FieldErrors,
) -> Vec<Question> {
    let mut out = Vec::new();
    let given: Vec<(usize, &(String, String))> = raw
        .iter()
        .enumerate()
        .filter(|(_, (r, s))| !(r.trim().is_empty() && s.trim().is_empty()))
        .collect();
    if given.is_empty() {
        errors.add("questions", "question_required", "");
        return out;
    }
    if given.len() > MAX_QUESTIONS {
        errors.add("questions", "too_many_questions", MAX_QUESTIONS.to_string());
        return out;
    }
    for (i, (region, since)) in given {
        let region = errors.check(&format!("questions[{i}].region"), RegionCode::parse(region));
        let since_field = format!("questions[{i}].since");
        let since = match crate::resident::date_from_text(since) {
            Some(d) if d > today => {
                errors.add(&since_field, "date_in_future", "");
                None
            }
            Some(d) => Some(d),
            None if since.trim().is_empty() => {
                errors.add(&since_field, "required", "");
                None
            }
            None => {
                errors.add(&since_field, "date_format", since.trim());
                None
            }
        };
        if let (Some(region), Some(since)) = (region, since) {
            out.push(Question { region, since });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    #[test]
    fn region_codes_are_provinces_and_their_prefixes() {
        assert_eq!(RegionCode::parse("42").map(|r| r.0), Ok("42".to_owned()));
        assert_eq!(
            RegionCode::parse(" 4201 ").map(|r| r.0),
            Ok("4201".to_owned())
        );
        assert_eq!(
            RegionCode::parse("420100").map(|r| r.0),
            Ok("4201".to_owned())
        );
        assert_eq!(RegionCode::parse(""), Err(RegionError::Empty));
        assert_eq!(RegionCode::parse("420"), Err(RegionError::Format));
        assert_eq!(RegionCode::parse("湖北"), Err(RegionError::Format));
        assert_eq!(
            RegionCode::parse("420100 武汉市 (湖北省)").map(|r| r.0),
            Ok("4201".to_owned())
        );
        assert_eq!(
            RegionCode::parse("湖北省").map(|r| r.0),
            Ok("42".to_owned())
        );
        assert_eq!(RegionCode::parse("99"), Err(RegionError::Province));
        // 83 prefixes residence permits, not a region anyone returns from.
        assert_eq!(RegionCode::parse("83"), Err(RegionError::Province));
        let wuhan = RegionCode::parse("4201").expect("wuhan");
        assert!(wuhan.covers(&RegionCode::parse("420106").expect("wuchang")));
        assert!(!wuhan.covers(&RegionCode::parse("4202").expect("huangshi")));
        assert_eq!(
            RegionCode::parse("420106").expect("code").label(),
            "420106 湖北省 武汉市 武昌区"
        );
        assert_eq!(wuhan.label(), "420100 湖北省 武汉市");
        assert_eq!(wuhan.full_code(), "420100");
        assert_eq!(wuhan.name(), "武汉市 (湖北省)");
        assert_eq!(wuhan.picked(), "420100 武汉市 (湖北省)");
        let english = region::Language::English;
        assert_eq!(wuhan.name_in(english), "Wuhan (Hubei)");
        assert_eq!(wuhan.picked_in(english), "420100 Wuhan (Hubei)");
        assert_eq!(
            RegionCode::parse("420106").expect("code").label_in(english),
            "420106 Wuchang District, Wuhan, Hubei"
        );
        assert_eq!(wuhan.name_in(region::Language::Chinese), wuhan.name());
        assert_eq!(
            RegionCode::parse("Wuchang District (Hubei, Wuhan)").map(|r| r.0),
            Ok("420106".to_owned())
        );
    }

    #[test]
    fn a_question_matches_a_return_from_inside_the_region_since_the_date() {
        let q = Question {
            region: RegionCode::parse("42").expect("hubei"),
            since: d("2020-01-10"),
        };
        let wuchang = RegionCode::parse("420106").expect("code");
        let xian = RegionCode::parse("6101").expect("code");
        assert!(q.matches(Some(&wuchang), Some(d("2020-01-10"))));
        assert!(!q.matches(Some(&wuchang), Some(d("2020-01-09"))));
        assert!(!q.matches(Some(&xian), Some(d("2020-01-20"))));
        assert!(!q.matches(None, Some(d("2020-01-20"))));
    }

    #[test]
    fn questions_need_a_region_and_a_past_date() {
        let today = d("2020-02-01");
        let mut e = FieldErrors::new();
        let qs = parse_questions(
            &[
                ("42".to_owned(), "2020-01-10".to_owned()),
                (String::new(), String::new()),
            ],
            today,
            &mut e,
        );
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(qs.len(), 1);

        let mut e = FieldErrors::new();
        assert!(parse_questions(&[(String::new(), String::new())], today, &mut e).is_empty());
        assert_eq!(e.0[0].code, "question_required");

        let mut e = FieldErrors::new();
        parse_questions(&[("99".to_owned(), "2020-03-01".to_owned())], today, &mut e);
        assert!(e.for_field("questions[0].region").is_some());
        assert_eq!(
            e.for_field("questions[0].since").map(|f| f.code.as_str()),
            Some("date_in_future")
        );
    }
}
