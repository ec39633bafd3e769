//! Pages of twice-daily checks: the worklist of alerts and today's slots, an order's records
//! with the form to record or correct a check and its self-report link, and the resident's own
//! page behind the link.

mod report;

use app::checks::{AlertQuery, CheckInput};
use app::{AppError, ErrorCode};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use domain::health::{self, AlertKind, Method, Symptom};
use domain::page::PageRequest;
use domain::quarantine::{self as q, State as OrderState};
use serde::Deserialize;
use store::checks::{Alert, Check, DaySlots, Link};
use store::quarantine::Order;

use crate::AppState;
use crate::i18n::Tr;
use crate::web::{Chrome, Ctx, FormErrors, OnPage, PageResult, render, urlencode};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/checks", get(worklist))
        .route("/checks/alerts/{id}/acknowledge", post(acknowledge))
        .route("/checks/alerts/{id}/resolve", post(resolve))
        .route("/quarantine/{id}/checks", get(order_checks).post(record))
        .route("/quarantine/{id}/checks/section", get(section))
        .route("/quarantine/{id}/self-report-link", post(create_link))
        .route(
            "/quarantine/{id}/self-report-link/revoke",
            post(revoke_link),
        )
        .merge(report::routes())
}

/// A temperature in tenths as people write it: 36.8.
pub(crate) fn degrees(tenths: i64) -> String {
    format!("{}.{}", tenths / 10, tenths.rem_euclid(10))
}

/// Symptoms and the "other" text in the reader's language.
pub(crate) fn symptom_text(t: Tr, symptoms: &[Symptom], other: &str) -> String {
    let mut parts: Vec<String> = symptoms.iter().map(|s| t.of("symptom", s.code())).collect();
    if !other.trim().is_empty() {
        parts.push(other.trim().to_owned());
    }
    parts.join(", ")
}

pub(crate) fn symptom_codes() -> Vec<&'static str> {
    Symptom::ALL.iter().map(|s| s.code()).collect()
}

/// The value of a posted field; checkboxes repeat their name, so forms are read as pairs.
pub(crate) fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

