//! Screening campaigns at county scale: on a database that already holds a large community
//! (`gridwatch demo --residents 674278 --grids 200`), times creating a campaign over the whole
//! community, forming one team per grid and sharing the households by grid, recording attempts,
//! the lead's progress, the grid worker's list (first and a later page), registering a household
//! while campaigns run, and opening a list after an import-like batch of households.
//!
//! It writes accounts, teams, campaigns and households into that database: never run it on a
//! real one. Times are reported, never judged; a wrong result (counts that do not add up, an
//! empty list) is an error.
//!
//! Call it as `screening::measure(&app, runs).await` with an [`App`] on the database; the
//! ignored test `screening::scale` in `tests/it` does so for `GRIDWATCH_SCALE_DATABASE`.

use std::time::{Duration, Instant};

use app::registry::HouseholdInput;
use app::screening::{AttemptInput, CampaignInput, HouseholdQuery};
use app::{Actor, App, AppError};
use domain::access::{Jurisdiction, Level, Role};
use domain::page::PageRequest;
use domain::screening::HouseholdState;
use store::registry::{self as reg, NewHousehold};
use store::structure::{self, Node};

use super::load::new_account;

/// Campaigns created over the whole community, each one timed.
const CAMPAIGNS: usize = 3;
/// Attempts recorded, spread over the grid workers' lists.
const ATTEMPTS: usize = 400;
/// Households registered one by one while the campaigns run.
const REGISTERED: usize = 20;
/// Households of the import-like batch that a list opening enrols.
const BATCH: usize = 200;
/// The password of the accounts the measurement creates.
const PASSWORD: &str = "bench-screening-county-7f3a";

/// The spread of one repeated measurement.
#[derive(Debug, Clone)]
pub struct Timing {
    pub name: &'static str,
    pub runs: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

impl Timing {
    fn of(name: &'static str, mut samples: Vec<Duration>) -> Timing {
        samples.sort_unstable();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        // Nearest rank.
        let at = |percent: usize| {
            let last = samples.len().saturating_sub(1);
            samples
                .get((last * percent + 50) / 100)
                .copied()
                .map(ms)
                .unwrap_or_default()
        };
        Timing {
            name,
            runs: samples.len(),
            p50_ms: at(50),
            p95_ms: at(95),
            max_ms: samples.last().copied().map(ms).unwrap_or_default(),
        }
    }
}

/// What the measurement found.
#[derive(Debug, Clone)]
pub struct ScreeningFigures {
    pub community_id: i64,
    pub grids: usize,
    pub households: i64,
    /// Seconds of each campaign creation over the whole community.
    pub create_campaign_s: Vec<f64>,
    /// Seconds to form one team per grid, each with that grid's worker.
    pub form_teams_s: f64,
    /// Seconds to give each grid's households to its team.
    pub assign_by_grid_s: f64,
    /// Seconds of the first list opening after the import-like batch, which enrols it.
    pub enrol_batch_s: f64,
    pub timings: Vec<Timing>,
}

fn failed(what: &str) -> AppError {
    AppError::Internal(format!("screening measurement: {what}"))
}

/// Times `f` once.
async fn timed<T>(f: impl Future<Output = Result<T, AppError>>) -> Result<(T, Duration), AppError> {
    let started = Instant::now();
    let v = f.await?;
    Ok((v, started.elapsed()))
}

/// The community with the most grids.
async fn largest_community(app: &App, system: &Actor) -> Result<(i64, Vec<i64>), AppError> {
    let mut best: Option<(i64, Vec<i64>)> = None;
    for c in app.communities(system).await? {
        let grids: Vec<i64> = app
            .grids(system, c.id)
            .await?
            .iter()
            .map(|g| g.id)
            .collect();
        if best.as_ref().is_none_or(|(_, g)| grids.len() > g.len()) {
            best = Some((c.id, grids));
        }
    }
    best.filter(|(_, g)| !g.is_empty())
        .ok_or_else(|| failed("no community with grids: load one first (gridwatch demo)"))
}

/// Measures screening on the largest community of the database and prints the figures;
/// `runs` repetitions of each read.
pub async fn measure(app: &App, runs: usize) -> Result<ScreeningFigures, AppError> {
    let county = County::sign_in(app, runs.max(1)).await?;
    let (create_campaign_s, c) = county.create_campaigns().await?;
    let households = app
        .screening_progress(&county.lead, c)
        .await?
        .total
        .households;
    println!("  {households} households in each campaign");
    if households == 0 {
        return Err(failed("the campaign holds no households"));
    }
    let (form_teams_s, assign_by_grid_s) = county.share_by_grid(c, households).await?;
    app.transition_campaign(&county.lead, c, "open").await?;

    let mut timings = vec![
        county.record_attempts(c).await?,
        county.progress(c, households).await?,
    ];
    let (first, next) = county.worker_lists(c).await?;
    timings.extend([first, next, county.open_list(c).await?]);
    let (registering, buildings) = county.register_households(c, households).await?;
    timings.push(registering);
    let registered = households + i64::try_from(REGISTERED).unwrap_or(0);
    let enrol_batch_s = county.enrol_batch(c, &buildings, registered).await?;

    let figures = ScreeningFigures {
        community_id: county.community_id,
        grids: county.grids.len(),
        households,
        create_campaign_s,
        form_teams_s,
        assign_by_grid_s,
        enrol_batch_s,
        timings,
    };
    print(&figures);
    Ok(figures)
}

/// The community measured and the accounts that work it: its lead and one worker per grid.
struct County<'a> {
    app: &'a App,
    runs: usize,
    /// Makes this run's names (accounts, campaigns, rooms) unlike any earlier run's.
    stamp: i64,
    community_id: i64,
    grids: Vec<i64>,
    lead: Actor,
    workers: Vec<Actor>,
}

