//! Each role sees and changes only its jurisdiction, and only what the role needs.

use std::collections::BTreeSet;

use app::registry::ResidentQuery;
use app::{Actor, App, AppError, AppResult};
use domain::access::Role;
use domain::page::PageRequest;
use store::audit::AuditFilter;
use store::registry::HouseholdFilter;

use crate::support::{
    Fixture, TestDb, assert_field_error, assert_forbidden, assert_not_found, citizen_id, household,
    raw_resident, search_residents,
};

/// One resident in each building of the fixture, with their households.
struct Town {
    /// Households in 1号楼, 2号楼 (grid 1), 3号楼 (grid 2), and the other community.
    h1: i64,
    h2: i64,
    h3: i64,
    h_other: i64,
    r1: i64,
    r2: i64,
    r3: i64,
    r_other: i64,
}

async fn town(app: &App, f: &Fixture) -> Town {
    let h1 = household(app, &f.admin, f.building1_id, "1", "101").await;
    let h2 = household(app, &f.admin, f.building2_id, "1", "201").await;
    let h3 = household(app, &f.admin, f.building3_id, "1", "301").await;
    let h_other = household(app, &f.admin, f.other_building_id, "1", "101").await;
    let resident = async |h: i64, name: &str, n: u32| {
        app.create_resident(
            &f.admin,
            h,
            &raw_resident(name, &citizen_id(n), &format!("1380000000{n}")),
        )
        .await
        .expect("create resident")
    };
    let r1 = resident(h1, "一号", 1).await;
    let r2 = resident(h2, "二号", 2).await;
    let r3 = resident(h3, "三号", 3).await;
    let r_other = resident(h_other, "外号", 4).await;
    Town {
        h1,
        h2,
        h3,
        h_other,
        r1,
        r2,
        r3,
        r_other,
    }
}

/// What each role may browse: `None` for roles without registry access.
fn visible(t: &Town, actor: &Actor) -> Option<(BTreeSet<i64>, BTreeSet<i64>)> {
    let all_r = BTreeSet::from([t.r1, t.r2, t.r3, t.r_other]);
    let all_h = BTreeSet::from([t.h1, t.h2, t.h3, t.h_other]);
    let community_r = BTreeSet::from([t.r1, t.r2, t.r3]);
    let community_h = BTreeSet::from([t.h1, t.h2, t.h3]);
    match actor.role {
        Role::Admin | Role::Official | Role::CdcLiaison => Some((all_r, all_h)),
        Role::CommunityStaff | Role::Doctor => Some((community_r, community_h)),
        Role::GridWorker => Some((BTreeSet::from([t.r1, t.r2]), BTreeSet::from([t.h1, t.h2]))),
        Role::Guard | Role::Volunteer | Role::Auditor => None,
    }
}

async fn listed_residents(app: &App, actor: &Actor) -> AppResult<BTreeSet<i64>> {
    let page = app
        .residents(actor, &ResidentQuery::default(), PageRequest::first())
        .await?;
    Ok(page.items.iter().map(|r| r.id).collect())
}

async fn listed_households(app: &App, actor: &Actor) -> AppResult<BTreeSet<i64>> {
    let page = app
        .households(actor, &HouseholdFilter::default(), PageRequest::first())
        .await?;
    Ok(page.items.iter().map(|h| h.id).collect())
}

#[tokio::test]
async fn every_role_lists_and_reads_only_its_jurisdiction() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let t = town(app, &f).await;
    for actor in f.actors() {
        let role = actor.role.code();
        match visible(&t, actor) {
            None => {
                assert_forbidden(listed_residents(app, actor).await);
                assert_forbidden(listed_households(app, actor).await);
                assert_forbidden(app.resident(actor, t.r1).await);
                assert_forbidden(app.household(actor, t.h1).await);
            }
            Some((residents, households)) => {
                assert_eq!(
                    listed_residents(app, actor).await.expect("list residents"),
                    residents,
                    "residents listed for {role}"
                );
                assert_eq!(
                    listed_households(app, actor)
                        .await
                        .expect("list households"),
                    households,
                    "households listed for {role}"
                );
                for r in [t.r1, t.r2, t.r3, t.r_other] {
                    let read = app.resident(actor, r).await;
                    if residents.contains(&r) {
                        assert_eq!(read.expect("readable").0.id, r, "{role}");
                    } else {
                        assert_not_found(read);
                    }
                }
                for h in [t.h1, t.h2, t.h3, t.h_other] {
                    let read = app.household(actor, h).await;
                    if households.contains(&h) {
                        assert_eq!(read.expect("readable").0.id, h, "{role}");
                    } else {
                        assert_not_found(read);
                    }
                }
                // A filter naming a place outside the jurisdiction finds nothing there.
                let outside = app
                    .residents(
                        actor,
                        &ResidentQuery {
                            building_id: Some(f.other_building_id),
                            ..Default::default()
                        },
                        PageRequest::first(),
                    )
                    .await
                    .expect("filtered list");
                let expected: Vec<i64> = residents
                    .iter()
                    .copied()
                    .filter(|r| *r == t.r_other)
                    .collect();
                assert_eq!(
                    outside.items.iter().map(|r| r.id).collect::<Vec<_>>(),
                    expected,
                    "{role}"
                );
                // A search by ID number does not reach across the boundary either.
                let by_id = search_residents(app, actor, &citizen_id(4)).await;
                assert_eq!(by_id.items.len(), expected.len(), "{role}");
            }
        }
    }
    // Structure lists are scoped too.
    for actor in [&f.official, &f.cdc, &f.admin] {
        let communities = app.communities(actor).await.expect("communities");
        assert_eq!(
            communities
                .iter()
                .map(|c| (c.id, c.street_id, c.district_id))
                .collect::<Vec<_>>(),
            vec![
                (f.community_id, f.street_id, f.district_id),
                (f.other_community_id, f.street_id, f.district_id),
            ]
        );
    }
    let communities = app.communities(&f.staff).await.expect("communities");
    assert_eq!(
        communities.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![f.community_id]
    );
    let grids = app
        .grids(&f.grid_worker, f.community_id)
        .await
        .expect("grids");
    assert_eq!(
        grids.iter().map(|g| g.id).collect::<Vec<_>>(),
        vec![f.grid1_id]
    );
}

