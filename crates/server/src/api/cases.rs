//! Cases: recording a suspected case (its building sealed at once), its movements, the
//! decision that confirms or excludes it, tracing its contacts and putting them on follow-up,
//! disinfection of the zone, and the community's control level.

use axum::http::StatusCode;
use domain::cases::{ContactKey, ControlLevel, Overlap, Status, Strength};
use serde::{Deserialize, Serialize};
use store::cases::{Case, CaseContact, Disinfection, Movement, Seal, Zone};
use utoipa::{IntoParams, ToSchema};

use super::{ApiCtx, ApiResult, CreatedId, ErrorBody, created, paths};
use crate::AppState;
use crate::api::extract::{Json, Path, Query};
use crate::api::{ApiPage, api_page, api_shape, page_params};
use utoipa_axum::router::OpenApiRouter;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    paths!(
        list_cases, record_case;
        case_file;
        add_movement;
        decide;
        report_sent;
        end_measures;
        contacts;
        follow_up;
        followed_contacts;
        disinfection_done;
        control_level, set_control_level
    )
}

api_page! {
    CasePage of Case,
    /// Case as `after` for the next page.
    next
}

page_params! {
    CaseParams {
        /// `suspected`, `confirmed` or `excluded`.
        status: Option<String>,
        building_id: Option<i64>,
        resident_id: Option<i64>,
    },
    after
}

/// A suspected case: a resident, a visitor from the gate log, or a person registered nowhere
/// (a name and where they stay).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseRequest {
    pub resident_id: Option<i64>,
    pub visitor_id: Option<i64>,
    #[serde(default)]
    pub person_name: String,
    /// Where an unregistered person or a visitor stays.
    pub household_id: Option<i64>,
    pub building_id: Option<i64>,
    /// `fever_alert`, `hotline`, `hospital`, `cdc`, `screening`, `returnee` or `contact`.
    pub source: String,
    /// ISO date of symptom onset.
    #[serde(default)]
    pub onset_on: String,
    /// ISO date of the test.
    #[serde(default)]
    pub tested_on: String,
    /// The reporting hospital's or the CDC's reference.
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub note: String,
    /// The case this person was traced from.
    pub traced_from_id: Option<i64>,
}

api_shape! {
    CaseFileDto from f: app::cases::CaseFile {
        case: Case,
        movements: Vec<Movement>,
        seals: Vec<Seal>,
        zones: Vec<Zone>,
        disinfections: Vec<Disinfection>,
    }
}

/// A place and time the case was; times in ms.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MovementRequest {
    /// `building`, `gate`, `household` (visited) or `outside`.
    pub kind: String,
    pub building_id: Option<i64>,
    pub gate_id: Option<i64>,
    pub household_id: Option<i64>,
    /// An outside place in words.
    #[serde(default)]
    pub place: String,
    pub from_at: i64,
    pub to_at: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// `confirm` or `exclude`.
    pub decision: String,
    /// Buildings added to the alert zone around the case's own, on confirmation.
    #[serde(default)]
    pub zone_buildings: Vec<i64>,
    #[serde(default)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionDto {
    pub status: Status,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndRequest {
    /// One building's seal; every seal and zone of the case when absent.
    pub building_id: Option<i64>,
    /// Why the lead ends them before the rule would.
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct EndedDto {
    pub ended: usize,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactParams {
    /// Contacts to skip, strongest first.
    pub offset: Option<usize>,
    /// At most 500; 100 when absent.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<usize>,
}

/// A contact found by tracing: who it stands for, how close, and why.
#[derive(Serialize, ToSchema)]
pub struct ContactDto {
    /// `resident`, `household`, `visitor` or `account`.
    pub kind: String,
    pub id: i64,
    pub strength: Strength,
    /// The person's name (empty for a household).
    pub name: String,
    /// Where they live.
    pub place: String,
    /// People it stands for: a household's members.
    pub people: i64,
    /// Already on follow-up for this case.
    pub followed: bool,
    pub overlaps: Vec<Overlap>,
}

#[derive(Serialize, ToSchema)]
pub struct StrengthCount {
    pub strength: Strength,
    pub contacts: usize,
}

#[derive(Serialize, ToSchema)]
pub struct TraceDto {
    /// The window searched (ms).
    pub from: i64,
    pub to: i64,
    pub gate_minutes: i64,
    /// The case's passages and gate movements searched around.
    pub case_passings: usize,
    pub total: usize,
    pub counts: Vec<StrengthCount>,
    pub contacts: Vec<ContactDto>,
    /// The offset of the next page, if any.
    pub next_offset: Option<usize>,
}

/// A picked contact.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPick {
    /// `resident`, `household`, `visitor` or `account`.
    pub kind: String,
    pub id: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpRequest {
    /// `self_quarantine`, `quarantine_order` or `cdc_list`.
    pub follow_up: String,
    pub contacts: Vec<ContactPick>,
}

api_shape! {
    FollowedUpDto from done: app::cases::tracing::FollowedUp {
        orders: usize,
        already_in_quarantine: usize,
        cdc_list: usize,
        skipped: usize,
    }
}

api_page! {
    CaseContactPage of CaseContact,
    /// Contact as `after` for the next page.
    next
}

page_params! {
    FollowedParams {},
    after
}

#[derive(Serialize, ToSchema)]
pub struct ControlLevelDto {
    /// `key` or `general`.
    pub level: ControlLevel,
    pub reason: String,
    /// When the lead set it (ms); absent when never set.
    pub set_at: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlLevelRequest {
    pub level: String,
    pub reason: String,
}

/// Cases in the caller's jurisdiction, newest first.
#[utoipa::path(get, path = "/cases", params(CaseParams), responses((status = 200, body = CasePage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_cases(ctx: ApiCtx, Query(p): Query<CaseParams>) -> ApiResult<Json<CasePage>> {
    let status = match p.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            Status::from_code(s).ok_or_else(|| app::AppError::field("status", "unknown_code"))?,
        ),
    };
    let filter = store::cases::CaseFilter {
        status,
        building_id: p.building_id,
        resident_id: p.resident_id,
    };
    Ok(CasePage::of(
        ctx.app.cases(&ctx.actor, &filter, p.page()).await?,
    ))
}

