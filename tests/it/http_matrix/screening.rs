//! The screening part of the capability table: campaigns, their teams and households, the
//! attempts and phone calls made for them, and the request each of their routes makes.

use axum::http::Method;
use serde_json::json;

use super::Place;
use super::calls::{Request, id_of};
use super::world::World;

pub(super) fn request(route: &str, w: &World, p: &Place, t: usize, unique: u32) -> Option<Request> {
    let c = w.campaigns[t];
    Some(match route {
        "GET    /screening-campaigns" => Request::list(
            format!("/screening-campaigns?community_id={}", p.community),
            id_of("id", c),
        ),
        "POST   /screening-campaigns" => Request::post(
            "/screening-campaigns",
            json!({
                "community_id": p.community, "name": format!("New {unique}"),
                "questions": [{ "region": "4201", "since": "2020-01-10" }],
            }),
        ),
        "GET    /screening-campaigns/{id}" => Request::read(format!("/screening-campaigns/{c}")),
        "POST   /screening-campaigns/{id}/state" => Request::post(
            format!("/screening-campaigns/{c}/state"),
            json!({ "state": "open" }),
        ),
        "POST   /screening-campaigns/{id}/teams" => Request::post(
            format!("/screening-campaigns/{c}/teams"),
            json!({ "name": format!("Team {unique}"), "members": [] }),
        ),
        "PUT    /screening-teams/{id}/members" => Request::send(
            Method::PUT,
            format!("/screening-teams/{}/members", w.teams[t]),
            json!({ "members": w.members[t] }),
        ),
        "POST   /screening-campaigns/{id}/assign" => Request::post(
            format!("/screening-campaigns/{c}/assign"),
            json!({ "team_id": w.teams[t], "building_ids": [p.building] }),
        ),
        "GET    /screening-campaigns/{id}/households" => Request::list(
            format!("/screening-campaigns/{c}/households?limit=500"),
            id_of("household_id", p.household),
        ),
        "GET    /screening-campaigns/{id}/households:other_team" => Request::list(
            format!(
                "/screening-campaigns/{c}/households?team_id={}&limit=500",
                w.other_teams[t]
            ),
            id_of("household_id", w.other_households[t]),
        ),
        "GET    /screening-campaigns/{id}/households/{household_id}" => Request::read(format!(
            "/screening-campaigns/{c}/households/{}",
            p.household
        )),
        "GET    /screening-campaigns/{id}/households/{household_id}:other_team" => {
            Request::read(format!(
                "/screening-campaigns/{c}/households/{}",
                w.other_households[t]
            ))
        }
        "POST   /screening-campaigns/{id}/households/{household_id}/phone" => Request::post_bare(
            format!("/screening-campaigns/{c}/households/{}/phone", p.household),
        ),
        "POST   /calls" => {
            Request::phone_call("screening_campaign", c, Some(p.household), p.resident)
        }
        "POST   /calls:quarantine_order" => {
            Request::phone_call("quarantine_order", w.orders[t], None, p.resident)
        }
        "POST   /calls:delivery" => {
            Request::phone_call("delivery", w.deliveries[t], None, p.resident)
        }
        "GET    /regions" => Request::read("/regions?q=%E6%AD%A6%E6%B1%89"),
        "POST   /screening-attempts" => Request::post(
            "/screening-attempts",
            json!({
                "campaign_id": c, "household_id": p.household, "method": "call",
                "outcome": "no_answer", "idempotency_key": format!("matrix-{unique}"),
            }),
        ),
        "GET    /screening-campaigns/{id}/progress" => {
            Request::read(format!("/screening-campaigns/{c}/progress"))
        }
        "GET    /screening-campaigns/{id}/export" => {
            Request::read(format!("/screening-campaigns/{c}/export?register=returned"))
        }
        _ => return None,
    })
}
