//! Checks a zipped workbook (.xlsx, .ods) against the [`Limits`] before any parser sees it: the
//! number of parts and sheets, the sizes the central directory declares, the compression ratio
//! of each part, and then, unzipping each part into nothing, that the declared sizes are true,
//! that no run of text is longer than a cell may be and that the XML is not nested absurdly.

use std::io::{Cursor, Read};

use crate::limits::{Limit, Limits};
use crate::sniff::contains;
use crate::{SheetError, corrupt_detail};

/// Central directory header signature: one per entry (or a few more, by chance, in
/// compressed data, which only makes the count an upper bound).
const CENTRAL_HEADER: &[u8] = b"PK\x01\x02";

/// Parts smaller than this are not judged by their compression ratio: small parts of
/// repetitive XML compress very well and are harmless.
const RATIO_FLOOR: u64 = 1024 * 1024;

/// Raw text may be longer than its decoded form (`&amp;` is one byte), so a run of text is
/// refused only past this many times the cell limit; the exact check is made per cell.
const ESCAPE_SLACK: usize = 6;

pub(crate) fn over(limit: Limit, limits: &Limits) -> SheetError {
    SheetError::OverLimit {
        limit,
        max: limit.display(limits),
    }
}

/// Checks `bytes`, a ZIP archive, against `limits`; `sheet_part` tells worksheet parts apart
/// (to count them).
pub(crate) fn inspect_zip(
    bytes: &[u8],
    limits: &Limits,
    sheet_part: fn(&str) -> bool,
) -> Result<(), SheetError> {
    // Count the entries before the zip reader allocates a record for each.
    let headers = bytes
        .windows(CENTRAL_HEADER.len())
        .filter(|w| *w == CENTRAL_HEADER)
        .count();
    if headers > limits.max_entries {
        return Err(over(Limit::Entries, limits));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt_detail)?;
    if zip.len() > limits.max_entries {
        return Err(over(Limit::Entries, limits));
    }
    let mut declared: Vec<(usize, u64, bool)> = Vec::with_capacity(zip.len());
    let (mut total, mut sheets) = (0u64, 0usize);
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(corrupt_detail)?;
        let name = entry.name().map_err(corrupt_detail)?.into_owned();
        let (size, packed) = (entry.size(), entry.compressed_size());
        total = total.saturating_add(size);
        if total > limits.max_unpacked_bytes {
            return Err(over(Limit::UnpackedBytes, limits));
        }
        if size > RATIO_FLOOR && size / packed.max(1) > limits.max_ratio {
            return Err(over(Limit::Ratio, limits));
        }
        if sheet_part(&name) {
            sheets += 1;
            if sheets > limits.max_sheets {
                return Err(over(Limit::Sheets, limits));
            }
        }
        declared.push((i, size, name.ends_with(".xml") || name.ends_with(".rels")));
    }
    for (i, size, xml) in declared {
        let entry = match zip.by_index(i) {
            Ok(e) => e,
            // Encrypted or unsupported parts: the workbook reader says what is wrong.
            Err(_) => continue,
        };
        let mut scan = Scan::new(limits, xml);
        let mut limited = entry.take(size.saturating_add(1));
        let mut buf = vec![0u8; 64 * 1024];
        let mut read = 0u64;
        loop {
            let n = match limited.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                // A damaged part: left for the workbook reader to report.
                Err(_) => break,
            };
            read += n as u64;
            if read > size {
                // The central directory lied about the size: a zip bomb.
                return Err(over(Limit::UnpackedBytes, limits));
            }
            scan.feed(&buf[..n])?;
        }
    }
    Ok(())
}

/// A byte-level look at XML: the longest run of text between markup and the depth of
/// element nesting. Not a parser: comments or `>` in attribute values can fool it, which only
/// makes it lenient, since the workbook reader parses for real afterwards.
struct Scan<'a> {
    limits: &'a Limits,
    xml: bool,
    run: usize,
    depth: usize,
    in_tag: bool,
    /// The byte after `<`: decides whether the tag opens, closes or is neither.
    tag_start: bool,
    closing: bool,
    last: u8,
}

