//! `gridwatch bench`: county-scale figures anyone can reproduce. On fresh databases it imports
//! the generated register (P1), reads the registry (P2), summarises it (P3), serves it over
//! HTTP and measures the memory it took (P6), then prints a table of figures against goals.
//!
//! It fails (exit code 1) only when a result is wrong (row counts, a search that misses the
//! person), never because of a time: times depend on the machine.

mod checkpoints;
mod child;
mod epidemic;
mod http;
mod imports;
mod load;
mod reads;
mod report;
mod returns;
mod screening;
mod target;
mod tracing;

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;

use crate::demo_data::{Plan, SplitMix64};
use crate::error::{CliError, EXIT_CHECK_FAILED};
use report::{Figure, Goal, Report};
use target::Targets;

/// P6 goal: peak resident memory during the read benchmarks.
const MEMORY_GOAL_MB: f64 = 300.0;
/// Repetitions of each read, each with another input where there is a choice.
const RUNS: usize = 200;

#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// `--database`: a PostgreSQL server to create fresh databases on, or a new SQLite file.
    pub database: Option<String>,
    pub residents: usize,
    pub grids: usize,
    pub seed: u64,
    pub json: Option<PathBuf>,
    pub skip_xlsx: bool,
    /// `--skip-gates`: no passes, passages or scans (P4, P5 not measured).
    pub skip_gates: bool,
    /// `--only import`: P1 alone (the imports and the raw baseline), then the table.
    pub only_import: bool,
    pub http_seconds: f64,
    /// Set in the child process that runs the read phase (see `child`).
    pub handoff: Option<PathBuf>,
}

/// A generated person the reads look for.
#[derive(Debug, Clone)]
pub struct Sample {
    pub id_number: String,
    pub name: String,
    pub phone: Option<String>,
    pub room: String,
}

/// What the generated register holds, to check the database against.
#[derive(Debug, Clone)]
pub struct Facts {
    pub residents: usize,
    pub households: usize,
    pub grid1_residents: usize,
    pub samples: Vec<Sample>,
}

impl Facts {
    fn of(plan: &Plan, seed: u64) -> Facts {
        let households: HashSet<(&str, &str, &str)> = plan
            .residents
            .iter()
            .map(|p| (p.building.as_str(), p.unit, p.room.as_str()))
            .collect();
        let grid1: HashSet<&str> = plan
            .grids
            .first()
            .map(|g| g.buildings.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let mut rng = SplitMix64::new(seed ^ 0x005e_ed0f_be4c);
        let samples = (0..RUNS)
            .filter_map(|_| rng.pick(&plan.residents))
            .map(|p| Sample {
                id_number: p.id_number.clone(),
                name: p.name.clone(),
                phone: p.phone.clone(),
                room: p.room.clone(),
            })
            .collect();
        Facts {
            residents: plan.residents.len(),
            households: households.len(),
            grid1_residents: plan
                .residents
                .iter()
                .filter(|p| grid1.contains(p.building.as_str()))
                .count(),
            samples,
        }
    }
}

pub async fn run(o: &BenchOptions, settings: &app::Settings) -> Result<ExitCode, CliError> {
    if let Some(handoff) = &o.handoff {
        return child::child(handoff, o.http_seconds, settings).await;
    }
    let mut targets = Targets::new(o.database.as_deref()).await?;
    let mut report = Report::default();
    let result = measure(o, settings, &mut targets, &mut report).await;
    targets.cleanup().await;
    println!("{}", report.table());
    if let Some(path) = &o.json {
        std::fs::write(path, report.json()).map_err(CliError::file("cannot write", path))?;
        println!("wrote {}", path.display());
    }
    result?;
    if report.all_correct() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("gridwatch bench: a correctness check failed (see above)");
        Ok(ExitCode::from(EXIT_CHECK_FAILED))
    }
}

