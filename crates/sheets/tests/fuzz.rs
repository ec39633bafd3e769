//! Fuzzing the readers: random and mutated .xlsx and CSV bytes never make them panic, and
//! what they return stays within the limits. A fixed number of cases in the normal suite;
//! `PROPTEST_CASES` asks for more (`.ci/fuzz`).

use proptest::prelude::*;
use sheets::{
    HeaderSearch, Limits, Recognised, SheetError, Table, for_each_row, outline_finding_header,
    outline_within, read_table_finding_header, read_table_within, write_csv, write_xlsx,
};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Small limits, so that going past them is easy to reach.
fn limits() -> Limits {
    Limits {
        max_rows: 50,
        max_columns: 8,
        max_cell_bytes: 64,
        max_unpacked_bytes: 4 * 1024 * 1024,
        max_table_bytes: 64 * 1024,
        max_entries: 32,
        max_sheets: 4,
        max_ratio: 500,
        max_xml_depth: 16,
        max_xls_bytes: 64 * 1024,
    }
}

fn within(result: &Result<Table, SheetError>, limits: &Limits) -> Result<(), TestCaseError> {
    if let Ok(table) = result {
        prop_assert!(table.rows.len() <= limits.max_rows);
        prop_assert!(table.headers.len() <= limits.max_columns);
        for row in &table.rows {
            let last = row
                .cells
                .iter()
                .rposition(|c| !c.is_empty())
                .map_or(0, |i| i + 1);
            prop_assert!(last <= limits.max_columns, "{last} columns");
            for c in &row.cells {
                prop_assert!(c.len() <= limits.max_cell_bytes);
            }
        }
    }
    Ok(())
}

/// Cells a register's header may hold: columns the recogniser below knows, group labels over
/// some of them, a title; and values a data row may hold.
const KNOWN: [&str; 5] = ["姓名", "身份证号", "楼栋", "单元", "房号"];
const OTHER: [&str; 6] = ["住址", "户籍地址", "登记表", "张三", "1号楼", "301"];

/// A row names a header when it names two known columns; cells with `姓` count as known too,
/// so that mutated bytes find headers.
fn register(cells: &[String]) -> Recognised {
    Recognised::counting(cells, |c| KNOWN.contains(&c) || c.contains('姓'), 2)
}

fn outcome<T>(result: Result<T, SheetError>) -> Result<T, TestCaseError> {
    result.map_err(|e| TestCaseError::fail(e.to_string()))
}

/// Reads `bytes` whole and as a stream (outline, then row by row), with the first row as the
/// header and with a header searched for: a file read whole is read the same as a stream, and
/// within the limits.
fn read_both(bytes: &[u8], limits: &Limits) -> Result<(), TestCaseError> {
    let whole = read_table_within(bytes, None, limits);
    within(&whole, limits)?;
    if let Ok(table) = whole {
        let outline = outline_within(bytes, None, limits);
        prop_assert!(outline.is_ok(), "outline: {outline:?}");
        let outline = outcome(outline)?;
        prop_assert_eq!(&outline.headers, &table.headers);
        prop_assert_eq!(outline.rows, table.rows.len());
        prop_assert_eq!(outline.header_rows, 1);
        prop_assert_eq!(streamed(bytes, &outline, limits)?, table.rows);
        // A header found below other rows, perhaps over two: the second reading starts where
        // the first found it and reads what a whole reading with the same search reads.
        let search = HeaderSearch::Pick {
            is_header: &register,
            within: 3,
        };
        let found = outline_finding_header(bytes, None, limits, search);
        prop_assert!(found.is_ok(), "outline: {found:?}");
        let found = outcome(found)?;
        let whole = outcome(read_table_finding_header(bytes, None, limits, search))?;
        prop_assert_eq!(&found.headers, &whole.headers);
        prop_assert_eq!(found.rows, whole.rows.len());
        prop_assert!((1..=2).contains(&found.header_rows));
        let rows = streamed(bytes, &found, limits)?;
        prop_assert!(rows.iter().all(|r| r.number >= found.header_row));
        prop_assert_eq!(rows, whole.rows);
    }
    Ok(())
}

