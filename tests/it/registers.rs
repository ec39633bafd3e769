//! Registers as communities really keep them, imported whole: a cover sheet before the register,
//! a title over it, a header over two rows under merged group cells, and phones and dates as
//! clerks type them.

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use store::registry::Resident;

use crate::imports::{rejected_cells, residents_by_name};
use crate::support::{TestDb, citizen_id, fixture, rejects_of};

/// A workbook with instructions on its first sheet and the register on its second: a title,
/// then 序号, 姓名, 身份证号, 联系电话 and 出生日期 merged down over two rows, and 住址 merged
/// across 楼栋, 单元 and 房号 below it.
fn register_workbook(rows: &[[&str; 8]]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let plain = Format::new();
    let cover = workbook.add_worksheet().set_name("填表说明")?;
    cover.write_string(0, 0, "填表说明")?;
    cover.write_string(1, 0, "1. 姓名、身份证号、住址必填；电话可填手机或座机。")?;
    let sheet = workbook.add_worksheet().set_name("居民登记")?;
    sheet.merge_range(0, 0, 0, 7, "民生路社区居民信息登记表（第一网格）", &plain)?;
    for (column, header) in [(0, "序号"), (1, "姓名"), (2, "身份证号")] {
        sheet.merge_range(1, column, 2, column, header, &plain)?;
    }
    sheet.merge_range(1, 3, 1, 5, "住址", &plain)?;
    for (column, header) in [(3, "楼栋"), (4, "单元"), (5, "房号")] {
        sheet.write_string(2, column, header)?;
    }
    sheet.merge_range(1, 6, 2, 6, "联系电话", &plain)?;
    sheet.merge_range(1, 7, 2, 7, "出生日期", &plain)?;
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r).map_or(u32::MAX, |r| r + 3);
        for (c, value) in row.iter().enumerate() {
            sheet.write_string(r, u16::try_from(c).unwrap_or(u16::MAX), *value)?;
        }
    }
    workbook.save_to_buffer()
}

fn home(r: &Resident) -> (&str, &str, &str) {
    (
        &r.address.building_name,
        &r.address.unit_name,
        &r.address.room,
    )
}

#[tokio::test]
async fn a_register_after_a_cover_with_a_header_over_two_rows_imports_its_residents_and_homes() {
    let t = TestDb::new().await;
    let app = &t.app;
    let f = fixture(app).await;
    let (id1, id2, id3, id4) = (
        citizen_id(11),
        citizen_id(12),
        citizen_id(13),
        citizen_id(14),
    );
    let bytes = register_workbook(&[
        [
            "1",
            "王一",
            &id1,
            "1号楼",
            "1",
            "101",
            "+86 138-0013-8001",
            "1940年3月7日",
        ],
        ["2", "王二", &id2, "1号楼", "1", "101", "029-88661234", ""],
        [
            "3",
            "王三",
            &id3,
            "2号楼",
            "2",
            "201",
            "0912 3456789",
            "19400307",
        ],
        [
            "4",
            "王四",
            &id4,
            "3号楼",
            "1",
            "301",
            "86-139 0013 8004",
            "1940.3.7",
        ],
    ])
    .expect("a workbook");

    // The preview says where the register was found.
    let preview = app
        .preview_import(
            &f.staff,
            f.community_id,
            "登记表.xlsx",
            bytes.clone(),
            &Default::default(),
        )
        .await
        .expect("preview");
    assert_eq!(preview.sheet.as_deref(), Some("居民登记"));
    assert_eq!(preview.header_rows, 2);
    assert!(preview.missing.is_empty(), "{:?}", preview.missing);
    assert_eq!(preview.counts.inserted, 4);

    let prepared = app
        .prepare_import(&f.staff, f.community_id, "登记表.xlsx", bytes)
        .await
        .expect("the register is found on its second sheet, its header over two rows");
    assert_eq!(
        prepared.total_rows, 4,
        "the header's second row is no resident"
    );
    let record = app
        .run_import(prepared, &|_| {})
        .await
        .expect("run the import");
    assert_eq!(
        (record.inserted, record.rejected),
        (4, 0),
        "every row imports, landlines too"
    );

    let people = residents_by_name(app, &f.staff, None).await;
    let homes: Vec<(&str, (&str, &str, &str))> = people
        .iter()
        .map(|(name, r)| (name.as_str(), home(r)))
        .collect();
    assert_eq!(
        homes,
        [
            ("王一", ("1号楼", "1", "101")),
            ("王三", ("2号楼", "2", "201")),
            ("王二", ("1号楼", "1", "101")),
            ("王四", ("3号楼", "1", "301")),
        ]
    );
    assert_eq!(
        people["王一"].address.household_id,
        people["王二"].address.household_id
    );
    for r in people.values() {
        assert_eq!(
            r.particulars.birth_date.as_deref(),
            Some("1940-03-07"),
            "{}",
            r.particulars.name
        );
    }
    // Phones are listed masked, a landline keeping its area code.
    assert_eq!(
        people["王一"].particulars.phone.as_deref(),
        Some("138****8001")
    );
    assert_eq!(
        people["王二"].particulars.phone.as_deref(),
        Some("029-****1234")
    );
    assert_eq!(
        people["王三"].particulars.phone.as_deref(),
        Some("0912-***6789")
    );
    assert_eq!(
        people["王四"].particulars.phone.as_deref(),
        Some("139****8004")
    );
    let unmasked = app
        .unmask_resident(&f.staff, people["王二"].id, "回访")
        .await
        .expect("unmask");
    assert_eq!(unmasked.phone.as_deref(), Some("029-88661234"));
    // A landline, typed either way, finds its resident.
    let found = residents_by_name(app, &f.staff, Some("029 8866 1234")).await;
    assert_eq!(found.keys().collect::<Vec<_>>(), ["王二"]);
}

#[tokio::test]
async fn rejected_rows_of_a_register_keep_the_row_numbers_excel_shows() {
    let t = TestDb::new().await;
    let app = &t.app;
    let f = fixture(app).await;
    let bytes = register_workbook(&[
        [
            "1",
            "王一",
            &citizen_id(21),
            "1号楼",
            "1",
            "101",
            "12345",
            "",
        ],
        ["2", "王二", &citizen_id(22), "9号楼", "1", "101", "", ""],
    ])
    .expect("a workbook");
    let prepared = app
        .prepare_import(&f.staff, f.community_id, "登记表.xlsx", bytes)
        .await
        .expect("prepare");
    let record = app.run_import(prepared, &|_| {}).await.expect("run");
    assert_eq!((record.inserted, record.rejected), (0, 2));
    let rejects = rejects_of(app, &f, record.id).await;
    let got = rejected_cells(&rejects);
    // Rows 1 to 3 are the title and the header; the residents are on rows 4 and 5.
    assert_eq!(
        got,
        [
            (4, "联系电话", "phone_format"),
            (5, "楼栋", "unknown_building"),
        ]
    );
}