impl<'a> Scan<'a> {
    fn new(limits: &'a Limits, xml: bool) -> Scan<'a> {
        Scan {
            limits,
            xml,
            run: 0,
            depth: 0,
            in_tag: false,
            tag_start: false,
            closing: false,
            last: 0,
        }
    }

    /// Follows `bytes`, the next part of an XML stream: jumps from `<` to `>` and back with
    /// memchr, looking at single bytes only where a tag starts (a county workbook's sheet is
    /// over a hundred megabytes of XML, and this runs before every reading of it).
    fn feed(&mut self, bytes: &[u8]) -> Result<(), SheetError> {
        if !self.xml {
            return Ok(());
        }
        let max_run = self.limits.max_cell_bytes.saturating_mul(ESCAPE_SLACK);
        let mut i = 0;
        while i < bytes.len() {
            if !self.in_tag {
                let text = &bytes[i..];
                let Some(n) = memchr::memchr(b'<', text) else {
                    self.run += text.len();
                    self.last = bytes[bytes.len() - 1];
                    return self.check_run(max_run);
                };
                self.run += n;
                self.check_run(max_run)?;
                self.in_tag = true;
                self.tag_start = true;
                self.run = 0;
                self.last = b'<';
                i += n + 1;
            } else if self.tag_start {
                self.tag_start = false;
                let b = bytes[i];
                match b {
                    // `?` and `!` neither open nor close.
                    b'/' | b'?' | b'!' => self.closing = true,
                    _ => {
                        self.closing = false;
                        self.depth += 1;
                        if self.depth > self.limits.max_xml_depth {
                            return Err(over(Limit::XmlDepth, self.limits));
                        }
                    }
                }
                if b == b'/' {
                    self.depth = self.depth.saturating_sub(1);
                }
                self.last = b;
                i += 1;
            } else {
                let inside = &bytes[i..];
                let Some(n) = memchr::memchr(b'>', inside) else {
                    self.last = bytes[bytes.len() - 1];
                    return Ok(());
                };
                let before = if n == 0 { self.last } else { inside[n - 1] };
                self.in_tag = false;
                if before == b'/' && !self.closing {
                    self.depth = self.depth.saturating_sub(1);
                }
                self.last = b'>';
                i += n + 1;
            }
        }
        Ok(())
    }

    fn check_run(&self, max_run: usize) -> Result<(), SheetError> {
        if self.run > max_run {
            return Err(over(Limit::CellBytes, self.limits));
        }
        Ok(())
    }
}

/// An OpenDocument spreadsheet repeats rows and cells by attribute (`number-rows-repeated`),
/// and its reader expands the repeats into the grid of every table when the file is opened, so
/// a few bytes can ask for a grid of a billion cells. This walks `content.xml` tag by tag,
/// without parsing it, and refuses a table whose cells with content would go past the limits.
pub(crate) fn guard_ods_content(bytes: &[u8], limits: &Limits) -> Result<(), SheetError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupt_detail)?;
    let Ok(content) = zip.by_name("content.xml") else {
        return Ok(());
    };
    let mut grid = OdsGrid::new(limits);
    let mut reader = content.take(limits.max_unpacked_bytes.saturating_add(1));
    let mut buf = vec![0u8; 64 * 1024];
    let mut tag: Vec<u8> = Vec::new();
    let mut in_tag = false;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        for &b in &buf[..n] {
            if in_tag {
                if b == b'>' {
                    in_tag = false;
                    grid.tag(&tag)?;
                    tag.clear();
                } else if tag.len() < MAX_TAG {
                    tag.push(b);
                }
            } else if b == b'<' {
                in_tag = true;
            }
        }
    }
    Ok(())
}

/// Longest tag kept for a look at its attributes; longer ones are cut (their repeat counts,
/// if any, are then not seen, and the reader's own caps apply).
const MAX_TAG: usize = 4096;

struct OdsGrid<'a> {
    limits: &'a Limits,
    /// Rows of the current table so far, repeats expanded.
    row: u64,
    rows_repeated: u64,
    column: u64,
    row_has_content: bool,
    /// Bounding box of the cells with content of the current table.
    first_row: Option<u64>,
    last_row: u64,
    last_column: u64,
    content_rows: u64,
}

