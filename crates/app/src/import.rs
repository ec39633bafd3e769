//! Importing the resident registers communities already keep (.xlsx, .csv in UTF-8 or GBK).
//!
//! Every row is validated; good rows are written in batches, each batch one transaction with
//! its audit entry and its progress, so a killed import leaves whole batches only, and
//! re-running the same file merges into what is there and changes nothing.

use std::collections::{HashMap, HashSet};

use domain::access::Placement;
use domain::registry::{Label, ROOM_MAX};
use domain::resident::RawResident;
use serde::Serialize;
use store::imports::{self, BatchCounts, Existing, HouseholdKey, Import, Reject};
use store::registry::{self as reg, Home, ResidentData};
use store::structure::{self, Building, Node};

use crate::registry::changed_fields;
use crate::{Actor, App, AppError, AppResult};

/// Rows per transaction: large enough for bulk speed, small enough that a crash loses little.
/// Each batch rewrites the pages of the residents' keyed indexes it touches (document, name,
/// phone: random keys); at 2,000 rows a county's import rewrote each such page about once per
/// 2,000 rows, at 20,000 rows ten times less often, and one batch still commits in about a
/// second, so other writers wait little.
mod columns;
#[cfg(test)]
mod fuzz;
mod merge;

pub use columns::Column;
use merge::merge;

pub const BATCH_ROWS: usize = 20_000;

/// Bounds of an import: what the file may hold, and how many rejected rows it may have before
/// it stops (a file that is mostly wrong is better fixed than recorded row by row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLimits {
    pub sheet: sheets::Limits,
    pub max_rejected_rows: usize,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            sheet: sheets::Limits::default(),
            max_rejected_rows: 10_000,
        }
    }
}

/// The status of an import stopped for having more rejected rows than allowed.
pub const TOO_MANY_REJECTS: &str = "too_many_rejects";
/// An import that wrote at least this many rows refreshes the planner's statistics.
const ANALYZE_AFTER_ROWS: i64 = 5_000;

/// A parsed file, checked for its columns and recorded as an import, ready to run.
pub struct PreparedImport {
    pub import_id: i64,
    pub total_rows: usize,
    actor: Actor,
    community_id: i64,
    file_name: String,
    headers: Vec<String>,
    columns: Vec<Option<Column>>,
    rows: Vec<sheets::Row>,
    max_rejected_rows: usize,
}

/// Progress after each committed batch.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Progress {
    pub processed: usize,
    pub total: usize,
}

struct RowOutcome {
    row_number: usize,
    result: Result<Good, Vec<(Column, String, String)>>,
}

struct Good {
    data: ResidentData,
    building: String,
    unit: String,
    room: String,
    present: HashSet<Column>,
}

impl App {
    /// Reads the file, checks its header and records the import. Nothing is written to the
    /// registry yet; a file that is not a register is refused whole with the reason.
    pub async fn prepare_import(
        &self,
        actor: &Actor,
        community_id: i64,
        file_name: &str,
        bytes: &[u8],
    ) -> AppResult<PreparedImport> {
        actor.require(actor.role.can_import())?;
        self.placement_in_scope(actor, Node::Community(community_id))
            .await?;
        let table = sheets::read_table_within(bytes, Some(file_name), &self.settings.imports.sheet)
            .map_err(|e| {
                let mut errors = domain::validation::FieldErrors::new();
                errors.add("file", e.code(), e.detail());
                AppError::Validation(errors)
            })?;
        let columns: Vec<Option<Column>> = table
            .headers
            .iter()
            .map(|h| Column::from_header(h))
            .collect();
        let mut missing = domain::validation::FieldErrors::new();
        for c in Column::REQUIRED {
            if !columns.contains(&Some(c)) {
                missing.add("file", "missing_column", c.code());
            }
        }
        missing.into_result()?;
        let headers_json =
            serde_json::to_string(&table.headers).unwrap_or_else(|_| "[]".to_owned());
        let mut tx = self.db.write().await?;
        let total = table.rows.len();
        let import_id = imports::insert_import(
            tx.conn(),
            actor.account_id,
            community_id,
            file_name,
            &crate::crypto::sha256_hex(bytes),
            i64::try_from(total).unwrap_or(i64::MAX),
            &headers_json,
        )
        .await?;
        let mut a = actor.audit("import_start", "import", import_id);
        a.community_id = Some(community_id);
        a.after =
            Some(serde_json::json!({ "file": file_name, "rows": total, "bytes": bytes.len() }));
        tx.audit(a).await?;
        tx.commit().await?;
        Ok(PreparedImport {
            import_id,
            total_rows: total,
            actor: actor.clone(),
            community_id,
            file_name: file_name.to_owned(),
            headers: table.headers,
            columns,
            rows: table.rows,
            max_rejected_rows: self.settings.imports.max_rejected_rows,
        })
    }

