//! Pages of the 24-hour hotline: the staff member on duty logs a call on a phone-sized form
//! (the caller picked by name or number, or their household by building, unit and room); the
//! lead reads calls per hour and topic as a chart, the recent calls, the open follow-ups and
//! the duty roster; an owner reads and finishes their follow-ups.

use std::collections::HashMap;

use app::hotline::{CallInput, CallerMatch, Logged};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;

use axum::routing::{get, post};
use domain::hotline::{self as h, Topic};
use domain::page::PageRequest;
use serde::Deserialize;
use store::hotline::{Call, CallFilter, FollowUp, HourCount, Owner, Shift};

use crate::AppState;
use crate::i18n::Tr;
use crate::pages::checks::order::link_url;
use crate::pages::registry_time;
use crate::web::{
    self, Chrome, Ctx, Form, FormErrors, OnPage, PageResult, Path, after_step, invalid, render,
    render_form,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/hotline", get(page))
        .route("/hotline/calls", post(log_call))
        .route("/hotline/calls/{id}", get(call_page))
        .route("/hotline/callers", get(callers))
        .route("/hotline/shifts", post(add_shift))
        .route("/hotline/shifts/{id}/end", post(end_shift))
        .route("/hotline/follow-ups", get(follow_ups_page))
        .route("/hotline/follow-ups/{id}/done", post(finish))
        .route("/hotline/follow-ups/{id}/call", post(call_back))
}

/// Days of calls the chart counts.
const CHART_DAYS: i64 = 7;

