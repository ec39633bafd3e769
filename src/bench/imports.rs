//! P1: the register generated as the demo does, imported from its .csv and its .xlsx into fresh
//! databases through the real import path, and written raw by the same bulk statements as the
//! baseline the imports are held against.

use domain::registry::ImportStatus;

use super::report::{Figure, Goal, Report};
use super::{Bench, Facts, load, timed_blocking};
use crate::demo::register_xlsx;
use crate::demo_data::{self, Plan, Ymd};
use crate::error::CliError;

/// P1 goals: the county's register from .csv in under 10 s, from .xlsx in under 20 s, and at
/// least a quarter of the rate of a raw bulk insert.
const CSV_GOAL_S: f64 = 10.0;
const XLSX_GOAL_S: f64 = 20.0;
const RATIO_GOAL: f64 = 0.25;
/// Rows an .xlsx worksheet holds below its header.
const XLSX_MAX_RESIDENTS: usize = 1_048_575;

/// The generated register and its two files in memory.
pub(super) struct Register {
    pub(super) plan: Plan,
    pub(super) facts: Facts,
    pub(super) csv: Vec<u8>,
    /// None when skipped, or when the register is too long for a worksheet.
    pub(super) xlsx: Option<Vec<u8>>,
}

impl Bench<'_> {
    /// The register, generated as the demo does, and its .csv and .xlsx.
    pub(super) fn register(&mut self) -> Result<Register, CliError> {
        let o = self.o;
        let today = today(self.settings);
        let (plan, took) = timed_blocking("generating the register", || {
            demo_data::generate(o.residents, o.grids, o.seed, today)
        });
        self.report.add(Figure::new(
            format!("generate {} residents", plan.residents.len()),
            "total",
            took.as_secs_f64(),
            "s",
        ));
        let facts = Facts::of(&plan, o.seed);
        let (csv, took) = timed_blocking("writing the .csv", || plan.csv());
        self.report.add(
            Figure::new("write the .csv in memory", "total", took.as_secs_f64(), "s")
                .extra("MB", csv.len() as f64 / 1e6),
        );
        let xlsx = if o.skip_xlsx {
            None
        } else if plan.residents.len() > XLSX_MAX_RESIDENTS {
            println!("the .xlsx is skipped: a worksheet holds at most {XLSX_MAX_RESIDENTS} rows");
            None
        } else {
            let (xlsx, took) = timed_blocking("writing the .xlsx", || register_xlsx(&plan));
            let xlsx = xlsx?;
            self.report.add(
                Figure::new(
                    "write the .xlsx in memory",
                    "total",
                    took.as_secs_f64(),
                    "s",
                )
                .extra("MB", xlsx.len() as f64 / 1e6),
            );
            Some(xlsx)
        };
        Ok(Register {
            plan,
            facts,
            csv,
            xlsx,
        })
    }

    /// P1: the .csv through the real import path; this database is then read by P2, P3, HTTP.
    /// Returns its setup, its URL and the import's rate.
    pub(super) async fn import_csv(
        &mut self,
        plan: &Plan,
        facts: &Facts,
        csv: Vec<u8>,
    ) -> Result<(load::Setup, String, f64), CliError> {
        let n = facts.residents;
        let csv_url = self.targets.fresh("csv").await?;
        let main = load::setup(&csv_url, self.settings, plan).await?;
        self.report.add(
            Figure::new(
                format!(
                    "setup: tree of {} buildings (not timed in P1)",
                    plan.building_count()
                ),
                "total",
                main.structure_time.as_secs_f64(),
                "s",
            )
            .note(
                "grids, buildings and units created one use case call each, as an operator would",
            ),
        );
        let csv_run = load::import(&main, "residents.csv", &csv, "csv import").await?;
        drop(csv);
        let csv_rate = n as f64 / csv_run.total().as_secs_f64().max(f64::EPSILON);
        import_figures(self.report, ".csv", &csv_run, n, CSV_GOAL_S);
        Ok((main, csv_url, csv_rate))
    }

    /// P1: the .xlsx into another fresh database; returns the import's rate.
    pub(super) async fn import_xlsx(
        &mut self,
        plan: &Plan,
        facts: &Facts,
        xlsx: Vec<u8>,
    ) -> Result<f64, CliError> {
        let n = facts.residents;
        let url = self.targets.fresh("xlsx").await?;
        let s = load::setup(&url, self.settings, plan).await?;
        let run = load::import(&s, "residents.xlsx", &xlsx, "xlsx import").await;
        drop(xlsx);
        s.app.db.close().await;
        self.targets.release("xlsx").await;
        let run = run?;
        import_figures(self.report, ".xlsx", &run, n, XLSX_GOAL_S);
        Ok(n as f64 / run.total().as_secs_f64().max(f64::EPSILON))
    }

    /// P1 baseline: the same rows, precomputed, written raw by the same bulk statements, and
    /// the imports' rates against it.
    pub(super) async fn raw_baseline(
        &mut self,
        plan: &Plan,
        facts: &Facts,
        csv_rate: f64,
        xlsx_rate: Option<f64>,
    ) -> Result<(), CliError> {
        let n = facts.residents;
        let url = self.targets.fresh("raw").await?;
        let s = load::setup(&url, self.settings, plan).await?;
        let raw = load::raw_baseline(&s, plan).await;
        s.app.db.close().await;
        self.targets.release("raw").await;
        let raw = raw?;
        let raw_rate = raw.rows as f64 / raw.write.as_secs_f64().max(f64::EPSILON);
        let report = &mut *self.report;
        report.check(
            "the raw baseline wrote every resident",
            raw.rows == n && raw.refused == 0,
            format!(
                "{} written, {} refused, {n} generated",
                raw.rows, raw.refused
            ),
        );
        report.add(
            Figure::new(
                "P1 validation + encryption of every row (baseline's precompute)",
                "total",
                raw.precompute.as_secs_f64(),
                "s",
            )
            .note("parse and check each row, seal and index its ID number: done before the raw insert's clock starts"),
        );
        report.add(
            Figure::new(
                "P1 raw bulk insert, households + residents (baseline)",
                "total",
                raw.write.as_secs_f64(),
                "s",
            )
            .extra("residents/s", raw_rate)
            .extra("cpu s", raw.write_cpu.unwrap_or(f64::NAN))
            .note("a first load's limit: the secondary indexes set aside and built at the end, five batches a commit, as the import does"),
        );
        for (kind, rate) in
            std::iter::once((".csv", csv_rate)).chain(xlsx_rate.map(|rate| (".xlsx", rate)))
        {
            report.add(
                Figure::new(
                    format!("P1 {kind} import rate / raw insert rate"),
                    "ratio",
                    rate / raw_rate.max(f64::EPSILON),
                    "",
                )
                .goal(Goal::AtLeast(RATIO_GOAL)),
            );
        }
        Ok(())
    }
}

