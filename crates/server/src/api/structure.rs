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

/// Declares the operation that renames a community, grid, building or unit: the four differ
/// only in their path, their node and the answers they document.
macro_rules! rename_operation {
    ($(#[$doc:meta])* $handler:ident, $path:literal, $node:path, responses $answers:tt) => {
        $(#[$doc])*
        #[utoipa::path(patch, path = $path, params(("id" = i64, Path)), request_body = NameRequest, responses $answers)]
        async fn $handler(
            ctx: ApiCtx,
            Path(id): Path<i64>,
            Json(r): Json<NameRequest>,
        ) -> ApiResult<StatusCode> {
            ctx.app.rename(&ctx.actor, $node(id), &r.name).await?;
            Ok(StatusCode::NO_CONTENT)
        }
    };
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

rename_operation! {
    /// Renames a community.
    rename_community, "/communities/{id}", Node::Community,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
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

rename_operation! {
    rename_grid, "/grids/{id}", Node::Grid,
    responses((status = 204), (status = 404, body = ErrorBody))
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

rename_operation! {
    rename_building, "/buildings/{id}", Node::Building,
    responses((status = 204), (status = 404, body = ErrorBody))
}

#[utoipa::path(get, path = "/buildings/{id}/units", params(("id" = i64, Path)), responses((status = 200, body = Vec<NodeDto>)))]
async fn units(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<Vec<NodeDto>>> {
    let list = ctx.app.units(&ctx.actor, id).await?;
    let node = |u: store::structure::Unit| NodeDto::new(u.id, u.building_id, u.name);
    Ok(Json(list.into_iter().map(node).collect()))
}

rename_operation! {
    rename_unit, "/units/{id}", Node::Unit,
    responses((status = 204), (status = 404, body = ErrorBody))
}
