//! Twice-daily check records, self-report links and alerts.

use axum::Router;
use utoipa::OpenApi;

use crate::AppState;

#[derive(OpenApi)]
#[openapi()]
pub struct Doc;

pub fn routes() -> Router<AppState> {
    Router::new()
}
