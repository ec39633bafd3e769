//! Reading workbooks (through calamine) and dispatching to the CSV reader.

use std::fmt::Display;
use std::io::Cursor;

use calamine::{
    Cell, Data, DataRef, Dimensions, Ods, OdsError, Range, Reader, SheetType, SheetVisible, Xls,
    XlsError, Xlsb, Xlsx, XlsxError, open_workbook_from_rs,
};

use crate::cell::{data_to_string, trim};
use crate::guard::{guard_ods_content, inspect_zip, over};
use crate::limits::{Limit, Limits};
use crate::sniff::{contains_utf16le, detect_format, zip_names_contain};
use crate::stream::{Collect, Count, Finished, HeaderSearch, RowStream, Sink, into_table};
use crate::text::TextEncoding;
use crate::{Format, Row, SheetError, Table, text};

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
/// are read. The rows are kept in memory, within [`Limits::max_table_bytes`]; a reader of a
/// large file takes its [`Outline`] and then its rows one by one with [`for_each_row`].
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
    read_table_finding_header(bytes, file_name, limits, HeaderSearch::First)
}

/// As [`read_table_within`], finding the header (and, in a workbook, its sheet) as
/// [`outline_finding_header`] does.
///
/// # Errors
///
/// As [`read_table_within`].
pub fn read_table_finding_header(
    bytes: &[u8],
    file_name: Option<&str>,
    limits: &Limits,
    search: HeaderSearch<'_>,
) -> Result<Table, SheetError> {
    let format = detect_format(bytes)?;
    let mut collect = Collect::new(limits);
    let stream = RowStream::searching(limits, search, 0, &mut collect);
    let read = read_through(bytes, file_name, format, stream)?;
    Ok(into_table(
        read.finished,
        collect.rows,
        format == Format::Xlsx,
    ))
}

/// What a first reading of a file found, without keeping its rows: the header, the number of
/// data rows, and how to read the rows again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outline {
    /// Header cells, as in [`Table::headers`].
    pub headers: Vec<String>,
    /// The header's (first) row number, as Excel counts.
    pub header_row: usize,
    /// Rows the header spans: 2 when group cells (住址) sit over the columns they hold (楼栋,
    /// 单元, 房号); the data rows start below them.
    pub header_rows: usize,
    /// The worksheet read, by name (none for a text file).
    pub sheet: Option<String>,
    /// Rows with content above the header (titles, a date or a grid line), passed over.
    pub rows_above_header: usize,
    /// Non-blank data rows.
    pub rows: usize,
    /// The kind of file.
    pub format: Format,
    skip_columns: usize,
    encoding: TextEncoding,
}

/// Reads a file through once within `limits`, keeping only its header and the number of its
/// rows, so that a file past a limit is refused whole before any of its rows is used.
///
/// # Errors
///
/// As [`read_table_within`], except that the rows' memory is no limit since none is kept.
pub fn outline_within(
    bytes: &[u8],
    file_name: Option<&str>,
    limits: &Limits,
) -> Result<Outline, SheetError> {
    outline_finding_header(bytes, file_name, limits, HeaderSearch::First)
}

/// How many rows with content may stand above a header before a file is read as having its
/// header first.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// As [`outline_within`], finding the header row as `search` says (e.g. the first of the first
/// [`HEADER_SEARCH_ROWS`] rows that names enough known columns).
///
/// # Errors
///
/// As [`outline_within`].
pub fn outline_finding_header(
    bytes: &[u8],
    file_name: Option<&str>,
    limits: &Limits,
    search: HeaderSearch<'_>,
) -> Result<Outline, SheetError> {
    let format = detect_format(bytes)?;
    let mut count = Count::default();
    let stream = RowStream::searching(limits, search, 0, &mut count);
    let Reading {
        finished,
        encoding,
        sheet,
    } = read_through(bytes, file_name, format, stream)?;
    let skip_columns = if format == Format::Xlsx {
        finished.leading_blank_columns
    } else {
        0
    };
    let mut headers = finished.headers;
    headers.drain(..skip_columns.min(headers.len()));
    Ok(Outline {
        headers,
        header_row: finished.header_row,
        header_rows: finished.header_rows,
        sheet,
        rows_above_header: finished.rows_above,
        rows: finished.rows,
        format,
        skip_columns,
        encoding,
    })
}

