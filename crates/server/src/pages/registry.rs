//! Pages of households and residents: browse, search, add, edit, unmask, export.

use app::registry::{ExportFormat, ResidentQuery};
use askama::Template;
use axum::Router;
use axum::extract::Query;

use axum::response::Response;
use axum::routing::{get, post};
use domain::document::DocumentKind;
use domain::page::PageRequest;
use domain::registry::{Hukou, Tenure, TravelStatus, Vulnerabilities, Vulnerability};
use domain::resident::RawResident;
use serde::Deserialize;
use store::registry::{Household, Resident};

use crate::AppState;
use crate::i18n::Tr;
use crate::web::{
    self, Chrome, Ctx, Form, FormErrors, OnPage, PageResult, Path, after_step, after_submit,
    invalid, invalid_or_conflicting, render, render_form, urlencode,
};

mod form;
mod household;
mod resident;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/residents", get(residents).post(private_search))
        .route("/export/residents", get(export))
        .merge(resident::routes())
        .merge(household::routes())
        .merge(form::routes())
}

#[derive(Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    grid: Option<i64>,
    building: Option<i64>,
    travel: Option<String>,
    after: Option<i64>,
    format: Option<String>,
}

impl ListQuery {
    fn to_query(&self) -> ResidentQuery {
        ResidentQuery {
            grid_id: self.grid,
            building_id: self.building,
            household_id: None,
            travel_status: self.travel.clone().filter(|s| !s.is_empty()),
            q: self.q.clone().filter(|s| !s.trim().is_empty()),
        }
    }

    /// The filter as a query string, for paging and export links.
    fn filter_query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(q) = self.q.as_deref().filter(|s| !s.is_empty()) {
            parts.push(format!("q={}", urlencode(q)));
        }
        if let Some(g) = self.grid {
            parts.push(format!("grid={g}"));
        }
        if let Some(b) = self.building {
            parts.push(format!("building={b}"));
        }
        if let Some(t) = self.travel.as_deref().filter(|s| !s.is_empty()) {
            parts.push(format!("travel={}", urlencode(t)));
        }
        parts.join("&")
    }
}

#[derive(Template)]
#[template(path = "residents.html")]
struct ResidentsPage {
    c: Chrome,
    /// Each resident with where they stand in quarantine, if anywhere.
    residents: Vec<(Resident, Option<super::quarantine::StandingLabel>)>,
    show_quarantine: bool,
    q: String,
    travel: String,
    grid: Option<i64>,
    building: Option<i64>,
    travel_options: Vec<&'static str>,
    filter_query: String,
    after: Option<i64>,
    next: Option<i64>,
    can_export: bool,
}

async fn residents(ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    let filter_query = q.filter_query();
    residents_page(&ctx, &q, filter_query).await
}

#[derive(Deserialize, Default)]
struct SearchForm {
    q: Option<String>,
    grid: Option<i64>,
    building: Option<i64>,
    travel: Option<String>,
}

/// A search by ID number or mobile number, posted so the number stays out of the address bar,
/// the browser's history and the server's logs; paging and export links leave it out too.
async fn private_search(ctx: Ctx, Form(form): Form<SearchForm>) -> PageResult {
    let q = ListQuery {
        q: form.q,
        grid: form.grid,
        building: form.building,
        travel: form.travel,
        ..Default::default()
    };
    let text = q.q.as_deref().map(str::trim).unwrap_or("");
    let private = domain::citizen_id::CitizenId::parse(text).is_ok()
        || domain::phone::Phone::parse(text).is_ok();
    let filter_query = if private {
        ListQuery {
            q: None,
            grid: q.grid,
            building: q.building,
            travel: q.travel.clone(),
            ..Default::default()
        }
        .filter_query()
    } else {
        q.filter_query()
    };
    Ok(web::no_store(residents_page(&ctx, &q, filter_query).await?))
}

async fn residents_page(ctx: &Ctx, q: &ListQuery, filter_query: String) -> PageResult {
    let page = ctx
        .app
        .residents(&ctx.actor, &q.to_query(), PageRequest::new(q.after, None))
        .await
        .on_page(ctx)?;
    let ids: Vec<i64> = page.items.iter().map(|r| r.id).collect();
    let mut standings = super::quarantine::standings(ctx, &ids).await?;
    Ok(render(&ResidentsPage {
        c: ctx.chrome(ctx.t.get("resident.list")),
        show_quarantine: domain::quarantine::can_read(ctx.actor.role),
        residents: page
            .items
            .into_iter()
            .map(|r| {
                let s = standings.remove(&r.id);
                (r, s)
            })
            .collect(),
        q: q.q.clone().unwrap_or_default(),
        travel: q.travel.clone().unwrap_or_default(),
        grid: q.grid,
        building: q.building,
        travel_options: TravelStatus::ALL.iter().map(|s| s.code()).collect(),
        filter_query,
        after: q.after,
        next: page.next,
        can_export: ctx.actor.role.can_export(),
    }))
}

async fn export(ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    let format = match q.format.as_deref() {
        Some("csv") => ExportFormat::Csv,
        _ => ExportFormat::Xlsx,
    };
    let bytes = ctx
        .app
        .export_residents(&ctx.actor, &q.to_query(), format, false)
        .await
        .on_page(&ctx)?;
    Ok(download(bytes, format))
}

/// A register of residents as the chosen format.
pub(crate) fn download(bytes: Vec<u8>, format: ExportFormat) -> Response {
    let mime = match format {
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Xlsx => web::XLSX,
    };
    web::download(mime, &format!("residents.{}", format.extension()), bytes)
}

pub(crate) fn local_time(app: &app::App, ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned_datetime(app.settings.time_zone.clone())
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}
