//! The worklist: open alerts and a doctor's residents with today's slots, and acknowledging or
//! resolving an alert.

use std::collections::HashMap;

use app::checks::AlertQuery;
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::routing::{get, post};
use domain::calls::Purpose;
use domain::health::{self, AlertKind};
use domain::page::PageRequest;
use serde::Deserialize;
use store::checks::DaySlots;

use super::{AlertRow, alert_row, degrees};
use crate::AppState;
use crate::pages::calls::{CallButton, call_buttons, targets_of};
use crate::web::{Chrome, Ctx, Form, OnPage, PageResult, Path, after_step, render, urlencode};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/checks", get(worklist))
        .route("/checks/alerts/{id}/acknowledge", post(acknowledge))
        .route("/checks/alerts/{id}/resolve", post(resolve))
}

#[derive(Deserialize, Default)]
struct WorklistQuery {
    mine: Option<String>,
    grid: Option<String>,
    kind: Option<String>,
    state: Option<String>,
    after: Option<i64>,
    day_after: Option<i64>,
}

#[derive(Template)]
#[template(path = "checks_worklist.html")]
struct WorklistPage {
    c: Chrome,
    is_doctor: bool,
    mine: bool,
    can_handle: bool,
    slot_date: String,
    slot_part: String,
    /// "until 10:00" inside the window, "opens at 17:00" before it.
    slot_window: String,
    open_fever: i64,
    open_missed: i64,
    day: Vec<DaySlots>,
    /// The call buttons of each of the day's orders, by order.
    day_calls: HashMap<i64, Vec<CallButton>>,
    /// The call buttons of each alert's household, by alert, while it is unresolved.
    alert_calls: HashMap<i64, Vec<CallButton>>,
    day_next: Option<i64>,
    /// Whether today's windows have closed: an empty slot is missed, or still due.
    morning_closed: bool,
    evening_closed: bool,
    alerts: Vec<AlertRow>,
    next: Option<i64>,
    grids: Vec<store::structure::Grid>,
    grid: Option<i64>,
    kind: String,
    state: String,
    kinds: Vec<&'static str>,
    states: Vec<&'static str>,
    query: String,
}

impl WorklistPage {
    fn deg(&self, tenths: &i64) -> String {
        degrees(*tenths)
    }

    fn calls_of(&self, order_id: &i64) -> &[CallButton] {
        self.day_calls.get(order_id).map_or(&[], Vec::as_slice)
    }

    fn alert_calls_of(&self, alert_id: &i64) -> &[CallButton] {
        self.alert_calls.get(alert_id).map_or(&[], Vec::as_slice)
    }

    fn is_grid(&self, id: &i64) -> bool {
        self.grid == Some(*id)
    }
}

