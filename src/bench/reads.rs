//! P2 and P3: the registry's list pages and searches, and the summaries, through the use cases
//! a page or the API calls, as a signed-in community staff member and grid worker.

use std::time::{Duration, Instant};

use app::registry::ResidentQuery;
use domain::page::{Page, PageRequest};
use indicatif::ProgressBar;
use store::registry::Resident;

use super::load::Setup;
use super::report::{Figure, Report, Timings};
use super::{Facts, Sample};
use crate::cli_import::rows_bar;
use crate::demo_data::SplitMix64;
use crate::error::CliError;

/// Goal of P2: every list page and search answers in under 20 ms (p95).
pub const LIST_GOAL_MS: f64 = 20.0;
/// Goal of P3: a summary in under 50 ms (p95).
pub const SUMMARY_GOAL_MS: f64 = 50.0;

pub async fn registry(
    s: &Setup,
    facts: &Facts,
    runs: usize,
    report: &mut Report,
) -> Result<(), CliError> {
    let ids = walk_list(s, facts, report).await?;
    let keys = Keys::around(&ids, runs);
    drop(ids);
    let reads = Reads {
        s,
        runs,
        samples: (0..runs)
            .filter_map(|i| facts.samples.get(i % facts.samples.len().max(1)))
            .collect(),
        bar: rows_bar(runs * 7 + runs * 2, "reads"),
    };
    reads.pages(&keys, report).await?;
    reads.search_by_id(report).await?;
    reads.search_by_name(report).await?;
    reads.search_by_phone(report).await?;
    reads.search_by_room(report).await?;
    reads.summaries(facts, report).await
}

/// Every page of the list once, by key: the ids in list order.
async fn walk_list(s: &Setup, facts: &Facts, report: &mut Report) -> Result<Vec<i64>, CliError> {
    let all = ResidentQuery::default();
    let started = Instant::now();
    let bar = rows_bar(facts.residents, "list walk");
    let mut ids: Vec<i64> = Vec::with_capacity(facts.residents);
    let mut after = None;
    let mut pages = 0usize;
    loop {
        let page = s
            .app
            .residents(&s.staff, &all, PageRequest::new(after, Some(500)))
            .await?;
        pages += 1;
        ids.extend(page.items.iter().map(|r| r.id));
        bar.set_position(u64::try_from(ids.len()).unwrap_or(0));
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    bar.finish_and_clear();
    let walk = started.elapsed();
    report.add(
        Figure::new(
            format!("P2 walk the whole list ({pages} pages of 500)"),
            "total",
            walk.as_secs_f64(),
            "s",
        )
        .extra(
            "ms per page",
            walk.as_secs_f64() * 1000.0 / pages.max(1) as f64,
        ),
    );
    report.check(
        "the list holds every resident",
        ids.len() == facts.residents,
        format!(
            "{} residents listed, {} generated",
            ids.len(),
            facts.residents
        ),
    );
    Ok(ids)
}

/// The keys the page reads start after, taken from the walked list.
struct Keys {
    /// Residents listed.
    n: usize,
    /// Rows of a default page.
    page: usize,
    /// The key before the last page.
    last_after: Option<i64>,
    /// Keys around the middle of the list: (the key to page after, the rows the page must hold).
    middle: Vec<(Option<i64>, usize)>,
}

impl Keys {
    fn around(ids: &[i64], runs: usize) -> Keys {
        let mut rng = SplitMix64::new(0x0062_656e_6368);
        let n = ids.len();
        let page = PageRequest::first().limit as usize;
        let last_after = n.checked_sub(page + 1).and_then(|i| ids.get(i)).copied();
        let middle = (0..runs)
            .map(|_| {
                let lo = n / 4;
                let span = (n / 2).max(1) as u64;
                let i = lo + usize::try_from(rng.below(span)).unwrap_or(0);
                match ids.get(i) {
                    Some(id) => (Some(*id), page.min(n - i - 1)),
                    None => (None, page.min(n)),
                }
            })
            .collect();
        Keys {
            n,
            page,
            last_after,
            middle,
        }
    }
}

/// The timed reads after the walk: the database, the people they look for and their progress.
struct Reads<'a> {
    s: &'a Setup,
    runs: usize,
    samples: Vec<&'a Sample>,
    bar: ProgressBar,
}

