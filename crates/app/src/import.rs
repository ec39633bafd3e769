//! Importing the resident registers communities already keep (.xlsx, .csv in UTF-8 or GBK).
//!
//! Every row is validated; good rows are written in batches, each batch one transaction with
//! its audit entry and its progress, so a killed import leaves whole batches only, and
//! re-running the same file merges into what is there and changes nothing.

use domain::access::Level;
use serde::Serialize;
use store::imports::{self, Import, RecordedRows, Reject};
use store::structure::{self, Grid, Node};

use crate::{Actor, App, AppError, AppResult};

mod batch;
mod columns;
#[cfg(test)]
mod fuzz;
mod merge;
mod options;
mod preview;
mod roster;
mod row;
mod run;
mod skip;

pub use columns::Column;
pub use options::{ImportOptions, MappingError};
pub use preview::{ImportPreview, PreviewColumn, PreviewCounts, SampleRow};
pub use roster::StructureOutcome;
#[cfg(test)]
use row::parse_cells;
pub use skip::SkipReason;

/// Rows per transaction: large enough for bulk speed, small enough that a crash loses little.
/// Each batch rewrites the pages of the residents' keyed indexes it touches (document, name,
/// phone: random keys); at 2,000 rows a county's import rewrote each such page about once per
/// 2,000 rows, at 20,000 rows ten times less often, and one batch still commits in about a
/// second, so other writers wait little.
pub const BATCH_ROWS: usize = 20_000;

/// A first load (the residents' indexes set aside) commits every few batches: each commit
/// writes again every page of the unique index of ID numbers its rows touched (random keys),
/// so five batches a commit write those pages a fifth as often. At county scale a commit then
/// holds the writer about two seconds; a crash loses the batches since the last commit, whole.
pub const FIRST_LOAD_GROUP_BATCHES: usize = 5;

/// Bounds of an import: what the file may hold, and how many rejected rows it may have before
/// it stops (a file that is mostly wrong is better fixed than recorded row by row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLimits {
    pub sheet: sheets::Limits,
    pub max_rejected_rows: usize,
    /// An import at least this large, and larger than the residents already stored (a first
    /// load, or one large against the table), loads with the residents' secondary indexes set
    /// aside and builds them once at the end: at county scale several times faster than
    /// keeping them up to date row by row.
    pub set_indexes_aside_from_rows: usize,
    /// Rows a batch holds ([`BATCH_ROWS`]; smaller in tests of batch boundaries).
    pub batch_rows: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            sheet: sheets::Limits::default(),
            max_rejected_rows: 10_000,
            set_indexes_aside_from_rows: 20_000,
            batch_rows: BATCH_ROWS,
        }
    }
}

/// An import that wrote at least this many rows refreshes the planner's statistics.
const ANALYZE_AFTER_ROWS: i64 = 5_000;

/// A parsed file with its columns, recorded as an import ready to run (or, for a preview, not
/// recorded: its id is 0).
pub struct PreparedImport {
    pub import_id: i64,
    pub total_rows: usize,
    actor: Actor,
    community_id: i64,
    file_name: String,
    headers: Vec<String>,
    columns: Vec<Option<Column>>,
    /// The file, read again row by row when the import runs, so that its rows are never all
    /// in memory at once.
    bytes: bytes::Bytes,
    outline: sheets::Outline,
    max_rejected_rows: usize,
    /// The grid where the buildings the file names and the community lacks are created.
    create_buildings_in: Option<Grid>,
}

/// Reads an uploaded file on a blocking thread; a file that cannot be read is refused as the
/// upload's validation error, naming the reason (or the limit it went past).
pub(crate) async fn read_file<T: Send + 'static>(
    read: impl FnOnce() -> Result<T, sheets::SheetError> + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(read)
        .await
        .map_err(|e| AppError::Internal(format!("reading the file failed: {e}")))?
        .map_err(|e| {
            let mut errors = domain::validation::FieldErrors::new();
            errors.add("file", e.code(), e.detail());
            AppError::Validation(errors)
        })
}

/// Progress after each committed batch.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Progress {
    pub processed: usize,
    pub total: usize,
}

