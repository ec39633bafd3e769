//! Progress per team and grid.

use app::screening::Totals;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::api_shape;
use crate::api::extract::{Json, Path};
use crate::api::{ApiCtx, ApiResult, ErrorBody, paths};
use utoipa_axum::router::OpenApiRouter;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    paths!(progress)
}

api_shape! {
    TotalsDto from t: Totals {
        /// Team or grid id; team 0 is "not assigned".
        id: i64,
        name: String,
        households: i64,
        open: i64,
        unreachable: i64,
        done: i64,
        matched: i64,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProgressDto {
    pub teams: Vec<TotalsDto>,
    pub grids: Vec<TotalsDto>,
    pub total: TotalsDto,
}

/// Done, open and unreachable households and matching residents per team and grid.
#[utoipa::path(get, path = "/screening-campaigns/{id}/progress", params(("id" = i64, Path)), responses((status = 200, body = ProgressDto), (status = 404, body = ErrorBody)))]
async fn progress(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<ProgressDto>> {
    let p = ctx.app.screening_progress(&ctx.actor, id).await?;
    Ok(Json(ProgressDto {
        teams: p.teams.into_iter().map(Into::into).collect(),
        grids: p.grids.into_iter().map(Into::into).collect(),
        total: p.total.into(),
    }))
}
