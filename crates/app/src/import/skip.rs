//! Lines of a register that are not residents: the totals and signature lines clerks add at the
//! bottom. They are passed over and reported with their reason, not refused as bad rows.

use serde::Serialize;

use super::Column;

/// Why a row was passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// 合计 / 总计 / 小计 / 共计: a count of the rows above.
    TotalsRow,
    /// 填表人 / 审核人 / 负责人 / 签字 …: who filled in, checked or signed the register.
    SignatureRow,
}

impl SkipReason {
    /// The codes under which passed-over rows are recorded beside the rejected ones.
    pub const CODES: [&'static str; 2] = ["totals_row", "signature_row"];

    pub fn code(self) -> &'static str {
        match self {
            SkipReason::TotalsRow => "totals_row",
            SkipReason::SignatureRow => "signature_row",
        }
    }

    pub fn from_code(code: &str) -> Option<SkipReason> {
        [SkipReason::TotalsRow, SkipReason::SignatureRow]
            .into_iter()
            .find(|r| r.code() == code)
    }
}

const TOTALS: [&str; 6] = ["合计", "总计", "小计", "共计", "总数", "total"];
const SIGNATURE: [&str; 12] = [
    "填表人",
    "填报人",
    "制表人",
    "制表",
    "审核人",
    "审核",
    "负责人",
    "签字",
    "签名",
    "盖章",
    "填表日期",
    "signed",
];

/// Whether a row is a totals or signature line: it has no ID number and one of its cells (the
/// name's often: the line sits in the first columns) begins with a word such lines begin with.
pub(crate) fn skip_reason(columns: &[Option<Column>], cells: &[String]) -> Option<SkipReason> {
    let names_someone = cells
        .iter()
        .zip(columns)
        .any(|(cell, col)| *col == Some(Column::DocumentNumber) && !cell.trim().is_empty());
    if names_someone {
        return None;
    }
    let starts = |words: &[&str]| {
        cells.iter().any(|c| {
            let c = c.trim_start().to_lowercase();
            words.iter().any(|w| c.starts_with(w))
        })
    };
    if starts(&TOTALS) {
        Some(SkipReason::TotalsRow)
    } else if starts(&SIGNATURE) {
        Some(SkipReason::SignatureRow)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    const COLUMNS: [Option<Column>; 3] = [None, Some(Column::Name), Some(Column::DocumentNumber)];

    #[test]
    fn every_reason_is_recorded_under_its_code() {
        for r in [SkipReason::TotalsRow, SkipReason::SignatureRow] {
            assert!(SkipReason::CODES.contains(&r.code()));
            assert_eq!(SkipReason::from_code(r.code()), Some(r));
        }
    }

    #[test]
    fn totals_and_signature_lines_are_passed_over() {
        assert_eq!(
            skip_reason(&COLUMNS, &row(&["合计：214人", "", ""])),
            Some(SkipReason::TotalsRow)
        );
        assert_eq!(
            skip_reason(&COLUMNS, &row(&["", "填表人：王芳  审核人：李明", ""])),
            Some(SkipReason::SignatureRow)
        );
    }

    #[test]
    fn a_row_with_an_id_number_is_never_passed_over() {
        assert_eq!(
            skip_reason(&COLUMNS, &row(&["", "合计：3人", ""])),
            Some(SkipReason::TotalsRow)
        );
        assert_eq!(
            skip_reason(&COLUMNS, &row(&["合计", "张三", "610825198409190011"])),
            None
        );
        assert_eq!(
            skip_reason(&COLUMNS, &row(&["", "", "610825198409190011"])),
            None
        );
        // A row with nothing recognisable is left to the parser, which says what it misses.
        assert_eq!(skip_reason(&COLUMNS, &row(&["3", "", ""])), None);
    }
}
