//! Imports of resident registers: the import record, its rejected rows, and the bulk paths that
//! write a batch of households and residents in a few statements.

use std::collections::{HashMap, HashSet};

use domain::registry::ImportStatus;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use crate::counts;
use crate::registry::{
    Home, RESIDENT_COLUMNS, ResidentData, count_key, put_resident, resident_insert_columns,
};
use crate::{Conn, Result, StoreError, now_ms};

mod bulk;
mod lookups;

use lookups::rows_by_keys;
pub use lookups::{Existing, buildings_named, residents_by_indexes, units_of_buildings};

use bulk::{
    JSON_EACH, JsonRows, PgArray, PgArrays, ROWS_PER_ARRAY, ROWS_PER_JSON, ROWS_PER_STATEMENT,
    array_params, is_postgres, json_columns, json_values, tuples,
};

#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct Import {
    pub id: i64,
    pub account_id: i64,
    pub community_id: i64,
    pub file_name: String,
    pub file_sha256: String,
    #[sqlx(try_from = "String")]
    pub status: ImportStatus,
    pub total_rows: i64,
    pub processed_rows: i64,
    pub inserted: i64,
    pub merged: i64,
    pub unchanged: i64,
    pub rejected: i64,
    /// Totals and signature lines passed over.
    pub skipped: i64,
    pub headers: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
}

const IMPORT_SELECT: &str = "SELECT id, account_id, community_id, file_name, file_sha256, status, \
     total_rows, processed_rows, inserted, merged, unchanged, rejected, skipped, headers, \
     started_at, finished_at FROM imports";

fn import_row(r: &AnyRow) -> Result<Import> {
    Ok(Import::from_row(r)?)
}

pub async fn insert_import(
    conn: &mut Conn,
    account_id: i64,
    community_id: i64,
    file_name: &str,
    file_sha256: &str,
    total_rows: i64,
    headers: &str,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO imports (account_id, community_id, file_name, file_sha256, status, \
         total_rows, headers, started_at) VALUES ($1, $2, $3, $4, 'running', $5, $6, $7) RETURNING id",
    )
    .bind(account_id)
    .bind(community_id)
    .bind(file_name)
    .bind(file_sha256)
    .bind(total_rows)
    .bind(headers)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}

/// Counts of one committed batch, added to the import's totals in the batch's transaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BatchCounts {
    pub processed: i64,
    pub inserted: i64,
    pub merged: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub skipped: i64,
}

pub async fn add_progress(conn: &mut Conn, import_id: i64, c: &BatchCounts) -> Result<()> {
    sqlx::query(
        "UPDATE imports SET processed_rows = processed_rows + $1, inserted = inserted + $2, \
         merged = merged + $3, unchanged = unchanged + $4, rejected = rejected + $5, \
         skipped = skipped + $6 WHERE id = $7",
    )
    .bind(c.processed)
    .bind(c.inserted)
    .bind(c.merged)
    .bind(c.unchanged)
    .bind(c.rejected)
    .bind(c.skipped)
    .bind(import_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn finish_import(conn: &mut Conn, import_id: i64, status: ImportStatus) -> Result<()> {
    sqlx::query("UPDATE imports SET status = $1, finished_at = $2 WHERE id = $3")
        .bind(status.code())
        .bind(now_ms())
        .bind(import_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn import(conn: &mut Conn, id: i64) -> Result<Import> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{IMPORT_SELECT} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    import_row(&row)
}

pub async fn list_imports(conn: &mut Conn, community_id: i64) -> Result<Vec<Import>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{IMPORT_SELECT} WHERE community_id = $1 ORDER BY id DESC LIMIT 50"
    )))
    .bind(community_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(import_row).collect()
}

#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct Reject {
    pub row_number: i64,
    pub column_name: String,
    pub code: String,
    pub detail: String,
    /// The row's cells as a JSON array, so the row can be given back to fix and re-import.
    pub cells: String,
}

pub async fn insert_rejects(conn: &mut Conn, import_id: i64, rejects: &[Reject]) -> Result<()> {
    for chunk in rejects.chunks(ROWS_PER_STATEMENT) {
        let values = tuples(conn, chunk.len(), 6);
        let sql = format!(
            "INSERT INTO import_rejects (import_id, row_number, column_name, code, detail, cells) VALUES {values}"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            q = q
                .bind(import_id)
                .bind(r.row_number)
                .bind(r.column_name.as_str())
                .bind(r.code.as_str())
                .bind(r.detail.as_str())
                .bind(r.cells.as_str());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Which of an import's recorded rows to read: the rows passed over (totals, signatures) are
/// recorded beside the rejected ones, under the codes given here.
#[derive(Debug, Clone, Copy)]
pub enum RecordedRows<'a> {
    /// Rows refused: every code but these.
    RejectedExcept(&'a [&'a str]),
    /// Rows passed over: these codes only.
    PassedOver(&'a [&'a str]),
}

