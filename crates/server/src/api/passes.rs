//! Checkpoint passes: issuing, reissuing and revoking them, their signed codes and personal
//! links, and the public keys any gate or outside verifier checks a pass with.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::checkpoint::{PassKind, PassState, StateReason};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiCtx, ApiResult, CreatedId, ErrorBody, created};
use crate::AppState;
use crate::api::extract::{Json, Path, Query};
use crate::api::{ApiPage, api_page, api_shape, page_params};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The media type of a COSE_KeySet (RFC 9052).
const COSE_KEY_SET: &str = "application/cose-key-set";

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pass_keys))
        .routes(routes!(rotate_pass_key))
        .routes(routes!(list_passes, issue_pass))
        .routes(routes!(issue_household_passes))
        .routes(routes!(pass))
        .routes(routes!(pass_code))
        .routes(routes!(reissue_pass))
        .routes(routes!(revoke_pass))
        .routes(routes!(pass_link))
}

api_shape! {
    /// A pass; times in ms since the Unix epoch.
    PassDto from p: store::passes::Pass {
        id: i64,
        /// `household`, `commuter` or `vehicle`.
        kind: PassKind,
        /// `live`, `suspended` (its household is sealed) or `revoked`.
        state: PassState,
        #[serde(flatten)]
        address: store::registry::HouseholdAddress,
        /// A commuter pass's holder.
        resident_id: Option<i64>,
        /// Masked.
        resident_name: Option<String> = p.resident_name.as_deref().map(domain::health::masked_name),
        plate: Option<String>,
        employer: Option<String>,
        /// ISO date of the employer's stamp.
        proof_stamped_on: Option<String>,
        /// Weekday digits (1 = Monday).
        valid_days: Option<String>,
        valid_hours: Option<String>,
        /// Exits allowed in `quota_days` days; 0: no limit.
        quota_exits: i64,
        quota_days: i64,
        issued_at: i64,
        expires_at: i64,
        /// Why it is suspended or revoked: `quarantine`, `lost`, `reissued`, `withdrawn`.
        state_reason: Option<StateReason>,
        replaces_id: Option<i64>,
        /// The colour a card and the gate show it in.
        colour: String = p.kind.colour().to_owned(),
    }
}

api_page! {
    PassPage of PassDto,
    /// Pass as `after` for the next page.
    next
}

page_params! {
    PassParams {
        /// `household`, `commuter` or `vehicle`.
        kind: Option<String>,
        /// `live`, `suspended` or `revoked`.
        state: Option<String>,
        household_id: Option<i64>,
        building_id: Option<i64>,
        grid_id: Option<i64>,
    },
    after
}

/// A new pass: `household` (household_id), `commuter` (resident_id and the employer's proof)
/// or `vehicle` (household_id and plate).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PassRequest {
    pub kind: String,
    pub household_id: Option<i64>,
    pub resident_id: Option<i64>,
    #[serde(default)]
    pub plate: String,
    #[serde(default)]
    pub employer: String,
    /// ISO date of the employer's stamp.
    #[serde(default)]
    pub proof_stamped_on: String,
    /// The caller saw the stamped proof.
    #[serde(default)]
    pub proof_checked: bool,
    /// Weekday digits, `12345` for Monday to Friday.
    #[serde(default)]
    pub valid_days: String,
    /// `07:00-19:00`.
    #[serde(default)]
    pub valid_hours: String,
}

/// Household passes for every household without one in the caller's jurisdiction, or in a
/// grid or building of it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PassBatchRequest {
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PassBatchDto {
    pub issued: u64,
}

#[derive(Serialize, ToSchema)]
pub struct PassCodeDto {
    /// What the pass's QR code holds: `GW1:` and a base45 COSE_Sign1 message.
    pub code: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// `lost` or `withdrawn`.
    pub reason: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct PassLinkDto {
    /// Shown once: the resident opens their pass at `/pass/{token}`.
    pub token: String,
    pub path: String,
}

/// Passes in the caller's jurisdiction, by key.
#[utoipa::path(get, path = "/passes", params(PassParams), responses((status = 200, body = PassPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_passes(ctx: ApiCtx, Query(p): Query<PassParams>) -> ApiResult<Json<PassPage>> {
    let coded = |field: &str, v: &Option<String>, known: bool| match v {
        Some(_) if !known => Err(app::AppError::field(field, "unknown_code")),
        _ => Ok(()),
    };
    let kind = p.kind.as_deref().map(PassKind::from_code);
    let state = p.state.as_deref().map(PassState::from_code);
    coded("kind", &p.kind, kind.flatten().is_some())?;
    coded("state", &p.state, state.flatten().is_some())?;
    let filter = store::passes::PassFilter {
        kind: kind.flatten(),
        state: state.flatten(),
        household_id: p.household_id,
        building_id: p.building_id,
        grid_id: p.grid_id,
    };
    let page = ctx.app.passes(&ctx.actor, &filter, p.page()).await?;
    Ok(PassPage::of(page))
}

