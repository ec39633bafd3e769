//! Integration tests of supply-delivery tasks and rubbish rounds of home quarantine: generation
//! every second day per household, the volunteer's steps, cancellation when quarantine ends,
//! reassignment, the rubbish round in address order, roles and jurisdiction.

use app::ErrorCode;
use app::tasks::{BoardQuery, Generated, MyList};
use app::{Actor, App, AppError};
use domain::access::{Jurisdiction, Level, Role};
use domain::page::PageRequest;
use jiff::civil::Date;
use store::audit::AuditFilter;

mod http;
mod rubbish;

use crate::support::{
    Fixture, TestDb, account, assert_conflict, assert_field_error, assert_forbidden,
    assert_not_found, board, board_in_state, deliveries_in_state, every_page, household, resident,
    returnee_order,
};

fn days_ago(app: &App, n: i64) -> Date {
    app.today().saturating_sub(jiff::Span::new().days(n))
}

/// A household with `names.len()` members at `building`, `unit`, `room`.
async fn home(
    app: &App,
    f: &Fixture,
    building: i64,
    unit: &str,
    room: &str,
    names: &[&str],
    first_id: u32,
) -> (i64, Vec<i64>) {
    let h = household(app, &f.staff, building, unit, room).await;
    let mut members = Vec::new();
    for (n, name) in names.iter().enumerate() {
        let n = first_id + u32::try_from(n).expect("few");
        let id = resident(app, f, h, name, n).await;
        members.push(id);
    }
    (h, members)
}

/// A volunteer account bound to one place: a building, a grid or a community.
async fn volunteer(app: &App, username: &str, level: Level, place: i64) -> Actor {
    account(
        app,
        username,
        Role::Volunteer,
        Jurisdiction::new(level, place),
    )
    .await
}

async fn generate(app: &App, date: Date) -> Generated {
    app.generate_delivery_tasks(&Actor::system(), date)
        .await
        .expect("generate")
}

async fn audit_actions(app: &App, object_type: &str, id: i64) -> Vec<String> {
    let mut conn = app.db.conn().await.expect("conn");
    let mut actions: Vec<String> = store::audit::list(
        &mut conn,
        &AuditFilter {
            object_type: Some(object_type.to_owned()),
            object_id: Some(id.to_string()),
            ..Default::default()
        },
        100,
    )
    .await
    .expect("audit")
    .into_iter()
    .map(|r| r.action)
    .collect();
    actions.reverse();
    actions
}

#[tokio::test]
async fn deliveries_come_every_second_day_per_household_and_generation_is_idempotent() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let day0 = days_ago(app, 4);
    let (h, members) = home(app, &f, f.building1_id, "1", "101", &["张三", "李四"], 1).await;
    // The second member's order starts a day later: the household still counts from day 0.
    app.create_quarantine(&f.staff, members[0], &returnee_order("home", day0))
        .await
        .expect("order");
    app.create_quarantine(
        &f.staff,
        members[1],
        &returnee_order("home", days_ago(app, 3)),
    )
    .await
    .expect("order");
    // Centralised quarantine brings no deliveries home.
    let (_, away) = home(app, &f, f.building2_id, "1", "201", &["王五"], 10).await;
    app.create_quarantine(&f.staff, away[0], &returnee_order("centralised", day0))
        .await
        .expect("order");
    let building_volunteer = volunteer(app, "vol_b1", Level::Building, f.building1_id).await;

    let first = generate(app, day0).await;
    assert_eq!(
        first,
        Generated {
            created: 1,
            cancelled: 0
        }
    );
    assert_eq!(generate(app, day0).await.created, 0, "idempotent");
    assert_eq!(generate(app, days_ago(app, 3)).await.created, 0);
    assert_eq!(generate(app, days_ago(app, 2)).await.created, 1);
    assert_eq!(generate(app, days_ago(app, 1)).await.created, 0);
    assert_eq!(generate(app, app.today()).await.created, 1);

    let board = board_in_state(app, &f.staff, "all").await;
    let dues: Vec<String> = board.items.iter().map(|d| d.due_date.clone()).collect();
    assert_eq!(
        dues,
        vec![
            day0.to_string(),
            days_ago(app, 2).to_string(),
            app.today().to_string()
        ]
    );
    for d in &board.items {
        assert_eq!(d.address.household_id, h);
        assert_eq!(d.people, 2, "one task for the household of two");
        assert_eq!(d.progress.state.code(), "open");
        assert_eq!(
            d.progress.volunteer_id,
            Some(building_volunteer.account_id),
            "the building's volunteer before the community's"
        );
    }
    let mine = app
        .my_deliveries(&building_volunteer, MyList::ToDo, PageRequest::first())
        .await
        .expect("mine");
    assert_eq!(mine.items.len(), 3);
    let none = app
        .my_deliveries(&f.volunteer, MyList::ToDo, PageRequest::first())
        .await
        .expect("community volunteer's list");
    assert!(none.items.is_empty());
    assert_eq!(
        audit_actions(app, app::tasks::DELIVERY_OBJECT, board.items[0].id).await,
        vec!["delivery_create"]
    );
}

