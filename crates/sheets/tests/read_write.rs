//! End-to-end behaviour of the public API on files shaped like community registers.

use rust_xlsxwriter::{ExcelDateTime, Format as XlsxFormat, Workbook, XlsxError};
use sheets::{
    Format, Limits, SheetError, Table, detect_format, for_each_row, outline_within, read_table,
    write_csv, write_xlsx,
};

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

fn numbers(table: &Table) -> Vec<usize> {
    table.rows.iter().map(|r| r.number).collect()
}

fn cells(table: &Table) -> Vec<Vec<String>> {
    table.rows.iter().map(|r| r.cells.clone()).collect()
}

/// The table read as a stream: its outline first, then its rows one by one.
fn streamed(bytes: &[u8]) -> Result<Table, SheetError> {
    let limits = Limits::default();
    let outline = outline_within(bytes, None, &limits)?;
    let mut rows = Vec::new();
    for_each_row(bytes, &outline, &limits, |row| {
        rows.push(row);
        Ok(())
    })?;
    assert_eq!(outline.rows, rows.len());
    Ok(Table {
        headers: outline.headers,
        rows,
    })
}

fn headers() -> Vec<String> {
    strings(&["姓名", "身份证号", "联系电话", "备注"])
}

fn register_rows() -> Vec<Vec<String>> {
    vec![
        strings(&["张三", "61082519900101123X", "13800138000", ""]),
        strings(&[
            "李四",
            "610825199001011234",
            "0912-3456789",
            "独居老人，需上门",
        ]),
        strings(&["王五", "", "13900139000", "多行\n备注"]),
    ]
}

#[test]
fn xlsx_round_trip_keeps_text_cells_and_row_numbers() -> Result<(), SheetError> {
    let bytes = write_xlsx("退回的行", &headers(), &register_rows())?;
    assert_eq!(detect_format(&bytes)?, Format::Xlsx);
    let table = read_table(&bytes, Some("退回.xlsx"))?;
    assert_eq!(table.headers, headers());
    assert_eq!(cells(&table), register_rows());
    assert_eq!(numbers(&table), [2, 3, 4]);
    Ok(())
}

#[test]
fn xlsx_round_trip_of_ragged_rows() -> Result<(), SheetError> {
    let rows = vec![
        strings(&["张三"]),
        strings(&["李四", "1", "2", "3", "4", "额外"]),
    ];
    let table = read_table(&write_xlsx("Sheet1", &headers(), &rows)?, None)?;
    assert_eq!(table.rows[0].cells, strings(&["张三", "", "", ""]));
    assert_eq!(table.rows[1].cells, rows[1]);
    Ok(())
}

#[test]
fn xlsx_writer_rejects_what_excel_cannot_hold() {
    let too_long = vec![vec!["x".repeat(40_000)]];
    assert!(matches!(
        write_xlsx("Sheet1", &headers(), &too_long),
        Err(SheetError::Write { .. })
    ));
    let too_many = vec![Vec::new(); 1_048_576];
    let err = write_xlsx("Sheet1", &headers(), &too_many).err();
    assert_eq!(err.map(|e| e.code()), Some("too_many_rows"));
}

