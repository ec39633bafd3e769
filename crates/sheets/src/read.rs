//! Reading workbooks (through calamine) and dispatching to the CSV reader.

use std::fmt::Display;
use std::io::Cursor;

use calamine::{
    Data, Ods, OdsError, Reader, SheetType, SheetVisible, Xls, XlsError, Xlsb, Xlsx, XlsxError,
    open_workbook_from_rs,
};

use crate::cell::{TableBuilder, data_to_string, trim};
use crate::sniff::{contains_utf16le, detect_format, zip_names_contain};
use crate::{Format, SheetError, Table, text};

type Bytes<'a> = Cursor<&'a [u8]>;

/// Reads the first worksheet of a workbook, or a CSV file, into a [`Table`].
///
/// The format is decided from the content (see [`detect_format`]); `file_name` only labels
/// parser messages in [`SheetError::Corrupt`] for the logs.
///
/// # Errors
///
/// [`SheetError::NotASpreadsheet`] for other files, [`SheetError::Encoding`] for text that is
/// neither UTF-8, UTF-16 nor GB18030, [`SheetError::Empty`] when no row has content,
/// [`SheetError::Encrypted`] for password-protected workbooks and [`SheetError::Corrupt`] when
/// the workbook cannot be parsed.
pub fn read_table(bytes: &[u8], file_name: Option<&str>) -> Result<Table, SheetError> {
    let result = match detect_format(bytes)? {
        Format::Csv => text::read_csv(bytes),
        Format::Xlsx => read_xlsx(bytes),
        Format::Xls => read_xls(bytes),
        Format::Ods => match open_workbook_from_rs::<Ods<_>, _>(Cursor::new(bytes)) {
            Ok(workbook) => read_workbook(workbook),
            Err(OdsError::Password) => Err(SheetError::Encrypted),
            Err(e) => Err(corrupt(e)),
        },
    };
    match (result, file_name) {
        (Err(SheetError::Corrupt { detail }), Some(name)) => Err(SheetError::Corrupt {
            detail: format!("{name}: {detail}"),
        }),
        (result, _) => result,
    }
}

fn corrupt(error: impl Display) -> SheetError {
    SheetError::Corrupt {
        detail: error.to_string(),
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, SheetError> {
    match open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes)) {
        Ok(workbook) => read_workbook(workbook),
        Err(XlsxError::Password) => Err(SheetError::Encrypted),
        // The binary variant shares the package layout; few users have it, but it is cheap.
        Err(_) if zip_names_contain(bytes, b"xl/workbook.bin") => {
            open_workbook_from_rs::<Xlsb<_>, _>(Cursor::new(bytes))
                .map_err(corrupt)
                .and_then(read_workbook)
        }
        Err(e) => Err(corrupt(e)),
    }
}

fn read_xls(bytes: &[u8]) -> Result<Table, SheetError> {
    // A password-protected .xlsx is an OLE container holding the encrypted package.
    if contains_utf16le(bytes, "EncryptedPackage") {
        return Err(SheetError::Encrypted);
    }
    match open_workbook_from_rs::<Xls<_>, _>(Cursor::new(bytes)) {
        Ok(workbook) => read_workbook(workbook),
        Err(XlsError::Password) => Err(SheetError::Encrypted),
        // No "Workbook"/"Book" stream: a Word document or another OLE file, unless the
        // name is there and the container itself is damaged.
        Err(XlsError::Cfb(_)) if !contains_utf16le(bytes, "Book") => {
            Err(SheetError::NotASpreadsheet)
        }
        Err(e) => Err(corrupt(e)),
    }
}

fn read_workbook<'a, R>(mut workbook: R) -> Result<Table, SheetError>
where
    R: Reader<Bytes<'a>>,
    R::Error: Display,
{
    let index = first_sheet(&workbook);
    let mut range = workbook
        .worksheet_range_at(index)
        .ok_or(SheetError::Empty)?
        .map_err(corrupt)?;
    // calamine trims the range to the used cells, so add its offset back for Excel's numbers.
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let mut builder = TableBuilder::default();
    for i in 0..range.height() {
        let row = &mut range[i];
        if row.iter().all(is_blank) {
            continue;
        }
        let mut cells = Vec::with_capacity(row.len().max(builder.width()));
        // Take the cells out of the range so strings move instead of being copied.
        cells.extend(row.iter_mut().map(|d| data_to_string(std::mem::take(d))));
        builder.push(first_row + i + 1, cells);
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

fn is_blank(data: &Data) -> bool {
    match data {
        Data::Empty => true,
        Data::String(s) => trim(s).is_empty(),
        _ => false,
    }
}
