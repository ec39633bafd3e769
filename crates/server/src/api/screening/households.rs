//! The households of a campaign, one household, and its number for a call.

use app::screening::HouseholdQuery;
use domain::screening::{HouseholdState, Method, Outcome};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::extract::{Json, Path, Query};
use crate::api::{ApiCtx, ApiResult, ErrorBody, paths};
use crate::api::{ApiPage, api_page, api_shape, page_params};
use utoipa_axum::router::OpenApiRouter;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    paths!(households; household; household_phone)
}

api_shape! {
    /// A household of a campaign.
    // Not the stored row: the campaign and the position stay inside.
    CampaignHouseholdDto from h: store::screening::CampaignHousehold {
        #[serde(flatten)]
        address: store::registry::HouseholdAddress,
        /// Masked.
        phone: Option<String>,
        /// 0 when not assigned.
        team_id: i64,
        state: HouseholdState,
        attempts: i64,
        failed_attempts: i64,
        /// Residents whose answer matches a question.
        matched: i64,
        /// e.g. `call_no_answer`.
        last_contact: Option<String>,
        last_attempt_at: Option<i64>,
        /// The list key: pass as `after` to continue after this household.
        list_rank: i64,
    }
}

api_page! {
    CampaignHouseholdPage of CampaignHouseholdDto,
    next
}

page_params! {
    HouseholdParams {
        /// Only the caller's own teams' households.
        #[serde(default)]
        mine: bool,
        team_id: Option<i64>,
        grid_id: Option<i64>,
        building_id: Option<i64>,
        /// `open`, `unreachable` or `done`; open first when absent.
        state: Option<String>,
    },
    /// A `list_rank`.
    after
}

api_shape! {
    MemberDto from r: store::registry::Resident {
        resident_id: i64 = r.id,
        name: String = r.particulars.name,
        document_masked: String = r.particulars.document_masked,
        travel_status: String = r.particulars.travel_status.code().to_owned(),
        travel_origin: Option<String> = r.particulars.travel_origin,
        returned_on: Option<String> = r.particulars.returned_on,
    }
}

api_shape! {
    // Not the stored attempt: its campaign, household, team and account ids stay inside.
    AttemptDto from a: store::screening::Attempt {
        id: i64,
        method: Method,
        outcome: Outcome,
        /// Milliseconds since the Unix epoch.
        at: i64,
        account_name: String,
        state_after: HouseholdState,
        notes: String,
    }
}

#[derive(Serialize, ToSchema)]
pub struct CampaignHouseholdDetail {
    pub household: CampaignHouseholdDto,
    pub members: Vec<MemberDto>,
    /// Newest first.
    pub attempts: Vec<AttemptDto>,
    pub can_record: bool,
}

#[derive(Serialize, ToSchema)]
pub struct PhoneDto {
    pub phone: Option<String>,
}

/// Households of a campaign: open first, then by building, unit and room.
#[utoipa::path(get, path = "/screening-campaigns/{id}/households", operation_id = "campaign_households", params(("id" = i64, Path), HouseholdParams), responses((status = 200, body = CampaignHouseholdPage), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn households(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Query(p): Query<HouseholdParams>,
) -> ApiResult<Json<CampaignHouseholdPage>> {
    let page = p.page();
    let page = ctx
        .app
        .screening_households(
            &ctx.actor,
            id,
            &HouseholdQuery {
                mine: p.mine,
                team_id: p.team_id,
                grid_id: p.grid_id,
                building_id: p.building_id,
                state: p.state,
            },
            page,
        )
        .await?;
    Ok(CampaignHouseholdPage::of(page))
}

/// One household of a campaign with its members (masked) and attempts.
#[utoipa::path(get, path = "/screening-campaigns/{id}/households/{household_id}", operation_id = "campaign_household", params(("id" = i64, Path), ("household_id" = i64, Path)), responses((status = 200, body = CampaignHouseholdDetail), (status = 404, body = ErrorBody)))]
async fn household(
    ctx: ApiCtx,
    Path((id, household_id)): Path<(i64, i64)>,
) -> ApiResult<Json<CampaignHouseholdDetail>> {
    let v = ctx
        .app
        .screening_household(&ctx.actor, id, household_id)
        .await?;
    Ok(Json(CampaignHouseholdDetail {
        household: v.household.into(),
        members: v.members.into_iter().map(Into::into).collect(),
        attempts: v.attempts.into_iter().map(Into::into).collect(),
        can_record: v.can_record,
    }))
}

/// The household's full phone number for a call; audited as an unmasking.
#[utoipa::path(post, path = "/screening-campaigns/{id}/households/{household_id}/phone", params(("id" = i64, Path), ("household_id" = i64, Path)), responses((status = 200, body = PhoneDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn household_phone(
    ctx: ApiCtx,
    Path((id, household_id)): Path<(i64, i64)>,
) -> ApiResult<Json<PhoneDto>> {
    let phone = ctx
        .app
        .screening_household_phone(&ctx.actor, id, household_id)
        .await?;
    Ok(Json(PhoneDto { phone }))
}
