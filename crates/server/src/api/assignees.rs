//! Looking up the people a caller may assign (doctors, grid workers, volunteers) by name, so a
//! client can fill the account numbers the other requests take.

use store::accounts::Responsible;

use super::extract::{Json, Query};
use super::{ApiCtx, ApiResult, ErrorBody};
use crate::AppState;
use crate::api::{ApiPage, api_page, page_params, paths};
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    paths!(assignees)
}

api_page! {
    AssigneePage of Responsible,
    /// Pass as `after` for the next page.
    next
}

page_params! {
    AssigneeParams {
        /// `doctor`, `grid_worker` or `volunteer`.
        role: String,
        /// The building the work is at, in the caller's jurisdiction.
        building_id: i64,
        /// A part of the name or username.
        q: Option<String>,
    },
    after
}

/// The active doctors, grid workers or volunteers whose jurisdiction covers a building, by id;
/// `q` searches their names. For whoever places orders or assigns tasks.
#[utoipa::path(get, path = "/assignees", params(AssigneeParams), responses((status = 200, body = AssigneePage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assignees(ctx: ApiCtx, Query(p): Query<AssigneeParams>) -> ApiResult<Json<AssigneePage>> {
    let page = ctx
        .app
        .assignees(
            &ctx.actor,
            &p.role,
            p.building_id,
            p.q.as_deref().unwrap_or_default(),
            p.page(),
        )
        .await?;
    Ok(AssigneePage::of(page))
}
