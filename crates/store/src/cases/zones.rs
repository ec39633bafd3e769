//! The risk zones a confirmed case draws, and the quiet-days rule that ends them.

use domain::cases::{EndReason, ZoneKind};
use serde::Serialize;

use crate::rows::NullableCode;
use crate::{Conn, Result, sql};

/// A building of a risk zone, or the outbreak point's unit in it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ZoneDto))]
pub struct Zone {
    pub id: i64,
    pub building_id: i64,
    pub unit_id: Option<i64>,
    pub case_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: ZoneKind,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    #[sqlx(try_from = "NullableCode<EndReason>")]
    pub end_reason: Option<EndReason>,
    pub building_name: String,
    pub unit_name: Option<String>,
}

pub async fn insert_zone(
    conn: &mut Conn,
    case_id: i64,
    kind: ZoneKind,
    building_id: i64,
    unit_id: Option<i64>,
    at: i64,
) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO risk_zones (community_id, grid_id, building_id, unit_id, case_id, kind, \
         started_at) SELECT b.community_id, b.grid_id, b.id, $1, $2, $3, $4 FROM buildings b \
         WHERE b.id = $5 RETURNING id",
        (unit_id, case_id, kind.code(), at, building_id),
    )
    .await
}

pub async fn zones_of_case(conn: &mut Conn, case_id: i64) -> Result<Vec<Zone>> {
    sql::all(
        conn,
        "SELECT z.id, z.building_id, z.unit_id, z.case_id, z.kind, z.started_at, z.ended_at, \
         z.end_reason, b.name AS building_name, u.name AS unit_name FROM risk_zones z \
         JOIN buildings b ON b.id = z.building_id LEFT JOIN units u ON u.id = z.unit_id \
         WHERE z.case_id = $1 ORDER BY z.kind DESC, z.id",
        (case_id,),
    )
    .await
}

/// Ends a case's open zones; how many ended.
pub async fn end_zones(
    conn: &mut Conn,
    case_id: i64,
    reason: EndReason,
    note: &str,
    by: i64,
    at: i64,
) -> Result<u64> {
    let done = sql::execute(
        conn,
        "UPDATE risk_zones SET ended_at = $1, end_reason = $2, end_note = $3, ended_by = $4 \
         WHERE case_id = $5 AND ended_at IS NULL",
        (at, reason.code(), note, by, case_id),
    )
    .await?;
    Ok(done.rows_affected())
}

/// The confirmed cases whose open zones or seals have seen no new case in their buildings
/// since `before` (ms): what the quiet-days rule ends.
pub async fn quiet_cases(conn: &mut Conn, before: i64) -> Result<Vec<i64>> {
    sql::scalars(
        conn,
        "SELECT c.id FROM cases c WHERE c.status = 'confirmed' \
         AND (EXISTS (SELECT 1 FROM risk_zones z WHERE z.case_id = c.id AND z.ended_at IS NULL) \
         OR EXISTS (SELECT 1 FROM seals s WHERE s.case_id = c.id AND s.ended_at IS NULL)) \
         AND NOT EXISTS (SELECT 1 FROM risk_zones z JOIN cases o ON o.building_id = z.building_id \
         WHERE z.case_id = c.id AND o.status <> 'excluded' AND o.suspected_at >= $1) \
         AND c.confirmed_at < $1 ORDER BY c.id",
        (before,),
    )
    .await
}
