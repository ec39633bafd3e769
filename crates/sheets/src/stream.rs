//! Rows as the readers find them, handed on one at a time: the first non-blank row is the
//! header, every later one goes to a [`Sink`], and the [`Limits`] are checked before a row is
//! handed on. Nothing here keeps the rows; a sink that needs them all keeps them itself.

use crate::cell::trim;
use crate::guard::over;
use crate::limits::{Limit, Limits};
use crate::{Row, SheetError, Table};

/// Where the rows of a sheet go.
pub(crate) trait Sink {
    /// Takes one data row (cells trimmed, at least as many as the header has).
    fn row(&mut self, row: Row) -> Result<(), SheetError>;
    /// Forgets the rows taken so far: the reader starts the file again (a text file read as
    /// UTF-8 that turned out to be GB18030).
    fn restart(&mut self);
}

/// Counts the rows and the columns left of the leftmost cell with content, keeping nothing.
#[derive(Default)]
pub(crate) struct Count {
    pub(crate) rows: usize,
    pub(crate) leading_blank_columns: Option<usize>,
}

impl Sink for Count {
    fn row(&mut self, row: Row) -> Result<(), SheetError> {
        self.rows += 1;
        note_leading_blanks(&mut self.leading_blank_columns, &row.cells);
        Ok(())
    }

    fn restart(&mut self) {
        *self = Count::default();
    }
}

/// Cells up to the last one with content.
fn content_width(cells: &[String]) -> usize {
    cells
        .iter()
        .rposition(|c| !c.is_empty())
        .map_or(0, |last| last + 1)
}

fn note_leading_blanks(least: &mut Option<usize>, cells: &[String]) {
    if let Some(first) = cells.iter().position(|c| !c.is_empty()) {
        *least = Some(least.map_or(first, |l| l.min(first)));
    }
}

/// Keeps every row, within [`Limits::max_table_bytes`] of memory.
pub(crate) struct Collect {
    pub(crate) rows: Vec<Row>,
    bytes: usize,
    limits: Limits,
}

/// Bookkeeping of one row besides its cells: the row number and the vector.
const ROW_BYTES: usize = std::mem::size_of::<Row>();
const CELL_BYTES: usize = std::mem::size_of::<String>();

impl Collect {
    pub(crate) fn new(limits: &Limits) -> Collect {
        Collect {
            rows: Vec::new(),
            bytes: 0,
            limits: *limits,
        }
    }
}

impl Sink for Collect {
    fn row(&mut self, mut row: Row) -> Result<(), SheetError> {
        let text: usize = row.cells.iter().map(String::len).sum();
        self.bytes = self
            .bytes
            .saturating_add(ROW_BYTES + text + row.cells.len() * CELL_BYTES);
        if self.bytes > self.limits.max_table_bytes {
            return Err(over(Limit::TableBytes, &self.limits));
        }
        row.cells.shrink_to_fit();
        self.rows.push(row);
        Ok(())
    }

    fn restart(&mut self) {
        self.rows.clear();
        self.bytes = 0;
    }
}

/// What the caller of a header search makes of a row of cells: which of them name a column it
/// knows, and whether they are enough for a header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recognised {
    /// Whether the row is a header.
    pub is_header: bool,
    /// For each cell, whether it names a column the caller knows.
    pub known: Vec<bool>,
}

impl Recognised {
    /// The cells `names_column` knows; a header when there are at least `enough` of them.
    pub fn counting(
        cells: &[String],
        names_column: impl Fn(&str) -> bool,
        enough: usize,
    ) -> Recognised {
        let known: Vec<bool> = cells.iter().map(|c| names_column(c)).collect();
        Recognised {
            is_header: known.iter().filter(|k| **k).count() >= enough,
            known,
        }
    }

    fn names(&self, index: usize) -> bool {
        self.known.get(index).copied().unwrap_or(false)
    }
}

/// How the header row of a sheet is found.
#[derive(Clone, Copy)]
pub enum HeaderSearch<'h> {
    /// The first row with content.
    First,
    /// The first row with content, among the first `within` rows with content, that
    /// `is_header` accepts: titles, dates and notes above a register's header are passed over.
    /// When none is accepted, the first row with content, so that the caller can say which
    /// columns it misses. A header found may span two rows, when group cells (住址) sit over
    /// the columns they hold (楼栋, 单元, 房号), told apart by the cells `is_header` knows; in
    /// a workbook, the first sheet whose first rows hold a header is read.
    Pick {
        is_header: &'h dyn Fn(&[String]) -> Recognised,
        within: usize,
    },
    /// The header after `above` rows with content, over `rows` rows, as an earlier reading of
    /// the same file found it (counted, not numbered: a text file's line breaks may give two
    /// records one number).
    After { above: usize, rows: usize },
    /// The header in this row as Excel numbers it (or the first row with content below it),
    /// as the person importing names it when the search finds another.
    AtRow(usize),
}

