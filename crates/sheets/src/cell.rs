//! Turning cells into the trimmed strings a [`Table`](crate::Table) holds.

use std::fmt::Write as _;

use calamine::{Data, ExcelDateTime};

use crate::guard::over;
use crate::limits::{Limit, Limits};
use crate::{Row, SheetError, Table};

/// Characters stripped from both ends of every cell: Unicode whitespace (which covers the
/// full-width space U+3000 and the no-break space) plus the invisible characters that text
/// copied from web pages and chat apps carries around ID numbers.
fn is_padding(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}'
        )
}

/// `s` without leading and trailing padding.
pub(crate) fn trim(s: &str) -> &str {
    s.trim_matches(is_padding)
}

/// `s` trimmed, reusing its allocation when nothing needs trimming (the common case).
fn trim_owned(s: String) -> String {
    let t = trim(&s);
    if t.len() == s.len() { s } else { t.to_owned() }
}

/// The text of a spreadsheet cell, following what a user sees in Excel where that matters.
pub(crate) fn data_to_string(data: Data) -> String {
    match data {
        Data::String(s) => trim_owned(s),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_to_string(f),
        Data::Bool(true) => "TRUE".to_owned(),
        Data::Bool(false) => "FALSE".to_owned(),
        Data::DateTime(dt) => datetime_to_string(&dt),
        Data::DateTimeIso(s) => iso_datetime_to_string(&s),
        Data::DurationIso(s) => iso_duration_to_string(&s),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    }
}

/// Excel shows 15 significant digits, so an integral value this large has lost digits
/// (typically an 18-digit ID number typed into a General cell).
const EXCEL_PRECISION_LIMIT: f64 = 1e15;

pub(crate) fn float_to_string(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < EXCEL_PRECISION_LIMIT {
        // Exact: the value is integral and well inside i64.
        (f as i64).to_string()
    } else if f.fract() == 0.0 {
        excel_scientific(f)
    } else {
        // Rust's Display is the shortest representation that round-trips.
        f.to_string()
    }
}

/// Excel's General form of a large number: 15 significant digits, trailing zeros dropped,
/// "E+" and at least two exponent digits, e.g. "6.10825199001011E+17".
fn excel_scientific(f: f64) -> String {
    let formatted = format!("{f:.14e}");
    let Some((mantissa, exponent)) = formatted.split_once('e') else {
        return formatted;
    };
    let mantissa = if mantissa.contains('.') {
        mantissa.trim_end_matches('0').trim_end_matches('.')
    } else {
        mantissa
    };
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exponent),
    };
    format!("{mantissa}E{sign}{digits:0>2}")
}

fn datetime_to_string(dt: &ExcelDateTime) -> String {
    let (year, month, day, hour, minute, second, _) = dt.to_ymd_hms_milli();
    let mut out = String::with_capacity(19);
    if dt.is_duration() {
        // Elapsed time such as [h]:mm:ss: hours may exceed 24.
        let total = (dt.as_f64() * 86_400.0).round();
        // `as` saturates, which is fine for the small non-negative durations of registers.
        let total = total.max(0.0) as u64;
        let _ = write!(
            out,
            "{}:{:02}:{:02}",
            total / 3600,
            total / 60 % 60,
            total % 60
        );
        return out;
    }
    let has_time = (hour, minute, second) != (0, 0, 0);
    if dt.as_f64() < 1.0 && has_time {
        // A time of day with no date: serial 0 is not a meaningful day.
        write_time(&mut out, hour, minute, second);
        return out;
    }
    let _ = write!(out, "{year:04}-{month:02}-{day:02}");
    if has_time {
        out.push(' ');
        write_time(&mut out, hour, minute, second);
    }
    out
}

/// "HH:MM", with ":SS" only when the seconds are not zero so no information is lost.
fn write_time(out: &mut String, hour: u8, minute: u8, second: u8) {
    let _ = write!(out, "{hour:02}:{minute:02}");
    if second != 0 {
        let _ = write!(out, ":{second:02}");
    }
}

