//! Writing tables as .xlsx and CSV for users to open in Excel.

use rust_xlsxwriter::{ColNum, Format, RowNum, Workbook, XlsxError};

use crate::SheetError;
use crate::sniff::UTF8_BOM;

/// Excel's worksheet limits.
const MAX_ROWS: usize = 1_048_576;
const MAX_COLUMNS: usize = 16_384;
/// Excel's limit on the length of a sheet name, in UTF-16 units.
const MAX_SHEET_NAME: usize = 31;
/// Column widths in character units: enough for an 18-digit ID number, capped so a long
/// remark does not push the other columns off screen.
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 50;

/// An .xlsx workbook with one sheet: a bold, frozen, filterable header row and the rows below.
///
/// Every cell, and every column for values typed later, uses the text number format "@", so
/// Excel never turns an ID number into 6.10825E+17 or drops a leading zero. Rows may be longer
/// or shorter than the header. Empty cells are left blank. An invalid `sheet_name` is made
/// valid (characters Excel forbids removed, cut to 31 characters, "Sheet1" if nothing is left).
///
/// # Errors
///
/// [`SheetError::TooManyRows`] beyond Excel's 1,048,576 rows (header included), and
/// [`SheetError::Write`] for more than 16,384 columns or a cell over 32,767 characters.
pub fn write_xlsx(
    sheet_name: &str,
    headers: &[String],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, SheetError> {
    if rows.len() >= MAX_ROWS {
        return Err(SheetError::TooManyRows {
            rows: rows.len() + 1,
            max: MAX_ROWS,
        });
    }
    let columns = rows.iter().map(Vec::len).fold(headers.len(), usize::max);
    if columns > MAX_COLUMNS {
        return Err(SheetError::Write {
            detail: format!("{columns} columns exceed the limit of {MAX_COLUMNS}"),
        });
    }
    write_workbook(sheet_name, headers, rows, columns).map_err(|e| SheetError::Write {
        detail: e.to_string(),
    })
}

fn write_workbook(
    sheet_name: &str,
    headers: &[String],
    rows: &[Vec<String>],
    columns: usize,
) -> Result<Vec<u8>, XlsxError> {
    // Bounds were checked by the caller, so these conversions cannot saturate.
    let row_num = |i: usize| RowNum::try_from(i).unwrap_or(RowNum::MAX);
    let col_num = |i: usize| ColNum::try_from(i).unwrap_or(ColNum::MAX);

    let text = Format::new().set_num_format("@");
    let header = text.clone().set_bold();
    let mut workbook = Workbook::new();
    // Deflate dominates the time of large exports; level 1 is several times faster for a
    // file only slightly larger.
    workbook.set_zip_compression_level(3);
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(sheet_name_for_excel(sheet_name))?;

    for (col, width) in column_widths(headers, rows, columns)
        .into_iter()
        .enumerate()
    {
        sheet.set_column_format(col_num(col), &text)?;
        // Widths are small integers, exactly representable.
        sheet.set_column_width(col_num(col), width as f64)?;
    }
    for (col, cell) in headers.iter().enumerate() {
        if !cell.is_empty() {
            sheet.write_string_with_format(0, col_num(col), cell.as_str(), &header)?;
        }
    }
    for (i, row) in rows.iter().enumerate() {
        for (col, cell) in row.iter().enumerate() {
            // Blank cells already get the column's text format.
            if !cell.is_empty() {
                sheet.write_string_with_format(
                    row_num(i + 1),
                    col_num(col),
                    cell.as_str(),
                    &text,
                )?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    if columns > 0 {
        sheet.autofilter(0, 0, row_num(rows.len()), col_num(columns - 1))?;
    }
    workbook.save_to_buffer()
}

/// `name` with what Excel forbids in sheet names removed.
fn sheet_name_for_excel(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') && !c.is_control())
        .collect();
    let mut out = String::new();
    let mut units = 0;
    for c in cleaned.trim().trim_matches('\'').chars() {
        units += c.len_utf16();
        if units > MAX_SHEET_NAME {
            break;
        }
        out.push(c);
    }
    // Cutting may expose an apostrophe at the end.
    let out = out.trim_end_matches('\'').trim_end();
    if out.is_empty() {
        "Sheet1".to_owned()
    } else {
        out.to_owned()
    }
}

/// Width of each column from its longest header or cell, counting CJK characters double as
/// Excel draws them.
fn column_widths(headers: &[String], rows: &[Vec<String>], columns: usize) -> Vec<usize> {
    let mut widths = vec![0; columns];
    for (col, cell) in headers.iter().enumerate() {
        // Bold text is a little wider; a filter button takes about two characters.
        widths[col] = display_width(cell) * 11 / 10 + 2;
    }
    for row in rows {
        for (col, cell) in row.iter().enumerate() {
            widths[col] = widths[col].max(display_width(cell));
        }
    }
    widths
        .into_iter()
        .map(|w| (w + 2).clamp(MIN_WIDTH, MAX_WIDTH))
        .collect()
}

/// Display width of the longest line of `s`, counting no further than the cap.
fn display_width(s: &str) -> usize {
    let mut widest = 0;
    for line in s.split('\n') {
        let mut width = 0;
        for c in line.chars() {
            width += if is_wide(c) { 2 } else { 1 };
            if width >= MAX_WIDTH {
                return MAX_WIDTH;
            }
        }
        widest = widest.max(width);
    }
    widest
}

/// East Asian wide and full-width characters (approximate, without a Unicode table).
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x2_0000..=0x3_FFFD)
}

/// A CSV file for Excel: UTF-8 with a BOM (without it Excel in China assumes GBK and shows
/// mojibake), comma separated, CRLF line ends, fields quoted only when needed.
///
/// Excel still converts long digit strings in CSV to numbers when opening the file; use
/// [`write_xlsx`] when ID numbers must survive a round trip through Excel.
#[must_use]
pub fn write_csv(headers: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let cells: usize = rows.iter().map(Vec::len).sum::<usize>() + headers.len();
    let bytes: usize = rows.iter().flatten().chain(headers).map(String::len).sum();
    // Reserve once: separators and line ends take about one byte per cell.
    let mut out = Vec::with_capacity(UTF8_BOM.len() + bytes + cells + 2 * rows.len() + 16);
    out.extend_from_slice(UTF8_BOM);
    write_record(&mut out, headers);
    for row in rows {
        write_record(&mut out, row);
    }
    out
}

fn write_record(out: &mut Vec<u8>, cells: &[String]) {
    if let [only] = cells
        && only.is_empty()
    {
        // A bare empty line would be skipped by readers, losing the row.
        out.extend_from_slice(b"\"\"\r\n");
        return;
    }
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if cell
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
        {
            out.push(b'"');
            for b in cell.bytes() {
                if b == b'"' {
                    out.push(b'"');
                }
                out.push(b);
            }
            out.push(b'"');
        } else {
            out.extend_from_slice(cell.as_bytes());
        }
    }
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_made_valid() {
        assert_eq!(sheet_name_for_excel("退回/2024:03"), "退回202403");
        assert_eq!(sheet_name_for_excel(" '' "), "Sheet1");
        let long = "长".repeat(40);
        assert_eq!(sheet_name_for_excel(&long).chars().count(), 31);
        assert!(rust_xlsxwriter::utility::check_sheet_name(&sheet_name_for_excel(&long)).is_ok());
    }

    #[test]
    fn widths_count_cjk_double_and_are_capped() {
        assert_eq!(display_width("610825199001011234"), 18);
        assert_eq!(display_width("姓名"), 4);
        assert_eq!(display_width(&"备".repeat(100)), MAX_WIDTH);
        let widths = column_widths(
            &["a".to_owned()],
            &[vec!["x".to_owned(), "yyy".to_owned()]],
            2,
        );
        assert_eq!(widths, [MIN_WIDTH, MIN_WIDTH]);
    }

    #[test]
    fn csv_quotes_only_when_needed() {
        let s = |v: &[&str]| v.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
        let out = write_csv(
            &s(&["姓名", "备注"]),
            &[s(&["张三", "a,\"b\"\nc"]), s(&[""]), s(&["李四"])],
        );
        let expected = "\u{feff}姓名,备注\r\n张三,\"a,\"\"b\"\"\nc\"\r\n\"\"\r\n李四\r\n";
        assert_eq!(String::from_utf8(out).ok().as_deref(), Some(expected));
    }
}
