//! Supply-delivery tasks and rubbish rounds of home quarantine.

use app::tasks::rubbish::RoundQuery;
use app::tasks::{BoardQuery, MyList};
use axum::http::StatusCode;
use domain::tasks::{RoundState, StopState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiCtx, ApiResult, AuditEntryDto, ErrorBody};
use crate::AppState;
use crate::api::extract::{Json, Path, Query};
use crate::api::{ApiPage, PageParams, api_page, api_shape, page_params, paths};
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    paths! {
        delivery_tasks; generate_delivery_tasks; delivery_task;
        delivery_ask; delivery_deliver; delivery_confirm; delivery_cancel; delivery_assign;
        rubbish_rounds; open_rubbish_rounds; rubbish_round;
        rubbish_stop; rubbish_round_done; rubbish_round_assign;
        task_volunteers;
    }
}

api_shape! {
    /// A supply-delivery task of a household under home quarantine.
    // Kept apart from the stored task: the API leaves out its bookkeeping timestamps.
    DeliveryTaskDto from d: store::tasks::Delivery {
        id: i64,
        #[serde(flatten)]
        address: store::registry::HouseholdAddress,
        /// ISO date.
        due_date: String,
        #[serde(flatten)]
        progress: store::tasks::DeliveryProgress,
        volunteer_name: Option<String>,
        /// Members under active home quarantine now.
        people: i64,
    }
}

