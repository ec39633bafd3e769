//! Sub-teams and the households they are given.

use app::AppError;
use app::screening::AssignTarget;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::extract::{Json, Path};
use crate::api::{ApiCtx, ApiResult, Created, CreatedId, ErrorBody, created, paths};
use utoipa_axum::router::OpenApiRouter;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    paths!(create_team; team_members; assign)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamRequest {
    pub name: String,
    /// Account ids of grid workers, volunteers or staff of the community.
    pub members: Vec<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembersRequest {
    pub members: Vec<i64>,
}

/// Give exactly one of `by_grid`, `grid_id` or `building_ids`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// Each grid's unassigned households to the team whose member works that grid.
    #[serde(default)]
    pub by_grid: bool,
    /// The team to receive the households; 0 to unassign.
    #[serde(default)]
    pub team_id: i64,
    pub grid_id: Option<i64>,
    #[serde(default)]
    pub building_ids: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Moved {
    pub households: u64,
}

/// Forms a sub-team.
#[utoipa::path(post, path = "/screening-campaigns/{id}/teams", params(("id" = i64, Path)), request_body = TeamRequest, responses((status = 201, body = Created), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_team(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<TeamRequest>,
) -> ApiResult<CreatedId> {
    let team = ctx
        .app
        .create_screening_team(&ctx.actor, id, &r.name, &r.members)
        .await?;
    Ok(created(team))
}

/// Replaces a team's members.
#[utoipa::path(put, path = "/screening-teams/{id}/members", params(("id" = i64, Path)), request_body = MembersRequest, responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn team_members(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<MembersRequest>,
) -> ApiResult<StatusCode> {
    let campaign = ctx.app.screening_team_campaign(&ctx.actor, id).await?;
    ctx.app
        .set_screening_team_members(&ctx.actor, campaign, id, &r.members)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives households to a team: by grid, a grid, or some buildings.
#[utoipa::path(post, path = "/screening-campaigns/{id}/assign", params(("id" = i64, Path)), request_body = AssignRequest, responses((status = 200, body = Moved), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assign(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<AssignRequest>,
) -> ApiResult<Json<Moved>> {
    let households = match (r.by_grid, r.grid_id, r.building_ids.is_empty()) {
        (true, None, true) => ctx.app.assign_screening_by_grid(&ctx.actor, id).await?,
        (false, Some(g), true) => {
            ctx.app
                .assign_screening_households(&ctx.actor, id, r.team_id, &AssignTarget::Grid(g))
                .await?
        }
        (false, None, false) => {
            ctx.app
                .assign_screening_households(
                    &ctx.actor,
                    id,
                    r.team_id,
                    &AssignTarget::Buildings(r.building_ids),
                )
                .await?
        }
        _ => return Err(AppError::field("grid_id", "assign_one_target").into()),
    };
    Ok(Json(Moved { households }))
}
