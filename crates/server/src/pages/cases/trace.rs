//! The tracing page: every contact of a case in its window, strongest first, each with why;
//! the lead ticks who to follow up and puts them all on quarantine (or the CDC's list) in one
//! step.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::routing::{get, post};
use domain::cases::{ContactKey, FollowUp, Strength};
use serde::Deserialize;

use crate::AppState;
use crate::api::cases::{key_of, key_parts};
use crate::pages::registry_time;
use crate::web::{Chrome, Ctx, Form, FormErrors, OnPage, PageResult, Path, invalid, render_form};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/contacts", get(contacts))
        .route("/cases/{id}/follow-up", post(follow_up))
}

/// Contacts per page of the list.
const PAGE: usize = 100;

/// A contact row: its checkbox's name, who, where, why.
struct Row {
    field: String,
    strength: Strength,
    name: String,
    place: String,
    followed: bool,
    /// Checked by default: the close contacts.
    close: bool,
    /// Where to go from the row: record a resident or visitor as a case traced from this one,
    /// or open a household.
    link: Option<(String, &'static str)>,
    why: Vec<String>,
}

#[derive(Template)]
#[template(path = "case_contacts.html")]
struct ContactsPage {
    c: Chrome,
    case_id: i64,
    person: String,
    from: String,
    to: String,
    gate_minutes: i64,
    case_passings: usize,
    total: usize,
    counts: Vec<(Strength, usize)>,
    rows: Vec<Row>,
    offset: usize,
    next: Option<usize>,
    follow_ups: Vec<&'static str>,
    done: Option<app::cases::tracing::FollowedUp>,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ContactsQuery {
    offset: usize,
}

async fn contacts_page(
    ctx: &Ctx,
    id: i64,
    offset: usize,
    done: Option<app::cases::tracing::FollowedUp>,
    errors: FormErrors,
) -> PageResult {
    let trace = ctx.app.trace_case(&ctx.actor, id).await.on_page(ctx)?;
    let offset = offset.min(trace.contacts.len());
    let end = (offset + PAGE).min(trace.contacts.len());
    let views = ctx
        .app
        .contact_views(&ctx.actor, id, &trace.contacts[offset..end])
        .await
        .on_page(ctx)?;
    let rows = views
        .into_iter()
        .map(|v| {
            let (kind, key) = key_parts(v.contact.key);
            let why = v
                .contact
                .overlaps
                .iter()
                .map(|o| {
                    let mut s = ctx.t.of("overlap_log", o.log.code()).to_owned();
                    if let Some(at) = o.at {
                        s.push(' ');
                        s.push_str(&registry_time(&ctx.app, at));
                    }
                    if !o.place.is_empty() {
                        s.push_str(" · ");
                        s.push_str(&o.place);
                    }
                    if let Some(m) = o.minutes_apart {
                        s.push_str(" · ");
                        s.push_str(
                            &ctx.t
                                .get("trace.minutes_apart")
                                .replace("{n}", &m.to_string()),
                        );
                    }
                    s
                })
                .collect();
            let name = if v.name.is_empty() {
                ctx.t
                    .get("trace.household_members")
                    .replace("{n}", &v.people.to_string())
            } else {
                v.name
            };
            let link = match v.contact.key {
                ContactKey::Resident(r) => Some((
                    format!("/cases/new?resident_id={r}&traced_from_id={id}&source=contact"),
                    "trace.record_case",
                )),
                ContactKey::Visitor(x) => Some((
                    format!("/cases/new?visitor_id={x}&traced_from_id={id}&source=contact"),
                    "trace.record_case",
                )),
                ContactKey::Household(h) => Some((format!("/households/{h}"), "trace.household")),
                ContactKey::Account(_) => None,
            };
            Row {
                link,
                field: format!("c.{kind}.{key}"),
                strength: v.contact.strength,
                close: v.contact.strength.is_close(),
                name,
                place: v.place,
                followed: v.followed,
                why,
            }
        })
        .collect();
    let refused = !errors.is_empty();
    let title = format!("{} · {}", ctx.t.get("trace.title"), trace.person_name);
    Ok(render_form(
        &ContactsPage {
            c: ctx.chrome(&title),
            case_id: id,
            person: trace.person_name,
            from: registry_time(&ctx.app, trace.window.from),
            to: registry_time(&ctx.app, trace.window.to),
            gate_minutes: trace.gate_minutes,
            case_passings: trace.case_passings,
            total: trace.contacts.len(),
            counts: trace.counts,
            rows,
            offset,
            next: (end < trace.contacts.len()).then_some(end),
            follow_ups: FollowUp::ALL.iter().map(|f| f.code()).collect(),
            done,
            errors,
        },
        refused,
    ))
}

async fn contacts(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<ContactsQuery>) -> PageResult {
    contacts_page(&ctx, id, q.offset, None, FormErrors::default()).await
}

/// The ticked contacts (`c.{kind}.{id}` fields) put on the chosen follow-up; the list again
/// with what was done.
async fn follow_up(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult {
    let picks: Vec<ContactKey> = f
        .keys()
        .filter_map(|k| {
            let mut parts = k.strip_prefix("c.")?.splitn(2, '.');
            let kind = parts.next()?;
            let id = parts.next()?.parse().ok()?;
            key_of(kind, id)
        })
        .collect();
    let chosen = f.get("follow_up").map(String::as_str).unwrap_or_default();
    let offset = f
        .get("offset")
        .and_then(|o| o.parse().ok())
        .unwrap_or_default();
    match ctx
        .app
        .follow_up_contacts(&ctx.actor, id, &picks, chosen)
        .await
    {
        Ok(done) => contacts_page(&ctx, id, offset, Some(done), FormErrors::default()).await,
        Err(e) if invalid(&e) => {
            contacts_page(&ctx, id, offset, None, FormErrors::from_app(&e, ctx.t)).await
        }
        Err(e) => Err(ctx.err(e)),
    }
}