api_page! {
    DeliveryTaskPage of DeliveryTaskDto,
    /// Pass as `after` for the next page.
    next
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryTaskDetail {
    pub task: DeliveryTaskDto,
    /// The task's audit entries, newest first.
    pub history: Vec<AuditEntryDto>,
}

page_params! {
    DeliveryTaskParams {
        /// `todo` or `awaiting_confirmation` for the caller's own tasks in address order; otherwise
        /// the board of the jurisdiction by key.
        mine: Option<String>,
        /// Board only: a state, `pending` (open and asked, the default) or `all`.
        state: Option<String>,
        grid_id: Option<i64>,
        volunteer_id: Option<i64>,
        /// Board only: tasks nobody is assigned to.
        #[serde(default)]
        unassigned: bool,
    },
    after
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateRequest {
    /// ISO date; today when empty.
    #[serde(default)]
    pub date: String,
}

#[derive(Serialize, ToSchema)]
pub struct GeneratedDto {
    pub created: usize,
    pub cancelled: usize,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskRequest {
    /// What the household needs, e.g. "vegetables, blood-pressure medicine".
    pub needs: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    /// `at_door` or `phone`.
    pub via: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    #[schema(min_length = 1)]
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VolunteerAssignRequest {
    /// A volunteer's account id; null to unassign. Required, so that a body meant for another
    /// route cannot unassign by leaving it out.
    #[serde(deserialize_with = "Option::deserialize")]
    #[schema(required = true)]
    pub volunteer_id: Option<i64>,
}

/// The caller's own tasks, or the task board of the jurisdiction.
#[utoipa::path(get, path = "/delivery-tasks", params(DeliveryTaskParams), responses((status = 200, body = DeliveryTaskPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn delivery_tasks(
    ctx: ApiCtx,
    Query(p): Query<DeliveryTaskParams>,
) -> ApiResult<Json<DeliveryTaskPage>> {
    let page = p.page();
    let page = match p.mine.as_deref() {
        Some("todo") => {
            ctx.app
                .my_deliveries(&ctx.actor, MyList::ToDo, page)
                .await?
        }
        Some("awaiting_confirmation") => {
            ctx.app
                .my_deliveries(&ctx.actor, MyList::AwaitingConfirmation, page)
                .await?
        }
        Some(_) => return Err(app::AppError::field("mine", "unknown_state").into()),
        None => {
            let q = BoardQuery {
                state: p.state,
                grid_id: p.grid_id,
                volunteer_id: p.volunteer_id,
                unassigned: p.unassigned,
            };
            ctx.app.delivery_board(&ctx.actor, &q, page).await?
        }
    };
    Ok(DeliveryTaskPage::of(page))
}

fn date_or_today(app: &app::App, text: &str) -> Result<jiff::civil::Date, app::AppError> {
    if text.trim().is_empty() {
        return Ok(app.today());
    }
    domain::resident::date_from_text(text)
        .ok_or_else(|| app::AppError::field("date", "date_format"))
}

/// Creates the deliveries due on a day in the caller's jurisdiction (the daily job does this
/// for everyone); running it twice creates nothing new.
#[utoipa::path(post, path = "/delivery-tasks/generate", request_body = GenerateRequest, responses((status = 200, body = GeneratedDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn generate_delivery_tasks(
    ctx: ApiCtx,
    Json(r): Json<GenerateRequest>,
) -> ApiResult<Json<GeneratedDto>> {
    let date = date_or_today(&ctx.app, &r.date)?;
    let g = ctx.app.generate_delivery_tasks(&ctx.actor, date).await?;
    Ok(Json(GeneratedDto {
        created: g.created,
        cancelled: g.cancelled,
    }))
}

/// One delivery task with its history.
#[utoipa::path(get, path = "/delivery-tasks/{id}", params(("id" = i64, Path)), responses((status = 200, body = DeliveryTaskDetail), (status = 404, body = ErrorBody)))]
async fn delivery_task(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<DeliveryTaskDetail>> {
    let (d, history) = ctx.app.delivery_task(&ctx.actor, id).await?;
    Ok(Json(DeliveryTaskDetail {
        task: d.into(),
        history: history.into_iter().map(Into::into).collect(),
    }))
}

/// Records what the household needs.
#[utoipa::path(post, path = "/delivery-tasks/{id}/ask", params(("id" = i64, Path)), request_body = AskRequest, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn delivery_ask(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<AskRequest>,
) -> ApiResult<StatusCode> {
    ctx.app.ask_delivery(&ctx.actor, id, &r.needs).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records that the supplies were left at the door.
#[utoipa::path(post, path = "/delivery-tasks/{id}/deliver", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delivery_deliver(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    ctx.app.deliver(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records the household's confirmation of receipt.
#[utoipa::path(post, path = "/delivery-tasks/{id}/confirm", params(("id" = i64, Path)), request_body = ConfirmRequest, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn delivery_confirm(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<ConfirmRequest>,
) -> ApiResult<StatusCode> {
    ctx.app.confirm_delivery(&ctx.actor, id, &r.via).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Cancels a task not yet delivered, with a reason.
#[utoipa::path(post, path = "/delivery-tasks/{id}/cancel", params(("id" = i64, Path)), request_body = CancelRequest, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn delivery_cancel(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<CancelRequest>,
) -> ApiResult<StatusCode> {
    ctx.app.cancel_delivery(&ctx.actor, id, &r.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives a task to a volunteer covering the household, or to nobody.
#[utoipa::path(post, path = "/delivery-tasks/{id}/assign", params(("id" = i64, Path)), request_body = VolunteerAssignRequest, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn delivery_assign(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<VolunteerAssignRequest>,
) -> ApiResult<StatusCode> {
    ctx.app
        .assign_delivery(&ctx.actor, id, r.volunteer_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

api_shape! {
    /// A rubbish round of one grid and day.
    // Kept apart from the stored round: the API leaves out when it was opened.
    RubbishRoundDto from r: store::tasks::Round {
        id: i64,
        grid_id: i64,
        grid_name: String,
        community_id: i64,
        /// ISO date.
        round_date: String,
        /// `open` or `done`.
        state: RoundState,
        volunteer_id: Option<i64>,
        volunteer_name: Option<String>,
        /// Doors on the round, and those not yet visited.
        stops: i64,
        pending: i64,
        done_at: Option<i64>,
        done_by: Option<i64>,
    }
}

api_shape! {
    /// One sealed door of a round.
    // Kept apart from the stored stop: the API leaves out the round, which the path names.
    RubbishStopDto from s: store::tasks::Stop {
        id: i64,
        household_id: i64,
        building_name: String,
        unit_name: String,
        room: String,
        /// `pending`, `collected` or `no_rubbish`.
        state: StopState,
        visited_at: Option<i64>,
        visited_by: Option<i64>,
    }
}

api_page! {
    RubbishRoundPage of RubbishRoundDto,
    next
}

/// A round with a page of its doors in building, unit and room order.
#[derive(Serialize, ToSchema)]
pub struct RubbishRoundDetail {
    pub round: RubbishRoundDto,
    pub stops: Vec<RubbishStopDto>,
    /// Pass as `after` for the next page of doors.
    pub next: Option<i64>,
}

page_params! {
    RoundParams {
        /// ISO date; today when absent.
        date: Option<String>,
        /// Only the caller's rounds (always so for volunteers).
        #[serde(default)]
        mine: bool,
        grid_id: Option<i64>,
    },
    after
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StopRequest {
    /// `collected` or `no_rubbish`.
    pub outcome: String,
}

#[derive(Serialize, ToSchema)]
pub struct OpenedDto {
    pub rounds: usize,
    pub stops: usize,
}

/// Rubbish rounds of a day in the caller's jurisdiction.
#[utoipa::path(get, path = "/rubbish-rounds", params(RoundParams), responses((status = 200, body = RubbishRoundPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn rubbish_rounds(
    ctx: ApiCtx,
    Query(p): Query<RoundParams>,
) -> ApiResult<Json<RubbishRoundPage>> {
    let page = p.page();
    let q = RoundQuery {
        date: p.date,
        mine: p.mine,
        grid_id: p.grid_id,
    };
    let page = ctx.app.rubbish_rounds(&ctx.actor, &q, page).await?;
    Ok(RubbishRoundPage::of(page))
}

/// Opens a day's rounds in the caller's jurisdiction from 17:00 (the daily job does this for
/// everyone), adding doors sealed since; running it twice adds nothing.
#[utoipa::path(post, path = "/rubbish-rounds/open", request_body = GenerateRequest, responses((status = 200, body = OpenedDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn open_rubbish_rounds(
    ctx: ApiCtx,
    Json(r): Json<GenerateRequest>,
) -> ApiResult<Json<OpenedDto>> {
    let date = date_or_today(&ctx.app, &r.date)?;
    let o = ctx.app.open_rubbish_rounds(&ctx.actor, date).await?;
    Ok(Json(OpenedDto {
        rounds: o.rounds,
        stops: o.stops,
    }))
}

/// One round and a page of its doors in address order.
#[utoipa::path(get, path = "/rubbish-rounds/{id}", params(("id" = i64, Path), PageParams), responses((status = 200, body = RubbishRoundDetail), (status = 404, body = ErrorBody)))]
async fn rubbish_round(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Query(p): Query<PageParams>,
) -> ApiResult<Json<RubbishRoundDetail>> {
    let (round, stops) = ctx.app.rubbish_round(&ctx.actor, id, p.page()).await?;
    Ok(Json(RubbishRoundDetail {
        round: round.into(),
        next: stops.next,
        stops: stops.items.into_iter().map(Into::into).collect(),
    }))
}

/// Records what was found at one door.
#[utoipa::path(post, path = "/rubbish-rounds/{id}/stops/{stop_id}", params(("id" = i64, Path), ("stop_id" = i64, Path)), request_body = StopRequest, responses((status = 200, body = RubbishStopDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn rubbish_stop(
    ctx: ApiCtx,
    Path((id, stop_id)): Path<(i64, i64)>,
    Json(r): Json<StopRequest>,
) -> ApiResult<Json<RubbishStopDto>> {
    let stop = ctx
        .app
        .record_rubbish_stop(&ctx.actor, id, stop_id, &r.outcome)
        .await?;
    Ok(Json(stop.into()))
}

/// Marks a round done once every door was visited.
#[utoipa::path(post, path = "/rubbish-rounds/{id}/done", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn rubbish_round_done(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    ctx.app.finish_rubbish_round(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives a round to a volunteer covering its grid, or to nobody.
#[utoipa::path(post, path = "/rubbish-rounds/{id}/assign", params(("id" = i64, Path)), request_body = VolunteerAssignRequest, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn rubbish_round_assign(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<VolunteerAssignRequest>,
) -> ApiResult<StatusCode> {
    ctx.app
        .assign_rubbish_round(&ctx.actor, id, r.volunteer_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Active volunteers working inside the caller's jurisdiction: the choices for assignment.
#[utoipa::path(get, path = "/task-volunteers", responses((status = 200, body = Vec<store::tasks::Volunteer>), (status = 403, body = ErrorBody)))]
async fn task_volunteers(ctx: ApiCtx) -> ApiResult<Json<Vec<store::tasks::Volunteer>>> {
    Ok(Json(ctx.app.task_volunteers(&ctx.actor).await?))
}
