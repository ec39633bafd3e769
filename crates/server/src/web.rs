//! What every page request carries: the signed-in actor, the CSRF token, the language; and how
//! an application error becomes a page.

use app::{Actor, AppError, ErrorCode};
use askama::Template;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::AppState;
use crate::i18n::{Lang, Tr};

mod form;
mod path;
mod public;

pub use form::{
    Form, FormErrors, NoFields, after_step, after_submit, building_suggestions, error_id, invalid,
    invalid_or_conflicting, render_form,
};
pub use path::Path;
pub use public::{Visitor, render_with_csrf};

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

    /// A local time typed in a form (`YYYY-MM-DDTHH:MM`, as a datetime-local input sends it)
    /// as a moment (ms); `None` when it is not one.
    pub fn local_instant(&self, text: &str) -> Option<i64> {
        let local = text.trim().parse::<jiff::civil::DateTime>().ok()?;
        self.app.instant_ms(local).ok()
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Keeps an answer that holds a secret (a number revealed, a link's token) out of caches.
pub fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Sends the phone to dial `tel`, a number revealed for this call: the browser hands the
/// `tel:` address to the phone, and the page stays.
pub fn dial(ctx: &Ctx, tel: &str) -> PageResult {
    let location = HeaderValue::from_str(tel).map_err(|_| ctx.err(AppError::NotFound))?;
    Ok(no_store(
        (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
    ))
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
            show_tasks: domain::tasks::can_read(r),
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
            AppError::Validation(_) => {
                FormErrors::from_app(&self.error, self.t).named(&self.t, "; ")
            }
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

/// A page request that ends by sending the browser elsewhere.
pub fn redirect(to: &str) -> Response {
    Redirect::to(to).into_response()
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
