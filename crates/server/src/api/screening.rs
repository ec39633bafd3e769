//! Screening campaigns: questions, scope, sub-teams, households and attempts.

mod attempts;
mod campaigns;
mod export;
mod households;
mod progress;
mod teams;

use axum::Router;
use utoipa::OpenApi;

use crate::AppState;

/// The screening part of the API document: each part's paths and the schemas they use.
pub struct Doc;

impl OpenApi for Doc {
    fn openapi() -> utoipa::openapi::OpenApi {
        let mut doc = campaigns::Doc::openapi();
        doc.merge(teams::Doc::openapi());
        doc.merge(households::Doc::openapi());
        doc.merge(attempts::Doc::openapi());
        doc.merge(progress::Doc::openapi());
        doc.merge(export::Doc::openapi());
        doc
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(campaigns::routes())
        .merge(teams::routes())
        .merge(households::routes())
        .merge(attempts::routes())
        .merge(progress::routes())
        .merge(export::routes())
}
