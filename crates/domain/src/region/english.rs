//! English names of divisions: the pinyin of a name's stem and its kind translated, as China's
//! own English usage has it (武汉市 Wuhan, 武昌区 Wuchang District, 兴县 Xing County, 恩施土家族
//! 苗族自治州 Enshi Tujia and Miao Autonomous Prefecture). A city, prefecture-level or
//! county-level, is its stem alone (古交市 Gujiao).

use pinyin::ToPinyin;

/// Readings of whole words that differ from their characters' usual ones (长子 is Zhangzi
/// though 长 reads chang in every other place name). Checked before [`CHAR_READINGS`].
const WORD_READINGS: &[(&str, &[&str])] = &[
    ("重庆", &["chong", "qing"]),
    ("长子", &["zhang", "zi"]),
    ("六安", &["lu", "an"]),
    ("六合", &["lu", "he"]),
    ("乐亭", &["lao", "ting"]),
    ("乐陵", &["lao", "ling"]),
    ("乐清", &["yue", "qing"]),
    ("闵行", &["min", "hang"]),
    ("洪洞", &["hong", "tong"]),
    ("中牟", &["zhong", "mu"]),
    ("牟平", &["mu", "ping"]),
    ("番禺", &["pan", "yu"]),
    ("荥经", &["ying", "jing"]),
    ("尉犁", &["yu", "li"]),
    ("大埔", &["da", "bu"]),
    ("吴堡", &["wu", "bu"]),
    ("东阿", &["dong", "e"]),
];

/// Characters whose reading in place names is not the one the pinyin table gives first
/// (都 is du in 成都, 厦 xia in 厦门, 蚌 beng in 蚌埠).
const CHAR_READINGS: &[(char, &str)] = &[
    ('长', "chang"),
    ('都', "du"),
    ('重', "chong"),
    ('厦', "xia"),
    ('蚌', "beng"),
    ('藏', "zang"),
    ('勒', "le"),
    ('什', "shi"),
    ('佛', "fo"),
    ('棱', "ling"),
    ('圩', "xu"),
    ('坻', "di"),
    ('蔚', "yu"),
    ('泊', "bo"),
    ('峙', "shi"),
    ('珲', "hun"),
    ('茄', "qie"),
    ('枞', "zong"),
    ('涡', "guo"),
    ('铅', "yan"),
    ('单', "shan"),
    ('浚', "xun"),
    ('泌', "bi"),
    ('陂', "pi"),
    ('曾', "zeng"),
    ('犍', "qian"),
    ('筠', "jun"),
    ('峒', "tong"),
    ('称', "chen"),
    ('伽', "jia"),
];

/// The kinds of division by the end of their names, longest first, with their English words.
/// An empty word (a city) leaves the stem alone.
const KINDS: &[(&str, &str)] = &[
    (
        "高新技术产业开发区",
        "High-tech Industrial Development Zone",
    ),
    ("高技术产业开发区", "High-tech Industrial Development Zone"),
    (
        "经济技术开发区",
        "Economic and Technological Development Zone",
    ),
    (
        "城乡一体化示范区",
        "Urban-Rural Integration Demonstration Zone",
    ),
    ("高新技术产业园区", "High-tech Industrial Park"),
    ("高新技术开发区", "High-tech Development Zone"),
    ("现代产业园区", "Modern Industrial Park"),
    ("循环化工园区", "Circular Chemical Industry Park"),
    ("风景名胜区", "Scenic Area"),
    ("经济开发区", "Economic Development Zone"),
    ("工业园区", "Industrial Park"),
    ("开发区", "Development Zone"),
    ("示范区", "Demonstration Zone"),
    ("管理区", "Administrative Area"),
    ("自治州", "Autonomous Prefecture"),
    ("自治县", "Autonomous County"),
    ("自治旗", "Autonomous Banner"),
    ("地区", "Prefecture"),
    ("矿区", "Mining District"),
    ("特区", "Special District"),
    ("新区", "New Area"),
    ("新城", "New Town"),
    ("盟", "League"),
    ("旗", "Banner"),
    ("区", "District"),
    ("县", "County"),
    ("市", ""),
];