pub(crate) fn fields(pairs: &[(String, String)], name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

/// An alert as a worklist row shows it.
struct AlertRow {
    a: Alert,
    raised: String,
    finding: String,
}

fn alert_row(app: &app::App, t: Tr, a: Alert) -> AlertRow {
    let finding = match a.temperature {
        Some(temp) => {
            let symptoms = symptom_text(t, &a.symptoms, &a.other_symptom);
            if symptoms.is_empty() {
                format!("{} °C", degrees(temp))
            } else {
                format!("{} °C · {symptoms}", degrees(temp))
            }
        }
        None => String::new(),
    };
    AlertRow {
        raised: crate::pages::registry_time(app, a.raised_at),
        finding,
        a,
    }
}

#[derive(Deserialize, Default)]
struct WorklistQuery {
    mine: Option<String>,
    grid: Option<String>,
    kind: Option<String>,
    state: Option<String>,
    after: Option<i64>,
    day_after: Option<i64>,
}

#[derive(Template)]
#[template(path = "checks_worklist.html")]
struct WorklistPage {
    c: Chrome,
    is_doctor: bool,
    mine: bool,
    can_handle: bool,
    slot_date: String,
    slot_part: String,
    /// "until 10:00" inside the window, "opens at 17:00" before it.
    slot_window: String,
    open_fever: i64,
    open_missed: i64,
    day: Vec<DaySlots>,
    day_next: Option<i64>,
    /// Whether today's windows have closed: an empty slot is missed, or still due.
    morning_closed: bool,
    evening_closed: bool,
    alerts: Vec<AlertRow>,
    next: Option<i64>,
    grids: Vec<store::structure::Grid>,
    grid: Option<i64>,
    kind: String,
    state: String,
    kinds: Vec<&'static str>,
    states: Vec<&'static str>,
    query: String,
}

impl WorklistPage {
    fn deg(&self, tenths: &i64) -> String {
        degrees(*tenths)
    }

    fn is_grid(&self, id: &i64) -> bool {
        self.grid == Some(*id)
    }
}

async fn worklist(ctx: Ctx, Query(wq): Query<WorklistQuery>) -> PageResult {
    let is_doctor = ctx.actor.role == domain::access::Role::Doctor;
    // A doctor starts with their own residents; "all" shows the jurisdiction.
    let mine = is_doctor && wq.mine.as_deref() != Some("0");
    let grid = wq.grid.as_deref().and_then(|g| g.trim().parse().ok());
    let kind = wq.kind.unwrap_or_default();
    let state = wq.state.unwrap_or_default();
    let query = AlertQuery {
        mine,
        grid_id: grid,
        order_id: None,
        kind: Some(kind.clone()),
        state: Some(state.clone()),
    };
    let alerts = ctx
        .app
        .alerts(&ctx.actor, &query, PageRequest::new(wq.after, None))
        .await
        .on_page(&ctx)?;
    let w = ctx
        .app
        .worklist(
            &ctx.actor,
            mine,
            jiff::Timestamp::now(),
            PageRequest::new(wq.day_after, Some(100)),
        )
        .await
        .on_page(&ctx)?;
    // The grid filter lists the grids of a few communities; beyond that the list would be long
    // and costly, and the grid number in the address still filters.
    let communities = ctx.app.communities(&ctx.actor).await.on_page(&ctx)?;
    let mut grids = Vec::new();
    if communities.len() <= 5 {
        for c in &communities {
            grids.extend(ctx.app.grids(&ctx.actor, c.id).await.on_page(&ctx)?);
        }
    }
    let query = format!(
        "mine={}&grid={}&kind={}&state={}",
        if mine { "1" } else { "0" },
        grid.map(|g| g.to_string()).unwrap_or_default(),
        urlencode(&kind),
        urlencode(&state)
    );
    let t = ctx.t;
    let now = jiff::Timestamp::now();
    let windows = ctx.app.settings.check_windows;
    let local_now = ctx.app.local(now);
    let closed = |part| {
        local_now
            >= windows.closes_at(domain::quarantine::Slot {
                date: local_now.date(),
                part,
            })
    };
    let shown = windows.planned_slot(w.slot, local_now);
    let hhmm = |at: jiff::civil::DateTime| at.strftime("%H:%M").to_string();
    let slot_window = if local_now < windows.opens_at(shown) {
        t.get("checks.window_opens")
            .replace("{time}", &hhmm(windows.opens_at(shown)))
    } else if local_now < windows.closes_at(shown) {
        t.get("checks.window_until")
            .replace("{time}", &hhmm(windows.closes_at(shown)))
    } else {
        t.get("checks.window_closed").to_owned()
    };
    Ok(render(&WorklistPage {
        c: ctx.chrome(t.get("checks.worklist")),
        is_doctor,
        mine,
        can_handle: health::can_handle_alerts(ctx.actor.role),
        slot_date: shown.date.to_string(),
        slot_part: shown.part.code().to_owned(),
        slot_window,
        open_fever: w.open_fever,
        open_missed: w.open_missed,
        day: w.day.items,
        day_next: w.day.next,
        morning_closed: closed(domain::quarantine::Part::Morning),
        evening_closed: closed(domain::quarantine::Part::Evening),
        alerts: alerts
            .items
            .into_iter()
            .map(|a| alert_row(&ctx.app, t, a))
            .collect(),
        next: alerts.next,
        grids,
        grid,
        kind,
        state,
        kinds: AlertKind::ALL.iter().map(|k| k.code()).collect(),
        states: health::AlertState::ALL.iter().map(|k| k.code()).collect(),
        query,
    }))
}

#[derive(Deserialize)]
struct AlertForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
    /// The worklist query to return to.
    #[serde(default)]
    back: String,
}

fn back_to(back: &str) -> String {
    // Only the worklist's own query string, never another page.
    let q: String = back
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "=&_%-".contains(*c))
        .collect();
    if q.is_empty() {
        "/checks".to_owned()
    } else {
        format!("/checks?{q}")
    }
}

async fn acknowledge(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<AlertForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    ctx.app
        .acknowledge_alert(&ctx.actor, id)
        .await
        .on_page(&ctx)?;
    Ok(Redirect::to(&back_to(&f.back)).into_response())
}

