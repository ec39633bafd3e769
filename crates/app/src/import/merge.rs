//! Merging a row of a file into a resident already registered: the file's non-empty cells win.

use std::collections::HashSet;

use store::registry::ResidentData;

use super::Column;

/// A merge never blanks what is recorded: an empty cell or an absent column keeps the value.
pub(super) fn merge(
    old: &ResidentData,
    new: ResidentData,
    present: &HashSet<Column>,
) -> ResidentData {
    let keep = |c: Column| !present.contains(&c);
    ResidentData {
        name: new.name,
        document_kind: new.document_kind,
        document_sealed: old.document_sealed.clone(),
        document_index: new.document_index,
        document_masked: new.document_masked,
        sex: new.sex.or(old.sex),
        birth_date: new.birth_date.or_else(|| old.birth_date.clone()),
        phone: new.phone.or_else(|| old.phone.clone()),
        hukou: if keep(Column::Hukou) {
            old.hukou
        } else {
            new.hukou
        },
        tenure: if keep(Column::Tenure) {
            old.tenure
        } else {
            new.tenure
        },
        travel_status: if keep(Column::TravelStatus) {
            old.travel_status
        } else {
            new.travel_status
        },
        travel_origin: if keep(Column::TravelStatus) {
            old.travel_origin.clone()
        } else {
            new.travel_origin
        },
        returned_on: if keep(Column::TravelStatus) {
            old.returned_on.clone()
        } else {
            new.returned_on
        },
        vulnerabilities: if keep(Column::Vulnerabilities) {
            old.vulnerabilities
        } else {
            new.vulnerabilities
        },
        notes: if keep(Column::Notes) {
            old.notes.clone()
        } else {
            new.notes
        },
    }
}
