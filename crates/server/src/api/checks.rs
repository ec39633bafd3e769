//! Twice-daily check records, self-report links and alerts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::health::{AlertKind, AlertState, Method, Symptom};
use domain::quarantine::Part;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiCtx, ApiError, ApiResult, ErrorBody};
use crate::AppState;
use crate::api::extract::{Json, Path, Query};
use crate::api::{ApiPage, PageParams, api_page, api_shape, page_params, paths};
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    paths! {
        record_check, order_checks; create_self_report_link, revoke_self_report_link;
        alerts; worklist; acknowledge_alert; resolve_alert;
        submit_self_report;
    }
}

api_shape! {
    /// A check record: the current one of its slot, or one a correction superseded.
    // Kept apart from the stored record: the API gives degrees where the store keeps tenths.
    CheckDto from c: store::checks::Check {
        id: i64,
        order_id: i64,
        /// ISO date.
        slot_date: String,
        /// `morning` or `evening`.
        slot_part: Part,
        /// Degrees Celsius, one decimal.
        temperature: f64 = celsius(c.temperature),
        /// Symptom codes: `fever`, `cough`, `sore_throat`, `fatigue`, `loss_of_taste_or_smell`,
        /// `shortness_of_breath`, `diarrhoea`.
        symptoms: Vec<Symptom>,
        other_symptom: String,
        /// 37.3 °C or above, or any symptom.
        febrile: bool,
        /// `doctor_call`, `self_report` or `on_site`.
        method: Method,
        /// The account that recorded it; absent for a self-report.
        recorded_by: Option<i64>,
        recorder_name: String,
        /// The self-report link it came through.
        link_id: Option<i64>,
        /// Milliseconds since the Unix epoch.
        checked_at: i64,
        /// The record this one corrected.
        replaces_id: Option<i64>,
        correction_reason: Option<String>,
        /// When a later correction replaced this record.
        superseded_at: Option<i64>,
    }
}

fn celsius(tenths: i64) -> f64 {
    // Tenths are small integers; the conversion is exact to one decimal.
    f64::from(i32::try_from(tenths).unwrap_or(0)) / 10.0
}

api_page! {
    CheckPage of CheckDto,
    /// Pass as `after` for the next (older) page.
    next
}

/// A check as recorded by staff.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// "36.8": 35.0–42.0 °C, one decimal.
    pub temperature: String,
    #[serde(default)]
    pub symptoms: Vec<String>,
    #[serde(default)]
    pub other_symptom: String,
    /// `doctor_call` or `on_site`.
    pub method: String,
    /// A slot key such as `2020-02-01/morning`; the slot of the moment when absent.
    #[serde(default)]
    pub slot: String,
    /// Required when the slot is already filled: the new record corrects it.
    #[serde(default)]
    pub correction_reason: String,
}

api_shape! {
    /// What a record did.
    RecordedDto from r: app::checks::Recorded {
        check_id: i64,
        /// The slot key, e.g. `2020-02-01/morning`.
        slot: String = r.slot.key(),
        febrile: bool,
        /// The fever alert this record raised, if any.
        fever_alert_id: Option<i64>,
        /// The record this one corrected.
        replaced: Option<i64>,
    }
}

/// Records a check for the slot of the moment (or the one named); a filled slot needs a
/// correction reason (409 `slot_filled` without).
#[utoipa::path(post, path = "/quarantine-orders/{id}/checks", params(("id" = i64, Path)), request_body = CheckRequest, responses((status = 201, body = RecordedDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_check(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<CheckRequest>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let input = app::checks::CheckInput {
        temperature: r.temperature,
        symptoms: r.symptoms,
        other_symptom: r.other_symptom,
        method: r.method,
        slot: r.slot,
        correction_reason: r.correction_reason,
    };
    let recorded = ctx.app.record_check(&ctx.actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(recorded.into())))
}

/// The records of an order, newest first, corrected ones included.
#[utoipa::path(get, path = "/quarantine-orders/{id}/checks", params(("id" = i64, Path), PageParams), responses((status = 200, body = CheckPage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn order_checks(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Query(p): Query<PageParams>,
) -> ApiResult<Json<CheckPage>> {
    let page = ctx.app.order_checks(&ctx.actor, id, p.page()).await?;
    Ok(CheckPage::of(page))
}

/// A self-report link just made: the token is returned this once and never stored.
#[derive(Serialize, ToSchema)]
pub struct SelfReportLinkDto {
    pub id: i64,
    pub token: String,
    /// The resident's page, relative to the server: `/r/{token}`.
    pub path: String,
}

/// Makes a new self-report link for an open order; the previous one stops working.
#[utoipa::path(post, path = "/quarantine-orders/{id}/self-report-link", params(("id" = i64, Path)), responses((status = 201, body = SelfReportLinkDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_self_report_link(
    ctx: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<(StatusCode, Json<SelfReportLinkDto>)> {
    let link = ctx.app.create_self_report_link(&ctx.actor, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(SelfReportLinkDto {
            id: link.id,
            path: format!("/r/{}", link.token),
            token: link.token,
        }),
    ))
}

/// Revokes the order's self-report link.
#[utoipa::path(delete, path = "/quarantine-orders/{id}/self-report-link", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn revoke_self_report_link(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    ctx.app.revoke_self_report_link(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

