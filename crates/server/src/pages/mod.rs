//! The HTML pages.

mod accounts;
mod audit;
pub(crate) mod calls;
pub(crate) mod cases;
pub(crate) mod checks;
mod complaints;
pub(crate) mod gate_scan;
mod gates;
mod home;
mod hotline;
pub(crate) mod imports;
pub(crate) mod notifications;
mod passes;
pub(crate) mod quarantine;
pub(crate) mod registry;
mod returns;
mod screening;
mod structure;
mod tasks;
mod tokens;

pub(crate) use home::home_with;
pub(crate) use registry::{download, local_time as registry_time};

/// A page's title for one home: the page's name, then the building, unit and room.
pub(crate) fn home_title(page: &str, building: &str, unit: &str, room: &str) -> String {
    format!("{page} · {building} {unit} {room}")
}

use std::net::SocketAddr;

use app::AppError;
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::AppState;
use crate::i18n::{Lang, Tr};
use crate::web::{
    self, Chrome, Ctx, LANG_COOKIE, LOGIN_CSRF_COOKIE, NoFields, OnPage, PageResult,
    SESSION_COOKIE, Visitor, set_cookie,
};
use crate::web_headers::ClientIp;

/// The grids a filter offers: those of the account's communities when it has a few; beyond
/// that the list would be long and costly, the grid's own page leads to its lists, and a grid
/// in the address still filters.
pub(crate) async fn grids_to_pick(
    ctx: &Ctx,
) -> Result<Vec<store::structure::Grid>, web::PageError> {
    let communities = ctx.app.communities(&ctx.actor).await.on_page(ctx)?;
    let mut grids = Vec::new();
    if communities.len() <= 5 {
        for c in &communities {
            grids.extend(ctx.app.grids(&ctx.actor, c.id).await.on_page(ctx)?);
        }
    }
    Ok(grids)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang", post(switch_lang))
        .route("/communities", post(structure::create_community))
        .merge(structure::routes())
        .merge(registry::routes())
        .merge(imports::routes())
        .merge(accounts::routes())
        .merge(audit::routes())
        .merge(calls::routes())
        .merge(quarantine::routes())
        .merge(checks::routes())
        .merge(screening::routes())
        .merge(tasks::routes())
        .merge(tokens::routes())
        .merge(gates::routes())
        .merge(passes::routes())
        .merge(cases::routes())
        .merge(gate_scan::routes())
        .merge(returns::routes())
        .merge(hotline::routes())
        .merge(complaints::routes())
        .merge(notifications::routes())
}

/// Names the limit when a request body was too large, instead of a bare 413.
pub async fn limit_notice(State(limit): State<usize>, req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let lang = web::request_lang(req.headers());
    let res = next.run(req).await;
    if res.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return res;
    }
    let mb = limit / (1024 * 1024);
    let t = Tr::new(lang);
    let message = t.error("payload_too_large", &mb.to_string());
    if is_api {
        crate::api::error_body(app::ErrorCode::PayloadTooLarge, &message, None)
    } else {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            message,
        )
            .into_response()
    }
}

async fn home(ctx: Ctx) -> PageResult {
    home_with(&ctx, String::new()).await
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    login_csrf: String,
    next: String,
    username: String,
    error: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only a path of this site may follow a login, never another site.
fn safe_next(next: Option<&str>) -> String {
    domain::access::signin::safe_next(next.unwrap_or("/")).to_owned()
}

fn login_response(
    t: Tr,
    next: String,
    username: String,
    error: String,
    status: StatusCode,
) -> Response {
    // A login form carries its own CSRF token, matched against a cookie (no session exists yet).
    let token = app::crypto::new_token();
    let page = LoginPage {
        c: Chrome::anonymous(t, t.get("login.title"), ""),
        login_csrf: token.clone(),
        next,
        username,
        error,
    };
    web::render_with_csrf(&page, status, LOGIN_CSRF_COOKIE, &token)
}

async fn login_page(v: Visitor, Query(q): Query<NextQuery>, ctx: Option<Ctx>) -> Response {
    if ctx.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    login_response(
        v.t,
        safe_next(q.next.as_deref()),
        String::new(),
        String::new(),
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    csrf: String,
}

/// The client's address for the login limit: from the trusted proxy header when one is
/// configured, else the socket's peer, else `local` (in-process calls).
pub(crate) struct ClientAddr(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(match parts.extensions.get::<ClientIp>() {
            Some(ip) => ip.0.clone(),
            None => parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "local".to_owned()),
        }))
    }
}

async fn login(
    State(s): State<AppState>,
    client: ClientAddr,
    v: Visitor,
    Form(f): Form<LoginForm>,
) -> Response {
    let t = v.t;
    let next = safe_next(Some(&f.next));
    if !v.csrf_ok(LOGIN_CSRF_COOKIE, &f.csrf) {
        return login_response(
            t,
            next,
            f.username,
            t.error("csrf_failed", ""),
            StatusCode::FORBIDDEN,
        );
    }
    match s.app.login(&f.username, &f.password, &client.0).await {
        Ok(mut session) => {
            // A language picked on the login page carries into the account.
            if let Some(lang) = web::cookie(&v.headers, LANG_COOKIE).and_then(Lang::from_code)
                && lang.code() != session.actor.language
                && s.app
                    .set_language(&session.actor, lang.code())
                    .await
                    .is_ok()
            {
                session.actor.language = lang.code().to_owned();
            }
            let max_age = (session.expires_at_ms - store::now_ms()) / 1000;
            let mut res = Redirect::to(&next).into_response();
            let h = res.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(
                    SESSION_COOKIE,
                    &session.token,
                    max_age,
                    s.options.secure_cookies,
                ),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(
                    LANG_COOKIE,
                    &session.actor.language,
                    31_536_000,
                    s.options.secure_cookies,
                ),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(LOGIN_CSRF_COOKIE, "", 0, false),
            );
            res
        }
        Err(e) => {
            let status = web::status_of(&e);
            let message = match &e {
                AppError::Unauthenticated => t.get("login.failed").to_owned(),
                AppError::RateLimited { retry_after_secs } => t.error(
                    "rate_limited",
                    &domain::access::signin::wait_minutes(*retry_after_secs).to_string(),
                ),
                other => t.error(other.code(), ""),
            };
            login_response(t, next, f.username, message, status)
        }
    }
}

async fn logout(
    State(s): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    _: web::Form<NoFields>,
) -> PageResult {
    if let Some(token) = web::cookie(&headers, SESSION_COOKIE) {
        ctx.app.logout(token).await.on_page(&ctx)?;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, s.options.secure_cookies),
    );
    Ok(res)
}

#[derive(Deserialize)]
struct LangForm {
    lang: String,
    #[serde(default)]
    csrf: String,
}

async fn switch_lang(
    State(s): State<AppState>,
    headers: HeaderMap,
    ctx: Option<Ctx>,
    Form(f): Form<LangForm>,
) -> PageResult {
    let lang = Lang::from_code(&f.lang).unwrap_or_default();
    if let Some(ctx) = &ctx {
        ctx.check_csrf(&f.csrf)?;
        ctx.app
            .set_language(&ctx.actor, lang.code())
            .await
            .on_page(ctx)?;
    }
    // Back to the page the switch was pressed on, when it is ours.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|r| r.find('/').map(|i| r[i..].to_owned()));
    let mut res = Redirect::to(&safe_next(back.as_deref())).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LANG_COOKIE,
            lang.code(),
            31_536_000,
            s.options.secure_cookies,
        ),
    );
    Ok(res)
}
