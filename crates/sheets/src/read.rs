//! Reading workbooks (through calamine) and dispatching to the CSV reader.

use std::fmt::Display;
use std::io::Cursor;

use calamine::{
    Cell, Data, DataRef, Dimensions, Ods, OdsError, Reader, SheetType, SheetVisible, Xls, XlsError,
    Xlsb, Xlsx, XlsxError, open_workbook_from_rs,
};

use crate::cell::{TableBuilder, data_to_string, trim};
use crate::guard::{guard_ods_content, inspect_zip, over};
use crate::limits::{Limit, Limits};
use crate::sniff::{contains_utf16le, detect_format, zip_names_contain};
use crate::{Format, SheetError, Table, text};

type Bytes<'a> = Cursor<&'a [u8]>;

/// Reads the first worksheet of a workbook, or a CSV file, into a [`Table`], within the
/// default [`Limits`].
///
/// # Errors
///
/// As [`read_table_within`].
pub fn read_table(bytes: &[u8], file_name: Option<&str>) -> Result<Table, SheetError> {
    read_table_within(bytes, file_name, &Limits::default())
}

/// Reads the first worksheet of a workbook, or a CSV file, into a [`Table`], refusing a file
/// that goes past `limits` before its content is parsed where the format allows it (zipped
/// workbooks are inspected first, .xls files are bounded by their size) and while its rows
/// are read.
///
/// The format is decided from the content (see [`detect_format`]); `file_name` only labels
/// parser messages in [`SheetError::Corrupt`] for the logs.
///
/// # Errors
///
/// [`SheetError::NotASpreadsheet`] for other files, [`SheetError::Encoding`] for text that is
/// neither UTF-8, UTF-16 nor GB18030, [`SheetError::Empty`] when no row has content,
/// [`SheetError::Encrypted`] for password-protected workbooks, [`SheetError::OverLimit`]
/// naming the limit a file goes past, and [`SheetError::Corrupt`] when the workbook cannot be
/// parsed.
pub fn read_table_within(
    bytes: &[u8],
    file_name: Option<&str>,
    limits: &Limits,
) -> Result<Table, SheetError> {
    let result = match detect_format(bytes)? {
        Format::Csv => text::read_csv(bytes, limits),
        Format::Xlsx => read_xlsx(bytes, limits),
        Format::Xls => read_xls(bytes, limits),
        Format::Ods => read_ods(bytes, limits),
    };
    match (result, file_name) {
        (Err(SheetError::Corrupt { detail }), Some(name)) => Err(SheetError::Corrupt {
            detail: format!("{name}: {detail}"),
        }),
        (result, _) => result,
    }
}

fn read_ods(bytes: &[u8], limits: &Limits) -> Result<Table, SheetError> {
    inspect_zip(bytes, limits, |_| false)?;
    guard_ods_content(bytes, limits)?;
    match open_workbook_from_rs::<Ods<_>, _>(Cursor::new(bytes)) {
        Ok(workbook) => read_workbook(workbook, limits),
        Err(OdsError::Password) => Err(SheetError::Encrypted),
        Err(e) => Err(corrupt(e)),
    }
}

fn corrupt(error: impl Display) -> SheetError {
    SheetError::Corrupt {
        detail: error.to_string(),
    }
}

fn is_xlsx_sheet(name: &str) -> bool {
    name.starts_with("xl/worksheets/") && (name.ends_with(".xml") || name.ends_with(".bin"))
}

fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Table, SheetError> {
    inspect_zip(bytes, limits, is_xlsx_sheet)?;
    match open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes)) {
        Ok(mut workbook) => {
            let name = first_sheet_name(&workbook).ok_or(SheetError::Empty)?;
            let mut cells = workbook.worksheet_cells_reader(&name).map_err(corrupt)?;
            let dimensions = cells.dimensions();
            stream(dimensions, limits, || cells.next_cell().map_err(corrupt))
        }
        Err(XlsxError::Password) => Err(SheetError::Encrypted),
        // The binary variant shares the package layout; few users have it, but it is cheap.
        Err(_) if zip_names_contain(bytes, b"xl/workbook.bin") => {
            let mut workbook =
                open_workbook_from_rs::<Xlsb<_>, _>(Cursor::new(bytes)).map_err(corrupt)?;
            let name = first_sheet_name(&workbook).ok_or(SheetError::Empty)?;
            let mut cells = workbook.worksheet_cells_reader(&name).map_err(corrupt)?;
            let dimensions = cells.dimensions();
            stream(dimensions, limits, || cells.next_cell().map_err(corrupt))
        }
        Err(e) => Err(corrupt(e)),
    }
}