/// A workbook typed by hand in Excel: numbers where there should be text, dates, booleans,
/// a title above the header and an empty first column.
fn hand_typed_workbook() -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date = XlsxFormat::new().set_num_format("yyyy-mm-dd");
    let datetime = XlsxFormat::new().set_num_format("yyyy-mm-dd hh:mm");
    sheet.write_string(0, 1, "2024年第3网格登记表")?;
    for (col, header) in [
        " 姓名",
        "身份证号\u{3000}",
        "联系电话",
        "登记日期",
        "返乡时间",
        "已接种",
    ]
    .into_iter()
    .enumerate()
    {
        sheet.write_string(2, u16::try_from(col + 1).unwrap_or(u16::MAX), header)?;
    }
    sheet.write_string(3, 1, "张三")?;
    // Excel keeps only 15 significant digits of a number typed into a General cell.
    sheet.write_number(3, 2, 610_825_199_001_011_234_u64 as f64)?;
    sheet.write_number(3, 3, 13_800_138_000.0)?;
    sheet.write_datetime_with_format(3, 4, ExcelDateTime::from_ymd(2024, 1, 5)?, &date)?;
    sheet.write_datetime_with_format(
        3,
        5,
        ExcelDateTime::from_ymd(2024, 1, 5)?.and_hms(10, 30, 0)?,
        &datetime,
    )?;
    sheet.write_boolean(3, 6, true)?;
    sheet.write_string(5, 1, "李四")?;
    sheet.write_number(5, 3, 2.5)?;
    // Formatted but empty cells must not count as content.
    sheet.write_blank(6, 1, &date)?;
    sheet.write_string(6, 2, "  \u{3000} ")?;
    workbook.save_to_buffer()
}

#[test]
fn xlsx_numbers_dates_and_offsets_read_as_excel_shows_them()
-> Result<(), Box<dyn std::error::Error>> {
    let bytes = hand_typed_workbook()?;
    let table = read_table(&bytes, None)?;
    assert_eq!(streamed(&bytes)?, table);
    // The title row is the first non-blank row, so it is the header as specified; the caller
    // reports the missing columns. Row numbers are absolute.
    assert_eq!(table.headers, strings(&["2024年第3网格登记表"]));
    assert_eq!(numbers(&table), [3, 4, 6]);
    let row = &table.rows[1].cells;
    assert_eq!(row[0], "张三");
    assert!(row[1].contains("E+17"), "{}", row[1]);
    assert_eq!(row[1], "6.10825199001011E+17");
    assert_eq!(row[2], "13800138000");
    assert_eq!(row[3], "2024-01-05");
    assert_eq!(row[4], "2024-01-05 10:30");
    assert_eq!(row[5], "TRUE");
    assert_eq!(table.rows[2].cells, strings(&["李四", "", "2.5"]));

    let header = &table.rows[0];
    assert_eq!(header.number, 3);
    assert_eq!(
        header.cells,
        strings(&[
            "姓名",
            "身份证号",
            "联系电话",
            "登记日期",
            "返乡时间",
            "已接种"
        ])
    );
    Ok(())
}

#[test]
fn xlsx_header_below_empty_rows_keeps_excel_row_numbers() -> Result<(), Box<dyn std::error::Error>>
{
    let mut workbook = Workbook::new();
    // A hidden first sheet (a lookup list for drop-downs) is not the register.
    let lookup = workbook.add_worksheet().set_name("选项")?;
    lookup.write_string(0, 0, "男")?;
    lookup.set_hidden(true);
    // Excel activates another sheet when the first is hidden.
    let sheet = workbook.add_worksheet().set_name("登记")?.set_active(true);
    sheet.write_string(2, 2, "姓名")?;
    sheet.write_string(2, 3, "联系电话")?;
    sheet.write_string(4, 2, "张三")?;
    sheet.write_string(4, 3, "13800138000")?;
    let bytes = workbook.save_to_buffer()?;
    let table = read_table(&bytes, None)?;
    assert_eq!(streamed(&bytes)?, table);
    assert_eq!(table.headers, strings(&["姓名", "联系电话"]));
    assert_eq!(numbers(&table), [5]);
    assert_eq!(table.rows[0].cells, strings(&["张三", "13800138000"]));
    Ok(())
}

const REGISTER_CSV: &str = "姓名,身份证号,联系电话,备注\r\n\
    张三,61082519900101123X,13800138000,\r\n\
    李四,610825199001011234,0912-3456789,\"独居老人，需上门\"\r\n\
    王五,,13900139000,\"多行\n备注\"\r\n";

