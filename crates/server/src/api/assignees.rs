//! Looking up the people a caller may assign (doctors, grid workers, volunteers) by name, so a
//! client can fill the account numbers the other requests take.

use axum::extract::State;
use domain::page::PageRequest;
use serde::Deserialize;
use store::accounts::Responsible;
use utoipa::IntoParams;

use super::extract::{Json, Query};
use super::{ApiCtx, ApiResult, ErrorBody};
use crate::AppState;
use crate::api::{ApiPage, api_page};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(assignees))
}

api_page! {
    AssigneePage of Responsible,
    /// Pass as `after` for the next page.
    next
}

#[derive(Deserialize, IntoParams)]
pub struct AssigneeParams {
    /// `doctor`, `grid_worker` or `volunteer`.
    pub role: String,
    /// The building the work is at, in the caller's jurisdiction.
    pub building_id: i64,
    /// A part of the name or username.
    pub q: Option<String>,
    pub after: Option<i64>,
    #[serde(default, deserialize_with = "crate::api::extract::page_limit")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// The active doctors, grid workers or volunteers whose jurisdiction covers a building, by id;
/// `q` searches their names. For whoever places orders or assigns tasks.
#[utoipa::path(get, path = "/assignees", params(AssigneeParams), responses((status = 200, body = AssigneePage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assignees(
    State(s): State<AppState>,
    ctx: ApiCtx,
    Query(p): Query<AssigneeParams>,
) -> ApiResult<Json<AssigneePage>> {
    let page = s
        .app
        .assignees(
            &ctx.actor,
            &p.role,
            p.building_id,
            p.q.as_deref().unwrap_or_default(),
            PageRequest::new(p.after, p.limit),
        )
        .await?;
    Ok(AssigneePage::of(page))
}