/// Today in the configured time zone, as the generator counts dates.
fn today(settings: &app::Settings) -> Ymd {
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(settings.time_zone.clone())
        .date();
    Ymd {
        year: i32::from(today.year()),
        month: u32::try_from(today.month()).unwrap_or(1),
        day: u32::try_from(today.day()).unwrap_or(1),
    }
}

fn import_figures(report: &mut Report, kind: &str, run: &load::ImportRun, n: usize, goal_s: f64) {
    let i = &run.import;
    report.check(
        format!("the {kind} import inserted every resident"),
        usize::try_from(i.inserted).ok() == Some(n)
            && i.rejected == 0
            && i.status == ImportStatus::Finished,
        format!(
            "{} inserted, {} merged, {} unchanged, {} rejected of {n} ({})",
            i.inserted,
            i.merged,
            i.unchanged,
            i.rejected,
            i.status.code()
        ),
    );
    let total = run.total().as_secs_f64();
    report.add(
        Figure::new(
            format!("P1 import {kind} ({n} residents)"),
            "total",
            total,
            "s",
        )
        .goal(Goal::Below(goal_s))
        .extra("read", run.prepare.as_secs_f64())
        .extra("write", run.run.as_secs_f64())
        .extra("residents/s", n as f64 / total.max(f64::EPSILON))
        .extra("cpu s", run.cpu.unwrap_or(f64::NAN)),
    );
}