/// Whether `lower`, the row right below a header row `upper`, is the second row of one header
/// over two: registers merge a group cell (住址) over the columns it holds (楼栋, 单元, 房号) while
/// the other columns are merged down, blank in the lower row. So the lower row is blank under
/// at least one column the upper names, names a column where the upper is blank or holds a
/// label the caller does not know (the group), and holds no value under a column the upper
/// names (a data row does).
pub(crate) fn is_lower_header(
    upper: &[String],
    upper_known: &Recognised,
    lower: &[String],
    lower_known: &Recognised,
) -> bool {
    let blank = |cells: &[String], i: usize| cells.get(i).is_none_or(String::is_empty);
    let merged_down = (0..upper.len()).any(|i| upper_known.names(i) && blank(lower, i));
    let mut grouped = false;
    for i in (0..lower.len()).filter(|i| !blank(lower, *i)) {
        match (upper_known.names(i), lower_known.names(i)) {
            (true, false) => return false,
            (false, true) => grouped = true,
            _ => {}
        }
    }
    merged_down && grouped
}

/// One header of a header over two rows: the lower cell where it is filled, else the upper.
fn combined_header(upper: Vec<String>, lower: &[String]) -> Vec<String> {
    let mut cells = upper;
    if cells.len() < lower.len() {
        cells.resize(lower.len(), String::new());
    }
    for (cell, below) in cells.iter_mut().zip(lower) {
        if !below.is_empty() {
            cell.clone_from(below);
        }
    }
    cells
}

/// Whether the row with content after a header is the header's lower row.
enum Lower {
    /// It is a data row.
    No,
    /// It may be, as [`is_lower_header`] judges against the header's cells, recognised so.
    Maybe(Recognised),
    /// It is: an earlier reading of the same file found a header over two rows.
    Certain,
}

/// Hands a sink the data rows a reader pushes, after the header and within the limits.
pub(crate) struct RowStream<'s> {
    limits: Limits,
    search: HeaderSearch<'s>,
    headers: Option<Vec<String>>,
    header_row: usize,
    /// Rows the header spans: 2 when a group cell sits over the columns it holds.
    header_rows: usize,
    /// Whether the search's recogniser accepted the header (not one taken for want of any).
    accepted: bool,
    lower: Lower,
    /// Rows with content above the header (titles, a date line), passed over.
    rows_above: usize,
    /// Rows with content seen while the header is looked for, with their numbers.
    pending: Vec<(usize, Vec<String>)>,
    rows: usize,
    /// Blank columns left of the used range, dropped from every row: a workbook reader pushes
    /// cells at their sheet column, and a register may start in column B.
    skip_columns: usize,
    leading_blank_columns: Option<usize>,
    sink: &'s mut dyn Sink,
}

impl<'s> RowStream<'s> {
    #[cfg(test)]
    pub(crate) fn new(limits: &Limits, skip_columns: usize, sink: &'s mut dyn Sink) -> Self {
        RowStream::searching(limits, HeaderSearch::First, skip_columns, sink)
    }

    pub(crate) fn searching(
        limits: &Limits,
        search: HeaderSearch<'s>,
        skip_columns: usize,
        sink: &'s mut dyn Sink,
    ) -> Self {
        RowStream {
            limits: *limits,
            search,
            headers: None,
            header_row: 0,
            header_rows: 1,
            accepted: false,
            lower: Lower::No,
            rows_above: 0,
            pending: Vec::new(),
            rows: 0,
            skip_columns,
            leading_blank_columns: None,
            sink,
        }
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    pub(crate) fn search(&self) -> HeaderSearch<'s> {
        self.search
    }

    /// Whether the search's recogniser accepted a header among the rows pushed so far.
    pub(crate) fn accepted(&self) -> bool {
        self.accepted
    }

