//! Running a prepared import: the file read again row by row on another thread, parsed a
//! batch at a time, and each batch written in one transaction with its audit entry.

use std::collections::{HashMap, HashSet};

use domain::access::Placement;
use domain::registry::ImportStatus;
use store::imports::{self, BatchCounts, Existing, HouseholdKey, Import, Reject};
use store::registry::{self as reg, Home, ResidentData};
use store::structure::{self, Building, Node};

use super::merge::merge;
use super::row::parse_cells;
use super::{ANALYZE_AFTER_ROWS, BATCH_ROWS, Column, PreparedImport, Progress};
use crate::registry::changed_fields;
use crate::{App, AppError, AppResult};

/// Rows read from the file and what parsing made of each.
struct Batch {
    rows: Vec<sheets::Row>,
    outcomes: Vec<RowOutcome>,
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
    /// Runs a prepared import to the end, calling `progress` after each batch.
    pub async fn run_import(
        &self,
        p: PreparedImport,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> AppResult<Import> {
        let mut state = RunState::default();
        let total = p.outline.rows;
        let p = std::sync::Arc::new(p);
        // The file is read again on another thread, its rows parsed, sealed and indexed there a
        // batch at a time while the database writes the batch before: at most a few batches
        // are in memory, whatever the size of the file.
        let (batches, mut next_batch) = tokio::sync::mpsc::channel::<Batch>(1);
        let reader = {
            let (app, p) = (self.clone(), p.clone());
            tokio::task::spawn_blocking(move || app.read_batches(&p, &batches))
        };
        let result = async {
            let mut processed = 0;
            while let Some(batch) = next_batch.recv().await {
                processed += batch.rows.len();
                let go_on = self
                    .write_batch(&p, &batch.rows, batch.outcomes, &mut state)
                    .await?;
                progress(Progress { processed, total });
                if !go_on {
                    return Ok(ImportStatus::TooManyRejects);
                }
            }
            Ok::<ImportStatus, AppError>(ImportStatus::Finished)
        }
        .await;
        // Stops the reader when the writes stopped first.
        drop(next_batch);
        let read = reader
            .await
            .map_err(|e| AppError::Internal(format!("reading rows failed: {e}")));
        let result = match (result, read) {
            (Ok(status), Ok(Ok(()))) => Ok(status),
            (Ok(ImportStatus::TooManyRejects), _) => Ok(ImportStatus::TooManyRejects),
            (Err(e), _) | (Ok(_), Err(e)) => Err(e),
            (Ok(_), Ok(Err(e))) => Err(AppError::Internal(format!(
                "reading the file again failed: {e}"
            ))),
        };
        let status = match &result {
            Ok(status) => *status,
            Err(_) => ImportStatus::Failed,
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

    /// Reads the rows of a prepared import and sends them, parsed, a batch at a time; stops
    /// when nobody takes the batches any more.
    fn read_batches(
        &self,
        p: &PreparedImport,
        batches: &tokio::sync::mpsc::Sender<Batch>,
    ) -> Result<(), sheets::SheetError> {
        let mut rows: Vec<sheets::Row> = Vec::with_capacity(BATCH_ROWS.min(p.outline.rows));
        let send = |rows: Vec<sheets::Row>| {
            let outcomes = rows.iter().map(|r| self.parse_row(p, r)).collect();
            batches
                .blocking_send(Batch { rows, outcomes })
                .map_err(|_| sheets::SheetError::Stopped)
        };
        let limits = &self.settings.imports.sheet;
        let read = sheets::for_each_row(&p.bytes, &p.outline, limits, |row| {
            rows.push(row);
            if rows.len() == BATCH_ROWS {
                send(std::mem::replace(&mut rows, Vec::with_capacity(BATCH_ROWS)))?;
            }
            Ok(())
        });
        match read {
            Ok(()) if rows.is_empty() => Ok(()),
            Ok(()) => send(rows),
            Err(sheets::SheetError::Stopped) => Ok(()),
            Err(e) => Err(e),
        }
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
            "reason": ImportStatus::TooManyRejects.code(), "max_rejected_rows": p.max_rejected_rows,
            "first_row": batch.first().map(|r| r.number), "last_row": batch.last().map(|r| r.number),
        }));
        tx.audit(a).await?;
        tx.commit().await?;
        Ok(())
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
