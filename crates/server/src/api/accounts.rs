//! Accounts: listed, created and changed by administrators.

use app::accounts::AccountInput;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{Json, Path};
use super::{ApiCtx, ApiResult, Created, ErrorBody, created};
use crate::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(accounts, create_account))
        .routes(routes!(update_account))
}

// Not the stored account: the language (and the password hash) stay out of the API.
#[derive(Serialize, ToSchema)]
pub struct AccountDto {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: domain::access::Role,
    pub level: domain::access::Level,
    pub scope_id: i64,
    pub active: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountRequest {
    #[serde(default)]
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub password: String,
    pub role: String,
    pub level: String,
    #[serde(default)]
    pub scope_id: i64,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl From<store::accounts::Account> for AccountDto {
    fn from(a: store::accounts::Account) -> Self {
        AccountDto {
            id: a.id,
            username: a.username,
            display_name: a.display_name,
            role: a.role,
            level: a.level,
            scope_id: a.scope_id,
            active: a.active,
        }
    }
}

#[utoipa::path(get, path = "/accounts", responses((status = 200, body = Vec<AccountDto>)))]
async fn accounts(ctx: ApiCtx) -> ApiResult<Json<Vec<AccountDto>>> {
    Ok(Json(
        ctx.app
            .list_accounts(&ctx.actor)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

fn account_input(r: AccountRequest) -> AccountInput {
    AccountInput {
        username: r.username,
        display_name: r.display_name,
        password: r.password,
        role: r.role,
        level: r.level,
        scope_id: r.scope_id,
        active: r.active,
    }
}

#[utoipa::path(post, path = "/accounts", request_body = AccountRequest, responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
async fn create_account(
    ctx: ApiCtx,
    Json(r): Json<AccountRequest>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let id = ctx
        .app
        .create_account(&ctx.actor, &account_input(r))
        .await?;
    Ok(created(id))
}

#[utoipa::path(put, path = "/accounts/{id}", params(("id" = i64, Path)), request_body = AccountRequest, responses((status = 204)))]
async fn update_account(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<AccountRequest>,
) -> ApiResult<impl IntoResponse> {
    ctx.app
        .update_account(&ctx.actor, id, &account_input(r))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