/// ODS dates come as ISO 8601 ("2024-01-05" or "2024-01-05T10:30:00"); render them like
/// Excel dates. Anything unexpected is passed through.
fn iso_datetime_to_string(s: &str) -> String {
    let s = trim(s);
    let Some((date, time)) = s.split_once('T') else {
        return s.to_owned();
    };
    // Drop fractional seconds and any zone suffix: registers never need them.
    let time = time.split(['.', 'Z', '+']).next().unwrap_or(time);
    let mut parts = time.split(':');
    let (Some(h), Some(m)) = (parts.next(), parts.next()) else {
        return s.to_owned();
    };
    let sec = parts.next().unwrap_or("00");
    match (h, m, sec) {
        ("00", "00", "00") => date.to_owned(),
        (h, m, "00") => format!("{date} {h}:{m}"),
        (h, m, sec) => format!("{date} {h}:{m}:{sec}"),
    }
}

/// ODS times of day come as ISO 8601 durations ("PT10H30M00S"); render them as "10:30".
fn iso_duration_to_string(s: &str) -> String {
    let s = trim(s);
    let parsed = (|| {
        let rest = s.strip_prefix("PT")?;
        let (h, rest) = rest.split_once('H')?;
        let (m, rest) = rest.split_once('M')?;
        let sec = rest.strip_suffix('S').unwrap_or(rest);
        let sec = sec.split('.').next().unwrap_or(sec);
        let h: u32 = h.parse().ok()?;
        let m: u8 = m.parse().ok()?;
        let sec: u8 = if sec.is_empty() { 0 } else { sec.parse().ok()? };
        let mut out = format!("{h:02}:{m:02}");
        if sec != 0 {
            let _ = write!(out, ":{sec:02}");
        }
        Some(out)
    })();
    parsed.unwrap_or_else(|| s.to_owned())
}

/// Builds a [`Table`] from rows of cells, shared by the CSV and the workbook readers, and
/// refuses rows past the [`Limits`] as they come.
#[derive(Default)]
pub(crate) struct TableBuilder {
    table: Table,
    has_header: bool,
    limits: Limits,
    /// What the rows kept so far take in memory, roughly.
    bytes: usize,
}

/// Bookkeeping of one row besides its cells: the row number and the vector.
const ROW_BYTES: usize = std::mem::size_of::<Row>();
const CELL_BYTES: usize = std::mem::size_of::<String>();

impl TableBuilder {
    pub(crate) fn new(limits: &Limits) -> TableBuilder {
        TableBuilder {
            limits: *limits,
            ..TableBuilder::default()
        }
    }

