//! Calls from a task's card (issue 14, item 2): the numbers of a household, masked, for the
//! people whose task is to call it; one number revealed for one call, refused outside the
//! caller's task, audited with the task as its purpose; the pages' call buttons and the API.

mod board;
mod http;

use app::calls::CALL_ACTION;
use app::screening::CampaignInput;
use app::{Actor, App, AppError, AppResult};
use domain::access::{Level, Role};
use domain::calls::{CallTask, Callee, Purpose};

use axum::http::StatusCode;

use crate::http::{Client, Res};
use crate::support::{
    Fixture, TestDb, account, assert_forbidden, assert_not_found, audit_action, audit_trail,
    citizen_id, raw_resident, resident,
};

/// The mobile of 张三, the household's first member.
const ZHANG_MOBILE: &str = "13812345678";
/// The household's landline.
const LANDLINE: &str = "029-88661234";

/// A household of 1号楼 (grid 1) with a landline, 张三 with a mobile and 李四 without a
/// phone. Returns (household, 张三, 李四).
async fn home(app: &App, f: &Fixture, landline: bool) -> (i64, i64, i64) {
    let h = app
        .create_household(
            &f.staff,
            &crate::support::household_input(
                f.building1_id,
                "1",
                "101",
                if landline { LANDLINE } else { "" },
            ),
        )
        .await
        .expect("household");
    let zhang = app
        .create_resident(
            &f.staff,
            h,
            &raw_resident("张三", &citizen_id(1), ZHANG_MOBILE),
        )
        .await
        .expect("张三");
    let li = resident(app, f, h, "李四", 2).await;
    (h, zhang, li)
}

/// An open campaign whose one team, the grid worker's, holds grid 1's households.
async fn open_campaign(app: &App, f: &Fixture, name: &str) -> i64 {
    let input = CampaignInput {
        name: name.to_owned(),
        questions: vec![("4201".to_owned(), "2020-01-10".to_owned())],
        grid_ids: Vec::new(),
        unreachable_after: String::new(),
    };
    let c = app
        .create_campaign(&f.staff, f.community_id, &input)
        .await
        .expect("campaign");
    app.create_screening_team(&f.staff, c, "Team 1", &[f.grid_worker.account_id])
        .await
        .expect("team");
    app.assign_screening_by_grid(&f.staff, c)
        .await
        .expect("assign");
    app.transition_campaign(&f.staff, c, "open")
        .await
        .expect("open");
    c
}

/// A home quarantine order for `resident` starting today.
async fn home_order(app: &App, f: &Fixture, resident: i64) -> i64 {
    let input = crate::support::returnee_order("home", app.today());
    app.create_quarantine(&f.staff, resident, &input)
        .await
        .expect("order")
}

/// Refused because the task is not the actor's: not found in their reach, or forbidden.
fn assert_refused<T: std::fmt::Debug>(result: AppResult<T>) {
    assert!(
        matches!(result, Err(AppError::NotFound | AppError::Forbidden)),
        "{result:?}"
    );
}

/// Presses a page's call button for 张三 of `household`: the call form posted with the page's
/// token, answered by sending the phone to his mobile. Returns the form's fields without the
/// token, to try a forged call with.
async fn press_call(
    client: &mut Client,
    page: &Res,
    purpose: &str,
    id: i64,
    household: i64,
    resident: i64,
) -> [(&'static str, String); 4] {
    let csrf = page.form_csrf("/calls").expect("the call form's token");
    let fields = [
        ("purpose", purpose.to_owned()),
        ("id", id.to_string()),
        ("household", household.to_string()),
        ("resident", resident.to_string()),
    ];
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
    let called = client.post_form("/calls", &form).await;
    called.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(
        called.location(),
        Some(format!("tel:{ZHANG_MOBILE}").as_str())
    );
    fields
}

async fn calls_audited(app: &App, f: &Fixture) -> Vec<store::audit::AuditRecord> {
    audit_trail(app, &f.auditor, audit_action(CALL_ACTION)).await
}

#[tokio::test]
async fn a_grid_worker_calls_a_member_of_a_household_of_their_campaign_and_it_is_audited() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (h, zhang, li) = home(app, &f, false).await;
    let c = open_campaign(app, &f, "武汉返乡排查").await;

    // The card: one button, 张三's mobile masked; 李四 has no phone, the household none.
    let targets = app
        .call_targets(&f.grid_worker, Purpose::ScreeningCampaign, &[h])
        .await
        .expect("targets");
    let mine = &targets[&h];
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].resident_id, Some(zhang));
    assert_eq!(mine[0].name, "张三");
    assert_eq!(mine[0].masked, "138****5678");
    // A role whose work has no screening calls gets no button.
    let none = app
        .call_targets(&f.doctor, Purpose::ScreeningCampaign, &[h])
        .await
        .expect("targets");
    assert!(none.is_empty());

    let task = CallTask::Screening {
        campaign_id: c,
        household_id: h,
    };
    assert_eq!(
        app.call(&f.grid_worker, task, Callee::Resident(zhang))
            .await
            .expect("call"),
        format!("tel:{ZHANG_MOBILE}")
    );
    assert_not_found(app.call(&f.grid_worker, task, Callee::Resident(li)).await);
    assert_not_found(app.call(&f.grid_worker, task, Callee::Household).await);
    // Not the volunteer's team, not the doctor's work, not an auditor's.
    assert_refused(app.call(&f.volunteer, task, Callee::Resident(zhang)).await);
    assert_forbidden(app.call(&f.doctor, task, Callee::Resident(zhang)).await);
    assert_forbidden(app.call(&f.auditor, task, Callee::Resident(zhang)).await);
    // A resident of another household is not reached through this one.
    let other = CallTask::Screening {
        campaign_id: c,
        household_id: h + 1000,
    };
    assert_refused(
        app.call(&f.grid_worker, other, Callee::Resident(zhang))
            .await,
    );

    let audited = calls_audited(app, &f).await;
    assert_eq!(audited.len(), 1, "only the call made is recorded");
    let a = &audited[0];
    assert_eq!(a.account_name, f.grid_worker.username);
    assert_eq!(a.object_type, "resident");
    assert_eq!(a.object_id, zhang.to_string());
    assert_eq!(a.reason.as_deref(), Some("武汉返乡排查"));
    let after: serde_json::Value =
        serde_json::from_str(a.after.as_deref().expect("after")).expect("json");
    assert_eq!(after["purpose"], "screening_campaign");
    assert_eq!(after["campaign_id"], c);
    assert_eq!(after["household_id"], h);
    assert_eq!(after["phone"], "138****5678");
    assert!(
        !a.after
            .as_deref()
            .unwrap_or_default()
            .contains(ZHANG_MOBILE),
        "the trail keeps the number masked"
    );
}

