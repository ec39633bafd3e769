//! API handlers: thin translations between JSON and the use cases.

use app::accounts::AccountInput;
use app::registry::{ExportFormat, HouseholdInput, ResidentQuery};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::page::PageRequest;
use store::audit::AuditFilter;
use store::registry::HouseholdFilter;
use store::structure::{Community, Node};
use utoipa::OpenApi;

use super::dto::*;
use super::{ApiCtx, ApiResult, ErrorBody};
use crate::AppState;
use crate::api::extract::{Json, Path, Query};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Gridwatch API", version = "1", description = "The JSON API of Gridwatch. Authenticate with `Authorization: Bearer <token>` from `POST /api/v1/tokens`, or with the session cookie plus an `X-CSRF-Token` header."),
    servers((url = "/api/v1")),
    components(schemas(ErrorBody))
)]
pub struct ApiDoc;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_token))
        .routes(routes!(me))
        .routes(routes!(communities, create_community))
        .routes(routes!(rename_community))
        .routes(routes!(rename_grid))
        .routes(routes!(rename_building))
        .routes(routes!(rename_unit))
        .routes(routes!(community_summary))
        .routes(routes!(grids, create_grid))
        .routes(routes!(buildings, create_building))
        .routes(routes!(units))
        .routes(routes!(households, create_household))
        .routes(routes!(household, update_household))
        .routes(routes!(residents, create_resident))
        .routes(routes!(resident, update_resident, delete_resident))
        .routes(routes!(unmask_resident))
        .routes(routes!(export_residents))
        .routes(routes!(create_import))
        .routes(routes!(import))
        .routes(routes!(import_rejects))
        .routes(routes!(audit))
        .routes(routes!(audit_verify))
        .routes(routes!(accounts, create_account))
        .routes(routes!(update_account))
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

/// Communities in the caller's jurisdiction.
#[utoipa::path(get, path = "/communities", responses((status = 200, body = Vec<Community>)))]
async fn communities(State(s): State<AppState>, ctx: ApiCtx) -> ApiResult<Json<Vec<Community>>> {
    Ok(Json(s.app.communities(&ctx.actor).await?))
}

#[utoipa::path(post, path = "/communities", request_body = CommunityRequest, responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
async fn create_community(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Json(r): Json<CommunityRequest>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let id = s
        .app
        .create_community(&ctx.actor, r.street_id, &r.name)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Renames a community.
#[utoipa::path(patch, path = "/communities/{id}", params(("id" = i64, Path)), request_body = NameRequest, responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn rename_community(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<NameRequest>,
) -> ApiResult<StatusCode> {
    s.app
        .rename(&ctx.actor, Node::Community(id), &r.name)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(patch, path = "/grids/{id}", params(("id" = i64, Path)), request_body = NameRequest, responses((status = 204), (status = 404, body = ErrorBody)))]
