//! Checkpoint passes: the public keys any gate or outside verifier checks a pass with.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{ApiCtx, ApiResult, CreatedId, ErrorBody, created};
use crate::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The media type of a COSE_KeySet (RFC 9052).
const COSE_KEY_SET: &str = "application/cose-key-set";

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pass_keys))
        .routes(routes!(rotate_pass_key))
}

/// The public keys passes are signed with, every version, as a COSE_KeySet of Ed25519 keys
/// with their key ids. Public: a gate fetches it once with network and then verifies passes
/// with none; any outside verifier can check a pass with it.
#[utoipa::path(get, path = "/passes/keys", responses((status = 200, description = "A COSE_KeySet (RFC 9052), CBOR", content_type = "application/cose-key-set", body = Vec<u8>)), security(()))]
async fn pass_keys(axum::extract::State(s): axum::extract::State<AppState>) -> ApiResult<Response> {
    let keys = s.app.pass_keys().await?;
    let bytes = keys
        .to_cose()
        .map_err(|_| app::AppError::Internal("the key set could not be encoded".to_owned()))?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, COSE_KEY_SET),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        bytes,
    )
        .into_response())
}

/// Starts signing new passes with a new version of the key (administrators; audited). Passes
/// signed before keep verifying: the old public key stays in the set.
#[utoipa::path(post, path = "/passes/keys/rotate", responses((status = 201, body = super::Created), (status = 403, body = ErrorBody)))]
async fn rotate_pass_key(ctx: ApiCtx) -> ApiResult<CreatedId> {
    Ok(created(ctx.app.rotate_pass_key(&ctx.actor).await?))
}