    /// Whether a row of raw cells is blank once trimmed (such rows are skipped, not stored).
    pub(crate) fn is_blank<'a>(cells: impl IntoIterator<Item = &'a str>) -> bool {
        cells.into_iter().all(|c| trim(c).is_empty())
    }

    /// Number of header cells (at their sheet columns), 0 before the header is seen.
    pub(crate) fn width(&self) -> usize {
        self.headers.as_ref().map_or(0, Vec::len)
    }

    /// Refuses a cell of more bytes than a cell may hold.
    pub(crate) fn check_cell(&self, len: usize) -> Result<(), SheetError> {
        if len > self.limits.max_cell_bytes {
            return Err(over(Limit::CellBytes, &self.limits));
        }
        Ok(())
    }

    /// Refuses content in a column past the last one allowed (0-based `column`).
    pub(crate) fn check_column(&self, column: usize) -> Result<(), SheetError> {
        if column >= self.limits.max_columns {
            return Err(over(Limit::Columns, &self.limits));
        }
        Ok(())
    }

    /// Starts the file again: nothing pushed so far counts.
    pub(crate) fn restart(&mut self) {
        self.headers = None;
        self.header_row = 0;
        self.header_rows = 1;
        self.accepted = false;
        self.lower = Lower::No;
        self.rows_above = 0;
        self.pending.clear();
        self.rows = 0;
        self.leading_blank_columns = None;
        self.sink.restart();
    }

    /// Takes a row of already trimmed cells: rows before the header is found wait (or are passed
    /// over once it is), the header is kept, and every later row goes to the sink.
    pub(crate) fn push(&mut self, number: usize, mut cells: Vec<String>) -> Result<(), SheetError> {
        let keep = content_width(&cells);
        if keep == 0 {
            return Ok(());
        }
        self.check_column(keep - 1)?;
        for c in &cells[..keep] {
            self.check_cell(c.len())?;
        }
        if let Some(headers) = &self.headers {
            let lower = match (std::mem::replace(&mut self.lower, Lower::No), self.search) {
                (Lower::Certain, _) => true,
                (Lower::Maybe(upper), HeaderSearch::Pick { is_header, .. })
                    if number == self.header_row + 1 =>
                {
                    cells.truncate(keep);
                    is_lower_header(headers, &upper, &cells, &is_header(&cells))
                }
                _ => false,
            };
            if lower {
                self.take_lower(&cells);
                return Ok(());
            }
            return self.data_row(number, cells);
        }
        match self.search {
            HeaderSearch::First => self.take_header(number, cells),
            HeaderSearch::AtRow(at) if number < at => self.rows_above += 1,
            HeaderSearch::AtRow(_) => self.take_header(number, cells),
            HeaderSearch::After { above, .. } if self.rows_above < above => self.rows_above += 1,
            HeaderSearch::After { rows, .. } => {
                self.take_header(number, cells);
                if rows > 1 {
                    self.lower = Lower::Certain;
                }
            }
            HeaderSearch::Pick { is_header, within } => {
                cells.truncate(keep);
                let recognised = is_header(&cells);
                if recognised.is_header {
                    self.accepted = true;
                    // A header whose upper row names too few columns by itself: the row above
                    // it, when it is that upper row, is where the header starts.
                    let upper = self.pending.pop_if(|(above_number, above)| {
                        *above_number + 1 == number
                            && is_lower_header(above, &is_header(above), &cells, &recognised)
                    });
                    self.rows_above = self.pending.len();
                    self.pending.clear();
                    if let Some((upper_number, upper)) = upper {
                        self.take_header(upper_number, upper);
                        self.take_lower(&cells);
                    } else {
                        self.take_header(number, cells);
                        self.lower = Lower::Maybe(recognised);
                    }
                } else {
                    self.pending.push((number, cells));
                    if self.pending.len() >= within {
                        self.settle()?;
                    }
                }
            }
        }
        Ok(())
    }

    fn take_header(&mut self, number: usize, mut cells: Vec<String>) {
        cells.truncate(content_width(&cells));
        note_leading_blanks(&mut self.leading_blank_columns, &cells);
        self.header_row = number;
        self.headers = Some(cells);
    }

    /// The header's lower row: one header of the two, spanning both rows.
    fn take_lower(&mut self, lower: &[String]) {
        let mut cells = combined_header(self.headers.take().unwrap_or_default(), lower);
        cells.truncate(content_width(&cells));
        note_leading_blanks(&mut self.leading_blank_columns, &cells);
        self.headers = Some(cells);
        self.header_rows = 2;
    }

    /// No row looked like a header: the first row with content is the header after all, and
    /// the rows after it are data.
    fn settle(&mut self) -> Result<(), SheetError> {
        let mut pending = std::mem::take(&mut self.pending).into_iter();
        if let Some((number, cells)) = pending.next() {
            self.take_header(number, cells);
        }
        pending.try_for_each(|(number, cells)| self.data_row(number, cells))
    }

    fn data_row(&mut self, number: usize, mut cells: Vec<String>) -> Result<(), SheetError> {
        if self.rows >= self.limits.max_rows {
            return Err(over(Limit::Rows, &self.limits));
        }
        self.rows += 1;
        let width = self.width();
        // Trailing empty cells past the header are noise (a trailing delimiter, a formatted
        // but empty column); non-empty extra cells are kept for the caller to report.
        cells.truncate(content_width(&cells).max(width));
        cells.resize(width.max(cells.len()), String::new());
        note_leading_blanks(&mut self.leading_blank_columns, &cells);
        if self.skip_columns > 0 {
            cells.drain(..self.skip_columns.min(cells.len()));
        }
        self.sink.row(Row { number, cells })
    }

    /// The header row (without the skipped columns) and the number of data rows, or
    /// [`SheetError::Empty`] when no row had content.
    pub(crate) fn finish(mut self) -> Result<Finished, SheetError> {
        if self.headers.is_none() {
            self.settle()?;
        }
        let Some(mut headers) = self.headers else {
            return Err(SheetError::Empty);
        };
        headers.drain(..self.skip_columns.min(headers.len()));
        Ok(Finished {
            headers,
            header_row: self.header_row,
            header_rows: self.header_rows,
            rows_above: self.rows_above,
            rows: self.rows,
            leading_blank_columns: self
                .leading_blank_columns
                .unwrap_or(0)
                .saturating_sub(self.skip_columns),
        })
    }
}