async fn worklist(ctx: Ctx, Query(wq): Query<WorklistQuery>) -> PageResult {
    let is_doctor = ctx.actor.role == domain::access::Role::Doctor;
    // A doctor starts with their own residents; "all" shows the jurisdiction.
    let mine = is_doctor && wq.mine.as_deref() != Some("0");
    let grid = wq.grid.as_deref().and_then(|g| g.trim().parse().ok());
    let kind = wq.kind.unwrap_or_default();
    let state = wq.state.unwrap_or_default();
    let query = AlertQuery {
        mine,
        grid_id: grid,
        order_id: None,
        kind: Some(kind.clone()),
        state: Some(state.clone()),
    };
    let alerts = ctx
        .app
        .alerts(&ctx.actor, &query, PageRequest::new(wq.after, None))
        .await
        .on_page(&ctx)?;
    let w = ctx
        .app
        .worklist(
            &ctx.actor,
            mine,
            jiff::Timestamp::now(),
            PageRequest::new(wq.day_after, Some(100)),
        )
        .await
        .on_page(&ctx)?;
    let grids = crate::pages::grids_to_pick(&ctx).await?;
    let query = format!(
        "mine={}&grid={}&kind={}&state={}",
        if mine { "1" } else { "0" },
        grid.map(|g| g.to_string()).unwrap_or_default(),
        urlencode(&kind),
        urlencode(&state)
    );
    let t = ctx.t;
    let now = jiff::Timestamp::now();
    let windows = ctx.app.settings.check_windows;
    let local_now = ctx.app.local(now);
    let closed = |part| {
        local_now
            >= windows.closes_at(domain::quarantine::Slot {
                date: local_now.date(),
                part,
            })
    };
    let shown = windows.planned_slot(w.slot, local_now);
    let hhmm = |at: jiff::civil::DateTime| at.strftime("%H:%M").to_string();
    let slot_window = if local_now < windows.opens_at(shown) {
        t.get("checks.window_opens")
            .replace("{time}", &hhmm(windows.opens_at(shown)))
    } else if local_now < windows.closes_at(shown) {
        t.get("checks.window_until")
            .replace("{time}", &hhmm(windows.closes_at(shown)))
    } else {
        t.get("checks.window_closed").to_owned()
    };
    let day_calls = order_calls(
        &ctx,
        w.day
            .items
            .iter()
            .map(|d| (d.order_id, d.order_id, d.household_id)),
    )
    .await;
    let alert_calls = order_calls(
        &ctx,
        alerts
            .items
            .iter()
            .filter(|a| a.state != health::AlertState::Resolved)
            .map(|a| (a.id, a.order_id, a.address.household_id)),
    )
    .await;
    Ok(render(&WorklistPage {
        day_calls,
        alert_calls,
        c: ctx.chrome(t.get("checks.worklist")),
        is_doctor,
        mine,
        can_handle: health::can_handle_alerts(ctx.actor.role),
        slot_date: shown.date.to_string(),
        slot_part: shown.part.code().to_owned(),
        slot_window,
        open_fever: w.open_fever,
        open_missed: w.open_missed,
        day: w.day.items,
        day_next: w.day.next,
        morning_closed: closed(domain::quarantine::Part::Morning),
        evening_closed: closed(domain::quarantine::Part::Evening),
        alerts: alerts
            .items
            .into_iter()
            .map(|a| alert_row(&ctx.app, t, a))
            .collect(),
        next: alerts.next,
        grids,
        grid,
        kind,
        state,
        kinds: AlertKind::ALL.iter().map(|k| k.code()).collect(),
        states: health::AlertState::ALL.iter().map(|k| k.code()).collect(),
        query,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AlertForm {
    note: String,
    /// The worklist query to return to.
    back: String,
}

fn back_to(back: &str) -> String {
    // Only the worklist's own query string, never another page.
    let q: String = back
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "=&_%-".contains(*c))
        .collect();
    if q.is_empty() {
        "/checks".to_owned()
    } else {
        format!("/checks?{q}")
    }
}

async fn acknowledge(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<AlertForm>) -> PageResult {
    let outcome = ctx.app.acknowledge_alert(&ctx.actor, id).await;
    after_step(&ctx, outcome, &back_to(&f.back))
}

async fn resolve(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<AlertForm>) -> PageResult {
    let outcome = ctx.app.resolve_alert(&ctx.actor, id, &f.note).await;
    after_step(&ctx, outcome, &back_to(&f.back))
}

/// The call buttons of each `(key, order, household)` for the order's purpose, the households'
/// numbers read in one lookup.
async fn order_calls(
    ctx: &Ctx,
    rows: impl Iterator<Item = (i64, i64, i64)>,
) -> HashMap<i64, Vec<CallButton>> {
    let rows: Vec<(i64, i64, i64)> = rows.collect();
    let households: Vec<i64> = rows.iter().map(|r| r.2).collect();
    let targets = targets_of(ctx, Purpose::QuarantineOrder, &households).await;
    rows.into_iter()
        .map(|(key, order_id, household_id)| {
            let calls = call_buttons(
                ctx,
                Purpose::QuarantineOrder,
                order_id,
                targets.get(&household_id),
            );
            (key, calls)
        })
        .collect()
}
