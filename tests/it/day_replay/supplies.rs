//! The volunteer's work for the quarantined household: its delivery and its rubbish round.

use axum::http::StatusCode;
use serde_json::json;

use super::contract::Caller;
use super::{Day, Homes, NO_CONTENT, OK, id, items};

/// Gives the task or round at `path` to the volunteer, as staff.
async fn give_to_volunteer(staff: &mut Caller, path: &str, volunteer_id: i64) {
    staff
        .post(
            &format!("{path}/assign"),
            &json!({ "volunteer_id": volunteer_id }),
        )
        .await
        .expect(NO_CONTENT);
}

/// The household's delivery of its first day: made, given to the volunteer, asked, delivered and
/// confirmed on the phone.
pub(super) async fn deliver(day: &mut Day, homes: &Homes) {
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
    give_to_volunteer(staff, &path, volunteer_id).await;

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
    // A confirmation the household cannot give is refused naming the field the request sent.
    let refused = volunteer
        .post(&format!("{path}/confirm"), &json!({ "via": "by_pigeon" }))
        .await
        .expect(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["error"]["fields"][0]["field"], "via", "{refused}");
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
pub(super) async fn collect_rubbish(day: &mut Day, homes: &Homes) {
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
    give_to_volunteer(staff, &path, volunteer_id).await;

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
