//! Scans written in groups (docs/decisions/0011): one writer per server takes every scan that
//! waits while it writes, reads what the whole group needs in a few statements inside one
//! transaction (the gates and shifts, the gates' ids seen before, the passes, their logs),
//! judges each scan in turn on the log as the scans before it left it, writes the group's
//! passages in one statement and commits them together. Each scan still gets its own decision
//! or its own error; when the group fails, it is rolled back and each scan is written again
//! alone, so each failure is its own and nothing is half-written.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use domain::checkpoint::{Declined, GateRefusal};
use std::time::{Duration, Instant};
use store::gates::Gate;
use store::passages::NewPassage;
use store::passages::group as pg;
use store::passes as pst;

use store::{Db, PooledConn, WriteOn};
use tokio::sync::{mpsc, oneshot};

use super::judge::{Judged, ShownPass, judge, log_read, passage_of, with_group};
use super::scan::{Common, GateDecision, audit_passage, logged, shown_of};
use crate::grouped::{WriterQueue, writer_gone};
use crate::{Actor, AppError, AppResult, ErrorCode};

/// The most scans one transaction takes: enough for every connection of a busy server, few
/// enough that the first of them is not kept waiting long for the last.
const GROUP_MAX: usize = pg::ROWS_AT_ONCE;

/// A scan as the guard's request gives it, its code checked: ready to be judged and written.
pub(crate) struct Scan {
    pub actor: Actor,
    pub gate_id: i64,
    pub common: Common,
    /// The claims of a code whose signature holds, or why the code is refused.
    pub code: Result<passes::PassClaims, GateRefusal>,
    /// The local weekday and minute of the scan, for a commuter's hours.
    pub weekday: u8,
    pub minute: u16,
}

/// What the writer did with a scan.
pub(crate) enum Written {
    /// Judged and logged: the passage, why it was refused, and the pass as the gate shows it.
    Logged(Box<GateDecision>),
    /// The gate sent this passage before under the same id: stored then, not again.
    Repeated,
}

struct Job {
    scan: Scan,
    answer: oneshot::Sender<AppResult<Written>>,
}

/// The queue of the server's one scan writer, started by the first scan.
#[derive(Default)]
pub struct ScanWriter(WriterQueue<Job>);

impl std::fmt::Debug for ScanWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanWriter").finish_non_exhaustive()
    }
}

impl ScanWriter {
    /// Writes a scan with the others waiting; its own decision, or its own error.
    pub(crate) async fn write(&self, db: &Db, scan: Scan) -> AppResult<Written> {
        self.0
            .ask(|answer| Job { scan, answer }, |jobs| run(db.clone(), jobs))
            .await
    }
}

/// How long the writer keeps the writing connection while scans keep coming: long enough
/// that a busy gate's groups follow each other on it, short enough that the other writes,
/// which wait for it on SQLite, are not held up noticeably.
const HOLD_MAX: Duration = Duration::from_millis(20);

/// Writes groups until the last sender is gone. The writing connection is kept from one group
/// to the next while scans wait (up to [`HOLD_MAX`]): taking it from the pool and giving it
/// back cost a tenth of a group's time, and at times as much as the group itself.
async fn run(db: Db, mut jobs: mpsc::Receiver<Job>) {
    let mut group = Vec::with_capacity(GROUP_MAX);
    let mut held: Option<(PooledConn, Instant)> = None;
    while jobs.recv_many(&mut group, GROUP_MAX).await > 0 {
        let (mut conn, since) = match held.take() {
            Some(held) => held,
            None => match db.writer_conn().await {
                Ok(conn) => (conn, Instant::now()),
                Err(e) => {
                    let why = AppError::from(e).to_string();
                    for job in group.drain(..) {
                        let _ = job.answer.send(Err(AppError::Unavailable(why.clone())));
                    }
                    continue;
                }
            },
        };
        // After a failed group the connection goes back to the pool, which tries it again
        // before it is used (PostgreSQL), in case the failure was the connection's.
        let whole = write_jobs(&db, &mut conn, &mut group).await;
        if whole && !jobs.is_empty() && since.elapsed() < HOLD_MAX {
            held = Some((conn, since));
        }
    }
}

