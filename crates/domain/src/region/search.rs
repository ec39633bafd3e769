//! Finding a division by name or code, for a picker: typing 武汉 offers 420100 武汉市 (湖北省).
//!
//! The table (34 provinces, about 340 prefectures, about 2,900 counties) is built once and
//! searched in memory: a scan of a few thousand short names takes microseconds, less than
//! the round trip that asks for it.

use std::sync::OnceLock;

use super::{AREAS_CSV, CITIES_CSV, PROVINCES, csv_names, is_placeholder, province_name_zh};

/// The level of a division in the GB/T 2260 tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Province,
    Prefecture,
    County,
}

/// One division: its 6-digit code, its own name and the names of the levels above it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub code: String,
    pub name: &'static str,
    /// The province, or the province and prefecture, it lies in; empty for a province.
    pub within: String,
    pub level: Level,
}

impl Division {
    /// The name with where it lies, as a picker shows it: `武汉市 (湖北省)`,
    /// `武昌区 (湖北省 武汉市)`, `湖北省`.
    #[must_use]
    pub fn label(&self) -> String {
        if self.within.is_empty() {
            self.name.to_owned()
        } else {
            format!("{} ({})", self.name, self.within)
        }
    }

    /// What a picker's option puts in the field: the code, then the label, so that the field
    /// reads as a name and [`code_of_input`] reads its code back.
    #[must_use]
    pub fn option_value(&self) -> String {
        format!("{} {}", self.code, self.label())
    }
}

fn table() -> &'static [Division] {
    static TABLE: OnceLock<Vec<Division>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut all: Vec<Division> = PROVINCES
            .iter()
            .map(|(code, name, _)| Division {
                code: format!("{code}0000"),
                name,
                within: String::new(),
                level: Level::Province,
            })
            .collect();
        for (code, name) in csv_names(CITIES_CSV) {
            if is_placeholder(name) {
                continue;
            }
            all.push(Division {
                code: format!("{code}00"),
                name,
                within: province_name_zh(&code[..2]).unwrap_or_default().to_owned(),
                level: Level::Prefecture,
            });
        }
        for (code, name) in csv_names(AREAS_CSV) {
            if is_placeholder(name) || code.len() != 6 {
                continue;
            }
            let mut within: Vec<&str> = province_name_zh(&code[..2]).into_iter().collect();
            within.extend(super::prefecture_name(&code[..4]));
            all.push(Division {
                code: code.to_owned(),
                name,
                within: within.join(" "),
                level: Level::County,
            });
        }
        all.sort_by(|a, b| a.code.cmp(&b.code));
        all
    })
}

/// The division of a code (2, 4 or 6 digits, padded or not).
#[must_use]
pub fn division(code: &str) -> Option<Division> {
    let full = super::full_code(code)?;
    let table = table();
    table
        .binary_search_by(|d| d.code.as_str().cmp(&full))
        .ok()
        .map(|i| table[i].clone())
}

/// Up to `limit` divisions for what was typed. Digits match codes from their start (`4201`
/// gives 武汉市 then its districts); other text matches names, an exact name first, then names
/// starting with it, then names containing it, the higher level first within each.
#[must_use]
pub fn search(query: &str, limit: usize) -> Vec<Division> {
    let q = query.trim();
    if q.is_empty() || limit == 0 {
        return Vec::new();
    }
    let mut found: Vec<(u8, &Division)> = if q.bytes().all(|b| b.is_ascii_digit()) {
        table()
            .iter()
            .filter(|d| d.code.starts_with(q))
            .map(|d| (0, d))
            .collect()
    } else {
        table()
            .iter()
            .filter_map(|d| {
                let rank = if d.name == q || d.label() == q {
                    0
                } else if d.name.starts_with(q) {
                    1
                } else if d.name.contains(q) {
                    2
                } else {
                    return None;
                };
                Some((rank, d))
            })
            .collect()
    };
    found.sort_by(|(ra, a), (rb, b)| (ra, a.level, &a.code).cmp(&(rb, b.level, &b.code)));
    found
        .into_iter()
        .take(limit)
        .map(|(_, d)| d.clone())
        .collect()
}

