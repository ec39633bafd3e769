//! The JSON API under `/api/v1`: every use case of the pages, with session-cookie or bearer-token
//! auth, errors as JSON with stable snake_case codes, documented by a generated OpenAPI document.

mod assignees;
mod checks;
mod dto;
mod handlers;
mod patch;
mod quarantine;
mod screening;
mod tasks;

use app::{Actor, AppError};
use axum::Json;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use utoipa::OpenApi;

use crate::AppState;
use crate::i18n::{Lang, Tr};
use crate::web::{self, SESSION_COOKIE};

pub use dto::*;
pub use quarantine::{
    CreatedMany, QuarantineOrderDetail, QuarantineOrderDto, QuarantineOrderPage, QuarantineStateDto,
};

pub fn routes() -> Router<AppState> {
    handlers::routes()
        .merge(quarantine::routes())
        .merge(checks::routes())
        .merge(screening::routes())
        .merge(tasks::routes())
        .merge(assignees::routes())
        .route("/openapi.json", get(openapi))
}

/// The whole API's document: the registry's and each area's, merged.
fn document() -> utoipa::openapi::OpenApi {
    let mut doc = handlers::ApiDoc::openapi();
    doc.merge(quarantine::Doc::openapi());
    doc.merge(checks::Doc::openapi());
    doc.merge(screening::Doc::openapi());
    doc.merge(tasks::Doc::openapi());
    doc.merge(assignees::Doc::openapi());
    doc
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

/// The OpenAPI document as JSON text (for the snapshot test and `gridwatch` tooling).
pub fn openapi_json() -> String {
    document().to_pretty_json().unwrap_or_default()
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `validation_failed`, `not_found`, `forbidden`.
    pub code: String,
    /// A message in the caller's language.
    pub message: String,
    /// Field errors of a validation failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldErrorBody>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub code: String,
    pub message: String,
}

pub fn error_body(
    status: StatusCode,
    code: &str,
    message: &str,
    fields: Option<Vec<FieldErrorBody>>,
) -> Response {
    (
        status,
        Json(ErrorBody {
            error: ErrorDetail {
                code: code.to_owned(),
                message: message.to_owned(),
                fields,
            },
        }),
    )
        .into_response()
}

/// An application error as a JSON response.
pub struct ApiError {
    error: AppError,
    t: Tr,
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError {
            error,
            t: Tr::new(Lang::En),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = web::status_of(&self.error);
        if status.is_server_error() {
            tracing::error!(error = %self.error, "api request failed");
        }
        let fields = match &self.error {
            AppError::Validation(f) => Some(
                f.0.iter()
                    .map(|e| FieldErrorBody {
                        field: e.field.clone(),
                        code: e.code.clone(),
                        message: self.t.error(&e.code, &e.detail),
                    })
                    .collect(),
            ),
            _ => None,
        };
        let code = self.error.code();
        let mut res = error_body(status, code, &self.t.error(code, ""), fields);
        if let AppError::RateLimited { retry_after_secs } = self.error
            && let Ok(v) = retry_after_secs.to_string().parse()
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The caller of an API request: a bearer token, or a session cookie with the CSRF header on
/// requests that change something.
pub struct ApiCtx {
    pub actor: Actor,
}

impl FromRequestParts<AppState> for ApiCtx {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if let Some(token) = bearer {
            return match state.app.bearer(token.trim()).await? {
                Some(actor) => Ok(ApiCtx { actor }),
                None => Err(AppError::Unauthenticated.into()),
            };
        }
        let Some(token) = web::cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(AppError::Unauthenticated.into());
        };
        let Some((actor, csrf)) = state.app.session(token).await? else {
            return Err(AppError::Unauthenticated.into());
        };
        if !matches!(parts.method, Method::GET | Method::HEAD) {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !web::constant_time_eq(sent.as_bytes(), csrf.as_bytes()) {
                return Err(AppError::Forbidden.into());
            }
        }
        Ok(ApiCtx { actor })
    }
}
