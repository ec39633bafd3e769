//! Residents' complaints (issue 12, section 4): filed on the public page with a personal link,
//! owned, replied to, rated by the resident and closed; overdue by category; limited per
//! client; nothing deleted and every step audited.

use app::complaints::{CONTACT_ACTION, ComplaintInput};
use app::{AppError, ErrorCode};
use domain::complaints::{Satisfaction, State};
use domain::page::PageRequest;
use store::complaints::View;

use crate::support::{
    TestDb, assert_conflict, assert_field_error, assert_forbidden, assert_not_found, audit_action,
    audit_object, audit_trail,
};

const CONTACT: &str = "13812345678";

fn complaint(category: &str, what: &str) -> ComplaintInput {
    ComplaintInput {
        category: category.to_owned(),
        what: what.to_owned(),
        place: "1号楼门口".to_owned(),
        building_id: None,
        building: String::new(),
        contact: CONTACT.to_owned(),
    }
}

#[tokio::test]
async fn a_complaint_is_filed_owned_replied_rated_and_closed() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let now = jiff::Timestamp::now();
    let input = ComplaintInput {
        building_id: Some(f.building1_id),
        building: String::new(),
        ..complaint("supplies", "送来的菜坏了")
    };
    let filed = app
        .file_public_complaint(f.community_id, &input, "10.0.0.1", now)
        .await
        .expect("filed");

    // The resident's link shows it, the contact masked.
    let v = app.complaint_of_link(&filed.token).await.expect("link");
    assert_eq!(v.complaint.state, State::Filed);
    assert_eq!(v.complaint.contact_masked.as_deref(), Some("138****5678"));
    assert_eq!(v.complaint.building_id, Some(f.building1_id));
    assert_eq!(v.complaint.grid_id, Some(f.grid1_id));
    assert_eq!(
        v.complaint.due_at - v.complaint.filed_at,
        12 * 3_600_000,
        "supplies are due in 12 hours"
    );
    assert!(v.replies.is_empty());
    assert_not_found(app.complaint_of_link("not-a-token").await);

    let id = filed.id;
    let open = app
        .complaints(&f.staff, View::Open, PageRequest::first())
        .await
        .expect("open");
    assert_eq!(
        open.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![id]
    );
    // Nothing to reply to before it has an owner; nothing to rate before a reply.
    assert_conflict(
        app.reply_complaint(&f.staff, id, "已处理").await,
        ErrorCode::ComplaintStepNotAllowed,
    );
    assert_conflict(
        app.rate_complaint(&filed.token, "satisfied", "").await,
        ErrorCode::ComplaintStepNotAllowed,
    );
    // A grid worker reads only what they own, and only staff assign.
    assert_not_found(app.complaint(&f.grid_worker, id).await);
    assert_forbidden(
        app.assign_complaint(&f.grid_worker, id, f.grid_worker.account_id)
            .await,
    );
    assert_field_error(
        app.assign_complaint(&f.staff, id, f.volunteer.account_id)
            .await,
        "owner_id",
        "not_an_owner_here",
    );
    app.assign_complaint(&f.staff, id, f.grid_worker.account_id)
        .await
        .expect("assigned");
    let (c, _, _) = app.complaint(&f.grid_worker, id).await.expect("owned");
    assert_eq!(c.state, State::Assigned);
    assert_eq!(c.owner_id, Some(f.grid_worker.account_id));

    // The owner calls the resident back: the number revealed once, audited, masked in the trail.
    assert_eq!(
        app.complaint_contact(&f.grid_worker, id)
            .await
            .expect("call back"),
        format!("tel:{CONTACT}")
    );
    assert_forbidden(app.complaint_contact(&f.official, id).await);
    let reveals = audit_trail(app, &f.auditor, audit_action(CONTACT_ACTION)).await;
    assert_eq!(reveals.len(), 1);
    assert!(
        !reveals[0]
            .after
            .as_deref()
            .unwrap_or_default()
            .contains(CONTACT)
    );

    app.reply_complaint(&f.grid_worker, id, "已联系超市更换")
        .await
        .expect("replied");
    let v = app.complaint_of_link(&filed.token).await.expect("link");
    assert_eq!(v.complaint.state, State::Replied);
    assert_eq!(v.replies.len(), 1);
    assert_eq!(v.replies[0].body, "已联系超市更换");

    // Not satisfied: back to its owner, who answers again; then satisfied closes it.
    assert_eq!(
        app.rate_complaint(&filed.token, "unsatisfied", "还没换")
            .await
            .expect("rated"),
        State::Assigned
    );
    let (c, _, _) = app.complaint(&f.staff, id).await.expect("complaint");
    assert_eq!(c.reopened, 1);
    assert_eq!(c.satisfaction, Some(Satisfaction::Unsatisfied));
    app.reply_complaint(&f.grid_worker, id, "今天上午已送到新的")
        .await
        .expect("replied again");
    assert_eq!(
        app.rate_complaint(&filed.token, "satisfied", "")
            .await
            .expect("rated"),
        State::Closed
    );
    assert_conflict(
        app.rate_complaint(&filed.token, "satisfied", "").await,
        ErrorCode::ComplaintStepNotAllowed,
    );
    let v = app.complaint_of_link(&filed.token).await.expect("link");
    assert_eq!(v.replies.len(), 2, "nothing is deleted");
    assert_forbidden(app.complaint_contact(&f.grid_worker, id).await);
    assert_eq!(v.complaint.satisfaction, Some(Satisfaction::Satisfied));

    let figures = app.complaint_figures(&f.staff).await.expect("figures");
    assert_eq!((figures.open, figures.overdue, figures.closed), (0, 0, 1));
    assert!(figures.average_close_ms.is_some());
    let closed = app
        .complaints(&f.staff, View::Closed, PageRequest::first())
        .await
        .expect("closed");
    assert_eq!(closed.items.len(), 1);

    // Every step is in its history, the contact never in full.
    let trail = audit_trail(app, &f.auditor, audit_object("complaint", id)).await;
    let mut actions: Vec<&str> = trail.iter().map(|a| a.action.as_str()).collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        vec![
            "complaint_assign",
            "complaint_contact",
            "complaint_file",
            "complaint_rate",
            "complaint_rate",
            "complaint_reply",
            "complaint_reply",
            // The owner told that the complaint is theirs.
            "notify"
        ]
    );
    for a in &trail {
        assert!(!a.after.as_deref().unwrap_or_default().contains(CONTACT));
    }
}

