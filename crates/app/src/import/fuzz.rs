//! Fuzzing the import row parser and the citizen ID parser it relies on: any cells under any
//! header give a resident or a list of problems, never a panic. A fixed number of cases in the
//! normal suite; `PROPTEST_CASES` asks for more (`.ci/fuzz`).

use proptest::prelude::*;

use super::{Column, parse_cells};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(128);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Headers the parser knows (an export's, and another word for the ID number), plus one it
/// does not.
fn headers() -> Vec<&'static str> {
    let mut h = crate::registry::EXPORT_HEADERS.to_vec();
    h.extend(["身份证号", "其他"]);
    h
}

/// Cells shaped like a register's: ID numbers, dates, phones, labels, and noise.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{17}[0-9Xx]",
        "[0-9]{6}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]",
        "[0-9]{1,20}(\\.[0-9]{1,3})?(E\\+[0-9]{2})?",
        "(19|20)[0-9]{2}[-/.年][0-9]{1,2}[-/.月][0-9]{1,2}日?",
        "1[3-9][0-9]{9}",
        "[1-9][0-9]?号楼",
        "\\PC{0,40}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_row_is_a_resident_or_its_problems(
        headers in proptest::collection::vec(proptest::sample::select(headers()), 0..18),
        cells in proptest::collection::vec(cell(), 0..20),
    ) {
        let columns: Vec<Option<Column>> = headers.iter().map(|h| Column::from_header(h)).collect();
        let today = jiff::civil::date(2026, 1, 5);
        match parse_cells(&columns, &cells, today) {
            Ok(row) => {
                prop_assert!(!row.building.is_empty());
                prop_assert!(!row.room.is_empty());
            }
            Err(problems) => prop_assert!(!problems.is_empty()),
        }
    }

    #[test]
    fn any_text_is_a_citizen_id_or_a_coded_refusal(text in prop_oneof![
        "[0-9]{17}[0-9Xx]",
        "[0-9Xx \\-]{0,25}",
        "\\PC{0,30}",
    ]) {
        match domain::citizen_id::CitizenId::parse(&text) {
            Ok(id) => prop_assert_eq!(id.as_str().len(), 18),
            Err(e) => prop_assert!(!e.code().is_empty()),
        }
    }
}