/// Names that follow no pattern of [`KINDS`], in full.
const WHOLE_NAMES: &[(&str, &str)] = &[
    ("神农架林区", "Shennongjia Forestry District"),
    ("西沙群岛", "Xisha Islands"),
    ("南沙群岛", "Nansha Islands"),
    (
        "中沙群岛的岛礁及其海域",
        "Islands, Reefs and Waters of the Zhongsha Islands",
    ),
    ("乌拉盖管理区管委会", "Wulagai Administrative Area"),
    ("大柴旦行政委员会", "Dachaidan Administrative Committee"),
    ("吉林中国新加坡食品区", "Jilin China-Singapore Food Zone"),
    (
        "山西转型综合改革示范区",
        "Shanxi Transformation Comprehensive Reform Demonstration Zone",
    ),
    ("郑州航空港经济综合实验区", "Zhengzhou Airport Economy Zone"),
    (
        "豫东综合物流产业聚集区",
        "Yudong Comprehensive Logistics Industry Cluster",
    ),
    (
        "西藏文化旅游创意园区",
        "Tibet Cultural Tourism and Creative Park",
    ),
    ("格尔木藏青工业园区", "Golmud Zangqing Industrial Park"),
    (
        "威海火炬高技术产业开发区",
        "Weihai Torch High-tech Industrial Development Zone",
    ),
];

/// The peoples named in autonomous divisions, longest first so that 土家族 is not read as 土族.
/// A one-character name counts only with 族 after it.
const PEOPLES: &[(&str, &str)] = &[
    ("柯尔克孜", "Kyrgyz"),
    ("达斡尔", "Daur"),
    ("鄂伦春", "Oroqen"),
    ("鄂温克", "Evenki"),
    ("哈萨克", "Kazakh"),
    ("维吾尔", "Uyghur"),
    ("塔吉克", "Tajik"),
    ("土家", "Tujia"),
    ("布依", "Buyei"),
    ("景颇", "Jingpo"),
    ("哈尼", "Hani"),
    ("傈僳", "Lisu"),
    ("蒙古", "Mongol"),
    ("朝鲜", "Korean"),
    ("撒拉", "Salar"),
    ("东乡", "Dongxiang"),
    ("保安", "Bonan"),
    ("裕固", "Yugur"),
    ("锡伯", "Xibe"),
    ("仫佬", "Mulao"),
    ("毛南", "Maonan"),
    ("仡佬", "Gelao"),
    ("纳西", "Naxi"),
    ("拉祜", "Lahu"),
    ("普米", "Pumi"),
    ("独龙", "Derung"),
    ("布朗", "Blang"),
    ("苗", "Miao"),
    ("藏", "Tibetan"),
    ("羌", "Qiang"),
    ("彝", "Yi"),
    ("侗", "Dong"),
    ("白", "Bai"),
    ("傣", "Dai"),
    ("壮", "Zhuang"),
    ("回", "Hui"),
    ("满", "Manchu"),
    ("瑶", "Yao"),
    ("黎", "Li"),
    ("畲", "She"),
    ("土", "Tu"),
    ("水", "Shui"),
    ("佤", "Va"),
    ("怒", "Nu"),
    ("各", "Multi-ethnic"),
];

/// The English name of a division from its Chinese name; `places` are the stems of provinces
/// and prefectures, which open the names of development zones (`河北唐山芦台经济开发区`
/// Hebei Tangshan Lutai Economic Development Zone).
pub(super) fn english_name(zh: &str, places: &[&str]) -> String {
    if let Some((_, en)) = WHOLE_NAMES.iter().find(|(name, _)| *name == zh) {
        return (*en).to_owned();
    }
    let (stem, kind) = KINDS
        .iter()
        .find_map(|(suffix, en)| {
            let stem = zh.strip_suffix(suffix)?;
            // 清新区 is the district of 清新, not a new area of 清.
            let new_area_of_one = *suffix == "新区" && stem.chars().count() < 2;
            (!new_area_of_one).then_some((stem, *en))
        })
        .unwrap_or((zh, ""));
    let (stem, peoples) = if kind.starts_with("Autonomous") {
        strip_peoples(stem)
    } else {
        (stem, Vec::new())
    };
    let (stem, sides) = if kind == "Banner" {
        strip_sides(stem)
    } else {
        (stem, Vec::new())
    };
    let zone = !matches!(
        kind,
        "" | "County"
            | "District"
            | "Banner"
            | "League"
            | "Prefecture"
            | "Mining District"
            | "Special District"
    ) && !kind.starts_with("Autonomous");
    let mut words: Vec<String> = if zone {
        place_words(stem, places)
    } else {
        vec![stem]
    }
    .iter()
    .filter(|w| !w.is_empty())
    .map(|w| romanise(w))
    .collect();
    if !peoples.is_empty() {
        words.push(and_list(&peoples));
    }
    words.extend(sides.iter().map(|side| (*side).to_owned()));
    if !kind.is_empty() {
        words.push(kind.to_owned());
    }
    words.join(" ")
}

