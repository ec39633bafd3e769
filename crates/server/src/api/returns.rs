//! Return to work on the staff's side: expected arrivals, search, one application, its steps,
//! the verification with its decision, and the throughput per day.

use app::returns::VerificationInput;
use domain::returns::{Means, State as ReturnState, Transition};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiCtx, ApiResult, ErrorBody};
use crate::AppState;
use crate::api::extract::{Json, Path, Query};
use crate::api::{api_shape, paths};
use utoipa_axum::router::OpenApiRouter;

mod public;

pub fn routes() -> OpenApiRouter<AppState> {
    paths! {
        returns_expected; returns_search; return_application; return_transition;
        return_verify; returns_throughput;
    }
    .merge(public::routes())
}

api_shape! {
    /// A return-to-work application, as staff read it: the ID number and the phone masked.
    ReturnApplicationDto from a: store::returns::Application {
        id: i64,
        #[serde(flatten)]
        address: store::registry::HouseholdAddress,
        /// The gate expected at; `null` when the community has none.
        gate_id: Option<i64>,
        gate_name: String,
        state: ReturnState,
        name: String,
        document_masked: String,
        employer: String,
        employer_address: String,
        /// GB/T 2260 code of the origin.
        origin: String,
        means: Means,
        /// Train number, flight or plate.
        trip: String,
        /// Milliseconds since the epoch.
        arrival_at: i64,
        created_at: i64,
        arrived_at: Option<i64>,
        decided_at: Option<i64>,
        refusal_reason: Option<String>,
        /// The last day of the quarantine of an admitted applicant.
        quarantine_until: Option<String>,
        /// Travellers besides the applicant.
        companions: i64,
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpectedParams {
    /// The first local date (`2020-02-10`); today when absent.
    #[serde(default)]
    pub from: Option<String>,
    /// How many days from it; 2 (today and tomorrow) when absent, at most 31.
    #[serde(default)]
    pub days: Option<i64>,
    /// One gate only.
    #[serde(default)]
    pub gate_id: Option<i64>,
}

fn date_param(ctx: &ApiCtx, text: Option<&str>) -> ApiResult<jiff::civil::Date> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(ctx.app.today()),
        Some(t) => domain::resident::date_from_text(t)
            .ok_or_else(|| app::AppError::field("from", "date_format").into()),
    }
}

