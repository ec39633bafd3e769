//! Return to work (issue 12, sections 1 and 2): the public application with its one-time code,
//! limits and duplicates; the applicant's link (status, arrival change, withdrawal); the
//! verification, whose every refusal is named; approval making the quarantine orders with
//! their checks and deliveries, registering the returnees and suspending the household's pass;
//! the throughput per day. On both backends.

mod api;
mod buildings;
mod flow;
mod limits;
mod pages;

use std::sync::Arc;

use app::returns::{ApplicationInput, Applied, LogSender, VerificationInput};
use app::{App, AppError};
use jiff::Timestamp;

use crate::support::{Fixture, citizen_id};

/// The applicant's mobile.
pub const PHONE: &str = "13912345678";
/// The client address of the tests' requests.
pub const CLIENT: &str = "203.0.113.7";

/// The app with a log sender the test reads the codes from.
pub fn with_log(app: &App) -> (App, Arc<LogSender>) {
    let sender = Arc::new(LogSender::default());
    (app.clone().with_sender(sender.clone()), sender)
}

/// Sends a code to `phone` and reads it from the log.
pub async fn code_for(app: &App, sender: &LogSender, phone: &str) -> String {
    app.request_return_code(phone, CLIENT, Timestamp::now())
        .await
        .expect("code sent");
    let m = sender.last_to(phone).expect("a message to the phone");
    assert_eq!(m.template, app::returns::CODE_TEMPLATE);
    m.params[0].clone()
}

/// An application of 李四 (citizen id 5) from 西安市雁塔区 by train, arriving tomorrow at
/// 14:30, to room 201 of 1号楼, which exists.
pub async fn input(app: &App, f: &Fixture) -> ApplicationInput {
    // Made once; a second application of a test goes to the same room.
    let _ = app
        .create_household(
            &f.staff,
            &crate::support::household_input(f.building1_id, "1", "201", ""),
        )
        .await;
    let tomorrow = app.today().saturating_add(jiff::Span::new().days(1));
    ApplicationInput {
        community_id: f.community_id,
        name: "李四".to_owned(),
        document_number: citizen_id(5),
        phone: PHONE.to_owned(),
        code: String::new(),
        employer: "西安某科技有限公司".to_owned(),
        employer_address: "西安市高新区科技路1号".to_owned(),
        origin: "610113".to_owned(),
        means: "train".to_owned(),
        trip: "G1234".to_owned(),
        arrival: format!("{tomorrow}T14:30"),
        building_id: Some(f.building1_id),
        building: String::new(),
        unit: "1".to_owned(),
        room: "201".to_owned(),
        companions: Vec::new(),
    }
}

/// The public form's fields for an application as typed, with the page's token and the code.
pub fn form_fields<'a>(
    i: &'a ApplicationInput,
    csrf: &'a str,
    code: &'a str,
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("name", &i.name),
        ("document_number", &i.document_number),
        ("phone", &i.phone),
        ("code", code),
        ("employer", &i.employer),
        ("employer_address", &i.employer_address),
        ("origin", &i.origin),
        ("means", &i.means),
        ("trip", &i.trip),
        ("arrival", &i.arrival),
        ("building", &i.building),
        ("unit", &i.unit),
        ("room", &i.room),
    ]
}

/// Applies with a fresh code; the application and its link.
pub async fn apply(app: &App, sender: &LogSender, mut i: ApplicationInput) -> (i64, String) {
    i.code = code_for(app, sender, &i.phone).await;
    match app
        .apply_for_return(&i, CLIENT, Timestamp::now())
        .await
        .expect("applied")
    {
        Applied::New { id, token } => (id, token),
        other @ Applied::Duplicate { .. } => panic!("a duplicate: {other:?}"),
    }
}

/// A verification the rule admits.
pub fn green(app: &App) -> VerificationInput {
    VerificationInput {
        health_code: "green".to_owned(),
        itinerary_code: "green".to_owned(),
        visited_regions: "610113".to_owned(),
        certificate_seen: true,
        test_taken_on: app
            .today()
            .saturating_sub(jiff::Span::new().days(2))
            .to_string(),
        test_institution: "西安市第一医院".to_owned(),
        test_result: "negative".to_owned(),
        temperature: "36.5".to_owned(),
        decision: "approve".to_owned(),
        reason: String::new(),
        doctor_id: None,
    }
}

pub fn field_of(e: &AppError) -> Vec<(String, String)> {
    match e {
        AppError::Validation(v) => {
            v.0.iter()
                .map(|f| (f.field.clone(), f.code.clone()))
                .collect()
        }
        _ => Vec::new(),
    }
}
