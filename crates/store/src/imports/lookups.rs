//! The bulk reads of an import: the rows stored under many keys at once (ID numbers, building
//! names, building ids, units), a chunk of keys a statement.

use sqlx::FromRow;
use sqlx::any::AnyRow;

use super::bulk::{JSON_EACH, JsonRows, PgArray, ROWS_PER_ARRAY, ROWS_PER_JSON, is_postgres};
use crate::registry::{ResidentData, resident_column_list};
use crate::structure::{Building, Unit};
use crate::{Conn, Result};

/// A key a bulk read looks rows up by: an element of a PostgreSQL array, or a row of SQLite's
/// JSON.
pub(super) trait LookupKey {
    /// Whether the key travels as hex in SQLite's JSON (bytes).
    const HEX: bool;
    fn push_to(&self, array: &mut PgArray);
    fn json_to(&self, rows: &mut JsonRows);
}

impl LookupKey for i64 {
    const HEX: bool = false;

    fn push_to(&self, array: &mut PgArray) {
        array.int(*self);
    }

    fn json_to(&self, rows: &mut JsonRows) {
        rows.row();
        rows.int(*self);
    }
}

impl LookupKey for Vec<u8> {
    const HEX: bool = true;

    fn push_to(&self, array: &mut PgArray) {
        array.bytes(self);
    }

    fn json_to(&self, rows: &mut JsonRows) {
        rows.row();
        rows.bytes(self);
    }
}

/// The rows a bulk read finds for `keys`, a chunk at a time. PostgreSQL runs `joined`, the keys
/// as a table (the array `$1`) joined to the index: `= ANY($1::bytea[])` is not folded into a
/// constant (the text-to-array cast is only stable), so a plan that scans the table parses the
/// whole array again for every row, minutes per batch. SQLite runs `listed`, given a subquery
/// of the keys to put in an `IN (...)`.
pub(super) async fn rows_by_keys<K: LookupKey>(
    conn: &mut Conn,
    keys: &[K],
    joined: &str,
    listed: impl Fn(&str) -> String,
) -> Result<Vec<AnyRow>> {
    let mut rows = Vec::new();
    if is_postgres(conn) {
        for chunk in keys.chunks(ROWS_PER_ARRAY) {
            let mut array = PgArray::default();
            chunk.iter().for_each(|k| k.push_to(&mut array));
            let q = sqlx::query(sqlx::AssertSqlSafe(joined.to_owned())).bind(array.done());
            rows.extend(q.fetch_all(&mut *conn).await?);
        }
    } else {
        let key = if K::HEX {
            "unhex(value->>0)"
        } else {
            "value->>0"
        };
        let sql = listed(&format!("SELECT {key} FROM {JSON_EACH}"));
        for chunk in keys.chunks(ROWS_PER_JSON) {
            let mut json = JsonRows::default();
            chunk.iter().for_each(|k| k.json_to(&mut json));
            let q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(json.done());
            rows.extend(q.fetch_all(&mut *conn).await?);
        }
    }
    Ok(rows)
}

impl LookupKey for String {
    const HEX: bool = false;

    fn push_to(&self, array: &mut PgArray) {
        array.text(Some(self));
    }

    fn json_to(&self, rows: &mut JsonRows) {
        rows.row();
        rows.text(Some(self));
    }
}

/// The community's buildings among `names`, in a few statements: an import looks up the
/// buildings a batch names at once instead of one by one.
pub async fn buildings_named(
    conn: &mut Conn,
    community_id: i64,
    names: &[String],
) -> Result<Vec<Building>> {
    let rows = rows_by_keys(
        conn,
        names,
        &format!(
            "SELECT b.id, b.grid_id, b.community_id, b.name FROM unnest($1::text[]) AS k (name) \
             JOIN buildings b ON b.community_id = {community_id} AND b.name = k.name"
        ),
        |keys| {
            format!(
                "SELECT id, grid_id, community_id, name FROM buildings \
                 WHERE community_id = {community_id} AND name IN ({keys})"
            )
        },
    )
    .await?;
    rows.iter().map(|r| Ok(Building::from_row(r)?)).collect()
}

/// Every unit of the buildings, in a few statements.
pub async fn units_of_buildings(conn: &mut Conn, building_ids: &[i64]) -> Result<Vec<Unit>> {
    let rows = rows_by_keys(
        conn,
        building_ids,
        "SELECT u.id, u.building_id, u.name FROM unnest($1::bigint[]) AS k (building_id) \
         JOIN units u ON u.building_id = k.building_id",
        |keys| format!("SELECT id, building_id, name FROM units WHERE building_id IN ({keys})"),
    )
    .await?;
    rows.iter().map(|r| Ok(Unit::from_row(r)?)).collect()
}

/// An existing resident found by document index, with what an import compares against.
#[derive(Debug, Clone, FromRow)]
pub struct Existing {
    pub id: i64,
    pub version: i64,
    pub household_id: i64,
    pub community_id: i64,
    #[sqlx(flatten)]
    pub data: ResidentData,
}

pub async fn residents_by_indexes(conn: &mut Conn, indexes: &[Vec<u8>]) -> Result<Vec<Existing>> {
    // Every stored value, so that a merge writes back what it does not change.
    let select = format!(
        "SELECT r.id, r.version, {} FROM residents",
        resident_column_list("r.")
    );
    let joined = format!(
        "{select} r JOIN unnest($1::bytea[]) AS k (document_index) \
         ON r.document_index = k.document_index"
    );
    let rows = rows_by_keys(conn, indexes, &joined, |keys| {
        format!("{select} r WHERE r.document_index IN ({keys})")
    })
    .await?;
    rows.iter().map(|r| Ok(Existing::from_row(r)?)).collect()
}
