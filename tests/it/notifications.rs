//! The notification centre: who is told of each cause (an alert, a task, a follow-up, a
//! complaint, a suspected case), that each reads and marks only their own, the unread counts,
//! and the notifications that leave the app through the message sender.

use std::sync::Arc;

use app::cases::CaseInput;
use app::checks::{CheckInput, SelfReportInput};
use app::complaints::ComplaintInput;
use app::outbound::LogSender;
use app::{Actor, App};
use domain::access::{Jurisdiction, Level, Role};
use domain::notifications::Kind;
use domain::page::PageRequest;
use jiff::Timestamp;
use jiff::civil::Date;

use crate::support::{
    TestDb, account, assert_not_found, household, resident, resident_in_quarantine,
};

/// The community's local `date` at `h:m`, as an instant.
fn at(app: &App, date: Date, h: i8, m: i8) -> Timestamp {
    date.at(h, m, 0, 0)
        .to_zoned_datetime(app.settings.time_zone.clone())
        .expect("a local time")
        .timestamp()
}

fn check(temperature: &str) -> CheckInput {
    CheckInput {
        temperature: temperature.to_owned(),
        method: "doctor_call".to_owned(),
        ..Default::default()
    }
}

/// The kinds and subjects of `actor`'s notifications, newest first.
async fn told(app: &App, actor: &Actor) -> Vec<(Kind, i64)> {
    app.my_notifications(actor, false, PageRequest::first())
        .await
        .expect("notifications")
        .items
        .into_iter()
        .map(|n| (n.n.kind, n.n.subject_id))
        .collect()
}

async fn unread(app: &App, actor: &Actor) -> i64 {
    app.unread_notifications(actor).await.expect("unread")
}

#[tokio::test]
async fn a_fever_tells_the_doctor_and_the_grid_worker_but_not_who_recorded_it() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (_, id) = resident_in_quarantine(app, &f, 1, "").await;
    let today = app.today();

    // The doctor records a fever: the grid worker is told, the doctor is not told of their
    // own record.
    let r = app
        .record_check_at(&f.doctor, id, &check("38.2"), at(app, today, 8, 0))
        .await
        .expect("fever");
    let alert = r.fever_alert_id.expect("an alert");
    assert_eq!(told(app, &f.grid_worker).await, [(Kind::FeverAlert, alert)]);
    assert!(told(app, &f.doctor).await.is_empty());
    for nobody in [&f.staff, &f.volunteer, &f.cdc, &f.official] {
        assert!(told(app, nobody).await.is_empty(), "{}", nobody.username);
    }
    let names: Vec<String> = app
        .told_of_alert(&f.doctor, alert)
        .await
        .expect("told")
        .into_iter()
        .map(|p| p.role)
        .collect();
    assert_eq!(names, ["grid_worker"]);

    // A normal check tells nobody.
    app.record_check_at(&f.doctor, id, &check("36.5"), at(app, today, 18, 0))
        .await
        .expect("normal");
    assert_eq!(unread(app, &f.grid_worker).await, 1);

    // The resident's own fever, through the link, tells both.
    let link = app
        .create_self_report_link(&f.staff, id)
        .await
        .expect("link");
    let tomorrow = today.tomorrow().expect("tomorrow");
    let reported = app
        .submit_self_report(
            &link.token,
            &SelfReportInput {
                temperature: "38.5".to_owned(),
                ..Default::default()
            },
            "10.0.0.9",
            at(app, tomorrow, 8, 0),
        )
        .await
        .expect("self-report");
    let second = reported.fever_alert_id.expect("an alert");
    assert_eq!(told(app, &f.doctor).await, [(Kind::FeverAlert, second)]);
    assert_eq!(
        told(app, &f.grid_worker).await,
        [(Kind::FeverAlert, second), (Kind::FeverAlert, alert)]
    );
    assert_eq!(unread(app, &f.grid_worker).await, 2);
    let mut roles: Vec<String> = app
        .told_of_alert(&f.staff, second)
        .await
        .expect("told")
        .into_iter()
        .map(|p| p.role)
        .collect();
    roles.sort();
    assert_eq!(roles, ["doctor", "grid_worker"]);

    // The notification's text names the resident masked and the home, and opens the order.
    let mine = app
        .my_notifications(&f.grid_worker, true, PageRequest::first())
        .await
        .expect("unread");
    let n = &mine.items[0];
    assert_eq!(n.params.get("name"), Some("张**"));
    assert!(n.params.get("place").unwrap_or("").starts_with("1号楼"));
    assert_eq!(n.link, format!("/quarantine/{id}/checks#alert-{second}"));

    // Each reads and marks only their own: the doctor cannot open the grid worker's.
    assert_not_found(app.open_notification(&f.doctor, n.n.id).await);
    assert_eq!(unread(app, &f.grid_worker).await, 2);
    let opened = app
        .open_notification(&f.grid_worker, n.n.id)
        .await
        .expect("open");
    assert_eq!(opened.link, n.link);
    assert_eq!(unread(app, &f.grid_worker).await, 1);
    assert_eq!(unread(app, &f.doctor).await, 1);
    assert_eq!(
        app.mark_all_notifications_read(&f.grid_worker)
            .await
            .expect("all read"),
        1
    );
    assert_eq!(unread(app, &f.grid_worker).await, 0);
    assert_eq!(unread(app, &f.doctor).await, 1, "the doctor's stay unread");
    assert_eq!(
        told(app, &f.grid_worker).await.len(),
        2,
        "read ones stay listed"
    );
}

