//! Gates, guards' shifts, the passages of passes and visitors, the revocation list a gate
//! caches, and the passage log.

use axum::http::StatusCode;
use domain::checkpoint::{Direction, GateDirection, PassKind, PassageResult};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiCtx, ApiResult, CreatedId, ErrorBody, created};
use crate::AppState;
use crate::api::extract::{Json, Path, Query};
use crate::api::{ApiPage, api_page, api_shape, page_params, paths};
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    paths! {
        gates; create_gate; gate, update_gate; gate_state; add_shift; end_shift; my_shifts;
        pass_through; visitor_through; find_visitor; revocations; traffic; passages;
        override_counts;
    }
}

api_shape! {
    /// A gate of a community.
    GateDto from g: store::gates::Gate {
        id: i64,
        community_id: i64,
        community_name: String,
        name: String,
        /// `both`, `in` or `out`.
        direction: GateDirection,
        /// Local opening hours (HH:MM); both absent for a gate open day and night.
        opens: Option<String>,
        closes: Option<String>,
        closed: bool,
    }
}

api_shape! {
    /// A guard's shift at a gate; times in milliseconds since the Unix epoch.
    ShiftDto from s: store::gates::Shift {
        id: i64,
        gate_id: i64,
        gate_name: String,
        account_id: i64,
        account_name: String,
        starts_at: i64,
        ends_at: i64,
    }
}

#[derive(Serialize, ToSchema)]
pub struct GateDetail {
    pub gate: GateDto,
    /// The buildings it serves; empty: the whole community.
    pub building_ids: Vec<i64>,
    /// Shifts not yet over, soonest first.
    pub shifts: Vec<ShiftDto>,
}

