//! A register saved in GBK, as Excel in China does, imports like its UTF-8 twin.

use crate::support::{TestDb, citizen_id};

use super::{HEADERS, counts, csv, import, residents_by_name, row};

/// The GBK bytes of the characters the GBK test file uses, as Excel in China saves them.
const GBK: &[(char, [u8; 2])] = &[
    ('姓', [0xD0, 0xD5]),
    ('名', [0xC3, 0xFB]),
    ('身', [0xC9, 0xED]),
    ('份', [0xB7, 0xDD]),
    ('证', [0xD6, 0xA4]),
    ('号', [0xBA, 0xC5]),
    ('联', [0xC1, 0xAA]),
    ('系', [0xCF, 0xB5]),
    ('电', [0xB5, 0xE7]),
    ('话', [0xBB, 0xB0]),
    ('楼', [0xC2, 0xA5]),
    ('栋', [0xB6, 0xB0]),
    ('单', [0xB5, 0xA5]),
    ('元', [0xD4, 0xAA]),
    ('房', [0xB7, 0xBF]),
    ('户', [0xBB, 0xA7]),
    ('籍', [0xBC, 0xAE]),
    ('产', [0xB2, 0xFA]),
    ('权', [0xC8, 0xA8]),
    ('出', [0xB3, 0xF6]),
    ('行', [0xD0, 0xD0]),
    ('登', [0xB5, 0xC7]),
    ('记', [0xBC, 0xC7]),
    ('来', [0xC0, 0xB4]),
    ('源', [0xD4, 0xB4]),
    ('地', [0xB5, 0xD8]),
    ('返', [0xB7, 0xB5]),
    ('回', [0xBB, 0xD8]),
    ('日', [0xC8, 0xD5]),
    ('期', [0xC6, 0xDA]),
    ('重', [0xD6, 0xD8]),
    ('点', [0xB5, 0xE3]),
    ('人', [0xC8, 0xCB]),
    ('群', [0xC8, 0xBA]),
    ('备', [0xB1, 0xB8]),
    ('注', [0xD7, 0xA2]),
    ('张', [0xD5, 0xC5]),
    ('三', [0xC8, 0xFD]),
    ('业', [0xD2, 0xB5]),
    ('主', [0xD6, 0xF7]),
    ('外', [0xCD, 0xE2]),
    ('武', [0xCE, 0xE4]),
    ('汉', [0xBA, 0xBA]),
    ('独', [0xB6, 0xC0]),
    ('居', [0xBE, 0xD3]),
    ('老', [0xC0, 0xCF]),
    ('隔', [0xB8, 0xF4]),
    ('离', [0xC0, 0xEB]),
    ('中', [0xD6, 0xD0]),
    ('李', [0xC0, 0xEE]),
    ('四', [0xCB, 0xC4]),
    ('常', [0xB3, 0xA3]),
    ('住', [0xD7, 0xA1]),
    ('租', [0xD7, 0xE2]),
    ('未', [0xCE, 0xB4]),
    ('开', [0xBF, 0xAA]),
    ('本', [0xB1, 0xBE]),
    ('市', [0xCA, 0xD0]),
];

fn gbk(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(u8::try_from(c).expect("ASCII"));
        } else {
            let (_, bytes) = GBK
                .iter()
                .find(|(k, _)| *k == c)
                .unwrap_or_else(|| panic!("{c} missing from the GBK table"));
            out.extend_from_slice(bytes);
        }
    }
    out
}

#[tokio::test]
async fn a_gbk_register_imports_like_its_utf8_twin() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let text = csv(
        &HEADERS,
        &[
            row(&[
                "张三",
                &citizen_id(21),
                "13800000011",
                "1号楼",
                "1",
                "301",
                "户籍",
                "业主",
                "外地返回",
                "武汉",
                "2020-01-22",
                "独居老人",
                "隔离中",
            ]),
            row(&[
                "李四",
                &citizen_id(22),
                "13800000012",
                "3号楼",
                "2",
                "402",
                "常住",
                "租户",
                "未离开本市",
            ]),
        ],
    );
    let bytes = gbk(&text);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");

    let first = import(app, &f.staff, f.community_id, "gbk.csv", &bytes).await;
    assert_eq!(counts(&first), (2, 0, 0, 0));
    let people = residents_by_name(app, &f.staff, None).await;
    assert_eq!(
        people.keys().map(String::as_str).collect::<Vec<_>>(),
        ["张三", "李四"]
    );
    let zhang = &people["张三"];
    assert_eq!(zhang.address.building_id, f.building1_id);
    assert_eq!(zhang.particulars.travel_origin.as_deref(), Some("武汉"));
    assert_eq!(zhang.particulars.vulnerabilities, 1);
    assert_eq!(zhang.particulars.notes, "隔离中");
    let li = &people["李四"];
    assert_eq!(li.address.building_id, f.building3_id);
    assert_eq!(
        (li.particulars.hukou.code(), li.particulars.tenure.code()),
        ("resident_only", "tenant")
    );

    // The UTF-8 file with the same text is the same register: nothing to change.
    let twin = import(app, &f.staff, f.community_id, "utf8.csv", &text).await;
    assert_eq!(counts(&twin), (0, 0, 2, 0));
    // And with a BOM, as Excel writes "CSV UTF-8".
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    let twin = import(app, &f.staff, f.community_id, "bom.csv", &bom).await;
    assert_eq!(counts(&twin), (0, 0, 2, 0));
}
