//! The logs tracing reads, each by an index on place and time: the gate's passages, visitors,
//! where people live, and who worked at a household.

use serde::Serialize;

use crate::{Conn, Result, sql};

/// A passage as tracing reads it: through which gate, when, of which household or visitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Passing {
    pub gate_id: i64,
    pub at: i64,
    pub household_id: Option<i64>,
    pub visitor_id: Option<i64>,
}

/// The passages of a household's own passes in `[from, to]`: where the case went through a
/// gate (the log knows the pass, not which member held it).
pub async fn household_passings(
    conn: &mut Conn,
    household_id: i64,
    from: i64,
    to: i64,
) -> Result<Vec<Passing>> {
    sql::all(
        conn,
        "SELECT gate_id, at, household_id, visitor_id FROM passages \
         WHERE household_id = $1 AND household_id IS NOT NULL AND at BETWEEN $2 AND $3 \
         AND pass_id IS NOT NULL ORDER BY at LIMIT 10000",
        (household_id, from, to),
    )
    .await
}

/// Visitors' passages to the households of a building (or to one household) in `[from, to]`.
pub async fn visits_to(
    conn: &mut Conn,
    building_id: Option<i64>,
    household_id: Option<i64>,
    from: i64,
    to: i64,
) -> Result<Vec<Passing>> {
    let place = match (household_id, building_id) {
        (Some(_), _) => "household_id = $1",
        _ => "household_id IN (SELECT id FROM households WHERE building_id = $1)",
    };
    let sql = format!(
        "SELECT gate_id, at, household_id, visitor_id FROM passages WHERE {place} \
         AND household_id IS NOT NULL AND visitor_id IS NOT NULL AND at BETWEEN $2 AND $3 \
         ORDER BY at LIMIT 10000"
    );
    let id = household_id.or(building_id).unwrap_or(0);
    sql::all(conn, sqlx::AssertSqlSafe(sql), (id, from, to)).await
}

/// A household as tracing names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Home {
    pub household_id: i64,
    pub unit_id: i64,
    pub building_id: i64,
}

/// The households of a building.
pub async fn homes_of_building(conn: &mut Conn, building_id: i64) -> Result<Vec<Home>> {
    sql::all(
        conn,
        "SELECT id AS household_id, unit_id, building_id FROM households WHERE building_id = $1",
        (building_id,),
    )
    .await
}

/// The members of a household: id and name.
pub async fn members(conn: &mut Conn, household_id: i64) -> Result<Vec<(i64, String)>> {
    sql::all(
        conn,
        "SELECT id, name FROM residents WHERE household_id = $1 ORDER BY id",
        (household_id,),
    )
    .await
}

/// A worker's visit to a household: who, when, by which log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Served {
    pub account_id: i64,
    pub at: i64,
    pub household_id: i64,
    /// `delivery`, `rubbish`, `screening` or `check`.
    pub log: String,
}

/// Who delivered to, collected rubbish from, screened at the door of, or checked on site
/// a household in `[from, to]`.
pub async fn served(conn: &mut Conn, household_id: i64, from: i64, to: i64) -> Result<Vec<Served>> {
    sql::all(
        conn,
        "SELECT delivered_by AS account_id, delivered_at AS at, household_id, \
         'delivery' AS log FROM delivery_tasks WHERE household_id = $1 \
         AND delivered_by IS NOT NULL AND delivered_at BETWEEN $2 AND $3 \
         UNION ALL SELECT visited_by, visited_at, household_id, 'rubbish' FROM rubbish_stops \
         WHERE household_id = $1 AND visited_by IS NOT NULL AND visited_at BETWEEN $2 AND $3 \
         UNION ALL SELECT account_id, at, household_id, 'screening' FROM screening_attempts \
         WHERE household_id = $1 AND method = 'visit' AND at BETWEEN $2 AND $3 \
         UNION ALL SELECT c.recorded_by, c.checked_at, o.household_id, 'check' FROM checks c \
         JOIN quarantine_orders o ON o.id = c.order_id WHERE o.household_id = $1 \
         AND c.method = 'on_site' AND c.recorded_by IS NOT NULL \
         AND c.checked_at BETWEEN $2 AND $3",
        (household_id, from, to),
    )
    .await
}

/// Names of gates, buildings and accounts, for the reasons a contact is shown with.
pub async fn gate_names(conn: &mut Conn, community_id: i64) -> Result<Vec<(i64, String)>> {
    sql::all(
        conn,
        "SELECT id, name FROM gates WHERE community_id = $1",
        (community_id,),
    )
    .await
}

/// Who passed a gate near the case: a household or a visitor, how close (ms) to the nearest of
/// the case's stays there, and when they first passed within those windows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Near {
    pub household_id: Option<i64>,
    pub visitor_id: Option<i64>,
    pub apart: i64,
    pub at: i64,
}

/// The most stays one statement searches around (a compound SELECT has a bound on SQLite).
pub const STAYS_PER_STATEMENT: usize = 100;

/// Everyone who passed `gate_id` within `margin` ms of one of the case's `stays` (from, to),
/// grouped in the database: each household or visitor once, with its smallest distance, so a
/// busy gate's windows come back as the people in them rather than every passage.
pub async fn near_gate(
    conn: &mut Conn,
    gate_id: i64,
    stays: &[(i64, i64)],
    margin: i64,
) -> Result<Vec<Near>> {
    if stays.is_empty() {
        return Ok(Vec::new());
    }
    // The windows are numbers the application computed, written into the statement; each is
    // read by the gate's index (gate, time, household, visitor) alone.
    let windows: Vec<String> = stays
        .iter()
        .take(STAYS_PER_STATEMENT)
        .map(|&(from, to)| {
            format!(
                "SELECT household_id, visitor_id, at, CASE WHEN at < {from} THEN {from} - at \
                 WHEN at > {to} THEN at - {to} ELSE 0 END AS apart FROM passages \
                 WHERE gate_id = {gate_id} AND at BETWEEN {lo} AND {hi}",
                lo = from - margin,
                hi = to + margin,
            )
        })
        .collect();
    let sql = format!(
        "SELECT household_id, visitor_id, MIN(apart) AS apart, MIN(at) AS at FROM ({}) w \
         GROUP BY household_id, visitor_id",
        windows.join(" UNION ALL ")
    );
    sql::all(conn, sqlx::AssertSqlSafe(sql), ()).await
}
