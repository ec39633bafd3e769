//! Importing the spreadsheets communities keep: row-by-row rejects, merging, encodings.

use std::collections::BTreeMap;
use std::sync::Mutex;

use app::import::Progress;
use app::registry::ResidentQuery;
use app::{Actor, App, AppError};
use domain::page::PageRequest;
use store::imports::Import;
use store::registry::Resident;

use crate::support::{
    TestDb, assert_chain_intact, assert_field_error, assert_forbidden, assert_not_found,
    audit_action, audit_trail, citizen_id, household, prepare_staff_import, raw_resident,
    search_residents, with_bad_check_char,
};

const HEADERS: [&str; 13] = [
    "姓名",
    "身份证号",
    "联系电话",
    "楼栋",
    "单元",
    "房号",
    "户籍",
    "产权",
    "出行登记",
    "来源地",
    "返回日期",
    "重点人群",
    "备注",
];

/// A CSV file as Excel writes it: CRLF line ends, cells quoted only when they must be. An
/// empty row in `rows` becomes an empty line.
fn csv(headers: &[&str], rows: &[Vec<String>]) -> String {
    let line = |cells: &[String]| {
        cells
            .iter()
            .map(|c| {
                if c.contains([',', '"', '\n']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut out = line(&headers.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>());
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&line(r));
        out.push_str("\r\n");
    }
    out
}

/// One register row; omitted trailing cells are empty.
fn row(cells: &[&str]) -> Vec<String> {
    let mut r: Vec<String> = cells.iter().map(|c| (*c).to_owned()).collect();
    r.resize(HEADERS.len(), String::new());
    r
}

/// The five good rows of the register, keyed by name, with `phone_of_wang1` for 王一.
fn good_rows(phone_of_wang1: &str, phone_of_wang2: &str) -> Vec<(usize, Vec<String>)> {
    vec![
        (
            2,
            row(&[
                "王一",
                &citizen_id(1),
                phone_of_wang1,
                "1号楼",
                "1",
                "101",
                "户籍",
                "业主",
                "未离开本市",
            ]),
        ),
        (
            3,
            row(&[
                "王二",
                &citizen_id(2),
                phone_of_wang2,
                "1号楼",
                "1",
                "101",
                "户籍人口",
                "租户",
            ]),
        ),
        (
            4,
            row(&[
                "王三",
                &citizen_id(3),
                "13800000003",
                "2号楼",
                "2",
                "201",
                "常住",
                "租户",
                "外地返回",
                "武汉",
                "2020-01-22",
                "独居老人、慢性病",
                "居家隔离",
            ]),
        ),
        (10, row(&["周七", &citizen_id(4), "", "3号楼", "1", "301"])),
        (
            11,
            row(&[
                "吴八",
                &citizen_id(5),
                "138 0000 0005",
                "3号楼",
                "1",
                "302",
                "",
                "",
                "",
                "",
                "",
                "孕妇",
            ]),
        ),
    ]
}

/// The register with its bad rows: a wrong check digit, an unknown building, a bad phone, an
/// empty line and a second row for one person.
fn register() -> String {
    let good = good_rows("13800000001", "13800000002");
    let mut rows: Vec<Vec<String>> = good[..3].iter().map(|(_, r)| r.clone()).collect();
    rows.push(row(&[
        "赵四",
        &with_bad_check_char(&citizen_id(6)),
        "13800000006",
        "1号楼",
        "1",
        "102",
    ]));
    rows.push(row(&[
        "钱五",
        &citizen_id(7),
        "13800000007",
        "9号楼",
        "1",
        "101",
    ]));
    rows.push(row(&["孙六", &citizen_id(8), "12345", "3号楼", "1", "303"]));
    rows.push(Vec::new());
    rows.push(row(&[
        "王一",
        &citizen_id(1),
        "13800000001",
        "2号楼",
        "1",
        "202",
    ]));
    rows.extend(good[3..].iter().map(|(_, r)| r.clone()));
    csv(&HEADERS, &rows)
}

async fn import(
    app: &App,
    actor: &Actor,
    community_id: i64,
    file_name: &str,
    bytes: impl AsRef<[u8]>,
) -> Import {
    let prepared = app
        .prepare_import(actor, community_id, file_name, bytes.as_ref().to_vec())
        .await
        .expect("prepare import");
    let total = prepared.total_rows;
    let seen: Mutex<Vec<Progress>> = Mutex::new(Vec::new());
    let record = app
        .run_import(prepared, &|p| {
            seen.lock().expect("progress lock").push(p);
        })
        .await
        .expect("run import");
    let seen = seen.into_inner().expect("progress lock");
    let last = seen.last().expect("progress reported");
    assert_eq!((last.processed, last.total), (total, total));
    assert_eq!(record.status.code(), "finished");
    assert_eq!(record.file_name, file_name);
    assert_eq!(record.processed_rows, record.total_rows);
    record
}

type Counts = (i64, i64, i64, i64);

fn counts(i: &Import) -> Counts {
    (i.inserted, i.merged, i.unchanged, i.rejected)
}

async fn residents_by_name(app: &App, actor: &Actor) -> BTreeMap<String, Resident> {
    let page = app
        .residents(
            actor,
            &ResidentQuery::default(),
            PageRequest::new(None, Some(500)),
        )
        .await
        .expect("list residents");
    page.items
        .into_iter()
        .map(|r| (r.name.clone(), r))
        .collect()
}

#[tokio::test]
async fn a_register_imports_with_a_reject_report_and_reimports_as_unchanged() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let bytes = register();

    let first = import(app, &f.staff, f.community_id, "register.csv", &bytes).await;
    assert_eq!(first.total_rows, 9, "the empty line is not a row");
    assert_eq!(counts(&first), (5, 0, 0, 4));

    let rejects = app
        .import_rejects(&f.staff, first.id, 100)
        .await
        .expect("rejects");
    let got: Vec<(i64, &str, &str)> = rejects
        .iter()
        .map(|r| (r.row_number, r.column_name.as_str(), r.code.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (5, "身份证号", "citizen_id_check_digit"),
            (6, "楼栋", "unknown_building"),
            (7, "联系电话", "phone_format"),
            (9, "身份证号", "duplicate_in_file"),
        ]
    );
    assert_eq!(rejects[1].detail, "9号楼");
    assert_eq!(rejects[3].detail, "2", "names the first row of that person");
    let cells: Vec<String> = serde_json::from_str(&rejects[2].cells).expect("cells are JSON");
    assert_eq!(cells[0], "孙六");
    assert_eq!(cells[2], "12345");

    let people = residents_by_name(app, &f.staff).await;
    assert_eq!(
        people.keys().map(String::as_str).collect::<Vec<_>>(),
        ["吴八", "周七", "王一", "王三", "王二"]
    );
    let wang3 = &people["王三"];
    assert_eq!(
        (
            wang3.building_id,
            wang3.unit_name.as_str(),
            wang3.room.as_str()
        ),
        (f.building2_id, "2", "201")
    );
    assert_eq!(wang3.hukou.code(), "resident_only");
    assert_eq!(wang3.tenure.code(), "tenant");
    assert_eq!(wang3.travel_status.code(), "returned");
    assert_eq!(wang3.travel_origin.as_deref(), Some("武汉"));
    assert_eq!(wang3.returned_on.as_deref(), Some("2020-01-22"));
    assert_eq!(
        wang3.vulnerabilities,
        1 | 2,
        "elderly alone and chronic illness"
    );
    assert_eq!(wang3.notes, "居家隔离");
    assert_eq!(wang3.document_masked, {
        let id = citizen_id(3);
        format!("610825********{}", &id[14..])
    });
    assert_eq!(wang3.phone.as_deref(), Some("138****0003"));
    let wang1 = &people["王一"];
    assert_eq!(wang1.household_id, people["王二"].household_id);
    assert_eq!(wang1.hukou.code(), "registered");
    assert_eq!(wang1.tenure.code(), "owner");
    assert_eq!(wang1.travel_status.code(), "stayed_in_city");
    assert_eq!(people["吴八"].vulnerabilities, 4, "pregnancy");
    assert_eq!(people["周七"].phone, None);
    assert_eq!(people["周七"].grid_id, f.grid2_id);
    // Imported numbers are sealed and indexed like typed ones.
    let found = search_residents(app, &f.staff, &citizen_id(5)).await;
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].name, "吴八");
    let unmasked = app
        .unmask_resident(&f.staff, found.items[0].id, "check")
        .await
        .expect("unmask");
    assert_eq!(unmasked.document_number, citizen_id(5));
    assert_eq!(unmasked.phone.as_deref(), Some("13800000005"));

    // The same file again changes nothing.
    let again = import(app, &f.staff, f.community_id, "register.csv", &bytes).await;
    assert_eq!(counts(&again), (0, 0, 5, 4));
    assert_eq!(residents_by_name(app, &f.staff).await.len(), 5);
    let (_, merges) = app.resident(&f.staff, wang1.id).await.expect("read");
    assert!(merges.is_empty());

    // A later register with one new phone, and an empty phone cell that must not blank one.
    let rows: Vec<Vec<String>> = good_rows("13900000001", "")
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let v2 = csv(&HEADERS, &rows);
    let third = import(app, &f.staff, f.community_id, "register-v2.csv", &v2).await;
    assert_eq!(counts(&third), (0, 1, 4, 0));
    let (after, merges) = app.resident(&f.staff, wang1.id).await.expect("read");
    assert_eq!(after.phone.as_deref(), Some("139****0001"));
    assert_eq!(after.version, wang1.version + 1);
    assert_eq!(merges.len(), 1);
    let merge = &merges[0];
    assert_eq!(merge.source, "register-v2.csv");
    assert_eq!(merge.import_id, Some(third.id));
    let changes: serde_json::Value = serde_json::from_str(&merge.changes).expect("JSON");
    assert_eq!(changes["file"], "register-v2.csv");
    assert_eq!(changes["fields"], serde_json::json!(["phone"]));
    assert_eq!(changes["row"], 2);
    let people = residents_by_name(app, &f.staff).await;
    assert_eq!(people["王二"].phone.as_deref(), Some("138****0002"));

    // Every run is listed, newest first, and the rejects come back as a workbook.
    let listed = app
        .imports(&f.staff, f.community_id)
        .await
        .expect("imports");
    assert_eq!(
        listed.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![third.id, again.id, first.id]
    );
    let workbook = app
        .rejects_workbook(&f.staff, first.id, &|code, _, detail| {
            format!("{code} {detail}")
        })
        .await
        .expect("rejects workbook");
    assert!(workbook.starts_with(b"PK"), "an xlsx is a zip file");
    assert!(workbook.len() > 1000);

    // The import is in the audit trail, batch by batch.
    let filter = store::audit::AuditFilter {
        object_id: Some(first.id.to_string()),
        ..audit_action("import_batch")
    };
    let trail = audit_trail(app, &f.auditor, filter).await;
    assert_eq!(trail.len(), 1);
    let after: serde_json::Value =
        serde_json::from_str(trail[0].after.as_deref().expect("after")).expect("JSON");
    assert_eq!(after["inserted"], 5);
    assert_eq!(after["rejected"], 4);
    assert_chain_intact(app, &f.auditor).await;
}

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
    let people = residents_by_name(app, &f.staff).await;
    assert_eq!(
        people.keys().map(String::as_str).collect::<Vec<_>>(),
        ["张三", "李四"]
    );
    let zhang = &people["张三"];
    assert_eq!(zhang.building_id, f.building1_id);
    assert_eq!(zhang.travel_origin.as_deref(), Some("武汉"));
    assert_eq!(zhang.vulnerabilities, 1);
    assert_eq!(zhang.notes, "隔离中");
    let li = &people["李四"];
    assert_eq!(li.building_id, f.building3_id);
    assert_eq!(
        (li.hukou.code(), li.tenure.code()),
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

#[tokio::test]
async fn files_that_are_not_registers_and_callers_without_rights_are_refused() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;

    let no_id = csv(
        &["姓名", "联系电话", "楼栋", "单元", "房号"],
        &[row(&["张三", "13800000001", "1号楼", "1", "101"])],
    );
    let refused = prepare_staff_import(app, &f, "no-id.csv", no_id.as_str()).await;
    match &refused {
        Err(AppError::Validation(e)) => {
            assert_eq!(e.0.len(), 1, "{e:?}");
            assert_eq!(e.0[0].field, "file");
            assert_eq!(e.0[0].code, "missing_column");
            assert_eq!(e.0[0].detail, "document_number");
        }
        _ => panic!(
            "expected missing_column, got an import or {:?}",
            refused.err()
        ),
    }
    assert_field_error(
        prepare_staff_import(app, &f, "empty.csv", Vec::new())
            .await
            .map(|p| p.import_id),
        "file",
        "empty_sheet",
    );
    // Nothing was recorded for refused files.
    assert!(
        app.imports(&f.staff, f.community_id)
            .await
            .expect("imports")
            .is_empty()
    );

    let good = csv(
        &HEADERS,
        &[row(&["张三", &citizen_id(31), "", "1号楼", "1", "101"])],
    );
    for actor in [&f.grid_worker, &f.doctor, &f.official, &f.guard, &f.auditor] {
        assert_forbidden(
            app.prepare_import(actor, f.community_id, "r.csv", good.as_bytes().to_vec())
                .await
                .map(|p| p.import_id),
        );
    }
    assert_not_found(
        app.prepare_import(
            &f.staff,
            f.other_community_id,
            "r.csv",
            good.as_bytes().to_vec(),
        )
        .await
        .map(|p| p.import_id),
    );

    // Buildings are looked up in the community imported into: 1号楼 of the other community.
    let other = import(app, &f.admin, f.other_community_id, "r.csv", &good).await;
    assert_eq!(counts(&other), (1, 0, 0, 0));
    let people = residents_by_name(app, &f.admin).await;
    assert_eq!(people["张三"].building_id, f.other_building_id);
    assert_eq!(people["张三"].community_id, f.other_community_id);
    // Staff of the first community neither see it nor its import.
    assert!(residents_by_name(app, &f.staff).await.is_empty());
    assert_not_found(app.import_record(&f.staff, other.id).await);
}

