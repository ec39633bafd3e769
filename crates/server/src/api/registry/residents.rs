//! Residents: listed masked, written, unmasked for a reason, exported.

use app::registry::{ExportFormat, ResidentQuery};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::extract::{Json, Path, Query};
use crate::api::{ApiCtx, ApiResult, Created, CreatedId, ErrorBody, created, paths};
use crate::api::{ApiPage, api_page, api_shape, page_params};
use utoipa_axum::router::OpenApiRouter;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    paths! {
        residents, create_resident; resident, update_resident, delete_resident; unmask_resident;
        export_residents;
    }
}

/// The codes of the vulnerabilities a resident's stored bits hold.
fn vulnerability_codes(bits: i64) -> Vec<String> {
    domain::registry::Vulnerabilities(u8::try_from(bits).unwrap_or(0))
        .list()
        .iter()
        .map(|v| v.code().to_owned())
        .collect()
}

api_shape! {
    // Not the stored particulars: vulnerabilities as a list of codes.
    ParticularsDto from p: store::registry::Particulars {
        name: String,
        document_kind: domain::document::DocumentKind,
        /// Masked, e.g. `610825********123X`; see the unmask endpoint.
        document_masked: String,
        sex: Option<domain::citizen_id::Sex>,
        birth_date: Option<String>,
        /// Masked.
        phone: Option<String>,
        hukou: domain::registry::Hukou,
        tenure: domain::registry::Tenure,
        travel_status: domain::registry::TravelStatus,
        travel_origin: Option<String>,
        returned_on: Option<String>,
        vulnerabilities: Vec<String> = vulnerability_codes(p.vulnerabilities),
        notes: String,
    }
}

api_shape! {
    // Not the stored row: no time of the last change.
    ResidentDto from r: store::registry::Resident {
        id: i64,
        #[serde(flatten)]
        address: store::registry::HouseholdAddress,
        #[serde(flatten)]
        particulars: ParticularsDto = r.particulars.into(),
        version: i64,
    }
}

api_page! {
    ResidentPage of ResidentDto,
    next
}

// Not the stored merge: its id is not shown.
#[derive(Serialize, ToSchema)]
pub struct MergeDto {
    pub at: i64,
    pub import_id: Option<i64>,
    pub source: String,
    pub changes: String,
}

#[derive(Serialize, ToSchema)]
pub struct ResidentDetail {
    pub resident: ResidentDto,
    pub merges: Vec<MergeDto>,
}

/// A resident as written; values are codes (`registered`) or the register words (`户籍`).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ResidentRequest {
    pub household_id: i64,
    pub name: String,
    #[serde(default)]
    pub document_kind: String,
    pub document_number: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub hukou: String,
    #[serde(default)]
    pub tenure: String,
    #[serde(default)]
    pub travel_status: String,
    #[serde(default)]
    pub travel_origin: String,
    #[serde(default)]
    pub returned_on: String,
    #[serde(default)]
    pub vulnerabilities: Vec<String>,
    #[serde(default)]
    pub notes: String,
    /// For updates: the version read; a stale one is refused with `stale_version`.
    #[serde(default)]
    pub version: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// Why; written to the audit trail. Required.
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct UnmaskedDto {
    pub resident_id: i64,
    pub document_number: String,
    pub phone: Option<String>,
}

page_params! {
    ResidentParams {
        /// An ID number, a phone number (mobile or landline), a room or the start of a name.
        q: Option<String>,
        grid_id: Option<i64>,
        building_id: Option<i64>,
        household_id: Option<i64>,
        /// `stayed_in_city`, `returned` or `not_yet_returned`.
        travel_status: Option<String>,
    },
    after
}

#[derive(Deserialize, IntoParams)]
pub struct ExportParams {
    pub q: Option<String>,
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub travel_status: Option<String>,
    /// `csv` or `xlsx` (default).
    pub format: Option<String>,
    /// Full numbers, for roles that may unmask; audited.
    #[serde(default)]
    pub unmasked: bool,
}

