//! Reading delimited text: decoding, delimiter detection and Excel-compatible row numbers.

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE};

use crate::SheetError;
use crate::cell::trim;
use crate::sniff::{UTF8_BOM, UTF16BE_BOM, UTF16LE_BOM};
use crate::stream::RowStream;

/// Delimiters we recognise, in order of preference when counts tie.
const DELIMITERS: [u8; 3] = [b',', b'\t', b';'];

/// How a text file's bytes become text, found on the first reading and reused on the next.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum TextEncoding {
    #[default]
    Unknown,
    Utf8,
    Decoded(&'static Encoding),
}

/// Reads CSV text in UTF-8 (with or without BOM), UTF-16 with BOM, or else GB18030, the
/// superset of GBK that Excel in mainland China saves, into `stream`.
pub(crate) fn read_csv(
    bytes: &[u8],
    stream: &mut RowStream<'_>,
    encoding: &mut TextEncoding,
) -> Result<(), SheetError> {
    if let Some(rest) = bytes.strip_prefix(UTF16LE_BOM) {
        *encoding = TextEncoding::Decoded(UTF_16LE);
        return read_decoded(UTF_16LE, rest, stream);
    }
    if let Some(rest) = bytes.strip_prefix(UTF16BE_BOM) {
        *encoding = TextEncoding::Decoded(UTF_16BE);
        return read_decoded(UTF_16BE, rest, stream);
    }
    let (text, declared_utf8) = match bytes.strip_prefix(UTF8_BOM) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    if let TextEncoding::Decoded(known) = *encoding {
        return read_decoded(known, bytes, stream);
    }
    // Parse as UTF-8 straight away: the csv crate validates each record anyway, so checking
    // the whole file first would read it twice. A GBK file fails on its first Chinese cell.
    match parse(text, stream) {
        Err(Parse::NotUtf8) if declared_utf8 || *encoding == TextEncoding::Utf8 => {
            Err(SheetError::Encoding)
        }
        Err(Parse::NotUtf8) => {
            stream.restart();
            *encoding = TextEncoding::Decoded(GB18030);
            read_decoded(GB18030, bytes, stream)
        }
        Err(Parse::Failed(e)) => Err(e),
        Ok(()) => {
            *encoding = TextEncoding::Utf8;
            Ok(())
        }
    }
}

fn read_decoded(
    encoding: &'static Encoding,
    bytes: &[u8],
    stream: &mut RowStream<'_>,
) -> Result<(), SheetError> {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(SheetError::Encoding);
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text.contains('\0') {
        // UTF-16 is let through whole by the sniffer, so binary data can still show up here.
        return Err(SheetError::NotASpreadsheet);
    }
    parse(text.as_bytes(), stream).map_err(|e| match e {
        // Decoded text is valid UTF-8.
        Parse::NotUtf8 => SheetError::Encoding,
        Parse::Failed(e) => e,
    })
}

enum Parse {
    NotUtf8,
    Failed(SheetError),
}

/// The delimiter occurring most often outside quotes in the header line (the first line with
/// content); ',' when there is none, so a one-column file still reads.
fn detect_delimiter(text: &[u8]) -> u8 {
    let header = text
        .split(|&b| b == b'\n' || b == b'\r')
        .find(|line| {
            line.iter()
                .any(|b| !b.is_ascii_whitespace() && !DELIMITERS.contains(b))
        })
        .unwrap_or_default();
    let mut counts = [0usize; DELIMITERS.len()];
    let mut quoted = false;
    for &b in header {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = DELIMITERS.iter().position(|&d| d == b) {
            counts[i] += 1;
        }
    }
    // First maximum wins, which keeps the preference order on ties.
    let mut best = 0;
    for (i, &count) in counts.iter().enumerate() {
        if count > counts[best] {
            best = i;
        }
    }
    DELIMITERS[best]
}

/// Occurrences of `byte`; a plain count so that it vectorises.
fn count_byte(bytes: &[u8], byte: u8) -> usize {
    bytes.iter().filter(|&&b| b == byte).count()
}

