//! Hostile files, each built here, refused with the limit they go past instead of taking the
//! memory of the process.

use std::io::Write as _;

use rust_xlsxwriter::Workbook;
use sheets::{Limit, Limits, SheetError, read_table, read_table_within};
use zip::write::SimpleFileOptions;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// An .xlsx whose one sheet has `sheet_data` inside `<sheetData>`, with an optional
/// dimension, plus any extra parts.
fn xlsx(dimension: Option<&str>, sheet_data: &[u8], extra: &[(&str, &[u8])]) -> Vec<u8> {
    let mut sheet = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#.to_vec();
    if let Some(d) = dimension {
        sheet.extend_from_slice(format!(r#"<dimension ref="{d}"/>"#).as_bytes());
    }
    sheet.extend_from_slice(b"<sheetData>");
    sheet.extend_from_slice(sheet_data);
    sheet.extend_from_slice(b"</sheetData></worksheet>");
    let mut parts: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", &sheet),
    ];
    parts.extend_from_slice(extra);
    zip_of(&parts)
}

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        let options = if *name == "mimetype" {
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)
        } else {
            SimpleFileOptions::default()
        };
        zip.start_file(*name, options).expect("start a part");
        zip.write_all(bytes).expect("write a part");
    }
    zip.finish().expect("finish the zip").into_inner()
}

