//! Renaming the nodes of the tree: who may, what the audit trail keeps, and the refusals.

use store::structure::Node;

use crate::support::{
    TestDb, assert_field_error, assert_forbidden, assert_not_found, audit_action, audit_trail,
};

#[tokio::test]
async fn staff_rename_grids_and_buildings_of_their_community_only() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    app.rename(&f.staff, Node::Grid(f.grid1_id), "第一网格")
        .await
        .expect("rename grid");
    assert_eq!(
        app.grid(&f.staff, f.grid1_id).await.expect("grid").name,
        "第一网格"
    );
    app.rename(&f.staff, Node::Building(f.building1_id), "1栋")
        .await
        .expect("rename building");

    let trail = audit_trail(app, &f.auditor, audit_action("grid_rename")).await;
    assert_eq!(trail.len(), 1);
    assert!(trail[0].before.as_deref().unwrap_or("").contains("Grid 1"));
    assert!(trail[0].after.as_deref().unwrap_or("").contains("第一网格"));

    // Same name as a sibling: refused.
    assert_field_error(
        app.rename(&f.staff, Node::Grid(f.grid1_id), "Grid 2").await,
        "name",
        "duplicate_name",
    );
    // Outside the community: it does not exist for them.
    assert_not_found(app.rename(&f.staff, Node::Grid(f.other_grid_id), "x").await);
    // Grid workers and officials do not edit the structure; staff do not rename communities.
    for (actor, node) in [
        (&f.grid_worker, Node::Building(f.building1_id)),
        (&f.official, Node::Grid(f.grid1_id)),
        (&f.staff, Node::Community(f.community_id)),
    ] {
        assert_forbidden(app.rename(actor, node, "x").await);
    }
}
