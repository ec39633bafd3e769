//! The API's own extractors for JSON bodies, query strings and path parameters: the same as
//! axum's, except that every refusal is a JSON error body with a stable code, and a field that
//! does not deserialize is named in a 422 (axum's own rejections are `text/plain`).

use app::{AppError, ErrorCode};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::validation::FieldErrors;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};

use super::{ApiError, error_body};
use crate::i18n::{Lang, Tr};

/// A JSON request body (refused with 415 without a JSON content type, 400 when it is not JSON,
/// 413 past the size limit, 422 naming the field that does not fit the schema) or response.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

/// A query string deserialized into `T`; a parameter that does not fit is named in a 422.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

/// Path parameters deserialized into `T`; a parameter that does not fit is named in a 422.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// A refusal that is not an application error: a status, a code and a message.
pub fn plain_error(code: ErrorCode) -> Response {
    error_body(code, &Tr::new(Lang::En).error(code, ""), None)
}

fn field_error(field: &str, code: &str, detail: &str) -> Response {
    let mut e = FieldErrors::new();
    e.add(field, code, detail);
    ApiError::from(AppError::Validation(e)).into_response()
}

/// The first field of a JSON body whose text holds a NUL (written `\u0000`), which no text
/// column may store; the body's own syntax errors are left to the deserializer.
fn field_with_nul(body: &[u8]) -> Option<String> {
    fn walk(value: &serde_json::Value, path: &str) -> Option<String> {
        match value {
            serde_json::Value::String(s) if s.contains('\0') => Some(path.to_owned()),
            serde_json::Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| walk(v, &format!("{path}[{i}]"))),
            serde_json::Value::Object(fields) => fields.iter().find_map(|(k, v)| {
                if k.contains('\0') {
                    return Some(k.clone());
                }
                let path = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(v, &path)
            }),
            _ => None,
        }
    }
    let escaped = body.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"));
    if !escaped {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    walk(&value, "").map(|f| if f.is_empty() { "body".to_owned() } else { f })
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

fn body_rejection(e: BytesRejection) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        plain_error(ErrorCode::PayloadTooLarge)
    } else {
        plain_error(ErrorCode::MalformedBody)
    }
}

