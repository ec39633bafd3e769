//! A register with bad rows: the reject report, the merge of a second file, and a reimport
//! that changes nothing.

use crate::support::{
    TestDb, assert_chain_intact, audit_action, audit_trail, citizen_id, rejects_of,
    search_residents,
};

use super::{HEADERS, counts, csv, good_rows, import, register, residents_by_name};

#[tokio::test]
async fn a_register_imports_with_a_reject_report_and_reimports_as_unchanged() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let bytes = register();

    let first = import(app, &f.staff, f.community_id, "register.csv", &bytes).await;
    assert_eq!(first.total_rows, 9, "the empty line is not a row");
    assert_eq!(counts(&first), (5, 0, 0, 4));

    let rejects = rejects_of(app, &f, first.id).await;
    let got = super::rejected_cells(&rejects);
    assert_eq!(
        got,
        vec![
            (5, "身份证号", "citizen_id_check_digit"),
            (6, "楼栋", "unknown_building"),
            (7, "联系电话", "phone_format"),
            (9, "身份证号", "duplicate_in_file"),
        ]
    );
    assert_eq!(rejects[1].detail, "9号楼");
    assert_eq!(rejects[3].detail, "2", "names the first row of that person");
    let cells: Vec<String> = serde_json::from_str(&rejects[2].cells).expect("cells are JSON");
    assert_eq!(cells[0], "孙六");
    assert_eq!(cells[2], "12345");

    let people = residents_by_name(app, &f.staff, None).await;
    assert_eq!(
        people.keys().map(String::as_str).collect::<Vec<_>>(),
        ["吴八", "周七", "王一", "王三", "王二"]
    );
    let wang3 = &people["王三"];
    assert_eq!(
        (
            wang3.address.building_id,
            wang3.address.unit_name.as_str(),
            wang3.address.room.as_str()
        ),
        (f.building2_id, "2", "201")
    );
    assert_eq!(wang3.particulars.hukou.code(), "resident_only");
    assert_eq!(wang3.particulars.tenure.code(), "tenant");
    assert_eq!(wang3.particulars.travel_status.code(), "returned");
    assert_eq!(wang3.particulars.travel_origin.as_deref(), Some("武汉"));
    assert_eq!(wang3.particulars.returned_on.as_deref(), Some("2020-01-22"));
    assert_eq!(
        wang3.particulars.vulnerabilities,
        1 | 2,
        "elderly alone and chronic illness"
    );
    assert_eq!(wang3.particulars.notes, "居家隔离");
    assert_eq!(wang3.particulars.document_masked, {
        let id = citizen_id(3);
        format!("610825********{}", &id[14..])
    });
    assert_eq!(wang3.particulars.phone.as_deref(), Some("138****0003"));
    let wang1 = &people["王一"];
    assert_eq!(
        wang1.address.household_id,
        people["王二"].address.household_id
    );
    assert_eq!(wang1.particulars.hukou.code(), "registered");
    assert_eq!(wang1.particulars.tenure.code(), "owner");
    assert_eq!(wang1.particulars.travel_status.code(), "stayed_in_city");
    assert_eq!(people["吴八"].particulars.vulnerabilities, 4, "pregnancy");
    assert_eq!(people["周七"].particulars.phone, None);
    assert_eq!(people["周七"].address.grid_id, f.grid2_id);
    // Imported numbers are sealed and indexed like typed ones.
    let found = search_residents(app, &f.staff, &citizen_id(5)).await;
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].particulars.name, "吴八");
    let unmasked = app
        .unmask_resident(&f.staff, found.items[0].id, "check")
        .await
        .expect("unmask");
    assert_eq!(unmasked.document_number, citizen_id(5));
    assert_eq!(unmasked.phone.as_deref(), Some("13800000005"));

    // The same file again changes nothing.
    let again = import(app, &f.staff, f.community_id, "register.csv", &bytes).await;
    assert_eq!(counts(&again), (0, 0, 5, 4));
    assert_eq!(residents_by_name(app, &f.staff, None).await.len(), 5);
    let (_, merges) = app.resident(&f.staff, wang1.id).await.expect("read");
    assert!(merges.is_empty());

    // A later register with one new phone, and an empty phone cell that must not blank one.
    let rows: Vec<Vec<String>> = good_rows("13900000001", "")
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let v2 = csv(&HEADERS, &rows);
    let third = import(app, &f.staff, f.community_id, "register-v2.csv", &v2).await;
    assert_eq!(counts(&third), (0, 1, 4, 0));
    let (after, merges) = app.resident(&f.staff, wang1.id).await.expect("read");
    assert_eq!(after.particulars.phone.as_deref(), Some("139****0001"));
    assert_eq!(after.version, wang1.version + 1);
    assert_eq!(merges.len(), 1);
    let merge = &merges[0];
    assert_eq!(merge.source, "register-v2.csv");
    assert_eq!(merge.import_id, Some(third.id));
    let changes: serde_json::Value = serde_json::from_str(&merge.changes).expect("JSON");
    assert_eq!(changes["file"], "register-v2.csv");
    assert_eq!(changes["fields"], serde_json::json!(["phone"]));
    assert_eq!(changes["row"], 2);
    let people = residents_by_name(app, &f.staff, None).await;
    assert_eq!(
        people["王二"].particulars.phone.as_deref(),
        Some("138****0002")
    );

    // Every run is listed, newest first, and the rejects come back as a workbook.
    let listed = app
        .imports(&f.staff, f.community_id)
        .await
        .expect("imports");
    assert_eq!(
        listed.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![third.id, again.id, first.id]
    );
    let workbook = app
        .rejects_workbook(&f.staff, first.id, &|code, _, detail| {
            format!("{code} {detail}")
        })
        .await
        .expect("rejects workbook");
    assert!(workbook.starts_with(b"PK"), "an xlsx is a zip file");
    assert!(workbook.len() > 1000);

    // The import is in the audit trail, batch by batch.
    let filter = store::audit::AuditFilter {
        object_id: Some(first.id.to_string()),
        ..audit_action("import_batch")
    };
    let trail = audit_trail(app, &f.auditor, filter).await;
    assert_eq!(trail.len(), 1);
    let after: serde_json::Value =
        serde_json::from_str(trail[0].after.as_deref().expect("after")).expect("JSON");
    assert_eq!(after["inserted"], 5);
    assert_eq!(after["rejected"], 4);
    assert_chain_intact(app, &f.auditor).await;
}
