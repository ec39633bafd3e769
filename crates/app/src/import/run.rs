//! Running a prepared import: the file read again row by row on another thread, parsed a
//! batch at a time, and each batch written in one transaction with its audit entry.

use domain::registry::ImportStatus;
use store::deferred_indexes;
use store::imports::{self, Import};

use super::batch::{self, Good, Parsed, RowOutcome, RunState, Target};
use super::row::parse_cells;
use super::skip::skip_reason;
use super::{ANALYZE_AFTER_ROWS, FIRST_LOAD_GROUP_BATCHES, PreparedImport, Progress};
use crate::{App, AppError, AppResult};

/// Rows read from the file and what parsing made of each.
pub(super) struct Batch {
    pub(super) rows: Vec<sheets::Row>,
    pub(super) outcomes: Vec<RowOutcome>,
}

/// Where a run's time went: waiting for the reader's next batch, then each batch's plan,
/// writes and commit. Logged at the end of a run, so a slow import shows its bound.
#[derive(Default)]
struct WriteTimes {
    waited: std::time::Duration,
    planned: std::time::Duration,
    written: std::time::Duration,
    committed: std::time::Duration,
}

/// A file being read again, a batch at a time.
pub(super) struct Reading {
    pub(super) next: tokio::sync::mpsc::Receiver<Batch>,
    reader: tokio::task::JoinHandle<Result<(), sheets::SheetError>>,
}

impl Reading {
    /// Stops the reading (when the batches stopped being taken first) and gives the outcome of
    /// the batches taken and of the reading together.
    pub(super) async fn end(self, taken: AppResult<ImportStatus>) -> AppResult<ImportStatus> {
        drop(self.next);
        let read = self
            .reader
            .await
            .map_err(|e| AppError::Internal(format!("reading rows failed: {e}")));
        match (taken, read) {
            (Ok(status), Ok(Ok(()))) => Ok(status),
            (Ok(ImportStatus::TooManyRejects), _) => Ok(ImportStatus::TooManyRejects),
            (Err(e), _) | (Ok(_), Err(e)) => Err(e),
            (Ok(_), Ok(Err(e))) => Err(AppError::Internal(format!(
                "reading the file again failed: {e}"
            ))),
        }
    }
}

