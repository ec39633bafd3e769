//! Pages of the gates for staff and supervisors: the gates with their state and the guards on
//! shift, one gate with its form, shifts and today's traffic, and the passage log with the
//! overrides and offline conflicts counted. The guard's own page is the gate's scan page.

use app::gates::GateInput;
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::routing::{get, post};
use domain::checkpoint::{self as cp, Direction, GateDirection, PassageResult};
use domain::page::PageRequest;
use serde::Deserialize;
use store::gates::{Gate, Shift};
use store::passages::{OverrideCount, Passage, PassageFilter};

use crate::AppState;
use crate::pages::registry_time;
use crate::web::{
    Chrome, Ctx, Form, FormErrors, OnPage, PageResult, Path, after_submit, invalid, render,
    render_form,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/gates", get(list).post(create))
        .route("/gates/{id}", get(gate).post(update))
        .route("/gates/{id}/state", post(state))
        .route("/gates/{id}/shifts", post(add_shift))
        .route("/gate-shifts/{id}/end", post(end_shift))
        .route("/passages", get(passages))
}

#[derive(Template)]
#[template(path = "gates.html")]
struct ListPage {
    c: Chrome,
    gates: Vec<Gate>,
    shifts: Vec<Shift>,
    communities: Vec<store::structure::Community>,
    can_manage: bool,
    can_review_overrides: bool,
    directions: Vec<&'static str>,
    errors: FormErrors,
    form: GateForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct GateForm {
    community_id: String,
    name: String,
    direction: String,
    opens: String,
    closes: String,
    buildings: String,
}

fn direction_codes() -> Vec<&'static str> {
    GateDirection::ALL.iter().map(|d| d.code()).collect()
}

async fn list_page(ctx: &Ctx, form: GateForm, errors: FormErrors) -> PageResult {
    let can_manage = cp::can_manage_gates(ctx.actor.role);
    let gates = if can_manage || cp::can_read_passages(ctx.actor.role) {
        ctx.app.gates(&ctx.actor, None).await.on_page(ctx)?
    } else {
        Vec::new()
    };
    let shifts = if cp::can_keep_gate(ctx.actor.role) {
        ctx.app.my_shifts(&ctx.actor).await.on_page(ctx)?
    } else {
        Vec::new()
    };
    // A reader of the passages opens the page whether or not a gate exists yet: the menu
    // offers it to every role that may read it.
    if !can_manage && !cp::can_read_passages(ctx.actor.role) && !cp::can_keep_gate(ctx.actor.role) {
        return Err(ctx.err(app::AppError::Forbidden));
    }
    let communities = if can_manage {
        ctx.app.communities(&ctx.actor).await.on_page(ctx)?
    } else {
        Vec::new()
    };
    let refused = !errors.is_empty();
    Ok(render_form(
        &ListPage {
            c: ctx.chrome(ctx.t.get("gates.title")),
            gates,
            shifts,
            communities,
            can_manage,
            can_review_overrides: cp::can_review_overrides(ctx.actor.role),
            directions: direction_codes(),
            errors,
            form,
        },
        refused,
    ))
}

async fn list(ctx: Ctx) -> PageResult {
    list_page(&ctx, GateForm::default(), FormErrors::default()).await
}

async fn gate_input(
    ctx: &Ctx,
    community_id: i64,
    f: &GateForm,
) -> Result<GateInput, app::AppError> {
    Ok(GateInput {
        name: f.name.clone(),
        direction: f.direction.clone(),
        opens: f.opens.clone(),
        closes: f.closes.clone(),
        building_ids: ctx
            .app
            .buildings_named(&ctx.actor, community_id, &f.buildings)
            .await?,
    })
}

async fn create(ctx: Ctx, Form(f): Form<GateForm>) -> PageResult {
    let community_id = f.community_id.trim().parse::<i64>().unwrap_or_default();
    let result = match gate_input(&ctx, community_id, &f).await {
        Ok(input) => ctx.app.create_gate(&ctx.actor, community_id, &input).await,
        Err(e) => Err(e),
    };
    after_submit(
        &ctx,
        result,
        invalid,
        |id| format!("/gates/{id}"),
        |errors| list_page(&ctx, f.clone(), errors),
    )
    .await
}

