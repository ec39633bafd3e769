//! Path parameters of a page: axum's, except that one that does not parse (a numeric id typed
//! as letters) answers the error page in the reader's language rather than axum's plain text.

use app::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::{Ctx, PageError, request_lang};
use crate::i18n::Tr;

/// Path parameters deserialized into `T`; an address whose parameters do not fit names no page.
#[derive(Debug, Clone, Copy)]
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            // The session, when a `Ctx` came first among the handler's extractors, puts the
            // error page inside the reader's menu.
            Err(_) => Err(match parts.extensions.get::<Ctx>() {
                Some(ctx) => ctx.err(AppError::NotFound).into_response(),
                None => PageError::new(AppError::NotFound, Tr::new(request_lang(&parts.headers)))
                    .into_response(),
            }),
        }
    }
}
