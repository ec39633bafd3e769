//! The administrative tree: communities, grids, buildings and units, listed, created and renamed.

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use store::structure::{Community, Node};
use utoipa::ToSchema;

use super::extract::{Json, Path};
use super::{ApiCtx, ApiResult, Created, CreatedId, ErrorBody, created};
use crate::AppState;
use crate::api::paths;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    paths! {
        communities, create_community; rename_community; rename_grid; rename_building; rename_unit;
        grids, create_grid; buildings, create_building; units;
    }
}

// One shape for grids, buildings and units, each stored with its own parent's name.
#[derive(Serialize, ToSchema)]
pub struct NodeDto {
    pub id: i64,
    pub parent_id: i64,
    pub name: String,
}

impl NodeDto {
    fn new(id: i64, parent_id: i64, name: String) -> NodeDto {
        NodeDto {
            id,
            parent_id,
            name,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameRequest {
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommunityRequest {
    pub street_id: i64,
    pub name: String,
}

/// Renames a community, grid, building or unit: the four operations differ only in the node.
async fn rename(ctx: &ApiCtx, node: Node, r: &NameRequest) -> ApiResult<StatusCode> {
    ctx.app.rename(&ctx.actor, node, &r.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Communities in the caller's jurisdiction.
#[utoipa::path(get, path = "/communities", responses((status = 200, body = Vec<Community>)))]
async fn communities(ctx: ApiCtx) -> ApiResult<Json<Vec<Community>>> {
    Ok(Json(ctx.app.communities(&ctx.actor).await?))
}

#[utoipa::path(post, path = "/communities", request_body = CommunityRequest, responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
async fn create_community(ctx: ApiCtx, Json(r): Json<CommunityRequest>) -> ApiResult<CreatedId> {
    let id = ctx.app.create_community(&ctx.actor, r.street_id, &r.name);
    Ok(created(id.await?))
}

/// Renames a community.
#[utoipa::path(patch, path = "/communities/{id}", params(("id" = i64, Path)), request_body = NameRequest, responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn rename_community(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<NameRequest>,
) -> ApiResult<StatusCode> {
    rename(&ctx, Node::Community(id), &r).await
}

#[utoipa::path(get, path = "/communities/{id}/grids", params(("id" = i64, Path)), responses((status = 200, body = Vec<NodeDto>)))]
async fn grids(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<Vec<NodeDto>>> {
    let list = ctx.app.grids(&ctx.actor, id).await?;
    let node = |g: store::structure::Grid| NodeDto::new(g.id, g.community_id, g.name);
    Ok(Json(list.into_iter().map(node).collect()))
}

#[utoipa::path(post, path = "/communities/{id}/grids", params(("id" = i64, Path)), request_body = NameRequest, responses((status = 201, body = Created)))]
async fn create_grid(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<NameRequest>,
) -> ApiResult<CreatedId> {
    Ok(created(ctx.app.create_grid(&ctx.actor, id, &r.name).await?))
}

#[utoipa::path(patch, path = "/grids/{id}", params(("id" = i64, Path)), request_body = NameRequest, responses((status = 204), (status = 404, body = ErrorBody)))]
async fn rename_grid(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<NameRequest>,
) -> ApiResult<StatusCode> {
    rename(&ctx, Node::Grid(id), &r).await
}

#[utoipa::path(get, path = "/grids/{id}/buildings", params(("id" = i64, Path)), responses((status = 200, body = Vec<NodeDto>)))]
async fn buildings(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<Vec<NodeDto>>> {
    let list = ctx.app.buildings(&ctx.actor, id).await?;
    let node = |b: store::structure::Building| NodeDto::new(b.id, b.grid_id, b.name);
    Ok(Json(list.into_iter().map(node).collect()))
}

#[utoipa::path(post, path = "/grids/{id}/buildings", params(("id" = i64, Path)), request_body = NameRequest, responses((status = 201, body = Created)))]
async fn create_building(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<NameRequest>,
) -> ApiResult<CreatedId> {
    let id = ctx.app.create_building(&ctx.actor, id, &r.name).await?;
    Ok(created(id))
}

#[utoipa::path(patch, path = "/buildings/{id}", params(("id" = i64, Path)), request_body = NameRequest, responses((status = 204), (status = 404, body = ErrorBody)))]
async fn rename_building(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<NameRequest>,
) -> ApiResult<StatusCode> {
    rename(&ctx, Node::Building(id), &r).await
}

#[utoipa::path(get, path = "/buildings/{id}/units", params(("id" = i64, Path)), responses((status = 200, body = Vec<NodeDto>)))]
async fn units(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<Vec<NodeDto>>> {
    let list = ctx.app.units(&ctx.actor, id).await?;
    let node = |u: store::structure::Unit| NodeDto::new(u.id, u.building_id, u.name);
    Ok(Json(list.into_iter().map(node).collect()))
}

#[utoipa::path(patch, path = "/units/{id}", params(("id" = i64, Path)), request_body = NameRequest, responses((status = 204), (status = 404, body = ErrorBody)))]
async fn rename_unit(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<NameRequest>,
) -> ApiResult<StatusCode> {
    rename(&ctx, Node::Unit(id), &r).await
}
