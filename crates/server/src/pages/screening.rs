//! Pages of screening campaigns: the campaigns of a community with the form to start one, a
//! campaign with its teams and assignments, the worker's phone list with a button per outcome,
//! a household with the answer form, the lead's progress, and the register exports.

mod attempts;
mod campaigns;
mod export;
mod households;
mod progress;
mod teams;

use app::AppError;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;

use crate::AppState;
use crate::i18n::Tr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(campaigns::routes())
        .merge(teams::routes())
        .merge(households::routes())
        .merge(attempts::routes())
        .merge(progress::routes())
        .merge(export::routes())
}

/// The one-tap outcomes that need no answer form, in the order a worker escalates.
const FAILED_OUTCOMES: [&str; 4] = [
    "call_no_answer",
    "call_refused",
    "visit_nobody_home",
    "notice_left",
];

/// Every message of an error, joined, in the user's language, each after its field's name
/// when the field has one (answers are shown next to their person instead).
fn joined(e: &AppError, t: Tr) -> String {
    match e {
        AppError::Validation(f) => {
            f.0.iter()
                .map(|x| {
                    let message = t.error(&x.code, &x.detail);
                    let label = t.of("field", &x.field);
                    if label == x.field {
                        message
                    } else {
                        format!("{label}: {message}")
                    }
                })
                .collect::<Vec<_>>()
                .join("; ")
        }
        other => t.error(other.code(), ""),
    }
}

fn with_status(mut res: Response, error: &str) -> Response {
    if !error.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

/// A form of repeated or dynamic fields, as name-value pairs.
fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}