fn parse(bytes: &[u8], stream: &mut RowStream<'_>) -> Result<(), Parse> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(detect_delimiter(bytes))
        .buffer_capacity(1 << 16)
        .from_reader(bytes);
    let mut record = csv::StringRecord::new();
    let max_columns = stream.limits().max_columns;
    // Lines end in LF or CRLF, except in Excel's "CSV (Macintosh)" files, which use CR alone.
    let line_end = if !bytes.contains(&b'\n') && bytes.contains(&b'\r') {
        b'\r'
    } else {
        b'\n'
    };
    // Excel's row number is the line number minus the line breaks inside quoted cells. The csv
    // crate skips empty lines silently, so count the line breaks ourselves from the byte
    // offsets it reports: `scanned` is where the previous record started.
    let mut scanned = 0;
    let mut newlines = 0;
    let mut newlines_in_cells = 0;
    loop {
        let more = reader
            .read_record(&mut record)
            .map_err(|e| match e.kind() {
                csv::ErrorKind::Utf8 { .. } => Parse::NotUtf8,
                _ => Parse::Failed(SheetError::Corrupt {
                    detail: e.to_string(),
                }),
            })?;
        if !more {
            break;
        }
        // The reported offset is just after the previous record; empty lines follow it.
        let after_previous = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(scanned)
            .clamp(scanned, bytes.len());
        let start = after_previous
            + bytes[after_previous..]
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
        newlines += count_byte(&bytes[scanned..start], line_end);
        scanned = start;
        let number = newlines - newlines_in_cells + 1;
        newlines_in_cells += count_byte(record.as_slice().as_bytes(), line_end);

        if RowStream::is_blank(record.iter()) {
            continue;
        }
        // Checked before anything is copied: a gigantic line is refused, not duplicated.
        for (i, field) in record.iter().enumerate() {
            let len = trim(field).len();
            stream.check_cell(len).map_err(Parse::Failed)?;
            if len > 0 {
                stream.check_column(i).map_err(Parse::Failed)?;
            }
        }
        let mut cells = Vec::with_capacity(record.len().min(max_columns));
        cells.extend(record.iter().map(|field| trim(field).to_owned()));
        stream.push(number, cells).map_err(Parse::Failed)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Table, read_table};

    fn numbers(table: &Table) -> Vec<usize> {
        table.rows.iter().map(|r| r.number).collect()
    }

    #[test]
    fn detects_delimiters() {
        assert_eq!(detect_delimiter(b"a,b,c\n"), b',');
        assert_eq!(detect_delimiter(b"a;b;c\n1,5;2;3"), b';');
        assert_eq!(detect_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(detect_delimiter(b"\r\n;;;\r\n\"x;y\",b\r\n"), b',');
        assert_eq!(detect_delimiter(b"a;b\r1,2,3,4\r"), b';');
        assert_eq!(detect_delimiter(b"only"), b',');
    }

    #[test]
    fn row_numbers_follow_excel_rows() -> Result<(), SheetError> {
        let text = "\r\n姓名,备注\r\n张三,\"多行\r\n备注\"\r\n\r\n , \r\n李四,x\r\n";
        let table = read_table(text.as_bytes(), None)?;
        assert_eq!(table.headers, ["姓名", "备注"]);
        // Excel: row 1 blank, 2 header, 3 张三, 4 blank, 5 spaces only, 6 李四.
        assert_eq!(numbers(&table), [3, 6]);
        assert_eq!(table.rows[0].cells, ["张三", "多行\r\n备注"]);
        Ok(())
    }

    #[test]
    fn line_break_styles() -> Result<(), SheetError> {
        for text in [
            "a\n\n1\n\"x\ny\"\n2\n",
            "a\r\n\r\n1\r\n\"x\r\ny\"\r\n2\r\n",
            "a\r\r1\r\"x\ry\"\r2\r",
        ] {
            let table = read_table(text.as_bytes(), None)?;
            assert_eq!(numbers(&table), [3, 4, 5], "{text:?}");
        }
        Ok(())
    }

    #[test]
    fn last_line_without_line_break() -> Result<(), SheetError> {
        let table = read_table(b"a\n\n1\n2", None)?;
        assert_eq!(numbers(&table), [3, 4]);
        Ok(())
    }

    #[test]
    fn utf16_unicode_text_export() -> Result<(), SheetError> {
        let mut bytes = UTF16LE_BOM.to_vec();
        for unit in "姓名\t电话\r\n张三\t13800138000\r\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let table = read_table(&bytes, Some("导出.txt"))?;
        assert_eq!(table.headers, ["姓名", "电话"]);
        assert_eq!(table.rows[0].cells, ["张三", "13800138000"]);
        Ok(())
    }

    #[test]
    fn header_only_is_not_empty_but_nothing_is() {
        assert!(matches!(read_table(b"a,b\r\n", None), Ok(t) if t.rows.is_empty()));
        assert!(matches!(
            read_table(b"\r\n , \r\n", None),
            Err(SheetError::Empty)
        ));
        assert!(matches!(
            read_table(b"\xEF\xBB\xBF", None),
            Err(SheetError::Empty)
        ));
    }
}