async fn rename_grid(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<NameRequest>,
) -> ApiResult<StatusCode> {
    s.app.rename(&ctx.actor, Node::Grid(id), &r.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(patch, path = "/buildings/{id}", params(("id" = i64, Path)), request_body = NameRequest, responses((status = 204), (status = 404, body = ErrorBody)))]
async fn rename_building(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<NameRequest>,
) -> ApiResult<StatusCode> {
    s.app
        .rename(&ctx.actor, Node::Building(id), &r.name)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(patch, path = "/units/{id}", params(("id" = i64, Path)), request_body = NameRequest, responses((status = 204), (status = 404, body = ErrorBody)))]
async fn rename_unit(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<NameRequest>,
) -> ApiResult<StatusCode> {
    s.app.rename(&ctx.actor, Node::Unit(id), &r.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Residents per grid and register, households and vulnerable residents, from kept counts.
#[utoipa::path(get, path = "/communities/{id}/summary", params(("id" = i64, Path)), responses((status = 200, body = SummaryDto)))]
async fn community_summary(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<SummaryDto>> {
    let sm = s.app.registry_summary(&ctx.actor, id).await?;
    Ok(Json(SummaryDto {
        grids: sm
            .grids
            .iter()
            .map(|(n, f)| GridFigures::of(n.clone(), f))
            .collect(),
        total: GridFigures::of(String::new(), &sm.total),
    }))
}

#[utoipa::path(get, path = "/communities/{id}/grids", params(("id" = i64, Path)), responses((status = 200, body = Vec<NodeDto>)))]
async fn grids(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<NodeDto>>> {
    let list = s.app.grids(&ctx.actor, id).await?;
    Ok(Json(
        list.into_iter()
            .map(|g| NodeDto {
                id: g.id,
                parent_id: g.community_id,
                name: g.name,
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/communities/{id}/grids", params(("id" = i64, Path)), request_body = NameRequest, responses((status = 201, body = Created)))]
async fn create_grid(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<NameRequest>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let id = s.app.create_grid(&ctx.actor, id, &r.name).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[utoipa::path(get, path = "/grids/{id}/buildings", params(("id" = i64, Path)), responses((status = 200, body = Vec<NodeDto>)))]
async fn buildings(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<NodeDto>>> {
    let list = s.app.buildings(&ctx.actor, id).await?;
    Ok(Json(
        list.into_iter()
            .map(|b| NodeDto {
                id: b.id,
                parent_id: b.grid_id,
                name: b.name,
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/grids/{id}/buildings", params(("id" = i64, Path)), request_body = NameRequest, responses((status = 201, body = Created)))]
async fn create_building(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<NameRequest>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let id = s.app.create_building(&ctx.actor, id, &r.name).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[utoipa::path(get, path = "/buildings/{id}/units", params(("id" = i64, Path)), responses((status = 200, body = Vec<NodeDto>)))]
async fn units(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<NodeDto>>> {
    let list = s.app.units(&ctx.actor, id).await?;
    Ok(Json(
        list.into_iter()
            .map(|u| NodeDto {
                id: u.id,
                parent_id: u.building_id,
                name: u.name,
            })
            .collect(),
    ))
}

/// Households in the caller's jurisdiction, by key.
#[utoipa::path(get, path = "/households", params(HouseholdParams), responses((status = 200, body = HouseholdPage)))]
async fn households(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<HouseholdParams>,
) -> ApiResult<Json<HouseholdPage>> {
    let filter = HouseholdFilter {
        grid_id: p.grid_id,
        building_id: p.building_id,
        room: p.room,
    };
    let page = s
        .app
        .households(&ctx.actor, &filter, PageRequest::new(p.after, p.limit))
        .await?;
    Ok(Json(HouseholdPage {
        next: page.next,
        items: page.items,
    }))
}

#[utoipa::path(post, path = "/households", request_body = HouseholdRequest, responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
async fn create_household(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Json(r): Json<HouseholdRequest>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let id = s
        .app
        .create_household(
            &ctx.actor,
            &HouseholdInput {
                building_id: r.building_id,
                unit: r.unit,
                room: r.room,
                phone: r.phone,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[utoipa::path(get, path = "/households/{id}", params(("id" = i64, Path)), responses((status = 200, body = HouseholdDetail), (status = 404, body = ErrorBody)))]
async fn household(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<HouseholdDetail>> {
    let (h, members) = s.app.household(&ctx.actor, id).await?;
    Ok(Json(HouseholdDetail {
        household: h,
        members: members.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(patch, path = "/households/{id}", params(("id" = i64, Path)), request_body = HouseholdUpdate, responses((status = 204)))]
async fn update_household(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<HouseholdUpdate>,
) -> ApiResult<StatusCode> {
    s.app
        .patch_household(
            &ctx.actor,
            id,
            r.phone.as_ref().map(|p| p.as_deref().unwrap_or_default()),
            r.head_resident_id,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
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
async fn residents(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<ResidentParams>,
) -> ApiResult<Json<ResidentPage>> {
    let q = resident_query(
        p.q,
        p.grid_id,
        p.building_id,
        p.household_id,
        p.travel_status,
    );
    let page = s
        .app
        .residents(&ctx.actor, &q, PageRequest::new(p.after, p.limit))
        .await?;
    Ok(Json(ResidentPage {
        next: page.next,
        items: page.items.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(post, path = "/residents", request_body = ResidentRequest, responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
async fn create_resident(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Json(r): Json<ResidentRequest>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let id = s
        .app
        .create_resident(&ctx.actor, r.household_id, &r.raw())
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[utoipa::path(get, path = "/residents/{id}", params(("id" = i64, Path)), responses((status = 200, body = ResidentDetail), (status = 404, body = ErrorBody)))]
async fn resident(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<ResidentDetail>> {
    let (r, merges) = s.app.resident(&ctx.actor, id).await?;
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
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<ResidentRequest>,
) -> ApiResult<StatusCode> {
    s.app
        .update_resident(&ctx.actor, id, r.version, r.household_id, &r.raw())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/residents/{id}", params(("id" = i64, Path)), request_body = ReasonRequest, responses((status = 204)))]
async fn delete_resident(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<ReasonRequest>,
) -> ApiResult<StatusCode> {
    s.app.delete_resident(&ctx.actor, id, &r.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The full ID number and phone; allowed to contact roles only, and audited.
#[utoipa::path(post, path = "/residents/{id}/unmask", params(("id" = i64, Path)), request_body = ReasonRequest, responses((status = 200, body = UnmaskedDto), (status = 403, body = ErrorBody)))]
async fn unmask_resident(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<ReasonRequest>,
) -> ApiResult<Json<UnmaskedDto>> {
    let u = s.app.unmask_resident(&ctx.actor, id, &r.reason).await?;
    Ok(Json(UnmaskedDto {
        resident_id: u.resident_id,
        document_number: u.document_number,
        phone: u.phone,
    }))
}

/// The residents of the caller's jurisdiction as a spreadsheet, masked by default.
#[utoipa::path(get, path = "/residents/export", params(ExportParams), responses((status = 200, description = "xlsx or csv file")))]
async fn export_residents(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<ExportParams>,
) -> ApiResult<Response> {
    let format = if p.format.as_deref() == Some("csv") {
        ExportFormat::Csv
    } else {
        ExportFormat::Xlsx
    };
    let q = resident_query(p.q, p.grid_id, p.building_id, None, p.travel_status);
    let bytes = s
        .app
        .export_residents(&ctx.actor, &q, format, p.unmasked)
        .await?;
    Ok(crate::pages::download(bytes, format))
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

#[utoipa::path(get, path = "/audit", params(AuditParams), responses((status = 200, body = Vec<AuditEntryDto>)))]
async fn audit(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<AuditParams>,
) -> ApiResult<Json<Vec<AuditEntryDto>>> {
    let f = AuditFilter {
        action: p.action,
        account_name: p.account,
        object_type: p.object_type,
        object_id: p.object_id,
        before_seq: p.before,
        ..Default::default()
    };
    let list = s
        .app
        .audit_trail(&ctx.actor, &f, p.limit.unwrap_or(100).min(1000))
        .await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/audit/verify", responses((status = 200, body = VerificationDto)))]
async fn audit_verify(State(s): State<AppState>, ctx: ApiCtx) -> ApiResult<Json<VerificationDto>> {
    let v = s.app.verify_audit(&ctx.actor).await?;
    Ok(Json(VerificationDto {
        entries: v.entries,
        intact: v.broken_at.is_none(),
        broken_at: v.broken_at.as_ref().map(|b| b.0),
        reason: v.broken_at.map(|b| b.1),
    }))
}

#[utoipa::path(get, path = "/accounts", responses((status = 200, body = Vec<AccountDto>)))]
async fn accounts(State(s): State<AppState>, ctx: ApiCtx) -> ApiResult<Json<Vec<AccountDto>>> {
    Ok(Json(
        s.app
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
    State(s): State<AppState>,
    ctx: ApiCtx,
    Json(r): Json<AccountRequest>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let id = s.app.create_account(&ctx.actor, &account_input(r)).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[utoipa::path(put, path = "/accounts/{id}", params(("id" = i64, Path)), request_body = AccountRequest, responses((status = 204)))]
async fn update_account(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<AccountRequest>,
) -> ApiResult<impl IntoResponse> {
    s.app
        .update_account(&ctx.actor, id, &account_input(r))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
