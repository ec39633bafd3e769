//! The API means what it says: a `PATCH` changes only the fields it carries, a create stores
//! what it accepts, the job runner is audited as the system, and a home order placed late in
//! the day still gets its delivery of the day.

use app::quarantine::OrderInput;
use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::http::Client;
use crate::support::{
    TestDb, audit_object, audit_trail, board_in_state, citizen_id, home_order, household,
    raw_resident, zhang_san,
};

#[tokio::test]
async fn a_patch_of_an_order_changes_only_the_fields_it_carries() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (_, r) = zhang_san(app, &f).await;
    let mut c = Client::new(server::router(app.clone()));
    let mut staff = c.bearer_for("staff").await;

    // A create stores what it accepts: the door sealed and the camera from the start.
    let res = staff
        .post_json(
            "/api/v1/quarantine-orders",
            &json!({
                "resident_id": r, "reason": "returnee", "kind": "home",
                "doctor_id": f.doctor.account_id, "grid_worker_id": f.grid_worker.account_id,
                "door_sealed": true, "camera_installed": true,
            }),
        )
        .await;
    res.assert_status(StatusCode::CREATED);
    let id = res.json()["ids"][0].as_i64().expect("id");
    let path = format!("/api/v1/quarantine-orders/{id}");
    let order = staff.get(&path).await.json()["order"].clone();
    assert_eq!(order["door_sealed"], true);
    assert!(order["door_sealed_at"].is_i64(), "{order}");
    assert_eq!(order["camera_installed"], true);

    // Only the door and the camera: the responsible people stay.
    let res = staff
        .json(
            Method::PATCH,
            &path,
            &json!({ "door_sealed": false, "camera_installed": false }),
        )
        .await;
    res.assert_status(StatusCode::NO_CONTENT);
    let order = staff.get(&path).await.json()["order"].clone();
    assert_eq!(order["door_sealed"], false);
    assert_eq!(order["door_sealed_at"], json!(null));
    assert_eq!(order["camera_installed"], false);
    assert_eq!(order["doctor_id"], f.doctor.account_id);
    assert_eq!(order["grid_worker_id"], f.grid_worker.account_id);

    // Only the doctor, cleared with an explicit null: the rest stays.
    let res = staff
        .json(Method::PATCH, &path, &json!({ "doctor_id": null }))
        .await;
    res.assert_status(StatusCode::NO_CONTENT);
    let order = staff.get(&path).await.json()["order"].clone();
    assert_eq!(order["doctor_id"], json!(null));
    assert_eq!(order["grid_worker_id"], f.grid_worker.account_id);
    assert_eq!(order["door_sealed"], false);

    // An empty body changes nothing; a wrong person is still refused.
    let res = staff.json(Method::PATCH, &path, &json!({})).await;
    res.assert_status(StatusCode::NO_CONTENT);
    let res = staff
        .json(
            Method::PATCH,
            &path,
            &json!({ "doctor_id": f.grid_worker.account_id }),
        )
        .await;
    res.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let order = staff.get(&path).await.json()["order"].clone();
    assert_eq!(order["grid_worker_id"], f.grid_worker.account_id);
}

#[tokio::test]
async fn a_patch_of_a_household_changes_only_the_fields_it_carries() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (h, r) = zhang_san(app, &f).await;
    app.update_household(&f.staff, h, "13800138000", None)
        .await
        .expect("phone");
    let mut c = Client::new(server::router(app.clone()));
    let mut staff = c.bearer_for("staff").await;
    let path = format!("/api/v1/households/{h}");

    let res = staff
        .json(Method::PATCH, &path, &json!({ "head_resident_id": r }))
        .await;
    res.assert_status(StatusCode::NO_CONTENT);
    let hh = staff.get(&path).await.json()["household"].clone();
    assert_eq!(hh["head_resident_id"], r);
    assert_eq!(hh["phone"], "138****8000", "the phone stays");

    let res = staff
        .json(Method::PATCH, &path, &json!({ "phone": null }))
        .await;
    res.assert_status(StatusCode::NO_CONTENT);
    let hh = staff.get(&path).await.json()["household"].clone();
    assert_eq!(hh["phone"], json!(null));
    assert_eq!(hh["head_resident_id"], r, "the head stays");
}

#[tokio::test]
async fn the_job_runner_is_audited_as_the_system() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (_, r) = zhang_san(app, &f).await;
    let tomorrow = app.today().tomorrow().expect("a tomorrow");
    let id = app
        .create_quarantine(
            &f.staff,
            r,
            &OrderInput {
                start_date: tomorrow.to_string(),
                ..home_order()
            },
        )
        .await
        .expect("planned order");
    let noon = tomorrow
        .to_datetime(jiff::civil::Time::constant(12, 0, 0, 0))
        .to_zoned_datetime(app.settings.time_zone.clone())
        .expect("local time")
        .timestamp();
    app.run_due_jobs(noon).await.expect("jobs");
    let entries = audit_trail(app, &f.auditor, audit_object("quarantine_order", id)).await;
    let start = entries
        .iter()
        .find(|e| e.action == "quarantine_transition")
        .expect("the job started the order");
    assert_eq!(start.role, app::audit::SYSTEM_ROLE);
    assert_eq!(start.account_name, "system");
    let create = entries
        .iter()
        .find(|e| e.action == "quarantine_create")
        .expect("created");
    assert_eq!(create.role, "community_staff");

    // The audit page names the role in the reader's language.
    let mut c = Client::signed_in(server::router(app.clone()), "auditor").await;
    let page = c.get("/audit?object_type=quarantine_order").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(
        text.contains(r#"<span class="muted">系统</span>"#),
        "{text}"
    );
}