/// Issues a pass; a second live or suspended pass of the kind for the same household, commuter
/// or car is refused (`pass_exists`).
#[utoipa::path(post, path = "/passes", request_body = PassRequest, responses((status = 201, body = super::Created), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issue_pass(ctx: ApiCtx, Json(r): Json<PassRequest>) -> ApiResult<CreatedId> {
    let missing = |field: &str| app::AppError::field(field, "required");
    let id = match PassKind::from_code(r.kind.trim()) {
        Some(PassKind::Household) => {
            let h = r.household_id.ok_or_else(|| missing("household_id"))?;
            ctx.app.issue_household_pass(&ctx.actor, h).await?
        }
        Some(PassKind::Vehicle) => {
            let h = r.household_id.ok_or_else(|| missing("household_id"))?;
            ctx.app.issue_vehicle_pass(&ctx.actor, h, &r.plate).await?
        }
        Some(PassKind::Commuter) => {
            let input = app::passes::issue::CommuterInput {
                resident_id: r.resident_id.ok_or_else(|| missing("resident_id"))?,
                employer: r.employer,
                proof_stamped_on: r.proof_stamped_on,
                proof_checked: r.proof_checked,
                valid_days: r.valid_days,
                valid_hours: r.valid_hours,
            };
            ctx.app.issue_commuter_pass(&ctx.actor, &input).await?
        }
        None => return Err(app::AppError::field("kind", "unknown_code").into()),
    };
    Ok(created(id))
}

/// Issues household passes to every household in the scope that has none.
#[utoipa::path(post, path = "/passes/batch", request_body = PassBatchRequest, responses((status = 200, body = PassBatchDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn issue_household_passes(
    ctx: ApiCtx,
    Json(r): Json<PassBatchRequest>,
) -> ApiResult<Json<PassBatchDto>> {
    let scope = app::passes::issue::IssueScope {
        grid_id: r.grid_id,
        building_id: r.building_id,
    };
    let issued = ctx.app.issue_household_passes(&ctx.actor, scope).await?;
    Ok(Json(PassBatchDto { issued }))
}

/// One pass.
#[utoipa::path(get, path = "/passes/{id}", params(("id" = i64, Path)), responses((status = 200, body = PassDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn pass(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<PassDto>> {
    Ok(Json(ctx.app.pass(&ctx.actor, id).await?.into()))
}

/// The signed code a pass's QR holds.
#[utoipa::path(get, path = "/passes/{id}/code", params(("id" = i64, Path)), responses((status = 200, body = PassCodeDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn pass_code(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<PassCodeDto>> {
    Ok(Json(PassCodeDto {
        code: ctx.app.pass_code(&ctx.actor, id).await?,
    }))
}

/// Replaces a lost pass: the old one is revoked at once, and a new one issued.
#[utoipa::path(post, path = "/passes/{id}/reissue", params(("id" = i64, Path)), responses((status = 201, body = super::Created), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn reissue_pass(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<CreatedId> {
    Ok(created(ctx.app.reissue_pass(&ctx.actor, id).await?))
}

/// Revokes a pass for good.
#[utoipa::path(post, path = "/passes/{id}/revoke", params(("id" = i64, Path)), request_body = RevokeRequest, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn revoke_pass(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<RevokeRequest>,
) -> ApiResult<StatusCode> {
    let why = StateReason::from_code(r.reason.trim())
        .ok_or_else(|| app::AppError::field("reason", "unknown_reason"))?;
    ctx.app.revoke_pass(&ctx.actor, id, why, &r.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Makes the resident's personal link to the pass (shown once; replaces the previous link).
#[utoipa::path(post, path = "/passes/{id}/link", params(("id" = i64, Path)), responses((status = 201, body = PassLinkDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn pass_link(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<(StatusCode, Json<PassLinkDto>)> {
    let token = ctx.app.create_pass_link(&ctx.actor, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(PassLinkDto {
            path: format!("/pass/{token}"),
            token,
        }),
    ))
}

/// The public keys passes are signed with, every version, as a COSE_KeySet of Ed25519 keys
/// with their key ids. Public: a gate fetches it once with network and then verifies passes
/// with none; any outside verifier can check a pass with it.
#[utoipa::path(get, path = "/passes/keys", responses((status = 200, description = "A COSE_KeySet (RFC 9052), CBOR", content_type = "application/cose-key-set", body = Vec<u8>)), security(()))]
async fn pass_keys(axum::extract::State(s): axum::extract::State<AppState>) -> ApiResult<Response> {
    let keys = s.app.pass_keys().await?;
    let bytes = keys
        .to_cose()
        .map_err(|_| app::AppError::Internal("the key set could not be encoded".to_owned()))?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, COSE_KEY_SET),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        bytes,
    )
        .into_response())
}

/// Starts signing new passes with a new version of the key (administrators; audited). Passes
/// signed before keep verifying: the old public key stays in the set.
#[utoipa::path(post, path = "/passes/keys/rotate", responses((status = 201, body = super::Created), (status = 403, body = ErrorBody)))]
async fn rotate_pass_key(ctx: ApiCtx) -> ApiResult<CreatedId> {
    Ok(created(ctx.app.rotate_pass_key(&ctx.actor).await?))
}
