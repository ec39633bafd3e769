//! Integration tests of twice-daily check records, self-report links, alerts and the
//! database-backed jobs that start planned orders and raise missed-check alerts.

use app::checks::{AlertQuery, CheckInput, SelfReportInput};
use app::quarantine::OrderInput;
use app::{Actor, App, AppError};
use domain::health::Symptom;
use domain::page::{Page, PageRequest};
use jiff::Timestamp;
use jiff::civil::Date;
use store::checks::{Alert, Check};

use crate::support::{
    Fixture, TestDb, assert_field_error, assert_forbidden, assert_not_found, audit_action,
    audit_trail, citizen_id, first_page, household, resident,
};

/// The community's local `date` at `h:m`, as an instant.
fn at(app: &App, date: Date, h: i8, m: i8) -> Timestamp {
    date.at(h, m, 0, 0)
        .to_zoned_datetime(app.settings.time_zone.clone())
        .expect("a local time")
        .timestamp()
}

fn check(temperature: &str, symptoms: &[&str]) -> CheckInput {
    CheckInput {
        temperature: temperature.to_owned(),
        symptoms: symptoms.iter().map(|s| (*s).to_owned()).collect(),
        method: "doctor_call".to_owned(),
        ..Default::default()
    }
}

fn report(temperature: &str, symptoms: &[&str]) -> SelfReportInput {
    SelfReportInput {
        temperature: temperature.to_owned(),
        symptoms: symptoms.iter().map(|s| (*s).to_owned()).collect(),
        ..Default::default()
    }
}

/// A resident of 1号楼 (grid 1) under an order starting `start` (empty for today) with the
/// fixture doctor responsible; returns the order id.
async fn order(app: &App, f: &Fixture, n: u32, start: &str) -> i64 {
    let h = household(app, &f.staff, f.building1_id, "1", &format!("{}", 100 + n)).await;
    home_order(app, f, h, ("张小明", n), start, Some(f.doctor.account_id)).await
}

/// A resident of 3号楼 (grid 2), outside the fixture grid worker's grid.
async fn order_in_grid2(app: &App, f: &Fixture) -> i64 {
    let h = household(app, &f.staff, f.building3_id, "1", "301").await;
    home_order(app, f, h, ("赵六", 77), "", None).await
}

/// A new resident of household `h` (a name and the number of its citizen ID) under a home order
/// for a returnee from `start`, with `doctor_id` responsible when given; returns the order id.
async fn home_order(
    app: &App,
    f: &Fixture,
    h: i64,
    (name, n): (&str, u32),
    start: &str,
    doctor_id: Option<i64>,
) -> i64 {
    let r = resident(app, f, h, name, n).await;
    let input = OrderInput {
        reason: "returnee".to_owned(),
        kind: "home".to_owned(),
        start_date: start.to_owned(),
        days: String::new(),
        doctor_id,
        ..OrderInput::default()
    };
    app.create_quarantine(&f.staff, r, &input)
        .await
        .expect("order")
}

/// The alerts of the orders `doctor` is responsible for: the doctor's worklist.
pub(crate) async fn worklist(app: &App, doctor: &Actor) -> Page<Alert> {
    let mine = AlertQuery {
        mine: true,
        ..Default::default()
    };
    alerts_of(app, doctor, mine).await
}

/// The alerts of one kind.
fn of_kind(kind: &str) -> AlertQuery {
    AlertQuery {
        kind: Some(kind.to_owned()),
        ..Default::default()
    }
}

/// The first page of the alerts `actor` may read, as `query` filters them.
pub(crate) async fn alerts_of(app: &App, actor: &Actor, query: AlertQuery) -> Page<Alert> {
    app.alerts(actor, &query, PageRequest::first())
        .await
        .expect("alerts")
}

/// The first page of an order's checks, newest first, as `actor` reads them.
async fn checks_of(app: &App, actor: &Actor, order_id: i64) -> Page<Check> {
    app.order_checks(actor, order_id, PageRequest::first())
        .await
        .expect("checks")
}

async fn audit_actions(app: &App, f: &Fixture, action: &str) -> Vec<store::audit::AuditRecord> {
    audit_trail(app, &f.admin, audit_action(action)).await
}

mod http;
mod jobs;
mod links;
mod records;
mod sheet;
