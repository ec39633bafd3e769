//! Deciding what a file is from its bytes, since users rename files freely (and some systems
//! export HTML or text under an .xls name).

use crate::{Format, SheetError};

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
pub(crate) const UTF16LE_BOM: &[u8] = b"\xFF\xFE";
pub(crate) const UTF16BE_BOM: &[u8] = b"\xFE\xFF";

/// Binary formats users upload by mistake whose first KiBs may hold no NUL byte.
const OTHER_BINARY_MAGICS: &[&[u8]] = &[
    b"%PDF-",
    b"\x1F\x8B",
    b"Rar!",
    b"7z\xBC\xAF",
    b"\xFF\xD8\xFF",
    b"GIF8",
    b"\x89PNG",
];

/// How much of a text file is checked for NUL bytes.
const NUL_WINDOW: usize = 8 * 1024;

/// An ODF package stores an uncompressed `mimetype` entry first, so its value sits at a fixed
/// offset right after the 30-byte local header and the 8-byte name.
const ODF_MIMETYPE_NAME_AT: usize = 30;
const ODF_PREFIX: &[u8] = b"application/vnd.oasis.opendocument.";
const ODS_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

/// Entry names are stored uncompressed in local headers (usually near the start) and in the
/// central directory (at the end), so looking at both ends suffices without a full scan.
const ZIP_HEAD: usize = 64 * 1024;
const ZIP_TAIL: usize = 1024 * 1024;

/// The format of `bytes`, decided by content only.
///
/// # Errors
///
/// [`SheetError::Empty`] for no bytes, [`SheetError::NotASpreadsheet`] for an archive that is
/// not a workbook, a known non-spreadsheet binary, binary data (NUL bytes in the first 8 KiB
/// of something that is not UTF-16 text) or an HTML/XML page.
pub fn detect_format(bytes: &[u8]) -> Result<Format, SheetError> {
    if bytes.is_empty() {
        return Err(SheetError::Empty);
    }
    if bytes.starts_with(ZIP_MAGIC) {
        return zip_format(bytes);
    }
    if bytes.starts_with(OLE_MAGIC) {
        return Ok(Format::Xls);
    }
    if bytes.starts_with(UTF16LE_BOM) || bytes.starts_with(UTF16BE_BOM) {
        // Excel's "Unicode text" export: UTF-16, tab separated, full of NUL bytes.
        return Ok(Format::Csv);
    }
    if OTHER_BINARY_MAGICS.iter().any(|m| bytes.starts_with(m)) {
        return Err(SheetError::NotASpreadsheet);
    }
    if bytes[..bytes.len().min(NUL_WINDOW)].contains(&0) {
        return Err(SheetError::NotASpreadsheet);
    }
    let text = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if text.trim_ascii_start().starts_with(b"<") {
        // HTML tables and SpreadsheetML 2003 saved as ".xls": not something we can parse, and
        // reading the markup as CSV would only produce confusing errors about headers.
        return Err(SheetError::NotASpreadsheet);
    }
    Ok(Format::Csv)
}

fn zip_format(bytes: &[u8]) -> Result<Format, SheetError> {
    let after_name = ODF_MIMETYPE_NAME_AT + b"mimetype".len();
    if bytes.get(ODF_MIMETYPE_NAME_AT..after_name) == Some(b"mimetype".as_slice()) {
        let value = &bytes[after_name..];
        if value.starts_with(ODS_MIMETYPE) {
            return Ok(Format::Ods);
        }
        if value.starts_with(ODF_PREFIX) {
            // A text document or presentation.
            return Err(SheetError::NotASpreadsheet);
        }
    }
    if local_entry_names(bytes).any(|name| name.starts_with(b"xl/"))
        || zip_names_contain(bytes, b"xl/workbook")
    {
        return Ok(Format::Xlsx);
    }
    if zip_names_contain(bytes, b"content.xml") && zip_names_contain(bytes, b"mimetype") {
        // An ODF package written without the mimetype entry first.
        return Ok(Format::Ods);
    }
    // A plain archive, a Word document (word/), a presentation (ppt/)…
    Err(SheetError::NotASpreadsheet)
}

/// Names of the entries whose local headers start in the first bytes of the archive. Found by
/// signature rather than by walking the headers, because writers that stream (rust_xlsxwriter
/// among them) give entry sizes only after the data; this also works on truncated uploads,
/// which have no central directory.
fn local_entry_names(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    const NAME_AT: usize = 30;
    let head = &bytes[..bytes.len().min(ZIP_HEAD)];
    head.windows(ZIP_MAGIC.len())
        .enumerate()
        .filter(|(_, w)| *w == ZIP_MAGIC)
        .filter_map(move |(at, _)| {
            let len = bytes.get(at + 26..at + 28)?;
            let len = usize::from(u16::from_le_bytes([len[0], len[1]]));
            bytes.get(at + NAME_AT..at + NAME_AT + len)
        })
}

/// Whether an entry name containing `needle` appears in the parts of a ZIP holding names.
pub(crate) fn zip_names_contain(bytes: &[u8], needle: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(ZIP_HEAD)];
    let tail = &bytes[bytes.len().saturating_sub(ZIP_TAIL)..];
    contains(head, needle) || contains(tail, needle)
}

pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    let Some(&first) = needle.first() else {
        return true;
    };
    // Comparing the first byte before the slice keeps whole-file scans of workbooks cheap.
    haystack
        .windows(needle.len())
        .any(|w| w[0] == first && w == needle)
}

/// Whether `name` appears in UTF-16LE, as OLE directory entries store stream names.
pub(crate) fn contains_utf16le(haystack: &[u8], name: &str) -> bool {
    let needle: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    contains(haystack, &needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert!(matches!(detect_format(b""), Err(SheetError::Empty)));
        assert!(matches!(detect_format(OLE_MAGIC), Ok(Format::Xls)));
        assert!(matches!(detect_format(b"a,b\n1,2\n"), Ok(Format::Csv)));
        assert!(matches!(
            detect_format(b"\xFF\xFEa\0,\0b\0"),
            Ok(Format::Csv)
        ));
        assert!(matches!(
            detect_format(b"\xEF\xBB\xBF  <html><table>"),
            Err(SheetError::NotASpreadsheet)
        ));
        assert!(matches!(
            detect_format(b"%PDF-1.7\n"),
            Err(SheetError::NotASpreadsheet)
        ));
        let mut ods = b"PK\x03\x04".to_vec();
        ods.resize(30, 0);
        ods.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheetPK");
        assert!(matches!(detect_format(&ods), Ok(Format::Ods)));
        let mut odt = b"PK\x03\x04".to_vec();
        odt.resize(30, 0);
        odt.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.textPK");
        assert!(matches!(
            detect_format(&odt),
            Err(SheetError::NotASpreadsheet)
        ));
        assert!(matches!(
            detect_format(b"PK\x03\x04\0\0word/document.xml"),
            Err(SheetError::NotASpreadsheet)
        ));
    }
}
