//! Finding a division by name or code, for a picker: typing 武汉 offers 420100 武汉市 (湖北省),
//! typing wuhan offers 420100 Wuhan (Hubei).
//!
//! The table (34 provinces, about 340 prefectures, about 2,900 counties) is built once and
//! searched in memory: a scan of a few thousand short names takes microseconds, less than
//! the round trip that asks for it.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::english::{english_name, search_key};
use super::{
    AREAS_CSV, CITIES_CSV, Language, PROVINCES, csv_names, is_placeholder, places,
    province_name_en, province_name_zh,
};

/// The level of a division in the GB/T 2260 tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Province,
    Prefecture,
    County,
}

/// One division: its 6-digit code, its own name and the names of the levels above it, in
/// Chinese and in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    pub code: String,
    pub name: &'static str,
    /// The province, or the province and prefecture, it lies in; empty for a province.
    pub within: String,
    /// The English name (`Wuchang District`).
    pub name_en: String,
    /// The levels above in English, the larger first as in [`Division::within`] (`Hubei,
    /// Wuhan`).
    pub within_en: String,
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

    /// The label in English: `Wuhan (Hubei)`, `Wuchang District (Hubei, Wuhan)`, `Hubei`.
    #[must_use]
    pub fn label_en(&self) -> String {
        if self.within_en.is_empty() {
            self.name_en.clone()
        } else {
            format!("{} ({})", self.name_en, self.within_en)
        }
    }

    /// The name in a language.
    #[must_use]
    pub fn name_in(&self, language: Language) -> &str {
        match language {
            Language::Chinese => self.name,
            Language::English => &self.name_en,
        }
    }

    /// The label in a language.
    #[must_use]
    pub fn label_in(&self, language: Language) -> String {
        match language {
            Language::Chinese => self.label(),
            Language::English => self.label_en(),
        }
    }

    /// A picker's option in a language: `420100 Wuhan (Hubei)` on an English page.
    #[must_use]
    pub fn option_value_in(&self, language: Language) -> String {
        format!("{} {}", self.code, self.label_in(language))
    }
}

/// An entry of the table with its search keys made once.
struct Entry {
    division: Division,
    /// [`search_key`] of the English name.
    key_en: String,
}

fn entries() -> &'static [Entry] {
    static TABLE: OnceLock<Vec<Entry>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut all: Vec<Division> = PROVINCES
            .iter()
            .map(|(code, name, en)| Division {
                code: format!("{code}0000"),
                name,
                within: String::new(),
                name_en: (*en).to_owned(),
                within_en: String::new(),
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
                name_en: english_name(name, places()),
                within_en: province_name_en(&code[..2]).unwrap_or_default().to_owned(),
                level: Level::Prefecture,
            });
        }
        for (code, name) in csv_names(AREAS_CSV) {
            if is_placeholder(name) || code.len() != 6 {
                continue;
            }
            let mut within: Vec<&str> = province_name_zh(&code[..2]).into_iter().collect();
            within.extend(super::prefecture_name(&code[..4]));
            let mut within_en: Vec<String> = province_name_en(&code[..2])
                .map(str::to_owned)
                .into_iter()
                .collect();
            within_en.extend(super::prefecture_name_en(&code[..4]));
            all.push(Division {
                code: code.to_owned(),
                name,
                within: within.join(" "),
                name_en: english_name(name, places()),
                within_en: within_en.join(", "),
                level: Level::County,
            });
        }
        all.sort_by(|a, b| a.code.cmp(&b.code));
        all.into_iter()
            .map(|division| Entry {
                key_en: search_key(&division.name_en),
                division,
            })
            .collect()
    })
}

fn table() -> impl Iterator<Item = &'static Division> {
    entries().iter().map(|e| &e.division)
}

/// The divisions (their places in [`entries`]) each name stands for: the Chinese name and
/// label as written, the English ones as [`search_key`]s (regardless of case, spaces and
/// apostrophes: `wuhan`, `Xi'an`, `xian`). Built once: an import reads a name for every
/// returnee, and scanning the table for each cost about 100 µs a row.
struct Names {
    chinese: HashMap<String, Vec<usize>>,
    english: HashMap<String, Vec<usize>>,
}

fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut chinese: HashMap<String, Vec<usize>> = HashMap::new();
        let mut english: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in entries().iter().enumerate() {
            let d = &e.division;
            for name in [d.name.to_owned(), d.label()] {
                chinese.entry(name).or_default().push(i);
            }
            for key in [e.key_en.clone(), search_key(&d.label_en())] {
                if !key.is_empty() {
                    english.entry(key).or_default().push(i);
                }
            }
        }
        Names { chinese, english }
    })
}

/// The division of a code (2, 4 or 6 digits, padded or not).
#[must_use]
pub fn division(code: &str) -> Option<Division> {
    let full = super::full_code(code)?;
    let table = entries();
    table
        .binary_search_by(|e| e.division.code.as_str().cmp(&full))
        .ok()
        .map(|i| table[i].division.clone())
}