    /// Whether a row of raw cells is blank once trimmed (such rows are skipped, not stored).
    pub(crate) fn is_blank<'a>(cells: impl IntoIterator<Item = &'a str>) -> bool {
        cells.into_iter().all(|c| trim(c).is_empty())
    }

    /// Number of header cells, 0 before the header is seen.
    pub(crate) fn width(&self) -> usize {
        self.table.headers.len()
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

    /// Adds a row of already trimmed cells; the first non-blank row becomes the header.
    pub(crate) fn push(&mut self, number: usize, mut cells: Vec<String>) -> Result<(), SheetError> {
        let keep = cells
            .iter()
            .rposition(|c| !c.is_empty())
            .map_or(0, |last| last + 1);
        if keep == 0 {
            return Ok(());
        }
        self.check_column(keep - 1)?;
        let mut text = 0usize;
        for c in &cells[..keep] {
            self.check_cell(c.len())?;
            text += c.len();
        }
        if !self.has_header {
            cells.truncate(keep);
            self.bytes = text + keep * CELL_BYTES;
            self.table.headers = cells;
            self.has_header = true;
            return Ok(());
        }
        if self.table.rows.len() >= self.limits.max_rows {
            return Err(over(Limit::Rows, &self.limits));
        }
        // Trailing empty cells past the header are noise (a trailing delimiter, a formatted
        // but empty column); non-empty extra cells are kept for the caller to report.
        cells.truncate(keep.max(self.width()));
        cells.resize(self.width().max(cells.len()), String::new());
        cells.shrink_to_fit();
        self.bytes = self
            .bytes
            .saturating_add(ROW_BYTES + text + cells.len() * CELL_BYTES);
        if self.bytes > self.limits.max_table_bytes {
            return Err(over(Limit::TableBytes, &self.limits));
        }
        self.table.rows.push(Row { number, cells });
        Ok(())
    }

    /// As [`finish`](Self::finish), dropping the empty columns left of the leftmost cell with
    /// content, as a workbook's used range does (cells are pushed at their sheet column).
    pub(crate) fn finish_used_range(mut self) -> Result<Table, crate::SheetError> {
        let first = |cells: &[String]| cells.iter().position(|c| !c.is_empty());
        let offset = std::iter::once(&self.table.headers)
            .chain(self.table.rows.iter().map(|r| &r.cells))
            .filter_map(|c| first(c))
            .min()
            .unwrap_or(0);
        if offset > 0 {
            self.table.headers.drain(..offset);
            for row in &mut self.table.rows {
                row.cells.drain(..offset.min(row.cells.len()));
            }
        }
        self.finish()
    }

    pub(crate) fn finish(self) -> Result<Table, crate::SheetError> {
        if self.has_header {
            Ok(self.table)
        } else {
            Err(crate::SheetError::Empty)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_excel_shows_them() {
        assert_eq!(float_to_string(13_800_138_000.0), "13800138000");
        assert_eq!(float_to_string(-42.0), "-42");
        assert_eq!(float_to_string(-0.0), "0");
        assert_eq!(float_to_string(1.5), "1.5");
        assert_eq!(float_to_string(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(
            float_to_string(610_825_199_001_011_234.0),
            "6.10825199001011E+17"
        );
        assert_eq!(float_to_string(1e15), "1E+15");
        assert_eq!(float_to_string(-2.5e20), "-2.5E+20");
        assert_eq!(float_to_string(999_999_999_999_999.0), "999999999999999");
    }

    #[test]
    fn dates_and_times() {
        use calamine::ExcelDateTimeType::{DateTime, TimeDelta};
        let date = ExcelDateTime::new(45_943.0, DateTime, false);
        assert_eq!(datetime_to_string(&date), "2025-10-13");
        let datetime = ExcelDateTime::new(45_943.5, DateTime, false);
        assert_eq!(datetime_to_string(&datetime), "2025-10-13 12:00");
        let time = ExcelDateTime::new(0.75, DateTime, false);
        assert_eq!(datetime_to_string(&time), "18:00");
        let duration = ExcelDateTime::new(1.5, TimeDelta, false);
        assert_eq!(datetime_to_string(&duration), "36:00:00");
        assert_eq!(iso_datetime_to_string("2024-01-05T00:00:00"), "2024-01-05");
        assert_eq!(
            iso_datetime_to_string("2024-01-05T10:30:00"),
            "2024-01-05 10:30"
        );
        assert_eq!(iso_datetime_to_string("2024-01-05"), "2024-01-05");
        assert_eq!(iso_duration_to_string("PT10H30M00S"), "10:30");
        assert_eq!(iso_duration_to_string("P1D"), "P1D");
    }

    #[test]
    fn trimming_covers_full_width_and_invisible_padding() {
        assert_eq!(trim("\u{feff}\u{3000}姓名 \u{200b}"), "姓名");
        assert_eq!(trim("\u{a0}13800138000\t"), "13800138000");
    }

    #[test]
    fn builder_pads_keeps_extras_and_skips_blank_rows() {
        let s = |v: &[&str]| v.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
        let mut b = TableBuilder::default();
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
            b.push(n + 1, row).expect("within the limits");
        }
        let table = b.finish().expect("has a header");
        assert_eq!(table.headers, s(&["a", "b"]));
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].number, 3);
        assert_eq!(table.rows[0].cells, s(&["1", ""]));
        assert_eq!(table.rows[1].number, 5);
        assert_eq!(table.rows[1].cells, s(&["1", "2", "3"]));
        assert!(matches!(
            TableBuilder::default().finish(),
            Err(crate::SheetError::Empty)
        ));
    }
}