#[test]
fn csv_utf8_with_bom() -> Result<(), SheetError> {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(REGISTER_CSV.as_bytes());
    assert_eq!(detect_format(&bytes)?, Format::Csv);
    let table = read_table(&bytes, Some("登记.csv"))?;
    assert_eq!(table.headers, headers());
    assert_eq!(cells(&table), register_rows());
    assert_eq!(numbers(&table), [2, 3, 4]);
    Ok(())
}

#[test]
fn csv_in_gbk_reads_like_utf8() -> Result<(), SheetError> {
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(REGISTER_CSV);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the test needs non-UTF-8 bytes"
    );
    let from_gbk = read_table(&gbk, None)?;
    let from_utf8 = read_table(REGISTER_CSV.as_bytes(), None)?;
    assert_eq!(from_gbk, from_utf8);
    assert_eq!(streamed(&gbk)?, from_gbk);
    assert_eq!(from_gbk.headers, headers());
    Ok(())
}

#[test]
fn csv_with_semicolons_and_tabs() -> Result<(), SheetError> {
    let semicolons = REGISTER_CSV.replace(',', ";").replace('，', ",");
    let table = read_table(semicolons.as_bytes(), None)?;
    assert_eq!(table.headers, headers());
    assert_eq!(table.rows[1].cells[3], "独居老人,需上门");

    let tabs = "姓名\t联系电话\r\n张三\t13800138000\r\n";
    let table = read_table(tabs.as_bytes(), None)?;
    assert_eq!(table.rows[0].cells, strings(&["张三", "13800138000"]));
    Ok(())
}

#[test]
fn csv_blank_rows_skipped_but_counted() -> Result<(), SheetError> {
    let text = "\n 姓名 ,联系电话,\n\n张三,13800138000\n,,\n李四 ,13900139000,,额外\n\n";
    let table = read_table(text.as_bytes(), None)?;
    assert_eq!(table.headers, strings(&["姓名", "联系电话"]));
    // Lines of the file: 2 header, 4 张三, 5 blank with commas, 6 李四.
    assert_eq!(numbers(&table), [4, 6]);
    assert_eq!(table.rows[0].cells, strings(&["张三", "13800138000"]));
    assert_eq!(
        table.rows[1].cells,
        strings(&["李四", "13900139000", "", "额外"])
    );
    Ok(())
}

#[test]
fn csv_writer_round_trips_through_reader() -> Result<(), SheetError> {
    let bytes = write_csv(&headers(), &register_rows());
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let table = read_table(&bytes, None)?;
    assert_eq!(table.headers, headers());
    assert_eq!(cells(&table), register_rows());
    assert_eq!(numbers(&table), [2, 3, 4]);
    Ok(())
}

#[test]
fn binary_files_are_not_spreadsheets() {
    let png: &[u8] =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    assert!(matches!(
        read_table(png, Some("照片.xlsx")),
        Err(SheetError::NotASpreadsheet)
    ));
    // Deterministic noise from a linear congruential generator.
    let mut state: u32 = 0x1234_5678;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            state.to_be_bytes()[0]
        })
        .collect();
    let err = read_table(&noise, None).err();
    assert_eq!(err.map(|e| e.code()), Some("not_a_spreadsheet"));
    let docx = b"PK\x03\x04\x14\0\0\0\x08\0\0\0\0\0word/document.xml";
    assert!(matches!(
        read_table(docx, None),
        Err(SheetError::NotASpreadsheet)
    ));
    let html = "<html><body><table><tr><td>姓名</td></tr></table></body></html>";
    assert!(matches!(
        read_table(html.as_bytes(), Some("导出.xls")),
        Err(SheetError::NotASpreadsheet)
    ));
}