/// What a finished stream saw.
pub(crate) struct Finished {
    pub(crate) headers: Vec<String>,
    pub(crate) header_row: usize,
    pub(crate) header_rows: usize,
    pub(crate) rows_above: usize,
    pub(crate) rows: usize,
    /// Columns left of every cell with content, past the ones already skipped.
    pub(crate) leading_blank_columns: usize,
}

/// The table of rows a [`Collect`] kept, with the blank columns left of the used range dropped
/// when `used_range` (workbook readers push cells at their sheet column).
pub(crate) fn into_table(finished: Finished, rows: Vec<Row>, used_range: bool) -> Table {
    let mut table = Table {
        headers: finished.headers,
        rows,
    };
    let offset = if used_range {
        finished.leading_blank_columns
    } else {
        0
    };
    if offset > 0 {
        table.headers.drain(..offset.min(table.headers.len()));
        for row in &mut table.rows {
            row.cells.drain(..offset.min(row.cells.len()));
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn pads_keeps_extras_and_skips_blank_rows() -> Result<(), SheetError> {
        let limits = Limits::default();
        let mut collect = Collect::new(&limits);
        let mut stream = RowStream::new(&limits, 0, &mut collect);
        for (n, row) in [
            s(&["", ""]),
            s(&["a", "b", ""]),
            s(&["1"]),
            s(&["", "", ""]),
            s(&["1", "2", "3", ""]),
        ]
        .into_iter()
        .enumerate()
        {
            stream.push(n + 1, row)?;
        }
        let finished = stream.finish()?;
        assert_eq!(finished.rows, 2);
        let table = into_table(finished, collect.rows, false);
        assert_eq!(table.headers, s(&["a", "b"]));
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].number, 3);
        assert_eq!(table.rows[0].cells, s(&["1", ""]));
        assert_eq!(table.rows[1].number, 5);
        assert_eq!(table.rows[1].cells, s(&["1", "2", "3"]));
        let mut empty = Count::default();
        assert!(matches!(
            RowStream::new(&limits, 0, &mut empty).finish(),
            Err(SheetError::Empty)
        ));
        Ok(())
    }

    #[test]
    fn skipped_columns_leave_every_row_and_the_header() -> Result<(), SheetError> {
        let limits = Limits::default();
        let mut collect = Collect::new(&limits);
        let mut stream = RowStream::new(&limits, 1, &mut collect);
        stream.push(2, s(&["", "姓名", "电话"]))?;
        stream.push(3, s(&["", "张三", "13800138000"]))?;
        let finished = stream.finish()?;
        assert_eq!(finished.headers, s(&["姓名", "电话"]));
        assert_eq!(collect.rows[0].cells, s(&["张三", "13800138000"]));
        Ok(())
    }

    #[test]
    fn rows_past_the_limit_are_refused_as_they_come() {
        let limits = Limits {
            max_rows: 1,
            ..Limits::default()
        };
        let mut count = Count::default();
        let mut stream = RowStream::new(&limits, 0, &mut count);
        let pushed = [s(&["h"]), s(&["1"]), s(&["2"])]
            .into_iter()
            .enumerate()
            .try_for_each(|(n, row)| stream.push(n + 1, row));
        assert!(matches!(
            pushed,
            Err(SheetError::OverLimit {
                limit: Limit::Rows,
                ..
            })
        ));
        assert_eq!(count.rows, 1);
    }
}