    /// Runs a prepared import to the end, calling `progress` after each batch.
    pub async fn run_import(
        &self,
        p: PreparedImport,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> AppResult<Import> {
        let mut state = RunState::default();
        let total = p.rows.len();
        let p = std::sync::Arc::new(p);
        let batches: Vec<(usize, usize)> = (0..total)
            .step_by(BATCH_ROWS)
            .map(|start| (start, (start + BATCH_ROWS).min(total)))
            .collect();
        // Rows of the next batch are parsed, sealed and indexed on another thread while the
        // database writes the current one.
        let parse = |range: (usize, usize)| {
            let (app, p) = (self.clone(), p.clone());
            tokio::task::spawn_blocking(move || {
                p.rows[range.0..range.1]
                    .iter()
                    .map(|r| app.parse_row(&p, r))
                    .collect::<Vec<RowOutcome>>()
            })
        };
        let result = async {
            let mut next = batches.first().map(|r| parse(*r));
            for (i, range) in batches.iter().enumerate() {
                let Some(handle) = next.take() else { break };
                let outcomes = handle
                    .await
                    .map_err(|e| AppError::Internal(format!("parsing rows failed: {e}")))?;
                next = batches.get(i + 1).map(|r| parse(*r));
                let go_on = self
                    .write_batch(&p, &p.rows[range.0..range.1], outcomes, &mut state)
                    .await?;
                progress(Progress {
                    processed: range.1,
                    total,
                });
                if !go_on {
                    return Ok(TOO_MANY_REJECTS);
                }
            }
            Ok::<&str, AppError>("finished")
        }
        .await;
        let status = match &result {
            Ok(status) => *status,
            Err(_) => "failed",
        };
        let mut conn = self.db.conn().await?;
        imports::finish_import(&mut conn, p.import_id, status).await?;
        result?;
        let done = imports::import(&mut conn, p.import_id).await?;
        if done.inserted + done.merged >= ANALYZE_AFTER_ROWS {
            imports::analyze_registry(&mut conn).await?;
        }
        Ok(done)
    }

    fn parse_row(&self, p: &PreparedImport, row: &sheets::Row) -> RowOutcome {
        let result = parse_cells(&p.columns, &row.cells, self.today()).map(|r| Good {
            data: self.resident_data(&r.draft),
            building: r.building,
            unit: r.unit,
            room: r.room,
            present: r.present,
        });
        RowOutcome {
            row_number: row.number,
            result,
        }
    }

    async fn write_batch(
        &self,
        p: &PreparedImport,
        batch: &[sheets::Row],
        outcomes: Vec<RowOutcome>,
        state: &mut RunState,
    ) -> AppResult<bool> {
        let mut tx = self.db.write().await?;
        let mut counts = BatchCounts {
            processed: i64::try_from(batch.len()).unwrap_or(0),
            ..Default::default()
        };
        let mut rejects: Vec<Reject> = Vec::new();
        let by_number: HashMap<usize, &sheets::Row> = batch.iter().map(|r| (r.number, r)).collect();
        let cells_of = |n: usize| {
            by_number
                .get(&n)
                .map(|r| serde_json::to_string(&r.cells).unwrap_or_default())
                .unwrap_or_default()
        };
        let header_of = |c: Column| {
            p.columns
                .iter()
                .position(|x| *x == Some(c))
                .and_then(|i| p.headers.get(i).cloned())
                .unwrap_or_else(|| c.code().to_owned())
        };
        // A bad row is kept once, with its cells on its first problem only; every problem of
        // the row is its own small record after it.
        let reject = |rejects: &mut Vec<Reject>, n: usize, errs: Vec<(Column, String, String)>| {
            let mut cells = Some(cells_of(n));
            for (col, code, detail) in errs {
                rejects.push(Reject {
                    row_number: n as i64,
                    column_name: header_of(col),
                    code,
                    detail,
                    cells: cells.take().unwrap_or_default(),
                });
            }
        };
        // Resolve buildings, units and households of the good rows.
        let mut good: Vec<(usize, Good, Home)> = Vec::new();
        let mut keys: Vec<(HouseholdKey, Home)> = Vec::new();
        let mut pending: Vec<(usize, Good, HouseholdKey, Home)> = Vec::new();
        for o in outcomes {
            let g = match o.result {
                Ok(g) => g,
                Err(errs) => {
                    reject(&mut rejects, o.row_number, errs);
                    continue;
                }
            };
            let building = match state.building(tx.conn(), p, &g.building).await? {
                Some(b) => b,
                None => {
                    reject(
                        &mut rejects,
                        o.row_number,
                        vec![(
                            Column::Building,
                            "unknown_building".to_owned(),
                            g.building.clone(),
                        )],
                    );
                    continue;
                }
            };
            let unit_id = match state.units.get(&(building.id, g.unit.clone())) {
                Some(id) => *id,
                None => {
                    let id =
                        structure::unit_by_name_or_insert(tx.conn(), building.id, &g.unit).await?;
                    state.units.insert((building.id, g.unit.clone()), id);
                    id
                }
            };
            let key = HouseholdKey {
                unit_id,
                room: g.room.clone(),
            };
            let home = Home {
                household_id: 0,
                building_id: building.id,
                grid_id: building.grid_id,
                community_id: building.community_id,
            };
            // Counted only once the row is otherwise good, so a rejected first row does not
            // make a corrected later row for the same person a duplicate.
            if let Some(first) = state.seen.get(&g.data.document_index) {
                reject(
                    &mut rejects,
                    o.row_number,
                    vec![(
                        Column::DocumentNumber,
                        "duplicate_in_file".to_owned(),
                        first.to_string(),
                    )],
                );
                continue;
            }
            state
                .seen
                .insert(g.data.document_index.clone(), o.row_number);
            pending.push((o.row_number, g, key, home));
        }
        let indexes: Vec<Vec<u8>> = pending
            .iter()
            .map(|(_, g, _, _)| g.data.document_index.clone())
            .collect();
        let existing: HashMap<Vec<u8>, Existing> =
            imports::residents_by_indexes(tx.conn(), &indexes)
                .await?
                .into_iter()
                .map(|e| (e.data.document_index.clone(), e))
                .collect();
        // A person registered in another community is not moved or overwritten by an import;
        // the row is refused so staff of both communities can settle where the person lives.
        pending.retain(|(n, g, _, _)| match existing.get(&g.data.document_index) {
            Some(old) if old.community_id != p.community_id => {
                reject(
                    &mut rejects,
                    *n,
                    vec![(
                        Column::DocumentNumber,
                        "registered_elsewhere".to_owned(),
                        String::new(),
                    )],
                );
                false
            }
            _ => true,
        });
        let rejected_rows = rejects
            .iter()
            .map(|r| r.row_number)
            .collect::<HashSet<_>>()
            .len();
        if state.rejected_rows + rejected_rows > p.max_rejected_rows {
            drop(tx);
            self.stop_for_rejects(p, batch, rejects, state).await?;
            return Ok(false);
        }
        state.rejected_rows += rejected_rows;
        for (_, _, key, home) in &pending {
            keys.push((key.clone(), *home));
        }
        let households = imports::households_for(tx.conn(), &keys).await?;
        for (n, g, key, mut home) in pending {
            home.household_id = households
                .get(&key)
                .copied()
                .ok_or_else(|| AppError::Internal("household not created".to_owned()))?;
            good.push((n, g, home));
        }
        let mut inserts: Vec<(Home, ResidentData)> = Vec::new();
        for (n, g, home) in good {
            match existing.get(&g.data.document_index) {
                None => inserts.push((home, g.data)),
                Some(old) => {
                    let merged = merge(&old.data, g.data, &g.present);
                    let mut changes: Vec<&str> = changed_fields(&old.data, &merged);
                    if old.household_id != home.household_id {
                        changes.push("household");
                    }
                    if changes.is_empty() {
                        counts.unchanged += 1;
                        continue;
                    }
                    reg::update_resident(tx.conn(), old.id, old.version, &home, &merged).await?;
                    let record =
                        serde_json::json!({ "row": n, "file": p.file_name, "fields": changes })
                            .to_string();
                    reg::insert_merge(tx.conn(), old.id, Some(p.import_id), &p.file_name, &record)
                        .await?;
                    counts.merged += 1;
                }
            }
        }
        counts.inserted = i64::try_from(inserts.len()).unwrap_or(0);
        imports::insert_residents_bulk(tx.conn(), &inserts).await?;
        counts.rejected = i64::try_from(rejected_rows).unwrap_or(0);
        imports::insert_rejects(tx.conn(), p.import_id, &rejects).await?;
        imports::add_progress(tx.conn(), p.import_id, &counts).await?;
        let mut a = p.actor.audit("import_batch", "import", p.import_id);
        a.community_id = Some(p.community_id);
        a.after = Some(serde_json::json!({
            "first_row": batch.first().map(|r| r.number), "last_row": batch.last().map(|r| r.number),
            "inserted": counts.inserted, "merged": counts.merged, "unchanged": counts.unchanged, "rejected": counts.rejected,
        }));
        tx.audit(a).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Ends an import whose rejected rows went past the limit: the batch that went past writes
    /// its rejected rows up to the limit, so they can be read and fixed, and nothing else.
    async fn stop_for_rejects(
        &self,
        p: &PreparedImport,
        batch: &[sheets::Row],
        mut rejects: Vec<Reject>,
        state: &RunState,
    ) -> AppResult<()> {
        let allowed = p.max_rejected_rows.saturating_sub(state.rejected_rows);
        let mut rows: Vec<i64> = rejects.iter().map(|r| r.row_number).collect();
        rows.sort_unstable();
        rows.dedup();
        let keep: HashSet<i64> = rows.into_iter().take(allowed).collect();
        rejects.retain(|r| keep.contains(&r.row_number));
        let counts = BatchCounts {
            rejected: i64::try_from(keep.len()).unwrap_or(0),
            ..Default::default()
        };
        let mut tx = self.db.write().await?;
        imports::insert_rejects(tx.conn(), p.import_id, &rejects).await?;
        imports::add_progress(tx.conn(), p.import_id, &counts).await?;
        let mut a = p.actor.audit("import_stopped", "import", p.import_id);
        a.community_id = Some(p.community_id);
        a.after = Some(serde_json::json!({
            "reason": TOO_MANY_REJECTS, "max_rejected_rows": p.max_rejected_rows,
            "first_row": batch.first().map(|r| r.number), "last_row": batch.last().map(|r| r.number),
        }));
        tx.audit(a).await?;
        tx.commit().await?;
        Ok(())
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
        Ok(imports::rejects(&mut conn, id, limit).await?)
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
            imports::rejects(&mut conn, id, 1_000_000).await?
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

/// A register row turned into a resident draft and the home it names.
pub(crate) struct ParsedRow {
    pub(crate) draft: domain::registry::ResidentDraft,
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

/// Look-ups an import repeats for many rows, made once.
#[derive(Default)]
struct RunState {
    buildings: HashMap<String, Option<Building>>,
    units: HashMap<(i64, String), i64>,
    /// Document index → the first row that named it, to refuse a second row for one person.
    seen: HashMap<Vec<u8>, usize>,
    /// Rows rejected by the batches written so far.
    rejected_rows: usize,
}

impl RunState {
    async fn building(
        &mut self,
        conn: &mut store::Conn,
        p: &PreparedImport,
        name: &str,
    ) -> AppResult<Option<Building>> {
        if let Some(b) = self.buildings.get(name) {
            return Ok(b.clone());
        }
        let found = structure::building_by_name(conn, p.community_id, name).await?;
        let found = match found {
            Some(b) => {
                let placement: Placement = structure::placement(conn, Node::Building(b.id)).await?;
                p.actor.jurisdiction.covers(&placement).then_some(b)
            }
            None => None,
        };
        self.buildings.insert(name.to_owned(), found.clone());
        Ok(found)
    }
}