#[tokio::test]
async fn a_volunteer_asks_delivers_and_records_the_confirmation() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (_, members) = home(app, &f, f.building1_id, "1", "101", &["张三"], 1).await;
    app.create_quarantine(&f.staff, members[0], &returnee_order("home", app.today()))
        .await
        .expect("order");
    generate(app, app.today()).await;
    let task = crate::support::to_do(app, &f.volunteer)
        .await
        .pop()
        .expect("the community volunteer has the task");
    let other = volunteer(app, "vol_other", Level::Community, f.community_id).await;

    assert_conflict(
        app.deliver(&f.volunteer, task.id).await,
        ErrorCode::TaskStepNotAllowed,
    );
    assert_field_error(
        app.ask_delivery(&f.volunteer, task.id, "   ").await,
        "needs",
        "required",
    );
    assert_not_found(app.ask_delivery(&other, task.id, "rice").await);
    assert_forbidden(app.ask_delivery(&f.doctor, task.id, "rice").await);
    app.ask_delivery(&f.volunteer, task.id, " 蔬菜、降压药 ")
        .await
        .expect("ask");
    app.deliver(&f.volunteer, task.id).await.expect("deliver");
    assert!(crate::support::to_do(app, &f.volunteer).await.is_empty());
    let waiting = app
        .my_deliveries(
            &f.volunteer,
            MyList::AwaitingConfirmation,
            PageRequest::first(),
        )
        .await
        .expect("waiting");
    assert_eq!(waiting.items.len(), 1);
    assert_field_error(
        app.confirm_delivery(&f.volunteer, task.id, "telepathy")
            .await,
        "via",
        "unknown_confirmation",
    );
    app.confirm_delivery(&f.volunteer, task.id, "phone")
        .await
        .expect("confirm");
    let (d, history) = app.delivery_task(&f.staff, task.id).await.expect("task");
    assert_eq!(d.progress.state.code(), "confirmed");
    assert_eq!(d.progress.needs, "蔬菜、降压药");
    assert_eq!(d.progress.confirmed_via.map(|v| v.code()), Some("phone"));
    assert_eq!(d.progress.asked_by, Some(f.volunteer.account_id));
    assert!(d.progress.delivered_at.is_some() && d.progress.confirmed_at.is_some());
    assert_eq!(history.len(), 4, "created, asked, delivered, confirmed");
    assert!(
        history
            .iter()
            .all(|r| r.object_type == app::tasks::DELIVERY_OBJECT)
    );
    assert!(matches!(
        app.confirm_delivery(&f.volunteer, task.id, "at_door").await,
        Err(AppError::Conflict(_))
    ));
    let verification = app.verify_audit(&f.auditor).await.expect("verify");
    assert!(verification.broken_at.is_none(), "the chain stays intact");
}

#[tokio::test]
async fn an_ended_quarantine_cancels_undelivered_tasks() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (_, members) = home(app, &f, f.building1_id, "1", "101", &["张三"], 1).await;
    let (_, kept) = home(app, &f, f.building3_id, "2", "502", &["李四"], 5).await;
    let start = days_ago(app, 2);
    let order_id = app
        .create_quarantine(&f.staff, members[0], &returnee_order("home", start))
        .await
        .expect("order");
    app.create_quarantine(&f.staff, kept[0], &returnee_order("home", start))
        .await
        .expect("order");
    assert_eq!(generate(app, start).await.created, 2);
    app.transition_quarantine(&f.staff, order_id, "release", "negative tests")
        .await
        .expect("released early");
    // The release itself calls off the household's delivery, before any generation runs.
    let cancelled_now = board_in_state(app, &f.staff, "cancelled").await;
    assert_eq!(cancelled_now.items.len(), 1, "cancelled at release");
    let run = generate(app, app.today()).await;
    assert_eq!(run.cancelled, 0, "nothing left to cancel");
    assert_eq!(run.created, 1, "only the household still in quarantine");
    let cancelled = board_in_state(app, &f.staff, "cancelled").await;
    assert_eq!(cancelled.items.len(), 1);
    assert!(cancelled.items[0].progress.cancelled_at.is_some());
    assert_eq!(
        audit_actions(app, app::tasks::DELIVERY_OBJECT, cancelled.items[0].id).await,
        vec!["delivery_create", "delivery_cancel"]
    );
    assert_eq!(generate(app, app.today()).await, Generated::default());
    // Staff cancel by hand only with a reason.
    let open = board(app, &f.staff, BoardQuery::default()).await;
    let id = open.items[0].id;
    assert_field_error(
        app.cancel_delivery(&f.staff, id, " ").await,
        "reason",
        "reason_required",
    );
    assert_forbidden(app.cancel_delivery(&f.volunteer, id, "moved").await);
    app.cancel_delivery(&f.staff, id, "moved to hospital")
        .await
        .expect("cancel");
}

