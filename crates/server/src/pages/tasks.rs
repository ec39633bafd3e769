//! Pages of supply deliveries and rubbish rounds: the volunteer's phone worklist, the task board
//! of staff and grid workers, one task with its history, and the rubbish rounds with their
//! doors in address order.

use app::AppError;
use app::tasks::rubbish::RoundQuery;
use app::tasks::{BoardQuery, MyList};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::access::Role;
use domain::calls::Purpose;
use domain::page::PageRequest;
use domain::tasks::{self as t, ConfirmedVia, DeliveryState};
use serde::Deserialize;
use store::tasks::{Delivery, Round, Volunteer};

mod rubbish;

use super::audit::HistoryEntry;
use crate::AppState;
use crate::pages::calls::{CallButton, call_buttons, targets_of};
use crate::web::{Chrome, Ctx, Form, OnPage, PageError, PageResult, Path, render, urlencode};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(worklist))
        .route("/tasks/board", get(board))
        .route("/tasks/deliveries/generate", post(generate))
        .route("/tasks/deliveries/{id}", get(task))
        .route("/tasks/deliveries/{id}/{step}", post(step))
        .merge(rubbish::routes())
}

/// A message shown after a refused step, carried through the redirect as codes.
#[derive(Deserialize, Default)]
pub(super) struct Notice {
    error: Option<String>,
    field: Option<String>,
    detail: Option<String>,
}

impl Notice {
    pub(super) fn text(&self, ctx: &Ctx) -> String {
        let Some(code) = self.error.as_deref() else {
            return String::new();
        };
        let message = ctx.t.error(code, self.detail.as_deref().unwrap_or(""));
        match self.field.as_deref().filter(|f| !f.is_empty()) {
            Some(f) => format!("{}: {message}", ctx.t.of("field", f)),
            None => message,
        }
    }
}

/// Where to go after a step: back to the page that sent the form, with the error if refused.
pub(super) fn back_to(back: &str, fallback: &str, e: Option<&AppError>) -> Response {
    let target = if back.starts_with("/tasks") && !back.contains("//") {
        back
    } else {
        fallback
    };
    let Some(e) = e else {
        return Redirect::to(target).into_response();
    };
    let (code, field, detail) = match e {
        AppError::Validation(f) => {
            f.0.first()
                .map(|x| (x.code.as_str(), x.field.as_str(), x.detail.as_str()))
                .unwrap_or(("validation_failed", "", ""))
        }
        other => (other.code().code(), "", ""),
    };
    let sep = if target.contains('?') { '&' } else { '?' };
    Redirect::to(&format!(
        "{target}{sep}error={}&field={}&detail={}",
        urlencode(code),
        urlencode(field),
        urlencode(detail)
    ))
    .into_response()
}

/// Back to the page that sent the form once a step was taken or refused for a reason the person
/// can act on; the error page for anything else.
pub(super) fn back_after<T>(
    ctx: &Ctx,
    r: Result<T, AppError>,
    back: &str,
    fallback: &str,
) -> PageResult {
    match r {
        Ok(_) => Ok(back_to(back, fallback, None)),
        Err(e) if refused(&e) => Ok(back_to(back, fallback, Some(&e))),
        Err(e) => Err(ctx.err(e)),
    }
}

/// Refusals a person can act on come back to the page; anything else is an error page.
pub(super) fn refused(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Validation(_) | AppError::Conflict { .. } | AppError::Forbidden
    )
}

/// Whether the viewer may assign tasks and rounds, and to whom.
pub(super) async fn assignable_volunteers(ctx: &Ctx) -> Result<(bool, Vec<Volunteer>), PageError> {
    if !t::can_assign(ctx.actor.role) {
        return Ok((false, Vec::new()));
    }
    let volunteers = ctx.app.task_volunteers(&ctx.actor).await.on_page(ctx)?;
    Ok((true, volunteers))
}

/// A task as a row of the lists, with what the viewer may do next.
struct Row {
    d: Delivery,
    overdue: bool,
    can_ask: bool,
    can_deliver: bool,
    can_confirm: bool,
    /// A button per number the household is reached on, on the cards of one's own work.
    calls: Vec<CallButton>,
}

fn row(d: Delivery, today: &str) -> Row {
    Row {
        calls: Vec::new(),
        overdue: d.progress.state.is_pending() && d.due_date.as_str() < today,
        can_ask: t::advance(d.progress.state, t::Step::Ask).is_ok(),
        can_deliver: t::advance(d.progress.state, t::Step::Deliver).is_ok(),
        can_confirm: t::advance(d.progress.state, t::Step::Confirm).is_ok(),
        d,
    }
}

