//! The caller's own API tokens: listed with their last use, revoked one by one or all at once.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use store::accounts::tokens::ApiToken;
use utoipa::ToSchema;

use super::extract::{Json, Path};
use super::{ApiCtx, ApiResult, ErrorBody};
use crate::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_tokens, revoke_my_tokens))
        .routes(routes!(revoke_my_token))
}

/// How many tokens were revoked.
#[derive(Serialize, ToSchema)]
pub struct RevokedTokens {
    pub revoked: u64,
}

/// The caller's live API tokens, newest first, with their last use.
#[utoipa::path(get, path = "/me/tokens", responses((status = 200, body = Vec<ApiToken>), (status = 401, body = ErrorBody)))]
async fn my_tokens(State(s): State<AppState>, ctx: ApiCtx) -> ApiResult<Json<Vec<ApiToken>>> {
    Ok(Json(s.app.api_tokens(&ctx.actor).await?))
}

/// Revokes one of the caller's tokens; another account's token answers 404.
#[utoipa::path(delete, path = "/me/tokens/{id}", params(("id" = i64, Path)), responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke_my_token(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    s.app.revoke_api_token(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes all of the caller's tokens (the one in use too).
#[utoipa::path(delete, path = "/me/tokens", responses((status = 200, body = RevokedTokens), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn revoke_my_tokens(
    State(s): State<AppState>,
    ctx: ApiCtx,
) -> ApiResult<Json<RevokedTokens>> {
    let revoked = s.app.revoke_api_tokens(&ctx.actor).await?;
    Ok(Json(RevokedTokens { revoked }))
}
