//! Imports of resident registers: the import record, its rejected rows, and the bulk paths that
//! write a batch of households and residents in a few statements.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::counts;
use crate::registry::{Home, RESIDENT_INSERT_COLUMNS, ResidentData, bind_resident, count_key};
use crate::{Conn, Result, StoreError, now_ms};

/// Rows per multi-VALUES statement: well inside SQLite's and PostgreSQL's parameter limits.
const ROWS_PER_STATEMENT: usize = 400;

/// Placeholders of a multi-row statement. SQLite gets plain `?`: its driver resolves every
/// numbered `$N` by name, which makes binding a statement of thousands of parameters quadratic.
/// This is the one place where the SQL of the two backends differs (the bulk path).
fn tuples(conn: &Conn, rows: usize, cols: usize) -> String {
    let sqlite = conn.backend_name() == "SQLite";
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            if sqlite {
                out.push('?');
            } else {
                out.push_str(&format!("${}", r * cols + c + 1));
            }
        }
        out.push(')');
    }
    out
}

/// `n` placeholders separated by commas, for an `IN` list.
fn list(conn: &Conn, n: usize) -> String {
    let t = tuples(conn, 1, n);
    t[1..t.len() - 1].to_owned()
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Import {
    pub id: i64,
    pub account_id: i64,
    pub community_id: i64,
    pub file_name: String,
    pub file_sha256: String,
    pub status: String,
    pub total_rows: i64,
    pub processed_rows: i64,
    pub inserted: i64,
    pub merged: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub headers: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
}

const IMPORT_SELECT: &str = "SELECT id, account_id, community_id, file_name, file_sha256, status, \
     total_rows, processed_rows, inserted, merged, unchanged, rejected, headers, started_at, \
     finished_at FROM imports";

fn import_row(r: &AnyRow) -> Result<Import> {
    Ok(Import {
        id: r.try_get(0)?,
        account_id: r.try_get(1)?,
        community_id: r.try_get(2)?,
        file_name: r.try_get(3)?,
        file_sha256: r.try_get(4)?,
        status: r.try_get(5)?,
        total_rows: r.try_get(6)?,
        processed_rows: r.try_get(7)?,
        inserted: r.try_get(8)?,
        merged: r.try_get(9)?,
        unchanged: r.try_get(10)?,
        rejected: r.try_get(11)?,
        headers: r.try_get(12)?,
        started_at: r.try_get(13)?,
        finished_at: r.try_get(14)?,
    })
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
    Ok(row.try_get(0)?)
}

/// Counts of one committed batch, added to the import's totals in the batch's transaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BatchCounts {
    pub processed: i64,
    pub inserted: i64,
    pub merged: i64,
    pub unchanged: i64,
    pub rejected: i64,
}

