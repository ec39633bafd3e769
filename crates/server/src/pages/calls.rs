//! Calling from a card, and picking a region by name.
//!
//! A card's call button posts its task to `/calls`, which reveals the number for that call
//! (audited) and sends the phone to `tel:`: the number is never written into a list. A region
//! field is a text field with a list of suggestions that `/regions` fills as the user types; it
//! takes a code or a division's name as typed when scripts are off.

use std::collections::HashMap;

use app::calls::CallTarget;
use askama::Template;
use axum::Router;
use axum::extract::Query;

use axum::response::Response;
use axum::routing::{get, post};
use domain::calls::{CallTask, Callee, Purpose};
use serde::Deserialize;

use crate::AppState;
use crate::web::{self, Ctx, Form, OnPage, PageResult, render};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/calls", post(call))
        .route("/regions", get(regions))
}

/// One call button of a card: the task it serves and who it reaches, masked.
pub(crate) struct CallButton {
    pub(crate) purpose: &'static str,
    pub(crate) task_id: i64,
    pub(crate) household_id: i64,
    pub(crate) resident_id: Option<i64>,
    /// The resident's name, or the household's own phone in the reader's language.
    pub(crate) who: String,
    pub(crate) masked: String,
}

/// The call buttons of one task's card, from the numbers its household is reached on.
pub(crate) fn call_buttons(
    ctx: &Ctx,
    purpose: Purpose,
    task_id: i64,
    targets: Option<&Vec<CallTarget>>,
) -> Vec<CallButton> {
    targets
        .into_iter()
        .flatten()
        .map(|t| CallButton {
            purpose: purpose.code(),
            task_id,
            household_id: t.household_id,
            resident_id: t.resident_id,
            who: if t.resident_id.is_some() {
                t.name.clone()
            } else {
                ctx.t.get("calls.household_phone").to_owned()
            },
            masked: t.masked.clone(),
        })
        .collect()
}

/// The numbers of the households of a list's cards, by household; none when the role does not
/// call for this purpose. A failure to read them leaves the cards without buttons rather than
/// failing the list.
pub(crate) async fn targets_of(
    ctx: &Ctx,
    purpose: Purpose,
    household_ids: &[i64],
) -> HashMap<i64, Vec<CallTarget>> {
    match ctx
        .app
        .call_targets(&ctx.actor, purpose, household_ids)
        .await
    {
        Ok(targets) => targets,
        Err(e) => {
            tracing::warn!(error = %e, "call targets not read");
            HashMap::new()
        }
    }
}

/// The call buttons of a quarantine order's pages, while the order is not ended.
pub(crate) async fn order_calls(ctx: &Ctx, order: &store::quarantine::Order) -> Vec<CallButton> {
    if order.state.is_final() {
        return Vec::new();
    }
    let targets = targets_of(ctx, Purpose::QuarantineOrder, &[order.address.household_id]).await;
    call_buttons(
        ctx,
        Purpose::QuarantineOrder,
        order.id,
        targets.get(&order.address.household_id),
    )
}

#[derive(Deserialize)]
struct CallForm {
    purpose: String,
    id: i64,
    #[serde(default)]
    household: Option<i64>,
    #[serde(default)]
    resident: Option<i64>,
}

/// Reveals the number for this call, audited with its task, and sends the phone to dial it.
async fn call(ctx: Ctx, Form(f): Form<CallForm>) -> PageResult {
    let task = Purpose::from_code(&f.purpose)
        .and_then(|p| CallTask::from_parts(p, f.id, f.household))
        .ok_or(app::AppError::NotFound)
        .on_page(&ctx)?;
    let tel = ctx
        .app
        .call(&ctx.actor, task, Callee::from_resident(f.resident))
        .await
        .on_page(&ctx)?;
    // A redirect to the dialler: the browser hands `tel:` to the phone, and the page stays.
    web::dial(&ctx, &tel)
}

/// At most this many suggestions: enough to pick from on a phone, little to send.
const SUGGESTIONS: usize = 20;

#[derive(Template)]
#[template(path = "region_options.html")]
struct RegionOptions {
    options: Vec<String>,
}

/// Suggestions for a region field as `<option>`s of its list: `q`, or the one field that
/// asked (htmx sends a field under its own name).
async fn regions(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    let typed = q
        .get("q")
        .or_else(|| (q.len() == 1).then(|| q.values().next()).flatten())
        .map(String::as_str)
        .unwrap_or_default();
    let options = domain::region::search(typed, SUGGESTIONS)
        .into_iter()
        .map(|d| d.option_value_in(ctx.t.lang.regions()))
        .collect();
    render(&RegionOptions { options })
}
