//! Pages of quarantine orders: the list, a household's orders with the form to place it under
//! quarantine, and one order with its history and the buttons that move it.

use app::AppError;
use app::quarantine::{DetailsInput, OrderInput, OrderQuery};
use askama::Template;
use axum::Router;
use axum::routing::{get, post};
use domain::page::PageRequest;
use domain::quarantine::{self as q, Kind, Reason, Transition};
use serde::Deserialize;
use store::quarantine::Order;
use store::registry::{Household, Resident};

use super::audit::HistoryEntry;
use crate::AppState;
use crate::web::{
    Chrome, Ctx, Form, FormErrors, OnPage, PageError, PageResult, Path, after_submit, invalid,
    invalid_or_conflicting, render, render_form,
};

mod list;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(list::routes())
        .route(
            "/quarantine/households/{id}",
            get(household).post(create_for_household),
        )
        .route(
            "/quarantine/households/{id}/section",
            get(household_section),
        )
        .route("/quarantine/{id}", get(order))
        .route("/quarantine/{id}/transition", post(transition))
        .route("/quarantine/{id}/duration", post(duration))
        .route("/quarantine/{id}/details", post(details))
}

fn reason_codes() -> Vec<&'static str> {
    Reason::ALL.iter().map(|r| r.code()).collect()
}

fn kind_codes() -> Vec<&'static str> {
    [Kind::Home, Kind::Centralised]
        .iter()
        .map(|k| k.code())
        .collect()
}

/// A member of the household with their planned or active order, if any.
struct Member {
    resident: Resident,
    order: Option<Order>,
}

#[derive(Template)]
#[template(path = "quarantine_household.html")]
struct HouseholdPage {
    c: Chrome,
    household: Household,
    members: Vec<Member>,
    can_manage: bool,
    reasons: Vec<&'static str>,
    kinds: Vec<&'static str>,
    candidates: app::quarantine::Candidates,
    /// What was typed, shown again when the form was refused.
    f: CreateForm,
    errors: FormErrors,
}

async fn household_page(ctx: &Ctx, id: i64, f: CreateForm, errors: FormErrors) -> PageResult {
    let (household, residents) = ctx.app.household(&ctx.actor, id).await.on_page(ctx)?;
    let orders = open_orders_of_household(ctx, id).await?;
    let candidates = ctx
        .app
        .responsible_candidates(&ctx.actor, household.building_id)
        .await
        .on_page(ctx)?;
    let members = residents
        .into_iter()
        .map(|r| Member {
            order: orders.iter().find(|o| o.resident_id == r.id).cloned(),
            resident: r,
        })
        .collect();
    let refused = !errors.is_empty();
    let title = super::home_title(
        ctx.t.get("quarantine.title"),
        &household.building_name,
        &household.unit_name,
        &household.room,
    );
    Ok(render_form(
        &HouseholdPage {
            c: ctx.chrome(&title),
            household,
            members,
            can_manage: q::can_manage(ctx.actor.role),
            reasons: reason_codes(),
            kinds: kind_codes(),
            candidates,
            f,
            errors,
        },
        refused,
    ))
}

async fn household(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let f = CreateForm {
        days: ctx.app.settings.quarantine_days.to_string(),
        ..CreateForm::default()
    };
    household_page(&ctx, id, f, FormErrors::default()).await
}

/// Who in the household is in quarantine and until when: a fragment the household page loads.
/// The planned and active orders of a household's members (a household has a handful).
async fn open_orders_of_household(ctx: &Ctx, id: i64) -> Result<Vec<Order>, PageError> {
    Ok(ctx
        .app
        .quarantine_orders(
            &ctx.actor,
            &OrderQuery {
                household_id: Some(id),
                ..Default::default()
            },
            PageRequest::new(None, Some(500)),
        )
        .await
        .on_page(ctx)?
        .items)
}