async fn measure(
    o: &BenchOptions,
    settings: &app::Settings,
    targets: &mut Targets,
    report: &mut Report,
) -> Result<(), CliError> {
    describe(o, targets, report);
    let mut bench = Bench {
        o,
        settings,
        targets,
        report,
    };
    let imports::Register {
        plan,
        facts,
        csv,
        xlsx,
    } = bench.register()?;
    let (main, csv_url, csv_rate) = bench.import_csv(&plan, &facts, csv).await?;
    let xlsx_rate = match xlsx {
        Some(xlsx) => Some(bench.import_xlsx(&plan, &facts, xlsx).await?),
        None => None,
    };
    bench
        .raw_baseline(&plan, &facts, csv_rate, xlsx_rate)
        .await?;
    if o.only_import {
        main.app.db.close().await;
        bench.targets.release("csv").await;
        return Ok(());
    }
    // The read phase runs in a process of its own, so that its memory (P6) is the server's and
    // not what the generator and the imports left in this process's allocator.
    drop(plan);
    bench.reads(&main, &csv_url, &facts).await?;
    // Issue 4: a month of quarantine work on the same county, and its worklists.
    epidemic::run(&main, &facts, RUNS, bench.report).await?;
    let figures = screening::measure(&main.app, RUNS).await?;
    epidemic::screening_figures(bench.report, &figures);
    epidemic::lead_today(&main, RUNS, bench.report).await?;
    // Issue 11: passes, a month of passages and scans at the gate.
    if !o.skip_gates {
        checkpoints::run(&main, o.http_seconds, RUNS, bench.report).await?;
    }
    // Issue 12: a month of return applications and the peak day's verifications.
    returns::run(&main, RUNS, bench.report).await?;
    main.app.db.close().await;
    bench.targets.release("csv").await;
    Ok(())
}

/// What one run of the bench works with: its options, the databases it creates and the report
/// it fills.
struct Bench<'a> {
    o: &'a BenchOptions,
    settings: &'a app::Settings,
    targets: &'a mut Targets,
    report: &'a mut Report,
}

impl Bench<'_> {
    /// P2, P3, HTTP and P6 on the imported database: in a child process when one can be
    /// started, else here after resetting the memory high-water mark.
    async fn reads(
        &mut self,
        main: &load::Setup,
        csv_url: &str,
        facts: &Facts,
    ) -> Result<(), CliError> {
        let report = &mut *self.report;
        if let Some(mb) = memory_mb("VmHWM") {
            report.add(
                Figure::new(
                    "memory: peak RSS of the bench while generating and importing",
                    "peak",
                    mb,
                    "MB",
                )
                .note("the register, its .csv and .xlsx, and each import's parsed rows were in memory"),
            );
        }
        if child::run(main, csv_url, facts, self.o.http_seconds, report).await? {
            return Ok(());
        }
        // No child process: measure here, after resetting the high-water mark.
        let at_reset = memory_mb("VmRSS");
        let reset = reset_peak_memory();
        let result = read_phase(main, facts, self.o.http_seconds, report).await;
        let note = match (reset, at_reset) {
            (true, Some(base)) => format!(
                "measured in the bench's own process after freeing the generated data and \
                 resetting the high-water mark (RSS then {base:.0} MB, memory the allocator \
                 kept from the imports counts)"
            ),
            _ => "the whole run's peak, including the generated data".to_owned(),
        };
        memory_figure(report, &note);
        result
    }
}

/// P2, P3 and HTTP on the imported database.
async fn read_phase(
    s: &load::Setup,
    facts: &Facts,
    http_seconds: f64,
    report: &mut Report,
) -> Result<(), CliError> {
    reads::registry(s, facts, RUNS, report).await?;
    let prefixes: Vec<String> = facts
        .samples
        .iter()
        .map(|s| s.name.chars().take(2).collect())
        .collect();
    http::run(s, &prefixes, http_seconds, report).await
}

