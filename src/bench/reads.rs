//! P2 and P3: the registry's list pages and searches, and the summaries, through the use cases
//! a page or the API calls, as a signed-in community staff member and grid worker.

use std::time::Instant;

use app::registry::ResidentQuery;
use domain::page::PageRequest;

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
    let app = &s.app;
    let actor = &s.staff;
    let all = ResidentQuery::default();

    // Every page of the list once, by key: the ids to page after, and the count.
    let started = Instant::now();
    let bar = rows_bar(facts.residents, "list walk");
    let mut ids: Vec<i64> = Vec::with_capacity(facts.residents);
    let mut after = None;
    let mut pages = 0usize;
    loop {
        let page = app
            .residents(actor, &all, PageRequest::new(after, Some(500)))
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

    let mut rng = SplitMix64::new(0x0062_656e_6368);
    let n = ids.len();
    let page = PageRequest::first().limit as usize;
    // The key before the last page, and keys around the middle of the list.
    let last_after = n.checked_sub(page + 1).and_then(|i| ids.get(i)).copied();
    // (the key to page after, the rows the page must hold)
    let middle: Vec<(Option<i64>, usize)> = (0..runs)
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
    drop(ids);

    let bar = rows_bar(runs * 7 + runs * 2, "reads");
    let mut first = Timings::default();
    let mut mid = Timings::default();
    let mut last = Timings::default();
    let mut first_ok = true;
    let mut last_ok = true;
    for i in 0..runs {
        let t = Instant::now();
        let p = app.residents(actor, &all, PageRequest::first()).await?;
        first.push(t.elapsed());
        first_ok &= p.items.len() == page.min(n);
        let t = Instant::now();
        let (key, rows) = middle.get(i).copied().unwrap_or((None, page.min(n)));
        let p = app
            .residents(actor, &all, PageRequest::new(key, None))
            .await?;
        mid.push(t.elapsed());
        first_ok &= p.items.len() == rows;
        let t = Instant::now();
        let p = app
            .residents(actor, &all, PageRequest::new(last_after, None))
            .await?;
        last.push(t.elapsed());
        last_ok &= p.next.is_none() && p.items.len() == page.min(n);
        bar.inc(3);
    }
    report.check(
        "first and middle pages are full",
        first_ok,
        format!("{runs} of each, {page} rows or as many as remain"),
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

    let samples: Vec<&Sample> = (0..runs)
        .filter_map(|i| facts.samples.get(i % facts.samples.len().max(1)))
        .collect();
    let search = |q: &str| ResidentQuery {
        q: Some(q.to_owned()),
        ..ResidentQuery::default()
    };

    let mut by_id = Timings::default();
    let mut id_misses = Vec::new();
    for s in &samples {
        let t = Instant::now();
        let p = app
            .residents(actor, &search(&s.id_number), PageRequest::first())
            .await?;
        by_id.push(t.elapsed());
        let head = s.id_number.get(..6).unwrap_or_default();
        let tail = s
            .id_number
            .get(s.id_number.len().saturating_sub(4)..)
            .unwrap_or_default();
        let found = p.items.len() == 1
            && p.items.iter().all(|r| {
                r.name == s.name
                    && r.document_masked.starts_with(head)
                    && r.document_masked.ends_with(tail)
            });
        if !found {
            id_misses.push(format!(
                "{} gave {} rows",
                mask(&s.id_number),
                p.items.len()
            ));
        }
        bar.inc(1);
    }
    report.check(
        "a search by ID number finds exactly that person",
        id_misses.is_empty(),
        if id_misses.is_empty() {
            format!("{} searches", samples.len())
        } else {
            format!(
                "{} of {} wrong: {}",
                id_misses.len(),
                samples.len(),
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

    let mut by_name = Timings::default();
    let mut name_ok = true;
    let mut name_rows = 0usize;
    for s in &samples {
        let prefix: String = s.name.chars().take(2).collect();
        let t = Instant::now();
        let p = app
            .residents(actor, &search(&prefix), PageRequest::first())
            .await?;
        by_name.push(t.elapsed());
        name_rows += p.items.len();
        name_ok &= !p.items.is_empty() && p.items.iter().all(|r| r.name.starts_with(&prefix));
        bar.inc(1);
    }
    report.check(
        "a search by name prefix finds names with that prefix",
        name_ok,
        format!(
            "{:.1} rows per search on average",
            name_rows as f64 / samples.len().max(1) as f64
        ),
    );
    report.add(Figure::latency(
        "P2 search: name prefix (2 characters)",
        &by_name,
        LIST_GOAL_MS,
    ));

    let mut by_phone = Timings::default();
    let mut phone_ok = true;
    let mut phones = 0;
    for s in &samples {
        let Some(phone) = &s.phone else { continue };
        phones += 1;
        let t = Instant::now();
        let p = app
            .residents(actor, &search(phone), PageRequest::first())
            .await?;
        by_phone.push(t.elapsed());
        phone_ok &= p.items.iter().any(|r| r.name == s.name && r.room == s.room);
        bar.inc(1);
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

    let mut by_room = Timings::default();
    let mut room_ok = true;
    for s in &samples {
        let t = Instant::now();
        let p = app
            .residents(actor, &search(&s.room), PageRequest::first())
            .await?;
        by_room.push(t.elapsed());
        room_ok &= !p.items.is_empty() && p.items.iter().all(|r| r.room == s.room);
        bar.inc(1);
    }
    report.check(
        "a search by room lists residents of that room number",
        room_ok,
        format!("{} searches", samples.len()),
    );
    report.add(Figure::latency(
        "P2 search: room number",
        &by_room,
        LIST_GOAL_MS,
    ));

    // P3: the summary of the community (staff) and of one grid (its grid worker).
    let mut community = Timings::default();
    let mut grid = Timings::default();
    let mut totals = (0, 0, 0);
    for _ in 0..runs {
        let t = Instant::now();
        let sum = app.registry_summary(actor, s.ids.community).await?;
        community.push(t.elapsed());
        totals.0 = sum.total.residents;
        totals.1 = sum.total.households;
        let t = Instant::now();
        let sum = app
            .registry_summary(&s.grid_worker, s.ids.community)
            .await?;
        grid.push(t.elapsed());
        totals.2 = sum.total.residents;
        bar.inc(2);
    }
    bar.finish_and_clear();
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

/// An ID number as the registry shows it, for messages.
fn mask(id: &str) -> String {
    let head: String = id.chars().take(6).collect();
    let tail: String = id.chars().skip(14).collect();
    format!("{head}********{tail}")
}
