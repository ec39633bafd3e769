//! Register imports: a spreadsheet in, its outcome and its rejected rows out.

use app::import::{Column, ImportOptions, PreviewColumn, PreviewCounts, SampleRow, SkipReason};
use axum::body::Bytes;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Json, Path, Query};
use super::{ApiCtx, ApiResult, ErrorBody, api_shape, paths};
use crate::AppState;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    paths! { create_import; import_structure; import; import_rejects }
}

#[derive(Deserialize, IntoParams)]
pub struct ImportParams {
    pub community_id: i64,
    /// The file's name, used in reports and merge records.
    pub file_name: String,
    /// Reads the file and answers what importing it would do (200, a preview), writing
    /// nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// How columns are read, over what their headers say: `header=field` pairs separated by
    /// `;` (`门牌=room;备注2=ignore`); the fields are the preview's column codes.
    #[serde(default)]
    pub map: Option<String>,
    /// The grid where buildings the file names and the community lacks are created; without
    /// it their rows are refused as unknown buildings.
    #[serde(default)]
    pub create_buildings_in_grid: Option<i64>,
    /// The header's row as Excel numbers it, when the importer's own search finds another.
    #[serde(default)]
    #[param(minimum = 1)]
    pub header_row: Option<u32>,
}

impl ImportParams {
    fn options(&self) -> Result<ImportOptions, app::AppError> {
        let mapping = match &self.map {
            Some(m) => ImportOptions::parse_mappings(m).map_err(|e| {
                let mut errors = domain::validation::FieldErrors::new();
                errors.add("map", "bad_column_mapping", &e.given);
                app::AppError::Validation(errors)
            })?,
            None => Vec::new(),
        };
        Ok(ImportOptions {
            mapping,
            create_buildings_in_grid: self.create_buildings_in_grid,
            header_row: self.header_row.map(|n| n as usize),
        })
    }
}

api_shape! {
    // Not the app's preview: the problems are explained in words, as the rejects are.
    /// What importing a file would do: how it is read, its first rows (ID and phone numbers
    /// masked), the counts, the first problems and the buildings it would create.
    ImportPreviewDto from p: app::import::ImportPreview {
        header_row: usize,
        header_rows: usize,
        rows_above_header: usize,
        sheet: Option<String>,
        columns: Vec<PreviewColumn>,
        missing: Vec<Column>,
        sample: Vec<SampleRow>,
        counts: PreviewCounts,
        problems: Vec<RejectDto> = reject_dtos(p.problems),
        skipped: Vec<SkippedRowDto> = p
            .skipped
            .into_iter()
            .map(|(row, reason)| SkippedRowDto { row, reason })
            .collect(),
        new_buildings: Vec<String>,
        new_building_count: usize,
        new_units: usize,
    }
}

#[derive(Serialize, ToSchema)]
pub struct SkippedRowDto {
    pub row: usize,
    pub reason: SkipReason,
}

/// The outcome of `POST /imports`: the import, or with `dry_run` its preview.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum ImportOutcome {
    Import(ImportDto),
    Preview(Box<ImportPreviewDto>),
}

api_shape! {
    // Not the stored import: who ran it, the file's hash, its headers and times are not shown.
    ImportDto from i: store::imports::Import {
        id: i64,
        community_id: i64,
        file_name: String,
        status: domain::registry::ImportStatus,
        total_rows: i64,
        processed_rows: i64,
        inserted: i64,
        merged: i64,
        unchanged: i64,
        rejected: i64,
        skipped: i64,
    }
}

// Not the stored reject: the message is explained in words, and the row's cells are not shown.
#[derive(Serialize, ToSchema)]
pub struct RejectDto {
    pub row: i64,
    pub column: String,
    pub code: String,
    pub message: String,
}

/// Imports a register sent as the request body (xlsx, xls, ods or csv); runs to the end and
/// returns the outcome (201). With `dry_run`, writes nothing and returns what importing would
/// do (200).
#[utoipa::path(post, path = "/imports", params(ImportParams), request_body(content = Vec<u8>, content_type = "application/octet-stream"), responses((status = 201, body = ImportDto), (status = 200, body = ImportPreviewDto), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_import(
    ctx: ApiCtx,
    Query(p): Query<ImportParams>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<ImportOutcome>)> {
    let options = p.options()?;
    if p.dry_run {
        let preview = ctx
            .app
            .preview_import(&ctx.actor, p.community_id, &p.file_name, body, &options)
            .await?;
        return Ok((
            StatusCode::OK,
            Json(ImportOutcome::Preview(Box::new(preview.into()))),
        ));
    }
    let prepared = ctx
        .app
        .prepare_import_with(&ctx.actor, p.community_id, &p.file_name, body, &options)
        .await?;
    let done = ctx.app.run_import(prepared, &|_| {}).await?;
    Ok((
        StatusCode::CREATED,
        Json(ImportOutcome::Import(done.into())),
    ))
}

/// Refused rows, each explained in English.
fn reject_dtos(rejects: Vec<store::imports::Reject>) -> Vec<RejectDto> {
    let t = crate::i18n::Tr::new(crate::i18n::Lang::En);
    rejects
        .into_iter()
        .map(|r| RejectDto {
            row: r.row_number,
            message: t.error(&r.code, &r.detail),
            column: r.column_name,
            code: r.code,
        })
        .collect()
}

#[derive(Deserialize, IntoParams)]
pub struct StructureParams {
    pub community_id: i64,
    /// The file's name, recorded in the audit trail.
    pub file_name: String,
    /// Says what importing would create (200), writing nothing.
    #[serde(default)]
    pub dry_run: bool,
}

api_shape! {
    // Not the app's outcome: the problems are explained in words, as the rejects are.
    /// What a roster of grids, buildings and units created, or would create.
    StructureOutcomeDto from out: app::import::StructureOutcome {
        rows: usize,
        grids_created: Vec<String>,
        buildings_created: usize,
        units_created: usize,
        unchanged_rows: usize,
        rejected_rows: usize,
        problems: Vec<RejectDto> = reject_dtos(out.problems),
        written: bool,
    }
}

/// Imports a roster of grids, buildings and (optionally) units (columns 网格/grid,
/// 楼栋/building, 单元/unit), creating what the community lacks; in one transaction, every
/// node created audited. With `dry_run`, says what it would create.
#[utoipa::path(post, path = "/imports/structure", params(StructureParams), request_body(content = Vec<u8>, content_type = "application/octet-stream"), responses((status = 201, body = StructureOutcomeDto), (status = 200, body = StructureOutcomeDto), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_structure(
    ctx: ApiCtx,
    Query(p): Query<StructureParams>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<StructureOutcomeDto>)> {
    let out = ctx
        .app
        .import_structure(&ctx.actor, p.community_id, &p.file_name, body, !p.dry_run)
        .await?;
    let status = if out.written {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(out.into())))
}

#[utoipa::path(get, path = "/imports/{id}", params(("id" = i64, Path)), responses((status = 200, body = ImportDto)))]
async fn import(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<ImportDto>> {
    Ok(Json(ctx.app.import_record(&ctx.actor, id).await?.into()))
}

#[utoipa::path(get, path = "/imports/{id}/rejects", params(("id" = i64, Path)), responses((status = 200, body = Vec<RejectDto>)))]
async fn import_rejects(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<Vec<RejectDto>>> {
    let list = ctx.app.import_rejects(&ctx.actor, id, 10_000).await?;
    Ok(Json(reject_dtos(list)))
}
