//! The screening pages through the real router: the worker's phone list, the answer form posted
//! twice, a closed campaign's refusal, and roles outside the jurisdiction.

use axum::http::StatusCode;

use super::{assert_untouched, audit_len, homes_in_open_campaign, other_staff};
use crate::http::{Client, Res, form_input, full_citizen_id};
use crate::support::{TestDb, citizen_id, raw_resident};

const PHONE: &str = "13912345678";
const RESIDENT_PHONE: &str = "13812345678";

/// Every hidden field a form posting to `action` carries, in the order of the page.
fn form_of(res: &Res, action: &str) -> Vec<(String, String)> {
    res.assert_status(StatusCode::OK);
    ["csrf", "key", "back"]
        .iter()
        .map(|name| {
            let value = form_input(&res.text(), action, name)
                .unwrap_or_else(|| panic!("{name} in the form to {action}"));
            ((*name).to_owned(), value.replace("&amp;", "&"))
        })
        .collect()
}

async fn post(client: &mut Client, action: &str, fields: &[(String, String)]) -> Res {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    client.post_form(action, &pairs).await
}

#[tokio::test]
async fn the_workers_list_shows_their_households_with_masked_numbers_only() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (homes, _, c, _) = homes_in_open_campaign(app, &f).await;
    // Registered after the campaign opened: it joins the list in its place.
    let with_phone = app
        .create_household(
            &f.staff,
            &crate::support::household_input(f.building1_id, "1", "2", PHONE),
        )
        .await
        .expect("household");
    let number = citizen_id(31);
    app.create_resident(
        &f.staff,
        with_phone,
        &raw_resident("王五", &number, RESIDENT_PHONE),
    )
    .await
    .expect("resident");

    let mut worker = Client::signed_in(server::router(app.clone()), "gridworker").await;
    let res = worker.get(&format!("/screening/{c}/households")).await;
    res.assert_status(StatusCode::OK);
    let html = res.text();
    let rows = html.matches("data-testid=\"household-row\"").count();
    assert_eq!(rows, 5, "grid 1's four households and the one with a phone");
    let at = |id: i64| {
        html.find(&format!("id=\"h{id}\""))
            .unwrap_or_else(|| panic!("household {id} on the list"))
    };
    assert!(at(with_phone) < at(homes[0]), "room 2 comes before room 3");
    assert!(
        !html.contains(&format!("id=\"h{}\"", homes[4])),
        "grid 2 is not theirs"
    );
    assert!(!html.contains(PHONE), "the phone is masked on the list");
    assert!(html.contains("139****5678"), "{html}");
    assert_eq!(full_citizen_id(&html), None);

    let res = worker
        .get(&format!("/screening/{c}/households/{with_phone}"))
        .await;
    res.assert_status(StatusCode::OK);
    let html = res.text();
    assert!(html.contains("王五"));
    assert_eq!(
        full_citizen_id(&html),
        None,
        "the member's number is masked"
    );
    assert!(!html.contains(&number));
    assert!(!html.contains(PHONE) && !html.contains(RESIDENT_PHONE));
}

#[tokio::test]
async fn the_answer_form_posted_twice_records_once() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (homes, [zhang, li], c, _) = homes_in_open_campaign(app, &f).await;
    let mut worker = Client::signed_in(server::router(app.clone()), "gridworker").await;

    // A one-tap outcome from the list, tapped twice.
    let list = worker.get(&format!("/screening/{c}/households")).await;
    let action = format!("/screening/{c}/households/{}/attempts", homes[0]);
    let mut fields = form_of(&list, &action);
    fields.push(("contact".to_owned(), "call_no_answer".to_owned()));
    for _ in 0..2 {
        let res = post(&mut worker, &action, &fields).await;
        res.assert_status(StatusCode::SEE_OTHER);
        let back = res.location().expect("back to the list");
        assert!(
            back.starts_with(&format!("/screening/{c}/households?")),
            "{back}"
        );
    }
    let v = app
        .screening_household(&f.staff, c, homes[0])
        .await
        .expect("household");
    assert_eq!(v.attempts.len(), 1, "the second tap recorded nothing");
    assert_eq!(v.household.attempts, 1);

    // The answer form of the household with two residents, submitted twice.
    let page_path = format!("/screening/{c}/households/{}", homes[2]);
    let page = worker.get(&page_path).await;
    let action = format!("{page_path}/attempts");
    let mut fields = form_of(&page, &action);
    fields.extend([
        ("method".to_owned(), "visit".to_owned()),
        (format!("status_{zhang}"), "returned".to_owned()),
        (format!("origin_{zhang}"), "420106".to_owned()),
        (format!("returned_{zhang}"), "2020-01-20".to_owned()),
        (format!("status_{li}"), "stayed_in_city".to_owned()),
    ]);
    let (before, _) = app.resident(&f.staff, zhang).await.expect("resident");
    let audit = audit_len(app, &f).await;
    for _ in 0..2 {
        let res = post(&mut worker, &action, &fields).await;
        res.assert_status(StatusCode::SEE_OTHER);
    }
    let v = app
        .screening_household(&f.staff, c, homes[2])
        .await
        .expect("household");
    assert_eq!(v.attempts.len(), 1);
    assert_eq!(v.household.state.code(), "done");
    let (after, _) = app.resident(&f.staff, zhang).await.expect("resident");
    assert_eq!(after.particulars.travel_status.code(), "returned");
    assert_eq!(
        after.version,
        before.version + 1,
        "the register changed once"
    );
    // The attempt, and each resident's travel: three entries, once.
    assert_eq!(audit_len(app, &f).await, audit + 3);
}

