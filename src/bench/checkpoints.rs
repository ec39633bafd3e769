//! Issue 11 at county scale: a household pass for every household, a gate's month of passages
//! (about 40 million at county scale) seeded set-based, a household's passages over those 30
//! days as tracing will read them, and P4: passes scanned at the gate over HTTP — signature,
//! revocation, quota and the passage written — against `/healthz` of the same server.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use app::Actor;
use app::gates::GateInput;
use domain::access::{Jurisdiction, Level, Role};
use domain::page::PageRequest;
use store::passages::PassageFilter;
use store::passes::PassFilter;

use super::http::{self, CONNECTIONS};
use super::load::{Setup, new_account};
use super::report::{Figure, Goal, Report, Timings};
use crate::error::CliError;

/// Issue 11 §7: a person's or household's passages over 30 days in under 20 ms (p95).
const HISTORY_GOAL_MS: f64 = 20.0;
/// P4: scans at the gate against `/healthz` of the same server.
const SCAN_RATIO_GOAL: f64 = 0.1;
/// P4: the slowest scans.
const SCAN_P99_GOAL_MS: f64 = 20.0;
/// Days of passages seeded, and passages of each household a day (out and in, three times):
/// 237,000 households × 30 × 6 ≈ 40 million at county scale.
const HISTORY_DAYS: i64 = 30;
const PER_DAY: i64 = 6;
/// Distinct passes the scanning connections show.
const SCANNED_PASSES: usize = 2_000;

pub async fn run(
    s: &Setup,
    seconds: f64,
    runs: usize,
    report: &mut Report,
) -> Result<(), CliError> {
    let (gate, guard) = gate_and_guard(s).await?;
    let started = Instant::now();
    let issued = s
        .app
        .issue_household_passes(&s.staff, app::passes::issue::IssueScope::default())
        .await?;
    report.add(
        Figure::new(
            format!("issue a household pass to each of {issued} households"),
            "total",
            started.elapsed().as_secs_f64(),
            "s",
        )
        .note("one statement, one audit entry; passes of sealed households start suspended"),
    );
    let started = Instant::now();
    let seeded_at = jiff::Timestamp::now();
    let written = s
        .app
        .seed_passages(gate, guard.account_id, HISTORY_DAYS, PER_DAY, seeded_at)
        .await?;
    report.add(
        Figure::new(
            format!("seed {HISTORY_DAYS} days of passages: {written} rows"),
            "total",
            started.elapsed().as_secs_f64(),
            "s",
        )
        .extra(
            "rows/s",
            written as f64 / started.elapsed().as_secs_f64().max(1e-9),
        )
        .note("set-based, one statement into the table with its five indexes"),
    );
    report.check(
        "every household pass has its month of passages",
        written == issued * (HISTORY_DAYS * PER_DAY) as u64,
        format!("{written} passages for {issued} passes"),
    );
    household_history(s, seeded_at.as_millisecond(), runs, report).await?;
    let codes = codes(s).await?;
    let password = s.staff_password.clone();
    http::serve(s, async |addr| {
        scans(addr, &guard, &password, gate, &codes, seconds, report).await
    })
    .await?;
    // Issue 13: tracing over the month just seeded, once the scans are done (the case seals a
    // building, whose passes the scans would otherwise meet suspended).
    super::tracing::run(s, gate, seeded_at.as_millisecond(), runs, report).await
}

/// A gate of the bench's community and a guard on shift there for the day.
async fn gate_and_guard(s: &Setup) -> Result<(i64, Actor), CliError> {
    let community = s.ids.community;
    let gate = s
        .app
        .create_gate(
            &s.staff,
            community,
            &GateInput {
                name: "bench gate".to_owned(),
                ..Default::default()
            },
        )
        .await?;
    let guard = new_account(
        &s.app,
        "bench_guard",
        &s.staff_password,
        Role::Guard,
        Jurisdiction::new(Level::Community, community),
    )
    .await?;
    let now = store::now_ms();
    s.app
        .add_gate_shift(
            &s.staff,
            gate,
            guard.account_id,
            now - 60_000,
            now + 23 * 3_600_000,
        )
        .await?;
    Ok((gate, guard))
}

