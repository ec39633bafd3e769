//! The caller's own API tokens: listed with their last use, revoked one by one or all at once.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
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

/// One of the caller's live API tokens; the token itself is never shown again.
#[derive(Serialize, ToSchema)]
pub struct ApiTokenDto {
    pub id: i64,
    pub label: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// When the token stops working, in milliseconds since the Unix epoch.
    pub expires_at: Option<i64>,
    /// The last request made with it (noted at most once a minute), if any.
    pub last_used_at: Option<i64>,
}

/// How many tokens were revoked.
#[derive(Serialize, ToSchema)]
pub struct RevokedTokens {
    pub revoked: u64,
}

/// The caller's live API tokens, newest first, with their last use.
#[utoipa::path(get, path = "/me/tokens", responses((status = 200, body = Vec<ApiTokenDto>), (status = 401, body = ErrorBody)))]
async fn my_tokens(State(s): State<AppState>, ctx: ApiCtx) -> ApiResult<Json<Vec<ApiTokenDto>>> {
    let tokens = s.app.api_tokens(&ctx.actor).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| ApiTokenDto {
                id: t.id,
                label: t.label,
                created_at: t.created_at,
                expires_at: t.expires_at,
                last_used_at: t.last_used_at,
            })
            .collect(),
    ))
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