/// P6: this process's peak resident memory (VmHWM), against the goal.
fn memory_figure(report: &mut Report, note: &str) {
    match memory_mb("VmHWM") {
        Some(mb) => report.add(
            Figure::new(
                "P6 memory: peak RSS during reads and HTTP",
                "peak",
                mb,
                "MB",
            )
            .goal(Goal::Below(MEMORY_GOAL_MB))
            .note(note),
        ),
        None => println!("memory: /proc/self/status is not readable here, P6 is not measured"),
    }
}

/// The machine and the run, at the top of the table.
fn describe(o: &BenchOptions, targets: &Targets, report: &mut Report) {
    report.meta("gridwatch", env!("CARGO_PKG_VERSION"));
    report.meta(
        "date",
        jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .map_or_else(|_| String::new(), |t| t.to_string()),
    );
    report.meta("backend", targets.backend());
    report.meta("databases", targets.location());
    report.meta(
        "register",
        format!(
            "{} residents, {} grids, seed {}",
            o.residents, o.grids, o.seed
        ),
    );
    let cpus = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let model = proc_field("/proc/cpuinfo", "model name").unwrap_or_default();
    let memory = proc_field("/proc/meminfo", "MemTotal")
        .and_then(|v| {
            v.split_whitespace()
                .next()
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map(|kb| format!(", {:.1} GiB memory", kb / 1024.0 / 1024.0))
        .unwrap_or_default();
    report.meta("machine", format!("{cpus} CPUs {model}{memory}"));
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let load: Vec<&str> = load.split_whitespace().take(3).collect();
        report.meta(
            "load",
            format!("{} (1, 5, 15 min) at start", load.join(" ")),
        );
    }
}

/// Runs CPU-bound work with a spinner on standard error, timed.
fn timed_blocking<T>(message: &'static str, f: impl FnOnce() -> T) -> (T, Duration) {
    let bar = spinner(message);
    let started = Instant::now();
    let out = f();
    let took = started.elapsed();
    bar.finish_and_clear();
    (out, took)
}

/// A spinner for a step without a count (hidden when standard error is not a terminal).
pub(crate) fn spinner(message: impl Into<std::borrow::Cow<'static, str>>) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_message(message);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// The value of a `Key: value` line of a /proc file.
fn proc_field(path: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == key).then(|| v.trim().to_owned())
    })
}

/// A memory figure of this process from /proc/self/status (kB there), in MB.
fn memory_mb(key: &str) -> Option<f64> {
    let v = proc_field("/proc/self/status", key)?;
    let kb: f64 = v.split_whitespace().next()?.parse().ok()?;
    Some(kb * 1024.0 / 1e6)
}

/// CPU seconds this process has used, all its threads (SQLite's included), from
/// /proc/self/stat (user and system time, in Linux's fixed 100 ticks a second). Beside a wall
/// time it tells what a step cost when other work shares the cores.
pub(crate) fn process_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    let (_, after_name) = text.rsplit_once(')')?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// Resets the peak RSS (VmHWM) to the current RSS (Linux: `5` to /proc/self/clear_refs).
fn reset_peak_memory() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo_data::{self, Ymd};

    #[test]
    fn facts_of_a_small_register() {
        let today = Ymd {
            year: 2020,
            month: 2,
            day: 1,
        };
        let plan = demo_data::generate(500, 3, 7, today);
        let f = Facts::of(&plan, 7);
        assert_eq!(f.residents, 500);
        assert_eq!(f.households, plan.households);
        assert!(f.grid1_residents > 0 && f.grid1_residents < 500);
        assert_eq!(f.samples.len(), RUNS);
        assert!(f.samples.iter().all(|s| s.id_number.len() == 18));
    }

    #[test]
    fn memory_figures_come_from_proc() {
        if std::path::Path::new("/proc/self/status").exists() {
            assert!(memory_mb("VmRSS").is_some_and(|mb| mb > 0.0));
            assert!(process_cpu_seconds().is_some_and(|s| s >= 0.0));
        }
    }
}