api_shape! {
    /// An alert with the resident and home it concerns.
    // Kept apart from the stored alert: the API gives degrees where the store keeps tenths.
    AlertDto from a: store::checks::Alert {
        id: i64,
        /// `fever` or `missed_check`.
        kind: AlertKind,
        order_id: i64,
        resident_id: i64,
        resident_name: String,
        #[serde(flatten)]
        address: store::registry::HouseholdAddress,
        doctor_id: Option<i64>,
        slot_date: String,
        slot_part: Part,
        /// `open`, `acknowledged` or `resolved`.
        state: AlertState,
        /// Milliseconds since the Unix epoch.
        raised_at: i64,
        acknowledged_by: Option<i64>,
        acknowledged_at: Option<i64>,
        resolved_by: Option<i64>,
        resolved_at: Option<i64>,
        resolution_note: Option<String>,
        /// The record that raised a fever alert.
        check_id: Option<i64>,
        temperature: Option<f64> = a.temperature.map(celsius),
        symptoms: Vec<Symptom>,
        other_symptom: String,
    }
}

api_page! {
    AlertPage of AlertDto,
    /// Pass as `after` for the next (older) page.
    next
}

page_params! {
    AlertParams {
        /// A doctor's own residents only.
        #[serde(default)]
        mine: bool,
        grid_id: Option<i64>,
        order_id: Option<i64>,
        /// `fever` or `missed_check`; both when absent.
        kind: Option<String>,
        /// `open`, `acknowledged` or `resolved`; unresolved when absent.
        state: Option<String>,
    },
    after
}

/// Alerts in the caller's jurisdiction, newest first.
#[utoipa::path(get, path = "/alerts", params(AlertParams), responses((status = 200, body = AlertPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn alerts(ctx: ApiCtx, Query(p): Query<AlertParams>) -> ApiResult<Json<AlertPage>> {
    let page = p.page();
    let query = app::checks::AlertQuery {
        mine: p.mine,
        grid_id: p.grid_id,
        order_id: p.order_id,
        kind: p.kind,
        state: p.state,
    };
    let page = ctx.app.alerts(&ctx.actor, &query, page).await?;
    Ok(AlertPage::of(page))
}

api_shape! {
    /// A slot's current record on the worklist.
    SlotMarkDto from m: store::checks::SlotMark {
        check_id: i64,
        temperature: f64 = celsius(m.temperature),
        febrile: bool,
    }
}

api_shape! {
    /// An active order of the doctor with today's two slots.
    DaySlotsDto from d: store::checks::DaySlots {
        order_id: i64,
        resident_id: i64,
        resident_name: String,
        building_name: String,
        unit_name: String,
        room: String,
        morning: Option<SlotMarkDto> = d.morning.map(Into::into),
        evening: Option<SlotMarkDto> = d.evening.map(Into::into),
    }
}

#[derive(Serialize, ToSchema)]
pub struct WorklistDto {
    /// The slot being checked now, e.g. `2020-02-01/morning`.
    pub slot: String,
    pub open_fever: i64,
    pub open_missed: i64,
    /// A doctor's active orders (with `mine`), by order id.
    pub day: Vec<DaySlotsDto>,
    /// Pass as `after` for the next page of `day`.
    pub next: Option<i64>,
}

page_params! {
    WorklistParams {
        /// A doctor's own residents, with today's slots.
        #[serde(default)]
        mine: bool,
    },
    after
}

/// The worklist heading: open alert counts, and a doctor's residents with today's slots.
#[utoipa::path(get, path = "/worklist", params(WorklistParams), responses((status = 200, body = WorklistDto), (status = 403, body = ErrorBody)))]
async fn worklist(ctx: ApiCtx, Query(p): Query<WorklistParams>) -> ApiResult<Json<WorklistDto>> {
    let w = ctx
        .app
        .worklist(&ctx.actor, p.mine, jiff::Timestamp::now(), p.page())
        .await?;
    Ok(Json(WorklistDto {
        slot: w.slot.key(),
        open_fever: w.open_fever,
        open_missed: w.open_missed,
        next: w.day.next,
        day: w.day.items.into_iter().map(Into::into).collect(),
    }))
}

/// Acknowledges an open alert.
#[utoipa::path(post, path = "/alerts/{id}/acknowledge", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn acknowledge_alert(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    ctx.app.acknowledge_alert(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    /// What was done; required.
    pub note: String,
}

/// Resolves an alert with a note of what was done.
#[utoipa::path(post, path = "/alerts/{id}/resolve", params(("id" = i64, Path)), request_body = ResolveRequest, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn resolve_alert(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<ResolveRequest>,
) -> ApiResult<StatusCode> {
    ctx.app.resolve_alert(&ctx.actor, id, &r.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A resident's self-report; the link's token is the only credential.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfReportRequest {
    pub temperature: String,
    #[serde(default)]
    pub symptoms: Vec<String>,
    #[serde(default)]
    pub other_symptom: String,
    /// Required when the slot is already reported.
    #[serde(default)]
    pub correction_reason: String,
}

/// Records a self-report through a link, without an account. Unknown links answer 404,
/// revoked links and ended orders 410 (`link_revoked`, `order_ended`); nothing is written.
#[utoipa::path(post, path = "/self-reports/{token}", params(("token" = String, Path)), request_body = SelfReportRequest, responses((status = 201, body = RecordedDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 410, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)), security(()))]
async fn submit_self_report(
    State(s): State<AppState>,
    client: crate::pages::ClientAddr,
    Path(token): Path<String>,
    Json(r): Json<SelfReportRequest>,
) -> Response {
    let input = app::checks::SelfReportInput {
        temperature: r.temperature,
        symptoms: r.symptoms,
        other_symptom: r.other_symptom,
        correction_reason: r.correction_reason,
    };
    match s
        .app
        .submit_self_report(&token, &input, &client.0, jiff::Timestamp::now())
        .await
    {
        Ok(recorded) => (StatusCode::CREATED, Json(RecordedDto::from(recorded))).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}
