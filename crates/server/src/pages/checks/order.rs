//! An order's records: the list, the form to record or correct a check, the order's self-report
//! link, and the fragment the order's page loads.

use app::checks::{AlertQuery, CheckInput};
use app::{AppError, ErrorCode};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use domain::health::{self, Method};
use domain::page::PageRequest;
use domain::quarantine::{self as q, State as OrderState};
use serde::Deserialize;
use store::checks::{Check, Link};
use store::quarantine::Order;

use super::{AlertRow, alert_row, degrees, field, fields, symptom_codes, symptom_text};
use crate::AppState;
use crate::i18n::Tr;
use crate::pages::calls::{CallButton, order_calls};
use crate::web::{
    self, Chrome, Ctx, Form, FormErrors, NoFields, OnPage, PageResult, Path, after_step, redirect,
    render,
};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/quarantine/{id}/checks", get(order_checks).post(record))
        .route("/quarantine/{id}/checks/section", get(section))
        .route("/quarantine/{id}/self-report-link", post(create_link))
        .route(
            "/quarantine/{id}/self-report-link/revoke",
            post(revoke_link),
        )
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
    /// A button per number the household is reached on, while the order runs.
    calls: Vec<CallButton>,
    is_active: bool,
    can_record: bool,
    can_manage_link: bool,
    slot_date: String,
    slot_part: String,
    /// The slots a check may be recorded for: the current one first, then the five before it,
    /// each as `(key, date, part)`.
    slot_choices: Vec<(String, String, &'static str)>,
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
    /// After a fever was saved: who was told of the alert it raised, by name and role.
    told: Option<Vec<String>>,
    /// The order's unresolved alerts, each reachable as `#alert-{id}` from a notification.
    open_alerts: Vec<AlertRow>,
    can_handle: bool,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    after: Option<i64>,
    /// The fever alert a record just raised.
    raised: Option<i64>,
}

/// What the order's page shows beyond its records: a refused form again, or a link just made.
#[derive(Default)]
struct Extra {
    entered: Entered,
    errors: FormErrors,
    /// The new link's address and its QR code.
    new_link: Option<(String, String)>,
    /// The fever alert a record just raised.
    raised: Option<i64>,
    status: StatusCode,
}

/// The full address of a resident's personal link (`path`, e.g. `/r/{token}`), from the
/// address the staff member used.
pub(crate) fn link_url(s: &AppState, headers: &HeaderMap, path: &str) -> String {
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
    format!("{scheme}://{host}{path}")
}

/// A QR code of `text` as inline SVG, at least `size` pixels wide.
pub(crate) fn qr_svg_sized(text: &str, size: u32) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(size, size)
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
    let calls = order_calls(ctx, &order).await;
    let told = match extra.raised {
        Some(alert_id) => Some(told_of(ctx, id, alert_id).await?),
        None => None,
    };
    let open_alerts = open_alerts_of(ctx, id).await?;
    let mut res = render(&OrderChecksPage {
        told,
        open_alerts,
        can_handle: health::can_handle_alerts(ctx.actor.role),
        c: ctx.chrome(&title),
        calls,
        is_active: state == OrderState::Active,
        can_record: health::can_record_checks(ctx.actor.role),
        can_manage_link: q::can_manage(ctx.actor.role) && !state.is_final(),
        slot_choices: std::iter::successors(Some(slot), |s| Some(s.previous()))
            .take(6)
            .map(|s| (s.key(), s.date.to_string(), s.part.code()))
            .collect(),
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
    let extra = Extra {
        raised: pq.raised,
        ..Extra::default()
    };
    order_checks_page(&ctx, id, pq.after, extra).await
}

/// Who was told of an alert of this order, as "name (role)" in the reader's language.
async fn told_of(
    ctx: &Ctx,
    order_id: i64,
    alert_id: i64,
) -> Result<Vec<String>, crate::web::PageError> {
    let alert = ctx.app.alert(&ctx.actor, alert_id).await.on_page(ctx)?;
    if alert.order_id != order_id {
        return Err(ctx.err(AppError::NotFound));
    }
    let told = ctx
        .app
        .told_of_alert(&ctx.actor, alert_id)
        .await
        .on_page(ctx)?;
    Ok(told
        .into_iter()
        .map(|p| {
            ctx.t
                .get("checks.told_role")
                .replace("{name}", &p.display_name)
                .replace("{role}", &ctx.t.of("role", &p.role))
        })
        .collect())
}

async fn record(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let input = CheckInput {
        temperature: field(&pairs, "temperature").to_owned(),
        symptoms: fields(&pairs, "symptom"),
        other_symptom: field(&pairs, "other_symptom").to_owned(),
        method: field(&pairs, "method").to_owned(),
        slot: field(&pairs, "slot").to_owned(),
        correction_reason: field(&pairs, "correction_reason").to_owned(),
    };
    match ctx.app.record_check(&ctx.actor, id, &input).await {
        // A fever says on the page that it raised an alert and who was told of it.
        Ok(app::checks::Recorded {
            fever_alert_id: Some(alert_id),
            ..
        }) => Ok(redirect(&format!(
            "/quarantine/{id}/checks?raised={alert_id}"
        ))),
        Ok(_) => Ok(redirect(&format!("/quarantine/{id}/checks"))),
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
                raised: None,
                status,
            };
            order_checks_page(&ctx, id, None, extra).await
        }
        Err(e) => Err(ctx.err(e)),
    }
}

async fn create_link(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    _: Form<NoFields>,
) -> PageResult {
    let link = ctx
        .app
        .create_self_report_link(&ctx.actor, id)
        .await
        .on_page(&ctx)?;
    // The token exists only in this answer: shown once, for printing or handing over.
    let url = link_url(&s, &headers, &format!("/r/{}", link.token));
    let svg = qr_svg_sized(&url, 240);
    let extra = Extra {
        new_link: Some((url, svg)),
        ..Extra::default()
    };
    Ok(web::no_store(
        order_checks_page(&ctx, id, None, extra).await?,
    ))
}

async fn revoke_link(ctx: Ctx, Path(id): Path<i64>, _: Form<NoFields>) -> PageResult {
    let outcome = ctx.app.revoke_self_report_link(&ctx.actor, id).await;
    after_step(&ctx, outcome, &format!("/quarantine/{id}/checks"))
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
    let open_alerts = open_alerts_of(&ctx, id).await?;
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
        open_alerts,
        has_link,
    }))
}

/// The order's open alerts, as both the order's page and its refreshed section list them.
async fn open_alerts_of(ctx: &Ctx, id: i64) -> Result<Vec<AlertRow>, crate::web::PageError> {
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
        .on_page(ctx)?;
    Ok(alerts
        .items
        .into_iter()
        .map(|a| alert_row(&ctx.app, ctx.t, a))
        .collect())
}