#[tokio::test]
async fn staff_reassign_within_the_jurisdiction_and_the_board_is_scoped() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (_, a) = home(app, &f, f.building1_id, "1", "101", &["张三"], 1).await;
    let (_, b) = home(app, &f, f.building3_id, "1", "301", &["李四"], 5).await;
    for m in [a[0], b[0]] {
        app.create_quarantine(&f.staff, m, &returnee_order("home", app.today()))
            .await
            .expect("order");
    }
    generate(app, app.today()).await;
    let grid2_volunteer = volunteer(app, "vol_g2", Level::Grid, f.grid2_id).await;
    let far_volunteer = volunteer(app, "vol_far", Level::Community, f.other_community_id).await;

    // The grid worker of grid 1 sees only grid 1's task.
    let grid1 = board(app, &f.grid_worker, BoardQuery::default()).await;
    assert_eq!(grid1.items.len(), 1);
    let in_grid1 = grid1.items[0].id;
    let all = board(app, &f.staff, BoardQuery::default()).await;
    assert_eq!(all.items.len(), 2);
    let in_grid2 = all
        .items
        .iter()
        .find(|d| d.address.grid_id == f.grid2_id)
        .expect("grid 2 task")
        .id;
    assert_eq!(
        all.items
            .iter()
            .find(|d| d.id == in_grid2)
            .and_then(|d| d.progress.volunteer_id),
        Some(f.volunteer.account_id),
        "generated before the grid volunteer existed: the community's volunteer"
    );
    assert_not_found(app.delivery_task(&f.grid_worker, in_grid2).await);

    for (task, volunteer, code) in [
        (in_grid1, &grid2_volunteer, "outside_jurisdiction"),
        (in_grid1, &f.guard, "wrong_role"),
        (in_grid2, &far_volunteer, "outside_jurisdiction"),
    ] {
        assert_field_error(
            app.assign_delivery(&f.staff, task, Some(volunteer.account_id))
                .await,
            "volunteer_id",
            code,
        );
    }
    assert_forbidden(
        app.assign_delivery(&f.volunteer, in_grid2, Some(grid2_volunteer.account_id))
            .await,
    );
    app.assign_delivery(&f.staff, in_grid2, Some(grid2_volunteer.account_id))
        .await
        .expect("reassign");
    let by_volunteer = BoardQuery {
        volunteer_id: Some(grid2_volunteer.account_id),
        ..Default::default()
    };
    let by_grid = BoardQuery {
        grid_id: Some(f.grid1_id),
        ..Default::default()
    };
    for (query, expected) in [(by_volunteer, in_grid2), (by_grid, in_grid1)] {
        let listed = board(app, &f.staff, query).await;
        assert_eq!(
            listed.items.iter().map(|d| d.id).collect::<Vec<_>>(),
            vec![expected]
        );
    }
    // The community volunteer no longer finds the reassigned task; the new one does.
    assert_not_found(app.ask_delivery(&f.volunteer, in_grid2, "rice").await);
    app.ask_delivery(&grid2_volunteer, in_grid2, "rice")
        .await
        .expect("ask");
    let volunteers = app.task_volunteers(&f.staff).await.expect("volunteers");
    let ids: Vec<i64> = volunteers.iter().map(|v| v.id).collect();
    assert!(ids.contains(&grid2_volunteer.account_id) && ids.contains(&f.volunteer.account_id));
    assert!(!ids.contains(&far_volunteer.account_id));
    let grid1_volunteers = app.task_volunteers(&f.grid_worker).await.expect("grid 1");
    assert!(
        grid1_volunteers.is_empty(),
        "none bound to grid 1 or its buildings"
    );
    assert_forbidden(
        app.delivery_board(&f.guard, &BoardQuery::default(), PageRequest::first())
            .await,
    );
    let lost = deliveries_in_state("lost");
    assert_field_error(
        app.delivery_board(&f.staff, &lost, PageRequest::first())
            .await,
        "state",
        "unknown_state",
    );
    // Pages continue by key.
    let pages = every_page(1, async |p| {
        app.delivery_board(&f.staff, &BoardQuery::default(), p)
            .await
    })
    .await;
    let ids: Vec<Vec<i64>> = pages
        .iter()
        .map(|p| p.items.iter().map(|d| d.id).collect())
        .collect();
    assert_eq!(ids.len(), 2, "two pages, the second without a next key");
    assert_eq!((ids[0].len(), ids[1].len()), (1, 1));
    assert_ne!(ids[0], ids[1]);
}
