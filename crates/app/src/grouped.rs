//! Writes of many callers committed together (docs/decisions/0012). A database commits one
//! transaction at a time behind the audit head (decision 0003), and on PostgreSQL each commit
//! waits for its own flush of the log to disk: a few milliseconds, so a few hundred writes a
//! second at most, whatever the work. A writer task per kind of write takes every write that
//! waits while it works, runs each in turn inside one transaction, each behind its own
//! savepoint, and commits them once. A write that fails is undone alone; the others stay.

use std::future::Future;
use std::sync::{Mutex, PoisonError};

use store::{Db, WriteTx};
use tokio::sync::{mpsc, oneshot};

use crate::{AppError, AppResult};

/// The most writes one transaction takes: enough for every connection of a busy server, few
/// enough that the first is not kept waiting long for the last.
const GROUP_MAX: usize = 64;
/// Writes waiting for the writer before a new one waits to be queued.
const QUEUE_MAX: usize = 4096;

/// A kind of write done in groups: what one caller asks, and how it is written.
pub trait GroupedWrite: Send + Sync + 'static {
    /// What the caller is answered once the group is committed.
    type Output: Send + 'static;
    /// What the write keeps when it returns `Ok`: its outcome, which may be a refusal that
    /// still keeps what it counted (a rate limit's attempts). `Err` undoes all it wrote.
    fn write(
        &self,
        tx: &mut WriteTx,
    ) -> impl Future<Output = Result<AppResult<Self::Output>, AppError>> + Send;
}

struct Job<W: GroupedWrite> {
    write: W,
    answer: oneshot::Sender<AppResult<W::Output>>,
}

/// The queue to one writer task, started by the first job sent (and again when the runtime
/// that ran it has ended). Each job carries the sender of its caller's answer.
pub(crate) struct WriterQueue<J>(Mutex<Option<mpsc::Sender<J>>>);

impl<J> Default for WriterQueue<J> {
    fn default() -> Self {
        WriterQueue(Mutex::new(None))
    }
}

impl<J: Send + 'static> WriterQueue<J> {
    /// Sends the job `job` makes of its answer's sender, starting the writer with `start`
    /// when none runs, and waits for the answer.
    pub(crate) async fn ask<T, Fut>(
        &self,
        job: impl FnOnce(oneshot::Sender<AppResult<T>>) -> J,
        start: impl FnOnce(mpsc::Receiver<J>) -> Fut,
    ) -> AppResult<T>
    where
        Fut: Future<Output = ()> + Send + 'static,
    {
        let queue = {
            let mut queue = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            match queue.as_ref().filter(|q| !q.is_closed()) {
                Some(q) => q.clone(),
                None => {
                    let (q, jobs) = mpsc::channel(QUEUE_MAX);
                    tokio::spawn(start(jobs));
                    *queue = Some(q.clone());
                    q
                }
            }
        };
        let (answer, answered) = oneshot::channel();
        queue.send(job(answer)).await.map_err(|_| writer_gone())?;
        answered.await.map_err(|_| writer_gone())?
    }
}

pub(crate) fn writer_gone() -> AppError {
    AppError::Unavailable("the writer stopped".to_owned())
}

/// The writer of one kind of grouped write.
pub struct GroupWriter<W: GroupedWrite>(WriterQueue<Job<W>>);

impl<W: GroupedWrite> Default for GroupWriter<W> {
    fn default() -> Self {
        GroupWriter(WriterQueue::default())
    }
}

impl<W: GroupedWrite> std::fmt::Debug for GroupWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupWriter").finish_non_exhaustive()
    }
}

impl<W: GroupedWrite> GroupWriter<W> {
    /// Writes with the others waiting: this write's own outcome, or its own error.
    pub async fn write(&self, db: &Db, write: W) -> AppResult<W::Output> {
        self.0
            .ask(|answer| Job { write, answer }, |jobs| run(db.clone(), jobs))
            .await
    }
}

/// Writes groups until the last sender is gone.
async fn run<W: GroupedWrite>(db: Db, mut jobs: mpsc::Receiver<Job<W>>) {
    let mut group = Vec::with_capacity(GROUP_MAX);
    while jobs.recv_many(&mut group, GROUP_MAX).await > 0 {
        let outcomes = match write_group(&db, &group).await {
            Ok(outcomes) => outcomes,
            // Nothing of the group is stored: each caller is told why.
            Err(e) => {
                tracing::warn!(error = %e, writes = group.len(), "a group of writes was not committed");
                let why = e.to_string();
                group
                    .iter()
                    .map(|_| Err(AppError::Unavailable(why.clone())))
                    .collect()
            }
        };
        for (job, outcome) in group.drain(..).zip(outcomes) {
            // A caller gone (its connection closed) does not undo its write.
            let _ = job.answer.send(outcome);
        }
    }
}

/// One transaction for the group: each write behind its savepoint, kept or undone alone, then
/// one commit. The outcomes in the group's order; an error only when the group is lost whole.
async fn write_group<W: GroupedWrite>(
    db: &Db,
    group: &[Job<W>],
) -> AppResult<Vec<AppResult<W::Output>>> {
    let mut tx = db.write().await?;
    let mut outcomes = Vec::with_capacity(group.len());
    for job in group {
        let mark = tx.mark().await?;
        match job.write.write(&mut tx).await {
            Ok(outcome) => {
                tx.keep(mark).await?;
                outcomes.push(outcome);
            }
            Err(e) => {
                tx.undo(mark).await?;
                outcomes.push(Err(e));
            }
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}