/// The stem without the peoples at its end, and those peoples in the name's order.
fn strip_peoples(mut stem: &str) -> (&str, Vec<&'static str>) {
    let mut peoples = Vec::new();
    loop {
        let found = PEOPLES.iter().find_map(|(zh, en)| {
            if let Some(rest) = stem.strip_suffix('族').and_then(|s| s.strip_suffix(zh)) {
                return Some((rest, *en));
            }
            let rest = stem.strip_suffix(zh)?;
            (zh.chars().count() > 1).then_some((rest, *en))
        });
        match found {
            Some((rest, en)) => {
                peoples.push(en);
                stem = rest;
            }
            None => break,
        }
    }
    peoples.reverse();
    (stem, peoples)
}

/// The sides and wings that tell a people's banners apart (科尔沁左翼后旗 Ke'erqin Left Wing
/// Rear Banner), in English words in the name's order.
const SIDES: &[(&str, &str)] = &[
    ("联合", "Joint"),
    ("左翼", "Left Wing"),
    ("右翼", "Right Wing"),
    ("左", "Left"),
    ("右", "Right"),
    ("前", "Front"),
    ("中", "Middle"),
    ("后", "Rear"),
];

/// A banner's stem without its sides and wings, and those in the name's order; a stem keeps
/// two characters at least (镶黄 stays).
fn strip_sides(mut stem: &str) -> (&str, Vec<&'static str>) {
    let mut sides = Vec::new();
    while let Some((rest, en)) = SIDES.iter().find_map(|(zh, en)| {
        stem.strip_suffix(zh)
            .filter(|rest| rest.chars().count() >= 2)
            .map(|rest| (rest, *en))
    }) {
        sides.push(en);
        stem = rest;
    }
    sides.reverse();
    (stem, sides)
}

/// `A`, `A and B`, `A, B and C`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A zone's stem split into the places that open it and the rest: 唐山市汉沽 is 唐山, 汉沽.
fn place_words<'a>(stem: &'a str, places: &[&str]) -> Vec<&'a str> {
    let mut words = Vec::new();
    let mut rest = stem;
    loop {
        rest = rest.strip_prefix('市').unwrap_or(rest);
        let opening = places
            .iter()
            .filter(|p| rest.starts_with(**p) && rest.len() > p.len())
            .max_by_key(|p| p.len());
        match opening {
            Some(place) => {
                words.push(&rest[..place.len()]);
                rest = &rest[place.len()..];
            }
            None => break,
        }
    }
    words.push(rest);
    words
}

/// Pinyin of one word, capitalised, its syllables run together with an apostrophe before one
/// that starts with a vowel (Xi'an, Lu'an).
pub(super) fn romanise(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mut syllables: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let here: String = chars[i..].iter().collect();
        if let Some((zh, readings)) = WORD_READINGS.iter().find(|(zh, _)| here.starts_with(zh)) {
            syllables.extend(readings.iter().map(|r| (*r).to_owned()));
            i += zh.chars().count();
            continue;
        }
        let ch = chars[i];
        let reading = CHAR_READINGS
            .iter()
            .find(|(c, _)| *c == ch)
            .map(|(_, r)| (*r).to_owned())
            .or_else(|| ch.to_pinyin().map(|p| p.plain().to_owned()))
            .unwrap_or_else(|| ch.to_string());
        syllables.push(reading);
        i += 1;
    }
    let mut out = String::new();
    for syllable in syllables {
        if !out.is_empty() && syllable.starts_with(['a', 'e', 'o']) {
            out.push('\'');
        }
        out.push_str(&syllable);
    }
    let mut letters = out.chars();
    match letters.next() {
        Some(first) => first.to_uppercase().chain(letters).collect(),
        None => String::new(),
    }
}

