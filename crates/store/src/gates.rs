//! Gates of a community, the buildings each serves, and the guards' shifts at them.

use domain::access::Jurisdiction;
use domain::checkpoint::GateDirection;
use serde::Serialize;

use crate::scope::{Rows, Where};
use crate::{Conn, Flag, Result, now_ms, sql};

/// A gate as staff and guards see it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Gate {
    pub id: i64,
    pub community_id: i64,
    pub community_name: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub direction: GateDirection,
    /// Local opening hours (HH:MM); both `None` for a gate open day and night.
    pub opens: Option<String>,
    pub closes: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub closed: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

macro_rules! gate_columns {
    () => {
        "g.id, g.community_id, c.name AS community_name, g.name, g.direction, g.opens, \
         g.closes, g.closed, g.created_at, g.updated_at"
    };
}
macro_rules! gate_from {
    () => {
        " FROM gates g JOIN communities c ON c.id = g.community_id"
    };
}
const GATE_SELECT: &str = concat!("SELECT ", gate_columns!(), gate_from!());

/// The most gates a list shows: a community has a handful.
const GATES_LISTED: i64 = 500;

/// The gates of the communities in the jurisdiction (or of one community), by name.
pub async fn list_gates(
    conn: &mut Conn,
    j: &Jurisdiction,
    community_id: Option<i64>,
) -> Result<Vec<Gate>> {
    let mut w = Where::new();
    w.scope_of(j, "c", Rows::Communities)
        .int_if_given("g.community_id = ?", community_id);
    let order = format!("c.name, g.name, g.id LIMIT {GATES_LISTED}");
    w.fetch_all(conn, GATE_SELECT, &order, crate::rows::read)
        .await
}

pub async fn gate(conn: &mut Conn, j: &Jurisdiction, id: i64) -> Result<Gate> {
    let mut w = Where::new();
    w.scope_of(j, "c", Rows::Communities).int("g.id = ?", id);
    w.fetch_one(conn, GATE_SELECT, crate::rows::read).await
}

/// A gate and whether an account stands at it at a moment.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct GateOnShift {
    #[sqlx(flatten)]
    pub gate: Gate,
    #[sqlx(try_from = "Flag")]
    pub on_shift: bool,
}

/// The gate in the jurisdiction, and whether `account_id` is on shift there at `at`: what a
/// scan checks first, in one statement.
pub async fn gate_on_shift(
    conn: &mut Conn,
    j: &Jurisdiction,
    id: i64,
    account_id: i64,
    at: i64,
) -> Result<GateOnShift> {
    let mut w = Where::new();
    w.scope_of(j, "c", Rows::Communities).int("g.id = ?", id);
    let account = w.placeholder(account_id);
    let at = w.placeholder(at);
    let select = format!(
        concat!(
            "SELECT ",
            gate_columns!(),
            ", CASE WHEN EXISTS (SELECT 1 FROM gate_shifts s WHERE s.gate_id = g.id \
             AND s.account_id = {account} AND s.starts_at <= {at} AND s.ends_at > {at}) \
             THEN 1 ELSE 0 END AS on_shift",
            gate_from!()
        ),
        account = account,
        at = at
    );
    w.fetch_one(conn, &select, crate::rows::read).await
}

pub struct GateFields<'a> {
    pub name: &'a str,
    pub direction: GateDirection,
    pub opens: Option<&'a str>,
    pub closes: Option<&'a str>,
}

pub async fn insert_gate(conn: &mut Conn, community_id: i64, f: &GateFields<'_>) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO gates (community_id, name, direction, opens, closes, closed, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $6) RETURNING id",
        (
            community_id,
            f.name,
            f.direction.code(),
            f.opens,
            f.closes,
            now_ms(),
        ),
    )
    .await
}

pub async fn update_gate(conn: &mut Conn, id: i64, f: &GateFields<'_>) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE gates SET name = $1, direction = $2, opens = $3, closes = $4, updated_at = $5 \
         WHERE id = $6",
        (f.name, f.direction.code(), f.opens, f.closes, now_ms(), id),
    )
    .await?;
    Ok(())
}

pub async fn set_closed(conn: &mut Conn, id: i64, closed: bool) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE gates SET closed = $1, updated_at = $2 WHERE id = $3",
        (i64::from(closed), now_ms(), id),
    )
    .await?;
    Ok(())
}

/// The buildings a gate serves, by id; none: the whole community.
pub async fn gate_buildings(conn: &mut Conn, gate_id: i64) -> Result<Vec<i64>> {
    sql::scalars(
        conn,
        "SELECT building_id FROM gate_buildings WHERE gate_id = $1 ORDER BY building_id",
        (gate_id,),
    )
    .await
}

/// The names of the buildings a gate serves, in name order; none: the whole community.
pub async fn served_building_names(conn: &mut Conn, gate_id: i64) -> Result<Vec<String>> {
    sql::scalars(
        conn,
        "SELECT b.name FROM gate_buildings x JOIN buildings b ON b.id = x.building_id \
         WHERE x.gate_id = $1 ORDER BY b.name",
        (gate_id,),
    )
    .await
}

/// Replaces the buildings a gate serves.
pub async fn set_gate_buildings(conn: &mut Conn, gate_id: i64, buildings: &[i64]) -> Result<()> {
    sql::execute(
        conn,
        "DELETE FROM gate_buildings WHERE gate_id = $1",
        (gate_id,),
    )
    .await?;
    for b in buildings {
        sql::execute(
            conn,
            "INSERT INTO gate_buildings (gate_id, building_id) VALUES ($1, $2)",
            (gate_id, *b),
        )
        .await?;
    }
    Ok(())
}

