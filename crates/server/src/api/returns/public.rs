//! The applicant's side of return to work, without an account: a one-time code to the phone,
//! the application, and the application behind its personal link (status, arrival change,
//! withdrawal). The link's token is the credential; the same limits as the public page apply.

use app::returns::{ApplicationInput, Applied};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::returns::{Means, State as ReturnState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::api::extract::{Json, Path};
use crate::api::{ApiError, ErrorBody, paths};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    paths! { request_return_code; apply; status; withdraw; change_arrival }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnCodeRequest {
    /// A mainland mobile number.
    pub phone: String,
}

/// Sends a six-digit code to the phone, valid 10 minutes; limited per phone and per client.
#[utoipa::path(post, path = "/return-codes", request_body = ReturnCodeRequest, responses((status = 204), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)), security(()))]
async fn request_return_code(
    State(s): State<AppState>,
    client: crate::pages::ClientAddr,
    Json(r): Json<ReturnCodeRequest>,
) -> Response {
    match s
        .app
        .request_return_code(&r.phone, &client.0, jiff::Timestamp::now())
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnCompanion {
    pub name: String,
    /// Citizen ID number.
    pub document_number: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnApplicationRequest {
    pub community_id: i64,
    pub name: String,
    /// Citizen ID number (GB 11643), checked as the registry checks it.
    pub document_number: String,
    pub phone: String,
    /// The code sent by `POST /return-codes`.
    pub code: String,
    pub employer: String,
    pub employer_address: String,
    /// A GB/T 2260 code or a division's name.
    pub origin: String,
    pub means: Means,
    /// Train number, flight or plate.
    pub trip: String,
    /// Local date and time, `2020-02-10T14:30`.
    pub arrival: String,
    /// The household to live in when the applicant is not registered in the community:
    /// building, unit and room.
    #[serde(default)]
    pub building_id: Option<i64>,
    /// The building by its name, when `building_id` is not given (`3号楼`; `3` when no other
    /// building's name goes on from it but with a digit).
    #[serde(default)]
    pub building: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub room: String,
    #[serde(default)]
    pub companions: Vec<ReturnCompanion>,
}

#[derive(Serialize, ToSchema)]
pub struct ReturnAppliedDto {
    /// The application's number.
    pub id: i64,
    /// The personal link's token, shown this once: `GET /return-applications/{token}`.
    pub token: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReturnDuplicateDto {
    /// `return_duplicate`.
    pub code: String,
    /// The existing application of the same trip.
    pub id: i64,
    /// A fresh token of the existing application when the confirmed phone is its own (the
    /// previous one stops working); absent otherwise.
    pub token: Option<String>,
}

/// Applies for a return. A duplicate of a trip under way answers 409 with the existing
/// application (and a fresh link to it when the phone is its own).
#[utoipa::path(post, path = "/return-applications", request_body = ReturnApplicationRequest, responses((status = 201, body = ReturnAppliedDto), (status = 409, body = ReturnDuplicateDto), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)), security(()))]
async fn apply(
    State(s): State<AppState>,
    client: crate::pages::ClientAddr,
    Json(r): Json<ReturnApplicationRequest>,
) -> Response {
    let input = ApplicationInput {
        community_id: r.community_id,
        name: r.name,
        document_number: r.document_number,
        phone: r.phone,
        code: r.code,
        employer: r.employer,
        employer_address: r.employer_address,
        origin: r.origin,
        means: r.means.code().to_owned(),
        trip: r.trip,
        arrival: r.arrival,
        building_id: r.building_id,
        building: r.building,
        unit: r.unit,
        room: r.room,
        companions: r
            .companions
            .into_iter()
            .map(|c| (c.name, c.document_number))
            .collect(),
    };
    match s
        .app
        .apply_for_return(&input, &client.0, jiff::Timestamp::now())
        .await
    {
        Ok(Applied::New { id, token }) => {
            (StatusCode::CREATED, Json(ReturnAppliedDto { id, token })).into_response()
        }
        Ok(Applied::Duplicate { id, token }) => (
            StatusCode::CONFLICT,
            Json(ReturnDuplicateDto {
                code: "return_duplicate".to_owned(),
                id,
                token,
            }),
        )
            .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// An application as its applicant follows it.
#[derive(Serialize, ToSchema)]
pub struct ReturnStatusDto {
    pub id: i64,
    pub state: ReturnState,
    /// The travellers' names, masked but the first character.
    pub travellers: Vec<String>,
    pub origin: String,
    pub means: Means,
    pub trip: String,
    /// Milliseconds since the epoch.
    pub arrival_at: i64,
    /// The last day of the quarantine once admitted.
    pub quarantine_until: Option<String>,
    /// The rule's refusal codes once refused.
    pub refusals: Vec<String>,
    pub refusal_reason: Option<String>,
}

/// The application behind a personal link.
#[utoipa::path(get, path = "/return-applications/{token}", params(("token" = String, Path)), responses((status = 200, body = ReturnStatusDto), (status = 404, body = ErrorBody)), security(()))]
async fn status(State(s): State<AppState>, Path(token): Path<String>) -> Response {
    match s.app.return_status(&token).await {
        Ok(v) => {
            let a = v.application;
            Json(ReturnStatusDto {
                id: a.id,
                state: a.state,
                travellers: v.travellers,
                origin: a.origin,
                means: a.means,
                trip: a.trip,
                arrival_at: a.arrival_at,
                quarantine_until: a.quarantine_until,
                refusals: v.refusals,
                refusal_reason: a.refusal_reason,
            })
            .into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Withdraws the application, until it is verified.
#[utoipa::path(post, path = "/return-applications/{token}/withdraw", params(("token" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(()))]
async fn withdraw(State(s): State<AppState>, Path(token): Path<String>) -> Response {
    match s.app.withdraw_return(&token).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnArrivalRequest {
    /// Local date and time, `2020-02-10T14:30`.
    pub arrival: String,
}

/// Changes the arrival time, until the application is verified.
#[utoipa::path(put, path = "/return-applications/{token}/arrival", params(("token" = String, Path)), request_body = ReturnArrivalRequest, responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(()))]
async fn change_arrival(
    State(s): State<AppState>,
    Path(token): Path<String>,
    Json(r): Json<ReturnArrivalRequest>,
) -> Response {
    match s.app.change_return_arrival(&token, &r.arrival).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}
