//! The notification centre: one's own notifications, newest first, each opening its subject and
//! marked read when opened; "mark all read"; and the bell's unread count, a fragment every page's
//! header loads and polls.

use app::notifications::Notice;
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use domain::page::PageRequest;
use serde::Deserialize;

use crate::AppState;
use crate::i18n::Tr;
use crate::web::{self, Chrome, Ctx, Form, NoFields, OnPage, PageResult, Path, redirect, render};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list))
        .route("/notifications/unread", get(unread))
        .route("/notifications/read-all", post(read_all))
        .route("/notifications/{id}", get(open))
}

/// A notification's text in the reader's language: its kind's sentence with its names filled in.
pub(crate) fn notice_text(t: Tr, n: &Notice) -> String {
    n.params.fill(&t.of("notify.text", n.n.kind.code()))
}

/// A notification as the list shows it.
struct Row {
    id: i64,
    kind: &'static str,
    text: String,
    at: String,
    unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct ListPage {
    c: Chrome,
    rows: Vec<Row>,
    unread: i64,
    next: Option<i64>,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    after: Option<i64>,
}

async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    let page = ctx
        .app
        .my_notifications(&ctx.actor, false, PageRequest::new(q.after, Some(30)))
        .await
        .on_page(&ctx)?;
    let unread = ctx
        .app
        .unread_notifications(&ctx.actor)
        .await
        .on_page(&ctx)?;
    let t = ctx.t;
    let rows = page
        .items
        .iter()
        .map(|n| Row {
            id: n.n.id,
            kind: n.n.kind.code(),
            text: notice_text(t, n),
            at: crate::pages::registry_time(&ctx.app, n.n.created_at),
            unread: n.n.read_at.is_none(),
        })
        .collect();
    Ok(web::no_store(render(&ListPage {
        c: ctx.chrome(t.get("notify.title")),
        rows,
        unread,
        next: page.next,
    })))
}

/// Opens one's own notification: marked read, then its subject's page.
async fn open(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let n = ctx
        .app
        .open_notification(&ctx.actor, id)
        .await
        .on_page(&ctx)?;
    Ok(redirect(&n.link))
}

async fn read_all(ctx: Ctx, _: Form<NoFields>) -> PageResult {
    ctx.app
        .mark_all_notifications_read(&ctx.actor)
        .await
        .on_page(&ctx)?;
    Ok(redirect("/notifications"))
}

/// The bell's count: the number of unread notifications, or nothing when none are.
async fn unread(ctx: Ctx) -> Response {
    let n = ctx.app.unread_notifications(&ctx.actor).await.unwrap_or(0);
    let label = ctx.t.get("notify.unread").replace("{n}", &n.to_string());
    let body = if n > 0 {
        let shown = if n > 99 {
            "99+".to_owned()
        } else {
            n.to_string()
        };
        format!(
            "<span class=\"bell-count\" data-testid=\"bell-count\" aria-hidden=\"true\">{shown}</span><span class=\"sr-only\">{label}</span>"
        )
    } else {
        String::new()
    };
    web::no_store(Html(body).into_response())
}
