//! Importing the spreadsheets communities keep: row-by-row rejects, merging, encodings.

mod encodings;
mod layouts;
mod refusals;
mod register;

use std::sync::Mutex;

use app::import::Progress;
use app::{Actor, App};
use store::imports::Import;

use crate::support::{citizen_id, first_page, with_bad_check_char};

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

/// The residents `actor` finds (all of them, up to 500, when `q` is `None`), by name.
pub(crate) async fn residents_by_name(
    app: &App,
    actor: &Actor,
    q: Option<&str>,
) -> std::collections::BTreeMap<String, store::registry::Resident> {
    let query = app::registry::ResidentQuery {
        q: q.map(str::to_owned),
        ..Default::default()
    };
    let page = app
        .residents(actor, &query, first_page(500))
        .await
        .expect("list residents");
    page.items
        .into_iter()
        .map(|r| (r.particulars.name.clone(), r))
        .collect()
}

/// An import's rejected cells as (row, column, code), in the report's order.
pub(crate) fn rejected_cells(rejects: &[store::imports::Reject]) -> Vec<(i64, &str, &str)> {
    rejects
        .iter()
        .map(|r| (r.row_number, r.column_name.as_str(), r.code.as_str()))
        .collect()
}