/// Gives the rows of tasks the actor works, and that are not done, their call buttons.
async fn with_calls(ctx: &Ctx, rows: &mut [Row]) {
    let (role, me) = (ctx.actor.role, ctx.actor.account_id);
    let live = |r: &Row| {
        !r.d.progress.state.is_final() && t::may_record(role, me, r.d.progress.volunteer_id)
    };
    let households: Vec<i64> = rows
        .iter()
        .filter(|r| live(r))
        .map(|r| r.d.address.household_id)
        .collect();
    let targets = targets_of(ctx, Purpose::Delivery, &households).await;
    for r in rows.iter_mut().filter(|r| live(r)) {
        r.calls = call_buttons(
            ctx,
            Purpose::Delivery,
            r.d.id,
            targets.get(&r.d.address.household_id),
        );
    }
}

#[derive(Deserialize, Default)]
struct WorklistQuery {
    after: Option<i64>,
    #[serde(flatten)]
    notice: Notice,
}

#[derive(Template)]
#[template(path = "tasks_worklist.html")]
struct WorklistPage {
    c: Chrome,
    todo: Vec<Row>,
    waiting: Vec<Row>,
    rounds: Vec<Round>,
    today: String,
    next: Option<i64>,
    after: Option<i64>,
    vias: Vec<&'static str>,
    error: String,
}

async fn worklist(ctx: Ctx, Query(q): Query<WorklistQuery>) -> PageResult {
    if ctx.actor.role != Role::Volunteer && t::can_oversee(ctx.actor.role) {
        return Ok(Redirect::to("/tasks/board").into_response());
    }
    let today = ctx.app.today().to_string();
    let todo = ctx
        .app
        .my_deliveries(&ctx.actor, MyList::ToDo, PageRequest::new(q.after, None))
        .await
        .on_page(&ctx)?;
    let waiting = ctx
        .app
        .my_deliveries(
            &ctx.actor,
            MyList::AwaitingConfirmation,
            PageRequest::new(None, Some(100)),
        )
        .await
        .on_page(&ctx)?;
    let rounds = ctx
        .app
        .rubbish_rounds(&ctx.actor, &RoundQuery::default(), PageRequest::first())
        .await
        .on_page(&ctx)?;
    let next = todo.next;
    // Overdue first, then today's, each in address order.
    let mut todo: Vec<Row> = todo.items.into_iter().map(|d| row(d, &today)).collect();
    todo.sort_by_key(|r| !r.overdue);
    with_calls(&ctx, &mut todo).await;
    let mut waiting: Vec<Row> = waiting.items.into_iter().map(|d| row(d, &today)).collect();
    with_calls(&ctx, &mut waiting).await;
    Ok(render(&WorklistPage {
        c: ctx.chrome(ctx.t.get("tasks.my_tasks")),
        todo,
        waiting,
        rounds: rounds.items,
        today,
        next,
        after: q.after,
        vias: ConfirmedVia::ALL.iter().map(|v| v.code()).collect(),
        error: q.notice.text(&ctx),
    }))
}

#[derive(Deserialize, Default)]
struct BoardParams {
    state: Option<String>,
    grid: Option<String>,
    volunteer: Option<String>,
    after: Option<i64>,
    #[serde(flatten)]
    notice: Notice,
}

#[derive(Template)]
#[template(path = "tasks_board.html")]
struct BoardPage {
    c: Chrome,
    rows: Vec<Row>,
    state: String,
    states: Vec<&'static str>,
    grid: String,
    volunteer: String,
    volunteers: Vec<Volunteer>,
    query: String,
    after: Option<i64>,
    next: Option<i64>,
    can_assign: bool,
    today: String,
    error: String,
}

async fn board(ctx: Ctx, Query(p): Query<BoardParams>) -> PageResult {
    let state = p.state.clone().unwrap_or_default();
    let grid = p.grid.clone().unwrap_or_default();
    let volunteer = p.volunteer.clone().unwrap_or_default();
    let query = BoardQuery {
        state: Some(state.clone()),
        grid_id: grid.trim().parse().ok(),
        volunteer_id: volunteer.trim().parse().ok(),
        unassigned: volunteer == "none",
    };
    let page = ctx
        .app
        .delivery_board(&ctx.actor, &query, PageRequest::new(p.after, None))
        .await
        .on_page(&ctx)?;
    let volunteers = ctx.app.task_volunteers(&ctx.actor).await.on_page(&ctx)?;
    let today = ctx.app.today().to_string();
    let mut rows: Vec<Row> = page.items.into_iter().map(|d| row(d, &today)).collect();
    // Staff and grid workers call a household about its delivery from the board, as a volunteer
    // does from their list.
    with_calls(&ctx, &mut rows).await;
    Ok(render(&BoardPage {
        c: ctx.chrome(ctx.t.get("tasks.board")),
        rows,
        query: format!(
            "state={}&grid={}&volunteer={}",
            urlencode(&state),
            urlencode(&grid),
            urlencode(&volunteer)
        ),
        state,
        states: DeliveryState::ALL.iter().map(|s| s.code()).collect(),
        grid,
        volunteer,
        volunteers,
        after: p.after,
        next: page.next,
        can_assign: t::can_assign(ctx.actor.role),
        today,
        error: p.notice.text(&ctx),
    }))
}

