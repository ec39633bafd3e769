//! The register: households, and the kept counts of a community.

mod residents;

use app::registry::HouseholdInput;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use store::registry::HouseholdFilter;
use utoipa::ToSchema;

use super::extract::{Json, Path, Query};
use super::{ApiCtx, ApiResult, Created, CreatedId, ErrorBody, created};
use crate::AppState;
use crate::api::{ApiPage, api_page, api_shape, page_params, paths};
use residents::ResidentDto;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    paths!(community_summary; households, create_household; household, update_household)
        .merge(residents::routes())
}

api_page! {
    HouseholdPage of store::registry::Household,
    /// Pass as `after` for the next page.
    next
}

#[derive(Serialize, ToSchema)]
pub struct HouseholdDetail {
    pub household: store::registry::Household,
    pub members: Vec<ResidentDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdRequest {
    pub building_id: i64,
    pub unit: String,
    pub room: String,
    #[serde(default)]
    pub phone: String,
}

/// The details to change; an absent field stays as it is.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdUpdate {
    /// A mobile number; empty or `null` to clear.
    #[serde(default, deserialize_with = "super::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// A member of the household; `null` for nobody.
    #[serde(default, deserialize_with = "super::patch::double_option")]
    #[schema(value_type = Option<i64>)]
    pub head_resident_id: Option<Option<i64>>,
}

page_params! {
    HouseholdParams {
        grid_id: Option<i64>,
        building_id: Option<i64>,
        room: Option<String>,
    },
    after
}

api_shape! {
    // The stored figures with the grid's name beside them: the handler names a grid's; the
    // total's name stays empty.
    GridFigures from f: store::counts::GridSummary {
        grid_id: i64,
        grid_name: String = String::new(),
        residents: i64,
        households: i64,
        stayed_in_city: i64,
        returned: i64,
        not_yet_returned: i64,
        registered: i64,
        resident_only: i64,
        vulnerable: i64,
    }
}

#[derive(Serialize, ToSchema)]
pub struct SummaryDto {
    pub grids: Vec<GridFigures>,
    pub total: GridFigures,
}

/// Residents per grid and register, households and vulnerable residents, from kept counts.
#[utoipa::path(get, path = "/communities/{id}/summary", params(("id" = i64, Path)), responses((status = 200, body = SummaryDto)))]
async fn community_summary(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<SummaryDto>> {
    let sm = ctx.app.registry_summary(&ctx.actor, id).await?;
    Ok(Json(SummaryDto {
        grids: sm
            .grids
            .into_iter()
            .map(|(grid_name, f)| GridFigures {
                grid_name,
                ..f.into()
            })
            .collect(),
        total: sm.total.into(),
    }))
}

/// Households in the caller's jurisdiction, by key.
#[utoipa::path(get, path = "/households", params(HouseholdParams), responses((status = 200, body = HouseholdPage)))]
async fn households(
    ctx: ApiCtx,
    Query(p): Query<HouseholdParams>,
) -> ApiResult<Json<HouseholdPage>> {
    let page = p.page();
    let filter = HouseholdFilter {
        grid_id: p.grid_id,
        building_id: p.building_id,
        room: p.room,
    };
    let page = ctx.app.households(&ctx.actor, &filter, page).await?;
    Ok(HouseholdPage::of(page))
}

#[utoipa::path(post, path = "/households", request_body = HouseholdRequest, responses((status = 201, body = Created), (status = 422, body = ErrorBody)))]
async fn create_household(ctx: ApiCtx, Json(r): Json<HouseholdRequest>) -> ApiResult<CreatedId> {
    let id = ctx
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
    Ok(created(id))
}

#[utoipa::path(get, path = "/households/{id}", params(("id" = i64, Path)), responses((status = 200, body = HouseholdDetail), (status = 404, body = ErrorBody)))]
async fn household(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<HouseholdDetail>> {
    let (h, members) = ctx.app.household(&ctx.actor, id).await?;
    Ok(Json(HouseholdDetail {
        household: h,
        members: members.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(patch, path = "/households/{id}", params(("id" = i64, Path)), request_body = HouseholdUpdate, responses((status = 204)))]
async fn update_household(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<HouseholdUpdate>,
) -> ApiResult<StatusCode> {
    ctx.app
        .patch_household(
            &ctx.actor,
            id,
            r.phone.as_ref().map(|p| p.as_deref().unwrap_or_default()),
            r.head_resident_id,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