/// Asserts that a write outside the actor's jurisdiction was refused without revealing
/// anything: not found, forbidden, or the form's "unknown" field error.
#[track_caller]
fn assert_refused<T: std::fmt::Debug>(result: AppResult<T>) {
    let refused = match &result {
        Err(AppError::NotFound | AppError::Forbidden) => true,
        Err(AppError::Validation(e)) => e.0.iter().any(|e| e.code.starts_with("unknown_")),
        _ => false,
    };
    assert!(refused, "expected a refusal, got {result:?}");
}

#[tokio::test]
async fn writes_outside_the_jurisdiction_or_role_fail_and_change_nothing() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let t = town(app, &f).await;

    // Editors, on a resident and household they cannot see.
    for (actor, (out_h, out_r, out_building)) in [
        (&f.staff, (t.h_other, t.r_other, f.other_building_id)),
        (&f.grid_worker, (t.h3, t.r3, f.building3_id)),
    ] {
        let own_h = t.h1;
        assert_field_error(
            app.create_household(
                actor,
                &crate::support::household_input(out_building, "9", "909", ""),
            )
            .await,
            "building_id",
            "unknown_building",
        );
        assert_field_error(
            app.create_resident(actor, out_h, &raw_resident("新人", &citizen_id(50), ""))
                .await,
            "household_id",
            "unknown_household",
        );
        // Moving someone into a household outside, or editing someone outside.
        assert_refused(
            app.update_resident(
                actor,
                t.r1,
                1,
                out_h,
                &raw_resident("一号", &citizen_id(1), ""),
            )
            .await,
        );
        assert_not_found(
            app.update_resident(
                actor,
                out_r,
                1,
                own_h,
                &raw_resident("改", &citizen_id(3), ""),
            )
            .await,
        );
        assert_refused(
            app.update_resident(
                actor,
                out_r,
                1,
                out_h,
                &raw_resident("改", &citizen_id(3), ""),
            )
            .await,
        );
        assert_not_found(app.delete_resident(actor, out_r, "moved away").await);
        assert_not_found(
            app.update_household(actor, out_h, "13900000000", None)
                .await,
        );
        assert_not_found(app.unmask_resident(actor, out_r, "curious").await);
    }
    // The grid worker cannot build in another grid; staff not in another community.
    assert_refused(
        app.create_building(&f.grid_worker, f.grid2_id, "4号楼")
            .await,
    );
    assert_refused(
        app.create_building(&f.staff, f.other_grid_id, "4号楼")
            .await,
    );
    assert_refused(
        app.create_grid(&f.staff, f.other_community_id, "Grid 9")
            .await,
    );

    // Roles that may look but not edit, and roles without registry access.
    for actor in [
        &f.official,
        &f.doctor,
        &f.cdc,
        &f.guard,
        &f.volunteer,
        &f.auditor,
    ] {
        assert_forbidden(
            app.create_household(
                actor,
                &crate::support::household_input(f.building1_id, "9", "909", ""),
            )
            .await,
        );
        assert_forbidden(
            app.create_resident(actor, t.h1, &raw_resident("新人", &citizen_id(51), ""))
                .await,
        );
        assert_forbidden(
            app.update_resident(
                actor,
                t.r1,
                1,
                t.h1,
                &raw_resident("改", &citizen_id(1), ""),
            )
            .await,
        );
        assert_forbidden(app.delete_resident(actor, t.r1, "test").await);
        assert_forbidden(app.update_household(actor, t.h1, "", None).await);
        assert_forbidden(app.create_building(actor, f.grid1_id, "5号楼").await);
    }

    // Nothing changed: the same four residents, each at version 1 with its name.
    let page = app
        .residents(&f.admin, &ResidentQuery::default(), PageRequest::first())
        .await
        .expect("list");
    let state: Vec<(i64, String, i64, i64)> = page
        .items
        .iter()
        .map(|r| {
            (
                r.id,
                r.particulars.name.clone(),
                r.version,
                r.address.household_id,
            )
        })
        .collect();
    assert_eq!(
        state,
        vec![
            (t.r1, "一号".to_owned(), 1, t.h1),
            (t.r2, "二号".to_owned(), 1, t.h2),
            (t.r3, "三号".to_owned(), 1, t.h3),
            (t.r_other, "外号".to_owned(), 1, t.h_other),
        ]
    );
    let households = listed_households(app, &f.admin).await.expect("households");
    assert_eq!(households, BTreeSet::from([t.h1, t.h2, t.h3, t.h_other]));
    let (h_other, _) = app.household(&f.admin, t.h_other).await.expect("read");
    assert_eq!(h_other.phone, None);

    // Inside the jurisdiction the same writes work.
    app.update_resident(
        &f.grid_worker,
        t.r2,
        1,
        t.h1,
        &raw_resident("二号", &citizen_id(2), "13800000002"),
    )
    .await
    .expect("grid worker edits in grid 1");
    app.delete_resident(&f.staff, t.r3, "moved away")
        .await
        .expect("staff deletes in the community");
    assert_not_found(app.resident(&f.admin, t.r3).await);
}

