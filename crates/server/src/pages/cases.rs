//! Pages of cases: the list with the community's control level, recording a suspected case
//! (from a resident's page or for someone registered nowhere), a case's file with its
//! movements, decision, seals, zone and disinfection, and its report for the CDC. Tracing is
//! in [`trace`]; the risk map and the chain in [`map`].

use app::cases::{CaseInput, DecisionInput, MovementInput};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::routing::{get, post};
use domain::cases::{self as dc, ControlLevel, MovementKind, Source, Status};
use domain::page::PageRequest;
use serde::Deserialize;
use store::cases::{Case, CaseFilter};

use crate::AppState;
use crate::pages::registry_time;
use crate::web::{
    Chrome, Ctx, Form, FormErrors, NoFields, OnPage, PageError, PageResult, Path, after_step,
    after_submit, invalid, invalid_or_conflicting, render, render_form,
};

pub(crate) mod map;
mod trace;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list).post(record))
        .route("/cases/new", get(new_case))
        .route("/cases/{id}", get(file))
        .route("/cases/{id}/movements", post(add_movement))
        .route("/cases/{id}/decision", post(decide))
        .route("/cases/{id}/report", get(report))
        .route("/cases/{id}/report-sent", post(report_sent))
        .route("/cases/{id}/end", post(end_measures))
        .route("/disinfections/{id}/done", post(disinfection_done))
        .route("/communities/{id}/control-level", post(set_level))
        .merge(trace::routes())
        .merge(map::routes())
}

/// A case's movements with their times as the pages show them.
fn timed(
    ctx: &Ctx,
    movements: &[store::cases::Movement],
) -> Vec<(store::cases::Movement, String, String)> {
    movements
        .iter()
        .map(|m| {
            (
                m.clone(),
                registry_time(&ctx.app, m.from_at),
                registry_time(&ctx.app, m.to_at),
            )
        })
        .collect()
}

