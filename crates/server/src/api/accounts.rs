//! Accounts: listed, created and changed by administrators.

use app::accounts::AccountInput;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use utoipa::ToSchema;

use super::extract::{Json, Path};
use super::{ApiCtx, ApiResult, Created, CreatedId, ErrorBody, created};
use crate::AppState;
use crate::api::api_shape;
use crate::api::paths;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    paths!(accounts, create_account; update_account)
}

api_shape! {
    // Not the stored account: the language (and the password hash) stay out of the API.
    AccountDto from a: store::accounts::Account {
        id: i64,
        username: String,
        display_name: String,
        role: domain::access::Role,
        level: domain::access::Level,
        scope_id: i64,
        active: bool,
        /// The mobile notifications leave the app to, masked (`138****8000`).
        phone: Option<String> = a.phone.as_deref().map(app::registry::mask_phone),
    }
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
    /// A mainland mobile that notifications leave the app to. Absent or null keeps the stored
    /// one (none for a new account); empty clears it.
    #[serde(default)]
    pub phone: Option<String>,
}

fn yes() -> bool {
    true
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
        phone: r.phone,
    }
}

#[utoipa::path(post, path = "/accounts", request_body = AccountRequest, responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
async fn create_account(ctx: ApiCtx, Json(r): Json<AccountRequest>) -> ApiResult<CreatedId> {
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
