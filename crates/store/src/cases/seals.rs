//! The seals a case puts on buildings.

use domain::cases::EndReason;
use serde::Serialize;

use crate::rows::NullableCode;
use crate::{Conn, Result, sql};

/// A building's seal, or a risk zone's building: what the map and the case's page show.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SealDto))]
pub struct Seal {
    pub id: i64,
    pub building_id: i64,
    pub case_id: i64,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    #[sqlx(try_from = "NullableCode<EndReason>")]
    pub end_reason: Option<EndReason>,
    pub end_note: Option<String>,
    pub building_name: String,
}

/// Seals `building_id` for `case_id`; false when the case had sealed it already.
pub async fn insert_seal(conn: &mut Conn, case_id: i64, building_id: i64, at: i64) -> Result<bool> {
    let done = sql::execute(
        conn,
        "INSERT INTO seals (community_id, grid_id, building_id, case_id, started_at) \
         SELECT b.community_id, b.grid_id, b.id, $1, $2 FROM buildings b WHERE b.id = $3 \
         AND NOT EXISTS (SELECT 1 FROM seals s WHERE s.building_id = $3 AND s.case_id = $1)",
        (case_id, at, building_id),
    )
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends the open seals of a case (all of them, or of one building); the buildings whose seal
/// ended.
pub async fn end_seals(
    conn: &mut Conn,
    case_id: i64,
    building_id: Option<i64>,
    reason: EndReason,
    note: &str,
    by: i64,
    at: i64,
) -> Result<Vec<i64>> {
    sql::scalars(
        conn,
        "UPDATE seals SET ended_at = $1, end_reason = $2, end_note = $3, ended_by = $4 \
         WHERE case_id = $5 AND ended_at IS NULL AND ($6 = 0 OR building_id = $6) \
         RETURNING building_id",
        (
            at,
            reason.code(),
            note,
            by,
            case_id,
            building_id.unwrap_or(0),
        ),
    )
    .await
}

/// Whether any case still seals the building.
pub async fn building_sealed(conn: &mut Conn, building_id: i64) -> Result<bool> {
    let n: i64 = sql::scalar(
        conn,
        "SELECT COUNT(*) FROM seals WHERE building_id = $1 AND ended_at IS NULL",
        (building_id,),
    )
    .await?;
    Ok(n > 0)
}

pub async fn seals_of_case(conn: &mut Conn, case_id: i64) -> Result<Vec<Seal>> {
    sql::all(
        conn,
        "SELECT s.id, s.building_id, s.case_id, s.started_at, s.ended_at, s.end_reason, \
         s.end_note, b.name AS building_name FROM seals s JOIN buildings b ON b.id = s.building_id \
         WHERE s.case_id = $1 ORDER BY s.id",
        (case_id,),
    )
    .await
}
