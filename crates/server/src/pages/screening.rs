//! Screening campaigns: questions, scope, sub-teams, households and attempts.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
