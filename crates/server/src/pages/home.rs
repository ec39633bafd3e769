//! Each role's home: a community's today for its lead, an official's communities side by side,
//! a grid worker's grid, the CDC's cases and map; the roles whose day is one page (the doctor's
//! worklist, the volunteer's tasks, the guard's gate, the auditor's trail) are sent there.

use app::home::{GridToday, Today};
use askama::Template;
use axum::response::{IntoResponse, Redirect};
use domain::home::{Home, home_of, home_path};
use store::structure::Community;

use crate::chart::{self, Series};
use crate::i18n::Tr;
use crate::web::{Chrome, Ctx, OnPage, PageResult, render};

/// Communities shown side by side; more are listed in the table below them.
const SIDE_BY_SIDE: usize = 12;

/// The first thing to do today, as a link.
pub(crate) struct FirstTask {
    pub href: String,
    pub label: String,
}

/// A figure of the today: a number that links to its list.
pub(crate) struct Figure {
    pub label: &'static str,
    pub value: String,
    pub href: String,
    pub testid: &'static str,
    /// Drawn in the warning colour when not nothing.
    pub urgent: bool,
}

/// A chart and the table of its numbers.
pub(crate) struct Chart {
    pub title: String,
    pub svg: String,
    pub testid: &'static str,
    pub head: Vec<String>,
    pub rows: Vec<(String, Vec<i64>)>,
}

/// One community's today as the page draws it.
pub(crate) struct TodayView {
    pub community: Community,
    pub today: String,
    pub slot: String,
    pub first: FirstTask,
    pub figures: Vec<Figure>,
    pub screening: Option<(i64, String)>,
    pub charts: Vec<Chart>,
    pub imports: Option<Vec<app::home::RecentImport>>,
}

fn figures(d: &Today, awaiting: &str) -> Vec<Figure> {
    let mut f = Vec::new();
    let n = |v: i64| v.to_string();
    if let Some(q) = d.quarantine {
        f.push(Figure {
            label: "today.in_quarantine",
            value: n(q.in_quarantine),
            href: "/quarantine?state=active".to_owned(),
            testid: "fig-in-quarantine",
            urgent: false,
        });
        f.push(Figure {
            label: "today.ends_today",
            value: n(q.ending_today),
            href: "/quarantine?state=active&ends=today".to_owned(),
            testid: "fig-ends-today",
            urgent: false,
        });
    }
    if let Some(c) = &d.checks {
        f.push(Figure {
            label: "today.missing_now",
            value: n(c.missing),
            href: "/checks".to_owned(),
            testid: "fig-missing-checks",
            urgent: c.open && c.missing > 0,
        });
    }
    if let Some(a) = d.open_alerts {
        f.push(Figure {
            label: "today.open_fever",
            value: n(a.fever),
            href: "/checks?kind=fever#alerts".to_owned(),
            testid: "fig-open-fever",
            urgent: a.fever > 0,
        });
        f.push(Figure {
            label: "today.open_missed",
            value: n(a.missed_check),
            href: "/checks?kind=missed_check#alerts".to_owned(),
            testid: "fig-open-missed",
            urgent: a.missed_check > 0,
        });
    }
    if let Some(due) = d.deliveries_due {
        f.push(Figure {
            label: "today.deliveries_due",
            value: n(due),
            href: "/tasks/board?state=open".to_owned(),
            testid: "fig-deliveries",
            urgent: false,
        });
    }
    if let Some(r) = d.rounds {
        f.push(Figure {
            label: "today.rounds",
            value: n(r.doors_left),
            href: format!("/tasks/rubbish?date={}", d.today),
            testid: "fig-rounds",
            urgent: false,
        });
    }
    if !awaiting.is_empty() {
        f.push(Figure {
            label: "today.awaiting",
            value: awaiting.to_owned(),
            href: "/cases?status=suspected".to_owned(),
            testid: "fig-awaiting",
            urgent: true,
        });
    }
    f
}

/// The most pressing work first: fever, then checks due now, then missed checks, then
/// deliveries; the quarantine list when nothing waits.
fn first_task(t: Tr, d: &Today) -> FirstTask {
    let alerts = d.open_alerts.unwrap_or_default();
    let (fever, missed) = (alerts.fever, alerts.missed_check);
    // Before the slot's window opens nobody is late yet.
    let missing = d
        .checks
        .as_ref()
        .filter(|c| c.open)
        .map_or(0, |c| c.missing);
    let due = d.deliveries_due.unwrap_or(0);
    let task = |key: &str, n: i64, href: &str| FirstTask {
        href: href.to_owned(),
        label: t.get(key).replace("{n}", &n.to_string()),
    };
    if fever > 0 {
        task("today.first_fever", fever, "/checks?kind=fever#alerts")
    } else if missing > 0 {
        task("today.first_missing", missing, "/checks")
    } else if missed > 0 {
        task(
            "today.first_missed",
            missed,
            "/checks?kind=missed_check#alerts",
        )
    } else if due > 0 {
        task("today.first_deliveries", due, "/tasks/board?state=open")
    } else {
        task("today.first_none", 0, "/quarantine?state=active")
    }
}