/// Records a suspected case; its building is sealed at once (passes suspended, the gate
/// refuses its residents and their visitors).
#[utoipa::path(post, path = "/cases", request_body = CaseRequest, responses((status = 201, body = super::Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_case(ctx: ApiCtx, Json(r): Json<CaseRequest>) -> ApiResult<CreatedId> {
    let input = app::cases::CaseInput {
        resident_id: r.resident_id,
        visitor_id: r.visitor_id,
        person_name: r.person_name,
        household_id: r.household_id,
        building_id: r.building_id,
        source: r.source,
        onset_on: r.onset_on,
        tested_on: r.tested_on,
        reference: r.reference,
        note: r.note,
        traced_from_id: r.traced_from_id,
    };
    Ok(created(ctx.app.record_case(&ctx.actor, &input).await?))
}

/// A case with its movements, seals, zones and disinfections (an audited read).
#[utoipa::path(get, path = "/cases/{id}", params(("id" = i64, Path)), responses((status = 200, body = CaseFileDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn case_file(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<CaseFileDto>> {
    let f = ctx.app.case_file(&ctx.actor, id).await?;
    Ok(Json(f.into()))
}

/// Adds a place and time the case was.
#[utoipa::path(post, path = "/cases/{id}/movements", params(("id" = i64, Path)), request_body = MovementRequest, responses((status = 201, body = super::Created), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_movement(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<MovementRequest>,
) -> ApiResult<CreatedId> {
    let input = app::cases::MovementInput {
        kind: r.kind,
        building_id: r.building_id,
        gate_id: r.gate_id,
        household_id: r.household_id,
        place: r.place,
        from_at: r.from_at,
        to_at: r.to_at,
    };
    Ok(created(
        ctx.app.add_case_movement(&ctx.actor, id, &input).await?,
    ))
}

/// Confirms a suspected case (outbreak point, alert zone, disinfection tasks) or excludes it
/// (its seals end).
#[utoipa::path(post, path = "/cases/{id}/decision", params(("id" = i64, Path)), request_body = DecisionRequest, responses((status = 200, body = DecisionDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<DecisionRequest>,
) -> ApiResult<Json<DecisionDto>> {
    let input = app::cases::DecisionInput {
        decision: r.decision,
        zone_buildings: r.zone_buildings,
        note: r.note,
    };
    let status = ctx.app.decide_case(&ctx.actor, id, &input).await?;
    Ok(Json(DecisionDto { status }))
}

/// Marks a confirmed case's report sent to the CDC.
#[utoipa::path(post, path = "/cases/{id}/report-sent", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn report_sent(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    ctx.app.mark_case_report_sent(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends a building's seal, or every seal and zone of the case, before the rule would.
#[utoipa::path(post, path = "/cases/{id}/end", params(("id" = i64, Path)), request_body = EndRequest, responses((status = 200, body = EndedDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn end_measures(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<EndRequest>,
) -> ApiResult<Json<EndedDto>> {
    let ended = ctx
        .app
        .end_case_measures(&ctx.actor, id, r.building_id, &r.note)
        .await?;
    Ok(Json(EndedDto { ended }))
}