/// Writes a group and answers each of its scans; when the group fails, each scan is written
/// again alone, so each failure is its own. Whether the group was written whole.
async fn write_jobs(db: &Db, conn: &mut PooledConn, group: &mut Vec<Job>) -> bool {
    match write_group(db, conn, group).await {
        Ok(written) => {
            for (job, w) in group.drain(..).zip(written) {
                // A caller gone (its connection closed) does not undo the passage.
                let _ = job.answer.send(w);
            }
            true
        }
        Err(e) if group.len() == 1 => {
            if let Some(job) = group.pop() {
                let _ = job.answer.send(Err(e));
            }
            false
        }
        Err(e) => {
            tracing::warn!(error = %e, scans = group.len(), "a group of scans failed: each is written alone");
            for mut job in group.drain(..) {
                let alone = write_group(db, conn, std::slice::from_mut(&mut job))
                    .await
                    .and_then(|mut w| w.pop().ok_or_else(writer_gone))
                    .and_then(|w| w);
                let _ = job.answer.send(alone);
            }
            false
        }
    }
}

/// One transaction for the group, each scan's answer in the group's order; an error of the
/// group (a statement failed) rolls all of it back.
///
/// A live scan's time is taken again as its group is written: scans reach the queue in another
/// order than they were timed (each first checks its code), and a scan judged on the log up to
/// its own time would not see an exit judged before it but timed a millisecond later. The
/// group's live scans share that time and are judged in the order they came.
async fn write_group(
    db: &Db,
    conn: &mut PooledConn,
    group: &mut [Job],
) -> AppResult<Vec<AppResult<Written>>> {
    let mut tx = db.write_on(conn).await?;
    let now = store::now_ms();
    for job in group.iter_mut() {
        if job.scan.common.live {
            job.scan.common.at = job.scan.common.at.max(now);
        }
    }
    let scans: Vec<&Scan> = group.iter().map(|j| &j.scan).collect();
    let written = write_scans(&mut tx, &scans, now).await?;
    tx.commit().await?;
    Ok(written)
}

/// An error of a scan's gate (unknown, out of reach, off shift), answered to each scan of the
/// group at that gate by that account; any other error is the group's.
#[derive(Debug, Clone, Copy)]
enum GateError {
    NotFound,
    Forbidden,
    Conflict(ErrorCode),
}

impl GateError {
    fn of(e: AppError) -> AppResult<GateError> {
        match e {
            AppError::NotFound => Ok(GateError::NotFound),
            AppError::Forbidden => Ok(GateError::Forbidden),
            AppError::Conflict(code) => Ok(GateError::Conflict(code)),
            other => Err(other),
        }
    }
}

impl From<GateError> for AppError {
    fn from(e: GateError) -> AppError {
        match e {
            GateError::NotFound => AppError::NotFound,
            GateError::Forbidden => AppError::Forbidden,
            GateError::Conflict(code) => AppError::Conflict(code),
        }
    }
}

/// A scan to be logged at its gate.
struct ToLog<'a> {
    scan: &'a Scan,
    gate: &'a Gate,
    pass: Option<ShownPass<'a>>,
    /// A refusal known before the log is read (the code, or a pass of another community).
    refusal: Option<GateRefusal>,
}

