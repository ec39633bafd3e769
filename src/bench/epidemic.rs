//! Issue 4 at county scale: a month of quarantine work seeded in bulk into the imported county
//! (about 12,000 orders still active, 30 days of twice-daily checks and their alerts), then what
//! the people who work it open many times a day: the doctor's worklist, the lead's worklist,
//! the volunteer's deliveries — through the use cases their pages call, p50/p95 against 50 ms.

use std::time::Instant;

use app::Actor;
use app::checks::AlertQuery;
use app::seeding::Activity;
use app::tasks::MyList;
use domain::access::{Jurisdiction, Level, Role};
use domain::page::PageRequest;

use super::Facts;
use super::load::{Setup, new_account};
use super::report::{Figure, Goal, Report, Timings};
use crate::demo::RESIDENTS_PER_ORDER;
use crate::error::CliError;

/// Goal of issue 4 §5: worklists and progress pages in under 50 ms (p95).
pub const WORKLIST_GOAL_MS: f64 = 50.0;
/// Doctors sharing the community's orders (a county's 12,000 active orders: 300 each).
const DOCTORS: usize = 40;
/// Volunteers sharing the deliveries.
const VOLUNTEERS: usize = 40;

pub async fn run(
    s: &Setup,
    facts: &Facts,
    runs: usize,
    report: &mut Report,
) -> Result<(), CliError> {
    let doctors = accounts(s, Role::Doctor, "doctor", DOCTORS).await?;
    let volunteers = accounts(s, Role::Volunteer, "volunteer", VOLUNTEERS).await?;
    let active_orders = seed_month(s, facts, &doctors, report).await?;
    let now = jiff::Timestamp::now();
    doctor_worklists(s, &doctors, active_orders, now, runs, report).await?;
    lead_worklists(s, now, runs, report).await?;
    deliveries(s, &volunteers, runs, report).await
}

/// A month of orders, checks and alerts seeded at once; returns the orders still active.
async fn seed_month(
    s: &Setup,
    facts: &Facts,
    doctors: &[Actor],
    report: &mut Report,
) -> Result<i64, CliError> {
    let (app, community) = (&s.app, s.ids.community);
    let started = Instant::now();
    let seeded = app
        .seed_activity(
            &Activity {
                community_id: community,
                orders: facts.residents / RESIDENTS_PER_ORDER,
                doctors: doctors.iter().map(|d| d.account_id).collect(),
                grid_workers: vec![s.grid_worker.account_id],
            },
            jiff::Timestamp::now(),
        )
        .await?
        .ok_or_else(|| CliError::message("the bench's community already had orders"))?;
    report.add(
        Figure::new(
            format!(
                "seed a month: {} orders ({} active), {} checks",
                seeded.orders, seeded.active_orders, seeded.checks
            ),
            "total",
            started.elapsed().as_secs_f64(),
            "s",
        )
        .extra("open alerts", seeded.open_alerts as f64)
        .note("set-based, one transaction, one audit entry: the demo's and the bench's month"),
    );
    report.check(
        "a month of checks was seeded",
        seeded.active_orders > 0 && seeded.checks > seeded.active_orders,
        format!("{seeded:?}"),
    );

    Ok(seeded.active_orders)
}

/// The doctor's worklist page: their unresolved alerts and their residents' slots of today.
async fn doctor_worklists(
    s: &Setup,
    doctors: &[Actor],
    active_orders: i64,
    now: jiff::Timestamp,
    runs: usize,
    report: &mut Report,
) -> Result<(), CliError> {
    let app = &s.app;
    let mut doctor_times = Timings::default();
    let mut foreign = 0usize;
    let mut listed = 0usize;
    for r in 0..runs {
        let doctor = &doctors[r % doctors.len()];
        let t = Instant::now();
        let alerts = app
            .alerts(
                doctor,
                &AlertQuery {
                    mine: true,
                    ..Default::default()
                },
                PageRequest::first(),
            )
            .await?;
        let day = app
            .worklist(doctor, true, now, PageRequest::new(None, Some(100)))
            .await?;
        doctor_times.push(t.elapsed());
        foreign += alerts
            .items
            .iter()
            .filter(|a| a.doctor_id != Some(doctor.account_id))
            .count();
        listed += day.day.items.len();
    }
    report.add(Figure::latency(
        format!(
            "doctor's worklist ({DOCTORS} doctors, ~{} orders each)",
            active_orders / DOCTORS as i64
        ),
        &doctor_times,
        WORKLIST_GOAL_MS,
    ));
    report.check(
        "a doctor's alerts are their residents' only",
        foreign == 0,
        format!("{foreign} alerts of another doctor's orders"),
    );
    report.check(
        "the doctors' worklists list today's residents",
        listed > 0,
        format!("{listed} resident-days listed over {runs} worklists"),
    );

    Ok(())
}

