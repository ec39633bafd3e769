//! Residents' complaints: the team's lists, figures and steps, and the resident's own
//! requests with no account (filing, reading through the personal link, rating the reply).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::complaints::{Category, Satisfaction, Source, State as ComplaintState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiCtx, ApiError, ApiResult, ErrorBody};
use crate::AppState;
use crate::api::extract::{Json, Path, Query};
use crate::api::{ApiPage, api_page, api_shape, page_params, paths};
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    paths! {
        complaints; complaint_figures; complaint; assign_complaint; reply_complaint;
        close_complaint; complaint_contact; file_complaint; complaint_link; rate_complaint;
    }
}

api_shape! {
    /// A complaint; times in milliseconds since the Unix epoch, the contact masked.
    ComplaintDto from c: store::complaints::Complaint {
        id: i64,
        community_id: i64,
        community_name: String,
        grid_id: Option<i64>,
        building_id: Option<i64>,
        building_name: Option<String>,
        source: Source,
        call_id: Option<i64>,
        category: Category,
        what: String,
        place: String,
        /// Masked, e.g. `138****5678`.
        contact_masked: Option<String>,
        state: ComplaintState,
        owner_id: Option<i64>,
        owner_name: Option<String>,
        filed_at: i64,
        due_at: i64,
        assigned_at: Option<i64>,
        replied_at: Option<i64>,
        closed_at: Option<i64>,
        close_reason: Option<String>,
        satisfaction: Option<Satisfaction>,
        satisfaction_note: Option<String>,
        satisfaction_at: Option<i64>,
        /// Times the resident's dissatisfaction sent it back to its owner.
        reopened: i64,
    }
}

api_shape! {
    ComplaintReplyDto from r: store::complaints::Reply {
        body: String,
        /// Milliseconds since the Unix epoch.
        at: i64,
    }
}

api_page!(ComplaintPage of ComplaintDto,
    /// Pass as `after` for the next page; absent on the last page.
    next);

#[derive(Serialize, ToSchema)]
pub struct ComplaintDetail {
    pub complaint: ComplaintDto,
    pub replies: Vec<ComplaintReplyDto>,
}

api_shape! {
    ComplaintFiguresDto from f: app::complaints::ComplaintFigures {
        open: i64,
        overdue: i64,
        closed: i64,
        /// The mean time from filing to closing, ms; absent with nothing closed.
        average_close_ms: Option<i64>,
    }
}

/// Which complaints a list shows.
#[derive(Deserialize, ToSchema, Clone, Copy, Default)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintView {
    /// Not closed, soonest due first.
    #[default]
    Open,
    /// Awaiting the community's answer past their due time.
    Overdue,
    /// Closed, last closed first.
    Closed,
}

