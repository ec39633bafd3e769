//! Progress per team and grid.

use app::screening::Totals;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::extract::{Json, Path};
use crate::api::{ApiCtx, ApiResult, ErrorBody};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(progress))
}

#[derive(Serialize, ToSchema)]
pub struct TotalsDto {
    /// Team or grid id; team 0 is "not assigned".
    pub id: i64,
    pub name: String,
    pub households: i64,
    pub open: i64,
    pub unreachable: i64,
    pub done: i64,
    pub matched: i64,
}

impl From<Totals> for TotalsDto {
    fn from(t: Totals) -> Self {
        TotalsDto {
            id: t.id,
            name: t.name,
            households: t.households,
            open: t.open,
            unreachable: t.unreachable,
            done: t.done,
            matched: t.matched,
        }
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
