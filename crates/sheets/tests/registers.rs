//! Registers as communities keep them: a header over two rows under merged group cells, and
//! the register on a sheet after a cover or instructions.

use rust_xlsxwriter::{Format as XlsxFormat, Workbook, XlsxError};
use sheets::{
    HeaderSearch, Limit, Limits, Outline, Recognised, Row, SheetError, for_each_row,
    outline_finding_header, read_table_finding_header,
};

const KNOWN: [&str; 7] = [
    "姓名",
    "身份证号",
    "联系电话",
    "楼栋",
    "单元",
    "房号",
    "备注",
];

fn register(cells: &[String]) -> Recognised {
    Recognised::counting(cells, |c| KNOWN.contains(&c), 3)
}

fn search() -> HeaderSearch<'static> {
    HeaderSearch::Pick {
        is_header: &register,
        within: sheets::HEADER_SEARCH_ROWS,
    }
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

/// The outline with `limits`, and its rows read again, checked against a whole reading.
fn read(bytes: &[u8], limits: &Limits) -> Result<(Outline, Vec<Row>), SheetError> {
    let outline = outline_finding_header(bytes, None, limits, search())?;
    let mut rows = Vec::new();
    for_each_row(bytes, &outline, limits, |row| {
        rows.push(row);
        Ok(())
    })?;
    let whole = read_table_finding_header(bytes, None, limits, search())?;
    assert_eq!(whole.headers, outline.headers);
    assert_eq!(whole.rows, rows);
    assert_eq!(outline.rows, rows.len());
    Ok((outline, rows))
}

fn numbers(rows: &[Row]) -> Vec<usize> {
    rows.iter().map(|r| r.number).collect()
}

/// A title over the register, then its header over rows 3 and 4: 住址 merged over 楼栋, 单元,
/// 房号, the other columns merged down.
fn merged_register(workbook: &mut Workbook, name: &str) -> Result<(), XlsxError> {
    let plain = XlsxFormat::new();
    let sheet = workbook.add_worksheet().set_name(name)?;
    sheet.merge_range(0, 0, 0, 6, "XX社区居民信息登记表", &plain)?;
    sheet.merge_range(2, 0, 3, 0, "序号", &plain)?;
    sheet.merge_range(2, 1, 3, 1, "姓名", &plain)?;
    sheet.merge_range(2, 2, 3, 2, "身份证号", &plain)?;
    sheet.merge_range(2, 3, 2, 5, "住址", &plain)?;
    sheet.merge_range(2, 6, 3, 6, "联系电话", &plain)?;
    for (c, h) in ["楼栋", "单元", "房号"].into_iter().enumerate() {
        sheet.write_string(3, 3 + c as u16, h)?;
    }
    let rows = [
        [
            "1",
            "张三",
            "61082519900101123X",
            "1号楼",
            "2",
            "301",
            "029-88661234",
        ],
        ["2", "李四", "610825199001011234", "1号楼", "", "302", ""],
    ];
    for (r, row) in rows.into_iter().enumerate() {
        for (c, v) in row.into_iter().enumerate() {
            sheet.write_string(4 + r as u32, c as u16, v)?;
        }
    }
    Ok(())
}

#[test]
fn a_header_over_two_rows_is_one_header_and_the_data_starts_below_it()
-> Result<(), Box<dyn std::error::Error>> {
    let mut workbook = Workbook::new();
    merged_register(&mut workbook, "登记")?;
    let bytes = workbook.save_to_buffer()?;
    let (outline, rows) = read(&bytes, &Limits::default())?;
    assert_eq!(
        outline.headers,
        strings(&[
            "序号",
            "姓名",
            "身份证号",
            "楼栋",
            "单元",
            "房号",
            "联系电话"
        ])
    );
    assert_eq!(
        (
            outline.header_row,
            outline.header_rows,
            outline.rows_above_header
        ),
        (3, 2, 1)
    );
    assert_eq!(outline.sheet.as_deref(), Some("登记"));
    assert_eq!(numbers(&rows), [5, 6]);
    assert_eq!(
        rows[1].cells,
        strings(&["2", "李四", "610825199001011234", "1号楼", "", "302", ""])
    );
    Ok(())
}

#[test]
fn an_upper_row_naming_too_few_columns_still_starts_the_header() -> Result<(), SheetError> {
    // 姓名 and a group label: too few known columns for a header by themselves.
    let text =
        "登记表\r\n姓名,住址,,,户籍地址,\r\n,楼栋,单元,房号,省,市\r\n张三,1,2,301,陕西,西安\r\n";
    let (outline, rows) = read(text.as_bytes(), &Limits::default())?;
    assert_eq!(
        outline.headers,
        strings(&["姓名", "楼栋", "单元", "房号", "省", "市"])
    );
    assert_eq!(
        (
            outline.header_row,
            outline.header_rows,
            outline.rows_above_header
        ),
        (2, 2, 1)
    );
    assert_eq!(outline.sheet, None);
    assert_eq!(numbers(&rows), [4]);
    Ok(())
}

