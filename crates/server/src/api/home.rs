//! A community's today: the figures its lead starts the day with, as the home page shows them.

use app::home::Today;
use domain::quarantine::Part;
use domain::registry::ImportStatus;
use serde::Serialize;
use store::home_counts::{Day, GridScreening};
use store::structure::Community;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::extract::{Json, Path};
use crate::api::{ApiCtx, ApiResult, ErrorBody, api_shape, paths};
use utoipa_axum::router::OpenApiRouter;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    paths!(today)
}

api_shape! {
    /// Checks of the slot of the moment.
    ChecksNowDto from c: app::home::ChecksNow {
        slot_date: String,
        part: Part,
        /// Active orders with a check recorded in the slot.
        recorded: i64,
        /// Active orders without one yet.
        missing: i64,
        /// Whether the slot's window has opened: before it, an unchecked order is due, not late.
        open: bool,
    }
}

api_shape! {
    /// The open screening campaign and its households per grid.
    ScreeningNowDto from s: app::home::ScreeningNow {
        campaign_id: i64,
        campaign_name: String,
        grids: Vec<GridScreening>,
    }
}

api_shape! {
    /// One of the community's latest imports.
    RecentImportDto from i: app::home::RecentImport {
        id: i64,
        file_name: String,
        status: ImportStatus,
        processed_rows: i64,
        total_rows: i64,
    }
}

/// A community's today. A figure is absent where the caller's role may not read the list
/// behind it.
#[derive(Serialize, ToSchema)]
pub struct TodayDto {
    pub community: Community,
    /// The community's local date.
    pub today: String,
    /// Residents in quarantine now.
    pub in_quarantine: Option<i64>,
    /// Residents whose quarantine ends today.
    pub ending_today: Option<i64>,
    pub checks: Option<ChecksNowDto>,
    pub open_fever_alerts: Option<i64>,
    pub open_missed_check_alerts: Option<i64>,
    pub screening: Option<ScreeningNowDto>,
    /// Deliveries due today and not yet delivered.
    pub deliveries_due: Option<i64>,
    /// Today's rubbish rounds.
    pub rubbish_rounds: Option<i64>,
    /// Doors today's rubbish rounds have not collected from yet.
    pub rubbish_doors_left: Option<i64>,
    pub recent_imports: Option<Vec<RecentImportDto>>,
    /// The last 14 days, oldest first: orders in and out, checks per slot, alerts raised.
    pub days: Vec<Day>,
}

impl From<Today> for TodayDto {
    fn from(d: Today) -> TodayDto {
        TodayDto {
            community: d.community,
            today: d.today,
            in_quarantine: d.quarantine.map(|q| q.in_quarantine),
            ending_today: d.quarantine.map(|q| q.ending_today),
            checks: d.checks.map(Into::into),
            open_fever_alerts: d.open_alerts.map(|a| a.fever),
            open_missed_check_alerts: d.open_alerts.map(|a| a.missed_check),
            screening: d.screening.map(Into::into),
            deliveries_due: d.deliveries_due,
            rubbish_rounds: d.rounds.map(|r| r.rounds),
            rubbish_doors_left: d.rounds.map(|r| r.doors_left),
            recent_imports: d
                .imports
                .map(|all| all.into_iter().map(Into::into).collect()),
            days: d.days,
        }
    }
}

/// The today of a community in the caller's jurisdiction, read from counts kept with every
/// write. A grid's or a building's worker reads their own lists, not the community's.
#[utoipa::path(get, path = "/communities/{id}/today", params(("id" = i64, Path)), responses((status = 200, body = TodayDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn today(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<TodayDto>> {
    let d = ctx.app.community_today(&ctx.actor, id).await?;
    Ok(Json(d.into()))
}