/// An import may only merge into residents the importer could edit: a number already
/// registered in another community is a reject, not a takeover of that record.
#[tokio::test]

async fn an_import_does_not_take_over_residents_of_another_community() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let h = household(app, &f.admin, f.other_building_id, "1", "101").await;
    let outsider = app
        .create_resident(
            &f.admin,
            h,
            &raw_resident("外人", &citizen_id(40), "13800000040"),
        )
        .await
        .expect("resident of the other community");
    let file = csv(
        &HEADERS,
        &[row(&[
            "冒名",
            &citizen_id(40),
            "13999999999",
            "1号楼",
            "1",
            "101",
        ])],
    );
    let record = import(app, &f.staff, f.community_id, "x.csv", &file).await;
    assert_eq!(counts(&record), (0, 0, 0, 1), "refused, not merged");
    let rejects = app
        .import_rejects(&f.staff, record.id, 10)
        .await
        .expect("rejects");
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].column_name, "身份证号");
    let (after, merges) = app.resident(&f.admin, outsider).await.expect("read");
    assert_eq!(after.community_id, f.other_community_id);
    assert_eq!(after.name, "外人");
    assert_eq!(after.phone.as_deref(), Some("138****0040"));
    assert!(merges.is_empty());
}

/// A register as a community keeps it: a title and a line of who filled it in above the header,
/// headers written their own way (手机, 幢, 室, full-width letters). It imports, and a rejected
/// row keeps the row number Excel shows.
#[tokio::test]
async fn a_register_with_titles_above_its_header_imports() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let mut text = String::from("XX社区居民信息登记表（第三网格）,,,,,\r\n");
    text.push_str("填表人：王芳,,填表日期：2026-12-01,,,\r\n,,,,,\r\n");
    text.push_str("＊姓名,身份证号码,手机,幢,单元,室\r\n");
    text.push_str(&format!(
        "张三,{},13800000031,1号楼,1,301\r\n",
        citizen_id(31)
    ));
    text.push_str("李四,12345,13800000032,1号楼,1,302\r\n");
    let prepared = prepare_staff_import(app, &f, "titled.csv", text)
        .await
        .expect("the header is found below the titles");
    assert_eq!(prepared.total_rows, 2);
    let done = app.run_import(prepared, &|_| {}).await.expect("ran");
    assert_eq!((done.inserted, done.rejected), (1, 1));
    let rejects = app
        .import_rejects(&f.staff, done.id, 100)
        .await
        .expect("rejects");
    assert!(rejects.iter().all(|r| r.row_number == 6), "{rejects:?}");
    assert!(
        rejects.iter().any(|r| r.column_name == "身份证号码"),
        "{rejects:?}"
    );
    let people = residents_by_name(app, &f.staff).await;
    assert_eq!(people["张三"].phone.as_deref(), Some("138****0031"));
}