pub async fn rejects(
    conn: &mut Conn,
    import_id: i64,
    limit: u32,
    which: RecordedRows<'_>,
) -> Result<Vec<Reject>> {
    let (op, codes) = match which {
        RecordedRows::RejectedExcept(codes) => ("NOT IN", codes),
        RecordedRows::PassedOver(codes) => ("IN", codes),
    };
    // `code NOT IN ()` is no SQL: an empty list is a code no row has.
    let codes: &[&str] = if codes.is_empty() { &[""] } else { codes };
    let placeholders: Vec<String> = (0..codes.len()).map(|i| format!("${}", i + 2)).collect();
    let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT row_number, column_name, code, detail, cells FROM import_rejects \
         WHERE import_id = $1 AND code {op} ({}) ORDER BY row_number, id LIMIT {limit}",
        placeholders.join(", ")
    )))
    .bind(import_id);
    for c in codes {
        q = q.bind(*c);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter().map(|r| Ok(Reject::from_row(r)?)).collect()
}

/// A stored household as an import finds it: its id under its unit and room.
#[derive(FromRow)]
struct FoundHousehold {
    id: i64,
    unit_id: i64,
    room: String,
}

impl FoundHousehold {
    fn read(r: &AnyRow) -> Result<(HouseholdKey, i64)> {
        let h = FoundHousehold::from_row(r)?;
        let key = HouseholdKey {
            unit_id: h.unit_id,
            room: h.room,
        };
        Ok((key, h.id))
    }
}

/// A household an import needs: the unit and room it names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HouseholdKey {
    pub unit_id: i64,
    pub room: String,
}

/// Returns the household id of each key, creating the missing ones, in a few statements.
pub async fn households_for(
    conn: &mut Conn,
    keys: &[(HouseholdKey, Home)],
) -> Result<HashMap<HouseholdKey, i64>> {
    let mut found = HashMap::with_capacity(keys.len());
    select_households(conn, keys, &mut found).await?;
    let mut named = HashSet::new();
    let missing: Vec<&(HouseholdKey, Home)> = keys
        .iter()
        .filter(|(k, _)| !found.contains_key(k) && named.insert(k))
        .collect();
    let mut added: HashMap<(i64, i64), i64> = HashMap::new();
    for (_, home) in &missing {
        *added.entry((home.grid_id, home.community_id)).or_default() += 1;
    }
    let now = now_ms();
    let rows = if is_postgres(conn) {
        let mut rows = Vec::with_capacity(missing.len());
        for chunk in missing.chunks(ROWS_PER_ARRAY) {
            let mut cols: [PgArray; 5] = Default::default();
            for (k, home) in chunk {
                cols[0].int(k.unit_id);
                cols[1].int(home.building_id);
                cols[2].int(home.grid_id);
                cols[3].int(home.community_id);
                cols[4].text(Some(&k.room));
            }
            let mut q = sqlx::query(
                "INSERT INTO households (unit_id, building_id, grid_id, community_id, room, \
                 created_at, updated_at) SELECT u.*, $6, $6 FROM unnest($1::bigint[], \
                 $2::bigint[], $3::bigint[], $4::bigint[], $5::text[]) AS u \
                 RETURNING id, unit_id, room",
            );
            for c in cols {
                q = q.bind(c.done());
            }
            rows.extend(q.bind(now).fetch_all(&mut *conn).await?);
        }
        rows
    } else {
        let mut rows = Vec::with_capacity(missing.len());
        for chunk in missing.chunks(ROWS_PER_JSON) {
            let mut json = JsonRows::with_capacity(chunk.len() * 40);
            for (k, home) in chunk {
                json.row();
                json.int(k.unit_id);
                json.int(home.building_id);
                json.int(home.grid_id);
                json.int(home.community_id);
                json.text(Some(&k.room));
            }
            let sql = format!(
                "INSERT INTO households (unit_id, building_id, grid_id, community_id, room, \
                 created_at, updated_at) SELECT {}, $2, $2 FROM {JSON_EACH} \
                 RETURNING id, unit_id, room",
                json_columns(5, &[])
            );
            let q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(json.done())
                .bind(now);
            rows.extend(q.fetch_all(&mut *conn).await?);
        }
        rows
    };
    for r in &rows {
        let (key, id) = FoundHousehold::read(r)?;
        found.insert(key, id);
    }
    counts::adjust_households(conn, &added).await?;
    Ok(found)
}

/// The households that exist among the keys, creating none: what an import's preview reads.
pub async fn existing_households(
    conn: &mut Conn,
    keys: &[(HouseholdKey, Home)],
) -> Result<HashMap<HouseholdKey, i64>> {
    let mut found = HashMap::with_capacity(keys.len());
    select_households(conn, keys, &mut found).await?;
    Ok(found)
}

