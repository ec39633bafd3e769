//! The checkpoint part of the capability table: a gate, passes and a passage in each of the
//! four places, the fixture's guard on shift at the gates of its community, and the request
//! each checkpoint route makes.

use app::gates::GateInput;
use app::gates::scan::PassageInput;
use app::gates::visitors::VisitorInput;
use app::{Actor, App};
use axum::http::Method;
use domain::access::{Jurisdiction, Level, Role};
use serde_json::json;

use super::Place;
use super::calls::{Request, id_of};
use super::world::lead;
use crate::support::{Fixture, account, citizen_id};

/// The checkpoint objects of each place.
pub(super) struct GateWorld {
    gates: [i64; 4],
    passes: [i64; 4],
    codes: [String; 4],
    /// A shift of another guard at the place's gate, to end.
    shifts: [i64; 4],
    /// Cars of the place's household: one to reissue, one to revoke.
    reissued_cars: [i64; 4],
    revoked_cars: [i64; 4],
    passages: [i64; 4],
    /// The fixture's guard, whom the shift requests put on shift.
    guard: i64,
}

pub(super) async fn gate_world(app: &App, f: &Fixture, places: &[Place; 4]) -> GateWorld {
    let staff = lead(f, Role::CommunityStaff);
    let now = store::now_ms();
    let mut w = GateWorld {
        gates: [0; 4],
        passes: [0; 4],
        codes: Default::default(),
        shifts: [0; 4],
        reissued_cars: [0; 4],
        revoked_cars: [0; 4],
        passages: [0; 4],
        guard: f.guard.account_id,
    };
    for (i, p) in places.iter().enumerate() {
        let gate = app
            .create_gate(
                &staff,
                p.community,
                &GateInput {
                    name: format!("Matrix gate {i}"),
                    ..Default::default()
                },
            )
            .await
            .expect("gate");
        let guard: Actor = account(
            app,
            &format!("matrixguard{i}"),
            Role::Guard,
            Jurisdiction::new(Level::Community, p.community),
        )
        .await;
        w.shifts[i] = app
            .add_gate_shift(&staff, gate, guard.account_id, now, now + 3_600_000)
            .await
            .expect("a shift to end");
        if p.community == f.community_id {
            app.add_gate_shift(
                &staff,
                gate,
                f.guard.account_id,
                now - 60_000,
                now + 8 * 3_600_000,
            )
            .await
            .expect("the fixture's guard on shift");
        }
        w.passes[i] = app
            .issue_household_pass(&staff, p.household)
            .await
            .expect("household pass");
        w.codes[i] = app.pass_code(&staff, w.passes[i]).await.expect("code");
        for (n, cars) in [(0, &mut w.reissued_cars), (1, &mut w.revoked_cars)] {
            cars[i] = app
                .issue_vehicle_pass(&staff, p.household, &format!("陕B{n}{i}000"))
                .await
                .expect("car");
        }
        let d = app
            .pass_through_gate(
                &staff,
                gate,
                &PassageInput {
                    code: w.codes[i].clone(),
                    direction: "in".to_owned(),
                    ..Default::default()
                },
            )
            .await
            .expect("a passage");
        w.passages[i] = d.passage.id;
        app.admit_visitor(
            &staff,
            gate,
            &VisitorInput {
                name: "访客".to_owned(),
                document_number: citizen_id(700 + u32::try_from(i).expect("small")),
                phone: "13800138000".to_owned(),
                origin: "610825".to_owned(),
                household_id: Some(p.household),
                health_code: "green".to_owned(),
                temperature: "36.5".to_owned(),
                ..Default::default()
            },
        )
        .await
        .expect("a visitor");
        w.gates[i] = gate;
    }
    w
}

/// The request of a checkpoint route on the objects of place `t`; `None` for another route.
pub(super) fn request(
    route: &str,
    w: &GateWorld,
    p: &Place,
    t: usize,
    unique: u32,
) -> Option<Request> {
    let gate = w.gates[t];
    let pass = w.passes[t];
    Some(match route {
        "GET    /gates" => Request::list("/gates", id_of("id", gate)),
        "POST   /communities/{id}/gates" => Request::post(
            format!("/communities/{}/gates", p.community),
            json!({ "name": format!("Gate {unique}") }),
        ),
        "GET    /gates/{id}" => Request::read(format!("/gates/{gate}")),
        "PUT    /gates/{id}" => Request::send(
            Method::PUT,
            format!("/gates/{gate}"),
            json!({ "name": format!("Matrix gate {t}") }),
        ),
        "POST   /gates/{id}/state" => Request::post(
            format!("/gates/{gate}/state"),
            json!({ "closed": false, "reason": "matrix" }),
        ),
        "POST   /gates/{id}/shifts" => {
            let now = store::now_ms();
            Request::post(
                format!("/gates/{gate}/shifts"),
                json!({ "account_id": w.guard, "starts_at": now, "ends_at": now + 60_000 }),
            )
        }
        "DELETE /gate-shifts/{id}" => {
            Request::bare(Method::DELETE, format!("/gate-shifts/{}", w.shifts[t]))
        }
        "GET    /me/shifts" => Request::read("/me/shifts"),
        "POST   /gates/{id}/passages" => Request::post(
            format!("/gates/{gate}/passages"),
            json!({ "code": w.codes[t], "direction": "in", "temperature": "36.4" }),
        ),
        "POST   /gates/{id}/visitors" => Request::post(
            format!("/gates/{gate}/visitors"),
            json!({
                "name": "访客", "document_number": citizen_id(800 + unique % 1000),
                "phone": "13800138000", "origin": "420100", "household_id": p.household,
                "health_code": "red", "temperature": "36.5",
            }),
        ),
        "POST   /gates/{id}/visitor-lookup" => Request::post(
            format!("/gates/{gate}/visitor-lookup"),
            json!({ "document_number": citizen_id(700 + u32::try_from(t).expect("small")) }),
        ),
        "GET    /gates/{id}/revocations" => Request::read(format!("/gates/{gate}/revocations")),
        "GET    /gates/{id}/traffic" => {
            let now = store::now_ms();
            Request::read(format!(
                "/gates/{gate}/traffic?from={}&to={}",
                now - 86_400_000,
                now + 60_000
            ))
        }
        "GET    /passages" => Request::list(
            format!("/passages?gate_id={gate}"),
            id_of("id", w.passages[t]),
        ),
        "GET    /passages/override-counts" => Request::read("/passages/override-counts"),
        "GET    /passes" => Request::list(
            format!("/passes?household_id={}", p.household),
            id_of("id", pass),
        ),
        "POST   /passes" => Request::post(
            "/passes",
            json!({
                "kind": "vehicle", "household_id": p.household,
                "plate": format!("陕C{:05}", unique % 100_000),
            }),
        ),
        "POST   /passes/batch" => {
            Request::post("/passes/batch", json!({ "building_id": p.building }))
        }
        "GET    /passes/{id}" => Request::read(format!("/passes/{pass}")),
        "GET    /passes/{id}/code" => Request::read(format!("/passes/{pass}/code")),
        "POST   /passes/{id}/reissue" => {
            Request::post_bare(format!("/passes/{}/reissue", w.reissued_cars[t]))
        }
        "POST   /passes/{id}/revoke" => Request::post(
            format!("/passes/{}/revoke", w.revoked_cars[t]),
            json!({ "reason": "lost" }),
        ),
        "POST   /passes/{id}/link" => Request::post_bare(format!("/passes/{pass}/link")),
        _ => return None,
    })
}
