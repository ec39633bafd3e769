//! The signed-in user's own API tokens: when each was made, ends and was last used; revoke one
//! or all.

use askama::Template;
use axum::Router;
use axum::routing::{get, post};

use super::registry_time;
use crate::AppState;
use crate::web::{Chrome, Ctx, Form, NoFields, OnPage, PageResult, Path, after_step, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/tokens", get(tokens_page))
        .route("/account/tokens/revoke-all", post(revoke_all))
        .route("/account/tokens/{id}/revoke", post(revoke_one))
}

struct TokenRow {
    id: i64,
    label: String,
    created: String,
    expires: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "account_tokens.html")]
struct TokensPage {
    c: Chrome,
    tokens: Vec<TokenRow>,
}

async fn tokens_page(ctx: Ctx) -> PageResult {
    let tokens = ctx.app.api_tokens(&ctx.actor).await.on_page(&ctx)?;
    let time = |ms: Option<i64>| ms.map(|ms| registry_time(&ctx.app, ms)).unwrap_or_default();
    Ok(render(&TokensPage {
        c: ctx.chrome(ctx.t.get("tokens.title")),
        tokens: tokens
            .into_iter()
            .map(|t| TokenRow {
                id: t.id,
                label: t.label,
                created: registry_time(&ctx.app, t.created_at),
                expires: time(t.expires_at),
                last_used: time(t.last_used_at),
            })
            .collect(),
    }))
}

async fn revoke_one(ctx: Ctx, Path(id): Path<i64>, _: Form<NoFields>) -> PageResult {
    let outcome = ctx.app.revoke_api_token(&ctx.actor, id).await;
    after_step(&ctx, outcome, "/account/tokens")
}

async fn revoke_all(ctx: Ctx, _: Form<NoFields>) -> PageResult {
    let outcome = ctx.app.revoke_api_tokens(&ctx.actor).await;
    after_step(&ctx, outcome, "/account/tokens")
}
