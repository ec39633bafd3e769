//! What every page request carries: the signed-in actor, the CSRF token, the language; and how
//! an application error becomes a page.

use app::{Actor, AppError, ErrorCode};
use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::i18n::{Lang, Tr};

pub const SESSION_COOKIE: &str = "gw_session";
pub const LANG_COOKIE: &str = "gw_lang";
pub const LOGIN_CSRF_COOKIE: &str = "gw_login_csrf";

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A Set-Cookie header value: HttpOnly and SameSite=Lax always, Secure when configured.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The language of an anonymous request: cookie, then Accept-Language, then Chinese.
pub fn request_lang(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::from_code)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept)
        })
        .unwrap_or_default()
}

/// A signed-in page request: who asks, in which language, and the application the page asks
/// on their behalf.
#[derive(Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub csrf: String,
    pub t: Tr,
    pub app: app::App,
    /// The community's control level, shown on every page of its workers.
    pub level: Option<domain::cases::ControlLevel>,
}

impl Ctx {
    /// Refuses a form whose CSRF token is not the session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), PageError> {
        if !token.is_empty() && constant_time_eq(token.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(self
                .err(AppError::Forbidden)
                .with_code(ErrorCode::CsrfFailed))
        }
    }

    /// An error met on a signed-in page: shown inside the menu of the reader's role, so a refusal
    /// or a missing record leaves them one tap from their work.
    pub fn err(&self, e: AppError) -> PageError {
        let mut p = PageError::new(e, self.t);
        p.chrome = Some(Box::new(self.chrome(self.t.get("error.title"))));
        p
    }

    pub fn chrome(&self, title: &str) -> Chrome {
        Chrome::signed_in(self, title)
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Finds the session of a request and leaves it in the request's extensions, where a page's
/// [`Form`] reads the CSRF token to compare.
async fn session_of(parts: &mut Parts, state: &AppState) -> Result<Option<Ctx>, Response> {
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    match state.app.session(token).await {
        Ok(Some((actor, csrf))) => {
            let lang = Lang::from_code(&actor.language).unwrap_or_default();
            let level = state.app.shown_control_level(&actor).await;
            let ctx = Ctx {
                level,
                actor,
                csrf,
                t: Tr::new(lang),
                app: state.app.clone(),
            };
            parts.extensions.insert(ctx.clone());
            Ok(Some(ctx))
        }
        Ok(None) => Ok(None),
        Err(e) => Err(PageError::new(e, Tr::new(request_lang(&parts.headers))).into_response()),
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match session_of(parts, state).await? {
            Some(c) => Ok(c),
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let target = format!("/login?next={}", urlencode(next));
                if parts.headers.contains_key("hx-request") {
                    // htmx follows a redirect inside the fragment; tell it to load the login page.
                    let mut r = StatusCode::UNAUTHORIZED.into_response();
                    if let Ok(v) = HeaderValue::from_str(&target) {
                        r.headers_mut().insert("hx-redirect", v);
                    }
                    return Err(r);
                }
                Err(Redirect::to(&target).into_response())
            }
        }
    }
}

impl OptionalFromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        session_of(parts, state).await
    }
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The frame around every page: title, user, navigation, language switch.
pub struct Chrome {
    pub t: Tr,
    pub title: String,
    pub csrf: String,
    pub user: Option<String>,
    pub role: String,
    pub show_registry: bool,
    pub show_quarantine: bool,
    pub show_checks: bool,
    pub show_tasks: bool,
    pub show_screening: bool,
    pub show_import: bool,
    pub show_audit: bool,
    pub show_accounts: bool,
    pub show_gates: bool,
    pub show_passes: bool,
    pub show_cases: bool,
    pub record_cases: bool,
    /// The code of the community's control level, when the page shows one.
    pub level: Option<&'static str>,
    pub show_returns: bool,
    /// The hotline's page for the role (the call log, or one's follow-ups); empty: none.
    pub hotline_path: &'static str,
    pub show_complaints: bool,
    pub path: String,
}