#[test]
fn undecodable_text_is_an_encoding_error() {
    // 0x81 starts a GB18030 sequence that 0xFF cannot continue; neither is valid UTF-8.
    let bytes = b"name,phone\r\n\x81\xFF,1\r\n";
    let err = read_table(bytes, None).err();
    assert!(matches!(err, Some(SheetError::Encoding)));
    assert_eq!(err.map(|e| e.code()), Some("unknown_encoding"));
    // A UTF-8 BOM followed by invalid UTF-8 is not silently read as GBK.
    assert!(matches!(
        read_table(b"\xEF\xBB\xBF\xD5\xC5\xC8\xFD", None),
        Err(SheetError::Encoding)
    ));
}

#[test]
fn empty_inputs() {
    for bytes in [&b""[..], b"\xEF\xBB\xBF", b"\r\n\r\n", b" ,, \r\n"] {
        let err = read_table(bytes, None).err();
        assert_eq!(err.map(|e| e.code()), Some("empty_sheet"), "{bytes:?}");
    }
    let empty_workbook = write_xlsx("Sheet1", &[], &[]);
    let err = empty_workbook.and_then(|b| read_table(&b, None)).err();
    assert_eq!(err.map(|e| e.code()), Some("empty_sheet"));
}

#[test]
fn damaged_workbooks_are_corrupt() -> Result<(), SheetError> {
    let bytes = write_xlsx("Sheet1", &headers(), &register_rows())?;
    let truncated = &bytes[..bytes.len() / 2];
    let err = read_table(truncated, Some("登记.xlsx")).err();
    assert!(
        matches!(&err, Some(SheetError::Corrupt { detail }) if detail.starts_with("登记.xlsx: ")),
        "{err:?}"
    );
    let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1garbage";
    let err = read_table(ole, None).err();
    assert!(
        matches!(
            err,
            Some(SheetError::Corrupt { .. } | SheetError::NotASpreadsheet)
        ),
        "{err:?}"
    );
    Ok(())
}

/// A minimal ZIP archive with stored (uncompressed) entries, enough for an ODS package.
fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let len32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes();
    let len16 = |n: usize| u16::try_from(n).unwrap_or(u16::MAX).to_le_bytes();
    let dos_date: u16 = ((2024 - 1980) << 9) | (1 << 5) | 1;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len();
        let crc = crc32(data).to_le_bytes();
        let mut common = Vec::new();
        common.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0]);
        common.extend_from_slice(&dos_date.to_le_bytes());
        common.extend_from_slice(&crc);
        common.extend_from_slice(&len32(data.len()));
        common.extend_from_slice(&len32(data.len()));
        common.extend_from_slice(&len16(name.len()));
        common.extend_from_slice(&[0, 0]);

        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&common);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        central.extend_from_slice(b"PK\x01\x02\x14\x00");
        central.extend_from_slice(&common);
        // Comment length, disk, internal and external attributes.
        central.extend_from_slice(&[0; 10]);
        central.extend_from_slice(&len32(offset));
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = out.len();
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&len16(entries.len()));
    out.extend_from_slice(&len16(entries.len()));
    out.extend_from_slice(&len32(central.len()));
    out.extend_from_slice(&len32(central_offset));
    out.extend_from_slice(&[0, 0]);
    out
}

#[test]
fn ods_from_wps_or_libreoffice() -> Result<(), SheetError> {
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"#;
    let content = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name="登记">
<table:table-row><table:table-cell office:value-type="string"><text:p>姓名</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>联系电话</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>登记日期</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell/></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><text:p>张三</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="13800138000"><text:p>13800138000</text:p></table:table-cell><table:table-cell office:value-type="date" office:date-value="2024-01-05T10:30:00"><text:p>2024-01-05 10:30</text:p></table:table-cell></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"#;
    let bytes = stored_zip(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("META-INF/manifest.xml", manifest.as_bytes()),
        ("content.xml", content.as_bytes()),
    ]);
    assert_eq!(detect_format(&bytes)?, Format::Ods);
    let table = read_table(&bytes, None)?;
    assert_eq!(table.headers, strings(&["姓名", "联系电话", "登记日期"]));
    assert_eq!(numbers(&table), [3]);
    assert_eq!(
        table.rows[0].cells,
        strings(&["张三", "13800138000", "2024-01-05 10:30"])
    );
    Ok(())
}

