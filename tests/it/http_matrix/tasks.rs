//! The tasks part of the capability table: the worklist, supply deliveries and rubbish
//! rounds of home quarantine, and the request each of their routes makes.

use serde_json::json;

use super::Place;
use super::calls::{Request, id_of};
use super::world::World;
use crate::support::Fixture;

pub(super) fn request(route: &str, f: &Fixture, w: &World, p: &Place, t: usize) -> Option<Request> {
    Some(match route {
        "GET    /worklist" => Request::read("/worklist"),
        "GET    /task-volunteers" => Request::list("/task-volunteers", id_of("id", w.accounts[t])),
        "POST   /delivery-tasks/generate" => Request::post("/delivery-tasks/generate", json!({})),
        "GET    /delivery-tasks" => Request::list(
            format!("/delivery-tasks?state=all&grid_id={}", p.grid),
            id_of("id", w.deliveries[t]),
        ),
        "GET    /delivery-tasks/{id}" => {
            Request::read(format!("/delivery-tasks/{}", w.deliveries[t]))
        }
        "GET    /delivery-tasks/{id}:other_volunteer" => {
            Request::read(format!("/delivery-tasks/{}", w.other_deliveries[t]))
        }
        "POST   /delivery-tasks/{id}/assign" => Request::post(
            format!("/delivery-tasks/{}/assign", w.deliveries[t]),
            json!({ "volunteer_id": f.volunteer.account_id }),
        ),
        "POST   /delivery-tasks/{id}/ask" => Request::post(
            format!("/delivery-tasks/{}/ask", w.deliveries[t]),
            json!({ "needs": "rice" }),
        ),
        "POST   /delivery-tasks/{id}/deliver" => {
            Request::post_bare(format!("/delivery-tasks/{}/deliver", w.deliveries[t]))
        }
        "POST   /delivery-tasks/{id}/confirm" => Request::post(
            format!("/delivery-tasks/{}/confirm", w.deliveries[t]),
            json!({ "via": "phone" }),
        ),
        "POST   /delivery-tasks/{id}/cancel" => Request::post(
            format!("/delivery-tasks/{}/cancel", w.other_deliveries[t]),
            json!({ "reason": "matrix" }),
        ),
        "POST   /rubbish-rounds/open" => {
            Request::post("/rubbish-rounds/open", json!({ "date": w.day }))
        }
        "GET    /rubbish-rounds" => Request::list(
            format!("/rubbish-rounds?date={}&grid_id={}", w.day, p.grid),
            id_of("id", w.rounds[t]),
        ),
        "GET    /rubbish-rounds/{id}" => Request::read(format!("/rubbish-rounds/{}", w.rounds[t])),
        "GET    /rubbish-rounds/{id}:other_volunteer" => {
            Request::read(format!("/rubbish-rounds/{}", w.other_rounds[t]))
        }
        "POST   /rubbish-rounds/{id}/assign" => Request::post(
            format!("/rubbish-rounds/{}/assign", w.rounds[t]),
            json!({ "volunteer_id": f.volunteer.account_id }),
        ),
        "POST   /rubbish-rounds/{id}/stops/{stop_id}" => Request::post(
            format!("/rubbish-rounds/{}/stops/{}", w.rounds[t], w.stops[t]),
            json!({ "outcome": "collected" }),
        ),
        "POST   /rubbish-rounds/{id}/done" => {
            Request::post_bare(format!("/rubbish-rounds/{}/done", w.rounds[t]))
        }
        _ => return None,
    })
}