impl<'a> OdsGrid<'a> {
    fn new(limits: &'a Limits) -> OdsGrid<'a> {
        OdsGrid {
            limits,
            row: 0,
            rows_repeated: 1,
            column: 0,
            row_has_content: false,
            first_row: None,
            last_row: 0,
            last_column: 0,
            content_rows: 0,
        }
    }

    fn tag(&mut self, tag: &[u8]) -> Result<(), SheetError> {
        let self_closing = tag.last() == Some(&b'/');
        // From the second byte: a closing tag starts with its `/`.
        let name_end = tag
            .iter()
            .skip(1)
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .map_or(tag.len(), |p| p + 1);
        match &tag[..name_end] {
            b"table:table" => *self = OdsGrid::new(self.limits),
            b"table:table-row" => {
                self.rows_repeated = repeat(tag, b"table:number-rows-repeated=");
                self.column = 0;
                self.row_has_content = false;
                if self_closing {
                    self.end_row()?;
                }
            }
            b"/table:table-row" => self.end_row()?,
            b"table:table-cell" | b"table:covered-table-cell" => {
                let columns = repeat(tag, b"table:number-columns-repeated=");
                self.column = self.column.saturating_add(columns);
                if contains(tag, b"office:value-type=") {
                    self.row_has_content = true;
                    self.last_column = self.last_column.max(self.column);
                    if self.column > self.limits.max_columns as u64 {
                        return Err(over(Limit::Columns, self.limits));
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), SheetError> {
        let first = self.row;
        self.row = self.row.saturating_add(self.rows_repeated);
        if self.row_has_content {
            self.first_row.get_or_insert(first);
            self.last_row = self.row;
            self.content_rows = self.content_rows.saturating_add(self.rows_repeated);
            if self.content_rows > self.limits.max_rows as u64 + 1 {
                return Err(over(Limit::Rows, self.limits));
            }
            // The reader allocates the whole bounding box, one value per cell.
            let height = self.last_row - self.first_row.unwrap_or(0);
            let cells = height.saturating_mul(self.last_column);
            let bytes = cells.saturating_mul(std::mem::size_of::<calamine::Data>() as u64);
            if bytes > self.limits.max_table_bytes as u64 {
                return Err(over(Limit::TableBytes, self.limits));
            }
        }
        self.rows_repeated = 1;
        Ok(())
    }
}

/// The number in `attr="N"` of a tag, 1 when absent or unreadable.
fn repeat(tag: &[u8], attr: &[u8]) -> u64 {
    let Some(at) = tag.windows(attr.len()).position(|w| w == attr) else {
        return 1;
    };
    let rest = &tag[at + attr.len()..];
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&rest[..digits.min(19)])
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(1)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(xml: &str, limits: &Limits) -> Result<(), SheetError> {
        Scan::new(limits, true).feed(xml.as_bytes())
    }

    /// The scan a byte at a time, as it was first written: the jumps must agree with it.
    fn reference(bytes: &[u8], limits: &Limits) -> Result<(usize, usize), SheetError> {
        let mut s = Scan::new(limits, true);
        let max_run = limits.max_cell_bytes.saturating_mul(ESCAPE_SLACK);
        for &b in bytes {
            if s.in_tag {
                if s.tag_start {
                    s.tag_start = false;
                    match b {
                        b'/' | b'?' | b'!' => s.closing = true,
                        _ => {
                            s.closing = false;
                            s.depth += 1;
                            if s.depth > limits.max_xml_depth {
                                return Err(over(Limit::XmlDepth, limits));
                            }
                        }
                    }
                    if b == b'/' {
                        s.depth = s.depth.saturating_sub(1);
                    }
                } else if b == b'>' {
                    s.in_tag = false;
                    if s.last == b'/' && !s.closing {
                        s.depth = s.depth.saturating_sub(1);
                    }
                }
            } else if b == b'<' {
                s.in_tag = true;
                s.tag_start = true;
                s.run = 0;
            } else {
                s.run += 1;
                if s.run > max_run {
                    return Err(over(Limit::CellBytes, limits));
                }
            }
            s.last = b;
        }
        Ok((s.depth, s.run))
    }

    /// The scan fed in chunks cut at `cuts`: its depth and its run at the end.
    fn chunked(
        bytes: &[u8],
        cuts: &[usize],
        limits: &Limits,
    ) -> Result<(usize, usize), SheetError> {
        let mut s = Scan::new(limits, true);
        let mut from = 0;
        for &cut in cuts.iter().chain([&bytes.len()]) {
            let to = cut.clamp(from, bytes.len());
            s.feed(&bytes[from..to])?;
            from = to;
        }
        Ok((s.depth, s.run))
    }

    proptest::proptest! {
        #[test]
        fn jumps_agree_with_the_byte_at_a_time_scan(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![b'<', b'>', b'/', b'?', b'!', b'a', b' ', b'x']),
                0..400,
            ),
            mut cuts in proptest::collection::vec(0usize..400, 0..6),
            depth in 1usize..6,
            cell in 1usize..20,
        ) {
            cuts.sort_unstable();
            let limits = Limits { max_xml_depth: depth, max_cell_bytes: cell, ..Limits::default() };
            let expected = reference(&bytes, &limits).map_err(|e| e.to_string());
            let got = chunked(&bytes, &cuts, &limits).map_err(|e| e.to_string());
            proptest::prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn depth_follows_open_close_and_empty_elements() {
        let limits = Limits {
            max_xml_depth: 3,
            ..Limits::default()
        };
        assert!(scan("<?xml v?><a><b/><b><c/></b><b x='1'></b></a>", &limits).is_ok());
        assert!(matches!(
            scan("<a><b><c><d>", &limits),
            Err(SheetError::OverLimit {
                limit: Limit::XmlDepth,
                ..
            })
        ));
        let long = format!(
            "<a>{}</a>",
            "x".repeat(limits.max_cell_bytes * ESCAPE_SLACK + 1)
        );
        assert!(matches!(
            scan(&long, &limits),
            Err(SheetError::OverLimit {
                limit: Limit::CellBytes,
                ..
            })
        ));
    }
}
