//! The preview of an import: what the file holds and what importing it would do, computed
//! from the same plan as the import itself and written nowhere.

use domain::registry::ImportStatus;
use serde::Serialize;
use store::imports::Reject;

use super::batch::{self, RunState, Target};
use super::skip::SkipReason;
use super::{Column, ImportOptions, PreparedImport};
use crate::{Actor, App, AppResult};

/// Rows of the file shown as they will be read.
const SAMPLE_ROWS: usize = 8;
/// Problems listed; the counts cover all of them.
const PREVIEW_PROBLEMS: usize = 20;
/// Buildings to create listed by name; the count covers all of them.
const NEW_BUILDINGS_LISTED: usize = 50;

/// A header of the file and the column it is read as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewColumn {
    pub header: String,
    pub column: Option<Column>,
    /// Read as a column by the header's own words, without a mapping.
    pub recognised: bool,
}

/// A row of the file as Excel numbers it, with its cells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SampleRow {
    pub number: usize,
    pub cells: Vec<String>,
}

/// What importing the file would do, row by row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewCounts {
    pub rows: usize,
    pub inserted: usize,
    pub merged: usize,
    pub unchanged: usize,
    pub rejected: usize,
    pub skipped: usize,
}

/// The file as the importer reads it and what importing it would do.
#[derive(Debug, Clone, Serialize)]
pub struct ImportPreview {
    pub file_name: String,
    /// The header's row number as Excel shows it, and the rows with content above it (titles,
    /// a date line) that are passed over.
    pub header_row: usize,
    /// 2 when the header spans two rows (a merged group over its columns).
    pub header_rows: usize,
    pub rows_above_header: usize,
    /// The worksheet the register was read from, in a workbook.
    pub sheet: Option<String>,
    pub columns: Vec<PreviewColumn>,
    /// Columns a register must have that no header is read as: nothing is counted until they
    /// are mapped.
    pub missing: Vec<Column>,
    /// The first rows, under the headers, as they will be read.
    pub sample: Vec<SampleRow>,
    pub counts: PreviewCounts,
    /// The first problems, by row.
    pub problems: Vec<Reject>,
    pub skipped: Vec<(usize, SkipReason)>,
    /// Buildings the file names that the community lacks, created by the import in the chosen
    /// grid (the first ones by name, and how many in all), and the units they and others need.
    pub new_buildings: Vec<String>,
    pub new_building_count: usize,
    pub new_units: usize,
    pub create_buildings_in_grid: Option<i64>,
}

/// A row of the file as the preview shows it: ID and phone numbers masked, as everywhere else,
/// although they come from the viewer's own file.
fn sample_row(columns: &[Option<Column>], row: &sheets::Row) -> SampleRow {
    let cells = row
        .cells
        .iter()
        .enumerate()
        .map(|(i, cell)| match columns.get(i) {
            Some(Some(Column::DocumentNumber | Column::Phone)) => mask_cell(cell),
            _ => cell.clone(),
        })
        .collect();
    SampleRow {
        number: row.number,
        cells,
    }
}

/// Masks a cell that may not be a valid number yet: an ID's region and last four, a phone's
/// first three and last four, nothing of a short one.
fn mask_cell(cell: &str) -> String {
    let chars: Vec<char> = cell.chars().collect();
    let n = chars.len();
    let (head, tail) = match n {
        15.. => (6, 4),
        8..=14 => (3, 4),
        _ => (0, 0),
    };
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(n - head - tail));
    out.extend(&chars[n - tail..]);
    out
}

impl PreparedImport {
    pub(super) fn missing_columns(&self) -> Vec<Column> {
        Column::REQUIRED
            .into_iter()
            .filter(|c| !self.columns.contains(&Some(*c)))
            .collect()
    }
}

impl App {
    /// Reads the file and plans its import without writing anything: the header found, each
    /// column's reading, the first rows, and how many rows would be inserted, merged, left
    /// unchanged, rejected or passed over, with the first problems and the buildings and units
    /// that would be created.
    pub async fn preview_import(
        &self,
        actor: &Actor,
        community_id: i64,
        file_name: &str,
        bytes: impl Into<bytes::Bytes>,
        options: &ImportOptions,
    ) -> AppResult<ImportPreview> {
        let p = self
            .prepare(actor, community_id, file_name, bytes.into(), options)
            .await?;
        let mut preview = ImportPreview {
            file_name: p.file_name.clone(),
            header_row: p.outline.header_row,
            header_rows: p.outline.header_rows,
            rows_above_header: p.outline.rows_above_header,
            sheet: p.outline.sheet.clone(),
            columns: p
                .headers
                .iter()
                .zip(&p.columns)
                .map(|(h, c)| PreviewColumn {
                    header: h.clone(),
                    column: *c,
                    recognised: c.is_some() && Column::from_header(h) == *c,
                })
                .collect(),
            missing: p.missing_columns(),
            sample: Vec::new(),
            counts: PreviewCounts {
                rows: p.total_rows,
                ..PreviewCounts::default()
            },
            problems: Vec::new(),
            skipped: Vec::new(),
            new_buildings: Vec::new(),
            new_building_count: 0,
            new_units: 0,
            create_buildings_in_grid: options.create_buildings_in_grid,
        };
        let p = std::sync::Arc::new(p);
        let mut state = RunState::default();
        let counting = preview.missing.is_empty();
        let mut reading = self.read_again(&p);
        let taken = async {
            while let Some(b) = reading.next.recv().await {
                if preview.sample.len() < SAMPLE_ROWS {
                    let room = SAMPLE_ROWS - preview.sample.len();
                    preview
                        .sample
                        .extend(b.rows.iter().take(room).map(|r| sample_row(&p.columns, r)));
                }
                if !counting {
                    // Without its required columns no row can be read: the sample is enough.
                    break;
                }
                let mut conn = self.db.conn().await?;
                let plan = batch::plan_batch(
                    &mut Target::Preview(&mut conn),
                    &p,
                    &b.rows,
                    b.outcomes,
                    &mut state,
                )
                .await?;
                let c = &mut preview.counts;
                c.inserted += plan.inserts.len();
                c.merged += plan.updates.len();
                c.unchanged += plan.unchanged;
                c.rejected += plan.rejected_rows;
                c.skipped += plan.skipped.len();
                let room = PREVIEW_PROBLEMS.saturating_sub(preview.problems.len());
                preview.problems.extend(plan.rejects.into_iter().take(room));
                let room = PREVIEW_PROBLEMS.saturating_sub(preview.skipped.len());
                preview.skipped.extend(plan.skipped.into_iter().take(room));
            }
            // A preview stopped early (no required columns) ends as one read to the end.
            Ok(ImportStatus::Finished)
        }
        .await;
        reading.end(taken).await?;
        preview.new_building_count = state.new_buildings.len();
        state.new_buildings.truncate(NEW_BUILDINGS_LISTED);
        preview.new_buildings = state.new_buildings;
        preview.new_units = state.new_units;
        Ok(preview)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_cells_of_id_and_phone_columns_are_masked() {
        assert_eq!(mask_cell("610825198409190011"), "610825********0011");
        assert_eq!(mask_cell("13912345678"), "139****5678");
        assert_eq!(mask_cell("1234"), "****");
        assert_eq!(mask_cell(""), "");
        let row = sheets::Row {
            number: 4,
            cells: vec!["张三".to_owned(), "13912345678".to_owned()],
        };
        let s = sample_row(&[Some(Column::Name), Some(Column::Phone)], &row);
        assert_eq!(s.cells, vec!["张三".to_owned(), "139****5678".to_owned()]);
    }
}
