//! The 24-hour hotline: duty shifts, calls logged by the account on duty, follow-ups, and calls
//! per hour and topic.

use axum::http::StatusCode;
use domain::hotline::{FollowUpState, Topic};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiCtx, ApiResult, CreatedId, ErrorBody, created};
use crate::AppState;
use crate::api::extract::{Json, Path, Query};
use crate::api::{ApiPage, api_page, api_shape, page_params, paths};
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    paths! {
        hotline_shifts; add_hotline_shift; end_hotline_shift; log_hotline_call, hotline_calls;
        hotline_call; hotline_calls_per_hour; hotline_callers; my_follow_ups; finish_follow_up;
        call_back;
    }
}

api_shape! {
    /// A hotline duty shift; times in milliseconds since the Unix epoch.
    HotlineShiftDto from s: store::hotline::Shift {
        id: i64,
        community_id: i64,
        community_name: String,
        account_id: i64,
        account_name: String,
        starts_at: i64,
        ends_at: i64,
    }
}

api_shape! {
    /// A call as the log shows it; the caller's number masked.
    HotlineCallDto from c: store::hotline::Call {
        id: i64,
        community_id: i64,
        /// Milliseconds since the Unix epoch.
        at: i64,
        answered_by: i64,
        answered_by_name: String,
        caller_name: String,
        /// Masked, e.g. `139****5678`.
        caller_number_masked: String,
        household_id: Option<i64>,
        resident_id: Option<i64>,
        /// The household's building, unit and room, when known.
        home: Option<String>,
        resident_name: Option<String>,
        topic: Topic,
        said: String,
        outcome: String,
        /// The complaint the call filed.
        complaint_id: Option<i64>,
        /// The delivery the call asked for.
        delivery_id: Option<i64>,
    }
}

api_shape! {
    /// A follow-up a call left: its owner and due time (ms since the Unix epoch).
    FollowUpDto from f: store::hotline::FollowUp {
        id: i64,
        call_id: i64,
        community_id: i64,
        owner_id: i64,
        owner_name: String,
        what: String,
        due_at: i64,
        state: FollowUpState,
        done_at: Option<i64>,
        done_note: Option<String>,
        topic: Topic,
        home: Option<String>,
    }
}

api_shape! {
    /// Calls in one hour of the day (the community's time) on one topic.
    HourCountDto from h: store::hotline::HourCount {
        hour: i64,
        topic: Topic,
        calls: i64,
    }
}

api_page!(HotlineCallPage of HotlineCallDto,
    /// Pass as `after` for the next (older) page; absent on the last page.
    next);

#[derive(Serialize, ToSchema)]
pub struct HotlineCallDetail {
    pub call: HotlineCallDto,
    pub follow_ups: Vec<FollowUpDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HotlineShiftRequest {
    /// A staff member of the community.
    pub account_id: i64,
    /// Milliseconds since the Unix epoch; at most a day apart.
    pub starts_at: i64,
    pub ends_at: i64,
}

/// A call answered by the caller, who must be on a hotline duty shift now.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallLogRequest {
    #[serde(default)]
    pub caller_name: String,
    /// As the phone showed it; stored, and shown masked.
    #[serde(default)]
    pub caller_number: String,
    /// The resident who called or was spoken of (from `GET /hotline/callers`).
    #[serde(default)]
    pub resident_id: Option<i64>,
    /// The household by its building, unit and room, when no resident is given.
    #[serde(default)]
    pub building_id: Option<i64>,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub room: String,
    pub topic: Topic,
    pub said: String,
    #[serde(default)]
    pub outcome: String,
    /// Ask for a follow-up (returnee and symptom reports always get one).
    #[serde(default)]
    pub follow_up: bool,
    /// The follow-up's owner; the household's grid worker when absent.
    #[serde(default)]
    pub owner_id: Option<i64>,
    /// Hours until the follow-up is due, 1 to 168; 24 when absent.
    #[serde(default)]
    pub due_hours: Option<i64>,
    #[serde(default)]
    pub follow_up_what: String,
    /// For a complaint: its category and place.
    #[serde(default)]
    pub complaint_category: String,
    #[serde(default)]
    pub complaint_place: String,
}

#[derive(Serialize, ToSchema)]
pub struct CallLoggedDto {
    pub call_id: i64,
    pub follow_up_id: Option<i64>,
    pub complaint_id: Option<i64>,
    /// The complaint's personal link token, to give the caller; shown this once.
    pub complaint_token: Option<String>,
    pub delivery_id: Option<i64>,
}

page_params! {
    /// The call log's filters.
    CallParams {
        topic: Option<Topic>,
    },
    /// The id of the last call of the previous page.
    after
}

