//! The JSON API under `/api/v1`: every use case of the pages, with session-cookie or bearer-token
//! auth, errors as JSON with stable snake_case codes, documented by a generated OpenAPI document.

mod accounts;
mod assignees;
mod audit;
mod calls;
pub(crate) mod cases;
mod checks;
mod complaints;
pub mod extract;
mod gates;
mod home;
mod hotline;
mod imports;
mod notifications;
mod passes;
mod patch;
mod quarantine;
mod registry;
mod returns;
mod screening;
mod structure;
mod tasks;
mod tokens;

use app::{Actor, AppError, ErrorCode};
use axum::Json;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::page::Page;
use serde::Serialize;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::i18n::{Lang, Tr};
use crate::web::{self, SESSION_COOKIE};

use audit::AuditEntryDto;

#[derive(OpenApi)]
#[openapi(
    info(title = "Gridwatch API", version = "1", description = "The JSON API of Gridwatch. Authenticate with `Authorization: Bearer <token>` from `POST /api/v1/tokens`, or with the session cookie plus an `X-CSRF-Token` header."),
    servers((url = "/api/v1")),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

// The id of what a request created.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

/// The answer to a request that created one thing: 201 with its id.
pub type CreatedId = (StatusCode, extract::Json<Created>);

/// The answer to a request that created one thing, `id`.
pub fn created(id: i64) -> CreatedId {
    (StatusCode::CREATED, extract::Json(Created { id }))
}

/// A page of the API: items in the API's shape and the key to pass as `after` for the next one.
/// Each area declares its own page type (with its own schema name and wording), and the
/// `api_page!` declaration ties it to its item.
pub trait ApiPage: Sized {
    type Item;

    fn new(items: Vec<Self::Item>, next: Option<i64>) -> Self;

    /// A use case's page, each item turned into the API's shape.
    fn of<T: Into<Self::Item>>(page: Page<T>) -> extract::Json<Self> {
        let items = page.items.into_iter().map(Into::into).collect();
        extract::Json(Self::new(items, page.next))
    }
}