/// The group's reads, judgements and writes inside its transaction: each scan's answer, in the
/// group's order.
async fn write_scans(
    tx: &mut WriteOn<'_>,
    scans: &[&Scan],
    now: i64,
) -> AppResult<Vec<AppResult<Written>>> {
    // The gates and the guards' shifts: one statement for each gate and account of the group.
    let mut gates: HashMap<(i64, i64), Result<Gate, GateError>> = HashMap::new();
    for s in scans {
        let key = (s.actor.account_id, s.gate_id);
        if let Entry::Vacant(v) = gates.entry(key) {
            v.insert(
                match super::gate_kept(tx.conn(), &s.actor, s.gate_id, now).await {
                    Ok(gate) => Ok(gate),
                    Err(e) => Err(GateError::of(e)?),
                },
            );
        }
    }
    let mut answers: Vec<Option<AppResult<Written>>> = Vec::with_capacity(scans.len());
    let mut at_gate: Vec<Option<&Gate>> = Vec::with_capacity(scans.len());
    for s in scans {
        match &gates[&(s.actor.account_id, s.gate_id)] {
            Ok(gate) => {
                answers.push(None);
                at_gate.push(Some(gate));
            }
            Err(e) => {
                answers.push(Some(Err((*e).into())));
                at_gate.push(None);
            }
        }
    }
    // Passages the gates sent before under the same ids are answered as sent then.
    let client_ids: Vec<&str> = scans
        .iter()
        .zip(&at_gate)
        .filter(|(_, g)| g.is_some())
        .filter_map(|(s, _)| s.common.client_id.as_deref())
        .collect();
    if !client_ids.is_empty() {
        let seen = pg::ids_of_client_ids(tx.conn(), &client_ids).await?;
        for (i, s) in scans.iter().enumerate() {
            if let Some(id) = &s.common.client_id
                && at_gate[i].is_some()
                && seen.iter().any(|(c, _)| c == id)
            {
                at_gate[i] = None;
                answers[i] = Some(Ok(Written::Repeated));
            }
        }
    }
    // The passes the codes name, and what each scan is refused for before its log is read.
    let ids: Vec<i64> = scans
        .iter()
        .zip(&at_gate)
        .filter(|(_, g)| g.is_some())
        .filter_map(|(s, _)| s.code.as_ref().ok().map(|c| c.pass_id))
        .collect();
    let stored: HashMap<i64, pst::PassAtGate> = pst::passes_at_gate(tx.conn(), &ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let to_log: Vec<(usize, ToLog<'_>)> = scans
        .iter()
        .zip(&at_gate)
        .enumerate()
        .filter_map(|(i, (s, g))| Some((i, to_log(s, (*g)?, &stored))))
        .collect();
    // The passes judged are held (PostgreSQL), and their logs read, in one statement each.
    let reads: Vec<pg::LogRead> = to_log
        .iter()
        .filter(|(_, t)| t.refusal.is_none())
        .filter_map(|(_, t)| t.pass.as_ref().map(|p| log_read(t.scan, p)))
        .collect();
    let held: Vec<i64> = reads.iter().map(|r| r.pass_id).collect();
    pst::hold(tx.conn(), &held).await?;
    let mut logs = pg::pass_logs(tx.conn(), &reads)
        .await?
        .into_iter()
        .zip(&reads);
    // Each scan judged in the order it came, on the log and the group's passages before it.
    let mut earlier: Vec<Judged> = Vec::with_capacity(to_log.len());
    let mut rows: Vec<NewPassage<'_>> = Vec::with_capacity(to_log.len());
    let mut decided: Vec<Option<Declined>> = Vec::with_capacity(to_log.len());
    for (_, t) in &to_log {
        let declined = match (&t.pass, t.refusal) {
            (_, Some(r)) => Some(Declined::from(r)),
            (Some(p), None) => {
                let (log, read) = logs.next().ok_or_else(log_lost)?;
                judge(t.scan, t.gate, p, &with_group(log, read, &earlier)).err()
            }
            (None, None) => Some(Declined::from(GateRefusal::UnknownPass)),
        };
        let new = passage_of(t.scan, t.gate, t.pass.as_ref().map(|p| p.stored), declined);
        if let Some(p) = &t.pass {
            earlier.extend(Judged::of(&new, p.stored.kind));
        }
        rows.push(new);
        decided.push(declined);
    }
    let ids = pg::insert_passages(tx.conn(), &rows)
        .await
        .map_err(crate::error::conflict_as("client_id", "client_id_reused"))?;
    if ids.len() != rows.len() {
        return Err(log_lost());
    }
    for (((i, t), new), (id, declined)) in
        to_log.iter().zip(&rows).zip(ids.into_iter().zip(decided))
    {
        audit_passage(tx, &t.scan.actor, id, new).await?;
        let kind = t.pass.as_ref().map(|p| p.stored.kind);
        answers[*i] = Some(Ok(Written::Logged(Box::new(GateDecision {
            passage: logged(id, new, t.gate, &t.scan.actor, kind, None),
            refusal: declined.map(|d| d.refusal),
            pass: t.pass.as_ref().map(|p| shown_of(p.stored)),
            repeated: false,
        }))));
    }
    answers
        .into_iter()
        .map(|a| a.ok_or_else(log_lost))
        .collect()
}

/// A scan at its gate, with the stored pass its code names and what refuses it before its log
/// is read.
fn to_log<'a>(
    scan: &'a Scan,
    gate: &'a Gate,
    stored: &'a HashMap<i64, pst::PassAtGate>,
) -> ToLog<'a> {
    let (pass, refusal) = match &scan.code {
        Err(r) => (None, Some(*r)),
        Ok(claims) => match stored.get(&claims.pass_id) {
            Some(stored) if stored.household_id == claims.household_id => {
                let elsewhere =
                    (stored.community_id != gate.community_id).then_some(GateRefusal::WrongGate);
                (Some(ShownPass { stored, claims }), elsewhere)
            }
            _ => (None, Some(GateRefusal::UnknownPass)),
        },
    };
    ToLog {
        scan,
        gate,
        pass,
        refusal,
    }
}

/// A scan the group's steps lost track of: a fault of this code, not of the scan.
fn log_lost() -> AppError {
    AppError::Internal("a scan of the group was not written".to_owned())
}
