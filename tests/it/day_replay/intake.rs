//! The intake of the day: returnees registered, screened by the grid worker's team and placed
//! under home quarantine.

use serde_json::{Value, json};

use super::{CREATED, Day, Homes, OK, id, items};
use crate::http::sorted_item_ids;
use crate::support::citizen_id;

/// Two returnees in 1号楼 1-101 and their neighbour in 1-102, who stayed in the city.
pub(super) async fn register(day: &mut Day) -> Homes {
    let staff = &mut day.staff;
    let mut household = async |room: &str| {
        let body = json!({ "building_id": day.f.building1_id, "unit": "1", "room": room, "phone": "13800138000" });
        id(&staff
            .post("/api/v1/households", &body)
            .await
            .expect(CREATED))
    };
    let returnees = household("101").await;
    let neighbour = household("102").await;
    let mut resident = async |household_id: i64, name: &str, n: u32, phone: &str| {
        let body = json!({
            "household_id": household_id, "name": name, "document_number": citizen_id(n),
            "phone": phone,
        });
        id(&staff.post("/api/v1/residents", &body).await.expect(CREATED))
    };
    let zhang = resident(returnees, "张伟", 1, "13800138001").await;
    let li = resident(returnees, "李娜", 2, "13800138002").await;
    let wang = resident(neighbour, "王芳", 3, "13800138003").await;

    let path = format!("/api/v1/residents?building_id={}", day.f.building1_id);
    let list = day.staff.get(&path).await.expect(OK);
    let mut ids: Vec<i64> = items(&list).iter().map(id).collect();
    ids.sort_unstable();
    assert_eq!(ids, [zhang, li, wang]);
    let detail = day
        .staff
        .get(&format!("/api/v1/residents/{zhang}"))
        .await
        .expect(OK);
    assert_eq!(detail["resident"]["name"], "张伟");
    assert_eq!(detail["resident"]["household_id"], returnees);
    Homes {
        returnees,
        neighbour,
        zhang,
        li,
        wang,
    }
}