/// Declares a page type of the API (a struct of `items` and `next`, with its own schema name
/// and wording of `next`) and ties it to its item type.
macro_rules! api_page {
    ($page:ident of $item:ty, $(#[$next:meta])* next) => {
        #[derive(serde::Serialize, utoipa::ToSchema)]
        pub struct $page {
            pub items: Vec<$item>,
            $(#[$next])*
            pub next: Option<i64>,
        }

        impl $crate::api::ApiPage for $page {
            type Item = $item;

            fn new(items: Vec<$item>, next: Option<i64>) -> Self {
                $page { items, next }
            }
        }
    };
}
use api_page;

/// Declares the query parameters of a read by pages: the read's own filters, then `after` (the
/// key to continue from, with its own wording) and `limit` (1 to 500), read together by `page()`.
macro_rules! page_params {
    (
        $(#[$meta:meta])*
        $params:ident { $($(#[$field_meta:meta])* $field:ident: $ty:ty,)* },
        $(#[$after:meta])* after
    ) => {
        $(#[$meta])*
        #[derive(serde::Deserialize, utoipa::IntoParams)]
        pub struct $params {
            $($(#[$field_meta])* pub $field: $ty,)*
            $(#[$after])*
            pub after: Option<i64>,
            #[serde(default, deserialize_with = "crate::api::extract::page_limit")]
            #[param(minimum = 1, maximum = 500)]
            pub limit: Option<u32>,
        }

        impl $params {
            /// The page asked for.
            pub fn page(&self) -> domain::page::PageRequest {
                domain::page::PageRequest::new(self.after, self.limit)
            }
        }
    };
}
use page_params;

/// Declares a shape of the API that carries a stored row's (or a use case's) fields under the
/// same names, with its conversion from that row: each field is written once. A field given
/// `= value` is computed from the row, named before its type, rather than copied.
macro_rules! api_shape {
    (
        $(#[$meta:meta])*
        $shape:ident from $row:ident: $source:ty {
            $($(#[$field_meta:meta])* $field:ident: $ty:ty $(= $value:expr)?,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(serde::Serialize, utoipa::ToSchema)]
        pub struct $shape {
            $($(#[$field_meta])* pub $field: $ty,)*
        }

        impl From<$source> for $shape {
            fn from($row: $source) -> Self {
                $shape {
                    $($field: $crate::api::api_shape!(@value $row.$field $(, $value)?),)*
                }
            }
        }
    };
    (@value $copied:expr) => {
        $copied
    };
    (@value $copied:expr, $value:expr) => {
        $value
    };
}
use api_shape;

/// An area's paths as one router: each `;`-separated group is the handlers of one path,
/// whose `#[utoipa::path]` gives both the route and its documentation.
macro_rules! paths {
    ($($($handler:ident),+);+ $(;)?) => {
        utoipa_axum::router::OpenApiRouter::new()
            $(.routes(utoipa_axum::routes!($($handler),+)))+
    };
}
use paths;

page_params! {
    /// A read by pages with no filter of its own.
    PageParams {},
    after
}

/// Every operation of the API, declared once by each area: the route and its documentation
/// come from the same `#[utoipa::path]` of the handler.
fn operations() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(tokens::routes())
        .merge(structure::routes())
        .merge(registry::routes())
        .merge(imports::routes())
        .merge(audit::routes())
        .merge(calls::routes())
        .merge(cases::routes())
        .merge(accounts::routes())
        .merge(quarantine::routes())
        .merge(checks::routes())
        .merge(screening::routes())
        .merge(tasks::routes())
        .merge(assignees::routes())
        .merge(passes::routes())
        .merge(gates::routes())
        .merge(home::routes())
        .merge(returns::routes())
        .merge(hotline::routes())
        .merge(complaints::routes())
        .merge(notifications::routes())
}

pub fn routes() -> Router<AppState> {
    let (router, _) = operations().split_for_parts();
    router
        .route("/openapi.json", get(openapi))
        // Last, so that it covers every route above.
        .method_not_allowed_fallback(extract::method_not_allowed)
        .fallback(extract::no_route)
}

/// The whole API's document, built once from the operations.
fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: std::sync::LazyLock<utoipa::openapi::OpenApi> =
        std::sync::LazyLock::new(|| with_shared_responses(operations().into_openapi()));
    &DOCUMENT
}

/// The refusals any operation can answer, documented once as shared responses and referenced by
/// every operation that does not document its own: the API answers nothing it does not document.
const SHARED_RESPONSES: &[(&str, &str, bool)] = &[
    (
        "400",
        "The request body is not valid JSON (`malformed_json`).",
        true,
    ),
    (
        "401",
        "Not signed in, or the token is unknown (`unauthenticated`).",
        false,
    ),
    (
        "403",
        "The caller's role may not do this, or the CSRF header is missing (`forbidden`).",
        false,
    ),
    (
        "404",
        "Not found, or outside the caller's jurisdiction (`not_found`).",
        false,
    ),
    (
        "409",
        "A conflict with stored data: a stale version, a state that does not allow it, a row still referred to (`conflict`, `stale_version`, `reference_conflict`, ...).",
        false,
    ),
    (
        "413",
        "The request body is larger than the configured limit (`payload_too_large`).",
        true,
    ),
    (
        "415",
        "The request body is not sent as `application/json` (`unsupported_media_type`).",
        true,
    ),
    (
        "422",
        "A field or parameter does not fit: each is named in `error.fields` (`validation_failed`).",
        false,
    ),
    (
        "429",
        "Too many attempts; see `Retry-After` (`rate_limited`).",
        false,
    ),
    (
        "503",
        "The database is unavailable (`storage_unavailable`).",
        false,
    ),
];

fn with_shared_responses(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let components = doc.components.get_or_insert_with(Default::default);
    for (status, description, _) in SHARED_RESPONSES {
        let response = ResponseBuilder::new()
            .description(*description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build();
        components
            .responses
            .insert(format!("Error{status}"), RefOr::T(response));
    }
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            let has_body = op.request_body.is_some();
            for (status, _, needs_body) in SHARED_RESPONSES {
                if *needs_body && !has_body {
                    continue;
                }
                op.responses
                    .responses
                    .entry((*status).to_owned())
                    .or_insert_with(|| {
                        RefOr::Ref(Ref::from_response_name(format!("Error{status}")))
                    });
            }
        }
    }
    doc
}

async fn openapi() -> Json<&'static utoipa::openapi::OpenApi> {
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
    pub code: ErrorCode,
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

pub fn error_body(code: ErrorCode, message: &str, fields: Option<Vec<FieldErrorBody>>) -> Response {
    (
        web::status_of_code(code),
        Json(ErrorBody {
            error: ErrorDetail {
                code,
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
        let detail = match &self.error {
            AppError::RateLimited { retry_after_secs } => {
                domain::access::signin::wait_minutes(*retry_after_secs).to_string()
            }
            _ => String::new(),
        };
        let mut res = error_body(code, &self.t.error(code, &detail), fields);
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
/// requests that change something; with the application the handler asks on the caller's
/// behalf.
pub struct ApiCtx {
    pub actor: Actor,
    pub app: app::App,
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
                Some(actor) => Ok(ApiCtx {
                    actor,
                    app: state.app.clone(),
                }),
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
        Ok(ApiCtx {
            actor,
            app: state.app.clone(),
        })
    }
}