#[tokio::test]
async fn an_attempt_on_a_closed_campaign_shows_the_refusal_and_writes_nothing() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (homes, _, c, _) = homes_in_open_campaign(app, &f).await;
    let mut worker = Client::signed_in(server::router(app.clone()), "gridworker").await;
    let page_path = format!("/screening/{c}/households/{}", homes[1]);
    let action = format!("{page_path}/attempts");
    // The form was opened while the campaign was open; the lead closes it before the tap.
    let mut fields = form_of(&worker.get(&page_path).await, &action);
    fields.push(("contact".to_owned(), "visit_nobody_home".to_owned()));
    app.transition_campaign(&f.staff, c, "closed")
        .await
        .expect("close");
    let audit = audit_len(app, &f).await;

    let mut refusal = async |message: &str| {
        let res = post(&mut worker, &action, &fields).await;
        res.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().contains(message), "{}", res.text());
        res
    };
    let res = refusal("该排查行动已结束，不能再登记联系记录。").await;
    assert!(
        !res.text().contains("data-testid=\"answer-form\""),
        "no form to try again"
    );
    app.set_language(&f.grid_worker, "en")
        .await
        .expect("language");
    refusal("This campaign is closed: no more attempts can be recorded.").await;
    assert_eq!(audit_len(app, &f).await, audit, "nothing written");
    assert_untouched(app, &f, c, homes[1]).await;
    // The list says so too, and offers no buttons.
    let list = worker.get(&format!("/screening/{c}/households")).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains("This campaign is closed"));
    assert!(!list.text().contains("data-testid=\"call_no_answer\""));
}

#[tokio::test]
async fn roles_outside_the_jurisdiction_are_refused() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (homes, _, c, _) = homes_in_open_campaign(app, &f).await;
    other_staff(app, &f).await;
    let router = server::router(app.clone());
    let households = format!("/screening/{c}/households");
    let grid2_household = format!("/screening/{c}/households/{}", homes[4]);

    // Another community's lead: the campaign does not exist for them.
    let mut other = Client::signed_in(router.clone(), "otherstaff").await;
    for path in [
        format!("/screening/{c}"),
        households.clone(),
        format!("/screening/{c}/progress"),
        format!("/screening/{c}/households/{}", homes[0]),
    ] {
        assert_eq!(
            other.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // A doctor does not screen.
    let mut doctor = Client::signed_in(router.clone(), "doctor").await;
    assert_eq!(doctor.get(&households).await.status, StatusCode::FORBIDDEN);
    // The grid worker of grid 1 does not see grid 2's household.
    let mut worker = Client::signed_in(router.clone(), "gridworker").await;
    assert_eq!(
        worker.get(&grid2_household).await.status,
        StatusCode::NOT_FOUND
    );
    // A volunteer of no team does not see the household, nor record for it.
    let mut volunteer = Client::signed_in(router.clone(), "volunteer").await;
    let page_path = format!("/screening/{c}/households/{}", homes[0]);
    let page = volunteer.get(&page_path).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let list = volunteer.get(&households).await;
    assert_eq!(list.status, StatusCode::OK);
    let csrf = list
        .form_csrf("/logout")
        .expect("the page carries the session token");
    let audit = audit_len(app, &f).await;
    let res = volunteer
        .post_form(
            &format!("{page_path}/attempts"),
            &[
                ("csrf", csrf.as_str()),
                ("key", "volunteer-key"),
                ("contact", "call_no_answer"),
            ],
        )
        .await;
    res.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(audit_len(app, &f).await, audit, "nothing written");
}
