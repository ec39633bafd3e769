//! The disinfection of each building of a confirmed case's risk zones.

use domain::access::Jurisdiction;
use serde::Serialize;

use crate::rows::read;
use crate::scope::Where;
use crate::{Conn, Result, sql};

/// A disinfection of one building after a confirmed case.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DisinfectionDto))]
pub struct Disinfection {
    pub id: i64,
    pub case_id: i64,
    pub building_id: i64,
    pub due_date: String,
    pub state: String,
    pub done_at: Option<i64>,
    pub done_by: Option<i64>,
    pub building_name: String,
}

const DISINFECTION_SELECT: &str = "SELECT d.id, d.case_id, d.building_id, d.due_date, d.state, \
     d.done_at, d.done_by, b.name AS building_name FROM disinfection_tasks d \
     JOIN buildings b ON b.id = d.building_id";

/// A disinfection task for each building of a case's open zones that has none; the ids made.
pub async fn insert_disinfections(
    conn: &mut Conn,
    case_id: i64,
    due_date: &str,
    at: i64,
) -> Result<Vec<i64>> {
    sql::scalars(
        conn,
        "INSERT INTO disinfection_tasks (case_id, community_id, grid_id, building_id, due_date, \
         state, created_at) SELECT DISTINCT z.case_id, z.community_id, z.grid_id, z.building_id, \
         $1, 'open', $2 FROM risk_zones z WHERE z.case_id = $3 AND z.ended_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM disinfection_tasks d WHERE d.case_id = z.case_id \
         AND d.building_id = z.building_id) RETURNING id",
        (due_date, at, case_id),
    )
    .await
}

pub async fn disinfections_of_case(conn: &mut Conn, case_id: i64) -> Result<Vec<Disinfection>> {
    let sql = format!("{DISINFECTION_SELECT} WHERE d.case_id = $1 ORDER BY b.name, d.id");
    sql::all(conn, sqlx::AssertSqlSafe(sql), (case_id,)).await
}

/// A disinfection in the jurisdiction.
pub async fn disinfection(conn: &mut Conn, j: &Jurisdiction, id: i64) -> Result<Disinfection> {
    let mut w = Where::new();
    w.scope(j, "d").int("d.id = ?", id);
    w.fetch_one(conn, DISINFECTION_SELECT, read::<Disinfection>)
        .await
}

/// Marks a disinfection done; false when it was done already.
pub async fn finish_disinfection(conn: &mut Conn, id: i64, by: i64, at: i64) -> Result<bool> {
    let done = sql::execute(
        conn,
        "UPDATE disinfection_tasks SET state = 'done', done_at = $1, done_by = $2 \
         WHERE id = $3 AND state = 'open'",
        (at, by, id),
    )
    .await?;
    Ok(done.rows_affected() == 1)
}