/// A household's passages of the last 30 days, newest first, through the use case (audited as
/// a read of where the household went), as tracing and the household's page read them.
/// The month is the 30 days before `seeded_at` (the seeding of a county takes minutes).
async fn household_history(
    s: &Setup,
    seeded_at: i64,
    runs: usize,
    report: &mut Report,
) -> Result<(), CliError> {
    let passes = s
        .app
        .passes(
            &s.staff,
            &PassFilter::default(),
            PageRequest::new(None, Some(500)),
        )
        .await?;
    let since = seeded_at - HISTORY_DAYS * 86_400_000;
    let mut times = Timings::default();
    let mut rows = 0usize;
    for r in 0..runs {
        let Some(p) = passes.items.get(r * 7 % passes.items.len().max(1)) else {
            break;
        };
        let t = Instant::now();
        let page = s
            .app
            .passages(
                &s.staff,
                &PassageFilter {
                    household_id: Some(p.address.household_id),
                    since: Some(since),
                    ..Default::default()
                },
                PageRequest::new(None, Some(500)),
            )
            .await?;
        times.push(t.elapsed());
        rows += page.items.len();
    }
    let per = rows / runs.max(1);
    report.add(Figure::latency(
        format!("a household's passages over {HISTORY_DAYS} days ({per} rows each)"),
        &times,
        HISTORY_GOAL_MS,
    ));
    report.check(
        "a household's month of passages is read whole",
        per == (HISTORY_DAYS * PER_DAY) as usize,
        format!("{per} passages a household"),
    );
    Ok(())
}

/// The codes of the first passes, as their QR codes hold them.
async fn codes(s: &Setup) -> Result<Vec<String>, CliError> {
    let passes = s
        .app
        .passes(
            &s.staff,
            &PassFilter {
                state: Some(domain::checkpoint::PassState::Live),
                ..Default::default()
            },
            PageRequest::new(None, Some(500)),
        )
        .await?;
    let mut codes = Vec::with_capacity(SCANNED_PASSES);
    for p in passes
        .items
        .iter()
        .cycle()
        .take(SCANNED_PASSES.min(passes.items.len() * 4))
    {
        codes.push(s.app.pass_code(&s.staff, p.id).await?);
    }
    Ok(codes)
}

/// P4: the guard's scans over HTTP against `/healthz` of the same server.
async fn scans(
    addr: SocketAddr,
    guard: &Actor,
    password: &str,
    gate: i64,
    codes: &[String],
    seconds: f64,
    report: &mut Report,
) -> Result<(), CliError> {
    let token = http::token(addr, &guard.username, password).await?;
    let scan = |code: &str, direction: &str| -> Vec<u8> {
        let body = format!(
            "{{\"code\":\"{code}\",\"direction\":\"{direction}\",\"temperature\":\"36.5\"}}"
        );
        http::post_json(
            addr,
            &token,
            &format!("/api/v1/gates/{gate}/passages"),
            &body,
        )
    };
    let requests: Vec<Vec<u8>> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| scan(c, if i % 2 == 0 { "out" } else { "in" }))
        .collect();
    let mut conn = http::connect(addr).await?;
    let (status, body) = http::exchange(&mut conn, &requests[0])
        .await
        .map_err(|e| CliError::message(format!("a scan: {e}")))?;
    report.check(
        "a scan at the gate is answered with the gate's decision",
        status == 201 && String::from_utf8_lossy(&body).contains("\"result\":\""),
        format!(
            "{status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        ),
    );
    let healthz = vec![format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n").into_bytes()];
    let duration = Duration::from_secs_f64(seconds.max(0.1));
    let base = http::load(addr, healthz, Vec::new(), duration).await?;
    let scanned = http::load(addr, requests, Vec::new(), duration).await?;
    let ratio = scanned.rate() / base.rate().max(f64::EPSILON);
    http::load_figure(
        report,
        "HTTP GET /healthz (the gate's server)",
        &base,
        seconds,
        None,
    );
    let mut scan_figure = Figure::new(
        "P4 checkpoint scan over HTTP",
        "rate",
        scanned.rate(),
        "scans/s",
    )
    .extra("p50 ms", scanned.latency.ms(50.0))
    .extra("p99 ms", scanned.latency.ms(99.0))
    .extra("ratio to /healthz", ratio)
    .goal(Goal::AtLeast(5_000.0))
    .note(format!(
        "{CONNECTIONS} connections for {seconds} s over {} passes: signature, revocation, \
         quota and the passage written; {} errors; CPU of this process (server and load \
         generator; not PostgreSQL's)",
        codes.len(),
        scanned.errors
    ));
    if let Some((scan, health)) = scanned.cpu_ms_per_answer().zip(base.cpu_ms_per_answer()) {
        scan_figure = scan_figure
            .extra("CPU ms/scan", scan)
            .extra("CPU ms per /healthz", health);
    }
    report.add(scan_figure);
    report.add(
        Figure::new("P4 scan: ratio to /healthz", "ratio", ratio, "")
            .goal(Goal::AtLeast(SCAN_RATIO_GOAL)),
    );
    report.add(
        Figure::new("P4 scan: p99", "p99", scanned.latency.ms(99.0), "ms")
            .goal(Goal::Below(SCAN_P99_GOAL_MS)),
    );
    report.add(
        Figure::new("P4 scan: errors", "count", scanned.errors as f64, "").goal(Goal::AtMost(0.0)),
    );
    Ok(())
}
