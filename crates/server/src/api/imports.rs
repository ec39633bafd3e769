//! Register imports: a spreadsheet in, its outcome and its rejected rows out.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Json, Path, Query};
use super::{ApiCtx, ApiResult, ErrorBody};
use crate::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_import))
        .routes(routes!(import))
        .routes(routes!(import_rejects))
}

#[derive(Deserialize, IntoParams)]
pub struct ImportParams {
    pub community_id: i64,
    /// The file's name, used in reports and merge records.
    pub file_name: String,
}

// Not the stored import: who ran it, the file's hash, its headers and times are not shown.
#[derive(Serialize, ToSchema)]
pub struct ImportDto {
    pub id: i64,
    pub community_id: i64,
    pub file_name: String,
    pub status: domain::registry::ImportStatus,
    pub total_rows: i64,
    pub processed_rows: i64,
    pub inserted: i64,
    pub merged: i64,
    pub unchanged: i64,
    pub rejected: i64,
}

// Not the stored reject: the message is explained in words, and the row's cells are not shown.
#[derive(Serialize, ToSchema)]
pub struct RejectDto {
    pub row: i64,
    pub column: String,
    pub code: String,
    pub message: String,
}

impl From<store::imports::Import> for ImportDto {
    fn from(i: store::imports::Import) -> Self {
        ImportDto {
            id: i.id,
            community_id: i.community_id,
            file_name: i.file_name,
            status: i.status,
            total_rows: i.total_rows,
            processed_rows: i.processed_rows,
            inserted: i.inserted,
            merged: i.merged,
            unchanged: i.unchanged,
            rejected: i.rejected,
        }
    }
}

/// Imports a register sent as the request body (xlsx, xls, ods or csv); runs to the end and
/// returns the outcome.
#[utoipa::path(post, path = "/imports", params(ImportParams), request_body(content = Vec<u8>, content_type = "application/octet-stream"), responses((status = 201, body = ImportDto), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_import(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<ImportParams>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<ImportDto>)> {
    let prepared = s
        .app
        .prepare_import(&ctx.actor, p.community_id, &p.file_name, body)
        .await?;
    let done = s.app.run_import(prepared, &|_| {}).await?;
    Ok((StatusCode::CREATED, Json(done.into())))
}

#[utoipa::path(get, path = "/imports/{id}", params(("id" = i64, Path)), responses((status = 200, body = ImportDto)))]
async fn import(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<ImportDto>> {
    Ok(Json(s.app.import_record(&ctx.actor, id).await?.into()))
}

#[utoipa::path(get, path = "/imports/{id}/rejects", params(("id" = i64, Path)), responses((status = 200, body = Vec<RejectDto>)))]
async fn import_rejects(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<RejectDto>>> {
    let t = crate::i18n::Tr::new(crate::i18n::Lang::En);
    let list = s.app.import_rejects(&ctx.actor, id, 10_000).await?;
    Ok(Json(
        list.into_iter()
            .map(|r| RejectDto {
                row: r.row_number,
                message: t.error(&r.code, &r.detail),
                column: r.column_name,
                code: r.code,
            })
            .collect(),
    ))
}
