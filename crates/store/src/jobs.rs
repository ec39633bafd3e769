//! Runs of scheduled jobs, one row per (job, period). The row is inserted in the same transaction
//! as the job's work: a crash rolls back both, and a second server finds the row and skips.

use serde::Serialize;

use crate::sql;
use crate::{Conn, Result};

/// Of `periods` (all of one job), those already claimed by a run. A cheap read before opening a
/// write transaction per period; the claim itself is what decides.
pub async fn claimed(conn: &mut Conn, job: &str, periods: &[String]) -> Result<Vec<String>> {
    let Some(first) = periods.iter().min() else {
        return Ok(Vec::new());
    };
    let done: Vec<String> = sql::scalars(
        conn,
        "SELECT period FROM job_runs WHERE job = $1 AND period >= $2",
        (job, first.as_str()),
    )
    .await?;
    Ok(periods
        .iter()
        .filter(|p| done.contains(p))
        .cloned()
        .collect())
}

/// Claims a period inside the caller's transaction; `false` when another run has it.
pub async fn claim(conn: &mut Conn, job: &str, period: &str, now_ms: i64) -> Result<bool> {
    let row = sql::fetch_optional(
        conn,
        "INSERT INTO job_runs (job, period, started_at) VALUES ($1, $2, $3) \
         ON CONFLICT (job, period) DO NOTHING RETURNING job",
        (job, period, now_ms),
    )
    .await?;
    Ok(row.is_some())
}

/// Records what the run did, in the same transaction as the claim.
pub async fn finish(
    conn: &mut Conn,
    job: &str,
    period: &str,
    outcome: &str,
    now_ms: i64,
) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE job_runs SET finished_at = $1, outcome = $2 WHERE job = $3 AND period = $4",
        (now_ms, outcome, job, period),
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct JobRun {
    pub job: String,
    pub period: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub outcome: String,
}

/// The runs of a job, newest period first.
pub async fn runs(conn: &mut Conn, job: &str, limit: u32) -> Result<Vec<JobRun>> {
    sql::all(
        conn,
        sqlx::AssertSqlSafe(format!(
            "SELECT job, period, started_at, finished_at, outcome FROM job_runs WHERE job = $1 \
         ORDER BY period DESC LIMIT {limit}"
        )),
        (job,),
    )
    .await
}