/// An hour of today's traffic at a gate.
struct Hour {
    label: String,
    out: i64,
    inward: i64,
    refused: i64,
}

#[derive(Template)]
#[template(path = "gate.html")]
struct GatePage {
    c: Chrome,
    gate: Gate,
    buildings: String,
    shifts: Vec<(Shift, String, String)>,
    guards: Vec<store::accounts::Responsible>,
    hours: Vec<Hour>,
    recent: Vec<(Passage, String)>,
    can_manage: bool,
    can_keep: bool,
    directions: Vec<&'static str>,
    errors: FormErrors,
    form: GateForm,
    today: String,
}

async fn gate_page(ctx: &Ctx, id: i64, form: Option<GateForm>, errors: FormErrors) -> PageResult {
    let view = ctx.app.gate(&ctx.actor, id).await.on_page(ctx)?;
    let can_manage = cp::can_manage_gates(ctx.actor.role);
    let guards = if can_manage {
        ctx.app.gate_guards(&ctx.actor, id).await.on_page(ctx)?
    } else {
        Vec::new()
    };
    let names = view.building_names.join("、");
    let today = ctx.app.today();
    let start = ctx.app.instant_ms(today.at(0, 0, 0, 0)).on_page(ctx)?;
    let mut hours: Vec<Hour> = Vec::new();
    let mut recent = Vec::new();
    if cp::can_read_passages(ctx.actor.role) {
        let traffic = ctx
            .app
            .gate_traffic(&ctx.actor, id, start, start + 86_400_000)
            .await
            .on_page(ctx)?;
        for t in traffic {
            let label = registry_time(&ctx.app, t.hour)[11..13].to_owned() + ":00";
            let i = match hours.iter().position(|h| h.label == label) {
                Some(i) => i,
                None => {
                    hours.push(Hour {
                        label,
                        out: 0,
                        inward: 0,
                        refused: 0,
                    });
                    hours.len() - 1
                }
            };
            let h = &mut hours[i];
            match (t.result, t.direction) {
                (PassageResult::Refused, _) => h.refused += t.passages,
                (_, Direction::Out) => h.out += t.passages,
                (_, Direction::In) => h.inward += t.passages,
            }
        }
        let page = ctx
            .app
            .passages(
                &ctx.actor,
                &PassageFilter {
                    gate_id: Some(id),
                    ..Default::default()
                },
                PageRequest::new(None, Some(20)),
            )
            .await
            .on_page(ctx)?;
        recent = page
            .items
            .into_iter()
            .map(|p| {
                let at = registry_time(&ctx.app, p.at);
                (p, at)
            })
            .collect();
    }
    let form = form.unwrap_or_else(|| GateForm {
        community_id: view.gate.community_id.to_string(),
        name: view.gate.name.clone(),
        direction: view.gate.direction.code().to_owned(),
        opens: view.gate.opens.clone().unwrap_or_default(),
        closes: view.gate.closes.clone().unwrap_or_default(),
        buildings: names.clone(),
    });
    let refused = !errors.is_empty();
    let title = format!("{} · {}", ctx.t.get("gates.gate"), view.gate.name);
    let shifts = view
        .shifts
        .into_iter()
        .map(|s| {
            let (from, to) = (
                registry_time(&ctx.app, s.starts_at),
                registry_time(&ctx.app, s.ends_at),
            );
            (s, from, to)
        })
        .collect();
    Ok(render_form(
        &GatePage {
            c: ctx.chrome(&title),
            gate: view.gate,
            buildings: names,
            shifts,
            guards,
            hours,
            recent,
            can_manage,
            can_keep: cp::can_keep_gate(ctx.actor.role),
            directions: direction_codes(),
            errors,
            form,
            today: today.to_string(),
        },
        refused,
    ))
}

async fn gate(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    gate_page(&ctx, id, None, FormErrors::default()).await
}

