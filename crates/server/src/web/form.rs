//! Forms on pages: their field errors, the posted form read once its CSRF token is the
//! session's, and what a submitted form leads to.

use app::AppError;
use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{Ctx, OnPage, PageResult, redirect, render};
use crate::AppState;
use crate::i18n::Tr;

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

/// A refused form's errors on one line, for a page that shows them in one place.
impl FormErrors {
    pub fn joined(&self) -> String {
        self.joined_with("; ")
    }

    /// The messages separated by `sep`.
    pub fn joined_with(&self, sep: &str) -> String {
        self.items
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(sep)
    }

    /// The messages separated by `sep`, each of a field named by its field in the reader's
    /// language, for a page that shows no input of the form.
    pub fn named(&self, t: &Tr, sep: &str) -> String {
        self.others(t, "").join(sep)
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

/// The community's buildings whose names begin as the one typed, for a form that came back
/// `refused` with a building typed; none otherwise. A form holds no list of a community's
/// buildings (thousands of them): only a building typed and refused brings suggestions.
pub async fn building_suggestions(
    app: &app::App,
    community_id: i64,
    refused: bool,
    typed: &str,
) -> Vec<String> {
    if !refused || typed.trim().is_empty() {
        return Vec::new();
    }
    app.building_suggestions(community_id, typed)
        .await
        .unwrap_or_default()
}