/// A time as the pages show it, or nothing.
fn time(ctx: &Ctx, ms: Option<i64>) -> String {
    ms.map(|ms| registry_time(&ctx.app, ms)).unwrap_or_default()
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQuery {
    status: String,
    after: Option<i64>,
}

/// A community the actor works in, with its control level, for the list's heading.
struct Level {
    community_id: i64,
    community: String,
    level: ControlLevel,
    reason: String,
    set_at: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    c: Chrome,
    cases: Vec<Case>,
    q: ListQuery,
    statuses: Vec<&'static str>,
    levels: Vec<Level>,
    can_record: bool,
    can_decide: bool,
    next: Option<i64>,
    errors: FormErrors,
}

/// The control levels of the communities the actor sees (the first 20).
async fn levels(ctx: &Ctx) -> Result<Vec<Level>, crate::web::PageError> {
    let mut levels = Vec::new();
    for c in ctx
        .app
        .communities(&ctx.actor)
        .await
        .on_page(ctx)?
        .into_iter()
        .take(20)
    {
        let (level, reason, at) = ctx.app.control_level(&ctx.actor, c.id).await.on_page(ctx)?;
        levels.push(Level {
            community_id: c.id,
            community: c.name,
            level,
            reason,
            set_at: time(ctx, at),
        });
    }
    Ok(levels)
}

/// How many suspected cases await confirmation or exclusion in the actor's jurisdiction: empty
/// when none, "20+" past twenty (a page reads one short page, never a count of everything).
pub(crate) async fn awaiting(ctx: &Ctx) -> Result<String, crate::web::PageError> {
    let filter = CaseFilter {
        status: Some(Status::Suspected),
        ..Default::default()
    };
    let page = ctx
        .app
        .cases(&ctx.actor, &filter, PageRequest::new(None, Some(20)))
        .await
        .on_page(ctx)?;
    Ok(match (page.items.len(), page.next) {
        (0, _) => String::new(),
        (n, None) => n.to_string(),
        (n, Some(_)) => format!("{n}+"),
    })
}

async fn list_page(ctx: &Ctx, q: ListQuery, errors: FormErrors) -> PageResult {
    let filter = CaseFilter {
        status: Status::from_code(&q.status),
        ..Default::default()
    };
    let page = ctx
        .app
        .cases(&ctx.actor, &filter, PageRequest::new(q.after, None))
        .await
        .on_page(ctx)?;
    let refused = !errors.is_empty();
    Ok(render_form(
        &ListPage {
            c: ctx.chrome(ctx.t.get("cases.title")),
            cases: page.items,
            q,
            statuses: Status::ALL.iter().map(|s| s.code()).collect(),
            levels: levels(ctx).await?,
            can_record: dc::can_record(ctx.actor.role),
            can_decide: dc::can_decide(ctx.actor.role),
            next: page.next,
            errors,
        },
        refused,
    ))
}

async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    list_page(&ctx, q, FormErrors::default()).await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct CaseForm {
    resident_id: Option<i64>,
    visitor_id: Option<i64>,
    person_name: String,
    community_id: Option<i64>,
    building: String,
    source: String,
    onset_on: String,
    tested_on: String,
    reference: String,
    note: String,
    traced_from_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewPage {
    c: Chrome,
    f: CaseForm,
    /// The resident the case is recorded for: name and address.
    resident: Option<(String, String)>,
    /// The visitor from the gate log the case is recorded for: their name.
    visitor: Option<String>,
    communities: Vec<(i64, String)>,
    sources: Vec<&'static str>,
    today: String,
    errors: FormErrors,
}

async fn new_page(ctx: &Ctx, f: CaseForm, errors: FormErrors) -> PageResult {
    let resident = match f.resident_id {
        Some(id) => {
            let (r, _) = ctx.app.resident(&ctx.actor, id).await.on_page(ctx)?;
            let place = r.address.to_string();
            Some((r.particulars.name, place))
        }
        None => None,
    };
    let visitor = match f.visitor_id {
        Some(id) => Some(
            ctx.app
                .case_visitor_name(&ctx.actor, id)
                .await
                .on_page(ctx)?,
        ),
        None => None,
    };
    let communities = community_choices(ctx).await?;
    let refused = !errors.is_empty();
    Ok(render_form(
        &NewPage {
            c: ctx.chrome(ctx.t.get("cases.new")),
            f,
            resident,
            visitor,
            communities,
            sources: Source::ALL.iter().map(|s| s.code()).collect(),
            today: ctx.app.today().to_string(),
            errors,
        },
        refused,
    ))
}

async fn new_case(ctx: Ctx, Query(f): Query<CaseForm>) -> PageResult {
    new_page(&ctx, f, FormErrors::default()).await
}

/// Records a suspected case and shows its file, its building sealed.
async fn record(ctx: Ctx, Form(f): Form<CaseForm>) -> PageResult {
    let result = record_case(&ctx, &f).await;
    after_submit(
        &ctx,
        result,
        invalid,
        |id| format!("/cases/{id}"),
        |errors| new_page(&ctx, f.clone(), errors),
    )
    .await
}

async fn record_case(ctx: &Ctx, f: &CaseForm) -> app::AppResult<i64> {
    let building_id = match (f.resident_id, f.community_id, f.building.trim()) {
        (None, Some(c), name) if !name.is_empty() => {
            Some(ctx.app.case_building_named(&ctx.actor, c, name).await?)
        }
        _ => None,
    };
    let input = CaseInput {
        resident_id: f.resident_id,
        visitor_id: f.visitor_id,
        person_name: f.person_name.clone(),
        building_id,
        source: f.source.clone(),
        onset_on: f.onset_on.clone(),
        tested_on: f.tested_on.clone(),
        reference: f.reference.clone(),
        note: f.note.clone(),
        traced_from_id: f.traced_from_id,
        ..Default::default()
    };
    ctx.app.record_case(&ctx.actor, &input).await
}

#[derive(Template)]
#[template(path = "case.html")]
struct FilePage {
    c: Chrome,
    f: app::cases::CaseFile,
    suspected_at: String,
    confirmed_at: String,
    excluded_at: String,
    report_sent_at: String,
    movements: Vec<(store::cases::Movement, String, String)>,
    seals: Vec<(store::cases::Seal, String)>,
    gates: Vec<(i64, String)>,
    kinds: Vec<&'static str>,
    can_record: bool,
    can_decide: bool,
    can_trace: bool,
    can_disinfect: bool,
    now_local: String,
    errors: FormErrors,
}

async fn file_page(ctx: &Ctx, id: i64, errors: FormErrors) -> PageResult {
    let f = ctx.app.case_file(&ctx.actor, id).await.on_page(ctx)?;
    let gates = if dc::can_record(ctx.actor.role) {
        ctx.app
            .case_gates(&ctx.actor, f.case.community_id)
            .await
            .on_page(ctx)?
    } else {
        Vec::new()
    };
    let movements = timed(ctx, &f.movements);
    let seals = f
        .seals
        .iter()
        .map(|s| (s.clone(), registry_time(&ctx.app, s.started_at)))
        .collect();
    let now_local = ctx
        .app
        .local(jiff::Timestamp::now())
        .strftime("%Y-%m-%dT%H:%M")
        .to_string();
    let title = format!("{} · {}", ctx.t.get("cases.case"), f.case.person_name);
    let refused = !errors.is_empty();
    Ok(render_form(
        &FilePage {
            c: ctx.chrome(&title),
            suspected_at: time(ctx, Some(f.case.suspected_at)),
            confirmed_at: time(ctx, f.case.confirmed_at),
            excluded_at: time(ctx, f.case.excluded_at),
            report_sent_at: time(ctx, f.case.report_sent_at),
            movements,
            seals,
            gates,
            kinds: MovementKind::ALL.iter().map(|k| k.code()).collect(),
            can_record: dc::can_record(ctx.actor.role),
            can_decide: dc::can_decide(ctx.actor.role),
            can_trace: dc::can_trace(ctx.actor.role),
            can_disinfect: dc::can_disinfect(ctx.actor.role),
            now_local,
            errors,
            f,
        },
        refused,
    ))
}

async fn file(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    file_page(&ctx, id, FormErrors::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MovementForm {
    kind: String,
    building: String,
    gate_id: String,
    unit: String,
    room: String,
    place: String,
    from: String,
    to: String,
}

async fn add_movement(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<MovementForm>) -> PageResult {
    let result = movement(&ctx, id, &f).await;
    after_submit(
        &ctx,
        result,
        invalid,
        |_| format!("/cases/{id}#movements"),
        |errors| file_page(&ctx, id, errors),
    )
    .await
}

async fn movement(ctx: &Ctx, id: i64, f: &MovementForm) -> app::AppResult<i64> {
    let local = |text: &str, field: &str| {
        ctx.local_instant(text)
            .ok_or_else(|| app::AppError::field(field, "date_format"))
    };
    let from_at = local(&f.from, "from")?;
    let to_at = local(&f.to, "to_at")?;
    let case = ctx.app.case_file(&ctx.actor, id).await?.case;
    let kind = MovementKind::from_code(f.kind.trim());
    let mut input = MovementInput {
        kind: f.kind.clone(),
        place: f.place.clone(),
        from_at,
        to_at,
        ..Default::default()
    };
    match kind {
        Some(MovementKind::Building) => {
            input.building_id = Some(
                ctx.app
                    .case_building_named(&ctx.actor, case.community_id, &f.building)
                    .await?,
            );
        }
        Some(MovementKind::Household) => {
            input.household_id = Some(
                ctx.app
                    .case_household_at(&ctx.actor, case.community_id, &f.building, &f.unit, &f.room)
                    .await?,
            );
        }
        Some(MovementKind::Gate) => input.gate_id = f.gate_id.trim().parse().ok(),
        _ => {}
    }
    ctx.app.add_case_movement(&ctx.actor, id, &input).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DecisionForm {
    decision: String,
    zone_buildings: String,
    note: String,
}

async fn decide(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<DecisionForm>) -> PageResult {
    let result = decision(&ctx, id, &f).await;
    after_submit(
        &ctx,
        result,
        invalid_or_conflicting,
        |_| format!("/cases/{id}"),
        |errors| file_page(&ctx, id, errors),
    )
    .await
}

async fn decision(ctx: &Ctx, id: i64, f: &DecisionForm) -> app::AppResult<Status> {
    let zone_buildings = if f.zone_buildings.trim().is_empty() {
        Vec::new()
    } else {
        let case = ctx.app.case_file(&ctx.actor, id).await?.case;
        ctx.app
            .case_buildings_named(&ctx.actor, case.community_id, &f.zone_buildings)
            .await?
    };
    let input = DecisionInput {
        decision: f.decision.clone(),
        zone_buildings,
        note: f.note.clone(),
    };
    ctx.app.decide_case(&ctx.actor, id, &input).await
}

async fn report_sent(ctx: Ctx, Path(id): Path<i64>, Form(_): Form<NoFields>) -> PageResult {
    let result = ctx.app.mark_case_report_sent(&ctx.actor, id).await;
    after_submit(
        &ctx,
        result,
        invalid_or_conflicting,
        |()| format!("/cases/{id}/report"),
        |errors| file_page(&ctx, id, errors),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EndForm {
    building_id: Option<i64>,
    note: String,
}

async fn end_measures(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<EndForm>) -> PageResult {
    let result = ctx
        .app
        .end_case_measures(&ctx.actor, id, f.building_id, &f.note)
        .await;
    after_submit(
        &ctx,
        result,
        invalid,
        |_| format!("/cases/{id}"),
        |errors| file_page(&ctx, id, errors),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DoneForm {
    case_id: i64,
}

async fn disinfection_done(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<DoneForm>) -> PageResult {
    let result = ctx.app.finish_disinfection(&ctx.actor, id).await;
    after_step(&ctx, result, &format!("/cases/{}#disinfection", f.case_id))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LevelForm {
    level: String,
    reason: String,
}

async fn set_level(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<LevelForm>) -> PageResult {
    let result = ctx
        .app
        .set_control_level(&ctx.actor, id, &f.level, &f.reason)
        .await;
    after_submit(
        &ctx,
        result,
        invalid,
        |()| "/cases".to_owned(),
        |errors| list_page(&ctx, ListQuery::default(), errors),
    )
    .await
}

#[derive(Template)]
#[template(path = "case_report.html")]
struct ReportPage {
    c: Chrome,
    f: app::cases::CaseFile,
    suspected_at: String,
    confirmed_at: String,
    report_sent_at: String,
    movements: Vec<(store::cases::Movement, String, String)>,
    followed: Vec<store::cases::CaseContact>,
    can_record: bool,
}

/// The structured case report for the CDC: the person, the dates, the place, the movements,
/// the zone and the contacts on follow-up; printable.
async fn report(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let f = ctx.app.case_file(&ctx.actor, id).await.on_page(&ctx)?;
    let followed = if dc::can_trace(ctx.actor.role) {
        ctx.app
            .followed_contacts(&ctx.actor, id, PageRequest::new(None, Some(500)))
            .await
            .on_page(&ctx)?
            .items
    } else {
        Vec::new()
    };
    let movements = timed(&ctx, &f.movements);
    let title = format!("{} · {}", ctx.t.get("cases.report"), f.case.person_name);
    Ok(render(&ReportPage {
        c: ctx.chrome(&title),
        suspected_at: time(&ctx, Some(f.case.suspected_at)),
        confirmed_at: time(&ctx, f.case.confirmed_at),
        report_sent_at: time(&ctx, f.case.report_sent_at),
        movements,
        followed,
        can_record: dc::can_record(ctx.actor.role),
        f,
    }))
}

/// The communities the actor sees, for a select: (id, name), the first 50.
async fn community_choices(ctx: &Ctx) -> Result<Vec<(i64, String)>, PageError> {
    Ok(ctx
        .app
        .communities(&ctx.actor)
        .await
        .on_page(ctx)?
        .into_iter()
        .take(50)
        .map(|c| (c.id, c.name))
        .collect())
}
