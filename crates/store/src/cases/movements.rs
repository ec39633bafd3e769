//! Where and when a case was: the movements tracing starts from.

use domain::cases::MovementKind;
use serde::Serialize;

use crate::{Conn, Result, sql};

/// A place and time a case was, with the names people know them by.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = MovementDto))]
pub struct Movement {
    pub id: i64,
    pub case_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: MovementKind,
    pub building_id: Option<i64>,
    pub gate_id: Option<i64>,
    pub household_id: Option<i64>,
    pub place: String,
    pub from_at: i64,
    pub to_at: i64,
    pub building_name: Option<String>,
    pub gate_name: Option<String>,
    pub household_place: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewMovement<'a> {
    pub case_id: i64,
    pub kind: MovementKind,
    pub building_id: Option<i64>,
    pub gate_id: Option<i64>,
    pub household_id: Option<i64>,
    pub place: &'a str,
    pub from_at: i64,
    pub to_at: i64,
    pub created_by: i64,
    pub at: i64,
}

pub async fn insert_movement(conn: &mut Conn, m: &NewMovement<'_>) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO case_movements (case_id, kind, building_id, gate_id, household_id, place, \
         from_at, to_at, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        (
            m.case_id,
            m.kind.code(),
            m.building_id,
            m.gate_id,
            m.household_id,
            m.place,
            m.from_at,
            m.to_at,
            m.created_by,
            m.at,
        ),
    )
    .await
}

/// A case's movements, in time order.
pub async fn movements(conn: &mut Conn, case_id: i64) -> Result<Vec<Movement>> {
    sql::all(
        conn,
        "SELECT m.id, m.case_id, m.kind, m.building_id, m.gate_id, m.household_id, m.place, \
         m.from_at, m.to_at, b.name AS building_name, g.name AS gate_name, \
         hb.name || ' ' || u.name || ' ' || h.room AS household_place \
         FROM case_movements m LEFT JOIN buildings b ON b.id = m.building_id \
         LEFT JOIN gates g ON g.id = m.gate_id LEFT JOIN households h ON h.id = m.household_id \
         LEFT JOIN units u ON u.id = h.unit_id LEFT JOIN buildings hb ON hb.id = h.building_id \
         WHERE m.case_id = $1 ORDER BY m.from_at, m.id",
        (case_id,),
    )
    .await
}