/// Reads the data rows of a file whose [`Outline`] was taken, handing each to `each` as it is
/// read: memory stays that of one row, whatever the size of the file. `each` stops the
/// reading by returning an error, which is returned.
///
/// # Errors
///
/// As [`outline_within`] (for the same bytes and limits, none but the errors of `each`).
pub fn for_each_row(
    bytes: &[u8],
    outline: &Outline,
    limits: &Limits,
    each: impl FnMut(Row) -> Result<(), SheetError>,
) -> Result<(), SheetError> {
    struct Each<F>(F);
    impl<F: FnMut(Row) -> Result<(), SheetError>> Sink for Each<F> {
        fn row(&mut self, row: Row) -> Result<(), SheetError> {
            (self.0)(row)
        }
        fn restart(&mut self) {}
    }
    let mut sink = Each(each);
    let search = HeaderSearch::After {
        above: outline.rows_above_header,
        rows: outline.header_rows,
    };
    let mut stream = RowStream::searching(limits, search, outline.skip_columns, &mut sink);
    let mut encoding = outline.encoding;
    let sheet = outline.sheet.as_deref();
    read_into(bytes, outline.format, sheet, &mut stream, &mut encoding).map(drop)
}

/// Reads a file into `stream`: the worksheet named `sheet` (as an earlier reading chose it),
/// else the one [`choose_sheet`] picks. Returns the name of the worksheet read.
fn read_into(
    bytes: &[u8],
    format: Format,
    sheet: Option<&str>,
    stream: &mut RowStream<'_>,
    encoding: &mut TextEncoding,
) -> Result<Option<String>, SheetError> {
    match format {
        Format::Csv => text::read_csv(bytes, stream, encoding).map(|()| None),
        Format::Xlsx => read_xlsx(bytes, sheet, stream).map(Some),
        Format::Xls => read_xls(bytes, sheet, stream).map(Some),
        Format::Ods => read_ods(bytes, sheet, stream).map(Some),
    }
}

/// What a first reading of a file found, with what a second reading needs to read it alike.
struct Reading {
    finished: Finished,
    encoding: TextEncoding,
    sheet: Option<String>,
}

/// Reads a whole file into `stream` for the first time: the text encoding and the worksheet
/// are found on the way and returned for a second reading.
fn read_through(
    bytes: &[u8],
    file_name: Option<&str>,
    format: Format,
    mut stream: RowStream<'_>,
) -> Result<Reading, SheetError> {
    let mut encoding = TextEncoding::Unknown;
    let sheet = labelled(
        read_into(bytes, format, None, &mut stream, &mut encoding),
        file_name,
    )?;
    Ok(Reading {
        finished: stream.finish()?,
        encoding,
        sheet,
    })
}

/// Takes the first rows of a sheet until its header is settled.
struct Probe;

impl Sink for Probe {
    fn row(&mut self, _: Row) -> Result<(), SheetError> {
        Err(SheetError::Stopped)
    }
    fn restart(&mut self) {}
}