/// The lead's worklist: every unresolved alert of the community, and one grid's.
async fn lead_worklists(
    s: &Setup,
    now: jiff::Timestamp,
    runs: usize,
    report: &mut Report,
) -> Result<(), CliError> {
    let app = &s.app;
    let mut lead_times = Timings::default();
    let grids = app.grids(&s.staff, s.ids.community).await?;
    for r in 0..runs {
        let grid = (r % 2 == 1).then(|| grids[r % grids.len()].id);
        let t = Instant::now();
        app.alerts(
            &s.staff,
            &AlertQuery {
                grid_id: grid,
                ..Default::default()
            },
            PageRequest::first(),
        )
        .await?;
        app.worklist(&s.staff, false, now, PageRequest::new(None, Some(100)))
            .await?;
        lead_times.push(t.elapsed());
    }
    report.add(Figure::latency(
        "lead's worklist (community, and one grid)",
        &lead_times,
        WORKLIST_GOAL_MS,
    ));

    Ok(())
}

/// Issue 14: the lead's today (quarantine now and ending, checks of the slot, open alerts,
/// screening by grid, deliveries, rounds, imports, 14 days of charts), read from the kept
/// counts; its figures checked against what the seeding wrote.
pub async fn lead_today(s: &Setup, runs: usize, report: &mut Report) -> Result<(), CliError> {
    let app = &s.app;
    let mut times = Timings::default();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let today = app.community_today(&s.staff, s.ids.community).await?;
        times.push(t.elapsed());
        last = Some(today);
    }
    report.add(Figure::latency(
        "lead's today (figures and 14 days of charts)",
        &times,
        WORKLIST_GOAL_MS,
    ));
    let d = last.ok_or_else(|| CliError::message("no run of the lead's today"))?;
    let checks: i64 = d
        .days
        .iter()
        .map(|x| x.checks_morning + x.checks_evening)
        .sum();
    report.check(
        "the lead's today counts the seeded month",
        d.quarantine.is_some_and(|q| q.in_quarantine > 0) && checks > 0,
        format!(
            "in quarantine {:?}, {checks} checks over {} days",
            d.quarantine,
            d.days.len()
        ),
    );
    Ok(())
}

/// Today's deliveries for every household in home quarantine, then a volunteer's list.
async fn deliveries(
    s: &Setup,
    volunteers: &[Actor],
    runs: usize,
    report: &mut Report,
) -> Result<(), CliError> {
    let app = &s.app;
    let started = Instant::now();
    let today = app.today();
    let generated = app.generate_delivery_tasks(&s.staff, today).await?;
    report.add(
        Figure::new(
            format!("generate today's deliveries ({} tasks)", generated.created),
            "total",
            started.elapsed().as_secs_f64(),
            "s",
        )
        .note("what the hourly job does on the first run of a day"),
    );
    let mut volunteer_times = Timings::default();
    for r in 0..runs {
        let v = &volunteers[r % volunteers.len()];
        let t = Instant::now();
        app.my_deliveries(v, MyList::ToDo, PageRequest::first())
            .await?;
        volunteer_times.push(t.elapsed());
    }
    report.add(Figure::latency(
        format!("volunteer's deliveries ({VOLUNTEERS} volunteers)"),
        &volunteer_times,
        WORKLIST_GOAL_MS,
    ));
    Ok(())
}

/// `n` accounts of `role` in the community, created through the use case.
async fn accounts(s: &Setup, role: Role, prefix: &str, n: usize) -> Result<Vec<Actor>, CliError> {
    let community = Jurisdiction::new(Level::Community, s.ids.community);
    let mut out = Vec::with_capacity(n);
    for i in 1..=n {
        let username = format!("bench-{prefix}-{i}");
        out.push(new_account(&s.app, &username, &s.staff_password, role, community).await?);
    }
    Ok(out)
}

/// Issue 4 §1 at scale: campaigns over the whole community and the lists their people open.
pub fn screening_figures(report: &mut Report, f: &super::screening::ScreeningFigures) {
    let creates = f.create_campaign_s.iter().copied().fold(0.0_f64, f64::max);
    report.add(
        Figure::new(
            format!(
                "screening: create a campaign over {} households (slowest of {})",
                f.households,
                f.create_campaign_s.len()
            ),
            "total",
            creates,
            "s",
        )
        .note("one INSERT ... SELECT over the community's households, numbered in building order"),
    );
    report.add(Figure::new(
        format!(
            "screening: give each of {} grids' households to its team",
            f.grids
        ),
        "total",
        f.assign_by_grid_s,
        "s",
    ));
    report.add(Figure::new(
        "screening: open a list after an import of 200 households (enrols them)",
        "total",
        f.enrol_batch_s,
        "s",
    ));
    for t in &f.timings {
        report.add(
            Figure::new(format!("screening: {}", t.name), "p95", t.p95_ms, "ms")
                .extra("p50", t.p50_ms)
                .goal(Goal::Below(WORKLIST_GOAL_MS)),
        );
    }
    report.check(
        "screening campaigns enrol every household of the community",
        f.households > 0,
        format!("{} households in each campaign", f.households),
    );
}
