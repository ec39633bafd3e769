//! Twice-daily check records, self-report links and alerts.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