/// Traces the case's contacts in its window from the gate log, the registry, visitors and the
/// workers' logs, strongest first (an audited read).
#[utoipa::path(get, path = "/cases/{id}/contacts", params(("id" = i64, Path), ContactParams), responses((status = 200, body = TraceDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn contacts(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Query(p): Query<ContactParams>,
) -> ApiResult<Json<TraceDto>> {
    let trace = ctx.app.trace_case(&ctx.actor, id).await?;
    let offset = p.offset.unwrap_or(0).min(trace.contacts.len());
    let limit = p.limit.unwrap_or(100).clamp(1, 500);
    let end = (offset + limit).min(trace.contacts.len());
    let views = ctx
        .app
        .contact_views(&ctx.actor, id, &trace.contacts[offset..end])
        .await?;
    Ok(Json(TraceDto {
        from: trace.window.from,
        to: trace.window.to,
        gate_minutes: trace.gate_minutes,
        case_passings: trace.case_passings,
        total: trace.contacts.len(),
        counts: trace
            .counts
            .iter()
            .map(|(strength, contacts)| StrengthCount {
                strength: *strength,
                contacts: *contacts,
            })
            .collect(),
        contacts: views
            .into_iter()
            .map(|v| {
                let (kind, id) = key_parts(v.contact.key);
                ContactDto {
                    kind: kind.to_owned(),
                    id,
                    strength: v.contact.strength,
                    name: v.name,
                    place: v.place,
                    people: v.people,
                    followed: v.followed,
                    overlaps: v.contact.overlaps,
                }
            })
            .collect(),
        next_offset: (end < trace.contacts.len()).then_some(end),
    }))
}

pub(crate) fn key_parts(k: ContactKey) -> (&'static str, i64) {
    match k {
        ContactKey::Resident(id) => ("resident", id),
        ContactKey::Household(id) => ("household", id),
        ContactKey::Visitor(id) => ("visitor", id),
        ContactKey::Account(id) => ("account", id),
    }
}

pub(crate) fn key_of(kind: &str, id: i64) -> Option<ContactKey> {
    Some(match kind {
        "resident" => ContactKey::Resident(id),
        "household" => ContactKey::Household(id),
        "visitor" => ContactKey::Visitor(id),
        "account" => ContactKey::Account(id),
        _ => return None,
    })
}

/// Puts picked contacts on follow-up in one step: residents (each member of a household)
/// under quarantine for contact with a case, visitors and workers on the CDC's list.
#[utoipa::path(post, path = "/cases/{id}/follow-up", params(("id" = i64, Path)), request_body = FollowUpRequest, responses((status = 200, body = FollowedUpDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn follow_up(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<FollowUpRequest>,
) -> ApiResult<Json<FollowedUpDto>> {
    let picks = r
        .contacts
        .iter()
        .map(|c| key_of(&c.kind, c.id))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| app::AppError::field("contacts", "unknown_kind"))?;
    let done = ctx
        .app
        .follow_up_contacts(&ctx.actor, id, &picks, &r.follow_up)
        .await?;
    Ok(Json(done.into()))
}

/// The contacts a case's follow-up has put on quarantine or on the CDC's list, by key.
#[utoipa::path(get, path = "/cases/{id}/followed-contacts", params(("id" = i64, Path), FollowedParams), responses((status = 200, body = CaseContactPage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn followed_contacts(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Query(p): Query<FollowedParams>,
) -> ApiResult<Json<CaseContactPage>> {
    Ok(CaseContactPage::of(
        ctx.app.followed_contacts(&ctx.actor, id, p.page()).await?,
    ))
}

/// Marks a zone building's disinfection done.
#[utoipa::path(post, path = "/disinfections/{id}/done", params(("id" = i64, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn disinfection_done(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    ctx.app.finish_disinfection(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The community's control level and why the lead set it.
#[utoipa::path(get, path = "/communities/{id}/control-level", params(("id" = i64, Path)), responses((status = 200, body = ControlLevelDto), (status = 404, body = ErrorBody)))]
async fn control_level(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<ControlLevelDto>> {
    let (level, reason, set_at) = ctx.app.control_level(&ctx.actor, id).await?;
    Ok(Json(ControlLevelDto {
        level,
        reason,
        set_at,
    }))
}

/// Sets the community's control level, with the reason.
#[utoipa::path(put, path = "/communities/{id}/control-level", params(("id" = i64, Path)), request_body = ControlLevelRequest, responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_control_level(
    ctx: ApiCtx,
    Path(id): Path<i64>,
    Json(r): Json<ControlLevelRequest>,
) -> ApiResult<StatusCode> {
    ctx.app
        .set_control_level(&ctx.actor, id, &r.level, &r.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