#[derive(Deserialize, IntoParams)]
pub struct HourParams {
    /// Days back from now, 1 to 90; 7 when absent.
    pub days: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
pub struct CallerParams {
    /// The start of a name, or a full phone number.
    pub q: String,
}

api_shape! {
    CallerDto from m: app::hotline::CallerMatch {
        resident_id: i64,
        name: String,
        home: String,
        phone_masked: String,
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpDoneRequest {
    /// What was done.
    pub note: String,
}

/// The hotline duty shifts of the caller's jurisdiction not yet over.
#[utoipa::path(get, path = "/hotline/shifts", responses((status = 200, body = Vec<HotlineShiftDto>), (status = 403, body = ErrorBody)))]
async fn hotline_shifts(ctx: ApiCtx) -> ApiResult<Json<Vec<HotlineShiftDto>>> {
    let list = ctx.app.hotline_shifts(&ctx.actor).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Puts a staff member of the community on a hotline duty shift.
#[utoipa::path(post, path = "/communities/{id}/hotline-shifts", params(("id" = i64, Path)), request_body = HotlineShiftRequest, responses((status = 201, body = super::Created), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_hotline_shift(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<HotlineShiftRequest>,
) -> ApiResult<CreatedId> {
    Ok(created(
        ctx.app
            .add_hotline_shift(&ctx.actor, id, r.account_id, r.starts_at, r.ends_at)
            .await?,
    ))
}

/// Ends a duty shift now, or calls off one not yet begun.
#[utoipa::path(delete, path = "/hotline-shifts/{id}", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn end_hotline_shift(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    ctx.app.end_hotline_shift(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Logs a call the caller answered on duty, with its follow-up, the complaint it files and the
/// delivery it asks for, in one transaction. Off duty: 403 `not_on_duty`.
#[utoipa::path(post, path = "/hotline/calls", request_body = CallLogRequest, responses((status = 201, body = CallLoggedDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn log_hotline_call(
    ctx: ApiCtx,
    Json(r): Json<CallLogRequest>,
) -> ApiResult<(StatusCode, Json<CallLoggedDto>)> {
    let input = app::hotline::CallInput {
        caller_name: r.caller_name,
        caller_number: r.caller_number,
        resident_id: r.resident_id,
        building_id: r.building_id,
        building: String::new(),
        unit: r.unit,
        room: r.room,
        topic: r.topic.code().to_owned(),
        said: r.said,
        outcome: r.outcome,
        follow_up: r.follow_up,
        owner_id: r.owner_id,
        due_hours: r.due_hours,
        follow_up_what: r.follow_up_what,
        complaint_category: r.complaint_category,
        complaint_place: r.complaint_place,
    };
    let l = ctx.app.log_call(&ctx.actor, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(CallLoggedDto {
            call_id: l.call_id,
            follow_up_id: l.follow_up_id,
            complaint_id: l.complaint.as_ref().map(|c| c.id),
            complaint_token: l.complaint.map(|c| c.token),
            delivery_id: l.delivery_id,
        }),
    ))
}

/// The calls of the caller's jurisdiction, newest first.
#[utoipa::path(get, path = "/hotline/calls", params(CallParams), responses((status = 200, body = HotlineCallPage), (status = 403, body = ErrorBody)))]
async fn hotline_calls(
    ctx: ApiCtx,
    Query(p): Query<CallParams>,
) -> ApiResult<Json<HotlineCallPage>> {
    let filter = store::hotline::CallFilter {
        topic: p.topic,
        ..Default::default()
    };
    let page = ctx.app.hotline_calls(&ctx.actor, &filter, p.page()).await?;
    Ok(HotlineCallPage::of(page))
}

/// One call with its follow-ups.
#[utoipa::path(get, path = "/hotline/calls/{id}", params(("id" = i64, Path)), responses((status = 200, body = HotlineCallDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn hotline_call(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<HotlineCallDetail>> {
    let (call, follow_ups) = ctx.app.hotline_call(&ctx.actor, id).await?;
    Ok(Json(HotlineCallDetail {
        call: call.into(),
        follow_ups: follow_ups.into_iter().map(Into::into).collect(),
    }))
}

/// Calls by hour of the day and topic over the last days, for the lead's chart.
#[utoipa::path(get, path = "/hotline/calls-per-hour", params(HourParams), responses((status = 200, body = Vec<HourCountDto>), (status = 403, body = ErrorBody)))]
async fn hotline_calls_per_hour(
    ctx: ApiCtx,
    Query(p): Query<HourParams>,
) -> ApiResult<Json<Vec<HourCountDto>>> {
    let counts = ctx
        .app
        .calls_per_hour(&ctx.actor, p.days.unwrap_or(7))
        .await?;
    Ok(Json(counts.into_iter().map(Into::into).collect()))
}

/// Residents whose name starts with `q` or whose phone is `q`: whom a call may be about.
#[utoipa::path(get, path = "/hotline/callers", params(CallerParams), responses((status = 200, body = Vec<CallerDto>), (status = 403, body = ErrorBody)))]
async fn hotline_callers(
    ctx: ApiCtx,
    Query(p): Query<CallerParams>,
) -> ApiResult<Json<Vec<CallerDto>>> {
    let found = ctx.app.find_callers(&ctx.actor, &p.q).await?;
    Ok(Json(found.into_iter().map(Into::into).collect()))
}

/// The caller's own open follow-ups, soonest due first.
#[utoipa::path(get, path = "/me/follow-ups", responses((status = 200, body = Vec<FollowUpDto>), (status = 403, body = ErrorBody)))]
async fn my_follow_ups(ctx: ApiCtx) -> ApiResult<Json<Vec<FollowUpDto>>> {
    let list = ctx.app.my_follow_ups(&ctx.actor).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Marks a follow-up done with what was done: its owner, or staff.
#[utoipa::path(post, path = "/follow-ups/{id}/done", params(("id" = i64, Path)), request_body = FollowUpDoneRequest, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn finish_follow_up(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<FollowUpDoneRequest>,
) -> ApiResult<StatusCode> {
    ctx.app.finish_follow_up(&ctx.actor, id, &r.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct CallBackDto {
    /// The caller's number in full, for this call only.
    pub phone: String,
    /// The number as a `tel:` address to dial.
    pub tel: String,
}

/// The caller's number in full, for a call back by the follow-up's owner or staff while it is
/// open; audited as a sensitive read. A number that is not a mainland phone is not dialled (404).
#[utoipa::path(post, path = "/follow-ups/{id}/call-back", params(("id" = i64, Path)), responses((status = 200, body = CallBackDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn call_back(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<CallBackDto>> {
    let tel = ctx.app.call_back(&ctx.actor, id).await?;
    Ok(Json(CallBackDto {
        phone: tel.trim_start_matches("tel:").to_owned(),
        tel,
    }))
}