impl Chrome {
    pub fn signed_in(ctx: &Ctx, title: &str) -> Chrome {
        let r = ctx.actor.role;
        Chrome {
            t: ctx.t,
            title: title.to_owned(),
            csrf: ctx.csrf.clone(),
            user: Some(ctx.actor.display_name.clone()),
            role: ctx.t.of("role", r.code()),
            show_registry: r.can_view_registry(),
            show_quarantine: domain::quarantine::can_read(r),
            show_checks: domain::health::can_read_checks(r),
            show_tasks: domain::tasks::can_work(r) || domain::tasks::can_oversee(r),
            show_screening: domain::screening::can_read(r),
            show_import: r.can_import(),
            show_audit: r.can_read_audit(),
            show_accounts: r.can_manage_accounts(),
            show_gates: domain::checkpoint::can_manage_gates(r)
                || domain::checkpoint::can_read_passages(r)
                || domain::checkpoint::can_keep_gate(r),
            show_passes: domain::checkpoint::can_view_passes(r),
            show_cases: domain::cases::can_view(r),
            record_cases: domain::cases::can_record(r),
            level: ctx.level.map(|l| l.code()),
            show_returns: domain::returns::can_read(r),
            hotline_path: if domain::hotline::can_answer(r) || domain::hotline::can_read(r) {
                "/hotline"
            } else if domain::hotline::may_own_follow_up(r) {
                "/hotline/follow-ups"
            } else {
                ""
            },
            show_complaints: domain::complaints::can_read(r),
            path: String::new(),
        }
    }