/// Up to `limit` divisions for what was typed. Digits match codes from their start (`4201`
/// gives 武汉市 then its districts); other text matches names, Chinese or English (`wuhan`,
/// `Wuchang`), an exact name first, then names starting with it, then names containing it,
/// the higher level first within each.
#[must_use]
pub fn search(query: &str, limit: usize) -> Vec<Division> {
    let q = query.trim();
    if q.is_empty() || limit == 0 {
        return Vec::new();
    }
    let mut found: Vec<(u8, &Division)> = if q.bytes().all(|b| b.is_ascii_digit()) {
        table()
            .filter(|d| d.code.starts_with(q))
            .map(|d| (0, d))
            .collect()
    } else {
        let key = search_key(q);
        entries()
            .iter()
            .filter_map(|e| {
                let d = &e.division;
                let rank = if d.name == q || d.label() == q || e.key_en == key {
                    0
                } else if d.name.starts_with(q) || (!key.is_empty() && e.key_en.starts_with(&key)) {
                    1
                } else if d.name.contains(q) || (!key.is_empty() && e.key_en.contains(&key)) {
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
/// one division (`武汉市`, `武昌区 (湖北省 武汉市)`, `Wuhan`, `Wuchang District (Hubei,
/// Wuhan)`). `None` for anything else, such as a name shared by several counties (朝阳区) or
/// a code of no province.
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
    let names = names();
    let key = search_key(text);
    let mut named: Vec<usize> = names
        .chinese
        .get(text)
        .into_iter()
        .chain(names.english.get(&key))
        .flatten()
        .copied()
        .collect();
    named.sort_unstable();
    named.dedup();
    match named.as_slice() {
        [one] => Some(entries()[*one].division.code.clone()),
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
        let levels: Vec<Level> = table().map(|d| d.level).collect();
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
        assert_eq!(code_of_input("Wuhan").as_deref(), Some("420100"));
        assert_eq!(code_of_input("wuhan").as_deref(), Some("420100"));
        assert_eq!(
            code_of_input("Wuchang District (Hubei, Wuhan)").as_deref(),
            Some("420106")
        );
        assert_eq!(
            code_of_input("420106 Wuchang District (Hubei, Wuhan)").as_deref(),
            Some("420106")
        );
        assert_eq!(
            code_of_input("Chaoyang District"),
            None,
            "two share the name"
        );
    }

    /// What [`code_of_input`] gives for a name, found by scanning the whole table.
    fn code_by_scan(text: &str) -> Option<String> {
        let key = search_key(text);
        let mut named = table().filter(|d| {
            d.name == text
                || d.label() == text
                || (!key.is_empty()
                    && (search_key(&d.name_en) == key || search_key(&d.label_en()) == key))
        });
        match (named.next(), named.next()) {
            (Some(one), None) => Some(one.code.clone()),
            _ => None,
        }
    }

    #[test]
    fn every_name_and_label_gives_the_code_a_scan_of_the_table_gives() {
        let mut unique = 0;
        for d in table().step_by(41) {
            for text in [
                d.name.to_owned(),
                d.label(),
                d.name_en.clone(),
                d.label_en().to_lowercase(),
            ] {
                let code = code_of_input(&text);
                assert_eq!(code, code_by_scan(&text), "{text}");
                unique += usize::from(code.is_some());
            }
        }
        assert!(unique > 100, "most names name one division");
        assert_eq!(
            code_of_input("Jilin"),
            None,
            "the province and its prefecture"
        );
    }

    #[test]
    #[ignore = "writes every English name, for reading them over"]
    fn print_english_names() {
        for d in table() {
            println!("{} {} | {}", d.code, d.name, d.label_en());
        }
    }

    #[test]
    fn english_names_are_searched_and_shown() {
        let wuhan = &search("wuhan", 20)[0];
        assert_eq!(wuhan.code, "420100");
        assert_eq!(wuhan.label_en(), "Wuhan (Hubei)");
        assert_eq!(
            wuhan.option_value_in(Language::English),
            "420100 Wuhan (Hubei)"
        );
        assert_eq!(
            wuhan.option_value_in(Language::Chinese),
            "420100 武汉市 (湖北省)"
        );
        // 五常市 is Wuchang too, a city and so before the district.
        let found = search("Wuchang", 20);
        assert_eq!(codes(&found)[..2], ["230184", "420106"]);
        let wuchang = &search("wuchang district", 20)[0];
        assert_eq!(wuchang.code, "420106");
        assert_eq!(wuchang.label_en(), "Wuchang District (Hubei, Wuhan)");
        assert_eq!(wuchang.name_in(Language::English), "Wuchang District");
        assert_eq!(search("xian", 5)[0].label_en(), "Xi'an (Shaanxi)");
        assert_eq!(search("Xi'an", 5)[0].code, "610100");
        assert_eq!(search("hubei", 5)[0].label_en(), "Hubei");
        assert_eq!(
            search("Dingbian", 5)[0].label_en(),
            "Dingbian County (Shaanxi, Yulin)"
        );
        assert_eq!(search("Xiantao", 5)[0].label_en(), "Xiantao (Hubei)");
        assert_eq!(
            division("110105").map(|d| d.label_en()).as_deref(),
            Some("Chaoyang District (Beijing)")
        );
        assert!(
            search("wu", 20)
                .iter()
                .all(|d| d.name_en.to_lowercase().contains("wu"))
        );
    }
}
