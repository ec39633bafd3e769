//! A large load: the residents' secondary indexes set aside while it writes and built again
//! after it, or when the database is next opened if the load was killed.

use crate::support::{
    TestDb, assert_chain_intact, citizen_id, fixture, prepare_staff_import, rejects_of,
    search_residents,
};

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

/// A fresh database whose imports of 20 rows or more load with the indexes set aside, in
/// batches of `batch_rows`.
async fn loading(batch_rows: usize) -> (TestDb, app::App, crate::support::Fixture) {
    let db = TestDb::new().await;
    let mut app = db.app.clone();
    let f = fixture(&app).await;
    app.settings.imports.set_indexes_aside_from_rows = 20;
    app.settings.imports.batch_rows = batch_rows;
    (db, app, f)
}

#[tokio::test]
async fn a_large_first_import_loads_without_the_indexes_and_builds_them_again() {
    let (_db, app, f) = loading(app::import::BATCH_ROWS).await;
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
    let found = search_residents(&app, &f.staff, "居民301").await;
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

/// The codes of an import's rejected rows, by row number.
async fn rejected_codes(
    app: &app::App,
    f: &crate::support::Fixture,
    id: i64,
) -> Vec<(i64, String)> {
    rejects_of(app, f, id)
        .await
        .into_iter()
        .map(|r| (r.row_number, r.code))
        .collect()
}

#[tokio::test]
async fn a_first_load_commits_its_batches_in_groups_and_still_finds_duplicates_across_them() {
    let (_db, app, f) = loading(10).await;
    // 70 residents, then the sixth of them again: eight batches, two groups of commits.
    let mut file = large_register(70, 300);
    file.push_str(&format!("居民305又,{},1号楼,1,999\r\n", citizen_id(305)));
    let prepared = prepare_staff_import(&app, &f, "first.csv", file)
        .await
        .expect("prepare");
    let done = app.run_import(prepared, &|_| {}).await.expect("import");
    assert_eq!((done.inserted, done.rejected), (70, 1));
    assert_eq!(
        rejected_codes(&app, &f, done.id).await,
        vec![(72, "duplicate_in_file".to_owned())],
        "the header is row 1: the repeated person is row 72"
    );
    let batches = crate::support::audit_trail(
        &app,
        &f.auditor,
        crate::support::audit_action("import_batch"),
    )
    .await;
    assert_eq!(
        batches.len(),
        8,
        "one audit entry a batch, whatever the commits"
    );
    let mut conn = app.db.conn().await.expect("conn");
    assert!(missing_indexes(&mut conn).await.is_empty());
    drop(conn);
    assert_chain_intact(&app, &f.auditor).await;
}

/// A first load into an empty table does not look its ID numbers up among stored residents
/// while the table holds only its own; once anyone else writes between two of its commits, it
/// looks them up again, so a person registered meanwhile elsewhere is refused, not inserted
/// twice (which the unique index would turn into a failed import).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_load_looks_up_stored_residents_again_once_another_writer_wrote() {
    let (_db, app, f) = loading(10).await;
    let elsewhere = format!(
        "姓名,身份证号,楼栋,单元,房号\r\n别处的人,{},1号楼,1,1\r\n",
        citizen_id(365)
    );
    let registered = std::sync::atomic::AtomicBool::new(false);
    let on_progress = |p: app::import::Progress| {
        // After the first group's commit, while the load holds no transaction.
        if p.processed != 50 || registered.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async {
                let other = app
                    .prepare_import(
                        &f.admin,
                        f.other_community_id,
                        "other.csv",
                        elsewhere.clone().into_bytes(),
                    )
                    .await
                    .expect("prepare the other community's import");
                let done = app.run_import(other, &|_| {}).await.expect("other import");
                assert_eq!(done.inserted, 1);
            });
        });
    };
    let prepared = prepare_staff_import(&app, &f, "first.csv", large_register(70, 300))
        .await
        .expect("prepare");
    let done = app
        .run_import(prepared, &on_progress)
        .await
        .expect("import");
    assert!(
        registered.into_inner(),
        "the other writer ran between two commits"
    );
    assert_eq!((done.inserted, done.rejected), (69, 1));
    assert_eq!(
        rejected_codes(&app, &f, done.id).await,
        vec![(67, "registered_elsewhere".to_owned())]
    );
    assert_chain_intact(&app, &f.auditor).await;
}