    pub fn anonymous(t: Tr, title: &str, csrf: &str) -> Chrome {
        Chrome {
            t,
            title: title.to_owned(),
            csrf: csrf.to_owned(),
            user: None,
            role: String::new(),
            show_registry: false,
            show_quarantine: false,
            show_checks: false,
            show_tasks: false,
            show_screening: false,
            show_import: false,
            show_audit: false,
            show_accounts: false,
            show_gates: false,
            show_passes: false,
            show_cases: false,
            record_cases: false,
            level: None,
            show_returns: false,
            hotline_path: "",
            show_complaints: false,
            path: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    status: u16,
    message: String,
}

/// What a page request answers: the page, or the error page in the reader's language.
pub type PageResult = Result<Response, PageError>;

/// An application error on a page: the status of its kind and a message in the user's language.
pub struct PageError {
    error: AppError,
    t: Tr,
    code: Option<ErrorCode>,
    /// The signed-in reader's frame; the anonymous one when there is no session.
    chrome: Option<Box<Chrome>>,
}

impl PageError {
    pub fn new(error: AppError, t: Tr) -> PageError {
        PageError {
            error,
            t,
            code: None,
            chrome: None,
        }
    }

    fn with_code(mut self, code: ErrorCode) -> PageError {
        self.code = Some(code);
        self
    }
}

/// The HTTP status of an application error, for the pages and the API alike.
pub fn status_of(e: &AppError) -> StatusCode {
    status_of_code(e.code())
}

/// The one place where error codes become HTTP statuses.
pub fn status_of_code(code: ErrorCode) -> StatusCode {
    use ErrorCode as C;
    match code {
        C::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
        C::NotFound | C::NoSuchRoute => StatusCode::NOT_FOUND,
        C::Unauthenticated => StatusCode::UNAUTHORIZED,
        // A guard off shift may not act at the gate: a refusal of the role's reach, named.
        C::Forbidden | C::CsrfFailed | C::NotOnShift | C::NotOnDuty => StatusCode::FORBIDDEN,
        C::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        C::StorageUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        C::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        C::MalformedJson | C::MalformedBody => StatusCode::BAD_REQUEST,
        C::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        C::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        C::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        // A resident's self-report link that was revoked or whose order ended is gone for good.
        C::LinkRevoked | C::OrderEnded => StatusCode::GONE,
        C::Conflict
        | C::StaleVersion
        | C::ReferenceConflict
        | C::ConstraintConflict
        | C::IdempotencyKeyReused
        | C::LastAdmin
        | C::TransitionNotAllowed
        | C::OrderClosed
        | C::OrderNotActive
        | C::OrderNotStarted
        | C::SlotFilled
        | C::NoLiveLink
        | C::AlertTransitionNotAllowed
        | C::CampaignClosed
        | C::CampaignNotOpen
        | C::TaskStepNotAllowed
        | C::TaskChanged
        | C::TaskClosed
        | C::RoundDone
        | C::RoundNotYetOpen
        | C::StopsPending
        | C::PassRevoked
        | C::CaseNotSuspected
        | C::CaseNotConfirmed
        | C::FollowUpDone
        | C::ComplaintStepNotAllowed => StatusCode::CONFLICT,
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = status_of(&self.error);
        if status.is_server_error() {
            tracing::error!(error = %self.error, "request failed");
        }
        let code = self.code.unwrap_or(self.error.code());
        let message = match &self.error {
            AppError::Validation(fields) => fields
                .0
                .iter()
                .map(|f| {
                    format!(
                        "{}: {}",
                        self.t.of("field", &f.field),
                        self.t.error(&f.code, &f.detail)
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            _ => self.t.error(code, ""),
        };
        let c = match self.chrome {
            Some(c) => *c,
            None => Chrome::anonymous(self.t, self.t.get("error.title"), ""),
        };
        let page = ErrorPage {
            c,
            status: status.as_u16(),
            message,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => status.into_response(),
        }
    }
}

/// Renders a template, turning a template failure into a 500.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Field errors of a form, looked up by the template per field.
#[derive(Default, Clone)]
pub struct FormErrors {
    pub items: Vec<(String, String)>,
}

impl FormErrors {
    pub fn from_app(e: &AppError, t: Tr) -> FormErrors {
        match e {
            AppError::Validation(f) => FormErrors {
                items: f
                    .0
                    .iter()
                    .map(|x| (x.field.clone(), t.error(&x.code, &x.detail)))
                    .collect(),
            },
            other => FormErrors {
                items: vec![("_form".to_owned(), t.error(other.code(), ""))],
            },
        }
    }

    pub fn get(&self, field: &str) -> &str {
        self.items
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .unwrap_or("")
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Adds the message of `code` for `field`, for a refusal the page itself finds.
    pub fn add(&mut self, t: Tr, field: &str, code: &str, detail: &str) {
        self.items.push((field.to_owned(), t.error(code, detail)));
    }

    /// The attributes of a field's input: marked invalid and described by its message (the
    /// element `field_error` in `form_fields.html` renders) when the field was refused, none
    /// otherwise. Field names are the program's own, never typed text.
    pub fn attrs(&self, field: &str) -> String {
        if self.get(field).is_empty() {
            String::new()
        } else {
            format!(
                r#"aria-invalid="true" aria-describedby="{}""#,
                error_id(field)
            )
        }
    }

    /// The id of the element holding a field's message.
    pub fn id(&self, field: &str) -> String {
        error_id(field)
    }

    /// The messages no input of the form carries, the form's fields `shown` (separated by
    /// spaces): a refusal of the whole form, and those of fields the form does not show, each
    /// named by its field in the reader's language.
    pub fn others(&self, t: &Tr, shown: &str) -> Vec<String> {
        let shown: Vec<&str> = shown.split_whitespace().collect();
        self.items
            .iter()
            .filter(|(f, _)| !shown.contains(&f.as_str()))
            .map(|(f, m)| {
                if f == "_form" {
                    m.clone()
                } else {
                    format!("{}: {m}", t.of("field", f))
                }
            })
            .collect()
    }
}

/// The id of the element holding a field's error message.
pub fn error_id(field: &str) -> String {
    let safe: String = field
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("error-{safe}")
}

impl FormErrors {
    /// All messages on one line, for a page that shows a refused form's errors in one place.
    pub fn joined(&self) -> String {
        self.items
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Renders a page holding a form: 422 when it comes back refused, so a client can tell a form
/// shown again from a form shown first.
pub fn render_form(t: &impl Template, refused: bool) -> Response {
    let mut res = render(t);
    if refused && res.status() == StatusCode::OK {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

/// A form posted from a signed-in page: axum's `Form`, read once its `csrf` field was found to
/// be the session's, so that no handler can forget the check. It comes after `Ctx` among a
/// handler's extractors; a form refused by its content type, size or shape is refused as axum's.
pub struct Form<T>(pub T);

/// A posted form with no field beyond its CSRF token: a button.
#[derive(Deserialize)]
pub struct NoFields {}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Form<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let again = || Request::from_parts(parts.clone(), Body::from(bytes.clone()));
        let axum::Form(form) = axum::Form::<T>::from_request(again(), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let axum::Form(token) = axum::Form::<CsrfField>::from_request(again(), state)
            .await
            .map_err(IntoResponse::into_response)?;
        match parts.extensions.get::<Ctx>() {
            Some(ctx) => ctx
                .check_csrf(&token.csrf)
                .map_err(IntoResponse::into_response)?,
            None => return Err(StatusCode::FORBIDDEN.into_response()),
        }
        Ok(Form(form))
    }
}

/// A page request that ends by sending the browser elsewhere.
pub fn redirect(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// What a submitted form leads to: the page `done` names when the step was taken; the form
/// again, with what was typed and why it was refused, when `shown_on_form` says the refusal is
/// the user's to read there ([`invalid`] or [`invalid_or_conflicting`]); the error page for any
/// other failure.
pub async fn after_submit<T, Again>(
    ctx: &Ctx,
    outcome: Result<T, AppError>,
    shown_on_form: fn(&AppError) -> bool,
    done: impl FnOnce(T) -> String,
    again: impl FnOnce(FormErrors) -> Again,
) -> PageResult
where
    Again: Future<Output = PageResult>,
{
    match outcome {
        Ok(v) => Ok(redirect(&done(v))),
        Err(e) if shown_on_form(&e) => again(FormErrors::from_app(&e, ctx.t)).await,
        Err(e) => Err(ctx.err(e)),
    }
}

/// What a step taken from a page leads to: the page `to` names once it was taken, the error page
/// when it was refused.
pub fn after_step<T>(ctx: &Ctx, outcome: Result<T, AppError>, to: &str) -> PageResult {
    outcome.on_page(ctx)?;
    Ok(redirect(to))
}

/// The input did not pass.
pub fn invalid(e: &AppError) -> bool {
    matches!(e, AppError::Validation(_))
}

/// The input did not pass, or the record's state moved on since the form was shown: the user
/// reads why on the form and chooses again.
pub fn invalid_or_conflicting(e: &AppError) -> bool {
    matches!(e, AppError::Validation(_) | AppError::Conflict { .. })
}

/// The media type of an Excel workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file the browser saves under `file_name` rather than shows.
pub fn download(mime: &str, file_name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// An application result met on a page: its error becomes the page error, in the reader's
/// language.
pub trait OnPage<T> {
    fn on_page(self, ctx: &Ctx) -> Result<T, PageError>;
}

impl<T> OnPage<T> for Result<T, AppError> {
    fn on_page(self, ctx: &Ctx) -> Result<T, PageError> {
        self.map_err(|e| ctx.err(e))
    }
}

/// A page address that names no page: the error page, inside the menu when signed in.
pub async fn no_page(headers: HeaderMap, ctx: Option<Ctx>) -> Response {
    match ctx {
        Some(ctx) => ctx.err(AppError::NotFound).into_response(),
        None => PageError::new(AppError::NotFound, Tr::new(request_lang(&headers))).into_response(),
    }
}
