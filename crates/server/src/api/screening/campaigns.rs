//! Campaigns: listing, creating, reading, opening and closing them.

use app::screening::CampaignInput;
use domain::screening::CampaignState;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::extract::{Json, Path, Query};
use crate::api::{ApiCtx, ApiResult, Created, CreatedId, ErrorBody, created, paths};
use crate::api::{ApiPage, api_page, api_shape, page_params};
use utoipa_axum::router::OpenApiRouter;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    paths!(campaigns, create_campaign; campaign; campaign_state)
}

api_shape! {
    /// A screening campaign.
    // Not the stored campaign: its questions come apart in the detail, its marks stay inside.
    CampaignDto from c: store::screening::Campaign {
        id: i64,
        community_id: i64,
        name: String,
        state: CampaignState,
        whole_community: bool,
        /// Failed attempts after which a household counts as unreachable.
        unreachable_after: i64,
        created_by: i64,
        created_at: i64,
    }
}

api_page! {
    CampaignPage of CampaignDto,
    /// Pass as `after` for the next page (campaigns are newest first).
    next
}

/// "Returned from `region` since `since`?"
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionDto {
    /// GB/T 2260 code or prefix: `42`, `4201`, `420106`.
    pub region: String,
    /// ISO date.
    pub since: String,
}

#[derive(Serialize, ToSchema)]
pub struct TeamDto {
    pub id: i64,
    pub name: String,
    /// Account ids.
    pub members: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignDetail {
    pub campaign: CampaignDto,
    pub questions: Vec<QuestionDto>,
    /// Empty when the scope is the whole community.
    pub grid_ids: Vec<i64>,
    pub teams: Vec<TeamDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignRequest {
    pub community_id: i64,
    pub name: String,
    pub questions: Vec<QuestionDto>,
    /// Empty or absent for the whole community.
    #[serde(default)]
    pub grid_ids: Vec<i64>,
    /// 1 to 10; 3 when absent.
    pub unreachable_after: Option<u8>,
}

page_params! {
    CampaignParams {
        community_id: Option<i64>,
    },
    after
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignStateRequest {
    /// `open` or `closed`.
    pub state: String,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignStateDto {
    pub state: String,
}

/// Campaigns in the caller's jurisdiction, newest first.
#[utoipa::path(get, path = "/screening-campaigns", params(CampaignParams), responses((status = 200, body = CampaignPage), (status = 403, body = ErrorBody)))]
async fn campaigns(ctx: ApiCtx, Query(p): Query<CampaignParams>) -> ApiResult<Json<CampaignPage>> {
    let page = ctx
        .app
        .screening_campaigns(&ctx.actor, p.community_id, p.page())
        .await?;
    Ok(CampaignPage::of(page))
}

/// Creates a campaign in draft with every household of its scope.
#[utoipa::path(post, path = "/screening-campaigns", request_body = CampaignRequest, responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_campaign(ctx: ApiCtx, Json(r): Json<CampaignRequest>) -> ApiResult<CreatedId> {
    let input = CampaignInput {
        name: r.name,
        questions: r
            .questions
            .into_iter()
            .map(|q| (q.region, q.since))
            .collect(),
        grid_ids: r.grid_ids,
        unreachable_after: r
            .unreachable_after
            .map(|n| n.to_string())
            .unwrap_or_default(),
    };
    let id = ctx
        .app
        .create_campaign(&ctx.actor, r.community_id, &input)
        .await?;
    Ok(created(id))
}

/// A campaign with its questions, scope and teams.
#[utoipa::path(get, path = "/screening-campaigns/{id}", params(("id" = i64, Path)), responses((status = 200, body = CampaignDetail), (status = 404, body = ErrorBody)))]
async fn campaign(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<CampaignDetail>> {
    let v = ctx.app.screening_campaign(&ctx.actor, id).await?;
    Ok(Json(CampaignDetail {
        questions: v
            .questions
            .iter()
            .map(|q| QuestionDto {
                region: q.region.as_str().to_owned(),
                since: q.since.to_string(),
            })
            .collect(),
        grid_ids: v.grid_ids,
        teams: v
            .teams
            .into_iter()
            .map(|t| TeamDto {
                id: t.id,
                name: t.name,
                members: t.members.iter().map(|m| m.account_id).collect(),
            })
            .collect(),
        campaign: v.campaign.into(),
    }))
}

/// Opens a draft campaign or closes an open one.
#[utoipa::path(post, path = "/screening-campaigns/{id}/state", params(("id" = i64, Path)), request_body = CampaignStateRequest, responses((status = 200, body = CampaignStateDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn campaign_state(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<CampaignStateRequest>,
) -> ApiResult<Json<CampaignStateDto>> {
    let state = ctx
        .app
        .transition_campaign(&ctx.actor, id, &r.state)
        .await?;
    Ok(Json(CampaignStateDto {
        state: state.code().to_owned(),
    }))
}