/// Applications expected at the gates, not yet decided, by gate and arrival time.
#[utoipa::path(get, path = "/returns/expected", params(ExpectedParams), responses((status = 200, body = Vec<ReturnApplicationDto>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn returns_expected(
    ctx: ApiCtx,
    Query(p): Query<ExpectedParams>,
) -> ApiResult<Json<Vec<ReturnApplicationDto>>> {
    let from = date_param(&ctx, p.from.as_deref())?;
    let found = ctx
        .app
        .expected_returns(&ctx.actor, from, p.days.unwrap_or(2), p.gate_id)
        .await?;
    Ok(Json(found.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReturnSearchParams {
    /// An application's number or its QR's address, an ID number, or the start of a name.
    pub q: String,
}

/// Applications found by number, QR, ID number or name, newest first (at most 50).
#[utoipa::path(get, path = "/returns", params(ReturnSearchParams), responses((status = 200, body = Vec<ReturnApplicationDto>), (status = 403, body = ErrorBody)))]
async fn returns_search(
    ctx: ApiCtx,
    Query(p): Query<ReturnSearchParams>,
) -> ApiResult<Json<Vec<ReturnApplicationDto>>> {
    let found = ctx.app.search_returns(&ctx.actor, &p.q).await?;
    Ok(Json(found.into_iter().map(Into::into).collect()))
}

api_shape! {
    /// A traveller of an application: the applicant first, then the companions.
    ReturnTravellerDto from t: store::returns::Traveller {
        position: i64,
        name: String,
        document_masked: String,
        /// Set on approval.
        resident_id: Option<i64>,
        order_id: Option<i64>,
    }
}

api_shape! {
    /// A verification as recorded.
    ReturnVerificationDto from v: store::returns::VerificationRecord {
        id: i64,
        health_code: String,
        itinerary_code: String,
        /// GB/T 2260 codes, space-separated.
        visited_regions: String,
        certificate_seen: bool,
        test_taken_on: Option<String>,
        test_institution: Option<String>,
        test_result: Option<String>,
        temperature_tenths: i64,
        /// The rule's refusal codes.
        refusals: Vec<String> = v.refusals.split_whitespace().map(str::to_owned).collect(),
        /// `approved` or `refused`.
        decision: String,
        is_override: bool,
        reason: Option<String>,
        verified_by: i64,
        verified_at: i64,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReturnApplicationDetail {
    pub application: ReturnApplicationDto,
    pub travellers: Vec<ReturnTravellerDto>,
    /// Newest first.
    pub verifications: Vec<ReturnVerificationDto>,
}

/// One application with its travellers and verifications.
#[utoipa::path(get, path = "/returns/{id}", params(("id" = i64, Path)), responses((status = 200, body = ReturnApplicationDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn return_application(
    ctx: ApiCtx,
    Path(id): Path<i64>,
) -> ApiResult<Json<ReturnApplicationDetail>> {
    let (a, travellers, verifications, _) = ctx.app.return_application(&ctx.actor, id).await?;
    Ok(Json(ReturnApplicationDetail {
        application: a.into(),
        travellers: travellers.into_iter().map(Into::into).collect(),
        verifications: verifications.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnTransitionRequest {
    /// `expect` (read, expected at the gate), `arrive` (at the gate), or `refuse` before the
    /// verification (with a reason).
    pub transition: Transition,
    #[serde(default)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReturnStateDto {
    pub state: ReturnState,
}

/// Moves an application one step: expected, arrived, or refused before the verification.
#[utoipa::path(post, path = "/returns/{id}/transition", params(("id" = i64, Path)), request_body = ReturnTransitionRequest, responses((status = 200, body = ReturnStateDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn return_transition(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<ReturnTransitionRequest>,
) -> ApiResult<Json<ReturnStateDto>> {
    let state = ctx
        .app
        .transition_return(&ctx.actor, id, r.transition, &r.reason)
        .await?;
    Ok(Json(ReturnStateDto { state }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnVerificationRequest {
    /// `green`, `yellow` or `red`.
    pub health_code: String,
    pub itinerary_code: String,
    /// Regions the itinerary code lists: codes or names.
    #[serde(default)]
    pub visited_regions: Vec<String>,
    pub certificate_seen: bool,
    /// The test's sample date; absent when no report was shown.
    #[serde(default)]
    pub test_taken_on: Option<String>,
    #[serde(default)]
    pub test_institution: String,
    /// `negative` or `positive`; absent when no report was shown.
    #[serde(default)]
    pub test_result: Option<String>,
    /// Degrees Celsius, e.g. `36.6`.
    pub temperature: String,
    /// `approve` or `refuse`.
    pub decision: String,
    /// Required for a decision against the rule.
    #[serde(default)]
    pub reason: String,
    /// The doctor of the quarantine orders; the first doctor covering the building if absent.
    #[serde(default)]
    pub doctor_id: Option<i64>,
}

api_shape! {
    ReturnVerifiedDto from v: app::returns::Verified {
        state: ReturnState,
        /// The rule's refusal codes; an approval against them is an override.
        refusals: Vec<String>,
        is_override: bool,
        order_ids: Vec<i64>,
        quarantine_until: Option<String>,
    }
}

/// Records the verification on arrival and decides. Approval places every traveller in
/// quarantine (home or centralised), registers them as returned, and seals the household, in
/// one transaction; a decision against the rule needs a reason and is audited as an override.
#[utoipa::path(post, path = "/returns/{id}/verify", params(("id" = i64, Path)), request_body = ReturnVerificationRequest, responses((status = 200, body = ReturnVerifiedDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn return_verify(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<ReturnVerificationRequest>,
) -> ApiResult<Json<ReturnVerifiedDto>> {
    let input = VerificationInput {
        health_code: r.health_code,
        itinerary_code: r.itinerary_code,
        visited_regions: r.visited_regions.join(","),
        certificate_seen: r.certificate_seen,
        test_taken_on: r.test_taken_on.unwrap_or_default(),
        test_institution: r.test_institution,
        test_result: r.test_result.unwrap_or_default(),
        temperature: r.temperature,
        decision: r.decision,
        reason: r.reason,
        doctor_id: r.doctor_id,
    };
    let v = ctx.app.verify_return(&ctx.actor, id, &input).await?;
    Ok(Json(v.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThroughputParams {
    /// Days ending today; 14 when absent, at most 92.
    #[serde(default)]
    pub days: Option<i64>,
}

api_shape! {
    /// One day of throughput.
    ReturnDayDto from d: app::returns::Day {
        date: String,
        applications: i64,
        arrivals: i64,
        verified: i64,
        refused: i64,
        /// Minutes from arrival to decision.
        median_minutes: Option<i64>,
        p90_minutes: Option<i64>,
    }
}

/// Applications, arrivals, admitted and refused per day, and the wait from arrival to decision.
#[utoipa::path(get, path = "/returns/throughput", params(ThroughputParams), responses((status = 200, body = Vec<ReturnDayDto>), (status = 403, body = ErrorBody)))]
async fn returns_throughput(
    ctx: ApiCtx,
    Query(p): Query<ThroughputParams>,
) -> ApiResult<Json<Vec<ReturnDayDto>>> {
    let t = ctx
        .app
        .return_throughput(&ctx.actor, ctx.app.today(), p.days.unwrap_or(14))
        .await?;
    Ok(Json(t.days.into_iter().map(Into::into).collect()))
}