/// The field a serde data error is about: serde's own messages for an unknown or missing field
/// name it (`unknown field `x``); otherwise the path where deserialization stopped.
fn serde_field(path: &str, message: &str) -> (String, &'static str) {
    let join = |name: &str| {
        if path.is_empty() || path == "." {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    let quoted = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('`'))
            .and_then(|rest| rest.split_once('`'))
            .map(|(name, _)| name.to_owned())
    };
    if let Some(name) = quoted("unknown field ") {
        // serde_path_to_error's path already ends with the unknown key.
        let field = if path == name || path.ends_with(&format!(".{name}")) {
            path.to_owned()
        } else {
            join(&name)
        };
        return (field, "unknown_field");
    }
    if let Some(name) = quoted("missing field ") {
        return (join(&name), "required");
    }
    let field = if path.is_empty() || path == "." {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    if message.starts_with(OUT_OF_RANGE) {
        return (field, "out_of_range");
    }
    (field, "invalid_value")
}

/// A serde message without serde_json's position suffix (` at line 1 column 5`).
fn without_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(plain_error(ErrorCode::UnsupportedMediaType));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(body_rejection)?;
        if let Some(field) = field_with_nul(&bytes) {
            return Err(field_error(&field, "control_character", ""));
        }
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value: T = match serde_path_to_error::deserialize(&mut de) {
            Ok(v) => v,
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                if !inner.is_data() {
                    return Err(plain_error(ErrorCode::MalformedJson));
                }
                let message = inner.to_string();
                let message = without_position(&message);
                let (field, code) = serde_field(&path, message);
                return Err(field_error(&field, code, message));
            }
        };
        if de.end().is_err() {
            return Err(plain_error(ErrorCode::MalformedJson));
        }
        Ok(Json(value))
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        // No text stored or searched may hold a NUL (PostgreSQL refuses it in text).
        if let Some((name, _)) = form_urlencoded::parse(query.as_bytes())
            .find(|(name, value)| name.contains('\0') || value.contains('\0'))
        {
            return Err(field_error(&name, "control_character", ""));
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        match serde_path_to_error::deserialize(de) {
            Ok(v) => Ok(Query(v)),
            Err(e) => {
                let path = e.path().to_string();
                let message = e.into_inner().to_string();
                let (field, code) = serde_field(&path, &message);
                let code = if code == "invalid_value" {
                    "invalid_parameter"
                } else {
                    code
                };
                let detail = message.strip_prefix(OUT_OF_RANGE).unwrap_or(&message);
                Err(field_error(&field, code, detail))
            }
        }
    }
}

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        let keys: Vec<String> = match RawPathParams::from_request_parts(parts, state).await {
            Ok(raw) => raw.iter().map(|(k, _)| k.to_owned()).collect(),
            Err(_) => Vec::new(),
        };
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                let message = e.body_text();
                let field = match e.into_kind() {
                    ErrorKind::ParseErrorAtKey { key, .. }
                    | ErrorKind::InvalidUtf8InPathParam { key } => key,
                    ErrorKind::ParseErrorAtIndex { index, .. } => keys
                        .get(index)
                        .cloned()
                        .unwrap_or_else(|| "path".to_owned()),
                    _ if keys.len() == 1 => keys[0].clone(),
                    _ => "path".to_owned(),
                };
                Err(field_error(&field, "invalid_parameter", &message))
            }
            Err(_) => Err(plain_error(ErrorCode::NotFound)),
        }
    }
}

/// The `limit` of a page: 1 to [`domain::page::MAX_PAGE_SIZE`]; anything else is refused with
/// `out_of_range`, not clamped (the document states the bounds).
pub fn page_limit<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    bounded(d, 1, domain::page::MAX_PAGE_SIZE)
}

/// The `limit` of an audit trail read: 1 to 1000.
pub fn audit_limit<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    bounded(d, 1, 1000)
}

/// Our own deserializers' message for a value outside its bounds: `out_of_range: <min>..<max>`.
const OUT_OF_RANGE: &str = "out_of_range: ";

fn bounded<'de, D: Deserializer<'de>>(d: D, min: u32, max: u32) -> Result<Option<u32>, D::Error> {
    match Option::<u64>::deserialize(d)? {
        None => Ok(None),
        Some(v) if (u64::from(min)..=u64::from(max)).contains(&v) => Ok(u32::try_from(v).ok()),
        Some(_) => Err(D::Error::custom(format!("{OUT_OF_RANGE}{min}..{max}"))),
    }
}

/// Unknown routes under `/api`: a JSON 404 rather than an empty body.
pub async fn no_route() -> Response {
    plain_error(ErrorCode::NoSuchRoute)
}

/// A known route with a method it does not serve: a JSON 405.
pub async fn method_not_allowed() -> Response {
    plain_error(ErrorCode::MethodNotAllowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_name_their_field() {
        assert_eq!(
            serde_field(
                "volunteer",
                "unknown field `volunteer`, expected `account_id`"
            ),
            ("volunteer".to_owned(), "unknown_field")
        );
        assert_eq!(
            serde_field("answers[0].x", "unknown field `x`"),
            ("answers[0].x".to_owned(), "unknown_field")
        );
        assert_eq!(
            serde_field("answers[0]", "missing field `question`"),
            ("answers[0].question".to_owned(), "required")
        );
        assert_eq!(
            serde_field("limit", "number too large to fit in target type"),
            ("limit".to_owned(), "invalid_value")
        );
        assert_eq!(
            without_position("invalid type: string \"x\", expected i64 at line 1 column 9"),
            "invalid type: string \"x\", expected i64"
        );
    }
}
