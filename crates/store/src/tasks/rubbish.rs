//! Rubbish rounds: one per grid and day, visiting the sealed doors in address order.

use domain::access::Jurisdiction;
use domain::page::{Page, PageRequest};
use domain::tasks::{RoundState, StopState};
use serde::Serialize;

use super::TaskReach;
use crate::rows::read;
use crate::scope::{Key, Where};
use crate::sql;
use crate::{Conn, Result, now_ms};

/// A round with its grid's name and the volunteer's name.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Round {
    pub id: i64,
    pub grid_id: i64,
    pub grid_name: String,
    pub community_id: i64,
    /// ISO date.
    pub round_date: String,
    #[sqlx(try_from = "String")]
    pub state: RoundState,
    pub volunteer_id: Option<i64>,
    pub volunteer_name: Option<String>,
    /// Doors on the round, and those not yet visited (kept counts).
    pub stops: i64,
    pub pending: i64,
    pub opened_at: i64,
    pub done_at: Option<i64>,
    pub done_by: Option<i64>,
}

const ROUND_SELECT: &str = "SELECT r.id, r.grid_id, g.name AS grid_name, r.community_id, \
     r.round_date, r.state, r.volunteer_id, a.display_name AS volunteer_name, r.stops, \
     r.pending, r.opened_at, r.done_at, r.done_by FROM rubbish_rounds r JOIN grids g ON g.id = r.grid_id \
     LEFT JOIN accounts a ON a.id = r.volunteer_id";

#[derive(Debug, Clone, Default)]
pub struct RoundFilter {
    /// ISO date; any day when `None`.
    pub date: Option<String>,
    pub volunteer_id: Option<i64>,
    pub grid_id: Option<i64>,
}

/// Rounds in the jurisdiction, newest day first, then by key.
pub async fn list_rounds(
    conn: &mut Conn,
    j: &Jurisdiction,
    f: &RoundFilter,
    page: PageRequest,
) -> Result<Page<Round>> {
    let mut w = Where::new();
    w.scope(j, "r");
    w.text_if_given("r.round_date = ?", f.date.as_deref());
    w.int_if_given("r.volunteer_id = ?", f.volunteer_id);
    w.int_if_given("r.grid_id = ?", f.grid_id);
    let order = w.keyset("r", "rubbish_rounds", Key::Desc("round_date"), page.after);
    w.fetch_page(conn, ROUND_SELECT, &order, page, read::<Round>, |r| r.id)
        .await
}

/// One round, if the jurisdiction and the reach cover it.
pub async fn round(conn: &mut Conn, j: &Jurisdiction, reach: TaskReach, id: i64) -> Result<Round> {
    let mut w = Where::new();
    w.scope(j, "r").int("r.id = ?", id);
    reach.bind_to(&mut w, "r");
    w.fetch_one(conn, ROUND_SELECT, read::<Round>).await
}

/// The round of a grid on a day, created open if there is none; its id and whether it is new.
pub async fn round_or_insert(
    conn: &mut Conn,
    grid_id: i64,
    community_id: i64,
    date: &str,
    volunteer_id: Option<i64>,
) -> Result<(i64, bool)> {
    let inserted = sql::scalar_optional(
        conn,
        "INSERT INTO rubbish_rounds (grid_id, community_id, round_date, state, volunteer_id, \
         stops, pending, opened_at) VALUES ($1, $2, $3, 'open', $4, 0, 0, $5) \
         ON CONFLICT (grid_id, round_date) DO NOTHING RETURNING id",
        (grid_id, community_id, date, volunteer_id, now_ms()),
    )
    .await?;
    if let Some(id) = inserted {
        return Ok((id, true));
    }
    let id = sql::scalar(
        conn,
        "SELECT id FROM rubbish_rounds WHERE grid_id = $1 AND round_date = $2",
        (grid_id, date),
    )
    .await?;
    Ok((id, false))
}

