//! Screening campaigns: questions, scope, sub-teams, households and attempts.

mod attempts;
mod campaigns;
mod export;
mod households;
mod progress;
mod teams;

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(campaigns::routes())
        .merge(teams::routes())
        .merge(households::routes())
        .merge(attempts::routes())
        .merge(progress::routes())
        .merge(export::routes())
}