/// The rows of a second reading, after `outline`.
fn streamed(
    bytes: &[u8],
    outline: &sheets::Outline,
    limits: &Limits,
) -> Result<Vec<sheets::Row>, TestCaseError> {
    let mut rows = Vec::new();
    let read = for_each_row(bytes, outline, limits, |row| {
        rows.push(row);
        Ok(())
    });
    prop_assert!(read.is_ok(), "rows: {read:?}");
    prop_assert_eq!(rows.len(), outline.rows);
    Ok(rows)
}

/// Small sheets of header words, group labels, titles, values and blanks, in any order:
/// headers over one row or two, above or below titles, and rows that only look like them.
fn register_grid() -> impl Strategy<Value = Vec<Vec<String>>> {
    let cell = prop_oneof![
        3 => Just(String::new()),
        3 => proptest::sample::select(KNOWN.to_vec()).prop_map(str::to_owned),
        2 => proptest::sample::select(OTHER.to_vec()).prop_map(str::to_owned),
    ];
    proptest::collection::vec(proptest::collection::vec(cell, 0..6), 1..8)
}

/// A small register as .xlsx, to mutate.
fn seed_xlsx() -> Vec<u8> {
    let headers: Vec<String> = ["姓名", "身份证号", "楼栋"].map(str::to_owned).to_vec();
    let rows: Vec<Vec<String>> = (0..5)
        .map(|i| {
            vec![
                format!("王{i}"),
                format!("61082519900101{i:03}X"),
                "1号楼".to_owned(),
            ]
        })
        .collect();
    write_xlsx("Sheet1", &headers, &rows).unwrap_or_default()
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..64)
        )
            .prop_map(|(at, b)| Mutation::Insert(at, b)),
        (any::<usize>(), 1usize..256).prop_map(|(at, n)| Mutation::Remove(at, n)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Flip(at, b) => {
                if let Some(x) = bytes.get_mut(at % len) {
                    *x ^= *b;
                }
            }
            Mutation::Insert(at, b) => {
                let at = (at % len).min(bytes.len());
                bytes.splice(at..at, b.iter().copied());
            }
            Mutation::Remove(at, n) => {
                let at = (at % len).min(bytes.len());
                let end = (at + n).min(bytes.len());
                bytes.drain(at..end);
            }
            Mutation::Truncate(at) => bytes.truncate(at % len),
        }
    }
    bytes
}

/// CSV-like text: cells, delimiters, quotes and line breaks in any order.
fn csv_text() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            "[a-z0-9姓名]{0,80}".prop_map(String::into_bytes),
            Just(b",".to_vec()),
            Just(b";".to_vec()),
            Just(b"\t".to_vec()),
            Just(b"\"".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r".to_vec()),
            Just(b"\xEF\xBB\xBF".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..8),
        ],
        0..200,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let limits = limits();
        read_both(&bytes, &limits)?;
    }

    #[test]
    fn mutated_xlsx_never_panics_nor_exceeds_the_limits(
        mutations in proptest::collection::vec(mutation(), 1..6)
    ) {
        let limits = limits();
        let bytes = mutate(seed_xlsx(), &mutations);
        read_both(&bytes, &limits)?;
    }

    #[test]
    fn registers_read_alike_whole_and_as_a_stream(grid in register_grid(), xlsx in any::<bool>()) {
        let limits = limits();
        let (header, rows) = grid.split_first().map_or((&[][..], &[][..]), |(h, r)| (&h[..], r));
        let bytes = if xlsx {
            outcome(write_xlsx("登记", header, rows))?
        } else {
            write_csv(header, rows)
        };
        read_both(&bytes, &limits)?;
    }

    #[test]
    fn csv_never_panics_nor_exceeds_the_limits(text in csv_text()) {
        let limits = limits();
        read_both(&text, &limits)?;
    }

    #[test]
    fn mutated_csv_never_panics(
        text in csv_text(),
        mutations in proptest::collection::vec(mutation(), 0..4),
    ) {
        let limits = limits();
        let bytes = mutate(text, &mutations);
        read_both(&bytes, &limits)?;
    }
}

#[test]
fn the_seed_reads() {
    let table = read_table_within(&seed_xlsx(), None, &limits());
    assert!(table.is_ok_and(|t| t.rows.len() == 5));
}
