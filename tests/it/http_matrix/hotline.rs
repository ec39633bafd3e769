//! The hotline and complaints part of the capability table: in each of the four places a staff
//! member of its community on duty, a call about the place's resident with a follow-up, a shift
//! to end and a complaint; the fixture's staff on duty at Minsheng Road; and the request each
//! hotline and complaint route makes.

use app::complaints::ComplaintInput;
use app::hotline::CallInput;
use app::{Actor, App};
use axum::http::Method;
use domain::access::{Jurisdiction, Level, Role};
use serde_json::json;

use super::Place;
use super::calls::{Request, id_of};
use super::world::lead;
use crate::support::{Fixture, account};

/// The hotline and complaint objects of each place.
pub(super) struct HotlineWorld {
    calls: [i64; 4],
    follow_ups: [i64; 4],
    shifts: [i64; 4],
    complaints: [i64; 4],
    /// A staff member of the place's community, whom the shift and assign requests name.
    staff: [i64; 4],
}

fn complaint(building: i64) -> ComplaintInput {
    ComplaintInput {
        category: "supplies".to_owned(),
        what: "菜坏了".to_owned(),
        place: "门口".to_owned(),
        building_id: Some(building),
        building: String::new(),
        contact: "13812345678".to_owned(),
    }
}

pub(super) async fn hotline_world(app: &App, f: &Fixture, places: &[Place; 4]) -> HotlineWorld {
    let lead = lead(f, Role::CommunityStaff);
    let now = store::now_ms();
    let mut w = HotlineWorld {
        calls: [0; 4],
        follow_ups: [0; 4],
        shifts: [0; 4],
        complaints: [0; 4],
        staff: [0; 4],
    };
    for (i, p) in places.iter().enumerate() {
        let staff: Actor = if p.community == f.community_id {
            f.staff.clone()
        } else {
            account(
                app,
                &format!("matrixhotline{i}"),
                Role::CommunityStaff,
                Jurisdiction::new(Level::Community, p.community),
            )
            .await
        };
        if app.my_hotline_duty(&staff).await.expect("duty").is_none() {
            app.add_hotline_shift(
                &lead,
                p.community,
                staff.account_id,
                now - 60_000,
                now + 8 * 3_600_000,
            )
            .await
            .expect("on duty");
        }
        w.shifts[i] = app
            .add_hotline_shift(
                &lead,
                p.community,
                staff.account_id,
                now + 3_600_000,
                now + 7_200_000,
            )
            .await
            .expect("a shift to end");
        let logged = app
            .log_call(
                &staff,
                &CallInput {
                    caller_name: "张".to_owned(),
                    caller_number: "13912345678".to_owned(),
                    resident_id: Some(p.resident),
                    topic: "consultation".to_owned(),
                    said: "问通行证".to_owned(),
                    follow_up: true,
                    owner_id: Some(staff.account_id),
                    ..CallInput::default()
                },
            )
            .await
            .expect("a call");
        w.calls[i] = logged.call_id;
        w.follow_ups[i] = logged.follow_up_id.expect("a follow-up");
        w.complaints[i] = app
            .file_public_complaint(
                p.community,
                &complaint(p.building),
                &format!("matrix-{i}"),
                jiff::Timestamp::now(),
            )
            .await
            .expect("a complaint")
            .id;
        w.staff[i] = staff.account_id;
    }
    w
}

/// A complaint of the place answered by staff, whose link a resident rates.
async fn replied_link(app: &App, f: &Fixture, w: &HotlineWorld, p: &Place, t: usize) -> String {
    static FILED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = FILED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let lead = lead(f, Role::CommunityStaff);
    // Each from a client of its own: the table files more than one client may in an hour.
    let filed = app
        .file_public_complaint(
            p.community,
            &complaint(p.building),
            &format!("matrix-rating-{n}"),
            jiff::Timestamp::now(),
        )
        .await
        .expect("a complaint");
    app.assign_complaint(&lead, filed.id, w.staff[t])
        .await
        .expect("assigned");
    app.reply_complaint(&lead, filed.id, "已处理")
        .await
        .expect("replied");
    filed.token
}

pub(super) async fn request(
    app: &App,
    f: &Fixture,
    route: &str,
    w: &HotlineWorld,
    p: &Place,
    t: usize,
) -> Option<Request> {
    let now = store::now_ms();
    Some(match route {
        "GET    /hotline/shifts" => Request::list("/hotline/shifts", id_of("id", w.shifts[t])),
        "POST   /communities/{id}/hotline-shifts" => Request::post(
            format!("/communities/{}/hotline-shifts", p.community),
            json!({ "account_id": w.staff[t], "starts_at": now + 86_400_000, "ends_at": now + 90_000_000 }),
        ),
        "DELETE /hotline-shifts/{id}" => {
            Request::bare(Method::DELETE, format!("/hotline-shifts/{}", w.shifts[t]))
        }
        "POST   /hotline/calls" => Request::post(
            "/hotline/calls",
            json!({ "resident_id": p.resident, "topic": "consultation", "said": "问核酸检测点" }),
        ),
        "GET    /hotline/calls" => {
            Request::list("/hotline/calls?limit=500", id_of("id", w.calls[t]))
        }
        "GET    /hotline/calls/{id}" => Request::read(format!("/hotline/calls/{}", w.calls[t])),
        "GET    /hotline/calls-per-hour" => Request::read("/hotline/calls-per-hour?days=1"),
        "GET    /hotline/callers" => Request::list(
            format!(
                "/hotline/callers?q={}",
                p.name
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect::<String>()
            ),
            format!("\"resident_id\":{}", p.resident),
        ),
        "GET    /me/follow-ups" => Request::read("/me/follow-ups"),
        "POST   /follow-ups/{id}/call-back" => {
            Request::post_bare(format!("/follow-ups/{}/call-back", w.follow_ups[t]))
        }
        "POST   /follow-ups/{id}/done" => Request::post(
            format!("/follow-ups/{}/done", w.follow_ups[t]),
            json!({ "note": "matrix" }),
        ),
        "GET    /complaints" => Request::list(
            "/complaints?view=open&limit=500",
            id_of("id", w.complaints[t]),
        ),
        "GET    /complaints/figures" => Request::read("/complaints/figures"),
        "GET    /complaints/{id}" => Request::read(format!("/complaints/{}", w.complaints[t])),
        "POST   /complaints/{id}/assign" => Request::post(
            format!("/complaints/{}/assign", w.complaints[t]),
            json!({ "owner_id": w.staff[t] }),
        ),
        "POST   /complaints/{id}/contact" => {
            Request::post_bare(format!("/complaints/{}/contact", w.complaints[t]))
        }
        "POST   /complaints/{id}/reply" => Request::post(
            format!("/complaints/{}/reply", w.complaints[t]),
            json!({ "body": "matrix" }),
        ),
        "POST   /complaints/{id}/close" => Request::post(
            format!("/complaints/{}/close", w.complaints[t]),
            json!({ "reason": "matrix" }),
        ),
        "POST   /communities/{id}/complaints" => Request::post(
            format!("/communities/{}/complaints", p.community),
            json!({ "category": "other", "what": "路灯坏了", "place": "东门" }),
        ),
        "GET    /complaint-links/{token}" => {
            let token = replied_link(app, f, w, p, t).await;
            Request::read(format!("/complaint-links/{token}"))
        }
        "POST   /complaint-links/{token}/rating" => {
            let token = replied_link(app, f, w, p, t).await;
            Request::post(
                format!("/complaint-links/{token}/rating"),
                json!({ "satisfaction": "satisfied" }),
            )
        }
        _ => return None,
    })
}
