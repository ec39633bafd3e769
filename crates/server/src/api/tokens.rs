//! The caller's own API tokens: listed with their last use, revoked one by one or all at once.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use serde::Serialize;
use store::accounts::tokens::ApiToken;
use utoipa::{OpenApi, ToSchema};

use super::extract::{Json, Path};
use super::{ApiCtx, ApiResult, ErrorBody};
use crate::AppState;

#[derive(OpenApi)]
#[openapi(paths(my_tokens, revoke_my_token, revoke_my_tokens))]
pub struct Doc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me/tokens", get(my_tokens).delete(revoke_my_tokens))
        .route("/me/tokens/{id}", delete(revoke_my_token))
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
