//! Scans written in groups (docs/decisions/0011): one writer per server takes every scan that
//! waits while it writes into one transaction, judges each in turn on the log as the scans
//! before it left it, and commits them together. Each scan still gets its own decision; when
//! one fails, the group is rolled back and each scan is written again alone, so each failure
//! is its own and nothing is half-written.

use std::sync::{Mutex, PoisonError};

use domain::checkpoint::{Declined, GateRefusal};
use store::Db;
use store::gates::Gate;
use store::passages::Passage;
use store::passes as pst;
use tokio::sync::{mpsc, oneshot};

use super::scan::{Common, ShownPass, judge, log_passage};
use crate::{Actor, AppError, AppResult};

/// The most scans one transaction takes: enough for every connection of a busy server, few
/// enough that the first of them is not kept waiting long for the last.
const GROUP_MAX: usize = 128;
/// Scans waiting for the writer before a new one waits to be queued.
const QUEUE_MAX: usize = 4096;

/// A scan decided up to what the log says: ready to be judged on the log and written.
pub(crate) struct Scan {
    pub actor: Actor,
    pub gate: Gate,
    pub common: Common,
    /// The stored pass the code names, when its signature holds and it exists.
    pub pass: Option<ShownPass>,
    /// A refusal known before the log is read (the code, or a pass of another community).
    pub refusal: Option<GateRefusal>,
    /// The local weekday and minute of the scan, for a commuter's hours.
    pub weekday: u8,
    pub minute: u16,
}

/// A scan written: the passage as logged and, when refused, why.
pub(crate) struct Logged {
    pub passage: Passage,
    pub declined: Option<Declined>,
}

struct Job {
    scan: Scan,
    answer: oneshot::Sender<AppResult<Logged>>,
}

/// The queue of the server's one scan writer, started by the first scan.
#[derive(Default)]
pub struct ScanWriter(Mutex<Option<mpsc::Sender<Job>>>);

impl std::fmt::Debug for ScanWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanWriter").finish_non_exhaustive()
    }
}

impl ScanWriter {
    /// Writes a scan with the others waiting; its own decision, or its own error.
    pub(crate) async fn write(&self, db: &Db, scan: Scan) -> AppResult<Logged> {
        let (answer, answered) = oneshot::channel();
        self.queue(db)
            .send(Job { scan, answer })
            .await
            .map_err(|_| writer_gone())?;
        answered.await.map_err(|_| writer_gone())?
    }

    /// The writer's queue, starting the writer when there is none (or it ended with the
    /// runtime that ran it).
    fn queue(&self, db: &Db) -> mpsc::Sender<Job> {
        let mut queue = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(q) = queue.as_ref().filter(|q| !q.is_closed()) {
            return q.clone();
        }
        let (q, jobs) = mpsc::channel(QUEUE_MAX);
        tokio::spawn(run(db.clone(), jobs));
        *queue = Some(q.clone());
        q
    }
}

fn writer_gone() -> AppError {
    AppError::Unavailable("the passage writer stopped".to_owned())
}

/// Writes groups until the last sender is gone.
async fn run(db: Db, mut jobs: mpsc::Receiver<Job>) {
    let mut group = Vec::with_capacity(GROUP_MAX);
    while jobs.recv_many(&mut group, GROUP_MAX).await > 0 {
        match write_group(&db, &mut group).await {
            Ok(logged) => {
                for (job, l) in group.drain(..).zip(logged) {
                    // A caller gone (its connection closed) does not undo the passage.
                    let _ = job.answer.send(Ok(l));
                }
            }
            Err(e) if group.len() == 1 => {
                if let Some(job) = group.pop() {
                    let _ = job.answer.send(Err(e));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, scans = group.len(), "a group of scans failed: each is written alone");
                for mut job in group.drain(..) {
                    let alone = write_group(&db, std::slice::from_mut(&mut job))
                        .await
                        .and_then(|mut l| l.pop().ok_or_else(writer_gone));
                    let _ = job.answer.send(alone);
                }
            }
        }
    }
}

/// One transaction for the group: the passes it judges held, each scan judged on the log as the
/// scans before it left it and written, then one commit.
///
/// A live scan's time is taken again as it is judged. Scans reach the queue in another order
/// than they were timed (each first reads its gate and pass), and a scan judged on the log up
/// to its own time would not see an exit judged before it but timed a millisecond later.
async fn write_group(db: &Db, group: &mut [Job]) -> AppResult<Vec<Logged>> {
    let mut tx = db.write().await?;
    let judged: Vec<i64> = group
        .iter()
        .filter(|j| j.scan.refusal.is_none())
        .filter_map(|j| j.scan.pass.as_ref().map(|p| p.stored.id))
        .collect();
    pst::hold(tx.conn(), &judged).await?;
    let mut logged = Vec::with_capacity(group.len());
    for job in group.iter_mut() {
        if job.scan.common.live {
            job.scan.common.at = job.scan.common.at.max(store::now_ms());
        }
        let s = &job.scan;
        let declined = match (&s.pass, s.refusal) {
            (_, Some(r)) => Some(Declined::from(r)),
            (Some(p), None) => judge(tx.conn(), s, p).await?.err(),
            (None, None) => Some(Declined::from(GateRefusal::UnknownPass)),
        };
        let passage = log_passage(&mut tx, s, declined).await?;
        logged.push(Logged { passage, declined });
    }
    tx.commit().await?;
    Ok(logged)
}