#[tokio::test]
async fn only_contact_roles_unmask_and_every_unmask_is_audited() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let t = town(app, &f).await;
    let unmask_filter = AuditFilter {
        action: Some("resident_unmask".to_owned()),
        ..Default::default()
    };
    let mut allowed = Vec::new();
    for actor in f.actors() {
        let result = app.unmask_resident(actor, t.r1, "follow-up call").await;
        if matches!(
            actor.role,
            Role::CommunityStaff | Role::GridWorker | Role::Doctor | Role::CdcLiaison
        ) {
            let u = result.expect("a contact role unmasks");
            assert_eq!(u.resident_id, t.r1);
            assert_eq!(u.document_number, citizen_id(1));
            assert_eq!(u.phone.as_deref(), Some("13800000001"));
            allowed.push(actor.username.clone());
            let trail = app
                .audit_trail(&f.auditor, &unmask_filter, 100)
                .await
                .expect("audit trail");
            assert_eq!(trail.len(), allowed.len(), "one entry per unmask");
            let newest = &trail[0];
            assert_eq!(newest.account_name, actor.username);
            assert_eq!(newest.account_id, Some(actor.account_id));
            assert_eq!(newest.role, actor.role.code());
            assert_eq!(newest.object_type, "resident");
            assert_eq!(newest.object_id, t.r1.to_string());
            assert_eq!(newest.community_id, Some(f.community_id));
            assert_eq!(newest.reason.as_deref(), Some("follow-up call"));
            let after = newest.after.as_deref().unwrap_or_default();
            assert!(!after.contains(&citizen_id(1)), "full ID in the trail");
        } else {
            assert_forbidden(result);
        }
    }
    assert_eq!(allowed, ["staff", "gridworker", "doctor", "cdc"]);

    // Refused unmasks (outside the jurisdiction) leave no entry.
    assert_not_found(app.unmask_resident(&f.grid_worker, t.r3, "x").await);
    assert_not_found(app.unmask_resident(&f.doctor, t.r_other, "x").await);
    let trail = app
        .audit_trail(&f.auditor, &unmask_filter, 100)
        .await
        .expect("audit trail");
    assert_eq!(trail.len(), 4);
    let verification = app.verify_audit(&f.auditor).await.expect("verify");
    assert_eq!(verification.broken_at, None);
}

#[tokio::test]
async fn the_people_a_form_may_name_responsible_are_those_covering_the_building() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let grid1 = app
        .responsible_candidates(&f.staff, f.building1_id)
        .await
        .expect("candidates in grid 1");
    assert_eq!(
        grid1.doctors.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![f.doctor.account_id],
        "the community's doctor covers every building"
    );
    assert_eq!(
        grid1.grid_workers.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![f.grid_worker.account_id]
    );
    assert_eq!(
        grid1.name_of(&Some(f.doctor.account_id)),
        f.doctor.display_name
    );
    assert_eq!(grid1.name_of(&Some(987_654)), "#987654");
    assert_eq!(grid1.name_of(&None), "");
    // The fixture's grid worker works grid 1: nobody is offered for grid 2's buildings.
    let grid2 = app
        .responsible_candidates(&f.staff, f.building3_id)
        .await
        .expect("candidates in grid 2");
    assert!(grid2.grid_workers.is_empty());
    assert_eq!(grid2.doctors.len(), 1);
    // Outside the jurisdiction the building does not exist; the guard reads no orders.
    assert_not_found(
        app.responsible_candidates(&f.staff, f.other_building_id)
            .await,
    );
    assert_forbidden(app.responsible_candidates(&f.guard, f.building1_id).await);
}
