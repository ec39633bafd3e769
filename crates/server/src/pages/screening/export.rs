//! The register exports of a campaign.

use axum::Router;
use axum::extract::Query;
use axum::routing::get;
use serde::Deserialize;

use crate::AppState;
use crate::web::{self, Ctx, OnPage, PageResult, Path};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/screening/{id}/export", get(export))
}

#[derive(Deserialize)]
struct ExportQuery {
    register: String,
    unmasked: Option<String>,
}

async fn export(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<ExportQuery>) -> PageResult {
    let bytes = ctx
        .app
        .export_screening_register(&ctx.actor, id, &q.register, q.unmasked.is_some())
        .await
        .on_page(&ctx)?;
    let name = format!("screening-{id}-{}.xlsx", q.register.trim());
    Ok(web::download(web::XLSX, &name, bytes))
}