#[tokio::test]
async fn a_missed_check_tells_the_doctor_and_the_grid_worker() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let day = app.today().tomorrow().expect("tomorrow");
    let (_, id) = resident_in_quarantine(app, &f, 1, &day.to_string()).await;
    app.run_due_jobs(at(app, day, 0, 1)).await.expect("start");
    app.run_due_jobs(at(app, day, 10, 0))
        .await
        .expect("missed checks");
    let doctor = told(app, &f.doctor).await;
    assert_eq!(doctor.len(), 1, "{doctor:?}");
    assert_eq!(doctor[0].0, Kind::MissedCheckAlert);
    assert_eq!(told(app, &f.grid_worker).await, doctor);
    let alert = app.alert(&f.doctor, doctor[0].1).await.expect("alert");
    assert_eq!(alert.order_id, id);
    assert!(told(app, &f.staff).await.is_empty());
}

#[tokio::test]
async fn a_task_a_complaint_and_a_suspected_case_tell_the_people_they_are_given_to() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let community = Jurisdiction::new(Level::Community, f.community_id);
    let other = account(app, "vol_b", Role::Volunteer, community).await;

    // A delivery given to another volunteer tells that volunteer, once.
    resident_in_quarantine(app, &f, 1, "").await;
    app.generate_delivery_tasks(&Actor::system(), app.today())
        .await
        .expect("generate");
    let board = app
        .delivery_board(&f.staff, &Default::default(), PageRequest::first())
        .await
        .expect("board");
    let task = board.items[0].id;
    app.assign_delivery(&f.staff, task, Some(other.account_id))
        .await
        .expect("assign");
    assert_eq!(told(app, &other).await, [(Kind::DeliveryAssigned, task)]);
    app.assign_delivery(&f.staff, task, Some(other.account_id))
        .await
        .expect("same volunteer again");
    assert_eq!(told(app, &other).await.len(), 1, "nothing new to tell");

    // A complaint given to the grid worker tells the grid worker.
    let filed = app
        .file_public_complaint(
            f.community_id,
            &ComplaintInput {
                category: "supplies".to_owned(),
                what: "送来的菜坏了".to_owned(),
                place: "1号楼门口".to_owned(),
                building_id: Some(f.building1_id),
                building: String::new(),
                contact: String::new(),
            },
            "10.0.0.1",
            Timestamp::now(),
        )
        .await
        .expect("filed");
    app.assign_complaint(&f.staff, filed.id, f.grid_worker.account_id)
        .await
        .expect("assign");
    assert_eq!(
        told(app, &f.grid_worker).await,
        [(Kind::ComplaintAssigned, filed.id)]
    );

    // A suspected case tells the community's staff and the district's CDC liaison, not the
    // doctor who recorded it nor anyone of another community.
    let other_staff = account(
        app,
        "staff_other",
        Role::CommunityStaff,
        Jurisdiction::new(Level::Community, f.other_community_id),
    )
    .await;
    let h = household(app, &f.staff, f.building1_id, "2", "201").await;
    let person = resident(app, &f, h, "王五", 50).await;
    let case = app
        .record_case(
            &f.doctor,
            &CaseInput {
                resident_id: Some(person),
                source: "fever_alert".to_owned(),
                ..Default::default()
            },
        )
        .await
        .expect("case");
    assert_eq!(told(app, &f.staff).await, [(Kind::CaseSuspected, case)]);
    assert_eq!(told(app, &f.cdc).await, [(Kind::CaseSuspected, case)]);
    assert!(told(app, &f.doctor).await.is_empty());
    assert!(told(app, &other_staff).await.is_empty());
    let n = &app
        .my_notifications(&f.cdc, false, PageRequest::first())
        .await
        .expect("cdc")
        .items[0];
    assert_eq!(n.params.get("name"), Some("王*"));
    assert_eq!(n.link, format!("/cases/{case}"));
}

#[tokio::test]
async fn alerts_leave_the_app_to_a_recipient_with_a_phone_when_configured() {
    let (t, f) = TestDb::with_fixture().await;
    let log = Arc::new(LogSender::default());
    let mut app = t.app.clone().with_sender(log.clone());
    let (_, id) = resident_in_quarantine(&app, &f, 1, "").await;
    let today = app.today();

    // Off by default: nothing is queued.
    app.record_check_at(&f.doctor, id, &check("38.2"), at(&app, today, 8, 0))
        .await
        .expect("fever");
    assert_eq!(app.send_outbound().await.expect("send"), Default::default());

    // On: the grid worker with a phone gets a message, the doctor without one does not.
    app.settings.notify_outbound = true;
    app.set_account_phone(&f.admin, f.grid_worker.account_id, "13800138000")
        .await
        .expect("phone");
    let link = app
        .create_self_report_link(&f.staff, id)
        .await
        .expect("link");
    app.submit_self_report(
        &link.token,
        &SelfReportInput {
            temperature: "38.6".to_owned(),
            ..Default::default()
        },
        "10.0.0.9",
        at(&app, today, 18, 0),
    )
    .await
    .expect("self-report");
    let sent = app.send_outbound().await.expect("send");
    assert_eq!((sent.sent, sent.no_phone, sent.failed), (1, 1, 0));
    let message = log
        .last_to("13800138000")
        .expect("a message to the grid worker");
    assert_eq!(message.template, "notify_fever_alert");
    assert_eq!(message.params[0], "张**");
    assert!(
        message
            .params
            .iter()
            .all(|p| !p.chars().all(|c| c.is_ascii_digit())),
        "no internal ids leave the app: {:?}",
        message.params
    );
    // Sent once: the next pass finds nothing.
    assert_eq!(app.send_outbound().await.expect("send"), Default::default());
}
