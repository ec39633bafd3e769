//! Parsing a resident from raw text: a form, an API call or a spreadsheet row.
//!
//! Values are accepted as stable codes (`registered`) or as the words people write in their
//! registers (`户籍`, `户籍人口`), so communities can import the spreadsheets they already keep.

use jiff::civil::Date;

use crate::citizen_id::Sex;
use crate::document::{Document, DocumentKind};
use crate::phone::Phone;
use crate::registry::{
    Hukou, Label, NAME_MAX, ResidentDraft, Tenure, Travel, TravelStatus, Vulnerabilities,
    Vulnerability, parse_notes,
};
use crate::validation::FieldErrors;

/// A resident as text, before parsing. Empty strings mean "not given".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawResident {
    pub name: String,
    pub document_kind: String,
    pub document_number: String,
    pub sex: String,
    pub birth_date: String,
    pub phone: String,
    pub hukou: String,
    pub tenure: String,
    pub travel_status: String,
    pub travel_origin: String,
    pub returned_on: String,
    /// Codes or words, separated by commas, 、 or spaces.
    pub vulnerabilities: String,
    pub notes: String,
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

pub fn document_kind_from_text(s: &str) -> Option<DocumentKind> {
    let s = norm(s);
    if s.is_empty() {
        return Some(DocumentKind::CitizenId);
    }
    DocumentKind::from_code(&s).or(match s.as_str() {
        "身份证" | "居民身份证" | "身份证号" | "citizen id" => {
            Some(DocumentKind::CitizenId)
        }
        "护照" | "passport" => Some(DocumentKind::Passport),
        "港澳通行证" | "港澳居民来往内地通行证" | "回乡证" => {
            Some(DocumentKind::HkMacauPermit)
        }
        "台湾通行证" | "台胞证" | "台湾居民来往大陆通行证" => {
            Some(DocumentKind::TaiwanPermit)
        }
        "外国人永久居留证" | "外国人永久居留身份证" | "永久居留证" => {
            Some(DocumentKind::ForeignPermanentResidence)
        }
        _ => None,
    })
}

pub fn hukou_from_text(s: &str) -> Option<Hukou> {
    let s = norm(s);
    Hukou::from_code(&s).or(match s.as_str() {
        "" | "户籍" | "户籍人口" | "本地户籍" | "是" => Some(Hukou::Registered),
        "常住" | "常住人口" | "非户籍" | "流动人口" | "外来人口" | "否" | "resident only" => {
            Some(Hukou::ResidentOnly)
        }
        _ => None,
    })
}

pub fn tenure_from_text(s: &str) -> Option<Tenure> {
    let s = norm(s);
    Tenure::from_code(&s).or(match s.as_str() {
        "" | "业主" | "自有" | "自住" | "产权人" => Some(Tenure::Owner),
        "租户" | "租住" | "租房" | "承租人" => Some(Tenure::Tenant),
        _ => None,
    })
}

pub fn travel_status_from_text(s: &str) -> Option<TravelStatus> {
    let s = norm(s);
    TravelStatus::from_code(&s).or(match s.as_str() {
        "" | "未离开本市" | "未离开" | "未外出" | "stayed" => {
            Some(TravelStatus::StayedInCity)
        }
        "外地返回" | "已返回" | "返回" | "外地返回人员" => {
            Some(TravelStatus::Returned)
        }
        "尚未返回" | "未返回" | "未返" => Some(TravelStatus::NotYetReturned),
        _ => None,
    })
}

pub fn vulnerability_from_text(s: &str) -> Option<Vulnerability> {
    let s = norm(s);
    Vulnerability::from_code(&s).or(match s.as_str() {
        "独居老人" | "空巢老人" => Some(Vulnerability::ElderlyAlone),
        "慢性病" | "慢病" | "基础病" => Some(Vulnerability::ChronicIllness),
        "孕妇" | "孕期" | "孕产妇" => Some(Vulnerability::Pregnancy),
        "残疾" | "残疾人" => Some(Vulnerability::Disability),
        _ => None,
    })
}

fn sex_from_text(s: &str) -> Option<Option<Sex>> {
    match norm(s).as_str() {
        "" => Some(None),
        "男" | "male" | "m" => Some(Some(Sex::Male)),
        "女" | "female" | "f" => Some(Some(Sex::Female)),
        _ => None,
    }
}

/// Parses a date written as 2020-01-31, 2020/1/31, 2020.1.31, 2020年1月31日 or 20200131 (spaces
/// and full-width digits as input methods type them), or as the day number of an Excel date
/// cell.
pub fn date_from_text(s: &str) -> Option<Date> {
    let s: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect();
    let s = s.as_str();
    if let Some(date) = excel_serial_date(s) {
        return Some(date);
    }
    if s.len() == 8 && s.chars().all(|c| c.is_ascii_digit()) {
        let (y, m, d) = (&s[0..4], &s[4..6], &s[6..8]);
        return Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok();
    }
    let parts: Vec<&str> = s
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() != 3 {
        return None;
    }
    Date::new(
        parts[0].parse().ok()?,
        parts[1].parse().ok()?,
        parts[2].parse().ok()?,
    )
    .ok()
}