async fn resolve(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<AlertForm>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    ctx.app
        .resolve_alert(&ctx.actor, id, &f.note)
        .await
        .on_page(&ctx)?;
    Ok(Redirect::to(&back_to(&f.back)).into_response())
}

/// A record as the order's page lists it.
struct CheckRow {
    ch: Check,
    at: String,
    temperature: String,
    symptoms: String,
    recorder: String,
}

fn check_row(app: &app::App, t: Tr, ch: Check) -> CheckRow {
    CheckRow {
        at: crate::pages::registry_time(app, ch.checked_at),
        temperature: degrees(ch.temperature),
        symptoms: symptom_text(t, &ch.symptoms, &ch.other_symptom),
        recorder: if ch.method == Method::SelfReport {
            t.get("checks.recorder_resident").to_owned()
        } else {
            ch.recorder_name.clone()
        },
        ch,
    }
}

/// What the record form shows again after a refusal.
#[derive(Default)]
struct Entered {
    temperature: String,
    symptoms: Vec<String>,
    other_symptom: String,
    method: String,
    slot: String,
    correction_reason: String,
}

impl Entered {
    fn has(&self, code: &&str) -> bool {
        self.symptoms.iter().any(|s| s == code)
    }
}

#[derive(Template)]
#[template(path = "checks_order.html")]
struct OrderChecksPage {
    c: Chrome,
    order: Order,
    is_active: bool,
    can_record: bool,
    can_manage_link: bool,
    slot_key: String,
    slot_date: String,
    slot_part: String,
    /// The current slot's record, when filled: the form then corrects it.
    first: Option<CheckRow>,
    checks: Vec<CheckRow>,
    next: Option<i64>,
    symptoms: Vec<&'static str>,
    methods: Vec<&'static str>,
    entered: Entered,
    errors: FormErrors,
    link: Option<Link>,
    link_created: String,
    new_link: Option<(String, String)>,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    after: Option<i64>,
}

/// What the order's page shows beyond its records: a refused form again, or a link just made.
#[derive(Default)]
struct Extra {
    entered: Entered,
    errors: FormErrors,
    /// The new link's address and its QR code.
    new_link: Option<(String, String)>,
    status: StatusCode,
}

/// The full address of a self-report link, from the address the staff member used.
fn link_url(s: &AppState, headers: &HeaderMap, token: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("127.0.0.1");
    let scheme = if s.options.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}/r/{token}")
}

fn qr_svg(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(240, 240)
                .quiet_zone(true)
                .build();
            // The XML declaration has no place inside HTML.
            match svg.find("<svg") {
                Some(i) => svg[i..].to_owned(),
                None => svg,
            }
        }
        Err(_) => String::new(),
    }
}

async fn order_checks_page(ctx: &Ctx, id: i64, after: Option<i64>, extra: Extra) -> PageResult {
    let (order, _) = ctx
        .app
        .quarantine_order(&ctx.actor, id)
        .await
        .on_page(ctx)?;
    let page = ctx
        .app
        .order_checks(&ctx.actor, id, PageRequest::new(after, None))
        .await
        .on_page(ctx)?;
    let now = jiff::Timestamp::now();
    let slot = ctx.app.current_slot(now);
    let first = ctx
        .app
        .slot_check(&ctx.actor, id, slot)
        .await
        .on_page(ctx)?;
    let link = ctx
        .app
        .self_report_link(&ctx.actor, id)
        .await
        .on_page(ctx)?;
    let t = ctx.t;
    let title = format!("{} · {}", t.get("checks.title"), order.resident_name);
    let state = order.state;
    let mut entered = extra.entered;
    if entered.method.is_empty() {
        entered.method = Method::DoctorCall.code().to_owned();
    }
    let mut res = render(&OrderChecksPage {
        c: ctx.chrome(&title),
        is_active: state == OrderState::Active,
        can_record: health::can_record_checks(ctx.actor.role),
        can_manage_link: q::can_manage(ctx.actor.role) && !state.is_final(),
        slot_key: slot.key(),
        slot_date: slot.date.to_string(),
        slot_part: slot.part.code().to_owned(),
        first: first.map(|c| check_row(&ctx.app, t, c)),
        checks: page
            .items
            .into_iter()
            .map(|c| check_row(&ctx.app, t, c))
            .collect(),
        next: page.next,
        symptoms: symptom_codes(),
        methods: Method::STAFF.iter().map(|m| m.code()).collect(),
        entered,
        errors: extra.errors,
        link_created: link
            .as_ref()
            .map(|l| crate::pages::registry_time(&ctx.app, l.created_at))
            .unwrap_or_default(),
        link,
        new_link: extra.new_link,
        order,
    });
    *res.status_mut() = extra.status;
    Ok(res)
}

