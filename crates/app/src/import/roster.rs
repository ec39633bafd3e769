//! Importing a community's structure without residents: a roster of grids, buildings and
//! units (the street office's building list, say), creating what the community lacks.
//!
//! A roster is small (a county has some 10,000 buildings), so it is read whole and written in
//! one transaction with an audit entry for every grid, building and unit it creates. Its
//! preview runs the same transaction and rolls it back: what it says is what importing does.

use domain::access::Level;
use domain::registry::Label;
use serde::Serialize;
use store::imports::Reject;
use store::structure::{self, Grid, Node};

use super::Column;
use super::batch::grid_matching;
use crate::{Actor, App, AppError, AppResult};

/// The longest name of a grid, building or unit (as the structure's own forms allow).
const NAME_MAX: usize = 64;

/// What a structure roster did, or would do.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StructureOutcome {
    pub rows: usize,
    /// Names of the grids created.
    pub grids_created: Vec<String>,
    pub buildings_created: usize,
    pub units_created: usize,
    /// Rows whose grid, building and unit all existed already.
    pub unchanged_rows: usize,
    pub rejected_rows: usize,
    /// Every problem, by row, with the file's own column header.
    pub problems: Vec<Reject>,
    /// False for a preview: nothing was written.
    pub written: bool,
}

/// Whether a row of cells is a roster's header: it names a building and a grid or a unit.
fn names_a_roster(cells: &[String]) -> sheets::Recognised {
    let known = |c: &str| {
        matches!(
            Column::from_header(c),
            Some(Column::Grid | Column::Building | Column::Unit)
        )
    };
    sheets::Recognised::counting(cells, known, 2)
}

impl App {
    /// Reads a roster of grids, buildings and (optionally) units and creates what the
    /// community lacks; with `write` false, says what it would create and writes nothing.
    pub async fn import_structure(
        &self,
        actor: &Actor,
        community_id: i64,
        file_name: &str,
        bytes: impl Into<bytes::Bytes>,
        write: bool,
    ) -> AppResult<StructureOutcome> {
        actor.require(actor.role.can_edit_structure() && actor.may_shape(Level::Grid))?;
        self.placement_in_scope(actor, Node::Community(community_id))
            .await?;
        let bytes: bytes::Bytes = bytes.into();
        let (name, limits) = (file_name.to_owned(), self.settings.imports.sheet);
        let table = super::read_file(move || {
            let search = sheets::HeaderSearch::Pick {
                is_header: &names_a_roster,
                within: sheets::HEADER_SEARCH_ROWS,
            };
            sheets::read_table_finding_header(&bytes, Some(&name), &limits, search)
        })
        .await?;
        let column = |c: Column| {
            table
                .headers
                .iter()
                .position(|h| Column::from_header(h) == Some(c))
        };
        let (Some(grid_at), Some(building_at)) = (column(Column::Grid), column(Column::Building))
        else {
            let mut errors = domain::validation::FieldErrors::new();
            for c in [Column::Grid, Column::Building] {
                if column(c).is_none() {
                    errors.add("file", "missing_column", c.code());
                }
            }
            return Err(AppError::Validation(errors));
        };
        let unit_at = column(Column::Unit);
        let mut tx = self.db.write().await?;
        let mut grids: Vec<Grid> =
            structure::list_grids(tx.conn(), &actor.jurisdiction, community_id).await?;
        let mut out = StructureOutcome {
            rows: table.rows.len(),
            written: write,
            ..StructureOutcome::default()
        };
        let may_create_grids = actor.may_shape(Level::Community);
        for row in &table.rows {
            let mut problems: Vec<(usize, &str, String)> = Vec::new();
            let mut name_at = |at: usize| match Label::parse(row.cell(at), NAME_MAX) {
                Ok(l) => Some(l.into_string()),
                Err(e) => {
                    problems.push((at, domain::validation::Coded::code(&e), String::new()));
                    None
                }
            };
            let grid_name = name_at(grid_at);
            let building_name = name_at(building_at);
            let unit_name = unit_at.and_then(|at| {
                (!row.cell(at).trim().is_empty())
                    .then(|| name_at(at))
                    .flatten()
            });
            let (Some(grid_name), Some(building_name)) = (grid_name, building_name) else {
                out.reject(&table.headers, row, problems);
                continue;
            };
            let mut created = false;
            let grid = match grid_matching(&grids, &grid_name).cloned() {
                Some(g) => g,
                None if may_create_grids => {
                    let id = structure::insert_grid(tx.conn(), community_id, &grid_name).await?;
                    audit_created(&mut tx, actor, community_id, ("grid", id), serde_json::json!({ "community_id": community_id, "name": grid_name, "file": file_name })).await?;
                    out.grids_created.push(grid_name.clone());
                    created = true;
                    grids.push(structure::grid(tx.conn(), id).await?);
                    grids
                        .last()
                        .cloned()
                        .unwrap_or_else(|| unreachable!("just pushed"))
                }
                None => {
                    out.reject(
                        &table.headers,
                        row,
                        vec![(grid_at, "unknown_grid", grid_name)],
                    );
                    continue;
                }
            };
            let building = match structure::building_by_name(
                tx.conn(),
                community_id,
                &building_name,
            )
            .await?
            {
                Some(b) => b.id,
                None => {
                    let id = structure::insert_building(tx.conn(), &grid, &building_name).await?;
                    audit_created(&mut tx, actor, community_id, ("building", id), serde_json::json!({ "grid_id": grid.id, "name": building_name, "file": file_name })).await?;
                    out.buildings_created += 1;
                    created = true;
                    id
                }
            };
            if let Some(unit_name) = unit_name
                && structure::unit_by_name(tx.conn(), building, &unit_name)
                    .await?
                    .is_none()
            {
                let id = structure::insert_unit(tx.conn(), building, &unit_name).await?;
                audit_created(&mut tx, actor, community_id, ("unit", id), serde_json::json!({ "building_id": building, "name": unit_name, "file": file_name })).await?;
                out.units_created += 1;
                created = true;
            }
            if !created {
                out.unchanged_rows += 1;
            }
        }
        if write {
            let mut e = actor.audit("structure_import", "community", community_id);
            e.community_id = Some(community_id);
            e.after = Some(serde_json::json!({
                "file": file_name, "rows": out.rows, "grids_created": out.grids_created.len(),
                "buildings_created": out.buildings_created, "units_created": out.units_created,
                "rejected_rows": out.rejected_rows,
            }));
            tx.audit(e).await?;
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(out)
    }
}

/// The audit entry of a grid, building or unit a roster created (`grid_create` …).
async fn audit_created(
    tx: &mut store::WriteTx,
    actor: &Actor,
    community_id: i64,
    (kind, id): (&str, i64),
    after: serde_json::Value,
) -> AppResult<()> {
    let mut e = actor.audit(&format!("{kind}_create"), kind, id);
    e.community_id = Some(community_id);
    e.after = Some(after);
    tx.audit(e).await?;
    Ok(())
}

impl StructureOutcome {
    fn reject(
        &mut self,
        headers: &[String],
        row: &sheets::Row,
        problems: Vec<(usize, &str, String)>,
    ) {
        self.rejected_rows += 1;
        for (at, code, detail) in problems {
            self.problems.push(Reject {
                row_number: row.number as i64,
                column_name: headers.get(at).cloned().unwrap_or_default(),
                code: code.to_owned(),
                detail,
                cells: String::new(),
            });
        }
    }
}