impl App {
    /// Reads the file, checks its header and records the import. Nothing is written to the
    /// registry yet; a file that is not a register is refused whole with the reason.
    pub async fn prepare_import(
        &self,
        actor: &Actor,
        community_id: i64,
        file_name: &str,
        bytes: impl Into<bytes::Bytes>,
    ) -> AppResult<PreparedImport> {
        self.prepare_import_with(
            actor,
            community_id,
            file_name,
            bytes,
            &ImportOptions::default(),
        )
        .await
    }

    /// As [`App::prepare_import`], with the choices made on the preview.
    pub async fn prepare_import_with(
        &self,
        actor: &Actor,
        community_id: i64,
        file_name: &str,
        bytes: impl Into<bytes::Bytes>,
        options: &ImportOptions,
    ) -> AppResult<PreparedImport> {
        let mut p = self
            .prepare(actor, community_id, file_name, bytes.into(), options)
            .await?;
        let mut missing = domain::validation::FieldErrors::new();
        for c in p.missing_columns() {
            missing.add("file", "missing_column", c.code());
        }
        missing.into_result()?;
        let headers_json = serde_json::to_string(&p.headers).unwrap_or_else(|_| "[]".to_owned());
        let mut tx = self.db.write().await?;
        p.import_id = imports::insert_import(
            tx.conn(),
            actor.account_id,
            community_id,
            file_name,
            &crate::crypto::sha256_hex(&p.bytes),
            i64::try_from(p.total_rows).unwrap_or(i64::MAX),
            &headers_json,
        )
        .await?;
        let mut a = actor.audit("import_start", "import", p.import_id);
        a.community_id = Some(community_id);
        a.after = Some(serde_json::json!({
            "file": file_name, "rows": p.total_rows, "bytes": p.bytes.len(),
            "mapping": options.mapping.iter().map(|(h, c)| (h.clone(), c.map(Column::code))).collect::<Vec<_>>(),
            "create_buildings_in_grid": options.create_buildings_in_grid,
            "header_row": options.header_row,
        }));
        tx.audit(a).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Reads the file once, keeping only its header and its number of rows, so a file past a
    /// limit is refused before anything is recorded; it is read again, row by row, when the
    /// import or the preview runs. Records nothing.
    async fn prepare(
        &self,
        actor: &Actor,
        community_id: i64,
        file_name: &str,
        bytes: bytes::Bytes,
        options: &ImportOptions,
    ) -> AppResult<PreparedImport> {
        actor.require(actor.role.can_import())?;
        self.placement_in_scope(actor, Node::Community(community_id))
            .await?;
        let create_buildings_in = match options.create_buildings_in_grid {
            Some(grid_id) => Some(
                self.grid_for_new_buildings(actor, community_id, grid_id)
                    .await?,
            ),
            None => None,
        };
        let (file, name, limits) = (
            bytes.clone(),
            file_name.to_owned(),
            self.settings.imports.sheet,
        );
        let header_row = options.header_row;
        let outline = read_file(move || {
            let search = match header_row {
                Some(row) => sheets::HeaderSearch::AtRow(row),
                None => sheets::HeaderSearch::Pick {
                    is_header: &Column::names_a_register,
                    within: sheets::HEADER_SEARCH_ROWS,
                },
            };
            sheets::outline_finding_header(&file, Some(&name), &limits, search)
        })
        .await?;
        Ok(PreparedImport {
            import_id: 0,
            total_rows: outline.rows,
            actor: actor.clone(),
            community_id,
            file_name: file_name.to_owned(),
            headers: outline.headers.clone(),
            columns: options.columns(&outline.headers),
            bytes,
            outline,
            max_rejected_rows: self.settings.imports.max_rejected_rows,
            create_buildings_in,
        })
    }

    /// The grid an import creates buildings in: the actor may shape the structure there, and
    /// it belongs to the community imported into.
    async fn grid_for_new_buildings(
        &self,
        actor: &Actor,
        community_id: i64,
        grid_id: i64,
    ) -> AppResult<Grid> {
        actor.require(actor.role.can_edit_structure())?;
        self.placement_in_scope(actor, Node::Grid(grid_id)).await?;
        actor.require(actor.may_shape(Level::Grid))?;
        let mut conn = self.db.conn().await?;
        let grid = structure::grid(&mut conn, grid_id).await?;
        if grid.community_id != community_id {
            let mut errors = domain::validation::FieldErrors::new();
            errors.add("create_buildings_in_grid", "grid_not_in_community", "");
            return Err(AppError::Validation(errors));
        }
        Ok(grid)
    }

    pub async fn import_record(&self, actor: &Actor, id: i64) -> AppResult<Import> {
        actor.require(actor.role.can_import())?;
        let mut conn = self.db.conn().await?;
        let i = imports::import(&mut conn, id).await?;
        drop(conn);
        self.placement_in_scope(actor, Node::Community(i.community_id))
            .await?;
        Ok(i)
    }

    pub async fn imports(&self, actor: &Actor, community_id: i64) -> AppResult<Vec<Import>> {
        actor.require(actor.role.can_import())?;
        self.placement_in_scope(actor, Node::Community(community_id))
            .await?;
        let mut conn = self.db.conn().await?;
        Ok(imports::list_imports(&mut conn, community_id).await?)
    }

    pub async fn import_rejects(
        &self,
        actor: &Actor,
        id: i64,
        limit: u32,
    ) -> AppResult<Vec<Reject>> {
        self.import_record(actor, id).await?;
        let mut conn = self.db.conn().await?;
        Ok(imports::rejects(
            &mut conn,
            id,
            limit,
            RecordedRows::RejectedExcept(&SkipReason::CODES),
        )
        .await?)
    }

    /// The rows an import passed over (totals and signature lines), with their reason.
    pub async fn import_skipped_rows(
        &self,
        actor: &Actor,
        id: i64,
        limit: u32,
    ) -> AppResult<Vec<(i64, SkipReason)>> {
        self.import_record(actor, id).await?;
        let mut conn = self.db.conn().await?;
        let rows = imports::rejects(
            &mut conn,
            id,
            limit,
            RecordedRows::PassedOver(&SkipReason::CODES),
        )
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| SkipReason::from_code(&r.code).map(|reason| (r.row_number, reason)))
            .collect())
    }

    /// The rejected rows as a workbook: the original columns and a last column with every
    /// reason, worded by `explain(code, column, detail)`, to fix and import again.
    pub async fn rejects_workbook(
        &self,
        actor: &Actor,
        id: i64,
        explain: &(dyn Fn(&str, &str, &str) -> String + Sync),
    ) -> AppResult<Vec<u8>> {
        let import = self.import_record(actor, id).await?;
        let mut headers: Vec<String> = serde_json::from_str(&import.headers).unwrap_or_default();
        let rejects = {
            let mut conn = self.db.conn().await?;
            imports::rejects(
                &mut conn,
                id,
                1_000_000,
                RecordedRows::RejectedExcept(&SkipReason::CODES),
            )
            .await?
        };
        let width = headers.len();
        headers.push(explain("reasons_header", "", ""));
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut last: Option<i64> = None;
        for r in rejects {
            let reason = format!(
                "{}: {}",
                r.column_name,
                explain(&r.code, &r.column_name, &r.detail)
            );
            if last == Some(r.row_number) {
                if let Some(row) = rows.last_mut()
                    && let Some(cell) = row.last_mut()
                {
                    cell.push_str("; ");
                    cell.push_str(&reason);
                }
                continue;
            }
            last = Some(r.row_number);
            let mut cells: Vec<String> = serde_json::from_str(&r.cells).unwrap_or_default();
            cells.resize(width, String::new());
            cells.push(format!(
                "{} {}: {reason}",
                explain("row", "", ""),
                r.row_number
            ));
            rows.push(cells);
        }
        sheets::write_xlsx("rejected", &headers, &rows)
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// Marks imports left running by a stopped server, so nobody waits on them.
    pub async fn mark_interrupted_imports(&self) -> AppResult<u64> {
        let mut conn = self.db.conn().await?;
        Ok(imports::mark_interrupted(&mut conn).await?)
    }
}
