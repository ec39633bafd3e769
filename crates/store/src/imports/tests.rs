//! The bulk paths on a real database: SQLite always, PostgreSQL too when
//! `GRIDWATCH_TEST_DATABASE` names a server (in a schema of its own, dropped at the end).

use domain::citizen_id::Sex;
use domain::document::DocumentKind;
use domain::registry::{Hukou, Tenure, TravelStatus};
use sqlx::{Connection, Executor};

use super::*;
use crate::Db;
use crate::registry::Particulars;

#[test]
fn postgres_array_literals_quote_and_escape() {
    let mut a = PgArray::default();
    a.text(Some(r#"王"芳\{1,2}"#));
    a.text(None);
    a.text(Some(""));
    a.text(Some("NULL"));
    assert_eq!(a.done(), r#"{"王\"芳\\{1,2}",NULL,"","NULL"}"#);
    let mut b = PgArray::default();
    b.int(-3);
    b.int(42);
    assert_eq!(b.done(), "{-3,42}");
    let mut c = PgArray::default();
    c.bytes(&[0x00, 0xab, 0xff]);
    assert_eq!(c.done(), r#"{"\\x00abff"}"#);
    assert_eq!(PgArray::default().done(), "{}");
}

#[test]
fn sqlite_json_rows_are_json_that_gives_the_values_back() {
    let mut rows = JsonRows::default();
    rows.row();
    rows.text(Some("王\"芳\\{1,2}\t\n\u{1}\u{1f}🙂"));
    rows.text(None);
    rows.int(-3);
    rows.row();
    rows.bytes(&[0x00, 0xab, 0xff]);
    rows.text(Some(""));
    let text = rows.done();
    let parsed: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(
        parsed,
        serde_json::json!([["王\"芳\\{1,2}\t\n\u{1}\u{1f}🙂", null, -3], ["00abff", ""]])
    );
    assert_eq!(JsonRows::default().done(), "[]");
}

fn resident(n: u8, name: &str, phone: Option<&str>, notes: &str) -> ResidentData {
    ResidentData {
        particulars: Particulars {
            name: name.to_owned(),
            document_kind: DocumentKind::CitizenId,
            document_masked: format!("6108**********{n:04}"),
            sex: n.is_multiple_of(2).then_some(Sex::Female),
            birth_date: Some("1990-01-01".to_owned()),
            phone: phone.map(str::to_owned),
            hukou: Hukou::Registered,
            tenure: Tenure::Owner,
            travel_status: TravelStatus::Returned,
            travel_origin: Some("武汉".to_owned()),
            returned_on: Some("2020-01-20".to_owned()),
            vulnerabilities: i64::from(n),
            notes: notes.to_owned(),
        },
        document_sealed: vec![n, 0, 0x5c, 0x22, 0xff],
        document_index: vec![n; 32],
    }
}

async fn tree(conn: &mut Conn) -> Home {
    for sql in [
        "INSERT INTO districts (id, code, name) VALUES (1, '610825', 'S县')",
        "INSERT INTO streets (id, district_id, name) VALUES (1, 1, '民生路街道')",
        "INSERT INTO communities (id, street_id, district_id, name, created_at) VALUES (1, 1, 1, '民生路社区', 0)",
        "INSERT INTO grids (id, community_id, name) VALUES (1, 1, '第1网格')",
        "INSERT INTO buildings (id, grid_id, community_id, name) VALUES (1, 1, 1, '1号楼')",
        "INSERT INTO units (id, building_id, name) VALUES (1, 1, '1单元'), (2, 1, '2单元')",
    ] {
        conn.execute(sql).await.expect("insert the tree");
    }
    Home {
        household_id: 0,
        building_id: 1,
        grid_id: 1,
        community_id: 1,
    }
}

async fn bulk_paths_round_trip(db: &Db) {
    db.migrate().await.expect("migrate");
    let mut conn = db.conn().await.expect("a connection");
    let home = tree(&mut conn).await;
    let key = |unit_id: i64, room: &str| HouseholdKey {
        unit_id,
        room: room.to_owned(),
    };
    // The same household named twice in a batch is created once.
    let keys = vec![
        (key(1, "101"), home),
        (key(1, "101"), home),
        (key(2, "101"), home),
        (key(1, "102"), home),
    ];
    let ids = households_for(&mut conn, &keys).await.expect("households");
    assert_eq!(ids.len(), 3);
    let again = households_for(&mut conn, &keys)
        .await
        .expect("households again");
    assert_eq!(
        again, ids,
        "existing households are found, not created again"
    );
    let count: i64 =
        sqlx::query_scalar("SELECT households FROM household_counts WHERE grid_id = 1")
            .fetch_one(&mut *conn)
            .await
            .expect("household count");
    assert_eq!(count, 3);

    let at = |k: HouseholdKey| Home {
        household_id: ids[&k],
        ..home
    };
    let rows = vec![
        (
            at(key(1, "101")),
            resident(1, r#"王"芳\{1,2}"#, Some("13800000001"), ""),
        ),
        (
            at(key(1, "101")),
            resident(2, "李 四,\t🙂", None, "NULL\n[1]"),
        ),
        (
            at(key(2, "101")),
            resident(3, "赵六", Some("13800000003"), "备注 \"引号\" \\"),
        ),
    ];
    insert_residents_bulk(&mut conn, &rows)
        .await
        .expect("insert");
    let mut wanted: Vec<Vec<u8>> = rows.iter().map(|(_, d)| d.document_index.clone()).collect();
    wanted.push(vec![9; 32]);
    let mut found = residents_by_indexes(&mut conn, &wanted)
        .await
        .expect("look up");
    found.sort_by_key(|e| e.data.document_index.clone());
    assert_eq!(found.len(), 3, "the unknown index finds nobody");
    for (e, (h, d)) in found.iter().zip(&rows) {
        assert_eq!(&e.data, d);
        assert_eq!(e.household_id, h.household_id);
        assert_eq!(e.community_id, 1);
        assert_eq!(e.version, 1);
    }
    analyze_registry(&mut conn).await.expect("analyze");
}

#[tokio::test]
async fn bulk_paths_round_trip_on_sqlite() {
    let path =
        std::env::temp_dir().join(format!("gridwatch_store_imports_{}.db", std::process::id()));
    let db = Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("connect");
    bulk_paths_round_trip(&db).await;
    db.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test]
async fn bulk_paths_round_trip_on_postgres() {
    let Ok(server) = std::env::var("GRIDWATCH_TEST_DATABASE") else {
        return;
    };
    let server = server.trim().to_owned();
    if server.is_empty() {
        return;
    }
    sqlx::any::install_default_drivers();
    let schema = format!("gw_store_imports_{}", std::process::id());
    let mut admin = sqlx::AnyConnection::connect(&server)
        .await
        .expect("connect to the server");
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .await
        .expect("create the schema");
    let sep = if server.contains('?') { '&' } else { '?' };
    let db = Db::connect(&format!("{server}{sep}options=-c%20search_path%3D{schema}"))
        .await
        .expect("connect");
    bulk_paths_round_trip(&db).await;
    db.close().await;
    admin
        .execute(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .await
        .expect("drop the schema");
}

#[test]
fn the_bulk_statements_follow_the_resident_columns() {
    let n = RESIDENT_COLUMNS.len();
    let arrays = array_params(&RESIDENT_COLUMNS);
    assert_eq!(arrays.split(", ").count(), n, "{arrays}");
    assert!(arrays.starts_with("$1::bigint[], $2::bigint[]"), "{arrays}");
    assert!(
        arrays.contains("$7::bytea[], $8::bytea[], $9::text[]"),
        "{arrays}"
    );
    let json = json_values(&RESIDENT_COLUMNS);
    assert_eq!(json.matches("value->>").count(), n, "{json}");
    assert!(
        json.contains("value->>5, unhex(value->>6), unhex(value->>7), value->>8"),
        "{json}"
    );
    let insert = resident_insert_columns();
    assert!(insert.starts_with("household_id, building_id"), "{insert}");
    assert!(insert.ends_with("created_at, updated_at"), "{insert}");
}
