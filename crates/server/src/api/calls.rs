//! A number revealed for one call of a task, and regions found by name or code.

use app::AppError;
use domain::calls::{CallTask, Callee, Purpose};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::extract::{Json, Query};
use crate::api::{ApiCtx, ApiResult, ErrorBody, paths};
use utoipa_axum::router::OpenApiRouter;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    paths!(call; regions)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    /// The kind of task the call serves; recorded as its purpose.
    pub purpose: Purpose,
    /// The screening campaign, the quarantine order or the delivery task.
    pub task_id: i64,
    /// The campaign's household; required for a screening campaign, ignored otherwise.
    #[serde(default)]
    pub household_id: Option<i64>,
    /// The resident to call; the household's own phone when absent.
    #[serde(default)]
    pub resident_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct CallDto {
    /// The full number, for this call only.
    pub phone: String,
    /// The number as a `tel:` address to dial.
    pub tel: String,
}

/// The full number of a household's phone or of one of its residents, for a call the caller
/// makes for one of their tasks (their team's screening household, an order under way, their
/// delivery). Audited as a sensitive read with the task as its purpose.
#[utoipa::path(post, path = "/calls", request_body = CallRequest, responses((status = 200, body = CallDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn call(ctx: ApiCtx, Json(r): Json<CallRequest>) -> ApiResult<Json<CallDto>> {
    let task = CallTask::from_parts(r.purpose, r.task_id, r.household_id)
        .ok_or_else(|| AppError::field("household_id", "required"))?;
    let tel = ctx
        .app
        .call(&ctx.actor, task, Callee::from_resident(r.resident_id))
        .await?;
    Ok(Json(CallDto {
        phone: tel.trim_start_matches("tel:").to_owned(),
        tel,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionParams {
    /// A place name in Chinese or English (武汉, wuhan), or the start of a GB/T 2260 code (4201).
    pub q: String,
}

#[derive(Serialize, ToSchema)]
pub struct RegionDto {
    /// The 6-digit GB/T 2260 code.
    pub code: String,
    /// The division's own name, e.g. 武汉市.
    pub name: String,
    /// The name with the levels above it, e.g. 武汉市 (湖北省).
    pub label: String,
    /// The division's own name in English, e.g. Wuhan, Wuchang District.
    pub name_en: String,
    /// The English name with the levels above it, e.g. Wuchang District (Hubei, Wuhan).
    pub label_en: String,
}

/// At most this many regions per search.
const REGIONS: usize = 20;

/// Regions (provinces, prefectures, counties) by name, Chinese or English, or code: an exact
/// name first, then names starting with the text, then names containing it; at most 20.
#[utoipa::path(get, path = "/regions", params(RegionParams), responses((status = 200, body = Vec<RegionDto>)))]
async fn regions(_ctx: ApiCtx, Query(p): Query<RegionParams>) -> ApiResult<Json<Vec<RegionDto>>> {
    Ok(Json(
        domain::region::search(&p.q, REGIONS)
            .into_iter()
            .map(|d| RegionDto {
                label: d.label(),
                label_en: d.label_en(),
                name: d.name.to_owned(),
                name_en: d.name_en.clone(),
                code: d.code,
            })
            .collect(),
    ))
}
