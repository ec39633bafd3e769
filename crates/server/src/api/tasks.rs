//! Supply-delivery tasks and rubbish rounds of home quarantine.

use axum::Router;
use utoipa::OpenApi;

use crate::AppState;

#[derive(OpenApi)]
#[openapi()]
pub struct Doc;

pub fn routes() -> Router<AppState> {
    Router::new()
}
