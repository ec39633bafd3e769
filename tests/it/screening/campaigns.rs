//! Creating campaigns: their scope in building, unit and room order, and bad input.

use app::AppError;
use app::screening::{CampaignInput, HouseholdQuery};
use domain::page::PageRequest;

use super::{audit_len, campaign_input, draft_campaign, homes, over_grid};
use crate::support::{
    TestDb, assert_field_error, assert_forbidden, assert_not_found, first_page, household,
};

#[tokio::test]
async fn a_campaign_covers_its_scope_in_building_unit_and_room_order() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (homes, _) = homes(app, &f).await;
    household(app, &f.admin, f.other_building_id, "1", "101").await;

    let c = draft_campaign(app, &f, campaign_input("Whole community")).await;
    let all = app
        .screening_households(&f.staff, c, &HouseholdQuery::default(), first_page(2))
        .await
        .expect("first page");
    assert_eq!(
        all.items
            .iter()
            .map(|h| h.address.household_id)
            .collect::<Vec<_>>(),
        homes[..2]
    );
    // Paged by key: the next page continues after the last rank.
    let rest = app
        .screening_households(
            &f.staff,
            c,
            &HouseholdQuery::default(),
            PageRequest::new(all.next, Some(10)),
        )
        .await
        .expect("next page");
    assert_eq!(
        rest.items
            .iter()
            .map(|h| h.address.household_id)
            .collect::<Vec<_>>(),
        homes[2..],
        "the other community's household is not in the scope"
    );

    // Some grids only.
    let g2 = draft_campaign(app, &f, over_grid("Grid 2", f.grid2_id)).await;
    let p = app
        .screening_progress(&f.staff, g2)
        .await
        .expect("progress");
    assert_eq!((p.total.households, p.total.open), (1, 1));
    let p = app.screening_progress(&f.staff, c).await.expect("progress");
    assert_eq!(p.total.households, 5);
    assert_eq!(p.grids.len(), 2);
    assert_eq!(p.grids[0].households, 4);
}

#[tokio::test]
async fn bad_campaigns_are_refused_and_write_nothing() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    homes(app, &f).await;
    let before = audit_len(app, &f).await;
    let bad = CampaignInput {
        name: "  ".to_owned(),
        questions: vec![("99".to_owned(), "2020-01-10".to_owned())],
        grid_ids: vec![f.other_grid_id],
        unreachable_after: "0".to_owned(),
    };
    let r = app.create_campaign(&f.staff, f.community_id, &bad).await;
    let Err(AppError::Validation(e)) = r else {
        panic!("expected validation errors, got {r:?}");
    };
    for (field, code) in [
        ("name", "required"),
        ("questions[0].region", "unknown_province"),
        ("grid_ids", "unknown_grid"),
        ("unreachable_after", "unreachable_after_out_of_range"),
    ] {
        assert!(
            e.0.iter().any(|x| x.field == field && x.code == code),
            "{field}: {code} in {e:?}"
        );
    }
    assert_field_error(
        app.create_campaign(
            &f.staff,
            f.community_id,
            &CampaignInput {
                questions: vec![],
                ..campaign_input("x")
            },
        )
        .await,
        "questions",
        "question_required",
    );
    assert_eq!(audit_len(app, &f).await, before, "nothing written");
    assert!(
        app.screening_campaigns(&f.staff, Some(f.community_id), PageRequest::first())
            .await
            .expect("list")
            .items
            .is_empty()
    );

    // Roles and jurisdiction.
    assert_forbidden(
        app.create_campaign(&f.grid_worker, f.community_id, &campaign_input("x"))
            .await,
    );
    assert_forbidden(
        app.create_campaign(&f.doctor, f.community_id, &campaign_input("x"))
            .await,
    );
    assert_not_found(
        app.create_campaign(&f.staff, f.other_community_id, &campaign_input("x"))
            .await,
    );
    draft_campaign(app, &f, campaign_input("Once")).await;
    assert_field_error(
        app.create_campaign(&f.staff, f.community_id, &campaign_input("Once"))
            .await,
        "name",
        "duplicate_name",
    );
}
