//! Recording an attempt with its answers, once per idempotency key.

use app::screening::AttemptInput;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::screening::{HouseholdState, RawAnswer};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::extract::Json;
use crate::api::{ApiCtx, ApiResult, ErrorBody, paths};
use utoipa_axum::router::OpenApiRouter;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    paths!(record_attempt)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    pub resident_id: i64,
    /// `stayed_in_city`, `returned` or `not_yet_returned`.
    pub travel_status: String,
    /// Region code, required when returned.
    #[serde(default)]
    pub origin: String,
    /// ISO date, required when returned.
    #[serde(default)]
    pub returned_on: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttemptRequest {
    pub campaign_id: i64,
    pub household_id: i64,
    /// `call`, `visit` or `notice`.
    pub method: String,
    /// call: `answered`, `no_answer`, `refused`; visit: `met`, `nobody_home`; notice: `left`.
    pub outcome: String,
    /// Local time `YYYY-MM-DDTHH:MM`; now when empty.
    #[serde(default)]
    pub at: String,
    #[serde(default)]
    pub notes: String,
    /// Required here or as the `Idempotency-Key` header (which wins): up to 100 characters, no
    /// control characters. The same key twice records once.
    #[serde(default)]
    pub idempotency_key: String,
    /// One per member of the household when someone answered.
    #[serde(default)]
    pub answers: Vec<AnswerRequest>,
}

#[derive(Serialize, ToSchema)]
pub struct AttemptResultDto {
    pub attempt_id: i64,
    /// The household's state after the attempt.
    pub state: HouseholdState,
    /// True when the key had been used before and nothing new was recorded.
    pub duplicate: bool,
}

/// Records a call, visit or notice, with the answers when someone answered. 201 when recorded,
/// 200 with the first result when the idempotency key was used before. An idempotency key is
/// required, as the header or as `idempotency_key` in the body; without one the request is
/// refused (`idempotency_key_invalid`).
#[utoipa::path(post, path = "/screening-attempts", request_body = AttemptRequest, params(("Idempotency-Key" = Option<String>, Header, description = "The idempotency key, unless the body gives it.")), responses((status = 201, body = AttemptResultDto), (status = 200, body = AttemptResultDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_attempt(
    ctx: ApiCtx,
    headers: HeaderMap,
    Json(r): Json<AttemptRequest>,
) -> ApiResult<Response> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or(r.idempotency_key);
    let input = AttemptInput {
        method: r.method,
        outcome: r.outcome,
        at: r.at,
        notes: r.notes,
        idempotency_key: key,
        answers: r
            .answers
            .into_iter()
            .map(|a| RawAnswer {
                resident_id: a.resident_id,
                travel_status: a.travel_status,
                origin: a.origin,
                returned_on: a.returned_on,
            })
            .collect(),
    };
    let result = ctx
        .app
        .record_screening_attempt(&ctx.actor, r.campaign_id, r.household_id, &input)
        .await?;
    let status = if result.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(AttemptResultDto {
            attempt_id: result.attempt_id,
            state: result.state,
            duplicate: result.duplicate,
        }),
    )
        .into_response())
}
