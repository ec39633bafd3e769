//! The three registers, exported masked and audited.

use domain::screening::RawAnswer;
use store::audit::AuditFilter;

use super::{attempt, homes, open_campaign};
use crate::support::{TestDb, assert_field_error, assert_forbidden, citizen_id, fixture};

#[tokio::test]
async fn the_three_registers_export_masked_and_audited() {
    let t = TestDb::new().await;
    let app = &t.app;
    let f = fixture(app).await;
    let (homes, [zhang, li]) = homes(app, &f).await;
    let (c, _) = open_campaign(app, &f).await;
    let mut answer = attempt("visit", "met", "a");
    answer.answers = vec![
        RawAnswer {
            resident_id: zhang,
            travel_status: "returned".to_owned(),
            origin: "42".to_owned(),
            returned_on: "2020-01-20".to_owned(),
        },
        RawAnswer {
            resident_id: li,
            travel_status: "stayed_in_city".to_owned(),
            ..Default::default()
        },
    ];
    app.record_screening_attempt(&f.grid_worker, c, homes[2], &answer)
        .await
        .expect("answered");
    let bytes = app
        .export_screening_register(&f.staff, c, "returned", false)
        .await
        .expect("export");
    let table = sheets::read_table(&bytes, Some("returned.xlsx")).expect("xlsx");
    assert_eq!(table.rows.len(), 1);
    let row = &table.rows[0];
    assert_eq!(row.cell(0), "张三");
    assert!(row.cell(2).contains('*'), "masked: {}", row.cell(2));
    assert_ne!(row.cell(2), citizen_id(1));
    assert_eq!(row.cell(9), "420000 湖北省");
    let stayed = app
        .export_screening_register(&f.staff, c, "stayed_in_city", true)
        .await
        .expect("unmasked export");
    let table = sheets::read_table(&stayed, Some("stayed.xlsx")).expect("xlsx");
    assert_eq!(table.rows.len(), 1);
    assert_eq!(table.rows[0].cell(2), citizen_id(2));
    let trail = app
        .audit_trail(
            &f.admin,
            &AuditFilter {
                action: Some("screening_export_unmasked".to_owned()),
                ..Default::default()
            },
            10,
        )
        .await
        .expect("audit");
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].account_name, "staff");
    // Masked only for roles that cannot unmask; unknown registers are refused.
    assert_forbidden(
        app.export_screening_register(&f.official, c, "returned", true)
            .await,
    );
    assert_field_error(
        app.export_screening_register(&f.staff, c, "everyone", false)
            .await,
        "register",
        "unknown_travel_status",
    );
}
