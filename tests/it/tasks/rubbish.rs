//! Rubbish rounds: sealed doors in address order, one round per grid and day, the 17:00 rule,
//! and the jobs that create the day's deliveries and open the rounds.

use app::ErrorCode;
use app::quarantine::DetailsInput;
use app::tasks::MyList;
use app::tasks::rubbish::{Opened, RoundQuery};
use app::{Actor, App};
use domain::access::{Jurisdiction, Level};
use domain::page::PageRequest;
use jiff::civil::Date;

use super::{audit_actions, days_ago, home, volunteer};
use crate::support::{
    Fixture, TestDb, assert_conflict, assert_field_error, assert_forbidden, assert_not_found,
    first_page, returnee_order,
};

pub(super) async fn seal(app: &App, f: &Fixture, order_id: i64) {
    app.update_quarantine(
        &f.staff,
        order_id,
        &DetailsInput {
            door_sealed: Some(true),
            ..Default::default()
        },
    )
    .await
    .expect("seal the door");
}

/// 张三 in room 101 of building 1, under a home order from today with the door sealed: one door
/// of today's round. Returns the order.
pub(super) async fn sealed_door_today(app: &App, f: &Fixture) -> i64 {
    let (_, m) = home(app, f, f.building1_id, "1", "101", &["张三"], 1).await;
    let id = app
        .create_quarantine(&f.staff, m[0], &returnee_order("home", app.today()))
        .await
        .expect("order");
    seal(app, f, id).await;
    id
}

/// Opens the rounds of `date` in every jurisdiction, as the evening job does, in a write of
/// its own.
async fn open_rounds_everywhere(app: &App, date: Date) -> Opened {
    let mut tx = app.db.write().await.expect("tx");
    let opened = app
        .open_rubbish_round_in(&mut tx, &Actor::system(), &Jurisdiction::ALL, date)
        .await
        .expect("open the rounds");
    tx.commit().await.expect("commit");
    opened
}

#[tokio::test]
async fn the_rubbish_round_visits_sealed_doors_in_address_order() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let today = app.today();
    let yesterday = days_ago(app, 1);
    let mut sealed = Vec::new();
    // Grid 1: three sealed households created out of order, one unsealed.
    for (building, unit, room, name, n) in [
        (f.building2_id, "1", "101", "甲", 1),
        (f.building1_id, "2", "1101", "乙", 2),
        (f.building1_id, "2", "302", "丙", 3),
        (f.building1_id, "1", "902", "丁", 4),
    ] {
        let (_, m) = home(app, &f, building, unit, room, &[name], n).await;
        let id = app
            .create_quarantine(&f.staff, m[0], &returnee_order("home", yesterday))
            .await
            .expect("order");
        sealed.push(id);
    }
    for id in &sealed[..3] {
        seal(app, &f, *id).await;
    }
    // A household of two with both members sealed is one door.
    let (_, two) = home(app, &f, f.building3_id, "1", "301", &["戊", "己"], 10).await;
    for m in &two {
        let id = app
            .create_quarantine(&f.staff, *m, &returnee_order("home", yesterday))
            .await
            .expect("order");
        seal(app, &f, id).await;
    }

    let opened = open_rounds_everywhere(app, yesterday).await;
    assert_eq!(opened.rounds, 2, "one round per grid");
    assert_eq!(opened.stops, 4);
    let again = app
        .open_rubbish_rounds(&f.staff, yesterday)
        .await
        .expect("open again");
    assert_eq!(again, app::tasks::rubbish::Opened::default(), "idempotent");
    let tomorrow = today.saturating_add(jiff::Span::new().days(1));
    assert_conflict(
        app.open_rubbish_rounds(&f.staff, tomorrow).await,
        ErrorCode::RoundNotYetOpen,
    );
    assert_forbidden(app.open_rubbish_rounds(&f.volunteer, yesterday).await);

    let rounds = app
        .rubbish_rounds(
            &f.volunteer,
            &RoundQuery {
                date: Some(yesterday.to_string()),
                ..Default::default()
            },
            PageRequest::first(),
        )
        .await
        .expect("the volunteer's rounds");
    assert_eq!(rounds.items.len(), 2, "the community volunteer has both");
    let round = rounds
        .items
        .iter()
        .find(|r| r.grid_id == f.grid1_id)
        .expect("grid 1 round")
        .clone();
    assert_eq!((round.stops, round.pending), (3, 3));
    let (_, stops) = app
        .rubbish_round(&f.volunteer, round.id, PageRequest::first())
        .await
        .expect("round");
    let order: Vec<(String, String, String)> = stops
        .items
        .iter()
        .map(|s| (s.building_name.clone(), s.unit_name.clone(), s.room.clone()))
        .collect();
    let s = |b: &str, u: &str, r: &str| (b.to_owned(), u.to_owned(), r.to_owned());
    assert_eq!(
        order,
        vec![
            s("1号楼", "2", "302"),
            s("1号楼", "2", "1101"),
            s("2号楼", "1", "101")
        ]
    );
    let page1 = app
        .rubbish_round(&f.volunteer, round.id, first_page(2))
        .await
        .expect("page 1")
        .1;
    let page2 = app
        .rubbish_round(
            &f.volunteer,
            round.id,
            PageRequest::new(page1.next, Some(2)),
        )
        .await
        .expect("page 2")
        .1;
    assert_eq!(page2.items.len(), 1);
    assert_eq!(page2.items[0].room, "101");

    assert_conflict(
        app.finish_rubbish_round(&f.volunteer, round.id).await,
        ErrorCode::StopsPending,
    );
    assert_field_error(
        app.record_rubbish_stop(&f.volunteer, round.id, stops.items[0].id, "pending")
            .await,
        "outcome",
        "unknown_outcome",
    );
    assert_forbidden(
        app.record_rubbish_stop(&f.doctor, round.id, stops.items[0].id, "collected")
            .await,
    );
    let mut outcome = "collected";
    for stop in &stops.items {
        let s = app
            .record_rubbish_stop(&f.volunteer, round.id, stop.id, outcome)
            .await
            .expect("stop");
        assert_eq!(s.state.code(), outcome);
        assert_eq!(s.visited_by, Some(f.volunteer.account_id));
        outcome = "no_rubbish";
    }
    // Changing a recorded door keeps the count right.
    app.record_rubbish_stop(&f.volunteer, round.id, stops.items[2].id, "collected")
        .await
        .expect("corrected");
    app.finish_rubbish_round(&f.volunteer, round.id)
        .await
        .expect("done");
    let (done, _) = app
        .rubbish_round(&f.staff, round.id, PageRequest::first())
        .await
        .expect("round");
    assert_eq!(done.state.code(), "done");
    assert_eq!(done.pending, 0);
    assert_eq!(done.done_by, Some(f.volunteer.account_id));
    assert_conflict(
        app.record_rubbish_stop(&f.volunteer, round.id, stops.items[0].id, "collected")
            .await,
        ErrorCode::RoundDone,
    );
    assert_eq!(
        audit_actions(app, app::tasks::rubbish::ROUND_OBJECT, round.id).await,
        vec![
            "rubbish_round_open",
            "rubbish_stop",
            "rubbish_stop",
            "rubbish_stop",
            "rubbish_stop",
            "rubbish_round_done"
        ]
    );

    // The other grid's round: the grid worker of grid 1 cannot see it; staff reassign it.
    let other = rounds
        .items
        .iter()
        .find(|r| r.grid_id == f.grid2_id)
        .expect("grid 2 round");
    assert_not_found(
        app.rubbish_round(&f.grid_worker, other.id, PageRequest::first())
            .await,
    );
    let grid2_volunteer = volunteer(app, "vol_g2", Level::Grid, f.grid2_id).await;
    app.assign_rubbish_round(&f.staff, other.id, Some(grid2_volunteer.account_id))
        .await
        .expect("assign");
    assert_not_found(app.finish_rubbish_round(&f.volunteer, other.id).await);

    // Today's round is new, and yesterday's volunteer keeps the grid.
    let today_run = open_rounds_everywhere(app, today).await;
    assert_eq!(today_run.rounds, 2);
    let grid2_today = app
        .rubbish_rounds(
            &grid2_volunteer,
            &RoundQuery::default(),
            PageRequest::first(),
        )
        .await
        .expect("today");
    assert_eq!(grid2_today.items.len(), 1);
    assert_eq!(grid2_today.items[0].round_date, today.to_string());
}