fn charts(t: Tr, d: &Today) -> Vec<Chart> {
    let mut out = Vec::new();
    if let Some(s) = &d.screening {
        let labels: Vec<String> = s.grids.iter().map(|g| g.grid_name.clone()).collect();
        let series = [
            Series {
                name: t.get("today.done"),
                colour: "#2e7d32",
                values: s.grids.iter().map(|g| g.done).collect(),
            },
            Series {
                name: t.get("today.unreachable"),
                colour: "#e08e0b",
                values: s.grids.iter().map(|g| g.unreachable).collect(),
            },
            Series {
                name: t.get("today.open"),
                colour: "#9e9e9e",
                values: s.grids.iter().map(|g| g.open).collect(),
            },
        ];
        let title = format!("{} · {}", t.get("today.screening"), s.campaign_name);
        out.push(Chart {
            svg: chart::stacked_rows(&title, "chart-screening", &labels, &series),
            title,
            testid: "chart-screening",
            head: series.iter().map(|s| s.name.to_owned()).collect(),
            rows: s
                .grids
                .iter()
                .map(|g| (g.grid_name.clone(), vec![g.done, g.unreachable, g.open]))
                .collect(),
        });
    }
    if d.days.is_empty() {
        return out;
    }
    let labels: Vec<String> = d
        .days
        .iter()
        .map(|x| x.day.get(5..).unwrap_or(&x.day).to_owned())
        .collect();
    let mut day_chart = |title: &str, testid: &'static str, parts: Vec<Series<'_>>| {
        let title = t.get(title).to_owned();
        out.push(Chart {
            svg: chart::columns(&title, testid, &labels, &parts),
            title,
            testid,
            head: parts.iter().map(|s| s.name.to_owned()).collect(),
            rows: labels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let vals = parts.iter().map(|s| s.values[i]).collect();
                    (l.clone(), vals)
                })
                .collect(),
        });
    };
    // A series of a day chart: one count of each day, named by its translation key.
    let series = |key: &'static str, colour, count: fn(&store::home_counts::Day) -> i64| Series {
        name: t.get(key),
        colour,
        values: d.days.iter().map(count).collect(),
    };
    day_chart(
        "today.chart_checks",
        "chart-checks",
        vec![
            series("today.checks_morning", "#4a78b5", |x| x.checks_morning),
            series("today.checks_evening", "#82a8d8", |x| x.checks_evening),
        ],
    );
    day_chart(
        "today.chart_alerts",
        "chart-alerts",
        vec![
            series("today.fever", "#c0392b", |x| x.fever_raised),
            series("today.missed", "#e08e0b", |x| x.missed_raised),
        ],
    );
    if d.quarantine.is_some() {
        day_chart(
            "today.chart_orders",
            "chart-orders",
            vec![
                series("today.orders_in", "#8e44ad", |x| x.orders_in),
                series("today.orders_out", "#2e7d32", |x| x.orders_out),
            ],
        );
    }
    out
}

fn slot_text(t: Tr, d: &Today) -> String {
    d.checks
        .as_ref()
        .map(|c| {
            t.get("today.slot")
                .replace("{date}", &c.slot_date)
                .replace("{part}", &t.of("slot_part", c.part.code()))
        })
        .unwrap_or_default()
}

pub(crate) fn today_view(t: Tr, d: Today, awaiting: &str) -> TodayView {
    TodayView {
        first: first_task(t, &d),
        figures: figures(&d, awaiting),
        charts: charts(t, &d),
        slot: slot_text(t, &d),
        screening: d
            .screening
            .as_ref()
            .map(|s| (s.campaign_id, s.campaign_name.clone())),
        imports: d.imports,
        today: d.today,
        community: d.community,
    }
}

#[derive(Template)]
#[template(path = "home_today.html")]
struct TodayPage {
    c: Chrome,
    v: TodayView,
}

#[derive(Template)]
#[template(path = "home_communities.html")]
struct CommunitiesPage {
    c: Chrome,
    cards: Vec<TodayView>,
    more: usize,
    communities: Vec<Community>,
    can_create_community: bool,
    streets: Vec<store::structure::Street>,
    form_error: String,
    awaiting: String,
    /// The CDC's way to the map: the risk map of each community.
    show_map: bool,
}

#[derive(Template)]
#[template(path = "home_grid.html")]
struct GridPage {
    c: Chrome,
    g: GridToday,
}

/// `/` for the signed-in actor: their role's home.
pub(crate) async fn home_with(ctx: &Ctx, form_error: String) -> PageResult {
    let home = home_of(ctx.actor.role);
    if let Some(path) = home_path(home)
        && form_error.is_empty()
    {
        return Ok(Redirect::to(path).into_response());
    }
    let t = ctx.t;
    if home == Home::Grid {
        let g = ctx.app.grid_today(&ctx.actor).await.on_page(ctx)?;
        return Ok(render(&GridPage {
            c: ctx.chrome(t.get("grid_home.title")),
            g,
        }));
    }
    let communities = ctx.app.communities(&ctx.actor).await.on_page(ctx)?;
    let awaiting = if domain::cases::can_decide(ctx.actor.role) {
        super::cases::awaiting(ctx).await?
    } else {
        String::new()
    };
    if home == Home::Today && communities.len() == 1 && form_error.is_empty() {
        let d = ctx
            .app
            .community_today(&ctx.actor, communities[0].id)
            .await
            .on_page(ctx)?;
        return Ok(render(&TodayPage {
            c: ctx.chrome(t.get("today.title")),
            v: today_view(t, d, &awaiting),
        }));
    }
    let mut cards = Vec::new();
    if home == Home::Today {
        for cm in communities.iter().take(SIDE_BY_SIDE) {
            let d = ctx
                .app
                .community_today(&ctx.actor, cm.id)
                .await
                .on_page(ctx)?;
            cards.push(today_view(t, d, ""));
        }
    }
    let can_create = ctx.actor.may_shape(domain::access::Level::Street);
    let streets = if can_create {
        ctx.app.districts().await.on_page(ctx)?.1
    } else {
        Vec::new()
    };
    Ok(render(&CommunitiesPage {
        c: ctx.chrome(t.get("home.title")),
        more: communities.len().saturating_sub(cards.len()),
        cards,
        communities,
        can_create_community: can_create,
        streets,
        form_error,
        awaiting,
        show_map: home == Home::Cases,
    }))
}
