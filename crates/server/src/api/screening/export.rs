//! The register exports of a campaign.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::api::extract::{Path, Query};
use crate::api::{ApiCtx, ApiResult, ErrorBody, paths};
use utoipa_axum::router::OpenApiRouter;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    paths!(export_register)
}

#[derive(Deserialize, IntoParams)]
pub struct ExportParams {
    /// `stayed_in_city`, `returned` or `not_yet_returned`.
    pub register: String,
    /// Full ID numbers (roles that may unmask; audited).
    #[serde(default)]
    pub unmasked: bool,
}

/// One register of the campaign's households as xlsx, masked unless asked and allowed.
#[utoipa::path(get, path = "/screening-campaigns/{id}/export", params(("id" = i64, Path), ExportParams), responses((status = 200, description = "xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export_register(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Query(p): Query<ExportParams>,
) -> ApiResult<Response> {
    let bytes = ctx
        .app
        .export_screening_register(&ctx.actor, id, &p.register, p.unmasked)
        .await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"screening-{id}-{}.xlsx\"",
                    p.register.trim()
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}