#[test]
fn error_codes_are_stable() {
    let codes = [
        (SheetError::NotASpreadsheet, "not_a_spreadsheet"),
        (SheetError::Encoding, "unknown_encoding"),
        (SheetError::Empty, "empty_sheet"),
        (SheetError::Encrypted, "encrypted_sheet"),
        (
            SheetError::Corrupt {
                detail: String::new(),
            },
            "corrupt_sheet",
        ),
        (SheetError::TooManyRows { rows: 2, max: 1 }, "too_many_rows"),
        (
            SheetError::Write {
                detail: String::new(),
            },
            "write_failed",
        ),
    ];
    for (error, code) in codes {
        assert_eq!(error.code(), code);
    }
}

/// A register as communities keep it: a title merged across the columns, a line of who filled
/// it in, a blank row, then the header and the rows.
fn titled_register() -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.merge_range(
        0,
        0,
        0,
        3,
        "XX社区居民信息登记表（第三网格）",
        &XlsxFormat::new(),
    )?;
    sheet.write_string(1, 0, "填表日期：2026年12月1日")?;
    sheet.write_string(1, 2, "填表人：王芳")?;
    for (c, h) in ["姓名", "身份证号", "联系电话", "备注"].iter().enumerate() {
        sheet.write_string(3, c as u16, *h)?;
    }
    sheet.write_string(4, 0, "张三")?;
    sheet.write_string(4, 1, "61082519900101123X")?;
    sheet.write_string(5, 0, "李四")?;
    workbook.save_to_buffer()
}

fn names_known_columns(cells: &[String]) -> sheets::Recognised {
    sheets::Recognised::counting(cells, |c| ["姓名", "身份证号", "联系电话"].contains(&c), 2)
}

#[test]
fn the_header_is_found_below_titles_and_the_rows_read_from_there()
-> Result<(), Box<dyn std::error::Error>> {
    let bytes = titled_register()?;
    let limits = Limits::default();
    let search = sheets::HeaderSearch::Pick {
        is_header: &names_known_columns,
        within: sheets::HEADER_SEARCH_ROWS,
    };
    let outline = sheets::outline_finding_header(&bytes, None, &limits, search)?;
    assert_eq!(outline.headers, headers());
    assert_eq!((outline.header_row, outline.rows_above_header), (4, 2));
    assert_eq!(outline.rows, 2);
    let mut rows = Vec::new();
    for_each_row(&bytes, &outline, &limits, |row| {
        rows.push(row);
        Ok(())
    })?;
    assert_eq!(rows.iter().map(|r| r.number).collect::<Vec<_>>(), [5, 6]);
    assert_eq!(
        rows[0].cells,
        strings(&["张三", "61082519900101123X", "", ""])
    );
    Ok(())
}

#[test]
fn without_a_recognisable_header_the_first_row_is_the_header() -> Result<(), SheetError> {
    let text = "标题\r\na,b\r\n1,2\r\n";
    let never = |_: &[String]| sheets::Recognised::default();
    let search = sheets::HeaderSearch::Pick {
        is_header: &never,
        within: sheets::HEADER_SEARCH_ROWS,
    };
    let outline =
        sheets::outline_finding_header(text.as_bytes(), None, &Limits::default(), search)?;
    assert_eq!(outline.headers, strings(&["标题"]));
    assert_eq!((outline.header_row, outline.rows_above_header), (1, 0));
    assert_eq!(outline.rows, 2);
    // Fewer rows than the search looks at: the rows still all count.
    let one = sheets::outline_finding_header(b"only\r\n", None, &Limits::default(), search)?;
    assert_eq!((one.header_row, one.rows), (1, 0));
    Ok(())
}