#[derive(Deserialize)]
pub(super) struct GenerateForm {
    #[serde(default)]
    date: String,
}

async fn generate(ctx: Ctx, Form(f): Form<GenerateForm>) -> PageResult {
    let date = if f.date.trim().is_empty() {
        ctx.app.today()
    } else {
        match domain::resident::date_from_text(&f.date) {
            Some(d) => d,
            None => {
                let e = AppError::field("date", "date_format");
                return Ok(back_to("/tasks/board", "/tasks/board", Some(&e)));
            }
        }
    };
    let r = ctx.app.generate_delivery_tasks(&ctx.actor, date).await;
    back_after(&ctx, r, "/tasks/board", "/tasks/board")
}

#[derive(Template)]
#[template(path = "tasks_delivery.html")]
struct TaskPage {
    c: Chrome,
    r: Row,
    times: Vec<(&'static str, String)>,
    history: Vec<HistoryEntry>,
    volunteers: Vec<Volunteer>,
    can_assign: bool,
    can_cancel: bool,
    vias: Vec<&'static str>,
    error: String,
}

async fn task(ctx: Ctx, Path(id): Path<i64>, Query(n): Query<Notice>) -> PageResult {
    let (d, history) = ctx.app.delivery_task(&ctx.actor, id).await.on_page(&ctx)?;
    let (can_assign, volunteers) = assignable_volunteers(&ctx).await?;
    let time = |ms: Option<i64>| {
        ms.map(|v| crate::pages::registry_time(&ctx.app, v))
            .unwrap_or_default()
    };
    let times = vec![
        ("tasks.asked_at", time(d.progress.asked_at)),
        ("tasks.delivered_at", time(d.progress.delivered_at)),
        ("tasks.confirmed_at", time(d.progress.confirmed_at)),
        ("tasks.cancelled_at", time(d.progress.cancelled_at)),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let can_cancel = can_assign && t::advance(d.progress.state, t::Step::Cancel).is_ok();
    let title = format!("{} · {}", ctx.t.get("tasks.delivery"), d.address);
    let today = ctx.app.today().to_string();
    let mut r = [row(d, &today)];
    with_calls(&ctx, &mut r).await;
    let [r] = r;
    Ok(render(&TaskPage {
        c: ctx.chrome(&title),
        r,
        times,
        history: super::audit::history_of(&ctx, history).await,
        volunteers,
        can_assign,
        can_cancel: can_cancel && can_assign,
        vias: ConfirmedVia::ALL.iter().map(|v| v.code()).collect(),
        error: n.text(&ctx),
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StepForm {
    back: String,
    needs: String,
    via: String,
    reason: String,
    volunteer_id: String,
}

async fn step(
    ctx: Ctx,
    Path((id, step)): Path<(i64, String)>,
    Form(f): Form<StepForm>,
) -> PageResult {
    let a = &ctx.app;
    let r = match step.as_str() {
        "ask" => a.ask_delivery(&ctx.actor, id, &f.needs).await,
        "deliver" => a.deliver(&ctx.actor, id).await,
        "confirm" => a.confirm_delivery(&ctx.actor, id, &f.via).await,
        "cancel" => a.cancel_delivery(&ctx.actor, id, &f.reason).await,
        "assign" => {
            let v = f.volunteer_id.trim();
            match v.parse::<i64>() {
                Ok(v) => a.assign_delivery(&ctx.actor, id, Some(v)).await,
                Err(_) if v.is_empty() => a.assign_delivery(&ctx.actor, id, None).await,
                Err(_) => Err(AppError::field("volunteer_id", "unknown_account")),
            }
        }
        _ => Err(AppError::NotFound),
    };
    let fallback = format!("/tasks/deliveries/{id}");
    back_after(&ctx, r, &f.back, &fallback)
}

impl TaskPage {
    fn assigned<T: std::borrow::Borrow<i64>>(&self, id: T) -> bool {
        self.r.d.progress.volunteer_id == Some(*id.borrow())
    }
}
