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
mod refusals;

use std::sync::Arc;

use axum::http::StatusCode;
use jiff::civil::Date;
use serde_json::{Value, json};

use crate::http::Client;
use crate::support::{Fixture, PASSWORD, TestDb, citizen_id, fixture};
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
    let db = TestDb::new().await;
    let f = fixture(&db.app).await;
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

    let homes = register(&mut day).await;
    screen(&mut day, &homes).await;
    let orders = quarantine(&mut day, &homes).await;
    check_twice(&mut day, &orders).await;
    fever(&mut day, orders[0], today).await;
    deliver(&mut day, &homes).await;
    collect_rubbish(&mut day, &homes).await;
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

/// Two returnees in 1号楼 1-101 and their neighbour in 1-102, who stayed in the city.
async fn register(day: &mut Day) -> Homes {
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
async fn screen(day: &mut Day, homes: &Homes) {
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
    let mut listed: Vec<i64> = items(&mine)
        .iter()
        .map(|h| h["household_id"].as_i64().expect("household id"))
        .collect();
    listed.sort_unstable();
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
async fn quarantine(day: &mut Day, homes: &Homes) -> Vec<i64> {
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
    let mut residents: Vec<i64> = items(&list)
        .iter()
        .map(|o| o["resident_id"].as_i64().expect("resident"))
        .collect();
    residents.sort_unstable();
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

/// The doctor's morning call and evening visit to each of the two, neither febrile.
async fn check_twice(day: &mut Day, orders: &[i64]) {
    let doctor = &mut day.doctor;
    let mine = doctor.get("/api/v1/worklist?mine=true").await.expect(OK);
    let mut on_list: Vec<i64> = mine["day"]
        .as_array()
        .expect("day")
        .iter()
        .filter_map(|d| d["order_id"].as_i64())
        .collect();
    on_list.sort_unstable();
    let mut expected = orders.to_vec();
    expected.sort_unstable();
    assert_eq!(on_list, expected, "the doctor's own residents");

    for &order in orders {
        let path = format!("/api/v1/quarantine-orders/{order}/checks");
        for (part, method, temperature) in [
            ("morning", "doctor_call", "36.5"),
            ("evening", "on_site", "36.8"),
        ] {
            let slot = format!("{}/{part}", day.date);
            let body = json!({ "temperature": temperature, "method": method, "slot": slot });
            let r = doctor.post(&path, &body).await.expect(CREATED);
            assert_eq!(r["slot"], slot);
            assert_eq!(r["febrile"], false);
            assert_eq!(r["fever_alert_id"], Value::Null);
        }
        let checks = doctor.get(&path).await.expect(OK);
        let mut slots: Vec<(String, f64)> = items(&checks)
            .iter()
            .map(|c| {
                assert_eq!(c["slot_date"], day.date.to_string());
                (
                    c["slot_part"].as_str().expect("part").to_owned(),
                    c["temperature"].as_f64().expect("temperature"),
                )
            })
            .collect();
        slots.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            slots,
            [("evening".to_owned(), 36.8), ("morning".to_owned(), 36.5)]
        );
    }
}

/// The resident reports a fever through their link; the doctor acknowledges and resolves it.
async fn fever(day: &mut Day, order: i64, today: Date) {
    let doctor = &mut day.doctor;
    let link = doctor
        .post_empty(&format!(
            "/api/v1/quarantine-orders/{order}/self-report-link"
        ))
        .await
        .expect(CREATED);
    let token = link["token"].as_str().expect("a token");
    assert_eq!(link["path"], format!("/r/{token}"));

    let body = json!({ "temperature": "38.3", "symptoms": ["cough"] });
    let report = day
        .anon
        .post(&format!("/api/v1/self-reports/{token}"), &body)
        .await
        .expect(CREATED);
    assert_eq!(report["febrile"], true);
    assert!(
        slot_date(&report["slot"]) >= today,
        "the slot of the moment: {report}"
    );
    let alert = report["fever_alert_id"].as_i64().expect("a fever alert");

    let open = doctor.get("/api/v1/alerts?mine=true").await.expect(OK);
    let listed = items(&open);
    assert_eq!(listed.len(), 1, "{open}");
    assert_eq!(listed[0]["id"], alert);
    assert_eq!(listed[0]["kind"], "fever");
    assert_eq!(listed[0]["state"], "open");
    assert_eq!(listed[0]["order_id"], order);
    assert_eq!(listed[0]["temperature"], 38.3);
    let heading = doctor.get("/api/v1/worklist?mine=true").await.expect(OK);
    assert_eq!(heading["open_fever"], 1);

    doctor
        .post_empty(&format!("/api/v1/alerts/{alert}/acknowledge"))
        .await
        .expect(NO_CONTENT);
    let acknowledged = doctor
        .get("/api/v1/alerts?state=acknowledged")
        .await
        .expect(OK);
    assert_eq!(items(&acknowledged)[0]["id"], alert);
    assert_eq!(
        items(&acknowledged)[0]["acknowledged_by"],
        day.f.doctor.account_id
    );

    let note = "called back: 37.1 after rest, fever clinic if it rises";
    doctor
        .post(
            &format!("/api/v1/alerts/{alert}/resolve"),
            &json!({ "note": note }),
        )
        .await
        .expect(NO_CONTENT);
    let resolved = doctor.get("/api/v1/alerts?state=resolved").await.expect(OK);
    let listed = items(&resolved);
    assert_eq!(listed.len(), 1, "{resolved}");
    assert_eq!(listed[0]["state"], "resolved");
    assert_eq!(listed[0]["resolution_note"], note);
    assert_eq!(listed[0]["resolved_by"], day.f.doctor.account_id);
    let open = doctor.get("/api/v1/alerts").await.expect(OK);
    assert!(items(&open).is_empty(), "nothing left open: {open}");
    let heading = doctor.get("/api/v1/worklist?mine=true").await.expect(OK);
    assert_eq!(heading["open_fever"], 0);

    let checks = doctor
        .get(&format!("/api/v1/quarantine-orders/{order}/checks"))
        .await
        .expect(OK);
    let reported: Vec<&Value> = items(&checks)
        .iter()
        .filter(|c| c["method"] == "self_report")
        .collect();
    assert_eq!(reported.len(), 1, "{checks}");
    assert_eq!(reported[0]["link_id"], link["id"]);
    assert_eq!(reported[0]["recorded_by"], Value::Null);
}

/// The household's delivery of its first day: made, given to the volunteer, asked, delivered and
/// confirmed on the phone.
async fn deliver(day: &mut Day, homes: &Homes) {
    let staff = &mut day.staff;
    let body = json!({ "date": day.date.to_string() });
    let generated = staff
        .post("/api/v1/delivery-tasks/generate", &body)
        .await
        .expect(OK);
    assert_eq!(generated["created"], 1, "{generated}");
    assert_eq!(generated["cancelled"], 0);
    let board = staff
        .get("/api/v1/delivery-tasks?state=all")
        .await
        .expect(OK);
    let tasks = items(&board);
    assert_eq!(tasks.len(), 1, "{board}");
    let task = id(&tasks[0]);
    assert_eq!(tasks[0]["household_id"], homes.returnees);
    assert_eq!(tasks[0]["due_date"], day.date.to_string());
    assert_eq!(tasks[0]["people"], 2);

    let volunteers = staff.get("/api/v1/task-volunteers").await.expect(OK);
    let volunteer_id = day.f.volunteer.account_id;
    assert!(
        volunteers
            .as_array()
            .expect("volunteers")
            .iter()
            .any(|v| v["id"] == volunteer_id),
        "{volunteers}"
    );
    let path = format!("/api/v1/delivery-tasks/{task}");
    staff
        .post(
            &format!("{path}/assign"),
            &json!({ "volunteer_id": volunteer_id }),
        )
        .await
        .expect(NO_CONTENT);

    let volunteer = &mut day.volunteer;
    let todo = volunteer
        .get("/api/v1/delivery-tasks?mine=todo")
        .await
        .expect(OK);
    assert_eq!(
        items(&todo).iter().map(id).collect::<Vec<_>>(),
        [task],
        "{todo}"
    );
    let needs = "rice, green vegetables, blood-pressure medicine";
    volunteer
        .post(&format!("{path}/ask"), &json!({ "needs": needs }))
        .await
        .expect(NO_CONTENT);
    volunteer
        .post_empty(&format!("{path}/deliver"))
        .await
        .expect(NO_CONTENT);
    volunteer
        .post(&format!("{path}/confirm"), &json!({ "via": "phone" }))
        .await
        .expect(NO_CONTENT);
    let detail = volunteer.get(&path).await.expect(OK);
    let done = &detail["task"];
    assert_eq!(done["state"], "confirmed", "{detail}");
    assert_eq!(done["needs"], needs);
    assert_eq!(done["confirmed_via"], "phone");
    assert_eq!(done["delivered_by"], volunteer_id);
    assert_eq!(done["volunteer_id"], volunteer_id);
}

/// The round of grid 1 on the household's first day: opened, given to the volunteer, the sealed
/// door visited and the round done.
async fn collect_rubbish(day: &mut Day, homes: &Homes) {
    let staff = &mut day.staff;
    let date = day.date.to_string();
    let opened = staff
        .post("/api/v1/rubbish-rounds/open", &json!({ "date": date }))
        .await
        .expect(OK);
    assert_eq!(
        (&opened["rounds"], &opened["stops"]),
        (&json!(1), &json!(1))
    );
    let rounds = staff
        .get(&format!("/api/v1/rubbish-rounds?date={date}"))
        .await
        .expect(OK);
    let listed = items(&rounds);
    assert_eq!(listed.len(), 1, "{rounds}");
    let round = id(&listed[0]);
    assert_eq!(listed[0]["grid_id"], day.f.grid1_id);
    assert_eq!(listed[0]["pending"], 1);
    let volunteer_id = day.f.volunteer.account_id;
    let path = format!("/api/v1/rubbish-rounds/{round}");
    staff
        .post(
            &format!("{path}/assign"),
            &json!({ "volunteer_id": volunteer_id }),
        )
        .await
        .expect(NO_CONTENT);

    let volunteer = &mut day.volunteer;
    let mine = volunteer
        .get(&format!("/api/v1/rubbish-rounds?date={date}"))
        .await
        .expect(OK);
    assert_eq!(items(&mine).iter().map(id).collect::<Vec<_>>(), [round]);
    let detail = volunteer.get(&path).await.expect(OK);
    let stops = detail["stops"].as_array().expect("stops");
    assert_eq!(stops.len(), 1, "{detail}");
    assert_eq!(stops[0]["household_id"], homes.returnees);
    assert_eq!(stops[0]["state"], "pending");
    let stop = id(&stops[0]);
    let visited = volunteer
        .post(
            &format!("{path}/stops/{stop}"),
            &json!({ "outcome": "collected" }),
        )
        .await
        .expect(OK);
    assert_eq!(visited["state"], "collected");
    assert_eq!(visited["visited_by"], volunteer_id);
    volunteer
        .post_empty(&format!("{path}/done"))
        .await
        .expect(NO_CONTENT);
    let detail = volunteer.get(&path).await.expect(OK);
    assert_eq!(detail["round"]["state"], "done", "{detail}");
    assert_eq!(detail["round"]["pending"], 0);
    assert_eq!(detail["round"]["done_by"], volunteer_id);
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