async fn update(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<GateForm>) -> PageResult {
    let view = ctx.app.gate(&ctx.actor, id).await.on_page(&ctx)?;
    let result = match gate_input(&ctx, view.gate.community_id, &f).await {
        Ok(input) => ctx.app.update_gate(&ctx.actor, id, &input).await,
        Err(e) => Err(e),
    };
    after_submit(
        &ctx,
        result,
        invalid,
        |()| format!("/gates/{id}"),
        |errors| gate_page(&ctx, id, Some(f.clone()), errors),
    )
    .await
}

/// Back to the gate once a step on it was taken, or the gate again with why it was refused.
async fn back_to_gate(ctx: &Ctx, id: i64, result: Result<(), app::AppError>) -> PageResult {
    after_submit(
        ctx,
        result,
        invalid,
        |()| format!("/gates/{id}"),
        |errors| gate_page(ctx, id, None, errors),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StateForm {
    closed: String,
    reason: String,
}

async fn state(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<StateForm>) -> PageResult {
    let result = ctx
        .app
        .set_gate_closed(&ctx.actor, id, f.closed == "1", &f.reason)
        .await;
    back_to_gate(&ctx, id, result).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ShiftForm {
    account_id: String,
    /// Local `YYYY-MM-DDTHH:MM`, as a datetime-local input sends it.
    starts: String,
    hours: String,
}

async fn add_shift(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ShiftForm>) -> PageResult {
    let starts = ctx.local_instant(&f.starts);
    let hours = f
        .hours
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|h| (1..=24).contains(h));
    let result = match (f.account_id.trim().parse::<i64>(), starts, hours) {
        (Ok(account), Some(s), Some(h)) => ctx
            .app
            .add_gate_shift(&ctx.actor, id, account, s, s + h * 3_600_000)
            .await
            .map(|_| ()),
        (Err(_), _, _) => Err(app::AppError::field("account_id", "required")),
        (_, None, _) => Err(app::AppError::field("starts", "date_format")),
        (_, _, None) => Err(app::AppError::field("ends_at", "shift_length")),
    };
    back_to_gate(&ctx, id, result).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EndShiftForm {
    gate_id: i64,
}

async fn end_shift(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<EndShiftForm>) -> PageResult {
    let result = ctx.app.end_gate_shift(&ctx.actor, id).await;
    back_to_gate(&ctx, f.gate_id, result).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LogQuery {
    gate_id: Option<i64>,
    household_id: Option<i64>,
    exceptions: Option<String>,
    after: Option<i64>,
}

#[derive(Template)]
#[template(path = "passages.html")]
struct LogPage {
    c: Chrome,
    passages: Vec<(Passage, String)>,
    counts: Vec<OverrideCount>,
    exceptions: bool,
    query: String,
    after: Option<i64>,
    next: Option<i64>,
}

/// The passage log: a gate's, a household's, or the overrides and offline conflicts the
/// supervisors must see, with the overrides counted by gate, guard and requester.
async fn passages(ctx: Ctx, Query(q): Query<LogQuery>) -> PageResult {
    let exceptions = q.exceptions.as_deref() == Some("1");
    let filter = PassageFilter {
        gate_id: q.gate_id,
        household_id: q.household_id,
        exceptions_only: exceptions,
        ..Default::default()
    };
    let page = ctx
        .app
        .passages(&ctx.actor, &filter, PageRequest::new(q.after, None))
        .await
        .on_page(&ctx)?;
    let counts = if exceptions {
        ctx.app.override_counts(&ctx.actor).await.on_page(&ctx)?
    } else {
        Vec::new()
    };
    let mut query = Vec::new();
    if let Some(g) = q.gate_id {
        query.push(format!("gate_id={g}"));
    }
    if let Some(h) = q.household_id {
        query.push(format!("household_id={h}"));
    }
    if exceptions {
        query.push("exceptions=1".to_owned());
    }
    let title = if exceptions {
        ctx.t.get("passages.exceptions")
    } else {
        ctx.t.get("passages.title")
    };
    Ok(render(&LogPage {
        c: ctx.chrome(title),
        passages: page
            .items
            .into_iter()
            .map(|p| {
                let at = registry_time(&ctx.app, p.at);
                (p, at)
            })
            .collect(),
        counts,
        exceptions,
        query: query.join("&"),
        after: q.after,
        next: page.next,
    }))
}
