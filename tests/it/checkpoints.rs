//! Checkpoints (C4): gates and shifts, passes issued and verified at the gate, quotas across
//! gates and days, seals, reissue, overrides, visitors and the offline queue, on both backends.

mod gate;
mod gate_page;
mod groups;
mod pages;
mod passes;
mod visitors;

use app::gates::GateInput;
use app::gates::scan::{GateDecision, OverrideInput, PassageInput};
use app::gates::visitors::VisitorInput;
use app::{Actor, App};

use crate::support::{Fixture, citizen_id, first_page};

/// A gate of the fixture community serving every building, made by its staff; nobody on shift.
pub async fn unstaffed_gate(app: &App, f: &Fixture, name: &str) -> i64 {
    app.create_gate(
        &f.staff,
        f.community_id,
        &GateInput {
            name: name.to_owned(),
            ..Default::default()
        },
    )
    .await
    .expect("gate")
}

/// A gate of the fixture community serving every building, with the fixture's guard on shift
/// there from an hour ago for twelve hours.
pub async fn gate_with_guard(app: &App, f: &Fixture, name: &str) -> i64 {
    let gate = unstaffed_gate(app, f, name).await;
    let now = store::now_ms();
    app.add_gate_shift(
        &f.staff,
        gate,
        f.guard.account_id,
        now - 3_600_000,
        now + 11 * 3_600_000,
    )
    .await
    .expect("shift");
    gate
}

/// A household pass's code for a new household in building 1.
pub async fn household_pass(app: &App, f: &Fixture, room: &str) -> (i64, i64, String) {
    household_pass_issued(app, f, f.building1_id, room, 0).await
}

/// A new household in `room` of unit 1 of a building, its pass issued `days` ago: the
/// household, the pass and the code it shows.
pub async fn household_pass_issued(
    app: &App,
    f: &Fixture,
    building_id: i64,
    room: &str,
    days: i64,
) -> (i64, i64, String) {
    let h = crate::support::household(app, &f.staff, building_id, "1", room).await;
    let pass = app
        .issue_household_pass(&f.staff, h)
        .await
        .expect("household pass");
    if days > 0 {
        issued_days_ago(app, pass, days).await;
    }
    let code = app.pass_code(&f.staff, pass).await.expect("code");
    (h, pass, code)
}

/// Dates a pass's issue `days` back, as if issued then: passages logged offline or in the
/// past must fall within its validity.
pub async fn issued_days_ago(app: &App, pass: i64, days: i64) {
    let mut conn = app.db.conn().await.expect("raw connection");
    sqlx::query("UPDATE passes SET issued_at = issued_at - $1 WHERE id = $2")
        .bind(days * DAY)
        .bind(pass)
        .execute(&mut *conn)
        .await
        .expect("issued earlier");
}

/// Shows a code at a gate, now or `ago_ms` before now.
pub async fn show(
    app: &App,
    guard: &Actor,
    gate: i64,
    code: &str,
    direction: &str,
    ago_ms: i64,
) -> GateDecision {
    app.pass_through_gate(
        guard,
        gate,
        &PassageInput {
            code: code.to_owned(),
            direction: direction.to_owned(),
            at: (ago_ms > 0).then(|| store::now_ms() - ago_ms),
            ..Default::default()
        },
    )
    .await
    .expect("a decision")
}

/// The passage log as `actor` reads it, newest first (one page of 50).
pub async fn log_of(
    app: &App,
    actor: &Actor,
    filter: store::passages::PassageFilter,
) -> Vec<store::passages::Passage> {
    app.passages(actor, &filter, first_page(50))
        .await
        .expect("the passage log")
        .items
}

/// A household's passages, newest first, as `actor` reads them.
pub async fn household_log(
    app: &App,
    actor: &Actor,
    household_id: i64,
) -> Vec<store::passages::Passage> {
    let filter = store::passages::PassageFilter {
        household_id: Some(household_id),
        ..Default::default()
    };
    log_of(app, actor, filter).await
}

/// The passages on the supervisors' list of exceptions, newest first.
pub async fn exceptions_log(app: &App, actor: &Actor) -> Vec<store::passages::Passage> {
    let filter = store::passages::PassageFilter {
        exceptions_only: true,
        ..Default::default()
    };
    log_of(app, actor, filter).await
}

pub fn refusal(d: &GateDecision) -> Option<&'static str> {
    d.refusal.map(|r| r.code())
}

/// 赵六 visiting a household with the health code `code` and the temperature `temperature`.
pub fn visitor(household_id: i64, code: &str, temperature: &str) -> VisitorInput {
    VisitorInput {
        name: "赵六".to_owned(),
        document_number: citizen_id(77),
        phone: "13800138000".to_owned(),
        origin: "610825".to_owned(),
        household_id: Some(household_id),
        purpose: "送药".to_owned(),
        health_code: code.to_owned(),
        temperature: temperature.to_owned(),
        ..Default::default()
    }
}

pub fn overriding(reason: &str) -> Option<OverrideInput> {
    Some(OverrideInput {
        reason: reason.to_owned(),
        requested_by: "street official Wang by phone".to_owned(),
        supervisor: "Li (duty lead)".to_owned(),
    })
}

pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 24 * HOUR;
