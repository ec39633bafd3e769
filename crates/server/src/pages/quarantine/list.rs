//! The quarantine list with its filters and count, its export, the printable roster of a grid,
//! and the way from the list to the order form of a household.

use app::quarantine::{ListCount, OrderQuery};
use app::registry::ExportFormat;
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::routing::get;
use domain::page::PageRequest;
use domain::quarantine::{self as q, EndsOn, Kind, State as OrderState};
use serde::Deserialize;
use store::quarantine::{Order, RosterLine};
use store::registry::{Household, HouseholdFilter};
use store::structure::{Building, Grid};

use crate::AppState;
use crate::web::{
    self, Chrome, Ctx, FormErrors, OnPage, PageResult, redirect, render, render_form, urlencode,
};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/quarantine", get(list))
        .route("/quarantine/export", get(export))
        .route("/quarantine/roster", get(roster))
        .route("/quarantine/new", get(new_order))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    state: Option<String>,
    resident: Option<i64>,
    sort: Option<String>,
    after: Option<i64>,
    grid: Option<i64>,
    building: Option<i64>,
    kind: Option<String>,
    ends: Option<String>,
    format: Option<String>,
}

impl ListQuery {
    fn text(v: &Option<String>) -> String {
        v.as_deref().unwrap_or_default().trim().to_owned()
    }

    fn sort(&self) -> &'static str {
        // Ending soonest first unless asked for by key.
        match self.sort.as_deref() {
            Some("key") => "key",
            _ => "end",
        }
    }

    fn to_query(&self) -> OrderQuery {
        OrderQuery {
            state: Some(Self::text(&self.state)),
            resident_id: self.resident,
            sort: Some(self.sort().to_owned()),
            grid_id: self.grid,
            building_id: self.building,
            kind: Some(Self::text(&self.kind)),
            ends: Some(Self::text(&self.ends)),
            ..OrderQuery::default()
        }
    }

    /// The filter as a query string, without the page: the pager, the export links and the
    /// first page start from it.
    fn filter_query(&self) -> String {
        let mut parts = vec![
            format!("state={}", urlencode(&Self::text(&self.state))),
            format!("sort={}", self.sort()),
            format!("kind={}", urlencode(&Self::text(&self.kind))),
            format!("ends={}", urlencode(&Self::text(&self.ends))),
        ];
        for (name, v) in [
            ("grid", self.grid),
            ("building", self.building),
            ("resident", self.resident),
        ] {
            if let Some(v) = v {
                parts.push(format!("{name}={v}"));
            }
        }
        parts.join("&")
    }
}

/// The buildings a filter offers: those of the chosen grid, or of the only grid there is.
async fn buildings_to_pick(
    ctx: &Ctx,
    grid: Option<i64>,
    grids: &[Grid],
) -> Result<Vec<Building>, web::PageError> {
    let grid = grid.or(match grids {
        [only] => Some(only.id),
        _ => None,
    });
    match grid {
        Some(g) => ctx.app.buildings(&ctx.actor, g).await.on_page(ctx),
        None => Ok(Vec::new()),
    }
}

#[derive(Template)]
#[template(path = "quarantine.html")]
struct ListPage {
    c: Chrome,
    orders: Vec<Order>,
    count: ListCount,
    state: String,
    states: Vec<&'static str>,
    kind: String,
    kinds: Vec<&'static str>,
    ends: String,
    ends_options: Vec<&'static str>,
    grids: Vec<Grid>,
    grid: Option<i64>,
    buildings: Vec<Building>,
    building: Option<i64>,
    after: Option<i64>,
    next: Option<i64>,
    filter_query: String,
    sort: String,
    resident: Option<i64>,
    today: String,
    can_export: bool,
    can_manage: bool,
}

async fn list(ctx: Ctx, Query(lq): Query<ListQuery>) -> PageResult {
    let query = lq.to_query();
    let page = ctx
        .app
        .quarantine_orders(&ctx.actor, &query, PageRequest::new(lq.after, None))
        .await
        .on_page(&ctx)?;
    let count = ctx
        .app
        .count_quarantine_orders(&ctx.actor, &query)
        .await
        .on_page(&ctx)?;
    let grids = crate::pages::grids_to_pick(&ctx).await?;
    let buildings = buildings_to_pick(&ctx, lq.grid, &grids).await?;
    Ok(render(&ListPage {
        c: ctx.chrome(ctx.t.get("quarantine.list")),
        orders: page.items,
        count,
        filter_query: lq.filter_query(),
        sort: lq.sort().to_owned(),
        state: ListQuery::text(&lq.state),
        states: OrderState::ALL.iter().map(|s| s.code()).collect(),
        kind: ListQuery::text(&lq.kind),
        kinds: Kind::ALL.iter().map(|k| k.code()).collect(),
        ends: ListQuery::text(&lq.ends),
        ends_options: EndsOn::ALL.iter().map(|e| e.code()).collect(),
        grids,
        grid: lq.grid,
        buildings,
        building: lq.building,
        after: lq.after,
        next: page.next,
        resident: lq.resident,
        today: ctx.app.today().to_string(),
        can_export: ctx.actor.role.can_export(),
        can_manage: q::can_manage(ctx.actor.role),
    }))
}