async fn select_households(
    conn: &mut Conn,
    keys: &[(HouseholdKey, Home)],
    found: &mut HashMap<HouseholdKey, i64>,
) -> Result<()> {
    // By unit, through the (unit_id, room) index; the few rooms of each unit are matched here.
    let mut units: Vec<i64> = keys.iter().map(|(k, _)| k.unit_id).collect();
    units.sort_unstable();
    units.dedup();
    let wanted: HashSet<&HouseholdKey> = keys.iter().map(|(k, _)| k).collect();
    let rows = rows_by_keys(
        conn,
        &units,
        "SELECT h.id, h.unit_id, h.room FROM unnest($1::bigint[]) AS k (unit_id) \
         JOIN households h ON h.unit_id = k.unit_id",
        |keys| format!("SELECT id, unit_id, room FROM households WHERE unit_id IN ({keys})"),
    )
    .await?;
    for r in &rows {
        let (key, id) = FoundHousehold::read(r)?;
        if wanted.contains(&key) {
            found.insert(key, id);
        }
    }
    Ok(())
}

/// Inserts many residents in a few statements (the bulk path of imports and the demo
/// generator): `unnest` of one array per column on PostgreSQL, rows of one JSON text on SQLite.
pub async fn insert_residents_bulk(conn: &mut Conn, rows: &[(Home, ResidentData)]) -> Result<()> {
    let now = now_ms();
    let mut deltas = HashMap::new();
    for (home, d) in rows {
        *deltas.entry(count_key(home, d)).or_insert(0) += 1;
    }
    counts::adjust_residents(conn, &deltas).await?;
    let postgres = is_postgres(conn);
    let (sql, per_statement) = if postgres {
        let sql = format!(
            "INSERT INTO residents ({}) SELECT u.*, ${t}, ${t} FROM unnest({}) AS u",
            resident_insert_columns(),
            array_params(&RESIDENT_COLUMNS),
            t = RESIDENT_COLUMNS.len() + 1,
        );
        (sql, ROWS_PER_ARRAY)
    } else {
        let sql = format!(
            "INSERT INTO residents ({}) SELECT {}, $2, $2 FROM {JSON_EACH}",
            resident_insert_columns(),
            json_values(&RESIDENT_COLUMNS),
        );
        (sql, ROWS_PER_JSON)
    };
    let text_of = |part: &[(Home, ResidentData)]| {
        if postgres {
            residents_arrays(part)
        } else {
            vec![residents_json(part)]
        }
    };
    let mut parts = rows.chunks(per_statement);
    let mut texts = parts.next().map(text_of);
    while let Some(bound) = texts.take() {
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
        for text in bound {
            insert = insert.bind(text);
        }
        let insert = insert.bind(now).execute(&mut *conn);
        // The next part's text is written here while the database inserts this one.
        let (inserted, next) = meanwhile(insert, || parts.next().map(text_of)).await;
        inserted?;
        texts = next;
    }
    Ok(())
}

/// Runs `work` and, once it has been started (polled once, so a statement is on its way to
/// the connection's thread), `build` on this thread; both results.
async fn meanwhile<F: Future, T>(work: F, build: impl FnOnce() -> T) -> (F::Output, T) {
    let mut work = std::pin::pin!(work);
    let started = std::future::poll_fn(|cx| std::task::Poll::Ready(work.as_mut().poll(cx))).await;
    let built = build();
    let done = match started {
        std::task::Poll::Ready(done) => done,
        std::task::Poll::Pending => work.await,
    };
    (done, built)
}

/// SQLite's bulk rows of residents: one JSON text, in the order of
/// [`RESIDENT_COLUMNS`].
fn residents_json(rows: &[(Home, ResidentData)]) -> String {
    let mut json = JsonRows::with_capacity(rows.len() * 400);
    for (home, d) in rows {
        json.row();
        put_resident(&mut json, home, d);
    }
    json.done()
}

/// PostgreSQL's bulk rows of residents: one array per column of [`RESIDENT_COLUMNS`].
fn residents_arrays(rows: &[(Home, ResidentData)]) -> Vec<String> {
    let mut arrays = PgArrays::new(RESIDENT_COLUMNS.len());
    for (home, d) in rows {
        arrays.row();
        put_resident(&mut arrays, home, d);
    }
    arrays.done()
}

/// Brings the planner's statistics up to date after an import wrote many rows. PostgreSQL
/// plans a county's searches well only with statistics, and autovacuum (when it is on at all)
/// analyses a table a while after it grew; SQLite's plans do not depend on them.
pub async fn analyze_registry(conn: &mut Conn) -> Result<()> {
    if is_postgres(conn) {
        sqlx::query("ANALYZE households, residents")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn mark_interrupted(conn: &mut Conn) -> Result<u64> {
    let r = sqlx::query(
        "UPDATE imports SET status = 'interrupted', finished_at = $1 WHERE status = 'running'",
    )
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected())
}

#[cfg(test)]
mod tests;
