//! Turning cells into the trimmed strings a [`Table`](crate::Table) holds.

use std::fmt::Write as _;

use calamine::{Data, ExcelDateTime};

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
}