/// What the filter selects as a spreadsheet, in the reader's language, ID numbers masked.
async fn export(ctx: Ctx, Query(lq): Query<ListQuery>) -> PageResult {
    let format = match lq.format.as_deref() {
        Some("xlsx") => ExportFormat::Xlsx,
        _ => ExportFormat::Csv,
    };
    let lines = ctx
        .app
        .export_quarantine_orders(&ctx.actor, &lq.to_query(), format.extension())
        .await
        .on_page(&ctx)?;
    let t = ctx.t;
    let headers: Vec<String> = [
        "field.name",
        "field.document_number",
        "field.building",
        "field.unit",
        "field.room",
        "quarantine.kind",
        "quarantine.reason",
        "quarantine.state",
        "quarantine.start_date",
        "quarantine.end_date",
        "quarantine.doctor_id",
        "quarantine.grid_worker_id",
    ]
    .iter()
    .map(|k| t.get(k).to_owned())
    .collect();
    let rows = lines
        .into_iter()
        .map(|l| {
            let o = l.order;
            vec![
                o.resident_name,
                l.document_masked,
                o.address.building_name,
                o.address.unit_name,
                o.address.room,
                t.of("qkind", o.kind.code()),
                t.of("qreason", o.reason.code()),
                t.of("qstate", o.state.code()),
                o.start_date,
                o.end_date,
                l.doctor_name.unwrap_or_default(),
                l.grid_worker_name.unwrap_or_default(),
            ]
        })
        .collect();
    let sheet = t.get("quarantine.list");
    let bytes = app::quarantine::roster_file(format, sheet, &headers, rows).on_page(&ctx)?;
    let mime = match format {
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Xlsx => web::XLSX,
    };
    let name = format!("quarantine-{}.{}", ctx.app.today(), format.extension());
    Ok(web::no_store(web::download(mime, &name, bytes)))
}

/// A line of the printed roster: the names masked, as a sheet left on a desk may be read.
struct PrintLine {
    home: String,
    name: String,
    kind: &'static str,
    state: &'static str,
    start_date: String,
    end_date: String,
    ends_today: bool,
    doctor: String,
}

#[derive(Template)]
#[template(path = "quarantine_roster.html")]
struct RosterPage {
    c: Chrome,
    grid: Grid,
    lines: Vec<PrintLine>,
    today: String,
    parts: Vec<&'static str>,
}

#[derive(Deserialize)]
struct RosterQuery {
    grid: i64,
}

/// The roster of one grid, for the grid worker's rounds: an A4 sheet with a box per check.
async fn roster(ctx: Ctx, Query(rq): Query<RosterQuery>) -> PageResult {
    let (grid, lines) = ctx
        .app
        .grid_quarantine_roster(&ctx.actor, rq.grid)
        .await
        .on_page(&ctx)?;
    let today = ctx.app.today().to_string();
    let lines = lines
        .into_iter()
        .map(|l: RosterLine| {
            let o = l.order;
            PrintLine {
                home: o.address.to_string(),
                name: domain::health::masked_name(&o.resident_name),
                kind: o.kind.code(),
                state: o.state.code(),
                ends_today: o.end_date == today,
                start_date: o.start_date,
                end_date: o.end_date,
                doctor: l.doctor_name.unwrap_or_default(),
            }
        })
        .collect();
    let title = format!("{} · {}", ctx.t.get("quarantine.roster"), grid.name);
    Ok(render(&RosterPage {
        c: ctx.chrome(&title),
        grid,
        lines,
        today,
        parts: q::Part::ALL.iter().map(|p| p.code()).collect(),
    }))
}

#[derive(Deserialize, Default)]
struct NewQuery {
    grid: Option<i64>,
    building: Option<i64>,
    room: Option<String>,
}

#[derive(Template)]
#[template(path = "quarantine_new.html")]
struct NewPage {
    c: Chrome,
    grids: Vec<Grid>,
    grid: Option<i64>,
    buildings: Vec<Building>,
    building: Option<i64>,
    room: String,
    households: Vec<Household>,
    errors: FormErrors,
}

/// Registering an order from the list: the household is picked by building and room, then its
/// order form opens with the household filled in.
async fn new_order(ctx: Ctx, Query(nq): Query<NewQuery>) -> PageResult {
    if !q::can_manage(ctx.actor.role) {
        return Err(ctx.err(app::AppError::Forbidden));
    }
    let room = nq.room.clone().unwrap_or_default().trim().to_owned();
    let mut errors = FormErrors::default();
    let mut households = Vec::new();
    if nq.room.is_some() {
        match nq.building {
            None => errors.add(ctx.t, "building", "required", ""),
            Some(_) if room.is_empty() => errors.add(ctx.t, "room", "required", ""),
            Some(b) => {
                households = ctx
                    .app
                    .households(
                        &ctx.actor,
                        &HouseholdFilter {
                            building_id: Some(b),
                            room: Some(room.clone()),
                            ..HouseholdFilter::default()
                        },
                        PageRequest::new(None, Some(20)),
                    )
                    .await
                    .on_page(&ctx)?
                    .items;
                match households.as_slice() {
                    [one] => {
                        return Ok(redirect(&format!(
                            "/quarantine/households/{}#place",
                            one.id
                        )));
                    }
                    [] => errors.add(ctx.t, "room", "no_such_household", &room),
                    _ => {}
                }
            }
        }
    }
    let grids = crate::pages::grids_to_pick(&ctx).await?;
    let buildings = buildings_to_pick(&ctx, nq.grid, &grids).await?;
    let refused = !errors.is_empty();
    Ok(render_form(
        &NewPage {
            c: ctx.chrome(ctx.t.get("quarantine.register")),
            grids,
            grid: nq.grid,
            buildings,
            building: nq.building,
            room,
            households,
            errors,
        },
        refused,
    ))
}