#[test]
fn rows_below_a_header_that_are_data_stay_data() -> Result<(), SheetError> {
    for (text, first) in [
        // Values under the columns the header names: a resident.
        ("姓名,身份证号,住址,,\r\n张三,,楼栋,,\r\n", "张三"),
        // Nothing merged down: every column of the header has a value below it.
        ("姓名,身份证号,楼栋\r\n单元,房号,1\r\n", "单元"),
        // Values only under the group, none naming a column.
        ("姓名,身份证号,住址,,\r\n,,1号楼,2,301\r\n", ""),
        // Not right below the header.
        ("姓名,身份证号,备注,住址,,\r\n\r\n,,,楼栋,单元,房号\r\n", ""),
    ] {
        let (outline, rows) = read(text.as_bytes(), &Limits::default())?;
        assert_eq!(outline.header_rows, 1, "{text:?}");
        assert_eq!(rows.len(), 1, "{text:?}");
        assert_eq!(rows[0].cell(0), first, "{text:?}");
    }
    Ok(())
}

#[test]
fn the_register_is_read_from_the_first_sheet_holding_a_header()
-> Result<(), Box<dyn std::error::Error>> {
    let mut workbook = Workbook::new();
    let cover = workbook.add_worksheet().set_name("填表说明")?;
    cover.write_string(0, 0, "填表说明：姓名、身份证号必填")?;
    cover.write_string(1, 0, "姓名")?;
    workbook.add_worksheet().set_name("空白")?;
    merged_register(&mut workbook, "居民登记")?;
    let later = workbook.add_worksheet().set_name("二组")?;
    for (c, h) in ["姓名", "身份证号", "楼栋", "单元", "房号"]
        .into_iter()
        .enumerate()
    {
        later.write_string(0, c as u16, h)?;
    }
    let bytes = workbook.save_to_buffer()?;
    let (outline, rows) = read(&bytes, &Limits::default())?;
    assert_eq!(outline.sheet.as_deref(), Some("居民登记"));
    assert_eq!(outline.header_rows, 2);
    assert_eq!(rows[0].cell(1), "张三");

    // No sheet with a header: the first, so that the caller can say what it misses.
    let mut workbook = Workbook::new();
    workbook
        .add_worksheet()
        .set_name("封面")?
        .write_string(0, 0, "封面")?;
    workbook
        .add_worksheet()
        .set_name("其他")?
        .write_string(0, 0, "其他")?;
    let bytes = workbook.save_to_buffer()?;
    let (outline, rows) = read(&bytes, &Limits::default())?;
    assert_eq!(outline.sheet.as_deref(), Some("封面"));
    assert_eq!(outline.headers, strings(&["封面"]));
    assert!(rows.is_empty());
    Ok(())
}

#[test]
fn every_sheet_read_is_held_to_the_limits() -> Result<(), Box<dyn std::error::Error>> {
    let limits = Limits {
        max_columns: 8,
        ..Limits::default()
    };
    let mut workbook = Workbook::new();
    // The cover goes past the columns allowed: it is refused, not passed over.
    workbook
        .add_worksheet()
        .set_name("封面")?
        .write_string(0, 20, "说明")?;
    merged_register(&mut workbook, "登记")?;
    let bytes = workbook.save_to_buffer()?;
    let refused = outline_finding_header(&bytes, None, &limits, search());
    assert!(
        matches!(
            refused,
            Err(SheetError::OverLimit {
                limit: Limit::Columns,
                ..
            })
        ),
        "{refused:?}"
    );
    Ok(())
}

const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

fn ods_row(cells: &[&str]) -> String {
    let cells: String = cells
        .iter()
        .map(|c| {
            if c.is_empty() {
                "<table:table-cell/>".to_owned()
            } else {
                format!(r#"<table:table-cell office:value-type="string"><text:p>{c}</text:p></table:table-cell>"#)
            }
        })
        .collect();
    format!("<table:table-row>{cells}</table:table-row>")
}

/// An OpenDocument spreadsheet of named tables of rows.
fn ods(tables: &[(&str, &[&[&str]])]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    use std::io::Write as _;
    let tables: String = tables
        .iter()
        .map(|(name, rows)| {
            let rows: String = rows.iter().map(|r| ods_row(r)).collect();
            format!(r#"<table:table table:name="{name}">{rows}</table:table>"#)
        })
        .collect();
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in [
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet".as_slice(),
        ),
        ("content.xml", content.as_bytes()),
        ("META-INF/manifest.xml", MANIFEST.as_bytes()),
    ] {
        zip.start_file(name, stored)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

#[test]
fn ods_register_after_a_cover_with_a_header_over_two_rows() -> Result<(), Box<dyn std::error::Error>>
{
    let bytes = ods(&[
        ("封面", &[&["第三网格居民登记"], &["2026年12月"]]),
        (
            "登记",
            &[
                &["姓名", "身份证号", "住址", "", ""],
                &["", "", "楼栋", "单元", "房号"],
                &["张三", "61082519900101123X", "1号楼", "2", "301"],
            ],
        ),
    ])?;
    let (outline, rows) = read(&bytes, &Limits::default())?;
    assert_eq!(outline.sheet.as_deref(), Some("登记"));
    assert_eq!(
        outline.headers,
        strings(&["姓名", "身份证号", "楼栋", "单元", "房号"])
    );
    assert_eq!((outline.header_row, outline.header_rows), (1, 2));
    assert_eq!(numbers(&rows), [3]);
    assert_eq!(rows[0].cell(4), "301");
    Ok(())
}