fn inline(cell: &str, text: &str) -> String {
    format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

fn refused(result: Result<sheets::Table, SheetError>) -> Option<Limit> {
    match result {
        Err(SheetError::OverLimit { limit, .. }) => Some(limit),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn sparse_sheet_a1_and_xfd1048576_is_refused_not_allocated() {
    let data = format!(
        r#"<row r="1">{}</row><row r="1048576">{}</row>"#,
        inline("A1", "姓名"),
        inline("XFD1048576", "x")
    );
    // With the dimension it declares, and without any (the cells themselves are checked).
    let declared = xlsx(Some("A1:XFD1048576"), data.as_bytes(), &[]);
    assert!(declared.len() < 4096, "{} bytes", declared.len());
    assert_eq!(refused(read_table(&declared, None)), Some(Limit::Columns));
    let undeclared = xlsx(None, data.as_bytes(), &[]);
    assert_eq!(refused(read_table(&undeclared, None)), Some(Limit::Columns));
    let err = read_table(&undeclared, None).expect_err("refused");
    assert_eq!(err.code(), "upload_too_many_columns");
    assert_eq!(err.detail(), "64");
}

#[test]
fn sparse_sheet_within_the_columns_reads_only_its_cells() -> Result<(), SheetError> {
    // 30 columns and the last row of a sheet: the grid would be 31 M cells; the rows are 2.
    let data = format!(
        r#"<row r="1">{}{}</row><row r="1048576">{}</row>"#,
        inline("A1", "姓名"),
        inline("AD1", "备注"),
        inline("AD1048576", "x")
    );
    let table = read_table(&xlsx(Some("A1:AD1048576"), data.as_bytes(), &[]), None)?;
    assert_eq!(table.headers.len(), 30);
    assert_eq!(table.rows.len(), 1);
    assert_eq!(table.rows[0].number, 1_048_576);
    assert_eq!(table.rows[0].cell(29), "x");
    Ok(())
}

#[test]
fn huge_cells_are_refused_inline_and_shared() {
    let limits = Limits::default();
    // Just past the cell limit: refused by the cell check while streaming.
    let big = "字".repeat(limits.max_cell_bytes / 3 + 1);
    let data = format!(
        r#"<row r="1">{}</row><row r="2">{}</row>"#,
        inline("A1", "姓名"),
        inline("A2", &big)
    );
    let file = xlsx(None, data.as_bytes(), &[]);
    assert_eq!(refused(read_table(&file, None)), Some(Limit::CellBytes));
    // A shared string of 2 MB: refused before the workbook is opened.
    let shared = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>{}</t></si></sst>"#,
        (0..2 * 1024 * 1024)
            .map(|i: u32| char::from(b'a' + (i.wrapping_mul(2_654_435_761) >> 27) as u8 % 26))
            .collect::<String>()
    );
    let data = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
    let file = xlsx(
        None,
        data.as_bytes(),
        &[("xl/sharedStrings.xml", shared.as_bytes())],
    );
    assert_eq!(refused(read_table(&file, None)), Some(Limit::CellBytes));
}

#[test]
fn zip_bombs_are_refused_by_ratio_and_by_unpacked_size() {
    // 64 MB of one byte compresses about a thousand times.
    let filler = vec![b' '; 64 * 1024 * 1024];
    let file = xlsx(None, &filler, &[]);
    assert!(file.len() < 1024 * 1024, "{} bytes", file.len());
    assert_eq!(refused(read_table(&file, None)), Some(Limit::Ratio));
    // Within the ratio but past the unpacked size.
    let limits = Limits {
        max_unpacked_bytes: 16 * 1024 * 1024,
        max_ratio: 100_000,
        ..Limits::default()
    };
    assert_eq!(
        refused(read_table_within(&file, None, &limits)),
        Some(Limit::UnpackedBytes)
    );
}

#[test]
fn deep_xml_is_refused() {
    let mut data = Vec::new();
    for _ in 0..100_000 {
        data.extend_from_slice(b"<x>");
    }
    let file = xlsx(None, &data, &[]);
    assert_eq!(refused(read_table(&file, None)), Some(Limit::XmlDepth));
}

#[test]
fn many_sheets_and_many_parts_are_refused() -> Result<(), Box<dyn std::error::Error>> {
    let mut workbook = Workbook::new();
    for _ in 0..=Limits::default().max_sheets {
        workbook.add_worksheet().write_string(0, 0, "姓名")?;
    }
    let file = workbook.save_to_buffer()?;
    assert_eq!(refused(read_table(&file, None)), Some(Limit::Sheets));

    let names: Vec<String> = (0..=Limits::default().max_entries)
        .map(|i| format!("xl/media/{i}.bin"))
        .collect();
    let extra: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let file = xlsx(None, b"", &extra);
    assert_eq!(refused(read_table(&file, None)), Some(Limit::Entries));
    Ok(())
}

#[test]
fn csv_with_a_gigantic_line_is_refused() {
    let mut csv = b"name,notes\n".to_vec();
    csv.extend_from_slice(b"a,");
    csv.extend(std::iter::repeat_n(b'x', 8 * 1024 * 1024));
    csv.extend_from_slice(b"\n");
    assert_eq!(refused(read_table(&csv, None)), Some(Limit::CellBytes));
    // A line of empty fields is harmless; one of many filled ones is refused.
    let mut wide = b"name\n".to_vec();
    wide.extend(std::iter::repeat_n(b',', 100_000));
    wide.extend_from_slice(b"\nx\n");
    assert!(read_table(&wide, None).is_ok());
    let mut filled = b"name\n".to_vec();
    filled.extend(std::iter::repeat_n(b"x,".as_slice(), 100).flatten());
    filled.push(b'\n');
    assert_eq!(refused(read_table(&filled, None)), Some(Limit::Columns));
}

#[test]
fn rows_and_memory_of_rows_are_bounded() {
    let limits = Limits {
        max_rows: 10,
        max_table_bytes: 1024 * 1024,
        ..Limits::default()
    };
    let mut csv = b"name\n".to_vec();
    for i in 0..11 {
        csv.extend_from_slice(format!("{i}\n").as_bytes());
    }
    assert_eq!(
        refused(read_table_within(&csv, None, &limits)),
        Some(Limit::Rows)
    );
    let limits = Limits {
        max_table_bytes: 1024 * 1024,
        ..Limits::default()
    };
    let mut csv = b"name\n".to_vec();
    let line = format!("{}\n", "y".repeat(2_000));
    for _ in 0..1_000 {
        csv.extend_from_slice(line.as_bytes());
    }
    assert_eq!(
        refused(read_table_within(&csv, None, &limits)),
        Some(Limit::TableBytes)
    );
}

#[test]
fn hostile_xls_is_refused_not_crashing() {
    let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    let mut big = ole.to_vec();
    big.resize(Limits::default().max_xls_bytes + 1, 0);
    assert_eq!(refused(read_table(&big, None)), Some(Limit::XlsBytes));
    // A damaged container of a plausible size: an error, not a crash.
    let mut damaged = ole.to_vec();
    damaged.extend(std::iter::repeat_n(0xFFu8, 4096));
    assert!(read_table(&damaged, None).is_err());
}

const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

fn ods(table: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1">{table}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet".as_slice(),
        ),
        ("content.xml", content.as_bytes()),
        ("META-INF/manifest.xml", MANIFEST.as_bytes()),
    ])
}

#[test]
fn hostile_ods_repeats_are_refused_before_they_are_expanded() {
    let header = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>姓名</text:p></table:table-cell></table:table-row>"#;
    let wide = format!(
        r#"{header}<table:table-row><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#
    );
    assert_eq!(refused(read_table(&ods(&wide), None)), Some(Limit::Columns));
    let tall = format!(
        r#"{header}<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="64" office:value-type="float" office:value="1"/></table:table-row>"#
    );
    assert_eq!(
        refused(read_table(&ods(&tall), None)),
        Some(Limit::TableBytes)
    );
    // The empty rows and cells office suites write to the end of a sheet are fine.
    let trailing = format!(
        r#"{header}<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#
    );
    assert!(read_table(&ods(&trailing), None).is_ok_and(|t| t.rows.is_empty()));
}
