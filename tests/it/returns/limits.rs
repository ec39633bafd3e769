//! The public page's limits under concurrent submissions: the client's limit is judged in the
//! write transaction, whatever a read before it saw.

use app::AppError;
use app::returns::Applied;
use jiff::Timestamp;
use store::returns::Limit;

use super::{input, with_log};
use crate::support::{TestDb, citizen_id};

/// The client address of the flood.
const FLOOD: &str = "198.51.100.200";

#[tokio::test]
async fn concurrent_submissions_of_one_client_let_through_exactly_its_limit() {
    let (t, f) = TestDb::with_fixture().await;
    let (mut app, log) = with_log(&t.app);
    app.settings.returns.attempts_per_client_per_hour = 3;
    let base = input(&app, &f).await;
    let mut set = tokio::task::JoinSet::new();
    for n in 0..8_u32 {
        // Each a person, a phone and a code of their own, the codes asked for elsewhere.
        let mut i = base.clone();
        i.document_number = citizen_id(20 + n);
        i.phone = format!("1370000{n:04}");
        app.request_return_code(&i.phone, &format!("198.51.100.{n}"), Timestamp::now())
            .await
            .expect("code sent");
        i.code = log.last_to(&i.phone).expect("a code").params[0].clone();
        let app = app.clone();
        set.spawn(async move { app.apply_for_return(&i, FLOOD, Timestamp::now()).await });
    }
    let (mut accepted, mut limited) = (0, 0);
    while let Some(r) = set.join_next().await {
        match r.expect("joined") {
            Ok(Applied::New { .. }) => accepted += 1,
            Err(AppError::RateLimited { .. }) => limited += 1,
            other => panic!("neither accepted nor limited: {other:?}"),
        }
    }
    assert_eq!((accepted, limited), (3, 5));
    let mut conn = app.db.conn().await.expect("conn");
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM return_applications WHERE client = $1")
            .bind(FLOOD)
            .fetch_one(&mut *conn)
            .await
            .expect("count");
    assert_eq!(stored, 3, "every accepted one is stored");
    // The refused ones are not counted: the client waits out the hour of its three.
    let counted = store::returns::attempts_since(&mut conn, Limit::Client, FLOOD, 0)
        .await
        .expect("count");
    assert_eq!(counted, 3);
}

#[tokio::test]
async fn an_attempt_is_counted_only_below_the_limit() {
    let (t, _f) = TestDb::with_fixture().await;
    let now = store::now_ms();
    let mut tx = t.app.db.write().await.expect("tx");
    let mut counted = Vec::new();
    for _ in 0..3 {
        counted.push(
            store::returns::attempt_within(tx.conn(), Limit::Phone, "13700000001", now, now - 1, 2)
                .await
                .expect("counted"),
        );
    }
    // Attempts before the window do not count against it.
    counted.push(
        store::returns::attempt_within(
            tx.conn(),
            Limit::Phone,
            "13700000001",
            now + 10,
            now + 1,
            2,
        )
        .await
        .expect("counted"),
    );
    tx.commit().await.expect("commit");
    assert_eq!(counted, vec![true, true, false, true]);
    let mut conn = t.app.db.conn().await.expect("conn");
    let n = store::returns::attempts_since(&mut conn, Limit::Phone, "13700000001", 0)
        .await
        .expect("count");
    assert_eq!(n, 3);
}
