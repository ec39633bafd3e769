//! API tokens: a username and password exchanged for one, the caller's account, and the
//! caller's own tokens listed with their last use, revoked one by one or all at once.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use store::accounts::tokens::ApiToken;
use utoipa::ToSchema;

use super::extract::{Json, Path};
use super::{ApiCtx, ApiResult, ErrorBody};
use crate::AppState;
use crate::api::paths;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    paths!(create_token; me; my_tokens, revoke_my_tokens; revoke_my_token)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
    /// What the token is for, shown in the audit trail.
    #[serde(default)]
    pub label: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`. Shown once.
    pub token: String,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub level: String,
    pub scope_id: i64,
    pub language: String,
}

/// Exchanges a username and password for an API token.
#[utoipa::path(post, path = "/tokens", request_body = TokenRequest, responses((status = 201, body = TokenResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn create_token(
    State(s): State<AppState>,
    client: crate::pages::ClientAddr,
    Json(r): Json<TokenRequest>,
) -> ApiResult<(StatusCode, Json<TokenResponse>)> {
    let session = s.app.login(&r.username, &r.password, &client.0).await?;
    s.app.logout(&session.token).await?;
    let label = if r.label.trim().is_empty() {
        "api"
    } else {
        r.label.trim()
    };
    let token = s.app.issue_api_token(&session.actor, label).await?;
    Ok((StatusCode::CREATED, Json(TokenResponse { token })))
}

/// The caller's account.
#[utoipa::path(get, path = "/me", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(ctx: ApiCtx) -> Json<Me> {
    let a = ctx.actor;
    Json(Me {
        account_id: a.account_id,
        username: a.username,
        display_name: a.display_name,
        role: a.role.code().to_owned(),
        level: a.jurisdiction.level.code().to_owned(),
        scope_id: a.jurisdiction.id,
        language: a.language,
    })
}

/// How many tokens were revoked.
#[derive(Serialize, ToSchema)]
pub struct RevokedTokens {
    pub revoked: u64,
}

/// The caller's live API tokens, newest first, with their last use.
#[utoipa::path(get, path = "/me/tokens", responses((status = 200, body = Vec<ApiToken>), (status = 401, body = ErrorBody)))]
async fn my_tokens(ctx: ApiCtx) -> ApiResult<Json<Vec<ApiToken>>> {
    Ok(Json(ctx.app.api_tokens(&ctx.actor).await?))
}

/// Revokes one of the caller's tokens; another account's token answers 404.
#[utoipa::path(delete, path = "/me/tokens/{id}", params(("id" = i64, Path)), responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke_my_token(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    ctx.app.revoke_api_token(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes all of the caller's tokens (the one in use too).
#[utoipa::path(delete, path = "/me/tokens", responses((status = 200, body = RevokedTokens), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn revoke_my_tokens(ctx: ApiCtx) -> ApiResult<Json<RevokedTokens>> {
    let revoked = ctx.app.revoke_api_tokens(&ctx.actor).await?;
    Ok(Json(RevokedTokens { revoked }))
}
