//! Scheduled work, kept in the database so it survives restarts and runs once with several
//! servers.
//!
//! A job is a [`Job`]: a name, a function listing the periods due at a moment (`2020-02-01` for
//! a daily job, `2020-02-01/morning` for a check slot), looking back [`LOOKBACK_DAYS`] so periods
//! missed while every server was down are caught up, and a function doing one period's work
//! inside a write transaction. [`App::run_due_jobs`] claims each due period by inserting its
//! `job_runs` row in that same transaction: a crash rolls back claim and work together, and a
//! second server that meets the row skips the period. Every server calls it about every
//! [`TICK`] ([`spawn_runner`]); tests call it with the moment they need.
//!
//! A capability declares its jobs beside the work they do, in its own `JOBS`, and that list is
//! added once to [`JOBS`] here; the job's work must audit what it changes through the
//! transaction it is given.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use jiff::Timestamp;
use store::WriteTx;
use store::jobs as js;

use crate::{Actor, App, AppResult, Settings};

/// How often each server looks for due periods.
pub const TICK: Duration = Duration::from_secs(30);

/// How far back due periods are looked for after a stop.
pub const LOOKBACK_DAYS: i64 = 3;

/// One period's work: returns a short outcome for `job_runs` (e.g. "raised 3").
pub type JobFuture<'a> = Pin<Box<dyn Future<Output = AppResult<String>> + Send + 'a>>;

/// A scheduled job.
pub struct Job {
    /// Stable name, the first half of the `job_runs` key.
    pub name: &'static str,
    /// The periods due at `now` within the look-back, oldest first.
    pub due_periods: fn(Timestamp, &Settings) -> Vec<String>,
    /// Does one period's work in the transaction that also claims it.
    pub run: for<'a> fn(&'a App, &'a mut WriteTx, &'a str) -> JobFuture<'a>,
}

/// Every capability's jobs, in the order they run within a tick: orders start before their
/// slots are checked.
pub const JOBS: &[&[Job]] = &[
    crate::quarantine::JOBS,
    crate::checks::JOBS,
    crate::tasks::JOBS,
    crate::auth::JOBS,
    crate::cases::JOBS,
    crate::returns::JOBS,
];

/// Every registered job, in the order of [`JOBS`].
pub fn all() -> impl Iterator<Item = &'static Job> {
    JOBS.iter().flat_map(|list| list.iter())
}

/// One period handled by this server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    pub job: &'static str,
    pub period: String,
    pub outcome: String,
}

/// The local dates from [`LOOKBACK_DAYS`] ago to today: the periods of a daily job.
pub fn daily_periods(now: Timestamp, settings: &Settings) -> Vec<String> {
    let today = now.to_zoned_datetime(settings.time_zone.clone()).date();
    (0..=LOOKBACK_DAYS)
        .rev()
        .filter_map(|back| today.checked_sub(jiff::Span::new().days(back)).ok())
        .map(|d| d.to_string())
        .collect()
}

/// The hours of the look-back up to now, local time (`2020-02-01T09`): the periods of an hourly
/// job.
pub fn hourly_periods(now: Timestamp, settings: &Settings) -> Vec<String> {
    let local = now.to_zoned_datetime(settings.time_zone.clone()).datetime();
    (0..=LOOKBACK_DAYS * 24)
        .rev()
        .filter_map(|back| local.checked_sub(jiff::Span::new().hours(back)).ok())
        .map(|t| t.strftime("%Y-%m-%dT%H").to_string())
        .collect()
}

impl App {
    /// Runs every registered job for the periods due at `now` that no server has handled.
    pub async fn run_due_jobs(&self, now: Timestamp) -> AppResult<Vec<JobRun>> {
        self.run_jobs(all(), now).await
    }

    /// Runs the given jobs for their due periods at `now`. A failing period is rolled back,
    /// logged and tried again on a later tick; the others go on.
    pub async fn run_jobs(
        &self,
        jobs: impl IntoIterator<Item = &Job>,
        now: Timestamp,
    ) -> AppResult<Vec<JobRun>> {
        let mut done = Vec::new();
        let mut failed = None;
        for job in jobs {
            let due = (job.due_periods)(now, &self.settings);
            let claimed = {
                let mut conn = self.db.conn().await?;
                js::claimed(&mut conn, job.name, &due).await?
            };
            for period in due.iter().filter(|p| !claimed.contains(p)) {
                match self.run_period(job, period).await {
                    Ok(Some(outcome)) => done.push(JobRun {
                        job: job.name,
                        period: period.clone(),
                        outcome,
                    }),
                    Ok(None) => {}
                    Err(e) => {
                        tracing::error!(job = job.name, period = %period, error = %e, "job failed");
                        failed = Some(e);
                    }
                }
            }
        }
        match failed {
            Some(e) if done.is_empty() => Err(e),
            _ => Ok(done),
        }
    }

    /// One period in one transaction; `None` when another run claimed it first.
    async fn run_period(&self, job: &Job, period: &str) -> AppResult<Option<String>> {
        let mut tx = self.db.write().await?;
        if !js::claim(tx.conn(), job.name, period, store::now_ms()).await? {
            tx.rollback().await?;
            return Ok(None);
        }
        let outcome = match (job.run)(self, &mut tx, period).await {
            Ok(o) => o,
            Err(e) => {
                tx.rollback().await?;
                return Err(e);
            }
        };
        js::finish(tx.conn(), job.name, period, &outcome, store::now_ms()).await?;
        tx.commit().await?;
        Ok(Some(outcome))
    }

    /// The recorded runs of a job, newest period first.
    pub async fn job_runs(
        &self,
        actor: &Actor,
        job: &str,
        limit: u32,
    ) -> AppResult<Vec<js::JobRun>> {
        let mut conn = self
            .read_as(
                actor,
                actor.role.can_read_audit() || actor.role == domain::access::Role::Admin,
            )
            .await?;
        Ok(js::runs(&mut conn, job, limit.min(500)).await?)
    }
}

/// Runs the due jobs now and then every [`TICK`] until the task is dropped or aborted, then
/// sends the notifications queued to leave the app.
pub fn spawn_runner(app: App) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(TICK);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match app.run_due_jobs(Timestamp::now()).await {
                Ok(runs) => {
                    for r in runs {
                        tracing::info!(job = r.job, period = %r.period, outcome = %r.outcome, "job ran");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "jobs did not run this tick"),
            }
            if app.settings.notify_outbound
                && let Err(e) = app.send_outbound().await
            {
                tracing::warn!(error = %e, "notifications were not sent this tick");
            }
        }
    })
}
