//! The cases part of the capability table: in each of the four places, a building of the
//! place's grid with a suspected case and a confirmed one (with its disinfection), and the
//! request each cases route makes.

use std::sync::atomic::{AtomicUsize, Ordering};

use app::App;
use app::cases::{CaseInput, DecisionInput};
use axum::http::Method;
use domain::access::Role;
use serde_json::json;

use super::Place;
use super::calls::{Request, id_of};
use super::world::lead;
use crate::support::Fixture;

/// The cases objects of each place.
pub(super) struct CaseWorld {
    /// A building of the place's grid, away from the place's household (a seal there leaves
    /// the other tables' passes alone).
    buildings: [i64; 4],
    suspected: [i64; 4],
    confirmed: [i64; 4],
    disinfections: [i64; 4],
}

pub(super) async fn case_world(app: &App, f: &Fixture, places: &[Place; 4]) -> CaseWorld {
    let staff = lead(f, Role::CommunityStaff);
    let admin = lead(f, Role::Admin);
    let mut w = CaseWorld {
        buildings: [0; 4],
        suspected: [0; 4],
        confirmed: [0; 4],
        disinfections: [0; 4],
    };
    for (i, p) in places.iter().enumerate() {
        let building = app
            .create_building(&admin, p.grid, &format!("病例楼{i}"))
            .await
            .expect("building");
        let case = |name: &str| CaseInput {
            person_name: name.to_owned(),
            building_id: Some(building),
            source: "hotline".to_owned(),
            ..Default::default()
        };
        w.suspected[i] = app.record_case(&staff, &case("疑似")).await.expect("case");
        w.confirmed[i] = app.record_case(&staff, &case("确诊")).await.expect("case");
        app.decide_case(
            &staff,
            w.confirmed[i],
            &DecisionInput {
                decision: "confirm".to_owned(),
                ..Default::default()
            },
        )
        .await
        .expect("confirmed");
        w.disinfections[i] = app
            .case_file(&staff, w.confirmed[i])
            .await
            .expect("file")
            .disinfections[0]
            .id;
        w.buildings[i] = building;
    }
    w
}

/// The request of a cases route on the objects of place `t`; `None` for another route.
/// Numbers the people the matrix records as cases.
static VISITORS: AtomicUsize = AtomicUsize::new(0);

pub(super) fn request(route: &str, w: &CaseWorld, p: &Place, t: usize) -> Option<Request> {
    let case = w.suspected[t];
    let confirmed = w.confirmed[t];
    let now = store::now_ms();
    Some(match route {
        "GET    /cases" => Request::list("/cases", id_of("id", case)),
        "POST   /cases" => Request::post(
            "/cases",
            // A person is one case: each request names someone new.
            json!({ "person_name": format!("来访者{}", VISITORS.fetch_add(1, Ordering::Relaxed)),
                    "building_id": w.buildings[t], "source": "hotline" }),
        ),
        "GET    /cases/{id}" => Request::read(format!("/cases/{case}")),
        "POST   /cases/{id}/movements" => Request::post(
            format!("/cases/{case}/movements"),
            json!({ "kind": "outside", "place": "人民医院", "from_at": now - 7_200_000,
                    "to_at": now - 3_600_000 }),
        ),
        "POST   /cases/{id}/decision" => Request::post(
            format!("/cases/{case}/decision"),
            json!({ "decision": "exclude" }),
        ),
        "POST   /cases/{id}/report-sent" => {
            Request::post_bare(format!("/cases/{confirmed}/report-sent"))
        }
        "POST   /cases/{id}/end" => Request::post(
            format!("/cases/{confirmed}/end"),
            json!({ "note": "区疾控同意" }),
        ),
        "GET    /cases/{id}/contacts" => Request::read(format!("/cases/{case}/contacts")),
        "POST   /cases/{id}/follow-up" => Request::post(
            format!("/cases/{case}/follow-up"),
            json!({ "follow_up": "self_quarantine", "contacts": [] }),
        ),
        "GET    /cases/{id}/followed-contacts" => {
            Request::read(format!("/cases/{case}/followed-contacts"))
        }
        "POST   /disinfections/{id}/done" => {
            Request::post_bare(format!("/disinfections/{}/done", w.disinfections[t]))
        }
        "GET    /communities/{id}/control-level" => {
            Request::read(format!("/communities/{}/control-level", p.community))
        }
        "GET    /communities/{id}/today" => {
            Request::read(format!("/communities/{}/today", p.community))
        }
        "PUT    /communities/{id}/control-level" => Request::send(
            Method::PUT,
            format!("/communities/{}/control-level", p.community),
            json!({ "level": "key", "reason": "确诊一例" }),
        ),
        _ => return None,
    })
}
