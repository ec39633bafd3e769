//! Quarantine orders: placing residents and households, duration changes, details and
//! transitions.

use axum::http::StatusCode;
use domain::quarantine::{Kind, Reason, State as OrderState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiCtx, ApiResult, AuditEntryDto, ErrorBody};
use crate::AppState;
use crate::api::extract::{Json, Path, Query};
use crate::api::{ApiPage, api_page, api_shape, page_params, paths};
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    paths! {
        quarantine_orders, create_quarantine_order; quarantine_order, update_quarantine_order;
        quarantine_duration; quarantine_transition;
    }
}

api_shape! {
    /// A quarantine order.
    // Kept apart from the stored order: the API leaves out its bookkeeping timestamps.
    QuarantineOrderDto from o: store::quarantine::Order {
        id: i64,
        resident_id: i64,
        #[serde(flatten)]
        address: store::registry::HouseholdAddress,
        resident_name: String,
        /// `returnee`, `case_contact`, `return_to_work` or `other`.
        reason: Reason,
        /// `home` or `centralised`.
        kind: Kind,
        /// `planned`, `active`, `released`, `transferred_to_hospital` or `cancelled`.
        state: OrderState,
        /// ISO date.
        start_date: String,
        days: i64,
        /// ISO date: the last day of quarantine.
        end_date: String,
        door_sealed: bool,
        /// Milliseconds since the Unix epoch.
        door_sealed_at: Option<i64>,
        camera_installed: bool,
        doctor_id: Option<i64>,
        grid_worker_id: Option<i64>,
    }
}

api_page! {
    QuarantineOrderPage of QuarantineOrderDto,
    /// Pass as `after` for the next page.
    next
}

#[derive(Serialize, ToSchema)]
pub struct QuarantineOrderDetail {
    pub order: QuarantineOrderDto,
    /// The order's audit entries, newest first.
    pub history: Vec<AuditEntryDto>,
}

page_params! {
    QuarantineParams {
        /// A state, `all`, or nothing for planned and active orders.
        state: Option<String>,
        household_id: Option<i64>,
        resident_id: Option<i64>,
        /// `end` for ending soonest first; by key otherwise. `after` is an order id either way.
        sort: Option<String>,
        grid_id: Option<i64>,
        building_id: Option<i64>,
        /// `home` or `centralised`; either when absent.
        kind: Option<String>,
        /// `today` or `tomorrow`: only orders whose last day it is.
        ends: Option<String>,
    },
    after
}

/// A new order for one resident or for every member of a household (give exactly one).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuarantineRequest {
    pub resident_id: Option<i64>,
    pub household_id: Option<i64>,
    #[schema(min_length = 1)]
    pub reason: String,
    pub kind: String,
    /// ISO date; today when empty.
    #[serde(default)]
    pub start_date: String,
    /// Days; the configured default when absent.
    pub days: Option<u16>,
    pub doctor_id: Option<i64>,
    pub grid_worker_id: Option<i64>,
    /// The door is sealed from the start.
    #[serde(default)]
    pub door_sealed: bool,
    /// A doorbell camera is installed from the start.
    #[serde(default)]
    pub camera_installed: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedMany {
    pub ids: Vec<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuarantineDurationRequest {
    pub days: u16,
    #[schema(min_length = 1)]
    pub reason: String,
}

/// The details to change; an absent field stays as it is.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuarantineDetailsRequest {
    #[serde(default)]
    pub door_sealed: Option<bool>,
    #[serde(default)]
    pub camera_installed: Option<bool>,
    /// The responsible doctor; `null` for nobody.
    #[serde(default, deserialize_with = "super::patch::double_option")]
    #[schema(value_type = Option<i64>)]
    pub doctor_id: Option<Option<i64>>,
    /// The responsible grid worker; `null` for nobody.
    #[serde(default, deserialize_with = "super::patch::double_option")]
    #[schema(value_type = Option<i64>)]
    pub grid_worker_id: Option<Option<i64>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuarantineTransitionRequest {
    /// `start`, `release`, `transfer` or `cancel`.
    pub transition: String,
    /// Required to cancel and to release before the end date (an override).
    #[serde(default)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct QuarantineStateDto {
    pub state: String,
}

/// Quarantine orders in the caller's jurisdiction, by key; planned and active unless a state is
/// given.
#[utoipa::path(get, path = "/quarantine-orders", params(QuarantineParams), responses((status = 200, body = QuarantineOrderPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn quarantine_orders(
    ctx: ApiCtx,
    Query(p): Query<QuarantineParams>,
) -> ApiResult<Json<QuarantineOrderPage>> {
    let page = p.page();
    let query = app::quarantine::OrderQuery {
        state: p.state,
        household_id: p.household_id,
        resident_id: p.resident_id,
        sort: p.sort,
        grid_id: p.grid_id,
        building_id: p.building_id,
        kind: p.kind,
        ends: p.ends,
    };
    let page = ctx.app.quarantine_orders(&ctx.actor, &query, page).await?;
    Ok(QuarantineOrderPage::of(page))
}

