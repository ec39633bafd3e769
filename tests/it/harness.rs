//! The harness itself: every test gets a database of its own, removed afterwards.

use sqlx::Row;

use crate::support::{TestDb, fixture};

#[tokio::test]
async fn each_test_database_is_separate_and_removed_on_drop() {
    let first = TestDb::new().await;
    let second = TestDb::new().await;
    let f = fixture(&first.app).await;
    assert_eq!(
        first
            .app
            .communities(&f.admin)
            .await
            .expect("communities")
            .len(),
        2
    );
    let (districts, streets) = second.app.districts().await.expect("districts");
    assert!(districts.is_empty() && streets.is_empty(), "nothing shared");

    match (first.schema(), second.schema()) {
        (Some(a), Some(b)) => {
            assert_ne!(a, b);
            let mut conn = first.app.db.conn().await.expect("connection");
            let current: String = sqlx::query("SELECT CAST(current_schema() AS TEXT)")
                .fetch_one(&mut *conn)
                .await
                .expect("current schema")
                .try_get(0)
                .expect("text");
            assert_eq!(current, a, "the search path names the test schema");
            drop(conn);
            let a = a.to_owned();
            drop(first);
            let mut conn = second.app.db.conn().await.expect("connection");
            let left: i64 = sqlx::query("SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1")
                .bind(&a)
                .fetch_one(&mut *conn)
                .await
                .expect("schema count")
                .try_get(0)
                .expect("count");
            assert_eq!(left, 0, "the schema is dropped with the database");
        }
        _ => {
            let a = first.sqlite_path().expect("SQLite file").to_owned();
            let b = second.sqlite_path().expect("SQLite file").to_owned();
            assert_ne!(a, b);
            assert!(a.exists());
            drop(first);
            assert!(!a.exists(), "the file is removed with the database");
        }
    }
}