#[derive(Deserialize, IntoParams)]
pub struct GateParams {
    pub community_id: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GateRequest {
    pub name: String,
    /// `both` (when empty), `in` or `out`.
    #[serde(default)]
    pub direction: String,
    /// Local `HH:MM`; both empty for a gate open day and night.
    #[serde(default)]
    pub opens: String,
    #[serde(default)]
    pub closes: String,
    /// The buildings it serves; none: the whole community.
    #[serde(default)]
    pub building_ids: Vec<i64>,
}

impl From<GateRequest> for app::gates::GateInput {
    fn from(r: GateRequest) -> Self {
        app::gates::GateInput {
            name: r.name,
            direction: r.direction,
            opens: r.opens,
            closes: r.closes,
            building_ids: r.building_ids,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GateStateRequest {
    pub closed: bool,
    #[serde(default)]
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftRequest {
    /// A guard whose jurisdiction covers the gate.
    pub account_id: i64,
    /// Milliseconds since the Unix epoch; at most a day apart.
    pub starts_at: i64,
    pub ends_at: i64,
}

/// Why a guard lets someone through against the rule.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideRequest {
    #[schema(min_length = 1)]
    pub reason: String,
    /// Who asked for it ("street official Wang by phone"); empty when nobody did.
    #[serde(default)]
    pub requested_by: String,
    /// The supervisor on duty who agreed.
    #[schema(min_length = 1)]
    pub supervisor: String,
}

impl From<OverrideRequest> for app::gates::scan::OverrideInput {
    fn from(o: OverrideRequest) -> Self {
        app::gates::scan::OverrideInput {
            reason: o.reason,
            requested_by: o.requested_by,
            supervisor: o.supervisor,
        }
    }
}

/// A pass shown at the gate, now or (from a gate's offline queue) earlier.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PassageRequest {
    /// What the QR code holds (`GW1:…`).
    pub code: String,
    /// `out` or `in`.
    pub direction: String,
    /// °C, e.g. `36.6`; empty when not taken.
    #[serde(default)]
    pub temperature: String,
    /// How many go through on the pass; 1 when absent.
    pub persons: Option<i64>,
    /// The gate's own id for the passage (letters, digits, `-`, `_`; at most 64): a passage
    /// sent again with the same id is answered with the one stored, not stored twice.
    #[serde(default)]
    pub client_id: String,
    /// When it happened, ms since the Unix epoch, for a passage recorded offline (at most 7
    /// days back); now when absent.
    pub at: Option<i64>,
    /// What the gate decided offline (`admitted`, `refused`, `overridden`): kept as decided,
    /// and flagged for the supervisor when the rule disagrees.
    #[serde(default)]
    pub decided_offline: String,
    /// Lets the passage through against the rule.
    pub r#override: Option<OverrideRequest>,
}

/// A visitor at the gate.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitorRequest {
    pub name: String,
    /// `citizen_id` when empty.
    #[serde(default)]
    pub document_kind: String,
    pub document_number: String,
    pub phone: String,
    /// Where they come from: a GB/T 2260 code, or a name that names one division (武汉市).
    pub origin: String,
    /// The household visited, by id, or by its building, unit and room (names as the
    /// registry has them, e.g. `3号楼`, `1单元`, `101`).
    pub household_id: Option<i64>,
    #[serde(default)]
    pub building: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub room: String,
    #[serde(default)]
    pub purpose: String,
    /// `green`, `yellow` or `red`.
    pub health_code: String,
    /// °C, e.g. `36.6`.
    pub temperature: String,
    #[serde(default)]
    pub client_id: String,
    pub at: Option<i64>,
    #[serde(default)]
    pub decided_offline: String,
    pub r#override: Option<OverrideRequest>,
}

api_shape! {
    /// A passage through a gate; times in ms since the Unix epoch.
    PassageDto from p: store::passages::Passage {
        id: i64,
        gate_id: i64,
        gate_name: String,
        at: i64,
        direction: Direction,
        pass_id: Option<i64>,
        pass_kind: Option<PassKind>,
        visitor_id: Option<i64>,
        /// The visitor's name, masked.
        visitor_name: Option<String> = p.visitor_name.as_deref().map(domain::health::masked_name),
        household_id: Option<i64>,
        plate: Option<String>,
        persons: i64,
        /// Tenths of a degree.
        temperature_tenths: Option<i64>,
        /// `admitted`, `refused` or `overridden`.
        result: PassageResult,
        /// The rule that refused (kept for an override too), e.g. `pass_quota_used`.
        reason: Option<String>,
        /// For a quota used up: when the household's next exit is allowed.
        next_exit_at: Option<i64>,
        purpose: Option<String>,
        guard_id: i64,
        guard_name: String,
        override_reason: Option<String>,
        override_requested_by: Option<String>,
        override_supervisor: Option<String>,
        /// Let through offline although the rule refuses it.
        conflict: bool,
        client_id: Option<String>,
    }
}

api_page! {
    PassagePage of PassageDto,
    /// Pass as `after` for the next (older) page.
    next
}

api_shape! {
    /// What a gate's screen shows of a pass.
    PassShownDto from p: app::gates::scan::PassShown {
        pass_id: i64,
        kind: PassKind,
        colour: String = p.colour.to_owned(),
        household_id: i64,
        place: String,
        plate: Option<String>,
        holder: Option<String>,
    }
}

/// The gate's answer.
#[derive(Serialize, ToSchema)]
pub struct GateDecisionDto {
    pub passage: PassageDto,
    /// `admitted`, `refused` or `overridden`.
    pub result: PassageResult,
    /// The rule that refused, when one did (`pass_quota_used`, `visitor_health_code`, …).
    pub refusal: Option<String>,
    pub pass: Option<PassShownDto>,
    /// The gate had sent this passage before; this is the one stored then.
    pub repeated: bool,
}

fn decision(d: app::gates::scan::GateDecision) -> (StatusCode, Json<GateDecisionDto>) {
    let status = if d.repeated {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let refusal = d.refusal.map(|r| r.code().to_owned());
    let body = GateDecisionDto {
        result: d.passage.result,
        refusal,
        passage: d.passage.into(),
        pass: d.pass.map(Into::into),
        repeated: d.repeated,
    };
    (status, Json(body))
}

api_shape! {
    /// A visitor known at the gate's community.
    VisitorDto from v: store::passages::Visitor {
        id: i64,
        name: String,
        document_kind: String,
        document_masked: String,
        /// Masked.
        phone: String = domain::phone::Phone::parse(&v.phone).map(|p| p.masked()).unwrap_or_default(),
        /// GB/T 2260 code.
        origin: String,
        first_seen: i64,
        last_seen: i64,
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitorLookup {
    #[serde(default)]
    pub document_kind: String,
    pub document_number: String,
}

/// A community's passes a gate must refuse although their signature holds.
#[derive(Serialize, ToSchema)]
pub struct RevocationsDto {
    /// Changes whenever a pass of the community changes state: fetch again when it differs.
    pub version: i64,
    /// Revoked for good (lost, reissued, withdrawn).
    pub revoked: Vec<i64>,
    /// Suspended while their household is sealed.
    pub suspended: Vec<i64>,
}

#[derive(Deserialize, IntoParams)]
pub struct TrafficParams {
    /// ms since the Unix epoch; at most 31 days before `to`.
    pub from: i64,
    pub to: i64,
}

api_shape! {
    /// Passages in one hour (its start, ms) by direction and result.
    HourlyTrafficDto from h: store::passages::HourlyTraffic {
        hour: i64,
        direction: Direction,
        result: PassageResult,
        passages: i64,
    }
}

page_params! {
    PassageParams {
        gate_id: Option<i64>,
        household_id: Option<i64>,
        pass_id: Option<i64>,
        visitor_id: Option<i64>,
        /// Only overrides and passages let through offline that the rule refuses.
        #[serde(default)]
        exceptions: bool,
    },
    /// A passage id: the page continues with older passages.
    after
}

api_shape! {
    /// Overrides of the last 30 days by gate, guard and who asked for them.
    OverrideCountDto from c: store::passages::OverrideCount {
        gate_name: String,
        guard_name: String,
        requested_by: String,
        overrides: i64,
    }
}

/// The gates in the caller's jurisdiction, or of one community.
#[utoipa::path(get, path = "/gates", params(GateParams), responses((status = 200, body = Vec<GateDto>), (status = 403, body = ErrorBody)))]
async fn gates(ctx: ApiCtx, Query(p): Query<GateParams>) -> ApiResult<Json<Vec<GateDto>>> {
    let gates = ctx.app.gates(&ctx.actor, p.community_id).await?;
    Ok(Json(gates.into_iter().map(Into::into).collect()))
}

/// Adds a gate to a community.
#[utoipa::path(post, path = "/communities/{id}/gates", params(("id" = i64, Path)), request_body = GateRequest, responses((status = 201, body = super::Created), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_gate(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<GateRequest>,
) -> ApiResult<CreatedId> {
    Ok(created(
        ctx.app.create_gate(&ctx.actor, id, &r.into()).await?,
    ))
}

/// A gate with the buildings it serves and its shifts to come.
#[utoipa::path(get, path = "/gates/{id}", params(("id" = i64, Path)), responses((status = 200, body = GateDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn gate(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<GateDetail>> {
    let v = ctx.app.gate(&ctx.actor, id).await?;
    Ok(Json(GateDetail {
        gate: v.gate.into(),
        building_ids: v.building_ids,
        shifts: v.shifts.into_iter().map(Into::into).collect(),
    }))
}

/// Renames a gate, or changes its direction, hours or buildings.
#[utoipa::path(put, path = "/gates/{id}", params(("id" = i64, Path)), request_body = GateRequest, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_gate(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<GateRequest>,
) -> ApiResult<StatusCode> {
    ctx.app.update_gate(&ctx.actor, id, &r.into()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Closes or opens a gate (audited, with a reason): a closed gate refuses every passage.
#[utoipa::path(post, path = "/gates/{id}/state", params(("id" = i64, Path)), request_body = GateStateRequest, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn gate_state(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<GateStateRequest>,
) -> ApiResult<StatusCode> {
    ctx.app
        .set_gate_closed(&ctx.actor, id, r.closed, &r.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Puts a guard on a shift at a gate.
#[utoipa::path(post, path = "/gates/{id}/shifts", params(("id" = i64, Path)), request_body = ShiftRequest, responses((status = 201, body = super::Created), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_shift(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<ShiftRequest>,
) -> ApiResult<CreatedId> {
    let shift = ctx
        .app
        .add_gate_shift(&ctx.actor, id, r.account_id, r.starts_at, r.ends_at)
        .await?;
    Ok(created(shift))
}

/// Ends a shift now, or calls off one that has not begun.
#[utoipa::path(delete, path = "/gate-shifts/{id}", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn end_shift(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    ctx.app.end_gate_shift(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's shifts not yet over: the gates they keep.
#[utoipa::path(get, path = "/me/shifts", responses((status = 200, body = Vec<ShiftDto>), (status = 403, body = ErrorBody)))]
async fn my_shifts(ctx: ApiCtx) -> ApiResult<Json<Vec<ShiftDto>>> {
    let shifts = ctx.app.my_shifts(&ctx.actor).await?;
    Ok(Json(shifts.into_iter().map(Into::into).collect()))
}

/// A pass shown at the gate: verified (signature, revocation, gate, quota, fence, hours,
/// temperature), logged, and answered with the decision and the rule that refused. A guard
/// must be on shift at the gate.
#[utoipa::path(post, path = "/gates/{id}/passages", params(("id" = i64, Path)), request_body = PassageRequest, responses((status = 201, body = GateDecisionDto), (status = 200, description = "The passage was sent before under the same client_id", body = GateDecisionDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn pass_through(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<PassageRequest>,
) -> ApiResult<(StatusCode, Json<GateDecisionDto>)> {
    let input = app::gates::scan::PassageInput {
        code: r.code,
        direction: r.direction,
        temperature: r.temperature,
        persons: r.persons,
        client_id: r.client_id,
        at: r.at,
        decided_offline: r.decided_offline,
        overriding: r.r#override.map(Into::into),
    };
    let d = ctx.app.pass_through_gate(&ctx.actor, id, &input).await?;
    Ok(decision(d))
}

/// A visitor at the gate: registered (or found again by ID), admitted or refused by the visitor
/// rule with the rule that decided, and logged.
#[utoipa::path(post, path = "/gates/{id}/visitors", params(("id" = i64, Path)), request_body = VisitorRequest, responses((status = 201, body = GateDecisionDto), (status = 200, description = "The passage was sent before under the same client_id", body = GateDecisionDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn visitor_through(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<VisitorRequest>,
) -> ApiResult<(StatusCode, Json<GateDecisionDto>)> {
    let input = app::gates::visitors::VisitorInput {
        name: r.name,
        document_kind: r.document_kind,
        document_number: r.document_number,
        phone: r.phone,
        origin: r.origin,
        household_id: r.household_id,
        building: r.building,
        unit: r.unit,
        room: r.room,
        purpose: r.purpose,
        health_code: r.health_code,
        temperature: r.temperature,
        client_id: r.client_id,
        at: r.at,
        decided_offline: r.decided_offline,
        overriding: r.r#override.map(Into::into),
    };
    let d = ctx.app.admit_visitor(&ctx.actor, id, &input).await?;
    Ok(decision(d))
}

/// A visitor known at the gate's community, found by ID number (in the body, not the URL).
#[utoipa::path(post, path = "/gates/{id}/visitor-lookup", params(("id" = i64, Path)), request_body = VisitorLookup, responses((status = 200, body = VisitorDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn find_visitor(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<VisitorLookup>,
) -> ApiResult<Json<VisitorDto>> {
    let v = ctx
        .app
        .find_visitor(&ctx.actor, id, &r.document_kind, &r.document_number)
        .await?
        .ok_or(app::AppError::NotFound)?;
    Ok(Json(v.into()))
}

/// The revocation list of the gate's community, for verifying passes with no network.
#[utoipa::path(get, path = "/gates/{id}/revocations", params(("id" = i64, Path)), responses((status = 200, body = RevocationsDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn revocations(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<RevocationsDto>> {
    let r = ctx.app.revocations(&ctx.actor, id).await?;
    let (mut revoked, mut suspended) = (Vec::new(), Vec::new());
    for p in r.not_live {
        match p.state {
            domain::checkpoint::PassState::Suspended => suspended.push(p.id),
            _ => revoked.push(p.id),
        }
    }
    Ok(Json(RevocationsDto {
        version: r.version,
        revoked,
        suspended,
    }))
}

