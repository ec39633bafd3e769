//! One register row: its cells under the columns the header named, parsed into a resident
//! draft and the home it names.

use std::collections::HashSet;

use domain::registry::{Label, ROOM_MAX};
use domain::resident::RawResident;

use super::Column;

/// A register row turned into a resident draft and the home it names.
pub(crate) struct ParsedRow {
    pub(crate) draft: domain::registry::ResidentDraft,
    /// The grid the row names, for a building the import creates.
    pub(crate) grid: String,
    pub(crate) building: String,
    pub(crate) unit: String,
    pub(crate) room: String,
    pub(crate) present: HashSet<Column>,
}

/// The import row parser: the cells of one row under the columns the header named, with every
/// problem of the row (column, code, detail) when it is not a resident. Pure, so it is fuzzed.
pub(crate) fn parse_cells(
    columns: &[Option<Column>],
    cells: &[String],
    today: jiff::civil::Date,
) -> Result<ParsedRow, Vec<(Column, String, String)>> {
    let mut raw = RawResident::default();
    let (mut building, mut unit, mut room) = (String::new(), String::new(), String::new());
    let mut grid = String::new();
    let mut present = HashSet::new();
    for (cell, col) in cells.iter().zip(columns) {
        let Some(col) = col else { continue };
        if !cell.trim().is_empty() {
            present.insert(*col);
        }
        let target = match col {
            Column::Name => &mut raw.name,
            Column::DocumentKind => &mut raw.document_kind,
            Column::DocumentNumber => &mut raw.document_number,
            Column::Sex => &mut raw.sex,
            Column::BirthDate => &mut raw.birth_date,
            Column::Phone => &mut raw.phone,
            Column::Grid => &mut grid,
            Column::Building => &mut building,
            Column::Unit => &mut unit,
            Column::Room => &mut room,
            Column::Hukou => &mut raw.hukou,
            Column::Tenure => &mut raw.tenure,
            Column::TravelStatus => &mut raw.travel_status,
            Column::TravelOrigin => &mut raw.travel_origin,
            Column::ReturnedOn => &mut raw.returned_on,
            Column::Vulnerabilities => &mut raw.vulnerabilities,
            Column::Notes => &mut raw.notes,
        };
        target.clone_from(cell);
    }
    let mut errors: Vec<(Column, String, String)> = Vec::new();
    if raw.document_number.contains("E+") {
        errors.push((
            Column::DocumentNumber,
            "id_number_as_excel_number".to_owned(),
            raw.document_number.clone(),
        ));
    }
    for (col, v) in [
        (Column::Building, &building),
        (Column::Unit, &unit),
        (Column::Room, &room),
    ] {
        if let Err(e) = Label::parse(v, ROOM_MAX) {
            errors.push((
                col,
                domain::validation::Coded::code(&e).to_owned(),
                String::new(),
            ));
        }
    }
    match raw.parse(today) {
        Ok(draft) if errors.is_empty() => Ok(ParsedRow {
            draft,
            grid: grid.trim().to_owned(),
            building: building.trim().to_owned(),
            unit: unit.trim().to_owned(),
            room: room.trim().to_owned(),
            present,
        }),
        Ok(_) => Err(errors),
        Err(fe) => {
            let id_refused = errors.iter().any(|(c, _, _)| *c == Column::DocumentNumber);
            errors.extend(
                fe.0.into_iter()
                    .filter(|f| !id_refused || f.field != "document_number")
                    .map(|f| (Column::from_field(&f.field), f.code, f.detail)),
            );
            Err(errors)
        }
    }
}
