//! A day of the community replayed through the documented API alone, every request and every
//! response held to the server's own OpenAPI document: returnees registered, screened, placed
//! under home quarantine and checked morning and evening; a fever reported by the resident
//! through the self-report link, acknowledged and resolved by the doctor; the household's delivery
//! and rubbish round done by a volunteer; and the audit chain verified at the end.
//!
//! Only the harness touches the application directly: a fresh database, the community's places
//! and its accounts. The day replayed is yesterday in the community's time zone: its check slots
//! are past and its rubbish round open (rounds open at 17:00) whatever the hour the test runs.
//! The resident's self-report names no slot and falls into the slot of the moment, today's.

pub mod contract;
mod health;
mod intake;
mod refusals;
mod supplies;

use std::sync::Arc;

use axum::http::StatusCode;
use jiff::civil::Date;
use serde_json::Value;

use crate::http::Client;
use crate::support::{Fixture, PASSWORD, TestDb};
use contract::{Caller, Contract};

const OK: StatusCode = StatusCode::OK;
const CREATED: StatusCode = StatusCode::CREATED;
const NO_CONTENT: StatusCode = StatusCode::NO_CONTENT;

/// The people of the day, each holding a token of their own, and the places they work in.
struct Day {
    f: Fixture,
    /// The day replayed, yesterday.
    date: Date,
    /// A caller with no credentials: the resident on their self-report link.
    anon: Caller,
    staff: Caller,
    grid_worker: Caller,
    doctor: Caller,
    volunteer: Caller,
    auditor: Caller,
}

/// The households of the day: the returnees' and their neighbour's.
struct Homes {
    returnees: i64,
    neighbour: i64,
    zhang: i64,
    li: i64,
    wang: i64,
}

#[tokio::test]
async fn a_day_of_the_community_replays_through_the_documented_api() {
    let (db, f) = TestDb::with_fixture().await;
    let mut client = Client::new(server::router(db.app.clone()));
    // Strict: a response property the document does not name fails the test too.
    let contract = Arc::new(Contract::fetch(&mut client).await.strict());
    let mut anon = Caller::new(client, contract);
    let staff = anon.signed_in(&f.staff.username, PASSWORD).await;
    let grid_worker = anon.signed_in(&f.grid_worker.username, PASSWORD).await;
    let mut doctor = anon.signed_in(&f.doctor.username, PASSWORD).await;
    let volunteer = anon.signed_in(&f.volunteer.username, PASSWORD).await;
    let auditor = anon.signed_in(&f.auditor.username, PASSWORD).await;

    // The server's today is the date of the slot being checked now.
    let worklist = doctor.get("/api/v1/worklist?mine=true").await.expect(OK);
    let today = slot_date(&worklist["slot"]);
    let date = today.yesterday().expect("a day before today");
    let mut day = Day {
        f,
        date,
        anon,
        staff,
        grid_worker,
        doctor,
        volunteer,
        auditor,
    };

    let homes = intake::register(&mut day).await;
    intake::screen(&mut day, &homes).await;
    let orders = intake::quarantine(&mut day, &homes).await;
    health::check_twice(&mut day, &orders).await;
    health::fever(&mut day, orders[0], today).await;
    supplies::deliver(&mut day, &homes).await;
    supplies::collect_rubbish(&mut day, &homes).await;
    verify_audit(&mut day).await;
}

/// The date of a slot key, `2020-02-01/morning`.
fn slot_date(slot: &Value) -> Date {
    let key = slot.as_str().expect("a slot key");
    let (date, _) = key.split_once('/').expect("date/part");
    date.parse().expect("an ISO date")
}

fn id(body: &Value) -> i64 {
    body["id"].as_i64().expect("an id")
}

fn items(body: &Value) -> &Vec<Value> {
    body["items"].as_array().expect("items")
}

/// The auditor finds the chain intact and every step of the day in it.
async fn verify_audit(day: &mut Day) {
    let auditor = &mut day.auditor;
    let verified = auditor.get("/api/v1/audit/verify").await.expect(OK);
    assert_eq!(verified["intact"], true, "{verified}");
    assert_eq!(verified["broken_at"], Value::Null);
    let trail = auditor.get("/api/v1/audit?limit=1000").await.expect(OK);
    let entries = trail.as_array().expect("entries");
    assert_eq!(
        verified["entries"].as_u64(),
        u64::try_from(entries.len()).ok(),
        "the verification covers every entry"
    );
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "household_create",
        "resident_create",
        "screening_campaign_create",
        "screening_attempt",
        "resident_travel_screening",
        "quarantine_create",
        "check_record",
        "self_report_link_create",
        "alert_acknowledge",
        "alert_resolve",
        "delivery_create",
        "delivery_confirm",
        "rubbish_round_open",
        "rubbish_stop",
        "rubbish_round_done",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let reported = entries
        .iter()
        .find(|e| e["action"] == "check_record" && e["role"] == "resident")
        .expect("the self-report in the trail");
    assert!(
        reported["account_name"]
            .as_str()
            .is_some_and(|n| n.starts_with("self_report_link:")),
        "{reported}"
    );
}