/// A gate's passages per hour, direction and result.
#[utoipa::path(get, path = "/gates/{id}/traffic", params(("id" = i64, Path), TrafficParams), responses((status = 200, body = Vec<HourlyTrafficDto>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn traffic(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Query(p): Query<TrafficParams>,
) -> ApiResult<Json<Vec<HourlyTrafficDto>>> {
    let rows = ctx.app.gate_traffic(&ctx.actor, id, p.from, p.to).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// The passage log, newest first: a gate's, a household's (audited), a pass's or a visitor's,
/// or only the overrides and offline conflicts. A guard reads the gates of their shift only.
#[utoipa::path(get, path = "/passages", params(PassageParams), responses((status = 200, body = PassagePage), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn passages(ctx: ApiCtx, Query(p): Query<PassageParams>) -> ApiResult<Json<PassagePage>> {
    let filter = store::passages::PassageFilter {
        gate_id: p.gate_id,
        household_id: p.household_id,
        pass_id: p.pass_id,
        visitor_id: p.visitor_id,
        exceptions_only: p.exceptions,
        since: None,
    };
    let page = ctx.app.passages(&ctx.actor, &filter, p.page()).await?;
    Ok(PassagePage::of(page))
}

/// Overrides of the last 30 days counted per gate, guard and requester.
#[utoipa::path(get, path = "/passages/override-counts", responses((status = 200, body = Vec<OverrideCountDto>), (status = 403, body = ErrorBody)))]
async fn override_counts(ctx: ApiCtx) -> ApiResult<Json<Vec<OverrideCountDto>>> {
    let rows = ctx.app.override_counts(&ctx.actor).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}