/// The worksheet to read among `names` (in workbook order): for a search that recognises
/// headers, the first whose first rows hold a header it accepts (a cover, instructions or an
/// empty sheet may come before the register), read by `probe` within the same limits; else,
/// or when no sheet has one, the first, so that the caller can say which columns it misses.
fn choose_sheet(
    names: Vec<String>,
    stream: &RowStream<'_>,
    mut probe: impl FnMut(&str, &mut RowStream<'_>) -> Result<(), SheetError>,
) -> Result<String, SheetError> {
    if matches!(stream.search(), HeaderSearch::Pick { .. }) && names.len() > 1 {
        for name in &names {
            let mut stop = Probe;
            let mut trial = RowStream::searching(stream.limits(), stream.search(), 0, &mut stop);
            match probe(name, &mut trial) {
                Ok(()) | Err(SheetError::Stopped) => {}
                Err(e) => return Err(e),
            }
            if trial.accepted() {
                return Ok(name.clone());
            }
        }
    }
    names.into_iter().next().ok_or(SheetError::Empty)
}

fn labelled<T>(result: Result<T, SheetError>, file_name: Option<&str>) -> Result<T, SheetError> {
    match (result, file_name) {
        (Err(SheetError::Corrupt { detail }), Some(name)) => Err(SheetError::Corrupt {
            detail: format!("{name}: {detail}"),
        }),
        (result, _) => result,
    }
}

fn read_ods(
    bytes: &[u8],
    sheet: Option<&str>,
    stream: &mut RowStream<'_>,
) -> Result<String, SheetError> {
    let limits = *stream.limits();
    inspect_zip(bytes, &limits, |_| false)?;
    guard_ods_content(bytes, &limits)?;
    match open_workbook_from_rs::<Ods<_>, _>(Cursor::new(bytes)) {
        Ok(workbook) => read_workbook(workbook, sheet, stream),
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

fn read_xlsx(
    bytes: &[u8],
    sheet: Option<&str>,
    stream: &mut RowStream<'_>,
) -> Result<String, SheetError> {
    let limits = *stream.limits();
    inspect_zip(bytes, &limits, is_xlsx_sheet)?;
    // Both variants read a sheet cell by cell as its XML (or binary) goes.
    macro_rules! read_sheet {
        ($workbook:ident) => {{
            let names = worksheets(&$workbook);
            let mut read = |name: &str, stream: &mut RowStream<'_>| {
                let mut cells = $workbook.worksheet_cells_reader(name).map_err(corrupt)?;
                let dimensions = cells.dimensions();
                stream_cells(dimensions, stream, || cells.next_cell().map_err(corrupt))
            };
            let name = match sheet {
                Some(name) => name.to_owned(),
                None => choose_sheet(names, stream, &mut read)?,
            };
            read(&name, stream)?;
            Ok(name)
        }};
    }
    match open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes)) {
        Ok(mut workbook) => read_sheet!(workbook),
        Err(XlsxError::Password) => Err(SheetError::Encrypted),
        // The binary variant shares the package layout; few users have it, but it is cheap.
        Err(_) if zip_names_contain(bytes, b"xl/workbook.bin") => {
            let mut workbook =
                open_workbook_from_rs::<Xlsb<_>, _>(Cursor::new(bytes)).map_err(corrupt)?;
            read_sheet!(workbook)
        }
        Err(e) => Err(corrupt(e)),
    }
}

