//! Screening campaigns: questions, scope, sub-teams, households and attempts.

use axum::Router;
use utoipa::OpenApi;

use crate::AppState;

#[derive(OpenApi)]
#[openapi()]
pub struct Doc;

pub fn routes() -> Router<AppState> {
    Router::new()
}