/// Excel's day number of a date cell formatted as a number (43855 is 2020-01-25), in the
/// 1900 date system Chinese spreadsheets use; only five digits, so that no other number
/// (a room, a year) reads as a date.
fn excel_serial_date(s: &str) -> Option<Date> {
    if s.len() != 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let days: i32 = s.parse().ok()?;
    // Day 1 is 1900-01-01 and Excel counts a 29 February 1900 that never was, so from March
    // 1900 on the day number is the days since 1899-12-30.
    Date::constant(1899, 12, 30)
        .checked_add(jiff::Span::new().days(days))
        .ok()
}

/// The oldest age a register's birth date may give; more is a typo.
const MAX_AGE_YEARS: i16 = 120;

impl RawResident {
    /// Parses every field, collecting all errors with their field names; sex and birth date
    /// are derived from a citizen ID.
    pub fn parse(&self, today: Date) -> Result<ResidentDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", Label::parse(&self.name, NAME_MAX));
        let kind = document_kind_from_text(&self.document_kind);
        if kind.is_none() {
            e.add("document_kind", "invalid_choice", self.document_kind.trim());
        }
        let document = kind
            .and_then(|k| e.check("document_number", Document::parse(k, &self.document_number)));
        // The number itself cannot know today; a birth after it is a typo (2099 for 1999).
        if document
            .as_ref()
            .and_then(Document::citizen_id)
            .is_some_and(|id| id.birth_date() > today)
        {
            e.add("document_number", "citizen_id_birth_in_future", "");
        }
        let phone = if self.phone.trim().is_empty() {
            None
        } else {
            e.check("phone", Phone::parse(&self.phone))
        };
        let sex = sex_from_text(&self.sex);
        if sex.is_none() {
            e.add("sex", "invalid_choice", self.sex.trim());
        }
        let birth_date = if self.birth_date.trim().is_empty() {
            None
        } else {
            match date_from_text(&self.birth_date) {
                Some(d) if d > today => {
                    e.add("birth_date", "date_in_future", "");
                    None
                }
                Some(d) if d.year() < 1900 || today.year() - d.year() > MAX_AGE_YEARS => {
                    e.add("birth_date", "age_over_120", d.to_string());
                    None
                }
                Some(d) => Some(d),
                None => {
                    e.add("birth_date", "date_format", self.birth_date.trim());
                    None
                }
            }
        };
        let hukou = hukou_from_text(&self.hukou);
        if hukou.is_none() {
            e.add("hukou", "invalid_choice", self.hukou.trim());
        }
        let tenure = tenure_from_text(&self.tenure);
        if tenure.is_none() {
            e.add("tenure", "invalid_choice", self.tenure.trim());
        }
        let status = travel_status_from_text(&self.travel_status);
        if status.is_none() {
            e.add("travel_status", "invalid_choice", self.travel_status.trim());
        }
        let returned_on = if self.returned_on.trim().is_empty() {
            None
        } else {
            let d = date_from_text(&self.returned_on);
            if d.is_none() {
                e.add("returned_on", "date_format", self.returned_on.trim());
            }
            d
        };
        let travel = status.and_then(|s| {
            Travel::parse(
                s,
                Some(self.travel_origin.as_str()),
                returned_on,
                today,
                &mut e,
            )
        });
        let mut flags = Vec::new();
        for word in self
            .vulnerabilities
            .split([',', '，', '、', ';', '；', ' '])
            .filter(|w| !w.trim().is_empty())
        {
            match vulnerability_from_text(word) {
                Some(v) => flags.push(v),
                None => e.add("vulnerabilities", "invalid_choice", word.trim()),
            }
        }
        let notes = parse_notes(&self.notes, &mut e);
        if !e.is_empty() {
            return Err(e);
        }
        match (name, document, sex, hukou, tenure, travel) {
            (Some(name), Some(document), Some(sex), Some(hukou), Some(tenure), Some(travel)) => {
                let mut d = ResidentDraft {
                    name,
                    document,
                    sex,
                    birth_date,
                    phone,
                    hukou,
                    tenure,
                    travel,
                    vulnerabilities: Vulnerabilities::from_list(&flags),
                    notes,
                };
                d.derive_from_document();
                Ok(d)
            }
            _ => Err(FieldErrors::single("name", "invalid")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2020, 2, 10).expect("date")
    }