#[tokio::test]
async fn a_home_order_placed_after_the_hours_delivery_run_gets_its_delivery_of_the_day() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (h, r) = zhang_san(app, &f).await;
    // The runs of this hour, the last of the day or any other, have happened.
    let runs = app
        .run_due_jobs(jiff::Timestamp::now())
        .await
        .expect("jobs");
    assert!(runs.iter().any(|r| r.job == "delivery_tasks"));
    app.create_quarantine(&f.staff, r, &home_order())
        .await
        .expect("order");
    let board = board_in_state(app, &f.staff, "all").await;
    let dues: Vec<(i64, String)> = board
        .items
        .iter()
        .map(|d| (d.address.household_id, d.due_date.clone()))
        .collect();
    assert_eq!(dues, vec![(h, app.today().to_string())]);
    // The next run of the same day makes no second one.
    let later = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_mins(61))
        .expect("later");
    app.run_due_jobs(later).await.expect("jobs");
    let board = board_in_state(app, &f.staff, "all").await;
    assert!(board.items.len() <= 2, "at most the next day's besides");
    assert_eq!(
        board
            .items
            .iter()
            .filter(|d| d.due_date == app.today().to_string())
            .count(),
        1
    );
}

#[tokio::test]
async fn staff_look_up_the_people_they_may_assign_by_name() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let mut c = Client::new(server::router(app.clone()));
    let mut worker = c.bearer_for("gridworker").await;
    let ids = |res: &crate::http::Res| -> Vec<i64> {
        res.json()["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|a| a["id"].as_i64())
            .collect()
    };

    let b = f.building1_id;
    let res = worker
        .get(&format!("/api/v1/assignees?role=doctor&building_id={b}"))
        .await;
    res.assert_status(StatusCode::OK);
    assert_eq!(ids(&res), vec![f.doctor.account_id]);
    assert_eq!(res.json()["items"][0]["display_name"], "Test doctor");

    let res = worker
        .get(&format!(
            "/api/v1/assignees?role=grid_worker&building_id={b}&q=grid"
        ))
        .await;
    assert_eq!(ids(&res), vec![f.grid_worker.account_id]);
    let res = worker
        .get(&format!(
            "/api/v1/assignees?role=volunteer&building_id={b}&q=%E7%8E%8B"
        ))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(ids(&res).is_empty(), "no volunteer named 王");
    let res = worker
        .get(&format!(
            "/api/v1/assignees?role=volunteer&building_id={b}&limit=1"
        ))
        .await;
    assert_eq!(ids(&res), vec![f.volunteer.account_id]);

    // Not a role one assigns; a building outside the grid; a role that assigns nobody.
    let res = worker
        .get(&format!("/api/v1/assignees?role=admin&building_id={b}"))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let b3 = f.building3_id;
    let res = worker
        .get(&format!("/api/v1/assignees?role=doctor&building_id={b3}"))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let token = c.token("guard").await;
    let res = c
        .bearer(&token)
        .get(&format!("/api/v1/assignees?role=doctor&building_id={b}"))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_travel_origin_is_stored_as_its_code_and_old_forms_are_migrated() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;
    let returned = |name: &str, n: u32, origin: &str| {
        let mut r = raw_resident(name, &citizen_id(n), "");
        r.travel_status = "returned".to_owned();
        r.travel_origin = origin.to_owned();
        r.returned_on = "2020-01-20".to_owned();
        r
    };
    // The registry stores the 6-digit code whether a prefix or the full code is given.
    let a = app
        .create_resident(&f.staff, h, &returned("张三", 1, "4201"))
        .await
        .expect("resident");
    let b = app
        .create_resident(&f.staff, h, &returned("李四", 2, "420106"))
        .await
        .expect("resident");
    let origin = async |id: i64| {
        app.resident(&f.staff, id)
            .await
            .expect("r")
            .0
            .particulars
            .travel_origin
    };
    assert_eq!(origin(a).await.as_deref(), Some("420100"));
    assert_eq!(origin(b).await.as_deref(), Some("420106"));
    assert_eq!(
        app::registry::origin_label(Some("420100")),
        "420100 湖北省 武汉市"
    );
    assert_eq!(
        app::registry::origin_label(Some("420106")),
        "420106 湖北省 武汉市 武昌区"
    );
    assert_eq!(app::registry::origin_label(Some("武汉")), "武汉");

    // Values written before, in the old forms, become the code.
    let mut tx = app.db.write().await.expect("tx");
    for (id, old) in [(a, "4201 湖北省"), (b, "420106 武昌区")] {
        sqlx::query("UPDATE residents SET travel_origin = $1 WHERE id = $2")
            .bind(old)
            .bind(id)
            .execute(&mut *tx.conn())
            .await
            .expect("old form");
    }
    sqlx::query("DELETE FROM schema_migrations WHERE version = 11")
        .execute(&mut *tx.conn())
        .await
        .expect("forget 0011");
    tx.commit().await.expect("commit");
    app.db.migrate().await.expect("migrate");
    assert_eq!(origin(a).await.as_deref(), Some("420100"));
    assert_eq!(origin(b).await.as_deref(), Some("420106"));
}

#[tokio::test]
async fn the_resident_page_names_the_region_of_a_travel_origin() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;
    let mut r = raw_resident("张三", &citizen_id(1), "");
    r.travel_status = "returned".to_owned();
    r.travel_origin = "420100".to_owned();
    r.returned_on = "2020-01-20".to_owned();
    let id = app
        .create_resident(&f.staff, h, &r)
        .await
        .expect("resident");
    let mut c = Client::signed_in(server::router(app.clone()), "staff").await;
    let page = c.get(&format!("/residents/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("湖北省 武汉市"), "{}", page.text());
    assert!(!page.text().contains("420100"), "named, never by its code");
}