/// A time as the pages show it: local, to the minute.
fn minute(ctx: &Ctx, ms: i64) -> String {
    registry_time(&ctx.app, ms).chars().take(16).collect()
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct CallForm {
    caller_name: String,
    caller_number: String,
    resident_id: String,
    /// The household's building as typed.
    building: String,
    unit: String,
    room: String,
    topic: String,
    said: String,
    outcome: String,
    follow_up: String,
    owner_id: String,
    due_hours: String,
    follow_up_what: String,
    complaint_category: String,
    complaint_place: String,
}

fn id_of(raw: &str) -> Option<i64> {
    raw.trim().parse().ok().filter(|v: &i64| *v > 0)
}

impl CallForm {
    fn input(&self) -> CallInput {
        CallInput {
            caller_name: self.caller_name.clone(),
            caller_number: self.caller_number.clone(),
            resident_id: id_of(&self.resident_id),
            building_id: None,
            building: self.building.clone(),
            unit: self.unit.clone(),
            room: self.room.clone(),
            topic: self.topic.clone(),
            said: self.said.clone(),
            outcome: self.outcome.clone(),
            follow_up: self.follow_up == "1",
            owner_id: id_of(&self.owner_id),
            due_hours: self.due_hours.trim().parse().ok(),
            follow_up_what: self.follow_up_what.clone(),
            complaint_category: self.complaint_category.clone(),
            complaint_place: self.complaint_place.clone(),
        }
    }
}

/// One bar of the chart: an hour's calls, stacked by topic.
struct Bar {
    hour: i64,
    x: i64,
    /// (topic code, y, height, calls) of each part, bottom first.
    parts: Vec<(&'static str, i64, i64, i64)>,
    total: i64,
}

/// The colour of a topic's part of a bar.
fn topic_colour(t: Topic) -> &'static str {
    match t {
        Topic::Consultation => "#5b8ff9",
        Topic::Returnee => "#f6bd16",
        Topic::Symptom => "#e8684a",
        Topic::Help => "#5ad8a6",
        Topic::Complaint => "#9270ca",
        Topic::Other => "#aaaaaa",
    }
}

/// Chart height in px for the bars.
const CHART_H: i64 = 120;

fn bars(counts: &[HourCount]) -> (Vec<Bar>, i64) {
    let mut by_hour: HashMap<i64, Vec<(Topic, i64)>> = HashMap::new();
    for c in counts {
        by_hour.entry(c.hour).or_default().push((c.topic, c.calls));
    }
    let max = by_hour
        .values()
        .map(|v| v.iter().map(|(_, n)| n).sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let bars = (0..24)
        .map(|hour| {
            let mut parts = Vec::new();
            let mut y = CHART_H;
            let mut total = 0;
            for t in Topic::ALL {
                let n = by_hour
                    .get(&hour)
                    .and_then(|v| v.iter().find(|(x, _)| *x == t))
                    .map_or(0, |(_, n)| *n);
                if n == 0 {
                    continue;
                }
                let height = (n * CHART_H / max).max(2);
                y -= height;
                parts.push((topic_colour(t), y, height, n));
                total += n;
            }
            Bar {
                hour,
                x: 24 + hour * 14,
                parts,
                total,
            }
        })
        .collect();
    (bars, max)
}

#[derive(Template)]
#[template(path = "hotline.html")]
struct HotlinePage {
    c: Chrome,
    can_answer: bool,
    can_read: bool,
    can_manage: bool,
    /// Whether the reader can be given follow-ups: their list is linked only then.
    owns_follow_ups: bool,
    duty: Option<(Shift, String)>,
    owners: Vec<Owner>,
    /// Buildings to pick from when the form came back refused with a building typed.
    buildings: Vec<String>,
    topics: Vec<&'static str>,
    categories: Vec<&'static str>,
    form: CallForm,
    errors: FormErrors,
    callers: Vec<CallerMatch>,
    q: String,
    bars: Vec<Bar>,
    max: i64,
    legend: Vec<(&'static str, &'static str)>,
    calls: Vec<(Call, String)>,
    follow_ups: Vec<(FollowUp, String)>,
    shifts: Vec<(Shift, String, String)>,
    staff: Vec<(i64, Owner)>,
    communities: Vec<store::structure::Community>,
    chart_days: i64,
    due_choices: [i64; 6],
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PageQuery {
    q: String,
}

async fn page(ctx: Ctx, Query(q): Query<PageQuery>) -> PageResult {
    hotline_page(&ctx, CallForm::default(), FormErrors::default(), q.q).await
}

async fn hotline_page(ctx: &Ctx, form: CallForm, errors: FormErrors, q: String) -> PageResult {
    let role = ctx.actor.role;
    let (can_answer, can_read, can_manage) = (
        h::can_answer(role),
        h::can_read(role),
        h::can_manage_shifts(role),
    );
    if !can_answer && !can_read {
        return Err(ctx.err(app::AppError::Forbidden));
    }
    let duty = if can_answer {
        ctx.app.my_hotline_duty(&ctx.actor).await.on_page(ctx)?
    } else {
        None
    };
    let (owners, buildings) = match &duty {
        Some(s) => (
            ctx.app
                .follow_up_owners(&ctx.actor, s.community_id)
                .await
                .on_page(ctx)?,
            web::building_suggestions(&ctx.app, s.community_id, !errors.is_empty(), &form.building)
                .await,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let callers = if duty.is_some() && !q.trim().is_empty() {
        ctx.app.find_callers(&ctx.actor, &q).await.on_page(ctx)?
    } else {
        Vec::new()
    };
    let (bars, max, calls, follow_ups) = if can_read {
        let counts = ctx
            .app
            .calls_per_hour(&ctx.actor, CHART_DAYS)
            .await
            .on_page(ctx)?;
        let (bars, max) = bars(&counts);
        let calls = ctx
            .app
            .hotline_calls(
                &ctx.actor,
                &CallFilter::default(),
                PageRequest::new(None, Some(20)),
            )
            .await
            .on_page(ctx)?
            .items
            .into_iter()
            .map(|c| {
                let at = minute(ctx, c.at);
                (c, at)
            })
            .collect();
        let follow_ups = ctx
            .app
            .open_follow_ups(&ctx.actor)
            .await
            .on_page(ctx)?
            .into_iter()
            .map(|f| {
                let due = minute(ctx, f.due_at);
                (f, due)
            })
            .collect();
        (bars, max, calls, follow_ups)
    } else {
        (Vec::new(), 0, Vec::new(), Vec::new())
    };
    let shifts = ctx
        .app
        .hotline_shifts(&ctx.actor)
        .await
        .on_page(ctx)?
        .into_iter()
        .map(|s| {
            let (from, to) = (minute(ctx, s.starts_at), minute(ctx, s.ends_at));
            (s, from, to)
        })
        .collect();
    let communities = if can_manage {
        ctx.app.hotline_communities(&ctx.actor).await.on_page(ctx)?
    } else {
        Vec::new()
    };
    let mut staff = Vec::new();
    for c in &communities {
        for s in ctx.app.hotline_staff(&ctx.actor, c.id).await.on_page(ctx)? {
            staff.push((c.id, s));
        }
    }
    let duty = duty.map(|s| {
        let until = minute(ctx, s.ends_at);
        (s, until)
    });
    let refused = !errors.is_empty();
    Ok(render_form(
        &HotlinePage {
            c: ctx.chrome(ctx.t.get("hotline.title")),
            can_answer,
            can_read,
            can_manage,
            owns_follow_ups: h::may_own_follow_up(role),
            duty,
            owners,
            buildings,
            topics: Topic::ALL.iter().map(|t| t.code()).collect(),
            categories: domain::complaints::Category::ALL
                .iter()
                .map(|c| c.code())
                .collect(),
            form,
            errors,
            callers,
            q,
            bars,
            max,
            legend: Topic::ALL
                .iter()
                .map(|t| (t.code(), topic_colour(*t)))
                .collect(),
            calls,
            follow_ups,
            shifts,
            staff,
            communities,
            chart_days: CHART_DAYS,
            due_choices: [2, 4, 12, 24, 48, 72],
        },
        refused,
    ))
}

#[derive(Template)]
#[template(path = "hotline_callers.html")]
struct CallersFragment {
    t: Tr,
    callers: Vec<CallerMatch>,
    picked: String,
}

/// The residents matching what was typed, as choices of the call form.
async fn callers(ctx: Ctx, Query(q): Query<PageQuery>) -> PageResult {
    let callers = ctx.app.find_callers(&ctx.actor, &q.q).await.on_page(&ctx)?;
    Ok(render(&CallersFragment {
        t: ctx.t,
        callers,
        picked: String::new(),
    }))
}

#[derive(Template)]
#[template(path = "hotline_call.html")]
struct CallPage {
    c: Chrome,
    call: Call,
    at: String,
    follow_ups: Vec<(FollowUp, String, bool)>,
    /// The complaint's link just made, shown this once.
    complaint_link: String,
    errors: FormErrors,
}

async fn call_view(ctx: &Ctx, id: i64, complaint_link: String, errors: FormErrors) -> PageResult {
    let (call, follow_ups) = ctx.app.hotline_call(&ctx.actor, id).await.on_page(ctx)?;
    let follow_ups = follow_ups
        .into_iter()
        .map(|f| {
            let due = minute(ctx, f.due_at);
            let may = f.state == h::FollowUpState::Open
                && h::may_finish_follow_up(ctx.actor.role, ctx.actor.account_id, f.owner_id);
            (f, due, may)
        })
        .collect();
    let at = minute(ctx, call.at);
    let refused = !errors.is_empty();
    Ok(render_form(
        &CallPage {
            c: ctx.chrome(ctx.t.get("hotline.call")),
            call,
            at,
            follow_ups,
            complaint_link,
            errors,
        },
        refused,
    ))
}

async fn call_page(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    call_view(&ctx, id, String::new(), FormErrors::default()).await
}

async fn log_call(
    State(s): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    Form(f): Form<CallForm>,
) -> PageResult {
    match ctx.app.log_call(&ctx.actor, &f.input()).await {
        Ok(Logged {
            call_id, complaint, ..
        }) => {
            let link = complaint
                .map(|c| link_url(&s, &headers, &format!("/complaint/{}", c.token)))
                .unwrap_or_default();
            call_view(&ctx, call_id, link, FormErrors::default()).await
        }
        Err(e) if invalid(&e) => {
            hotline_page(
                &ctx,
                f.clone(),
                FormErrors::from_app(&e, ctx.t),
                String::new(),
            )
            .await
        }
        Err(e) => Err(ctx.err(e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ShiftForm {
    community_id: String,
    account_id: String,
    /// Local `YYYY-MM-DDTHH:MM`, as a datetime-local input sends it.
    starts: String,
    hours: String,
}

async fn add_shift(ctx: Ctx, Form(f): Form<ShiftForm>) -> PageResult {
    let starts = ctx.local_instant(&f.starts);
    let hours = f.hours.trim().parse::<i64>().ok();
    // The staff select names the community with the account: `community:account`.
    let (community, account) = match f.account_id.split_once(':') {
        Some((c, a)) => (id_of(c), id_of(a)),
        None => (id_of(&f.community_id), id_of(&f.account_id)),
    };
    let result = match (community, account, starts, hours) {
        (Some(c), Some(a), Some(s), Some(hh)) => ctx
            .app
            .add_hotline_shift(&ctx.actor, c, a, s, s + hh * 3_600_000)
            .await
            .map(|_| ()),
        (_, None, _, _) | (None, _, _, _) => Err(app::AppError::field("account_id", "required")),
        (_, _, None, _) => Err(app::AppError::field("starts", "date_format")),
        (_, _, _, None) => Err(app::AppError::field("ends_at", "shift_length")),
    };
    match result {
        Ok(()) => Ok(crate::web::redirect("/hotline")),
        Err(e) if invalid(&e) => {
            hotline_page(
                &ctx,
                CallForm::default(),
                FormErrors::from_app(&e, ctx.t),
                String::new(),
            )
            .await
        }
        Err(e) => Err(ctx.err(e)),
    }
}

async fn end_shift(ctx: Ctx, Path(id): Path<i64>, _: Form<crate::web::NoFields>) -> PageResult {
    let result = ctx.app.end_hotline_shift(&ctx.actor, id).await;
    after_step(&ctx, result, "/hotline")
}

#[derive(Template)]
#[template(path = "hotline_follow_ups.html")]
struct FollowUpsPage {
    c: Chrome,
    follow_ups: Vec<(FollowUp, String, bool)>,
}

/// The signed-in owner's open follow-ups, soonest due first.
async fn follow_ups_page(ctx: Ctx) -> PageResult {
    let list = ctx.app.my_follow_ups(&ctx.actor).await.on_page(&ctx)?;
    let now = store::now_ms();
    Ok(render(&FollowUpsPage {
        c: ctx.chrome(ctx.t.get("hotline.my_follow_ups")),
        follow_ups: list
            .into_iter()
            .map(|f| {
                let due = minute(&ctx, f.due_at);
                let late = f.due_at < now;
                (f, due, late)
            })
            .collect(),
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DoneForm {
    note: String,
    /// Where to go back to: the call's page or the owner's list.
    back: String,
}

async fn finish(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<DoneForm>) -> PageResult {
    let result = ctx.app.finish_follow_up(&ctx.actor, id, &f.note).await;
    let back = if f.back.starts_with("/hotline/calls/") {
        f.back.as_str()
    } else {
        "/hotline/follow-ups"
    };
    after_step(&ctx, result, back)
}

/// Reveals the caller's number for a call back, audited, and sends the phone to dial it.
async fn call_back(ctx: Ctx, Path(id): Path<i64>, _: Form<crate::web::NoFields>) -> PageResult {
    let tel = ctx.app.call_back(&ctx.actor, id).await.on_page(&ctx)?;
    web::dial(&ctx, &tel)
}