page_params! {
    /// The complaint lists.
    ComplaintParams {
        view: Option<ComplaintView>,
    },
    /// The id of the last complaint of the previous page.
    after
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignComplaintRequest {
    /// A staff member or grid worker of the complaint's community.
    pub owner_id: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyComplaintRequest {
    /// What the resident reads on their link.
    pub body: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseComplaintRequest {
    pub reason: String,
}

/// A complaint filed by a resident, with no account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileComplaintRequest {
    pub category: Category,
    pub what: String,
    pub place: String,
    /// A building of the community, when the resident names one.
    #[serde(default)]
    pub building_id: Option<i64>,
    /// A phone to reach the resident.
    #[serde(default)]
    pub contact: String,
}

#[derive(Serialize, ToSchema)]
pub struct ComplaintFiledDto {
    pub id: i64,
    /// The personal link's token (`/complaint/{token}`); shown this once.
    pub token: String,
}

/// What the resident reads behind their link.
#[derive(Serialize, ToSchema)]
pub struct ResidentComplaintDto {
    pub state: ComplaintState,
    pub category: Category,
    pub what: String,
    pub place: String,
    pub filed_at: i64,
    pub satisfaction: Option<Satisfaction>,
    pub replies: Vec<ComplaintReplyDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateComplaintRequest {
    pub satisfaction: Satisfaction,
    #[serde(default)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct RatedDto {
    /// `closed`, or `assigned` when the resident was not satisfied.
    pub state: ComplaintState,
}

/// The complaints of the caller's reach: open, overdue or closed.
#[utoipa::path(get, path = "/complaints", params(ComplaintParams), responses((status = 200, body = ComplaintPage), (status = 403, body = ErrorBody)))]
async fn complaints(
    ctx: ApiCtx,
    Query(p): Query<ComplaintParams>,
) -> ApiResult<Json<ComplaintPage>> {
    let view = match p.view.unwrap_or_default() {
        ComplaintView::Open => store::complaints::View::Open,
        ComplaintView::Overdue => store::complaints::View::Overdue,
        ComplaintView::Closed => store::complaints::View::Closed,
    };
    let page = ctx.app.complaints(&ctx.actor, view, p.page()).await?;
    Ok(ComplaintPage::of(page))
}

/// Open, overdue and closed complaints and the average time to close, for the lead.
#[utoipa::path(get, path = "/complaints/figures", responses((status = 200, body = ComplaintFiguresDto), (status = 403, body = ErrorBody)))]
async fn complaint_figures(ctx: ApiCtx) -> ApiResult<Json<ComplaintFiguresDto>> {
    let f = ctx.app.complaint_figures(&ctx.actor).await?;
    Ok(Json(f.into()))
}

/// One complaint with its replies.
#[utoipa::path(get, path = "/complaints/{id}", params(("id" = i64, Path)), responses((status = 200, body = ComplaintDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn complaint(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<ComplaintDetail>> {
    let (c, replies, _) = ctx.app.complaint(&ctx.actor, id).await?;
    Ok(Json(ComplaintDetail {
        complaint: c.into(),
        replies: replies.into_iter().map(Into::into).collect(),
    }))
}

/// Gives a complaint an owner.
#[utoipa::path(post, path = "/complaints/{id}/assign", params(("id" = i64, Path)), request_body = AssignComplaintRequest, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assign_complaint(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<AssignComplaintRequest>,
) -> ApiResult<StatusCode> {
    ctx.app.assign_complaint(&ctx.actor, id, r.owner_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Answers the resident: its owner, or staff.
#[utoipa::path(post, path = "/complaints/{id}/reply", params(("id" = i64, Path)), request_body = ReplyComplaintRequest, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reply_complaint(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<ReplyComplaintRequest>,
) -> ApiResult<StatusCode> {
    ctx.app.reply_complaint(&ctx.actor, id, &r.body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Closes a complaint without the resident's answer, with a reason.
#[utoipa::path(post, path = "/complaints/{id}/close", params(("id" = i64, Path)), request_body = CloseComplaintRequest, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn close_complaint(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<CloseComplaintRequest>,
) -> ApiResult<StatusCode> {
    ctx.app.close_complaint(&ctx.actor, id, &r.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ComplaintContactDto {
    /// The resident's number in full, for this call only.
    pub phone: String,
    /// The number as a `tel:` address to dial.
    pub tel: String,
}

/// The resident's number in full, for a call back by the complaint's owner or staff while it
/// is open; audited as a sensitive read.
#[utoipa::path(post, path = "/complaints/{id}/contact", params(("id" = i64, Path)), responses((status = 200, body = ComplaintContactDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn complaint_contact(
    ctx: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<ComplaintContactDto>> {
    let tel = ctx.app.complaint_contact(&ctx.actor, id).await?;
    Ok(Json(ComplaintContactDto {
        phone: tel.trim_start_matches("tel:").to_owned(),
        tel,
    }))
}

/// Files a resident's complaint, with no account; limited per client (429).
#[utoipa::path(post, path = "/communities/{id}/complaints", params(("id" = i64, Path)), request_body = FileComplaintRequest, responses((status = 201, body = ComplaintFiledDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)), security(()))]
async fn file_complaint(
    State(s): State<AppState>,
    client: crate::pages::ClientAddr,
    Path(id): Path<i64>,
    Json(r): Json<FileComplaintRequest>,
) -> Response {
    let input = app::complaints::ComplaintInput {
        category: r.category.code().to_owned(),
        what: r.what,
        place: r.place,
        building_id: r.building_id,
        building: String::new(),
        contact: r.contact,
    };
    match s
        .app
        .file_public_complaint(id, &input, &client.0, jiff::Timestamp::now())
        .await
    {
        Ok(f) => (
            StatusCode::CREATED,
            Json(ComplaintFiledDto {
                id: f.id,
                token: f.token,
            }),
        )
            .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// The complaint of a personal link, with the replies; the token is the only credential.
#[utoipa::path(get, path = "/complaint-links/{token}", params(("token" = String, Path)), responses((status = 200, body = ResidentComplaintDto), (status = 404, body = ErrorBody)), security(()))]
async fn complaint_link(State(s): State<AppState>, Path(token): Path<String>) -> Response {
    match s.app.complaint_of_link(&token).await {
        Ok(v) => Json(ResidentComplaintDto {
            state: v.complaint.state,
            category: v.complaint.category,
            what: v.complaint.what,
            place: v.complaint.place,
            filed_at: v.complaint.filed_at,
            satisfaction: v.complaint.satisfaction,
            replies: v.replies.into_iter().map(Into::into).collect(),
        })
        .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// The resident's satisfaction with the reply: closes the complaint, or sends it back to its
/// owner when they are not satisfied.
#[utoipa::path(post, path = "/complaint-links/{token}/rating", params(("token" = String, Path)), request_body = RateComplaintRequest, responses((status = 200, body = RatedDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(()))]
async fn rate_complaint(
    State(s): State<AppState>,
    Path(token): Path<String>,
    Json(r): Json<RateComplaintRequest>,
) -> Response {
    match s
        .app
        .rate_complaint(&token, r.satisfaction.code(), &r.note)
        .await
    {
        Ok(state) => Json(RatedDto { state }).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}
