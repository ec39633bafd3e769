//! A large load: the residents' secondary indexes set aside while it writes and built again
//! after it, or when the database is next opened if the load was killed.

use app::registry::ResidentQuery;
use domain::page::PageRequest;

use crate::support::{TestDb, assert_chain_intact, citizen_id, fixture, prepare_staff_import};

/// A register of `n` residents in 1号楼, unit 1, one room each.
fn large_register(n: u32, first: u32) -> String {
    let mut out = String::from("姓名,身份证号,楼栋,单元,房号\r\n");
    for i in first..first + n {
        out.push_str(&format!(
            "居民{i},{},1号楼,1,{}\r\n",
            citizen_id(i),
            100 + i
        ));
    }
    out
}

/// The resident indexes set aside and not yet built again.
async fn missing_indexes(conn: &mut store::Conn) -> Vec<&'static str> {
    store::deferred_indexes::missing(conn)
        .await
        .expect("indexes")
}

#[tokio::test]
async fn a_large_first_import_loads_without_the_indexes_and_builds_them_again() {
    let db = TestDb::new().await;
    let mut app = db.app.clone();
    let f = fixture(&app).await;
    app.settings.imports.set_indexes_aside_from_rows = 20;
    let prepared = prepare_staff_import(&app, &f, "first.csv", large_register(30, 300))
        .await
        .expect("prepare");
    let done = app.run_import(prepared, &|_| {}).await.expect("import");
    assert_eq!(done.inserted, 30);
    let mut conn = app.db.conn().await.expect("conn");
    assert!(
        missing_indexes(&mut conn).await.is_empty(),
        "every index is built again after the load"
    );
    // The indexes serve again: a search by name finds the resident.
    let found = app
        .residents(
            &f.staff,
            &ResidentQuery {
                q: Some("居民301".to_owned()),
                ..Default::default()
            },
            PageRequest::first(),
        )
        .await
        .expect("search");
    assert_eq!(found.items.len(), 1);

    // An import killed while the indexes were set aside: opening the database builds them.
    store::deferred_indexes::set_aside(&mut conn)
        .await
        .expect("set aside");
    assert_eq!(
        missing_indexes(&mut conn).await.len(),
        store::deferred_indexes::RESIDENT_INDEXES.len()
    );
    drop(conn);
    app.db.migrate().await.expect("open again");
    let mut conn = app.db.conn().await.expect("conn");
    assert!(missing_indexes(&mut conn).await.is_empty());
    drop(conn);

    // A smaller import into the now larger table keeps its indexes up to date as it goes, and
    // re-running the first changes nothing.
    let again = prepare_staff_import(&app, &f, "first.csv", large_register(30, 300))
        .await
        .expect("prepare");
    let again = app.run_import(again, &|_| {}).await.expect("import");
    assert_eq!((again.inserted, again.unchanged), (0, 30));
    assert_chain_intact(&app, &f.auditor).await;
}