impl App {
    /// Runs a prepared import to the end, calling `progress` after each batch.
    pub async fn run_import(
        &self,
        p: PreparedImport,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> AppResult<Import> {
        let _bulk = self.db.bulk_load();
        let p = std::sync::Arc::new(p);
        let first_load = self.set_indexes_aside(&p).await?;
        let indexes_set_aside = first_load.is_some();
        let mut reading = self.read_again(&p);
        let mut times = WriteTimes::default();
        let result = self
            .write_batches(&p, &mut reading, first_load, &mut times, progress)
            .await;
        let result = reading.end(result).await;
        tracing::info!(
            import = p.import_id,
            waited_for_rows = times.waited.as_secs_f64(),
            planned = times.planned.as_secs_f64(),
            written = times.written.as_secs_f64(),
            committed = times.committed.as_secs_f64(),
            "import's batches written"
        );
        if indexes_set_aside {
            self.restore_indexes().await?;
        }
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

    /// Writes the batches as the reader sends them: each in the transaction of its group (one
    /// batch, or several in a first load), so that a group is stored whole or not at all.
    async fn write_batches(
        &self,
        p: &PreparedImport,
        reading: &mut Reading,
        first_load: Option<Option<i64>>,
        times: &mut WriteTimes,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> AppResult<ImportStatus> {
        let mut state = RunState::default();
        let (total, mut processed) = (p.outline.rows, 0);
        let batch_rows = self.settings.imports.batch_rows.max(1);
        let group_rows = match first_load {
            Some(_) => batch_rows * FIRST_LOAD_GROUP_BATCHES,
            None => batch_rows,
        };
        // While the table holds only this import's rows, a batch need not look its ID numbers
        // up among the stored residents: the import knows its own. The audit chain tells
        // whether anyone else wrote between two of its transactions.
        let mut alone_since = first_load.flatten();
        let mut group: Option<(store::WriteTx, usize)> = None;
        loop {
            let asked = std::time::Instant::now();
            let Some(batch) = reading.next.recv().await else {
                break;
            };
            times.waited += asked.elapsed();
            let rows = batch.rows.len();
            processed += rows;
            let (tx, held) = match &mut group {
                Some(open) => open,
                None => {
                    let tx = self.db.write().await?;
                    if alone_since != Some(tx.audit_seq()) {
                        alone_since = None;
                    }
                    group.insert((tx, 0))
                }
            };
            state.stored_are_own = alone_since.is_some();
            let go_on = self.write_batch(p, batch, &mut state, tx, times).await?;
            *held += rows;
            if (!go_on || *held >= group_rows)
                && let Some((tx, _)) = group.take()
            {
                alone_since = alone_since.map(|_| tx.audit_seq());
                let started = std::time::Instant::now();
                tx.commit().await?;
                times.committed += started.elapsed();
            }
            progress(Progress { processed, total });
            if !go_on {
                return Ok(ImportStatus::TooManyRejects);
            }
        }
        if let Some((tx, _)) = group.take() {
            tx.commit().await?;
        }
        Ok(ImportStatus::Finished)
    }

    /// Sets the residents' secondary indexes aside when the import is large against the table.
    /// None when they stay; else, when the table held no resident, the audit chain's sequence
    /// at that moment.
    async fn set_indexes_aside(&self, p: &PreparedImport) -> AppResult<Option<Option<i64>>> {
        if p.total_rows < self.settings.imports.set_indexes_aside_from_rows {
            return Ok(None);
        }
        let mut tx = self.db.write().await?;
        let stored = deferred_indexes::residents_in_table(tx.conn()).await?;
        if i64::try_from(p.total_rows).unwrap_or(i64::MAX) < stored
            || !self.db.claim_indexes_aside()
        {
            return Ok(None);
        }
        let empty_at = (stored == 0).then(|| tx.audit_seq());
        let set_aside = async {
            deferred_indexes::set_aside(tx.conn()).await?;
            tx.commit().await
        };
        if let Err(e) = set_aside.await {
            self.db.release_indexes_aside();
            return Err(e.into());
        }
        tracing::info!(
            import = p.import_id,
            rows = p.total_rows,
            stored,
            "residents' indexes set aside for a large import"
        );
        Ok(Some(empty_at))
    }

    /// Builds the indexes set aside again, whatever the outcome of the import.
    async fn restore_indexes(&self) -> AppResult<()> {
        let started = std::time::Instant::now();
        let restored = async {
            let mut tx = self.db.write().await?;
            deferred_indexes::restore(tx.conn()).await?;
            tx.commit().await?;
            Ok::<(), AppError>(())
        }
        .await;
        tracing::info!(
            seconds = started.elapsed().as_secs_f64(),
            "residents' indexes built again after a large import"
        );
        self.db.release_indexes_aside();
        restored
    }

    /// Reads the file again on another thread, its rows parsed, sealed and indexed there a
    /// batch at a time while the database takes the batch before: at most a few batches are in
    /// memory, whatever the size of the file.
    pub(super) fn read_again(&self, p: &std::sync::Arc<PreparedImport>) -> Reading {
        let (batches, next) = tokio::sync::mpsc::channel::<Batch>(1);
        let reader = {
            let (app, p) = (self.clone(), p.clone());
            tokio::task::spawn_blocking(move || app.read_batches(&p, &batches))
        };
        Reading { next, reader }
    }

    /// Plans and writes one batch in the transaction of its group, undone alone when the
    /// import's rejected rows go past the limit with it (then only its rejected rows up to the
    /// limit are written, and false tells the import to stop).
    async fn write_batch(
        &self,
        p: &PreparedImport,
        b: Batch,
        state: &mut RunState,
        tx: &mut store::WriteTx,
        times: &mut WriteTimes,
    ) -> AppResult<bool> {
        let started = std::time::Instant::now();
        let mark = tx.mark().await?;
        let plan = batch::plan_batch(&mut Target::Write(tx), p, &b.rows, b.outcomes, state).await?;
        times.planned += started.elapsed();
        if state.rejected_rows + plan.rejected_rows > p.max_rejected_rows {
            tx.undo(mark).await?;
            batch::stop_for_rejects(tx, p, &b.rows, plan.rejects, state).await?;
            return Ok(false);
        }
        state.rejected_rows += plan.rejected_rows;
        let started = std::time::Instant::now();
        batch::write_plan(tx, p, &b.rows, plan).await?;
        tx.keep(mark).await?;
        times.written += started.elapsed();
        Ok(true)
    }

    /// Reads the rows of a prepared import and sends them, parsed, a batch at a time; stops
    /// when nobody takes the batches any more.
    fn read_batches(
        &self,
        p: &PreparedImport,
        batches: &tokio::sync::mpsc::Sender<Batch>,
    ) -> Result<(), sheets::SheetError> {
        let batch_rows = self.settings.imports.batch_rows.max(1);
        let mut rows: Vec<sheets::Row> = Vec::with_capacity(batch_rows.min(p.outline.rows));
        let started = std::time::Instant::now();
        let (parsing, sending) = (
            std::cell::Cell::new(std::time::Duration::ZERO),
            std::cell::Cell::new(std::time::Duration::ZERO),
        );
        let send = |rows: Vec<sheets::Row>| {
            let at = std::time::Instant::now();
            let outcomes = rows.iter().map(|r| self.parse_row(p, r)).collect();
            parsing.set(parsing.get() + at.elapsed());
            let at = std::time::Instant::now();
            let sent = batches
                .blocking_send(Batch { rows, outcomes })
                .map_err(|_| sheets::SheetError::Stopped);
            sending.set(sending.get() + at.elapsed());
            sent
        };
        let limits = &self.settings.imports.sheet;
        let read = sheets::for_each_row(&p.bytes, &p.outline, limits, |row| {
            rows.push(row);
            if rows.len() == batch_rows {
                send(std::mem::replace(&mut rows, Vec::with_capacity(batch_rows)))?;
            }
            Ok(())
        });
        let read = match read {
            Ok(()) if rows.is_empty() => Ok(()),
            Ok(()) => send(rows),
            Err(sheets::SheetError::Stopped) => Ok(()),
            Err(e) => Err(e),
        };
        tracing::info!(
            import = p.import_id,
            seconds = started.elapsed().as_secs_f64(),
            parsing = parsing.get().as_secs_f64(),
            waiting_for_the_writer = sending.get().as_secs_f64(),
            "import's rows read"
        );
        read
    }

    fn parse_row(&self, p: &PreparedImport, row: &sheets::Row) -> RowOutcome {
        let parsed = if let Some(reason) = skip_reason(&p.columns, &row.cells) {
            Parsed::Skipped(reason)
        } else {
            match parse_cells(&p.columns, &row.cells, self.today()) {
                Ok(r) => Parsed::Good(Box::new(Good {
                    data: self.resident_data(&r.draft),
                    grid: r.grid,
                    building: r.building,
                    unit: r.unit,
                    room: r.room,
                    present: r.present,
                })),
                Err(errs) => Parsed::Bad(errs),
            }
        };
        RowOutcome {
            row_number: row.number,
            parsed,
        }
    }
}
