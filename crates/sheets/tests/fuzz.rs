//! Fuzzing the readers: random and mutated .xlsx and CSV bytes never make them panic, and
//! what they return stays within the limits. A fixed number of cases in the normal suite;
//! `PROPTEST_CASES` asks for more (`.ci/fuzz`).

use proptest::prelude::*;
use sheets::{
    Limits, SheetError, Table, for_each_row, outline_within, read_table_within, write_xlsx,
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

/// Reads `bytes` whole and as a stream (outline, then row by row): a file read whole is read
/// the same as a stream, and within the limits.
fn read_both(bytes: &[u8], limits: &Limits) -> Result<(), TestCaseError> {
    let whole = read_table_within(bytes, None, limits);
    within(&whole, limits)?;
    if let Ok(table) = whole {
        let outline = outline_within(bytes, None, limits);
        prop_assert!(outline.is_ok(), "outline: {outline:?}");
        let outline = outline.map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&outline.headers, &table.headers);
        prop_assert_eq!(outline.rows, table.rows.len());
        let mut rows = Vec::new();
        let streamed = for_each_row(bytes, &outline, limits, |row| {
            rows.push(row);
            Ok(())
        });
        prop_assert!(streamed.is_ok(), "rows: {streamed:?}");
        prop_assert_eq!(rows, table.rows);
        // A header found below other rows: the second reading starts where the first found it.
        let named = |cells: &[String]| cells.iter().any(|c| c.contains('姓'));
        let search = sheets::HeaderSearch::Pick {
            is_header: &named,
            within: 3,
        };
        let found = sheets::outline_finding_header(bytes, None, limits, search);
        prop_assert!(found.is_ok(), "outline: {found:?}");
        let found = found.map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut numbers = Vec::new();
        let streamed = for_each_row(bytes, &found, limits, |row| {
            numbers.push(row.number);
            Ok(())
        });
        prop_assert!(streamed.is_ok(), "rows: {streamed:?}");
        prop_assert_eq!(numbers.len(), found.rows);
        prop_assert!(numbers.iter().all(|n| *n >= found.header_row));
    }
    Ok(())
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
