//! Supply-delivery tasks and rubbish rounds of home quarantine.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
