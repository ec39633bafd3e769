//! Tracing a case: each kind of overlap found in the window and none outside it, and the
//! contacts put on follow-up in one step.

use app::cases::{CaseInput, MovementInput};
use domain::cases::{ContactKey, FollowUp, Strength};

use super::{MINUTE, suspected};
use crate::checkpoints::{DAY, gate_with_guard, household_pass_issued, show, visitor};
use crate::support::{
    TestDb, assert_chain_intact, assert_field_error, audit_action, audit_trail, first_page,
    household, resident,
};

#[tokio::test]
async fn tracing_finds_each_overlap_in_the_window_and_follow_up_is_one_step() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let gate = gate_with_guard(app, &f, "East gate").await;
    // The case's household, a member, a unit neighbour, a building neighbour.
    let (h, pass, code) = household_pass_issued(app, &f, f.building1_id, "101", 10).await;
    let case_person = resident(app, &f, h, "王五", 1).await;
    let spouse = resident(app, &f, h, "王妻", 2).await;
    let unit_home = household(app, &f.staff, f.building1_id, "1", "102").await;
    resident(app, &f, unit_home, "邻居甲", 3).await;
    let building_home = household(app, &f.staff, f.building1_id, "3", "301").await;
    // Through the gate near the case, and far from it.
    let (near, near_pass, near_code) =
        household_pass_issued(app, &f, f.building3_id, "101", 10).await;
    resident(app, &f, near, "同门甲", 4).await;
    let near_member = resident(app, &f, near, "同门乙", 5).await;
    let (far, far_pass, far_code) = household_pass_issued(app, &f, f.building3_id, "102", 10).await;
    let _ = near_pass;
    // The case out three days ago, the near household 3 minutes later, the far one 20.
    show(app, &f.guard, gate, &code, "out", 3 * DAY).await;
    show(app, &f.guard, gate, &near_code, "out", 3 * DAY - 3 * MINUTE).await;
    show(app, &f.guard, gate, &far_code, "out", 3 * DAY - 20 * MINUTE).await;
    // A visitor to the case's household.
    let visitor = app
        .admit_visitor(&f.guard, gate, &visitor(h, "green", "36.5"))
        .await
        .expect("visitor");
    let visitor_id = visitor.passage.visitor_id.expect("visitor id");

    let case = app
        .record_case(
            &f.doctor,
            &CaseInput {
                onset_on: app
                    .today()
                    .checked_sub(jiff::Span::new().days(2))
                    .expect("date")
                    .to_string(),
                ..suspected(case_person)
            },
        )
        .await
        .expect("case");
    // A household the case visited (recorded from the interview).
    let visited = household(app, &f.staff, f.building2_id, "1", "101").await;
    let now = store::now_ms();
    app.add_case_movement(
        &f.staff,
        case,
        &MovementInput {
            kind: "household".to_owned(),
            household_id: Some(visited),
            from_at: now - 2 * DAY,
            to_at: now - 2 * DAY + 60 * MINUTE,
            ..Default::default()
        },
    )
    .await
    .expect("movement");

    // Before the window: the case and the far household through the gate a minute apart, 20
    // days ago (written as the log holds them; a gate dates offline passages a week back at
    // most). A volunteer delivered to the case's household yesterday.
    let mut conn = app.db.conn().await.expect("raw connection");
    for (p, hh, at) in [
        (pass, h, now - 20 * DAY),
        (far_pass, far, now - 20 * DAY + MINUTE),
    ] {
        sqlx::query(
            "INSERT INTO passages (gate_id, community_id, at, direction, pass_id, household_id, \
             persons, result, guard_id, conflict, created_at) \
             VALUES ($1, $2, $3, 'out', $4, $5, 1, 'admitted', $6, 0, $3)",
        )
        .bind(gate)
        .bind(f.community_id)
        .bind(at)
        .bind(p)
        .bind(hh)
        .bind(f.guard.account_id)
        .execute(&mut *conn)
        .await
        .expect("an old passage");
    }
    sqlx::query(
        "INSERT INTO delivery_tasks (household_id, building_id, grid_id, community_id, place_key, \
         due_date, state, delivered_at, delivered_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'k', '2020-01-01', 'delivered', $5, $6, $5, $5)",
    )
    .bind(h)
    .bind(f.building1_id)
    .bind(f.grid1_id)
    .bind(f.community_id)
    .bind(now - DAY)
    .bind(f.volunteer.account_id)
    .execute(&mut *conn)
    .await
    .expect("a delivery");
    drop(conn);

    let trace = app.trace_case(&f.staff, case).await.expect("trace");
    let strength_of = |k: ContactKey| {
        trace
            .contacts
            .iter()
            .find(|c| c.key == k)
            .map(|c| c.strength)
    };
    assert_eq!(
        strength_of(ContactKey::Resident(spouse)),
        Some(Strength::Household)
    );
    assert_eq!(
        strength_of(ContactKey::Resident(case_person)),
        None,
        "not their own contact"
    );
    assert_eq!(
        strength_of(ContactKey::Household(unit_home)),
        Some(Strength::Unit)
    );
    assert_eq!(
        strength_of(ContactKey::Household(building_home)),
        Some(Strength::Building)
    );
    assert_eq!(
        strength_of(ContactKey::Household(visited)),
        Some(Strength::Visited)
    );
    assert_eq!(
        strength_of(ContactKey::Visitor(visitor_id)),
        Some(Strength::Visitor)
    );
    let gate_contact = trace
        .contacts
        .iter()
        .find(|c| c.key == ContactKey::Household(near))
        .unwrap_or_else(|| {
            panic!(
                "the household through the gate 3 minutes after the case: {:?} passings {}",
                trace.contacts, trace.case_passings
            )
        });
    assert_eq!(gate_contact.strength, Strength::Gate);
    assert_eq!(gate_contact.overlaps[0].minutes_apart, Some(3));
    assert_eq!(gate_contact.overlaps[0].place, "East gate");
    assert_eq!(
        strength_of(ContactKey::Household(far)),
        None,
        "20 minutes apart, and a minute apart only before the window"
    );
    assert_eq!(
        strength_of(ContactKey::Account(f.volunteer.account_id)),
        Some(Strength::Worker),
        "the volunteer who delivered"
    );
    assert!(
        trace
            .counts
            .iter()
            .any(|(s, n)| *s == Strength::Gate && *n == 1)
    );

    // Outside the window (onset two days ago, 14 days back): a passage 20 days ago is not
    // there, so the near household's earlier passage alone would not make a contact.
    assert!(trace.window.from > now - 17 * DAY && trace.window.from < now - 15 * DAY);
    let reads = audit_trail(app, &f.auditor, audit_action("case_trace")).await;
    assert_eq!(reads.len(), 1);

    // A key tracing did not find is refused; the picked are put on follow-up at once.
    assert_field_error(
        app.follow_up_contacts(
            &f.staff,
            case,
            &[ContactKey::Household(far)],
            "self_quarantine",
        )
        .await,
        "contacts",
        "not_a_contact",
    );
    let done = app
        .follow_up_contacts(
            &f.staff,
            case,
            &[
                ContactKey::Resident(spouse),
                ContactKey::Household(near),
                ContactKey::Visitor(visitor_id),
            ],
            FollowUp::SelfQuarantine.code(),
        )
        .await
        .expect("follow-up");
    assert_eq!(done.orders, 3, "{done:?}");
    assert_eq!(done.cdc_list, 1);
    let order = app
        .quarantine_orders(
            &f.staff,
            &app::quarantine::OrderQuery {
                resident_id: Some(near_member),
                ..Default::default()
            },
            first_page(10),
        )
        .await
        .expect("orders");
    assert_eq!(order.items.len(), 1);
    assert_eq!(order.items[0].reason.code(), "case_contact");
    // Again: nobody is followed up twice.
    let again = app
        .follow_up_contacts(
            &f.staff,
            case,
            &[ContactKey::Resident(spouse)],
            "self_quarantine",
        )
        .await
        .expect("again");
    assert_eq!((again.orders, again.skipped), (0, 1));
    let views = app
        .contact_views(&f.staff, case, &trace.contacts)
        .await
        .expect("views");
    let spouse_view = views
        .iter()
        .find(|v| v.contact.key == ContactKey::Resident(spouse))
        .expect("spouse");
    assert!(spouse_view.followed);
    assert_eq!(spouse_view.name, "王妻");
    assert_chain_intact(app, &f.auditor).await;
}