#[tokio::test]
async fn a_doctor_calls_for_an_order_under_way_and_a_volunteer_for_their_delivery() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (h, zhang, _) = home(app, &f, true).await;
    let order = home_order(app, &f, zhang).await;

    // The doctor's card: the household's landline first, then 张三's mobile.
    let targets = app
        .call_targets(&f.doctor, Purpose::QuarantineOrder, &[h])
        .await
        .expect("targets");
    let who: Vec<Option<i64>> = targets[&h].iter().map(|t| t.resident_id).collect();
    assert_eq!(who, vec![None, Some(zhang)]);
    assert_eq!(targets[&h][0].masked, "029-****1234");

    let for_order = CallTask::Quarantine { order_id: order };
    assert_eq!(
        app.call(&f.doctor, for_order, Callee::Household)
            .await
            .expect("doctor's call"),
        format!("tel:{LANDLINE}")
    );
    // Audited with what the call was about: the door, then the order's dates.
    let about = calls_audited(app, &f).await.remove(0).reason;
    let dates = about
        .as_deref()
        .and_then(|r| r.strip_prefix("1号楼 1 101 · "))
        .unwrap_or_else(|| panic!("the order's door first: {about:?}"));
    assert!(dates.contains(" – "), "its dates: {dates}");
    assert_forbidden(app.call(&f.volunteer, for_order, Callee::Household).await);

    // The volunteer's delivery to the household.
    app.generate_delivery_tasks(&Actor::system(), app.today())
        .await
        .expect("generate");
    let delivery = crate::support::to_do(app, &f.volunteer)
        .await
        .pop()
        .expect("the community volunteer has the task");
    let for_delivery = CallTask::Delivery {
        delivery_id: delivery.id,
    };
    assert_eq!(
        app.call(&f.volunteer, for_delivery, Callee::Resident(zhang))
            .await
            .expect("volunteer's call"),
        format!("tel:{ZHANG_MOBILE}")
    );
    let other = account(
        app,
        "vol_other",
        Role::Volunteer,
        domain::access::Jurisdiction::new(Level::Community, f.community_id),
    )
    .await;
    assert_refused(app.call(&other, for_delivery, Callee::Household).await);
    assert_forbidden(app.call(&f.doctor, for_delivery, Callee::Household).await);

    let purposes: Vec<(String, String)> = calls_audited(app, &f)
        .await
        .into_iter()
        .map(|a| {
            let after: serde_json::Value =
                serde_json::from_str(a.after.as_deref().unwrap_or("{}")).expect("json");
            (
                a.object_type,
                after["purpose"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(purposes.len(), 2);
    assert!(purposes.contains(&("household".to_owned(), "quarantine_order".to_owned())));
    assert!(purposes.contains(&("resident".to_owned(), "delivery".to_owned())));

    // Work done is no reason to call: a cancelled delivery, an order ended.
    app.cancel_delivery(&f.staff, delivery.id, "no longer needed")
        .await
        .expect("cancel");
    assert_forbidden(
        app.call(&f.volunteer, for_delivery, Callee::Household)
            .await,
    );
    app.transition_quarantine(&f.staff, order, "cancel", "entered by mistake")
        .await
        .expect("cancel the order");
    assert_forbidden(app.call(&f.doctor, for_order, Callee::Household).await);
    assert_eq!(
        calls_audited(app, &f).await.len(),
        2,
        "refusals reveal nothing"
    );
}