#[tokio::test]
async fn the_daily_jobs_create_deliveries_and_open_rounds_from_five_in_the_evening() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    sealed_door_today(app, &f).await;
    let tz = app.settings.time_zone.clone();
    let at = |h: i8| {
        app.today()
            .to_datetime(jiff::civil::Time::constant(h, 0, 0, 0))
            .to_zoned_datetime(tz.clone())
            .expect("local time")
            .timestamp()
    };
    let morning = app.run_due_jobs(at(8)).await.expect("jobs at 08:00");
    assert!(morning.iter().any(|r| r.job == "delivery_tasks"));
    let today = app.today().to_string();
    assert!(
        !morning
            .iter()
            .any(|r| r.job == "rubbish_rounds" && r.period.starts_with(&today)),
        "today's round waits for 17:00"
    );
    let todo = app
        .my_deliveries(&f.volunteer, MyList::ToDo, PageRequest::first())
        .await
        .expect("todo");
    assert_eq!(todo.items.len(), 1);
    assert_eq!(todo.items[0].due_date, app.today().to_string());
    let evening = app.run_due_jobs(at(17)).await.expect("jobs at 17:00");
    assert!(
        evening
            .iter()
            .any(|r| r.job == "rubbish_rounds" && r.period == format!("{today}T17"))
    );
    assert!(
        !evening
            .iter()
            .any(|r| r.job == "delivery_tasks" && r.period == format!("{today}T08")),
        "each hour runs once"
    );
    // A household placed in quarantine during the day gets its day-0 delivery within the hour.
    let (_, later) = home(app, &f, f.building2_id, "1", "202", &["李四"], 2).await;
    app.create_quarantine(&f.staff, later[0], &returnee_order("home", app.today()))
        .await
        .expect("order");
    let eight_pm = app.run_due_jobs(at(20)).await.expect("jobs at 20:00");
    assert!(eight_pm.iter().any(|r| r.job == "delivery_tasks"));
    assert_eq!(crate::support::to_do(app, &f.volunteer).await.len(), 2);
    let rounds = app
        .rubbish_rounds(&f.volunteer, &RoundQuery::default(), PageRequest::first())
        .await
        .expect("rounds");
    assert_eq!(rounds.items.len(), 1);
    assert_eq!(rounds.items[0].stops, 1);
}