/// Builds the table from cells in the order of the sheet's XML (row by row), one row at a time,
/// so a sheet's memory is that of its cells with content, never that of its bounding box.
fn stream_cells<'a>(
    declared: Dimensions,
    stream: &mut RowStream<'_>,
    mut next: impl FnMut() -> Result<Option<Cell<DataRef<'a>>>, SheetError>,
) -> Result<(), SheetError> {
    let limits = *stream.limits();
    // The declared dimension is only a claim, but a claim past the limits is refused at once.
    if declared.end.1 as usize >= limits.max_columns {
        return Err(over(Limit::Columns, &limits));
    }
    let declared_rows = (declared.end.0 as usize).saturating_sub(declared.start.0 as usize);
    if declared_rows > limits.max_rows {
        return Err(over(Limit::Rows, &limits));
    }
    let mut row: Option<u32> = None;
    let mut cells: Vec<String> = Vec::new();
    while let Some(cell) = next()? {
        let (r, c) = cell.get_position();
        let value = cell.get_value();
        if is_blank_ref(value) {
            continue;
        }
        stream.check_column(c as usize)?;
        if let DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) = value {
            stream.check_cell(s.len())?;
        }
        if let DataRef::SharedString(s) = value {
            stream.check_cell(s.len())?;
        }
        if row != Some(r) {
            if let Some(number) = row {
                stream.push(number as usize + 1, std::mem::take(&mut cells))?;
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
        stream.push(number as usize + 1, cells)?;
    }
    Ok(())
}

fn is_blank_ref(data: &DataRef<'_>) -> bool {
    match data {
        DataRef::Empty => true,
        DataRef::String(s) => trim(s).is_empty(),
        DataRef::SharedString(s) => trim(s).is_empty(),
        _ => false,
    }
}

fn read_xls(
    bytes: &[u8],
    sheet: Option<&str>,
    stream: &mut RowStream<'_>,
) -> Result<String, SheetError> {
    let limits = *stream.limits();
    // calamine builds the whole grid of every sheet of an .xls when it opens it (up to
    // 65,536 x 256 cells); the size of the file is the one bound that holds before that.
    if bytes.len() > limits.max_xls_bytes {
        return Err(over(Limit::XlsBytes, &limits));
    }
    // A password-protected .xlsx is an OLE container holding the encrypted package.
    if contains_utf16le(bytes, "EncryptedPackage") {
        return Err(SheetError::Encrypted);
    }
    match open_workbook_from_rs::<Xls<_>, _>(Cursor::new(bytes)) {
        Ok(workbook) => read_workbook(workbook, sheet, stream),
        Err(XlsError::Password) => Err(SheetError::Encrypted),
        // No "Workbook"/"Book" stream: a Word document or another OLE file, unless the
        // name is there and the container itself is damaged.
        Err(XlsError::Cfb(_)) if !contains_utf16le(bytes, "Book") => {
            Err(SheetError::NotASpreadsheet)
        }
        Err(e) => Err(corrupt(e)),
    }
}

fn read_workbook<'a, R>(
    mut workbook: R,
    sheet: Option<&str>,
    stream: &mut RowStream<'_>,
) -> Result<String, SheetError>
where
    R: Reader<Bytes<'a>>,
    R::Error: Display,
{
    let limits = *stream.limits();
    if workbook.sheets_metadata().len() > limits.max_sheets {
        return Err(over(Limit::Sheets, &limits));
    }
    // The reader holds every sheet's cells already; a sheet's range is a copy of them, so the
    // one the choice settles on is kept rather than copied twice.
    let mut probed: Option<(String, Range<Data>)> = None;
    let name = match sheet {
        Some(name) => name.to_owned(),
        None => choose_sheet(worksheets(&workbook), stream, |name, trial| {
            let mut range = workbook.worksheet_range(name).map_err(corrupt)?;
            let pushed = push_range(&mut range, trial, |d| data_to_string(d.clone()));
            probed = Some((name.to_owned(), range));
            pushed
        })?,
    };
    let mut range = match probed {
        Some((probed, range)) if probed == name => range,
        _ => workbook.worksheet_range(&name).map_err(corrupt)?,
    };
    push_range(&mut range, stream, |d| data_to_string(std::mem::take(d)))?;
    Ok(name)
}

/// Pushes the rows with content of a sheet's range, each cell made text by `text` (which may
/// take the cell's value out of the range, so strings move instead of being copied).
fn push_range(
    range: &mut Range<Data>,
    stream: &mut RowStream<'_>,
    mut text: impl FnMut(&mut Data) -> String,
) -> Result<(), SheetError> {
    // calamine trims the range to the used cells, so add its offset back for Excel's numbers.
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let first_column = range.start().map_or(0, |(_, column)| column as usize);
    for i in 0..range.height() {
        let row = &mut range[i];
        let Some(last) = row.iter().rposition(|d| !is_blank(d)) else {
            continue;
        };
        stream.check_column(first_column + last)?;
        let mut cells = Vec::with_capacity(row.len().max(stream.width()));
        cells.extend(row.iter_mut().map(&mut text));
        stream.push(first_row + i + 1, cells)?;
    }
    Ok(())
}
/// The worksheets a register may be on, in workbook order: the visible ones (templates often
/// hide lookup lists in other sheets, and chart sheets have no cells), else every worksheet,
/// else the first sheet.
fn worksheets<'a, R: Reader<Bytes<'a>>>(workbook: &R) -> Vec<String> {
    let sheets = workbook.sheets_metadata();
    let names = |visible_only: bool| -> Vec<String> {
        sheets
            .iter()
            .filter(|s| s.typ == SheetType::WorkSheet)
            .filter(|s| !visible_only || s.visible == SheetVisible::Visible)
            .map(|s| s.name.clone())
            .collect()
    };
    let mut found = names(true);
    if found.is_empty() {
        found = names(false);
    }
    if found.is_empty() {
        found.extend(sheets.first().map(|s| s.name.clone()));
    }
    found
}

fn is_blank(data: &Data) -> bool {
    match data {
        Data::Empty => true,
        Data::String(s) => trim(s).is_empty(),
        _ => false,
    }
}
