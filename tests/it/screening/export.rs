//! The three registers, exported masked and audited.

use super::{homes_in_open_campaign, met_at_home, register, returned, stayed_in_city};
use crate::support::{
    TestDb, assert_field_error, assert_forbidden, audit_action, audit_trail, citizen_id,
};

#[tokio::test]
async fn the_three_registers_export_masked_and_audited() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let (homes, [zhang, li], c, _) = homes_in_open_campaign(app, &f).await;
    let answer = met_at_home("a", vec![returned(zhang), stayed_in_city(li)]);
    app.record_screening_attempt(&f.grid_worker, c, homes[2], &answer)
        .await
        .expect("answered");
    let table = register(app, &f.staff, c, "returned", false).await;
    assert_eq!(table.rows.len(), 1);
    let row = &table.rows[0];
    assert_eq!(row.cell(0), "张三");
    assert!(row.cell(2).contains('*'), "masked: {}", row.cell(2));
    assert_ne!(row.cell(2), citizen_id(1));
    assert_eq!(row.cell(9), "420000 湖北省");
    let table = register(app, &f.staff, c, "stayed_in_city", true).await;
    assert_eq!(table.rows.len(), 1);
    assert_eq!(table.rows[0].cell(2), citizen_id(2));
    let trail = audit_trail(app, &f.admin, audit_action("screening_export_unmasked")).await;
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