impl Reads<'_> {
    /// One page of the whole list as the community's staff reads it, timed.
    async fn list(
        &self,
        q: &ResidentQuery,
        page: PageRequest,
    ) -> Result<(Page<Resident>, Duration), CliError> {
        let t = Instant::now();
        let p = self.s.app.residents(&self.s.staff, q, page).await?;
        Ok((p, t.elapsed()))
    }

    /// The first page of a search for `q`, timed.
    async fn search(&self, q: &str) -> Result<(Page<Resident>, Duration), CliError> {
        let query = ResidentQuery {
            q: Some(q.to_owned()),
            ..ResidentQuery::default()
        };
        self.list(&query, PageRequest::first()).await
    }

    /// P2: the first page, a page in the middle and the last page.
    async fn pages(&self, keys: &Keys, report: &mut Report) -> Result<(), CliError> {
        let all = ResidentQuery::default();
        let (n, page) = (keys.n, keys.page);
        let mut first = Timings::default();
        let mut mid = Timings::default();
        let mut last = Timings::default();
        let mut first_ok = true;
        let mut last_ok = true;
        for i in 0..self.runs {
            let (p, took) = self.list(&all, PageRequest::first()).await?;
            first.push(took);
            first_ok &= p.items.len() == page.min(n);
            let (key, rows) = keys.middle.get(i).copied().unwrap_or((None, page.min(n)));
            let (p, took) = self.list(&all, PageRequest::new(key, None)).await?;
            mid.push(took);
            first_ok &= p.items.len() == rows;
            let (p, took) = self
                .list(&all, PageRequest::new(keys.last_after, None))
                .await?;
            last.push(took);
            last_ok &= p.next.is_none() && p.items.len() == page.min(n);
            self.bar.inc(3);
        }
        report.check(
            "first and middle pages are full",
            first_ok,
            format!("{} of each, {page} rows or as many as remain", self.runs),
        );
        report.check(
            "the last page ends the list",
            last_ok,
            format!("no next key, {} rows", page.min(n)),
        );
        report.add(Figure::latency("P2 list: first page", &first, LIST_GOAL_MS));
        report.add(Figure::latency(
            "P2 list: middle page (by key)",
            &mid,
            LIST_GOAL_MS,
        ));
        report.add(Figure::latency("P2 list: last page", &last, LIST_GOAL_MS));
        Ok(())
    }

    /// P2: a search by the exact ID number finds that one person, shown masked.
    async fn search_by_id(&self, report: &mut Report) -> Result<(), CliError> {
        let mut by_id = Timings::default();
        let mut id_misses = Vec::new();
        for s in &self.samples {
            let (p, took) = self.search(&s.id_number).await?;
            by_id.push(took);
            let head = s.id_number.get(..6).unwrap_or_default();
            let tail = s
                .id_number
                .get(s.id_number.len().saturating_sub(4)..)
                .unwrap_or_default();
            let found = p.items.len() == 1
                && p.items.iter().all(|r| {
                    r.particulars.name == s.name
                        && r.particulars.document_masked.starts_with(head)
                        && r.particulars.document_masked.ends_with(tail)
                });
            if !found {
                id_misses.push(format!(
                    "{} gave {} rows",
                    mask(&s.id_number),
                    p.items.len()
                ));
            }
            self.bar.inc(1);
        }
        let searches = self.samples.len();
        report.check(
            "a search by ID number finds exactly that person",
            id_misses.is_empty(),
            if id_misses.is_empty() {
                format!("{searches} searches")
            } else {
                format!(
                    "{} of {searches} wrong: {}",
                    id_misses.len(),
                    id_misses
                        .iter()
                        .take(3)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            },
        );
        report.add(Figure::latency(
            "P2 search: exact ID number",
            &by_id,
            LIST_GOAL_MS,
        ));
        Ok(())
    }

    /// P2: a search by the first two characters of a name lists names with that prefix.
    async fn search_by_name(&self, report: &mut Report) -> Result<(), CliError> {
        let mut by_name = Timings::default();
        let mut name_ok = true;
        let mut name_rows = 0usize;
        for s in &self.samples {
            let prefix: String = s.name.chars().take(2).collect();
            let (p, took) = self.search(&prefix).await?;
            by_name.push(took);
            name_rows += p.items.len();
            name_ok &= !p.items.is_empty()
                && p.items
                    .iter()
                    .all(|r| r.particulars.name.starts_with(&prefix));
            self.bar.inc(1);
        }
        report.check(
            "a search by name prefix finds names with that prefix",
            name_ok,
            format!(
                "{:.1} rows per search on average",
                name_rows as f64 / self.samples.len().max(1) as f64
            ),
        );
        report.add(Figure::latency(
            "P2 search: name prefix (2 characters)",
            &by_name,
            LIST_GOAL_MS,
        ));
        Ok(())
    }

    /// P2: a search by mobile number finds the person, for the people who have one.
    async fn search_by_phone(&self, report: &mut Report) -> Result<(), CliError> {
        let mut by_phone = Timings::default();
        let mut phone_ok = true;
        let mut phones = 0;
        for s in &self.samples {
            let Some(phone) = &s.phone else { continue };
            phones += 1;
            let (p, took) = self.search(phone).await?;
            by_phone.push(took);
            phone_ok &= p
                .items
                .iter()
                .any(|r| r.particulars.name == s.name && r.address.room == s.room);
            self.bar.inc(1);
        }
        report.check(
            "a search by mobile number finds the person",
            phone_ok && phones > 0,
            format!("{phones} searches"),
        );
        report.add(Figure::latency(
            "P2 search: mobile number",
            &by_phone,
            LIST_GOAL_MS,
        ));
        Ok(())
    }

    /// P2: a search by room number lists the residents of rooms so numbered.
    async fn search_by_room(&self, report: &mut Report) -> Result<(), CliError> {
        let mut by_room = Timings::default();
        let mut room_ok = true;
        for s in &self.samples {
            let (p, took) = self.search(&s.room).await?;
            by_room.push(took);
            room_ok &= !p.items.is_empty() && p.items.iter().all(|r| r.address.room == s.room);
            self.bar.inc(1);
        }
        report.check(
            "a search by room lists residents of that room number",
            room_ok,
            format!("{} searches", self.samples.len()),
        );
        report.add(Figure::latency(
            "P2 search: room number",
            &by_room,
            LIST_GOAL_MS,
        ));
        Ok(())
    }

    /// P3: the summary of the community (staff) and of one grid (its grid worker), the last of
    /// the reads.
    async fn summaries(&self, facts: &Facts, report: &mut Report) -> Result<(), CliError> {
        let (app, community_id) = (&self.s.app, self.s.ids.community);
        let mut community = Timings::default();
        let mut grid = Timings::default();
        let mut totals = (0, 0, 0);
        for _ in 0..self.runs {
            let t = Instant::now();
            let sum = app.registry_summary(&self.s.staff, community_id).await?;
            community.push(t.elapsed());
            totals.0 = sum.total.residents;
            totals.1 = sum.total.households;
            let t = Instant::now();
            let sum = app
                .registry_summary(&self.s.grid_worker, community_id)
                .await?;
            grid.push(t.elapsed());
            totals.2 = sum.total.residents;
            self.bar.inc(2);
        }
        self.bar.finish_and_clear();
        report.check(
            "the community's summary counts every resident",
            usize::try_from(totals.0).ok() == Some(facts.residents),
            format!("{} counted, {} generated", totals.0, facts.residents),
        );
        report.check(
            "the community's summary counts every household",
            usize::try_from(totals.1).ok() == Some(facts.households),
            format!("{} counted, {} generated", totals.1, facts.households),
        );
        report.check(
            "the grid's summary counts the grid's residents",
            usize::try_from(totals.2).ok() == Some(facts.grid1_residents),
            format!("{} counted, {} generated", totals.2, facts.grid1_residents),
        );
        report.add(Figure::latency(
            "P3 summary: community (all grids)",
            &community,
            SUMMARY_GOAL_MS,
        ));
        report.add(Figure::latency(
            "P3 summary: one grid (grid worker)",
            &grid,
            SUMMARY_GOAL_MS,
        ));
        Ok(())
    }
}

/// An ID number as the registry shows it, for messages.
fn mask(id: &str) -> String {
    let head: String = id.chars().take(6).collect();
    let tail: String = id.chars().skip(14).collect();
    format!("{head}********{tail}")
}
