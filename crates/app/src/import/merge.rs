//! Merging a row of a file into a resident already registered: the file's non-empty cells win.

use std::collections::HashSet;

use store::registry::{Particulars, ResidentData};

use super::Column;

/// A merge never blanks what is recorded: an empty cell or an absent column keeps the value.
pub(super) fn merge(
    old: &ResidentData,
    new: ResidentData,
    present: &HashSet<Column>,
) -> ResidentData {
    let (was, new_p) = (&old.particulars, new.particulars);
    // The recorded value where the file has no such column, else the file's.
    let kept = |c: Column| !present.contains(&c);
    fn pick<T: Clone>(keep: bool, old: &T, new: T) -> T {
        if keep { old.clone() } else { new }
    }
    let travel = kept(Column::TravelStatus);
    ResidentData {
        particulars: Particulars {
            name: new_p.name,
            document_kind: new_p.document_kind,
            document_masked: new_p.document_masked,
            sex: new_p.sex.or(was.sex),
            birth_date: new_p.birth_date.or_else(|| was.birth_date.clone()),
            phone: new_p.phone.or_else(|| was.phone.clone()),
            hukou: pick(kept(Column::Hukou), &was.hukou, new_p.hukou),
            tenure: pick(kept(Column::Tenure), &was.tenure, new_p.tenure),
            travel_status: pick(travel, &was.travel_status, new_p.travel_status),
            travel_origin: pick(travel, &was.travel_origin, new_p.travel_origin),
            returned_on: pick(travel, &was.returned_on, new_p.returned_on),
            vulnerabilities: pick(
                kept(Column::Vulnerabilities),
                &was.vulnerabilities,
                new_p.vulnerabilities,
            ),
            notes: pick(kept(Column::Notes), &was.notes, new_p.notes),
        },
        document_sealed: old.document_sealed.clone(),
        document_index: new.document_index,
    }
}