    fn valid() -> RawResident {
        RawResident {
            name: "张三".into(),
            document_number: "11010519491231002X".into(),
            phone: "138 0013 8000".into(),
            hukou: "户籍人口".into(),
            tenure: "租户".into(),
            travel_status: "外地返回".into(),
            travel_origin: "武汉".into(),
            returned_on: "2020/1/22".into(),
            vulnerabilities: "独居老人、慢性病".into(),
            ..Default::default()
        }
    }

    #[test]
    fn chinese_register_words_parse() {
        let d = valid().parse(today()).expect("valid");
        assert_eq!(d.hukou, Hukou::Registered);
        assert_eq!(d.tenure, Tenure::Tenant);
        assert_eq!(d.travel.status, TravelStatus::Returned);
        assert_eq!(d.birth_date, Date::new(1949, 12, 31).ok());
        assert_eq!(d.sex, Some(Sex::Female));
        assert!(d.vulnerabilities.contains(Vulnerability::ChronicIllness));
        assert_eq!(
            d.phone.map(|p| p.as_str().to_owned()),
            Some("13800138000".to_owned())
        );
    }

    #[test]
    fn every_bad_field_is_reported() {
        let raw = RawResident {
            name: "".into(),
            document_number: "110105194912310021".into(),
            phone: "12345".into(),
            hukou: "maybe".into(),
            ..Default::default()
        };
        let e = raw.parse(today()).expect_err("invalid");
        for f in ["name", "document_number", "phone", "hukou"] {
            assert!(e.for_field(f).is_some(), "{f} missing in {e:?}");
        }
        assert_eq!(
            e.for_field("document_number").map(|e| e.code.as_str()),
            Some("citizen_id_check_digit")
        );
    }

    #[test]
    fn dates_in_common_spellings() {
        let d = Date::new(2020, 1, 2).ok();
        for s in [
            "2020-01-02",
            "2020/1/2",
            "2020.1.2",
            "20200102",
            "2020年1月2日",
        ] {
            assert_eq!(date_from_text(s), d, "{s}");
        }
        assert_eq!(date_from_text("2020-02-30"), None);
    }

    #[test]
    fn a_citizen_id_born_after_today_is_a_typo() {
        let mut raw = valid();
        raw.document_number = "110105209901010012".into();
        let e = raw.parse(today()).expect_err("born in 2099");
        assert_eq!(
            e.for_field("document_number").map(|e| e.code.as_str()),
            Some("citizen_id_birth_in_future")
        );
        raw.document_number = "110105 19990101 0016".into();
        assert!(
            raw.parse(today()).is_ok(),
            "the same person, typed with spaces"
        );
    }

    #[test]
    fn dates_as_clerks_type_them() {
        let jan25 = Date::new(2020, 1, 25).ok();
        for text in [
            "2020-01-25",
            "2020/1/25",
            "2020.1.25",
            "2020年1月25日",
            "20200125",
            "43855",
            "２０２０年１月２５日",
            "2020 年 1 月 25 日",
        ] {
            assert_eq!(date_from_text(text), jan25, "{text}");
        }
        assert_eq!(date_from_text("301"), None);
        assert_eq!(date_from_text("2020"), None);
        assert_eq!(date_from_text("2020-1-25-3"), None);
    }

    proptest::proptest! {
        #[test]
        fn any_date_in_any_spelling_is_that_date(
            day in 0..40_000_i32,
            spelling in 0..6_usize,
            padded in proptest::bool::ANY,
        ) {
            let date = Date::constant(1920, 1, 1)
                .checked_add(jiff::Span::new().days(day))
                .map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            let (y, m, d) = (date.year(), date.month(), date.day());
            let (m, d) = if padded {
                (format!("{m:02}"), format!("{d:02}"))
            } else {
                (m.to_string(), d.to_string())
            };
            let text = match spelling {
                0 => format!("{y}-{m}-{d}"),
                1 => format!("{y}/{m}/{d}"),
                2 => format!("{y}.{m}.{d}"),
                3 => format!("{y}年{m}月{d}日"),
                4 => format!(" {y} 年 {m} 月 {d} 日 "),
                _ => date.strftime("%Y%m%d").to_string(),
            };
            proptest::prop_assert_eq!(date_from_text(&text), Some(date), "{}", text);
        }
    }

    #[test]
    fn a_birth_date_older_than_120_years_is_refused() {
        let mut raw = valid();
        raw.document_kind = "passport".into();
        raw.document_number = "E12345678".into();
        raw.birth_date = "1890-05-01".into();
        let e = raw.parse(today()).expect_err("too old");
        assert_eq!(
            e.for_field("birth_date").map(|e| e.code.as_str()),
            Some("age_over_120")
        );
        raw.birth_date = "1950-05-01".into();
        assert!(raw.parse(today()).is_ok());
    }
}