/// The volunteer of a grid's round on a day, if one was assigned.
pub async fn round_volunteer(conn: &mut Conn, grid_id: i64, date: &str) -> Result<Option<i64>> {
    let volunteer: Option<Option<i64>> = sql::scalar_optional(
        conn,
        "SELECT volunteer_id FROM rubbish_rounds WHERE grid_id = $1 AND round_date = $2",
        (grid_id, date),
    )
    .await?;
    Ok(volunteer.flatten())
}

/// Adds a door to an open round unless it is on it already; whether it was added. The round's
/// kept counts follow.
pub async fn insert_stop(
    conn: &mut Conn,
    round_id: i64,
    household_id: i64,
    place_key: &str,
) -> Result<bool> {
    let added = sql::execute(
        conn,
        "INSERT INTO rubbish_stops (round_id, household_id, place_key, state) \
         VALUES ($1, $2, $3, 'pending') ON CONFLICT (round_id, household_id) DO NOTHING",
        (round_id, household_id, place_key),
    )
    .await?
    .rows_affected()
        == 1;
    if added {
        sql::execute(
            conn,
            "UPDATE rubbish_rounds SET stops = stops + 1, pending = pending + 1 WHERE id = $1",
            (round_id,),
        )
        .await?;
    }
    Ok(added)
}

/// One door of a round with its address.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Stop {
    pub id: i64,
    pub round_id: i64,
    pub household_id: i64,
    pub building_name: String,
    pub unit_name: String,
    pub room: String,
    #[sqlx(try_from = "String")]
    pub state: StopState,
    pub visited_at: Option<i64>,
    pub visited_by: Option<i64>,
}

const STOP_SELECT: &str = "SELECT s.id, s.round_id, s.household_id, b.name AS building_name, \
     u.name AS unit_name, h.room, s.state, s.visited_at, s.visited_by FROM rubbish_stops s \
     JOIN households h ON h.id = s.household_id JOIN units u ON u.id = h.unit_id \
     JOIN buildings b ON b.id = h.building_id";

/// The doors of a round (already read through the caller's jurisdiction) in address order,
/// continuing after the stop whose id is `page.after`.
pub async fn list_stops(conn: &mut Conn, round_id: i64, page: PageRequest) -> Result<Page<Stop>> {
    let mut w = Where::new();
    w.int("s.round_id = ?", round_id);
    let order = w.keyset("s", "rubbish_stops", Key::Asc("place_key"), page.after);
    w.fetch_page(conn, STOP_SELECT, &order, page, read::<Stop>, |s| s.id)
        .await
}

pub async fn stop(conn: &mut Conn, round_id: i64, stop_id: i64) -> Result<Stop> {
    let sql = format!("{STOP_SELECT} WHERE s.round_id = $1 AND s.id = $2");
    sql::one(conn, sqlx::AssertSqlSafe(sql), (round_id, stop_id)).await
}

/// Records what was found at a door, keeping the round's count of doors not yet visited.
pub async fn set_stop(
    conn: &mut Conn,
    round_id: i64,
    stop_id: i64,
    from_state: StopState,
    state: StopState,
    by: i64,
) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE rubbish_stops SET state = $1, visited_at = $2, visited_by = $3 \
         WHERE id = $4 AND round_id = $5",
        (state.code(), now_ms(), by, stop_id, round_id),
    )
    .await?;
    let delta =
        i64::from(from_state == StopState::Pending) - i64::from(state == StopState::Pending);
    if delta != 0 {
        sql::execute(
            conn,
            "UPDATE rubbish_rounds SET pending = pending - $1 WHERE id = $2",
            (delta, round_id),
        )
        .await?;
    }
    Ok(())
}

/// Closes an open round; whether it was still open.
pub async fn set_round_done(conn: &mut Conn, id: i64, by: i64) -> Result<bool> {
    let r = sql::execute(
        conn,
        "UPDATE rubbish_rounds SET state = 'done', done_at = $1, done_by = $2 \
         WHERE id = $3 AND state = 'open' AND pending = 0",
        (now_ms(), by, id),
    )
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_round_volunteer(
    conn: &mut Conn,
    id: i64,
    volunteer_id: Option<i64>,
) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE rubbish_rounds SET volunteer_id = $1 WHERE id = $2",
        (volunteer_id, id),
    )
    .await?;
    Ok(())
}
