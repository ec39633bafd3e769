//! The bounds an uploaded file must stay within before and while it is read, so that a small
//! hostile file (a sparse sheet, a zip bomb, a giant cell) is refused instead of taking the
//! memory of the server.

/// Bounds on what a file may hold. The defaults fit a county register (hundreds of thousands
/// of residents, a few dozen columns) with room to spare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Non-blank data rows (the header not counted).
    pub max_rows: usize,
    /// Columns: no cell with content may lie past this column (64 = A to BL), and a sheet may
    /// not declare more.
    pub max_columns: usize,
    /// Bytes of text in one cell (UTF-8).
    pub max_cell_bytes: usize,
    /// Bytes of a workbook once unzipped, all its parts together.
    pub max_unpacked_bytes: u64,
    /// Memory the rows read may take, text and bookkeeping together.
    pub max_table_bytes: usize,
    /// Parts (entries) of a zipped workbook.
    pub max_entries: usize,
    /// Worksheets of a workbook.
    pub max_sheets: usize,
    /// How many times larger than its compressed form a part of a workbook may be.
    pub max_ratio: u64,
    /// Nesting of XML elements in a workbook's parts.
    pub max_xml_depth: usize,
    /// Size of a legacy .xls file, whose reader builds the whole grid of a sheet.
    pub max_xls_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_rows: 2_000_000,
            max_columns: 64,
            max_cell_bytes: 32 * 1024,
            max_unpacked_bytes: 1024 * 1024 * 1024,
            max_table_bytes: 512 * 1024 * 1024,
            max_entries: 1_000,
            max_sheets: 64,
            max_ratio: 500,
            max_xml_depth: 64,
            max_xls_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Which bound a file went past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Rows,
    Columns,
    CellBytes,
    UnpackedBytes,
    TableBytes,
    Entries,
    Sheets,
    Ratio,
    XmlDepth,
    XlsBytes,
}

impl Limit {
    /// Stable snake_case code, translated by the server with the limit as detail.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Limit::Rows => "upload_too_many_rows",
            Limit::Columns => "upload_too_many_columns",
            Limit::CellBytes => "upload_cell_too_large",
            Limit::UnpackedBytes => "upload_unpacked_too_large",
            Limit::TableBytes => "upload_table_too_large",
            Limit::Entries => "upload_too_many_parts",
            Limit::Sheets => "upload_too_many_sheets",
            Limit::Ratio => "upload_compression_ratio",
            Limit::XmlDepth => "upload_xml_too_deep",
            Limit::XlsBytes => "upload_xls_too_large",
        }
    }

    /// The limit of `limits` this names, as a number for messages.
    #[must_use]
    pub fn of(self, limits: &Limits) -> u64 {
        let n = match self {
            Limit::Rows => limits.max_rows,
            Limit::Columns => limits.max_columns,
            Limit::CellBytes => limits.max_cell_bytes,
            Limit::UnpackedBytes => return limits.max_unpacked_bytes,
            Limit::TableBytes => limits.max_table_bytes,
            Limit::Entries => limits.max_entries,
            Limit::Sheets => limits.max_sheets,
            Limit::Ratio => return limits.max_ratio,
            Limit::XmlDepth => limits.max_xml_depth,
            Limit::XlsBytes => limits.max_xls_bytes,
        };
        u64::try_from(n).unwrap_or(u64::MAX)
    }

    /// The limit as a user reads it: sizes in KB or MB, counts as they are.
    #[must_use]
    pub fn display(self, limits: &Limits) -> String {
        let n = self.of(limits);
        match self {
            Limit::CellBytes => format!("{} KB", n / 1024),
            Limit::UnpackedBytes | Limit::TableBytes | Limit::XlsBytes => {
                format!("{} MB", n / (1024 * 1024))
            }
            _ => n.to_string(),
        }
    }
}