#[tokio::test]
async fn a_complaint_past_its_due_time_is_overdue_and_staff_may_close_it_with_a_reason() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let five_hours_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(5);
    let file = async |category: &str, what: &str| {
        let input = complaint(category, what);
        app.file_public_complaint(f.community_id, &input, "10.0.0.2", five_hours_ago)
            .await
            .expect("filed")
    };
    let medical = file("medical", "买不到药").await;
    let sanitation = file("sanitation", "楼道没消毒").await;
    let overdue = app
        .complaints(&f.staff, View::Overdue, PageRequest::first())
        .await
        .expect("overdue");
    assert_eq!(
        overdue.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![medical.id],
        "a medical complaint is due in 4 hours, sanitation in 48"
    );
    let figures = app.complaint_figures(&f.staff).await.expect("figures");
    assert_eq!((figures.open, figures.overdue, figures.closed), (2, 1, 0));
    assert_eq!(figures.average_close_ms, None);

    assert_field_error(
        app.close_complaint(&f.staff, sanitation.id, "").await,
        "reason",
        "required",
    );
    assert_forbidden(
        app.close_complaint(&f.grid_worker, sanitation.id, "dup")
            .await,
    );
    app.close_complaint(&f.staff, sanitation.id, "与另一条重复")
        .await
        .expect("closed");
    let v = app
        .complaint_of_link(&sanitation.token)
        .await
        .expect("link");
    assert_eq!(v.complaint.state, State::Closed);
    assert_eq!(v.complaint.close_reason.as_deref(), Some("与另一条重复"));

    // The other community's staff see none of it; an unknown community has no page.
    let other = crate::support::account(
        app,
        "staff_other",
        domain::access::Role::CommunityStaff,
        domain::access::Jurisdiction::new(domain::access::Level::Community, f.other_community_id),
    )
    .await;
    assert!(
        app.complaints(&other, View::Open, PageRequest::first())
            .await
            .expect("open")
            .items
            .is_empty()
    );
    assert_not_found(app.complaint(&other, medical.id).await);
    assert_not_found(
        app.file_public_complaint(
            999_999,
            &complaint("other", "x"),
            "10.0.0.3",
            jiff::Timestamp::now(),
        )
        .await,
    );
}

#[tokio::test]
async fn the_public_page_refuses_bad_input_and_too_many_complaints_from_one_client() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let now = jiff::Timestamp::now();
    let bad = ComplaintInput {
        category: "noise".to_owned(),
        what: " ".to_owned(),
        place: String::new(),
        building_id: None,
        building: String::new(),
        contact: "call me".to_owned(),
    };
    match app
        .file_public_complaint(f.community_id, &bad, "10.0.0.9", now)
        .await
    {
        Err(AppError::Validation(e)) => {
            let fields: Vec<&str> = e.0.iter().map(|x| x.field.as_str()).collect();
            assert_eq!(fields, vec!["category", "what", "place", "contact"]);
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert_field_error(
        app.file_public_complaint(
            f.community_id,
            &ComplaintInput {
                building_id: Some(f.other_building_id),
                building: String::new(),
                ..complaint("other", "路灯坏了")
            },
            "10.0.0.9",
            now,
        )
        .await,
        "building_id",
        "unknown_building",
    );
    // A building typed: one of another community's is not found in this one.
    app.create_building(&f.admin, f.other_grid_id, "9号楼")
        .await
        .expect("9号楼 elsewhere");
    assert_field_error(
        app.file_public_complaint(
            f.community_id,
            &ComplaintInput {
                building: "9".to_owned(),
                ..complaint("other", "路灯坏了")
            },
            "10.0.0.9",
            now,
        )
        .await,
        "building",
        "unknown_building",
    );
    let limit = domain::complaints::FILED_PER_CLIENT_PER_HOUR;
    for i in 0..limit {
        app.file_public_complaint(
            f.community_id,
            &complaint("other", &format!("第{i}条")),
            "10.0.0.9",
            now,
        )
        .await
        .expect("within the limit");
    }
    assert!(matches!(
        app.file_public_complaint(
            f.community_id,
            &complaint("other", "再一条"),
            "10.0.0.9",
            now
        )
        .await,
        Err(AppError::RateLimited { .. })
    ));
    app.file_public_complaint(
        f.community_id,
        &complaint("other", "邻居的"),
        "10.0.0.10",
        now,
    )
    .await
    .expect("another client is not limited");
}
