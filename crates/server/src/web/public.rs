//! A request to a page anyone may open: sign-in, and the resident's pages behind a link or a
//! posted QR code, on a phone with no account.

use std::convert::Infallible;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use super::{constant_time_eq, cookie, no_store, render, request_lang, set_cookie};
use crate::i18n::Tr;

/// The reader of a public page: the language their browser asks for, and the request's
/// headers, where the CSRF cookie of the page's form comes back.
pub struct Visitor {
    pub t: Tr,
    pub headers: HeaderMap,
}

impl Visitor {
    /// Whether the CSRF token `sent` with a form is the one the page set in its cookie
    /// `cookie_name` (no session signs a public form).
    pub fn csrf_ok(&self, cookie_name: &str, sent: &str) -> bool {
        let kept = cookie(&self.headers, cookie_name).unwrap_or("");
        !sent.is_empty() && constant_time_eq(kept.as_bytes(), sent.as_bytes())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Visitor {
            t: Tr::new(request_lang(&parts.headers)),
            headers: parts.headers.clone(),
        })
    }
}

/// Renders a public page whose form carries the fresh CSRF token `csrf`, answering `status`: the
/// token goes in the page's cookie `cookie_name` too, and the page is kept out of caches (its
/// address may hold a resident's token).
pub fn render_with_csrf(
    page: &impl Template,
    status: StatusCode,
    cookie_name: &str,
    csrf: &str,
) -> Response {
    let mut res = render(page);
    *res.status_mut() = status;
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(cookie_name, csrf, 3600, false),
    );
    no_store(res)
}
