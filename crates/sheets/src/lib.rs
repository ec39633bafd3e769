//! Spreadsheet I/O for Gridwatch: tables of strings in, tables of strings out.
//!
//! This crate knows nothing of the domain. It reads the registers communities already keep
//! (.xlsx, .xls, .ods, .csv in UTF-8, UTF-16 or GB18030) into a [`Table`] of trimmed strings
//! that keeps the row numbers a user sees in Excel, and writes tables back as .xlsx (every cell
//! text, so ID and phone numbers survive) or as CSV that Excel in China opens correctly.

mod cell;
mod guard;
mod limits;
mod read;
mod sniff;
mod stream;
mod text;
mod write;

pub use limits::{Limit, Limits};
pub use read::{
    HEADER_SEARCH_ROWS, Outline, for_each_row, outline_finding_header, outline_within, read_table,
    read_table_finding_header, read_table_within,
};
pub use sniff::detect_format;
pub use stream::{HeaderSearch, Recognised};
pub use write::{write_csv, write_xlsx};

/// A sheet read from a file: one header row and the data rows below it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// Header cells, trimmed (BOM and full-width spaces too), trailing empty ones dropped.
    pub headers: Vec<String>,
    /// Non-blank data rows in file order.
    pub rows: Vec<Row>,
}

impl Table {
    /// Index of the first header equal to `name` (headers are already trimmed).
    #[must_use]
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }
}

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    /// 1-based row number as Excel shows it: the header is usually row 1, the first data row 2;
    /// blank rows are skipped but still counted.
    pub number: usize,
    /// Trimmed cells; at least as many as there are headers, more if the row has extra
    /// non-empty cells beyond the last header.
    pub cells: Vec<String>,
}

impl Row {
    /// The cell at `index`, or "" past the end.
    #[must_use]
    pub fn cell(&self, index: usize) -> &str {
        self.cells.get(index).map_or("", String::as_str)
    }
}

/// The kind of file, decided by content, never by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Office Open XML workbook (also accepts the binary .xlsb variant).
    Xlsx,
    /// Legacy Excel 97–2003 workbook.
    Xls,
    /// OpenDocument spreadsheet (WPS and LibreOffice can save it).
    Ods,
    /// Delimited text: comma, semicolon or tab.
    Csv,
}

/// Why a file could not be read or a sheet not written.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// Binary content that is no spreadsheet we know (an image, a Word file, an HTML page…).
    #[error("the file is not a spreadsheet")]
    NotASpreadsheet,
    /// Text that is neither UTF-8, UTF-16 with a BOM, nor GB18030.
    #[error("the text encoding of the file is not recognised")]
    Encoding,
    /// No header row: the file or its first worksheet is empty.
    #[error("the sheet is empty")]
    Empty,
    /// The workbook is protected by a password, so its cells are encrypted.
    #[error("the workbook is password protected")]
    Encrypted,
    /// The file looks like a spreadsheet but could not be parsed.
    #[error("the spreadsheet is damaged: {detail}")]
    Corrupt {
        /// Parser message, for logs.
        detail: String,
    },
    /// An .xlsx cannot hold that many rows; the caller should split or export CSV.
    #[error("{rows} rows exceed the limit of {max} rows of a worksheet")]
    TooManyRows {
        /// Rows requested, header included.
        rows: usize,
        /// Excel's limit, header included.
        max: usize,
    },
    /// The file goes past one of the [`Limits`]; nothing more of it is read.
    #[error("the file exceeds the limit of {max} ({})", limit.code())]
    OverLimit {
        /// Which limit.
        limit: Limit,
        /// The limit as a user reads it ("64", "32 KB", "1024 MB").
        max: String,
    },
    /// The reader of the rows stopped the reading (see [`for_each_row`]).
    #[error("the reading was stopped")]
    Stopped,
    /// The workbook could not be written (too many columns, a cell over 32,767 characters…).
    #[error("the spreadsheet could not be written: {detail}")]
    Write {
        /// Writer message, for logs.
        detail: String,
    },
}

impl SheetError {
    /// Stable snake_case code for the server to translate.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotASpreadsheet => "not_a_spreadsheet",
            Self::Encoding => "unknown_encoding",
            Self::Empty => "empty_sheet",
            Self::Encrypted => "encrypted_sheet",
            Self::Corrupt { .. } => "corrupt_sheet",
            Self::TooManyRows { .. } => "too_many_rows",
            Self::Write { .. } => "write_failed",
            Self::Stopped => "stopped",
            Self::OverLimit { limit, .. } => limit.code(),
        }
    }

    /// What a message about the error shows besides its code: the limit gone past, or the
    /// row limit of a worksheet; empty otherwise.
    #[must_use]
    pub fn detail(&self) -> String {
        match self {
            Self::OverLimit { max, .. } => max.clone(),
            Self::TooManyRows { max, .. } => max.to_string(),
            _ => String::new(),
        }
    }
}

pub(crate) fn corrupt_detail(error: impl std::fmt::Display) -> SheetError {
    SheetError::Corrupt {
        detail: error.to_string(),
    }
}
