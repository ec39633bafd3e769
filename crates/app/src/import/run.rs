//! Running a prepared import: the file read again row by row on another thread, parsed a
//! batch at a time, and each batch written in one transaction with its audit entry.

use std::sync::atomic::{AtomicBool, Ordering};

use domain::registry::ImportStatus;
use store::deferred_indexes;
use store::imports::{self, Import};

use super::batch::{self, Good, Parsed, RowOutcome, RunState, Target};
use super::row::parse_cells;
use super::skip::skip_reason;
use super::{ANALYZE_AFTER_ROWS, BATCH_ROWS, PreparedImport, Progress};
use crate::{App, AppError, AppResult};

/// Rows read from the file and what parsing made of each.
pub(super) struct Batch {
    pub(super) rows: Vec<sheets::Row>,
    pub(super) outcomes: Vec<RowOutcome>,
}

/// One import at a time loads without the indexes; another one meanwhile takes the usual path.
static LOADING_WITHOUT_INDEXES: AtomicBool = AtomicBool::new(false);

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
        let mut state = RunState::default();
        let total = p.outline.rows;
        let _bulk = self.db.bulk_load();
        let p = std::sync::Arc::new(p);
        let mut processed = 0;
        let indexes_set_aside = self.set_indexes_aside(&p).await?;
        let mut reading = self.read_again(&p);
        let result = async {
            while let Some(batch) = reading.next.recv().await {
                processed += batch.rows.len();
                let go_on = self.write_batch(&p, batch, &mut state).await?;
                progress(Progress { processed, total });
                if !go_on {
                    return Ok(ImportStatus::TooManyRejects);
                }
            }
            Ok(ImportStatus::Finished)
        }
        .await;
        let result = reading.end(result).await;
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

    /// Sets the residents' secondary indexes aside when the import is large against the table.
    async fn set_indexes_aside(&self, p: &PreparedImport) -> AppResult<bool> {
        if p.total_rows < self.settings.imports.set_indexes_aside_from_rows {
            return Ok(false);
        }
        let mut tx = self.db.write().await?;
        let stored = deferred_indexes::residents_in_table(tx.conn()).await?;
        if i64::try_from(p.total_rows).unwrap_or(i64::MAX) < stored
            || LOADING_WITHOUT_INDEXES.swap(true, Ordering::SeqCst)
        {
            return Ok(false);
        }
        deferred_indexes::set_aside(tx.conn()).await?;
        tx.commit().await?;
        tracing::info!(
            import = p.import_id,
            rows = p.total_rows,
            stored,
            "residents' indexes set aside for a large import"
        );
        Ok(true)
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
        LOADING_WITHOUT_INDEXES.store(false, Ordering::SeqCst);
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

    /// Plans and writes one batch in one transaction; false when the import's rejected rows
    /// went past the limit, and the import stops.
    async fn write_batch(
        &self,
        p: &PreparedImport,
        b: Batch,
        state: &mut RunState,
    ) -> AppResult<bool> {
        let mut tx = self.db.write().await?;
        let plan =
            batch::plan_batch(&mut Target::Write(&mut tx), p, &b.rows, b.outcomes, state).await?;
        if state.rejected_rows + plan.rejected_rows > p.max_rejected_rows {
            // Nothing of this batch is written but the rejected rows up to the limit.
            drop(tx);
            let mut tx = self.db.write().await?;
            batch::stop_for_rejects(&mut tx, p, &b.rows, plan.rejects, state).await?;
            tx.commit().await?;
            return Ok(false);
        }
        state.rejected_rows += plan.rejected_rows;
        batch::write_plan(&mut tx, p, &b.rows, plan).await?;
        tx.commit().await?;
        Ok(true)
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