/// A grid worker's own list.
fn mine() -> HouseholdQuery {
    HouseholdQuery {
        mine: true,
        ..Default::default()
    }
}

/// The open households of a campaign.
fn open_only() -> HouseholdQuery {
    HouseholdQuery {
        state: Some("open".to_owned()),
        ..Default::default()
    }
}

impl County<'_> {
    /// The largest community, its lead and a worker for each of its grids.
    async fn sign_in(app: &App, runs: usize) -> Result<County<'_>, AppError> {
        let stamp = jiff::Timestamp::now().as_second();
        let (community_id, grids) = largest_community(app, &Actor::system()).await?;
        println!(
            "screening at scale: community {community_id} with {} grids",
            grids.len()
        );
        let lead = new_account(
            app,
            &format!("bench_lead_{stamp}"),
            PASSWORD,
            Role::CommunityStaff,
            Jurisdiction::new(Level::Community, community_id),
        )
        .await?;
        let mut workers = Vec::with_capacity(grids.len());
        for (i, g) in grids.iter().enumerate() {
            workers.push(
                new_account(
                    app,
                    &format!("bench_gw_{stamp}_{i}"),
                    PASSWORD,
                    Role::GridWorker,
                    Jurisdiction::new(Level::Grid, *g),
                )
                .await?,
            );
        }
        Ok(County {
            app,
            runs,
            stamp,
            community_id,
            grids,
            lead,
            workers,
        })
    }

    /// Campaigns over the whole community, each timed; returns the seconds and the first
    /// campaign, the one worked.
    async fn create_campaigns(&self) -> Result<(Vec<f64>, i64), AppError> {
        let stamp = self.stamp;
        let mut create_campaign_s = Vec::new();
        let mut campaigns = Vec::new();
        for k in 0..CAMPAIGNS {
            let input = CampaignInput {
                name: format!("Bench {stamp} #{k}"),
                questions: vec![("42".to_owned(), "2020-01-10".to_owned())],
                grid_ids: Vec::new(),
                unreachable_after: String::new(),
            };
            let (id, took) = timed(
                self.app
                    .create_campaign(&self.lead, self.community_id, &input),
            )
            .await?;
            println!("  campaign #{k} created in {:.2} s", took.as_secs_f64());
            create_campaign_s.push(took.as_secs_f64());
            campaigns.push(id);
        }
        Ok((create_campaign_s, campaigns[0]))
    }

    /// One team per grid with that grid's worker, then each grid's households to its team:
    /// the seconds of each.
    async fn share_by_grid(&self, c: i64, households: i64) -> Result<(f64, f64), AppError> {
        let started = Instant::now();
        for (i, w) in self.workers.iter().enumerate() {
            self.app
                .create_screening_team(&self.lead, c, &format!("网格组 {}", i + 1), &[w.account_id])
                .await?;
        }
        let form_teams_s = started.elapsed().as_secs_f64();
        let (moved, took) = timed(self.app.assign_screening_by_grid(&self.lead, c)).await?;
        if i64::try_from(moved).unwrap_or(i64::MAX) != households {
            return Err(failed(&format!(
                "assigned {moved} of {households} households by grid"
            )));
        }
        Ok((form_teams_s, took.as_secs_f64()))
    }

    /// Attempts, round the workers: each outcome in turn, an answer every fifth.
    async fn record_attempts(&self, c: i64) -> Result<Timing, AppError> {
        let outcomes = [
            ("call", "no_answer"),
            ("call", "refused"),
            ("visit", "nobody_home"),
            ("notice", "left"),
            ("visit", "met"),
        ];
        let app = self.app;
        let mut samples = Vec::with_capacity(ATTEMPTS);
        for i in 0..ATTEMPTS {
            let w = &self.workers[i % self.workers.len()];
            let list = app
                .screening_households(w, c, &mine(), PageRequest::new(None, Some(10)))
                .await?;
            let Some(h) = list.items.iter().find(|h| h.state == HouseholdState::Open) else {
                continue;
            };
            let (method, outcome) = outcomes[i % outcomes.len()];
            let key = format!("bench-{}-{i}", self.stamp);
            let input = if outcome == "met" {
                app.screening_household(w, c, h.address.household_id)
                    .await?
                    .met_all_stayed(key)
            } else {
                AttemptInput {
                    method: method.to_owned(),
                    outcome: outcome.to_owned(),
                    idempotency_key: key,
                    ..Default::default()
                }
            };
            let (_, took) =
                timed(app.record_screening_attempt(w, c, h.address.household_id, &input)).await?;
            samples.push(took);
        }
        Ok(Timing::of("record an attempt (worker)", samples))
    }

    /// The lead's progress: the counts per team and grid.
    async fn progress(&self, c: i64, households: i64) -> Result<Timing, AppError> {
        let mut samples = Vec::with_capacity(self.runs);
        let mut total = 0;
        for _ in 0..self.runs {
            let (p, took) = timed(self.app.screening_progress(&self.lead, c)).await?;
            total = p.total.households;
            samples.push(took);
        }
        if total != households {
            return Err(failed(&format!(
                "progress counts {total} households, the campaign has {households}"
            )));
        }
        Ok(Timing::of("lead's progress (per team and grid)", samples))
    }

    /// The worker's list: the first page, then the page after it.
    async fn worker_lists(&self, c: i64) -> Result<(Timing, Timing), AppError> {
        let mut first = Vec::with_capacity(self.runs);
        let mut next = Vec::with_capacity(self.runs);
        for i in 0..self.runs {
            let w = &self.workers[(i * 7) % self.workers.len()];
            let (page, took) =
                timed(
                    self.app
                        .screening_households(w, c, &mine(), PageRequest::new(None, None)),
                )
                .await?;
            if page.items.is_empty() {
                return Err(failed("a grid worker's list is empty"));
            }
            first.push(took);
            if let Some(after) = page.next {
                let (_, took) = timed(self.app.screening_households(
                    w,
                    c,
                    &mine(),
                    PageRequest::new(Some(after), None),
                ))
                .await?;
                next.push(took);
            }
        }
        Ok((
            Timing::of("worker's list, first page", first),
            Timing::of("worker's list, next page", next),
        ))
    }

    /// The lead's list of every open household.
    async fn open_list(&self, c: i64) -> Result<Timing, AppError> {
        let mut samples = Vec::with_capacity(self.runs);
        for _ in 0..self.runs {
            let (_, took) = timed(self.app.screening_households(
                &self.lead,
                c,
                &open_only(),
                PageRequest::new(None, None),
            ))
            .await?;
            samples.push(took);
        }
        Ok(Timing::of("lead's list of open households", samples))
    }

    /// Households registered while the campaigns run join each campaign in the same write;
    /// returns their timing and the buildings they went into.
    async fn register_households(
        &self,
        c: i64,
        households: i64,
    ) -> Result<(Timing, Vec<i64>), AppError> {
        let mut buildings = Vec::new();
        for g in self.grids.iter().take(REGISTERED) {
            if let Some(b) = self.app.buildings(&Actor::system(), *g).await?.first() {
                buildings.push(b.id);
            }
        }
        if buildings.is_empty() {
            return Err(failed("no buildings"));
        }
        let mut samples = Vec::with_capacity(REGISTERED);
        for i in 0..REGISTERED {
            let input = HouseholdInput {
                building_id: buildings[i % buildings.len()],
                unit: "1".to_owned(),
                room: format!("B{}-{i}", self.stamp),
                phone: String::new(),
            };
            let (_, took) = timed(self.app.create_household(&self.lead, &input)).await?;
            samples.push(took);
        }
        let after_registering = self
            .app
            .screening_progress(&self.lead, c)
            .await?
            .total
            .households;
        let expected = households + i64::try_from(REGISTERED).unwrap_or(0);
        if after_registering != expected {
            return Err(failed(&format!(
                "{after_registering} households after registering, expected {expected}"
            )));
        }
        let timing = Timing::of("register a household (enrolled in 3 campaigns)", samples);
        Ok((timing, buildings))
    }

    /// An import-like batch that knows nothing of campaigns; the next list opening enrols it.
    /// Returns the seconds of that opening.
    async fn enrol_batch(
        &self,
        c: i64,
        buildings: &[i64],
        households: i64,
    ) -> Result<f64, AppError> {
        let mut tx = self.app.db.write().await?;
        for i in 0..BATCH {
            let building_id = buildings[i % buildings.len()];
            let placement = structure::placement(tx.conn(), Node::Building(building_id)).await?;
            let unit_id = structure::unit_by_name_or_insert(tx.conn(), building_id, "1").await?;
            reg::insert_household(
                tx.conn(),
                &NewHousehold {
                    unit_id,
                    placement,
                    room: &format!("I{}-{i}", self.stamp),
                    phone: None,
                },
            )
            .await?;
        }
        tx.commit().await?;
        let (_, took) = timed(self.app.screening_households(
            &self.lead,
            c,
            &open_only(),
            PageRequest::new(None, None),
        ))
        .await?;
        let after_batch = self
            .app
            .screening_progress(&self.lead, c)
            .await?
            .total
            .households;
        let expected = households + i64::try_from(BATCH).unwrap_or(0);
        if after_batch != expected {
            return Err(failed(&format!(
                "{after_batch} households after the batch, expected {expected}"
            )));
        }
        Ok(took.as_secs_f64())
    }
}

/// The figures as a table.
pub fn print(f: &ScreeningFigures) {
    println!(
        "\nScreening, community {} ({} grids, {} households per campaign)",
        f.community_id, f.grids, f.households
    );
    let creates = f
        .create_campaign_s
        .iter()
        .map(|s| format!("{s:.2}"))
        .collect::<Vec<_>>()
        .join(", ");
    println!("  create a campaign over the whole community: {creates} s");
    println!(
        "  form {} teams, one per grid: {:.2} s",
        f.grids, f.form_teams_s
    );
    println!(
        "  give every grid's households to its team: {:.2} s",
        f.assign_by_grid_s
    );
    println!(
        "  open a list after an import of {BATCH} households (enrols them): {:.1} ms",
        f.enrol_batch_s * 1000.0
    );
    println!(
        "  {:<48} {:>5} {:>9} {:>9} {:>9}",
        "", "runs", "p50 ms", "p95 ms", "max ms"
    );
    for t in &f.timings {
        println!(
            "  {:<48} {:>5} {:>9.2} {:>9.2} {:>9.2}",
            t.name, t.runs, t.p50_ms, t.p95_ms, t.max_ms
        );
    }
}