/// The 6-digit code a region field holds: a code alone or followed by its name (what a
/// picker's option puts in the field, `420100 武汉市 (湖北省)`), or a name that names exactly
/// one division (`武汉市`, `武昌区 (湖北省 武汉市)`). `None` for anything else, such as a name
/// shared by several counties (朝阳区) or a code of no province.
#[must_use]
pub fn code_of_input(raw: &str) -> Option<String> {
    let text = raw.trim();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        let (code, rest) = text.split_at(digits);
        if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
            return None;
        }
        let full = super::full_code(code)?;
        return province_name_zh(&full[..2]).map(|_| full);
    }
    let mut named = table()
        .iter()
        .filter(|d| d.name == text || d.label() == text);
    match (named.next(), named.next()) {
        (Some(one), None) => Some(one.code.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(found: &[Division]) -> Vec<&str> {
        found.iter().map(|d| d.code.as_str()).collect()
    }

    #[test]
    fn a_name_finds_its_prefecture_first() {
        let found = search("武汉", 20);
        assert_eq!(found[0].code, "420100");
        assert_eq!(found[0].label(), "武汉市 (湖北省)");
        assert_eq!(found[0].option_value(), "420100 武汉市 (湖北省)");
        let wuchang = &search("武昌", 20)[0];
        assert_eq!(wuchang.code, "420106");
        assert_eq!(wuchang.label(), "武昌区 (湖北省 武汉市)");
        assert_eq!(search("湖北省", 20)[0].label(), "湖北省");
        // A county-level city directly under its province lies in the province alone.
        assert_eq!(search("仙桃", 5)[0].label(), "仙桃市 (湖北省)");
        // A municipality's district: no 市辖区 between the levels.
        assert_eq!(search("朝阳区", 5)[0].label(), "朝阳区 (北京市)");
    }

    #[test]
    fn digits_find_codes_from_their_start_and_results_are_limited() {
        let found = search("4201", 20);
        assert_eq!(found[0].code, "420100");
        assert!(codes(&found).contains(&"420106"));
        assert!(found.iter().all(|d| d.code.starts_with("4201")));
        assert_eq!(search("42", 3).len(), 3);
        assert_eq!(search("区", 20).len(), 20);
        assert!(search("", 20).is_empty());
        assert!(search("Atlantis", 20).is_empty());
    }

    #[test]
    fn every_level_is_named_by_its_code() {
        assert_eq!(division("42").map(|d| d.label()).as_deref(), Some("湖北省"));
        assert_eq!(
            division("4201").map(|d| d.label()).as_deref(),
            Some("武汉市 (湖北省)")
        );
        assert_eq!(
            division("420106").map(|d| d.label()).as_deref(),
            Some("武昌区 (湖北省 武汉市)")
        );
        assert_eq!(division("420100").map(|d| d.level), Some(Level::Prefecture));
        assert_eq!(division("999999"), None);
        let levels: Vec<Level> = table().iter().map(|d| d.level).collect();
        assert_eq!(levels.iter().filter(|l| **l == Level::Province).count(), 34);
        assert!(levels.iter().filter(|l| **l == Level::Prefecture).count() > 300);
        assert!(levels.iter().filter(|l| **l == Level::County).count() > 2800);
    }

    #[test]
    fn a_field_gives_its_code_from_a_picked_option_a_code_or_a_single_name() {
        assert_eq!(
            code_of_input("420100 武汉市 (湖北省)").as_deref(),
            Some("420100")
        );
        assert_eq!(code_of_input(" 4201 ").as_deref(), Some("420100"));
        assert_eq!(code_of_input("42").as_deref(), Some("420000"));
        assert_eq!(code_of_input("武汉市").as_deref(), Some("420100"));
        assert_eq!(
            code_of_input("武昌区 (湖北省 武汉市)").as_deref(),
            Some("420106")
        );
        assert_eq!(code_of_input("朝阳区"), None, "two counties share the name");
        assert_eq!(code_of_input("武汉"), None, "not a name of the table");
        assert_eq!(code_of_input("420"), None);
        assert_eq!(code_of_input("990000"), None);
        assert_eq!(code_of_input("4201abc"), None);
        assert_eq!(code_of_input(""), None);
    }
}