/// Builds the table from cells in the order of the sheet's XML (row by row), one row at a time,
/// so a sheet's memory is that of its cells with content, never that of its bounding box.
fn stream<'a>(
    declared: Dimensions,
    limits: &Limits,
    mut next: impl FnMut() -> Result<Option<Cell<DataRef<'a>>>, SheetError>,
) -> Result<Table, SheetError> {
    // The declared dimension is only a claim, but a claim past the limits is refused at once.
    if declared.end.1 as usize >= limits.max_columns {
        return Err(over(Limit::Columns, limits));
    }
    let declared_rows = (declared.end.0 as usize).saturating_sub(declared.start.0 as usize);
    if declared_rows > limits.max_rows {
        return Err(over(Limit::Rows, limits));
    }
    let mut builder = TableBuilder::new(limits);
    let mut row: Option<u32> = None;
    let mut cells: Vec<String> = Vec::new();
    while let Some(cell) = next()? {
        let (r, c) = cell.get_position();
        let value = cell.get_value();
        if is_blank_ref(value) {
            continue;
        }
        builder.check_column(c as usize)?;
        if let DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) = value {
            builder.check_cell(s.len())?;
        }
        if let DataRef::SharedString(s) = value {
            builder.check_cell(s.len())?;
        }
        if row != Some(r) {
            if let Some(number) = row {
                builder.push(number as usize + 1, std::mem::take(&mut cells))?;
            }
            row = Some(r);
        }
        let c = c as usize;
        if cells.len() <= c {
            cells.resize(c + 1, String::new());
        }
        cells[c] = data_to_string(Data::from(value.clone()));
    }
    if let Some(number) = row {
        builder.push(number as usize + 1, cells)?;
    }
    builder.finish_used_range()
}

fn is_blank_ref(data: &DataRef<'_>) -> bool {
    match data {
        DataRef::Empty => true,
        DataRef::String(s) => trim(s).is_empty(),
        DataRef::SharedString(s) => trim(s).is_empty(),
        _ => false,
    }
}

fn read_xls(bytes: &[u8], limits: &Limits) -> Result<Table, SheetError> {
    // calamine builds the whole grid of every sheet of an .xls when it opens it (up to
    // 65,536 x 256 cells); the size of the file is the one bound that holds before that.
    if bytes.len() > limits.max_xls_bytes {
        return Err(over(Limit::XlsBytes, limits));
    }
    // A password-protected .xlsx is an OLE container holding the encrypted package.
    if contains_utf16le(bytes, "EncryptedPackage") {
        return Err(SheetError::Encrypted);
    }
    match open_workbook_from_rs::<Xls<_>, _>(Cursor::new(bytes)) {
        Ok(workbook) => read_workbook(workbook, limits),
        Err(XlsError::Password) => Err(SheetError::Encrypted),
        // No "Workbook"/"Book" stream: a Word document or another OLE file, unless the
        // name is there and the container itself is damaged.
        Err(XlsError::Cfb(_)) if !contains_utf16le(bytes, "Book") => {
            Err(SheetError::NotASpreadsheet)
        }
        Err(e) => Err(corrupt(e)),
    }
}

fn read_workbook<'a, R>(mut workbook: R, limits: &Limits) -> Result<Table, SheetError>
where
    R: Reader<Bytes<'a>>,
    R::Error: Display,
{
    if workbook.sheets_metadata().len() > limits.max_sheets {
        return Err(over(Limit::Sheets, limits));
    }
    let index = first_sheet(&workbook);
    let mut range = workbook
        .worksheet_range_at(index)
        .ok_or(SheetError::Empty)?
        .map_err(corrupt)?;
    // calamine trims the range to the used cells, so add its offset back for Excel's numbers.
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let first_column = range.start().map_or(0, |(_, column)| column as usize);
    let mut builder = TableBuilder::new(limits);
    for i in 0..range.height() {
        let row = &mut range[i];
        let Some(last) = row.iter().rposition(|d| !is_blank(d)) else {
            continue;
        };
        builder.check_column(first_column + last)?;
        let mut cells = Vec::with_capacity(row.len().max(builder.width()));
        // Take the cells out of the range so strings move instead of being copied.
        cells.extend(row.iter_mut().map(|d| data_to_string(std::mem::take(d))));
        builder.push(first_row + i + 1, cells)?;
    }
    builder.finish()
}

/// Index of the sheet to import: the first visible worksheet (templates often hide lookup
/// lists in other sheets, and chart sheets have no cells), else the first worksheet.
fn first_sheet<'a, R: Reader<Bytes<'a>>>(workbook: &R) -> usize {
    let sheets = workbook.sheets_metadata();
    sheets
        .iter()
        .position(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible)
        .or_else(|| sheets.iter().position(|s| s.typ == SheetType::WorkSheet))
        .unwrap_or(0)
}

fn first_sheet_name<'a, R: Reader<Bytes<'a>>>(workbook: &R) -> Option<String> {
    let index = first_sheet(workbook);
    workbook
        .sheets_metadata()
        .get(index)
        .map(|s| s.name.clone())
}

fn is_blank(data: &Data) -> bool {
    match data {
        Data::Empty => true,
        Data::String(s) => trim(s).is_empty(),
        _ => false,
    }
}