pub async fn add_progress(conn: &mut Conn, import_id: i64, c: &BatchCounts) -> Result<()> {
    sqlx::query(
        "UPDATE imports SET processed_rows = processed_rows + $1, inserted = inserted + $2, \
         merged = merged + $3, unchanged = unchanged + $4, rejected = rejected + $5 WHERE id = $6",
    )
    .bind(c.processed)
    .bind(c.inserted)
    .bind(c.merged)
    .bind(c.unchanged)
    .bind(c.rejected)
    .bind(import_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn finish_import(conn: &mut Conn, import_id: i64, status: &str) -> Result<()> {
    sqlx::query("UPDATE imports SET status = $1, finished_at = $2 WHERE id = $3")
        .bind(status)
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

#[derive(Debug, Clone, Serialize, PartialEq)]
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

pub async fn rejects(conn: &mut Conn, import_id: i64, limit: u32) -> Result<Vec<Reject>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT row_number, column_name, code, detail, cells FROM import_rejects \
         WHERE import_id = $1 ORDER BY row_number, id LIMIT {limit}"
    )))
    .bind(import_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Reject {
                row_number: r.try_get(0)?,
                column_name: r.try_get(1)?,
                code: r.try_get(2)?,
                detail: r.try_get(3)?,
                cells: r.try_get(4)?,
            })
        })
        .collect()
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
    let mut added: HashMap<(i64, i64), i64> = HashMap::new();
    let now = now_ms();
    for chunk in keys.chunks(ROWS_PER_STATEMENT) {
        select_households(conn, chunk, &mut found).await?;
        let mut missing: Vec<&(HouseholdKey, Home)> = Vec::new();
        for k in chunk {
            if !found.contains_key(&k.0) && !missing.iter().any(|m| m.0 == k.0) {
                missing.push(k);
            }
        }
        if missing.is_empty() {
            continue;
        }
        let values = tuples(conn, missing.len(), 7);
        let sql = format!(
            "INSERT INTO households (unit_id, building_id, grid_id, community_id, room, \
             created_at, updated_at) VALUES {values}"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (k, home) in &missing {
            q = q
                .bind(k.unit_id)
                .bind(home.building_id)
                .bind(home.grid_id)
                .bind(home.community_id)
                .bind(k.room.as_str())
                .bind(now)
                .bind(now);
            *added.entry((home.grid_id, home.community_id)).or_default() += 1;
        }
        q.execute(&mut *conn).await?;
        let missing: Vec<(HouseholdKey, Home)> = missing.into_iter().cloned().collect();
        select_households(conn, &missing, &mut found).await?;
    }
    counts::adjust_households(conn, &added).await?;
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
    let wanted: std::collections::HashSet<&HouseholdKey> = keys.iter().map(|(k, _)| k).collect();
    let sql = format!(
        "SELECT id, unit_id, room FROM households WHERE unit_id IN ({})",
        list(conn, units.len())
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for u in &units {
        q = q.bind(*u);
    }
    for r in q.fetch_all(&mut *conn).await? {
        let key = HouseholdKey {
            unit_id: r.try_get(1)?,
            room: r.try_get(2)?,
        };
        if wanted.contains(&key) {
            found.insert(key, r.try_get::<i64, _>(0)?);
        }
    }
    Ok(())
}

/// An existing resident found by document index, with what an import compares against.
#[derive(Debug, Clone)]
pub struct Existing {
    pub id: i64,
    pub version: i64,
    pub household_id: i64,
    pub community_id: i64,
    pub data: ResidentData,
}

pub async fn residents_by_indexes(conn: &mut Conn, indexes: &[Vec<u8>]) -> Result<Vec<Existing>> {
    let mut out = Vec::new();
    for chunk in indexes.chunks(ROWS_PER_STATEMENT) {
        let params = list(conn, chunk.len());
        let sql = format!(
            "SELECT id, version, household_id, name, document_kind, document_sealed, \
             document_index, document_masked, sex, birth_date, phone, hukou, tenure, \
             travel_status, travel_origin, returned_on, vulnerabilities, notes, community_id \
             FROM residents WHERE document_index IN ({params})"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for i in chunk {
            q = q.bind(i.clone());
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push(Existing {
                id: r.try_get(0)?,
                version: r.try_get(1)?,
                household_id: r.try_get(2)?,
                community_id: r.try_get(18)?,
                data: ResidentData {
                    name: r.try_get(3)?,
                    document_kind: r.try_get(4)?,
                    document_sealed: r.try_get(5)?,
                    document_index: r.try_get(6)?,
                    document_masked: r.try_get(7)?,
                    sex: r.try_get(8)?,
                    birth_date: r.try_get(9)?,
                    phone: r.try_get(10)?,
                    hukou: r.try_get(11)?,
                    tenure: r.try_get(12)?,
                    travel_status: r.try_get(13)?,
                    travel_origin: r.try_get(14)?,
                    returned_on: r.try_get(15)?,
                    vulnerabilities: r.try_get(16)?,
                    notes: r.try_get(17)?,
                },
            });
        }
    }
    Ok(out)
}

/// Inserts many residents with multi-row VALUES statements (the bulk path of imports and the
/// demo generator); the same SQL serves both backends.
pub async fn insert_residents_bulk(conn: &mut Conn, rows: &[(Home, ResidentData)]) -> Result<()> {
    let now = now_ms();
    let mut deltas = HashMap::new();
    for (home, d) in rows {
        *deltas.entry(count_key(home, d)).or_insert(0) += 1;
    }
    counts::adjust_residents(conn, &deltas).await?;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let values = tuples(conn, chunk.len(), 21);
        let sql = format!("INSERT INTO residents ({RESIDENT_INSERT_COLUMNS}) VALUES {values}");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (home, d) in chunk {
            q = bind_resident(q, home, d, now);
        }
        q.execute(&mut *conn).await?;
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
