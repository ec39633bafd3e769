//! The return-to-work part of the capability table: in each of the four places, an application
//! of a newcomer to the place's household, made on the public page, and the request
//! each return-to-work route makes.

use std::sync::Arc;

use app::App;
use app::returns::{ApplicationInput, Applied, LogSender};
use axum::http::Method;
use serde_json::json;

use super::Place;
use super::calls::{Request, id_of};

/// The applications of each place.
pub(super) struct ReturnWorld {
    applications: [i64; 4],
    /// A second newcomer's application of each place, and its link's token, for the
    /// applicant's own routes (one of which withdraws it).
    links: [String; 4],
}

pub(super) async fn return_world(app: &App, places: &[Place; 4]) -> ReturnWorld {
    let log = Arc::new(LogSender::default());
    let app = app.clone().with_sender(log.clone());
    let mut applications = [0; 4];
    let mut links: [String; 4] = Default::default();
    let tomorrow = app.today().saturating_add(jiff::Span::new().days(1));
    for (i, p) in places.iter().enumerate() {
        let phone = format!("1390000{i:04}");
        let now = jiff::Timestamp::now();
        app.request_return_code(&phone, "matrix", now)
            .await
            .expect("code");
        let code = log.last_to(&phone).expect("sent").params[0].clone();
        // A newcomer to the place's household (its resident is in quarantine already).
        let (home, _) = app
            .resident(&app::Actor::system(), p.resident)
            .await
            .expect("the place's resident");
        let input = ApplicationInput {
            community_id: p.community,
            name: "返岗".to_owned(),
            document_number: crate::support::citizen_id(300 + u32::try_from(i).expect("small")),
            building_id: Some(p.building),
            building: String::new(),
            unit: home.address.unit_name,
            room: home.address.room,
            phone,
            code,
            employer: "Matrix Ltd".to_owned(),
            employer_address: "1 Matrix Road".to_owned(),
            origin: "610113".to_owned(),
            means: "train".to_owned(),
            trip: "G1".to_owned(),
            arrival: format!("{tomorrow}T10:00"),
            ..ApplicationInput::default()
        };
        applications[i] = apply(&app, &input).await.0;
        let phone = format!("1390001{i:04}");
        app.request_return_code(&phone, "matrix", now)
            .await
            .expect("code");
        let second = ApplicationInput {
            name: "再返岗".to_owned(),
            document_number: crate::support::citizen_id(400 + u32::try_from(i).expect("small")),
            code: log.last_to(&phone).expect("sent").params[0].clone(),
            phone,
            ..input
        };
        links[i] = apply(&app, &second).await.1;
    }
    ReturnWorld {
        applications,
        links,
    }
}

async fn apply(app: &App, input: &ApplicationInput) -> (i64, String) {
    match app
        .apply_for_return(input, "matrix", jiff::Timestamp::now())
        .await
        .expect("applied")
    {
        Applied::New { id, token } => (id, token),
        other @ Applied::Duplicate { .. } => panic!("{other:?}"),
    }
}

pub(super) fn request(route: &str, w: &ReturnWorld, t: usize, unique: u32) -> Option<Request> {
    let a = w.applications[t];
    let link = &w.links[t];
    Some(match route {
        "GET    /returns/expected" => Request::list("/returns/expected", id_of("id", a)),
        "GET    /returns" => Request::list(format!("/returns?q={a}"), id_of("id", a)),
        "GET    /returns/{id}" => Request::read(format!("/returns/{a}")),
        "POST   /returns/{id}/transition" => Request::post(
            format!("/returns/{a}/transition"),
            json!({ "transition": "expect" }),
        ),
        "POST   /returns/{id}/verify" => Request::post(
            format!("/returns/{a}/verify"),
            json!({
                "health_code": "green", "itinerary_code": "green", "certificate_seen": true,
                "test_taken_on": jiff::Timestamp::now().to_string().get(..10),
                "test_result": "negative", "temperature": "36.5", "decision": "approve",
            }),
        ),
        "GET    /returns/throughput" => Request::read("/returns/throughput?days=3"),
        "POST   /return-codes" => Request::post(
            "/return-codes",
            json!({ "phone": format!("1370000{unique:04}") }),
        ),
        // The body is refused before any attempt is counted: the matrix's clients share one
        // address, whose limit the use case tests exercise.
        "POST   /return-applications" => {
            Request::post("/return-applications", json!({ "name": "x" }))
        }
        "GET    /return-applications/{token}" => {
            Request::read(format!("/return-applications/{link}"))
        }
        "PUT    /return-applications/{token}/arrival" => Request::send(
            Method::PUT,
            format!("/return-applications/{link}/arrival"),
            json!({ "arrival": format!("{}T09:30", jiff::Timestamp::now().to_string().get(..10).unwrap_or_default()) }),
        ),
        "POST   /return-applications/{token}/withdraw" => {
            Request::post_bare(format!("/return-applications/{link}/withdraw"))
        }
        _ => return None,
    })
}