async fn order_checks(ctx: Ctx, Path(id): Path<i64>, Query(pq): Query<PageQuery>) -> PageResult {
    order_checks_page(&ctx, id, pq.after, Extra::default()).await
}

async fn record(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    ctx.check_csrf(field(&pairs, "csrf"))?;
    let input = CheckInput {
        temperature: field(&pairs, "temperature").to_owned(),
        symptoms: fields(&pairs, "symptom"),
        other_symptom: field(&pairs, "other_symptom").to_owned(),
        method: field(&pairs, "method").to_owned(),
        slot: field(&pairs, "slot").to_owned(),
        correction_reason: field(&pairs, "correction_reason").to_owned(),
    };
    match ctx.app.record_check(&ctx.actor, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/quarantine/{id}/checks")).into_response()),
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let status = crate::web::status_of(&e);
            let mut errors = FormErrors::from_app(&e, ctx.t);
            if let AppError::Conflict(ErrorCode::SlotFilled) = e {
                errors.items = vec![(
                    "correction_reason".to_owned(),
                    ctx.t.error("slot_filled", ""),
                )];
            }
            let extra = Extra {
                entered: Entered {
                    temperature: input.temperature,
                    symptoms: input.symptoms,
                    other_symptom: input.other_symptom,
                    method: input.method,
                    slot: input.slot,
                    correction_reason: input.correction_reason,
                },
                errors,
                new_link: None,
                status,
            };
            order_checks_page(&ctx, id, None, extra).await
        }
        Err(e) => Err(ctx.err(e)),
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn create_link(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<CsrfOnly>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    let link = ctx
        .app
        .create_self_report_link(&ctx.actor, id)
        .await
        .on_page(&ctx)?;
    // The token exists only in this answer: shown once, for printing or handing over.
    let url = link_url(&s, &headers, &link.token);
    let svg = qr_svg(&url);
    let extra = Extra {
        new_link: Some((url, svg)),
        ..Extra::default()
    };
    let mut res = order_checks_page(&ctx, id, None, extra).await?;
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

async fn revoke_link(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<CsrfOnly>,
) -> PageResult {
    ctx.check_csrf(&f.csrf)?;
    ctx.app
        .revoke_self_report_link(&ctx.actor, id)
        .await
        .on_page(&ctx)?;
    Ok(Redirect::to(&format!("/quarantine/{id}/checks")).into_response())
}

/// The latest records and the link's state: a fragment the order page loads.
#[derive(Template)]
#[template(path = "checks_section.html")]
struct Section {
    t: Tr,
    order_id: i64,
    checks: Vec<CheckRow>,
    open_alerts: Vec<AlertRow>,
    has_link: bool,
}

async fn section(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let page = ctx
        .app
        .order_checks(&ctx.actor, id, PageRequest::new(None, Some(6)))
        .await
        .on_page(&ctx)?;
    let alerts = ctx
        .app
        .alerts(
            &ctx.actor,
            &AlertQuery {
                order_id: Some(id),
                ..Default::default()
            },
            PageRequest::new(None, Some(20)),
        )
        .await
        .on_page(&ctx)?;
    let has_link = ctx
        .app
        .self_report_link(&ctx.actor, id)
        .await
        .on_page(&ctx)?
        .is_some();
    let t = ctx.t;
    Ok(render(&Section {
        t,
        order_id: id,
        checks: page
            .items
            .into_iter()
            .map(|c| check_row(&ctx.app, t, c))
            .collect(),
        open_alerts: alerts
            .items
            .into_iter()
            .map(|a| alert_row(&ctx.app, t, a))
            .collect(),
        has_link,
    }))
}
