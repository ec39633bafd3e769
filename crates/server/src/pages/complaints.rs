//! Pages of residents' complaints for the team: the lead's figures and lists (open, overdue,
//! closed), one complaint with its replies and history, and its steps (assign, reply, close).
//! The resident's own pages, with no account, are in [`public`].

mod public;

use app::complaints::ComplaintFigures;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;

use axum::routing::{get, post};
use domain::complaints::{self as d};
use domain::page::PageRequest;
use serde::Deserialize;
use store::audit::AuditRecord;
use store::complaints::{Complaint, Reply, View};
use store::hotline::Owner;

use crate::AppState;
use crate::pages::checks::order::{link_url, qr_svg_sized};
use crate::pages::registry_time;
use crate::web::{
    self, Chrome, Ctx, Form, FormErrors, OnPage, PageResult, Path, invalid, redirect, render_form,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/complaints", get(list))
        .route("/complaints/{id}", get(one))
        .route("/complaints/{id}/assign", post(assign))
        .route("/complaints/{id}/reply", post(reply))
        .route("/complaints/{id}/close", post(close))
        .route("/complaints/{id}/call", post(call_back))
        .merge(public::routes())
}

fn minute(ctx: &Ctx, ms: i64) -> String {
    registry_time(&ctx.app, ms).chars().take(16).collect()
}

/// A duration as hours with one decimal: 5.5.
pub(crate) fn hours(ms: i64) -> String {
    format!("{:.1}", ms as f64 / 3_600_000.0)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    view: String,
    after: Option<i64>,
}

/// A row of a list: the complaint, its due time as read, whether it is overdue.
struct Row {
    c: Complaint,
    due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "complaints.html")]
struct ListPage {
    c: Chrome,
    figures: Option<ComplaintFigures>,
    average: String,
    view: &'static str,
    views: [&'static str; 3],
    rows: Vec<Row>,
    after: Option<i64>,
    next: Option<i64>,
    /// The public page of each community, to post as a link and a QR code.
    entrances: Vec<(String, String, String)>,
}

async fn list(
    State(s): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let (view, code) = match q.view.as_str() {
        "overdue" => (View::Overdue, "overdue"),
        "closed" => (View::Closed, "closed"),
        _ => (View::Open, "open"),
    };
    let page = ctx
        .app
        .complaints(&ctx.actor, view, PageRequest::new(q.after, None))
        .await
        .on_page(&ctx)?;
    let figures =
        if d::can_manage(ctx.actor.role) || ctx.actor.role == domain::access::Role::Official {
            Some(ctx.app.complaint_figures(&ctx.actor).await.on_page(&ctx)?)
        } else {
            None
        };
    let average = figures
        .and_then(|f| f.average_close_ms)
        .map(hours)
        .unwrap_or_else(|| "—".to_owned());
    let mut entrances = Vec::new();
    if d::can_manage(ctx.actor.role) {
        for c in ctx.app.communities(&ctx.actor).await.on_page(&ctx)? {
            let url = link_url(&s, &headers, &format!("/complain/{}", c.id));
            let qr = qr_svg_sized(&url, 160);
            entrances.push((c.name, url, qr));
        }
    }
    let now = store::now_ms();
    Ok(render_form(
        &ListPage {
            c: ctx.chrome(ctx.t.get("complaints.title")),
            figures,
            average,
            view: code,
            views: ["open", "overdue", "closed"],
            rows: page
                .items
                .into_iter()
                .map(|c| Row {
                    due: minute(&ctx, c.due_at),
                    overdue: d::is_overdue(c.state, c.due_at, now),
                    c,
                })
                .collect(),
            after: q.after,
            next: page.next,
            entrances,
        },
        false,
    ))
}

#[derive(Template)]
#[template(path = "complaint.html")]
struct OnePage {
    c: Chrome,
    p: Complaint,
    filed: String,
    due: String,
    overdue: bool,
    replies: Vec<(Reply, String)>,
    history: Vec<(AuditRecord, String)>,
    owners: Vec<Owner>,
    can_manage: bool,
    can_reply: bool,
    errors: FormErrors,
}

async fn one_page(ctx: &Ctx, id: i64, errors: FormErrors) -> PageResult {
    let (p, replies, history) = ctx.app.complaint(&ctx.actor, id).await.on_page(ctx)?;
    let can_manage = d::can_manage(ctx.actor.role) && p.state != d::State::Closed;
    let owners = if can_manage && p.state.awaits_answer() {
        ctx.app
            .complaint_owners(&ctx.actor, id)
            .await
            .on_page(ctx)?
    } else {
        Vec::new()
    };
    let can_reply = matches!(p.state, d::State::Assigned | d::State::Replied)
        && d::may_reply(ctx.actor.role, ctx.actor.account_id, p.owner_id);
    let refused = !errors.is_empty();
    Ok(render_form(
        &OnePage {
            c: ctx.chrome(&format!(
                "{} {}",
                ctx.t.get("complaints.complaint"),
                ctx.t.get("number.of").replace("{n}", &p.id.to_string())
            )),
            filed: minute(ctx, p.filed_at),
            due: minute(ctx, p.due_at),
            overdue: d::is_overdue(p.state, p.due_at, store::now_ms()),
            replies: replies
                .into_iter()
                .map(|r| {
                    let at = minute(ctx, r.at);
                    (r, at)
                })
                .collect(),
            history: history
                .into_iter()
                .map(|h| {
                    let at = minute(ctx, h.at);
                    (h, at)
                })
                .collect(),
            p,
            owners,
            can_manage,
            can_reply,
            errors,
        },
        refused,
    ))
}

async fn one(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    one_page(&ctx, id, FormErrors::default()).await
}

/// Back to the complaint once a step was taken; the page again with why it was refused.
async fn after(ctx: &Ctx, id: i64, result: Result<(), app::AppError>) -> PageResult {
    match result {
        Ok(()) => Ok(redirect(&format!("/complaints/{id}"))),
        Err(e) if invalid(&e) || matches!(e, app::AppError::Conflict(_)) => {
            one_page(ctx, id, FormErrors::from_app(&e, ctx.t)).await
        }
        Err(e) => Err(ctx.err(e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AssignForm {
    owner_id: String,
}

async fn assign(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<AssignForm>) -> PageResult {
    let result = match f.owner_id.trim().parse::<i64>() {
        Ok(owner) => ctx.app.assign_complaint(&ctx.actor, id, owner).await,
        Err(_) => Err(app::AppError::field("owner_id", "required")),
    };
    after(&ctx, id, result).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TextForm {
    body: String,
    reason: String,
}

async fn reply(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<TextForm>) -> PageResult {
    let result = ctx.app.reply_complaint(&ctx.actor, id, &f.body).await;
    after(&ctx, id, result).await
}

async fn close(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<TextForm>) -> PageResult {
    let result = ctx.app.close_complaint(&ctx.actor, id, &f.reason).await;
    after(&ctx, id, result).await
}

/// Reveals the resident's number for a call back, audited, and sends the phone to dial it.
async fn call_back(ctx: Ctx, Path(id): Path<i64>, _: Form<crate::web::NoFields>) -> PageResult {
    let tel = ctx
        .app
        .complaint_contact(&ctx.actor, id)
        .await
        .on_page(&ctx)?;
    web::dial(&ctx, &tel)
}