/// The gates of its community a building's residents may use: every gate serving the
/// building or the whole community. Empty when that is every gate, so a pass says "any gate"
/// and a gate added later opens to it too.
pub async fn gates_for_building(conn: &mut Conn, building_id: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64, i64)> = sql::all(
        conn,
        "SELECT g.id, CASE WHEN EXISTS (SELECT 1 FROM gate_buildings gb WHERE gb.gate_id = g.id) \
         AND NOT EXISTS (SELECT 1 FROM gate_buildings gb WHERE gb.gate_id = g.id \
         AND gb.building_id = $1) THEN 0 ELSE 1 END \
         FROM gates g JOIN buildings b ON b.community_id = g.community_id \
         WHERE b.id = $1 ORDER BY g.id",
        (building_id,),
    )
    .await?;
    if rows.iter().all(|(_, serves)| *serves == 1) {
        return Ok(Vec::new());
    }
    Ok(rows
        .into_iter()
        .filter(|(_, serves)| *serves == 1)
        .map(|(id, _)| id)
        .collect())
}

/// A guard's shift at a gate.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Shift {
    pub id: i64,
    pub gate_id: i64,
    pub gate_name: String,
    pub account_id: i64,
    pub account_name: String,
    pub starts_at: i64,
    pub ends_at: i64,
}

const SHIFT_SELECT: &str = "SELECT s.id, s.gate_id, g.name AS gate_name, s.account_id, \
     a.display_name AS account_name, s.starts_at, s.ends_at \
     FROM gate_shifts s JOIN gates g ON g.id = s.gate_id JOIN accounts a ON a.id = s.account_id";

/// The shifts of a gate not yet over at `now`, soonest first.
pub async fn shifts_of_gate(conn: &mut Conn, gate_id: i64, now: i64) -> Result<Vec<Shift>> {
    shifts_not_over(conn, "s.gate_id", gate_id, now).await
}

/// The shifts of a guard not yet over at `now`, soonest first.
pub async fn shifts_of_account(conn: &mut Conn, account_id: i64, now: i64) -> Result<Vec<Shift>> {
    shifts_not_over(conn, "s.account_id", account_id, now).await
}

/// The shifts whose `column` (one of ours, never input) is `id`, not yet over at `now`.
async fn shifts_not_over(
    conn: &mut Conn,
    column: &'static str,
    id: i64,
    now: i64,
) -> Result<Vec<Shift>> {
    sql::all(
        conn,
        sqlx::AssertSqlSafe(format!(
            "{SHIFT_SELECT} WHERE {column} = $1 AND s.ends_at > $2 \
             ORDER BY s.starts_at, s.id LIMIT 200"
        )),
        (id, now),
    )
    .await
}

pub async fn insert_shift(
    conn: &mut Conn,
    gate_id: i64,
    account_id: i64,
    starts_at: i64,
    ends_at: i64,
) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO gate_shifts (gate_id, account_id, starts_at, ends_at, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        (gate_id, account_id, starts_at, ends_at, now_ms()),
    )
    .await
}

pub async fn shift(conn: &mut Conn, id: i64) -> Result<Shift> {
    sql::one(
        conn,
        sqlx::AssertSqlSafe(format!("{SHIFT_SELECT} WHERE s.id = $1")),
        (id,),
    )
    .await
}

/// Ends a shift at `at` (a shift that has not begun ends before it begins: it is called off).
pub async fn end_shift(conn: &mut Conn, id: i64, at: i64) -> Result<()> {
    crate::shifts::end(conn, "gate_shifts", id, at).await
}

/// The names of the buildings a gate serves (every building of its community when it serves
/// them all), in name order, at most `limit`: what a visitor's destination is picked from.
pub async fn building_names(conn: &mut Conn, gate_id: i64, limit: i64) -> Result<Vec<String>> {
    sql::scalars(
        conn,
        sqlx::AssertSqlSafe(format!(
            "SELECT b.name {GATE_BUILDINGS} ORDER BY b.name LIMIT $2"
        )),
        (gate_id, limit),
    )
    .await
}

/// The buildings a gate serves whose names start with `prefix`, shortest first, at most
/// `limit`: what a guard is offered as they type where the gate serves too many to list.
pub async fn building_names_starting(
    conn: &mut Conn,
    gate_id: i64,
    prefix: &str,
    limit: i64,
) -> Result<Vec<String>> {
    sql::scalars(
        conn,
        sqlx::AssertSqlSafe(format!(
            "SELECT b.name {GATE_BUILDINGS} AND b.name >= $2 AND b.name < $3 \
             ORDER BY LENGTH(b.name), b.name LIMIT $4"
        )),
        (
            gate_id,
            prefix,
            crate::registry::prefix_upper_bound(prefix),
            limit,
        ),
    )
    .await
}

/// The buildings of gate `$1`: those named for it, or the whole community's when none is.
const GATE_BUILDINGS: &str = "FROM buildings b JOIN gates g ON g.community_id = b.community_id \
     WHERE g.id = $1 AND (NOT EXISTS (SELECT 1 FROM gate_buildings x WHERE x.gate_id = g.id) \
     OR EXISTS (SELECT 1 FROM gate_buildings x WHERE x.gate_id = g.id AND x.building_id = b.id))";

/// The household of a community at a building, unit and room as a guard types them.
pub async fn household_at(
    conn: &mut Conn,
    community_id: i64,
    building: &str,
    unit: &str,
    room: &str,
) -> Result<Option<i64>> {
    sql::scalar_optional(
        conn,
        "SELECT h.id FROM households h JOIN units u ON u.id = h.unit_id \
         JOIN buildings b ON b.id = h.building_id \
         WHERE b.community_id = $1 AND b.name = $2 AND u.name = $3 AND h.room = $4",
        (community_id, building, unit, room),
    )
    .await
}