#[derive(Template)]
#[template(path = "quarantine_section.html")]
struct Section {
    t: crate::i18n::Tr,
    orders: Vec<Order>,
}

async fn household_section(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let orders = open_orders_of_household(&ctx, id).await?;
    Ok(render(&Section { t: ctx.t, orders }))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct CreateForm {
    /// A resident id, or empty for every member.
    resident_id: String,
    reason: String,
    kind: String,
    start_date: String,
    days: String,
    doctor_id: String,
    grid_worker_id: String,
}

async fn create_for_household(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CreateForm>,
) -> PageResult {
    let input = OrderInput {
        reason: f.reason.clone(),
        kind: f.kind.clone(),
        start_date: f.start_date.clone(),
        days: f.days.clone(),
        doctor_id: f.doctor_id.trim().parse().ok(),
        grid_worker_id: f.grid_worker_id.trim().parse().ok(),
        ..OrderInput::default()
    };
    let result = match f.resident_id.trim().parse::<i64>() {
        Ok(resident) => {
            // The resident must belong to this household.
            let (_, members) = ctx.app.household(&ctx.actor, id).await.on_page(&ctx)?;
            if members.iter().any(|m| m.id == resident) {
                ctx.app
                    .create_quarantine(&ctx.actor, resident, &input)
                    .await
                    .map(|_| ())
            } else {
                Err(AppError::field("resident_id", "not_a_member"))
            }
        }
        Err(_) => ctx
            .app
            .create_household_quarantine(&ctx.actor, id, &input)
            .await
            .map(|_| ()),
    };
    after_submit(
        &ctx,
        result,
        invalid,
        |()| format!("/quarantine/households/{id}"),
        |errors| household_page(&ctx, id, f, errors),
    )
    .await
}

#[derive(Template)]
#[template(path = "quarantine_order.html")]
struct OrderPage {
    c: Chrome,
    order: Order,
    /// A button per number the household is reached on, while the order runs.
    calls: Vec<crate::pages::calls::CallButton>,
    sealed_at: String,
    history: Vec<HistoryEntry>,
    transitions: Vec<&'static str>,
    can_manage: bool,
    is_open: bool,
    candidates: app::quarantine::Candidates,
    typed: Typed,
    transition_errors: FormErrors,
    duration_errors: FormErrors,
    details_errors: FormErrors,
}

/// What was typed in the order page's forms, shown again when one of them was refused.
#[derive(Default)]
struct Typed {
    transition_reason: String,
    days: String,
    duration_reason: String,
}

/// Which of the order page's forms was refused, with what was typed and why.
enum Refused {
    Nothing,
    Transition(String, FormErrors),
    Duration(DurationForm, FormErrors),
    Details(FormErrors),
}

async fn order_page(ctx: &Ctx, id: i64, refused: Refused) -> PageResult {
    let (order, history) = ctx
        .app
        .quarantine_order(&ctx.actor, id)
        .await
        .on_page(ctx)?;
    let candidates = ctx
        .app
        .responsible_candidates(&ctx.actor, order.address.building_id)
        .await
        .on_page(ctx)?;
    let transitions = Transition::ALL
        .iter()
        .filter(|t| {
            // Offer what the rules allow with a reason on the order's end date or later.
            let end = order.end_date.parse().unwrap_or(jiff::civil::Date::MIN);
            q::transition(order.state, **t, end, jiff::civil::Date::MAX, "x").is_ok()
        })
        .map(|t| t.code())
        .collect();
    let mut typed = Typed {
        days: order.days.to_string(),
        ..Typed::default()
    };
    let (mut transition_errors, mut duration_errors, mut details_errors) = (
        FormErrors::default(),
        FormErrors::default(),
        FormErrors::default(),
    );
    let shown_refused = !matches!(refused, Refused::Nothing);
    match refused {
        Refused::Nothing => {}
        Refused::Transition(reason, e) => {
            typed.transition_reason = reason;
            transition_errors = e;
        }
        Refused::Duration(f, e) => {
            typed.days = f.days;
            typed.duration_reason = f.reason;
            duration_errors = e;
        }
        Refused::Details(e) => details_errors = e,
    }
    let calls = crate::pages::calls::order_calls(ctx, &order).await;
    let title = format!(
        "{} · {}",
        ctx.t.get("quarantine.order"),
        order.resident_name
    );
    Ok(render_form(
        &OrderPage {
            c: ctx.chrome(&title),
            calls,
            sealed_at: order
                .door_sealed_at
                .map(|ms| crate::pages::registry_time(&ctx.app, ms))
                .unwrap_or_default(),
            history: super::audit::history_of(ctx, history).await,
            transitions,
            can_manage: q::can_manage(ctx.actor.role),
            is_open: !order.state.is_final(),
            order,
            candidates,
            typed,
            transition_errors,
            duration_errors,
            details_errors,
        },
        shown_refused,
    ))
}

async fn order(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    order_page(&ctx, id, Refused::Nothing).await
}

/// Back to the order once a step on it was taken, or the order again with why it was refused,
/// on the form that was sent.
async fn finish<T>(
    ctx: &Ctx,
    id: i64,
    r: Result<T, AppError>,
    refused: impl FnOnce(FormErrors) -> Refused,
) -> PageResult {
    after_submit(
        ctx,
        r,
        invalid_or_conflicting,
        |_| format!("/quarantine/{id}"),
        |errors| order_page(ctx, id, refused(errors)),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TransitionForm {
    transition: String,
    reason: String,
}

async fn transition(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<TransitionForm>) -> PageResult {
    let r = ctx
        .app
        .transition_quarantine(&ctx.actor, id, &f.transition, &f.reason)
        .await;
    finish(&ctx, id, r, |e| Refused::Transition(f.reason, e)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DurationForm {
    days: String,
    reason: String,
}

async fn duration(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<DurationForm>) -> PageResult {
    let r = ctx
        .app
        .change_quarantine_duration(&ctx.actor, id, &f.days, &f.reason)
        .await;
    finish(&ctx, id, r, |e| Refused::Duration(f, e)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DetailsForm {
    door_sealed: Option<String>,
    camera_installed: Option<String>,
    doctor_id: String,
    grid_worker_id: String,
}

async fn details(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<DetailsForm>) -> PageResult {
    // The form shows every detail, so it sets every one.
    let input = DetailsInput {
        door_sealed: Some(f.door_sealed.is_some()),
        camera_installed: Some(f.camera_installed.is_some()),
        doctor_id: Some(f.doctor_id.trim().parse().ok()),
        grid_worker_id: Some(f.grid_worker_id.trim().parse().ok()),
    };
    let r = ctx.app.update_quarantine(&ctx.actor, id, &input).await;
    finish(&ctx, id, r, Refused::Details).await
}

/// Where a resident stands in quarantine, as a line of the registry shows it.
pub(crate) struct StandingLabel {
    /// `planned`, `until`, `ends_today` or `overdue`: the pill's colour.
    pub code: &'static str,
    pub text: String,
}

/// The standings of the residents of a page, read in one statement; a resident with no open
/// order, or a reader who may not see orders, has none.
pub(crate) async fn standings(
    ctx: &Ctx,
    resident_ids: &[i64],
) -> Result<std::collections::HashMap<i64, StandingLabel>, PageError> {
    let standings = ctx
        .app
        .quarantine_standings(&ctx.actor, resident_ids)
        .await
        .on_page(ctx)?;
    Ok(standings
        .into_iter()
        .map(|(id, s)| {
            let date = s.date().map(|d| d.to_string()).unwrap_or_default();
            let label = StandingLabel {
                code: s.code(),
                text: ctx.t.of("qstanding", s.code()).replace("{date}", &date),
            };
            (id, label)
        })
        .collect())
}