/// What a name is searched by: lower case, without spaces, apostrophes and hyphens, ü as u,
/// so that `xian`, `Xi'an` and `lvliang`, `Lüliang` meet.
pub(super) fn search_key(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, ' ' | '\'' | '-' | '’'))
        .flat_map(char::to_lowercase)
        .map(|c| if matches!(c, 'ü' | 'v') { 'u' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en(zh: &str) -> String {
        english_name(zh, &["河北", "唐山", "长春", "镇江"])
    }

    #[test]
    fn kinds_are_translated_and_cities_are_their_stem() {
        assert_eq!(en("武汉市"), "Wuhan");
        assert_eq!(en("武昌区"), "Wuchang District");
        assert_eq!(en("兴县"), "Xing County");
        assert_eq!(en("古交市"), "Gujiao");
        assert_eq!(en("定边县"), "Dingbian County");
        assert_eq!(en("大兴安岭地区"), "Daxing'anling Prefecture");
        assert_eq!(en("锡林郭勒盟"), "Xilinguole League");
        assert_eq!(en("达拉特旗"), "Dalate Banner");
        assert_eq!(en("土默特左旗"), "Tumote Left Banner");
        assert_eq!(en("科尔沁左翼后旗"), "Ke'erqin Left Wing Rear Banner");
        assert_eq!(en("乌拉特中旗"), "Wulate Middle Banner");
        assert_eq!(en("镶黄旗"), "Xianghuang Banner");
        assert_eq!(en("达尔罕茂明安联合旗"), "Da'erhanmaoming'an Joint Banner");
        assert_eq!(en("神农架林区"), "Shennongjia Forestry District");
        assert_eq!(en("浦东新区"), "Pudong New Area");
        assert_eq!(en("清新区"), "Qingxin District");
        assert_eq!(en("新林区"), "Xinlin District");
        assert_eq!(en("六枝特区"), "Liuzhi Special District");
        assert_eq!(en("峰峰矿区"), "Fengfeng Mining District");
    }

    #[test]
    fn autonomous_divisions_name_their_peoples() {
        assert_eq!(
            en("恩施土家族苗族自治州"),
            "Enshi Tujia and Miao Autonomous Prefecture"
        );
        assert_eq!(
            en("双江拉祜族佤族布朗族傣族自治县"),
            "Shuangjiang Lahu, Va, Blang and Dai Autonomous County"
        );
        assert_eq!(en("互助土族自治县"), "Huzhu Tu Autonomous County");
        assert_eq!(en("伊犁哈萨克自治州"), "Yili Kazakh Autonomous Prefecture");
        assert_eq!(en("鄂伦春自治旗"), "Oroqen Autonomous Banner");
        assert_eq!(
            en("龙胜各族自治县"),
            "Longsheng Multi-ethnic Autonomous County"
        );
        assert_eq!(en("大理白族自治州"), "Dali Bai Autonomous Prefecture");
    }

    #[test]
    fn polyphones_read_as_in_place_names() {
        assert_eq!(romanise("重庆"), "Chongqing");
        assert_eq!(en("长沙市"), "Changsha");
        assert_eq!(en("厦门市"), "Xiamen");
        assert_eq!(en("蚌埠市"), "Bengbu");
        assert_eq!(en("六安市"), "Lu'an");
        assert_eq!(en("六盘水市"), "Liupanshui");
        assert_eq!(en("成都市"), "Chengdu");
        assert_eq!(en("长子县"), "Zhangzi County");
        assert_eq!(en("乐亭县"), "Laoting County");
        assert_eq!(en("乐山市"), "Leshan");
        assert_eq!(en("闵行区"), "Minhang District");
        assert_eq!(en("番禺区"), "Panyu District");
        assert_eq!(en("单县"), "Shan County");
        assert_eq!(en("黄陂区"), "Huangpi District");
        assert_eq!(en("喀什地区"), "Kashi Prefecture");
        assert_eq!(en("佛山市"), "Foshan");
        assert_eq!(en("吴堡县"), "Wubu County");
    }

    #[test]
    fn vowels_after_a_syllable_take_an_apostrophe() {
        assert_eq!(romanise("西安"), "Xi'an");
        assert_eq!(en("延安市"), "Yan'an");
        assert_eq!(en("吕梁市"), "Lüliang");
        assert_eq!(search_key("Lüliang"), search_key("lvliang"));
        assert_eq!(search_key("Xi'an"), "xian");
    }

    #[test]
    fn zones_are_named_by_the_places_that_open_them() {
        assert_eq!(
            en("河北唐山芦台经济开发区"),
            "Hebei Tangshan Lutai Economic Development Zone"
        );
        assert_eq!(en("唐山市汉沽管理区"), "Tangshan Hangu Administrative Area");
        assert_eq!(
            en("长春高新技术产业开发区"),
            "Changchun High-tech Industrial Development Zone"
        );
        assert_eq!(en("镇江新区"), "Zhenjiang New Area");
        assert_eq!(en("西沙群岛"), "Xisha Islands");
    }
}