impl ResidentRequest {
    pub fn raw(&self) -> domain::resident::RawResident {
        raw_resident!(self)
    }
}

fn resident_query(
    q: Option<String>,
    grid_id: Option<i64>,
    building_id: Option<i64>,
    household_id: Option<i64>,
    travel_status: Option<String>,
) -> ResidentQuery {
    ResidentQuery {
        grid_id,
        building_id,
        household_id,
        travel_status,
        q,
    }
}

/// Residents in the caller's jurisdiction, masked, by key; `q` searches.
#[utoipa::path(get, path = "/residents", params(ResidentParams), responses((status = 200, body = ResidentPage)))]
async fn residents(ctx: ApiCtx, Query(p): Query<ResidentParams>) -> ApiResult<Json<ResidentPage>> {
    let page = p.page();
    let q = resident_query(
        p.q,
        p.grid_id,
        p.building_id,
        p.household_id,
        p.travel_status,
    );
    let page = ctx.app.residents(&ctx.actor, &q, page).await?;
    Ok(ResidentPage::of(page))
}

#[utoipa::path(post, path = "/residents", request_body = ResidentRequest, responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
async fn create_resident(ctx: ApiCtx, Json(r): Json<ResidentRequest>) -> ApiResult<CreatedId> {
    let id = ctx
        .app
        .create_resident(&ctx.actor, r.household_id, &r.raw())
        .await?;
    Ok(created(id))
}

#[utoipa::path(get, path = "/residents/{id}", params(("id" = i64, Path)), responses((status = 200, body = ResidentDetail), (status = 404, body = ErrorBody)))]
async fn resident(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<ResidentDetail>> {
    let (r, merges) = ctx.app.resident(&ctx.actor, id).await?;
    Ok(Json(ResidentDetail {
        resident: r.into(),
        merges: merges
            .into_iter()
            .map(|m| MergeDto {
                at: m.at,
                import_id: m.import_id,
                source: m.source,
                changes: m.changes,
            })
            .collect(),
    }))
}

#[utoipa::path(put, path = "/residents/{id}", params(("id" = i64, Path)), request_body = ResidentRequest, responses((status = 204), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_resident(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<ResidentRequest>,
) -> ApiResult<StatusCode> {
    ctx.app
        .update_resident(&ctx.actor, id, r.version, r.household_id, &r.raw())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/residents/{id}", params(("id" = i64, Path)), request_body = ReasonRequest, responses((status = 204)))]
async fn delete_resident(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<ReasonRequest>,
) -> ApiResult<StatusCode> {
    ctx.app.delete_resident(&ctx.actor, id, &r.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The full ID number and phone; allowed to contact roles only, and audited.
#[utoipa::path(post, path = "/residents/{id}/unmask", params(("id" = i64, Path)), request_body = ReasonRequest, responses((status = 200, body = UnmaskedDto), (status = 403, body = ErrorBody)))]
async fn unmask_resident(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<ReasonRequest>,
) -> ApiResult<Json<UnmaskedDto>> {
    let u = ctx.app.unmask_resident(&ctx.actor, id, &r.reason).await?;
    Ok(Json(UnmaskedDto {
        resident_id: u.resident_id,
        document_number: u.document_number,
        phone: u.phone,
    }))
}

/// The residents of the caller's jurisdiction as a spreadsheet, masked by default.
#[utoipa::path(get, path = "/residents/export", params(ExportParams), responses((status = 200, description = "xlsx or csv file")))]
async fn export_residents(ctx: ApiCtx, Query(p): Query<ExportParams>) -> ApiResult<Response> {
    let format = if p.format.as_deref() == Some("csv") {
        ExportFormat::Csv
    } else {
        ExportFormat::Xlsx
    };
    let q = resident_query(p.q, p.grid_id, p.building_id, None, p.travel_status);
    let bytes = ctx
        .app
        .export_residents(&ctx.actor, &q, format, p.unmasked)
        .await?;
    Ok(crate::pages::download(bytes, format))
}
