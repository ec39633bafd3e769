//! Files that are not registers, callers without the right, and numbers registered in
//! another community: refused, and nothing taken over.

use app::AppError;

use crate::support::{
    TestDb, assert_field_error, assert_forbidden, assert_not_found, citizen_id, household,
    prepare_staff_import, raw_resident, rejects_of,
};

use super::{HEADERS, counts, csv, import, residents_by_name, row};

#[tokio::test]
async fn files_that_are_not_registers_and_callers_without_rights_are_refused() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;

    let no_id = csv(
        &["姓名", "联系电话", "楼栋", "单元", "房号"],
        &[row(&["张三", "13800000001", "1号楼", "1", "101"])],
    );
    let refused = prepare_staff_import(app, &f, "no-id.csv", no_id.as_str()).await;
    match &refused {
        Err(AppError::Validation(e)) => {
            assert_eq!(e.0.len(), 1, "{e:?}");
            assert_eq!(e.0[0].field, "file");
            assert_eq!(e.0[0].code, "missing_column");
            assert_eq!(e.0[0].detail, "document_number");
        }
        _ => panic!(
            "expected missing_column, got an import or {:?}",
            refused.err()
        ),
    }
    assert_field_error(
        prepare_staff_import(app, &f, "empty.csv", Vec::new())
            .await
            .map(|p| p.import_id),
        "file",
        "empty_sheet",
    );
    // Nothing was recorded for refused files.
    assert!(
        app.imports(&f.staff, f.community_id)
            .await
            .expect("imports")
            .is_empty()
    );

    let good = csv(
        &HEADERS,
        &[row(&["张三", &citizen_id(31), "", "1号楼", "1", "101"])],
    );
    for actor in [&f.grid_worker, &f.doctor, &f.official, &f.guard, &f.auditor] {
        assert_forbidden(
            app.prepare_import(actor, f.community_id, "r.csv", good.as_bytes().to_vec())
                .await
                .map(|p| p.import_id),
        );
    }
    assert_not_found(
        app.prepare_import(
            &f.staff,
            f.other_community_id,
            "r.csv",
            good.as_bytes().to_vec(),
        )
        .await
        .map(|p| p.import_id),
    );

    // Buildings are looked up in the community imported into: 1号楼 of the other community.
    let other = import(app, &f.admin, f.other_community_id, "r.csv", &good).await;
    assert_eq!(counts(&other), (1, 0, 0, 0));
    let people = residents_by_name(app, &f.admin, None).await;
    assert_eq!(people["张三"].address.building_id, f.other_building_id);
    assert_eq!(people["张三"].address.community_id, f.other_community_id);
    // Staff of the first community neither see it nor its import.
    assert!(residents_by_name(app, &f.staff, None).await.is_empty());
    assert_not_found(app.import_record(&f.staff, other.id).await);
}

/// An import may only merge into residents the importer could edit: a number already
/// registered in another community is a reject, not a takeover of that record.
#[tokio::test]
async fn an_import_does_not_take_over_residents_of_another_community() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let h = household(app, &f.admin, f.other_building_id, "1", "101").await;
    let outsider = app
        .create_resident(
            &f.admin,
            h,
            &raw_resident("外人", &citizen_id(40), "13800000040"),
        )
        .await
        .expect("resident of the other community");
    let file = csv(
        &HEADERS,
        &[row(&[
            "冒名",
            &citizen_id(40),
            "13999999999",
            "1号楼",
            "1",
            "101",
        ])],
    );
    let record = import(app, &f.staff, f.community_id, "x.csv", &file).await;
    assert_eq!(counts(&record), (0, 0, 0, 1), "refused, not merged");
    let rejects = rejects_of(app, &f, record.id).await;
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].column_name, "身份证号");
    let (after, merges) = app.resident(&f.admin, outsider).await.expect("read");
    assert_eq!(after.address.community_id, f.other_community_id);
    assert_eq!(after.particulars.name, "外人");
    assert_eq!(after.particulars.phone.as_deref(), Some("138****0040"));
    assert!(merges.is_empty());
}