/// Places a resident, or every member of a household, under quarantine.
#[utoipa::path(post, path = "/quarantine-orders", request_body = QuarantineRequest, responses((status = 201, body = CreatedMany), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_quarantine_order(
    ctx: ApiCtx,
    Json(r): Json<QuarantineRequest>,
) -> ApiResult<(StatusCode, Json<CreatedMany>)> {
    let input = app::quarantine::OrderInput {
        reason: r.reason,
        kind: r.kind,
        start_date: r.start_date,
        days: r.days.map(|d| d.to_string()).unwrap_or_default(),
        doctor_id: r.doctor_id,
        grid_worker_id: r.grid_worker_id,
        door_sealed: r.door_sealed,
        camera_installed: r.camera_installed,
    };
    let ids = match (r.resident_id, r.household_id) {
        (Some(id), None) => vec![ctx.app.create_quarantine(&ctx.actor, id, &input).await?],
        (None, Some(id)) => {
            ctx.app
                .create_household_quarantine(&ctx.actor, id, &input)
                .await?
        }
        _ => {
            return Err(app::AppError::field("resident_id", "resident_or_household").into());
        }
    };
    Ok((StatusCode::CREATED, Json(CreatedMany { ids })))
}

/// One quarantine order with its history.
#[utoipa::path(get, path = "/quarantine-orders/{id}", params(("id" = i64, Path)), responses((status = 200, body = QuarantineOrderDetail), (status = 404, body = ErrorBody)))]
async fn quarantine_order(
    ctx: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<QuarantineOrderDetail>> {
    let (o, history) = ctx.app.quarantine_order(&ctx.actor, id).await?;
    Ok(Json(QuarantineOrderDetail {
        order: o.into(),
        history: history.into_iter().map(Into::into).collect(),
    }))
}

/// Changes the door seal, the doorbell camera and the responsible people of an open order:
/// only the fields the body carries.
#[utoipa::path(patch, path = "/quarantine-orders/{id}", params(("id" = i64, Path)), request_body = QuarantineDetailsRequest, responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_quarantine_order(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<QuarantineDetailsRequest>,
) -> ApiResult<StatusCode> {
    ctx.app
        .update_quarantine(
            &ctx.actor,
            id,
            &app::quarantine::DetailsInput {
                door_sealed: r.door_sealed,
                camera_installed: r.camera_installed,
                doctor_id: r.doctor_id,
                grid_worker_id: r.grid_worker_id,
            },
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Extends or shortens an open order; the end date is recomputed from the start.
#[utoipa::path(post, path = "/quarantine-orders/{id}/duration", params(("id" = i64, Path)), request_body = QuarantineDurationRequest, responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn quarantine_duration(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<QuarantineDurationRequest>,
) -> ApiResult<StatusCode> {
    ctx.app
        .change_quarantine_duration(&ctx.actor, id, &r.days.to_string(), &r.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts, releases, transfers to hospital or cancels an order.
#[utoipa::path(post, path = "/quarantine-orders/{id}/transition", params(("id" = i64, Path)), request_body = QuarantineTransitionRequest, responses((status = 200, body = QuarantineStateDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn quarantine_transition(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<QuarantineTransitionRequest>,
) -> ApiResult<Json<QuarantineStateDto>> {
    let state = ctx
        .app
        .transition_quarantine(&ctx.actor, id, &r.transition, &r.reason)
        .await?;
    Ok(Json(QuarantineStateDto {
        state: state.code().to_owned(),
    }))
}
