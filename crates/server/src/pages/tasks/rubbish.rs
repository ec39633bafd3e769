//! Pages of rubbish rounds: the rounds of a day, and one round with its doors in address order.

use app::AppError;
use app::tasks::rubbish::RoundQuery;
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use domain::page::PageRequest;
use domain::tasks::{self as t, RoundState, StopState};
use serde::Deserialize;
use store::tasks::{Round, Stop, Volunteer};

use super::{GenerateForm, Notice, assignable_volunteers, back_after, back_to, refused};
use crate::AppState;
use crate::web::{Chrome, Ctx, Form, NoFields, OnPage, PageResult, Path, render};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/tasks/rubbish", get(rounds))
        .route("/tasks/rubbish/open", post(open_rounds))
        .route("/tasks/rubbish/{id}", get(round))
        .route("/tasks/rubbish/{id}/stops/{stop}", post(stop))
        .route("/tasks/rubbish/{id}/done", post(finish))
        .route("/tasks/rubbish/{id}/assign", post(assign_round))
}

#[derive(Deserialize, Default)]
struct RoundsParams {
    date: Option<String>,
    #[serde(flatten)]
    notice: Notice,
}

#[derive(Template)]
#[template(path = "tasks_rounds.html")]
struct RoundsPage {
    c: Chrome,
    rounds: Vec<Round>,
    date: String,
    can_open: bool,
    error: String,
}

async fn rounds(ctx: Ctx, Query(p): Query<RoundsParams>) -> PageResult {
    let date = p
        .date
        .clone()
        .filter(|d| !d.trim().is_empty())
        .unwrap_or_else(|| ctx.app.today().to_string());
    let page = ctx
        .app
        .rubbish_rounds(
            &ctx.actor,
            &RoundQuery {
                date: Some(date.clone()),
                ..Default::default()
            },
            PageRequest::new(None, Some(500)),
        )
        .await
        .on_page(&ctx)?;
    Ok(render(&RoundsPage {
        c: ctx.chrome(ctx.t.get("tasks.rubbish_rounds")),
        rounds: page.items,
        date,
        can_open: t::can_assign(ctx.actor.role),
        error: p.notice.text(&ctx),
    }))
}

async fn open_rounds(ctx: Ctx, Form(f): Form<GenerateForm>) -> PageResult {
    let date = domain::resident::date_from_text(&f.date).unwrap_or_else(|| ctx.app.today());
    let back = format!("/tasks/rubbish?date={date}");
    let r = ctx.app.open_rubbish_rounds(&ctx.actor, date).await;
    back_after(&ctx, r, &back, &back)
}

#[derive(Deserialize, Default)]
struct RoundParams {
    after: Option<i64>,
    #[serde(flatten)]
    notice: Notice,
}

#[derive(Template)]
#[template(path = "tasks_round.html")]
struct RoundPage {
    c: Chrome,
    round: Round,
    /// Each door rendered by the fragment htmx swaps after a press.
    rows: Vec<String>,
    after: Option<i64>,
    next: Option<i64>,
    is_open: bool,
    volunteers: Vec<Volunteer>,
    can_assign: bool,
    done_at: String,
    error: String,
}

async fn round(ctx: Ctx, Path(id): Path<i64>, Query(p): Query<RoundParams>) -> PageResult {
    let (round, stops) = ctx
        .app
        .rubbish_round(&ctx.actor, id, PageRequest::new(p.after, Some(200)))
        .await
        .on_page(&ctx)?;
    let (can_assign, volunteers) = assignable_volunteers(&ctx).await?;
    let is_open = round.state == RoundState::Open;
    let mut rows = Vec::with_capacity(stops.items.len());
    for stop in stops.items {
        let r = StopRow::of(&ctx, id, stop, is_open);
        rows.push(
            r.render()
                .map_err(|e| ctx.err(AppError::Internal(e.to_string())))?,
        );
    }
    let title = format!(
        "{} · {} · {}",
        ctx.t.get("tasks.rubbish_round"),
        round.grid_name,
        round.round_date
    );
    Ok(render(&RoundPage {
        c: ctx.chrome(&title),
        is_open,
        done_at: round
            .done_at
            .map(|ms| crate::pages::registry_time(&ctx.app, ms))
            .unwrap_or_default(),
        round,
        rows,
        after: p.after,
        next: stops.next,
        volunteers,
        can_assign,
        error: p.notice.text(&ctx),
    }))
}

/// One door of the round: a fragment htmx swaps in place after a button press.
#[derive(Template)]
#[template(path = "tasks_stop.html")]
struct StopRow {
    t: crate::i18n::Tr,
    csrf: String,
    round_id: i64,
    s: Stop,
    is_open: bool,
    visited_at: String,
}

#[derive(Deserialize)]
struct StopForm {
    #[serde(default)]
    outcome: String,
}

async fn stop(
    ctx: Ctx,
    headers: HeaderMap,
    Path((id, stop_id)): Path<(i64, i64)>,
    Form(f): Form<StopForm>,
) -> PageResult {
    let back = format!("/tasks/rubbish/{id}");
    let stop = match ctx
        .app
        .record_rubbish_stop(&ctx.actor, id, stop_id, &f.outcome)
        .await
    {
        Ok(stop) => stop,
        Err(e) if refused(&e) && !headers.contains_key("hx-request") => {
            return Ok(back_to(&back, &back, Some(&e)));
        }
        Err(e) => return Err(ctx.err(e)),
    };
    if !headers.contains_key("hx-request") {
        return Ok(Redirect::to(&back).into_response());
    }
    let mut res = render(&StopRow::of(&ctx, id, stop, true));
    // The round's counts and its done button change too.
    if let Ok(v) = "stop-recorded".parse() {
        res.headers_mut().insert("hx-trigger", v);
    }
    Ok(res)
}

async fn finish(ctx: Ctx, Path(id): Path<i64>, _: Form<NoFields>) -> PageResult {
    let back = format!("/tasks/rubbish/{id}");
    let r = ctx.app.finish_rubbish_round(&ctx.actor, id).await;
    back_after(&ctx, r, &back, &back)
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(default)]
    volunteer_id: String,
}

async fn assign_round(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<AssignForm>) -> PageResult {
    let back = format!("/tasks/rubbish/{id}");
    let v = f.volunteer_id.trim().parse::<i64>().ok();
    let r = ctx.app.assign_rubbish_round(&ctx.actor, id, v).await;
    back_after(&ctx, r, &back, &back)
}

impl StopRow {
    fn of(ctx: &Ctx, round_id: i64, stop: Stop, is_open: bool) -> StopRow {
        StopRow {
            t: ctx.t,
            csrf: ctx.csrf.clone(),
            round_id,
            visited_at: stop
                .visited_at
                .map(|ms| crate::pages::registry_time(&ctx.app, ms))
                .unwrap_or_default(),
            s: stop,
            is_open,
        }
    }

    fn pending(&self) -> bool {
        self.s.state == StopState::Pending
    }
}

impl RoundPage {
    fn assigned<T: std::borrow::Borrow<i64>>(&self, id: T) -> bool {
        self.round.volunteer_id == Some(*id.borrow())
    }
}