/// A campaign for returnees from Hubei over grid 1, worked by the grid worker's team: a call
/// nobody answers and a visit at the returnees' door, a call answered next door.
pub(super) async fn screen(day: &mut Day, homes: &Homes) {
    let since = day
        .date
        .checked_sub(jiff::Span::new().days(14))
        .expect("a fortnight earlier");
    let body = json!({
        "community_id": day.f.community_id, "name": "Returnees from Hubei",
        "questions": [{ "region": "42", "since": since.to_string() }],
        "grid_ids": [day.f.grid1_id],
    });
    let staff = &mut day.staff;
    let campaign = id(&staff
        .post("/api/v1/screening-campaigns", &body)
        .await
        .expect(CREATED));
    let base = format!("/api/v1/screening-campaigns/{campaign}");
    let body = json!({ "name": "Grid 1", "members": [day.f.grid_worker.account_id] });
    let team = id(&staff
        .post(&format!("{base}/teams"), &body)
        .await
        .expect(CREATED));
    let moved = staff
        .post(&format!("{base}/assign"), &json!({ "by_grid": true }))
        .await
        .expect(OK);
    assert_eq!(moved["households"], 2, "both households of grid 1");
    let state = staff
        .post(&format!("{base}/state"), &json!({ "state": "open" }))
        .await
        .expect(OK);
    assert_eq!(state["state"], "open");

    let worker = &mut day.grid_worker;
    let mine = worker
        .get(&format!("{base}/households?mine=true"))
        .await
        .expect(OK);
    let listed = sorted_item_ids(&mine, "household_id");
    assert_eq!(listed, [homes.returnees, homes.neighbour]);
    assert!(items(&mine).iter().all(|h| h["team_id"] == team));

    let date = day.date;
    let returned = |resident: i64| {
        json!({ "resident_id": resident, "travel_status": "returned", "origin": "420106",
                "returned_on": date.to_string() })
    };
    let attempts = [
        (
            homes.returnees,
            "call",
            "no_answer",
            "09:00",
            json!([]),
            "open",
        ),
        (
            homes.neighbour,
            "call",
            "answered",
            "09:30",
            json!([{ "resident_id": homes.wang, "travel_status": "stayed_in_city" }]),
            "done",
        ),
        (
            homes.returnees,
            "visit",
            "met",
            "10:30",
            json!([returned(homes.zhang), returned(homes.li)]),
            "done",
        ),
    ];
    for (n, (household, method, outcome, at, answers, state)) in attempts.into_iter().enumerate() {
        let body = json!({
            "campaign_id": campaign, "household_id": household, "method": method,
            "outcome": outcome, "answers": answers, "at": format!("{date}T{at}"),
            "idempotency_key": format!("day-{n}"),
        });
        let r = worker
            .post("/api/v1/screening-attempts", &body)
            .await
            .expect(CREATED);
        assert_eq!(r["state"], state, "{method} {outcome}");
        assert_eq!(r["duplicate"], false);
        // A resend of the same attempt, as a phone on a bad line does, records nothing new.
        if n == 2 {
            let again = worker
                .post("/api/v1/screening-attempts", &body)
                .await
                .expect(OK);
            assert_eq!(again["duplicate"], true);
            assert_eq!(again["attempt_id"], r["attempt_id"]);
        }
    }
    let detail = worker
        .get(&format!("{base}/households/{}", homes.returnees))
        .await
        .expect(OK);
    let outcomes: Vec<&str> = detail["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .filter_map(|a| a["outcome"].as_str())
        .collect();
    assert_eq!(outcomes, ["met", "no_answer"], "newest first, once each");

    let progress = day.staff.get(&format!("{base}/progress")).await.expect(OK);
    let total = &progress["total"];
    assert_eq!(
        [
            &total["households"],
            &total["done"],
            &total["open"],
            &total["matched"]
        ],
        [2, 2, 0, 2],
        "{progress}"
    );
    let returnees = day
        .staff
        .get("/api/v1/residents?travel_status=returned")
        .await
        .expect(OK);
    let mut ids: Vec<i64> = items(&returnees).iter().map(id).collect();
    ids.sort_unstable();
    assert_eq!(ids, [homes.zhang, homes.li]);
    for r in items(&returnees) {
        assert_eq!(r["travel_origin"], "420106");
        assert_eq!(r["returned_on"], date.to_string());
    }
    let summary = day
        .staff
        .get(&format!(
            "/api/v1/communities/{}/summary",
            day.f.community_id
        ))
        .await
        .expect(OK);
    assert_eq!(summary["total"]["returned"], 2, "{summary}");
    assert_eq!(summary["total"]["stayed_in_city"], 1, "{summary}");
}

/// Both returnees under home quarantine from the day they came back, the door sealed.
pub(super) async fn quarantine(day: &mut Day, homes: &Homes) -> Vec<i64> {
    let body = json!({
        "household_id": homes.returnees, "reason": "returnee", "kind": "home",
        "start_date": day.date.to_string(), "doctor_id": day.f.doctor.account_id,
        "grid_worker_id": day.f.grid_worker.account_id, "door_sealed": true,
    });
    let created = day
        .staff
        .post("/api/v1/quarantine-orders", &body)
        .await
        .expect(CREATED);
    let orders: Vec<i64> = created["ids"]
        .as_array()
        .expect("ids")
        .iter()
        .filter_map(Value::as_i64)
        .collect();
    assert_eq!(orders.len(), 2, "one order for each member");

    let list = day
        .staff
        .get(&format!(
            "/api/v1/quarantine-orders?household_id={}",
            homes.returnees
        ))
        .await
        .expect(OK);
    let residents = sorted_item_ids(&list, "resident_id");
    assert_eq!(residents, [homes.zhang, homes.li]);
    for o in items(&list) {
        assert_eq!(o["state"], "active", "{o}");
        assert_eq!(o["start_date"], day.date.to_string());
        assert_eq!(o["door_sealed"], true);
        assert_eq!(o["doctor_id"], day.f.doctor.account_id);
    }
    let detail = day
        .grid_worker
        .get(&format!("/api/v1/quarantine-orders/{}", orders[0]))
        .await
        .expect(OK);
    assert!(
        detail["history"]
            .as_array()
            .expect("history")
            .iter()
            .any(|e| e["action"] == "quarantine_create"),
        "{detail}"
    );
    orders
}
