//! The hotline's duty shifts, the calls answered and the follow-ups they leave. A caller's full
//! number is written once and read by no query here: every read carries the masked one.

use domain::access::Jurisdiction;
use domain::hotline::{FollowUpState, Topic};
use domain::page::{Page, PageRequest};
use serde::Serialize;

use crate::rows::read;
use crate::scope::{Key, Rows, Where};
use crate::{Conn, Result, sql};

/// A duty shift on the hotline of a community.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Shift {
    pub id: i64,
    pub community_id: i64,
    pub community_name: String,
    pub account_id: i64,
    pub account_name: String,
    pub starts_at: i64,
    pub ends_at: i64,
}

const SHIFT_SELECT: &str = "SELECT s.id, s.community_id, c.name AS community_name, s.account_id, \
     a.display_name AS account_name, s.starts_at, s.ends_at FROM hotline_shifts s \
     JOIN communities c ON c.id = s.community_id JOIN accounts a ON a.id = s.account_id";

pub async fn insert_shift(
    conn: &mut Conn,
    community_id: i64,
    account_id: i64,
    starts_at: i64,
    ends_at: i64,
    by: i64,
) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO hotline_shifts (community_id, account_id, starts_at, ends_at, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        (
            community_id,
            account_id,
            starts_at,
            ends_at,
            by,
            crate::now_ms(),
        ),
    )
    .await
}

/// The shifts of the jurisdiction's communities not over at `now`, soonest first.
pub async fn shifts(conn: &mut Conn, j: &Jurisdiction, now: i64) -> Result<Vec<Shift>> {
    let mut w = Where::new();
    w.scope_of(j, "c", Rows::Communities)
        .int("s.ends_at > ?", now);
    w.fetch_all(conn, SHIFT_SELECT, "s.starts_at, s.id LIMIT 200", read)
        .await
}

pub async fn shift(conn: &mut Conn, j: &Jurisdiction, id: i64) -> Result<Shift> {
    let mut w = Where::new();
    w.scope_of(j, "c", Rows::Communities).int("s.id = ?", id);
    w.fetch_one(conn, SHIFT_SELECT, read).await
}

/// The account's shift under way at `at`, if any (the earliest begun when two overlap).
pub async fn duty_shift(conn: &mut Conn, account_id: i64, at: i64) -> Result<Option<Shift>> {
    sql::optional(
        conn,
        sqlx::AssertSqlSafe(format!(
            "{SHIFT_SELECT} WHERE s.account_id = $1 AND s.starts_at <= $2 AND s.ends_at > $2 \
             ORDER BY s.starts_at, s.id LIMIT 1"
        )),
        (account_id, at),
    )
    .await
}

/// Ends a shift at `at`; one not yet begun ends where it begins (it is called off).
pub async fn end_shift(conn: &mut Conn, id: i64, at: i64) -> Result<()> {
    crate::shifts::end(conn, "hotline_shifts", id, at).await
}

/// A call as the log shows it, its number masked.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Call {
    pub id: i64,
    pub community_id: i64,
    pub at: i64,
    pub answered_by: i64,
    pub answered_by_name: String,
    pub caller_name: String,
    pub caller_number_masked: String,
    pub household_id: Option<i64>,
    pub resident_id: Option<i64>,
    /// The household's building, unit and room, when known.
    pub home: Option<String>,
    pub resident_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub topic: Topic,
    pub said: String,
    pub outcome: String,
    pub complaint_id: Option<i64>,
    pub delivery_id: Option<i64>,
}

const CALL_SELECT: &str = "SELECT k.id, k.community_id, k.at, k.answered_by, \
     a.display_name AS answered_by_name, k.caller_name, k.caller_number_masked, k.household_id, \
     k.resident_id, CASE WHEN k.household_id IS NULL THEN NULL ELSE \
     (SELECT b.name || ' ' || u.name || ' ' || h.room FROM households h \
      JOIN units u ON u.id = h.unit_id JOIN buildings b ON b.id = h.building_id \
      WHERE h.id = k.household_id) END AS home, \
     (SELECT r.name FROM residents r WHERE r.id = k.resident_id) AS resident_name, \
     k.topic, k.said, k.outcome, k.complaint_id, k.delivery_id \
     FROM hotline_calls k JOIN accounts a ON a.id = k.answered_by";

/// A call as it is written.
pub struct NewCall<'a> {
    pub community_id: i64,
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub at: i64,
    pub answered_by: i64,
    pub shift_id: i64,
    pub caller_name: &'a str,
    pub caller_number: &'a str,
    pub caller_number_masked: &'a str,
    pub household_id: Option<i64>,
    pub resident_id: Option<i64>,
    pub topic: Topic,
    pub said: &'a str,
    pub outcome: &'a str,
}

pub async fn insert_call(conn: &mut Conn, c: &NewCall<'_>) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO hotline_calls (community_id, grid_id, building_id, at, answered_by, \
         shift_id, caller_name, caller_number, caller_number_masked, household_id, resident_id, \
         topic, said, outcome, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
        (
            c.community_id,
            c.grid_id,
            c.building_id,
            c.at,
            c.answered_by,
            c.shift_id,
            c.caller_name,
            c.caller_number,
            c.caller_number_masked,
            c.household_id,
            c.resident_id,
            c.topic.code(),
            c.said,
            c.outcome,
            crate::now_ms(),
        ),
    )
    .await
}

/// Notes on a call what it started.
pub async fn set_call_started(
    conn: &mut Conn,
    id: i64,
    complaint_id: Option<i64>,
    delivery_id: Option<i64>,
) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE hotline_calls SET complaint_id = $1, delivery_id = $2 WHERE id = $3",
        (complaint_id, delivery_id, id),
    )
    .await?;
    Ok(())
}

/// Which calls a log page shows.
#[derive(Debug, Clone, Default)]
pub struct CallFilter {
    pub topic: Option<Topic>,
    /// From and to (ms, `to` excluded).
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// The calls of the jurisdiction, newest first.
pub async fn calls(
    conn: &mut Conn,
    j: &Jurisdiction,
    f: &CallFilter,
    page: PageRequest,
) -> Result<Page<Call>> {
    let mut w = Where::new();
    w.scope(j, "k")
        .text_if_given("k.topic = ?", f.topic.map(Topic::code))
        .int_if_given("k.at >= ?", f.from)
        .int_if_given("k.at < ?", f.to);
    let order = w.keyset("k", "hotline_calls", Key::Desc("at"), page.after);
    w.fetch_page(conn, CALL_SELECT, &order, page, read, |c: &Call| c.id)
        .await
}

pub async fn call(conn: &mut Conn, j: &Jurisdiction, id: i64) -> Result<Call> {
    let mut w = Where::new();
    w.scope(j, "k").int("k.id = ?", id);
    w.fetch_one(conn, CALL_SELECT, read).await
}

/// Calls counted by hour of the day and topic.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct HourCount {
    /// 0 to 23, in the community's time.
    pub hour: i64,
    #[sqlx(try_from = "String")]
    pub topic: Topic,
    pub calls: i64,
}

/// The jurisdiction's calls from `from` to `to` (ms) by hour of the day and topic; `offset_ms`
/// shifts the stored UTC times to the community's clock.
pub async fn calls_per_hour(
    conn: &mut Conn,
    j: &Jurisdiction,
    from: i64,
    to: i64,
    offset_ms: i64,
) -> Result<Vec<HourCount>> {
    let mut w = Where::new();
    w.scope(j, "k").int("k.at >= ?", from).int("k.at < ?", to);
    let select = format!(
        "SELECT CAST(((k.at + {offset_ms}) / 3600000) % 24 AS BIGINT) AS hour, k.topic, \
         CAST(COUNT(*) AS BIGINT) AS calls FROM hotline_calls k"
    );
    let sql = format!("{select}{} GROUP BY 1, 2 ORDER BY 1, 2", w.sql());
    let rows = w
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(read).collect()
}

/// A follow-up of a call.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct FollowUp {
    pub id: i64,
    pub call_id: i64,
    pub community_id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub what: String,
    pub due_at: i64,
    #[sqlx(try_from = "String")]
    pub state: FollowUpState,
    pub done_at: Option<i64>,
    pub done_note: Option<String>,
    #[sqlx(try_from = "String")]
    pub topic: Topic,
    pub home: Option<String>,
}

const FOLLOW_UP_SELECT: &str = "SELECT f.id, f.call_id, f.community_id, f.owner_id, \
     a.display_name AS owner_name, f.what, f.due_at, f.state, f.done_at, f.done_note, k.topic, \
     CASE WHEN k.household_id IS NULL THEN NULL ELSE \
     (SELECT b.name || ' ' || u.name || ' ' || h.room FROM households h \
      JOIN units u ON u.id = h.unit_id JOIN buildings b ON b.id = h.building_id \
      WHERE h.id = k.household_id) END AS home \
     FROM hotline_followups f JOIN accounts a ON a.id = f.owner_id \
     JOIN hotline_calls k ON k.id = f.call_id";

pub struct NewFollowUp<'a> {
    pub call_id: i64,
    pub community_id: i64,
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub owner_id: i64,
    pub what: &'a str,
    pub due_at: i64,
    pub by: i64,
}

pub async fn insert_follow_up(conn: &mut Conn, f: &NewFollowUp<'_>) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO hotline_followups (call_id, community_id, grid_id, building_id, owner_id, \
         what, due_at, state, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9) RETURNING id",
        (
            f.call_id,
            f.community_id,
            f.grid_id,
            f.building_id,
            f.owner_id,
            f.what,
            f.due_at,
            f.by,
            crate::now_ms(),
        ),
    )
    .await
}

/// Which follow-ups a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct FollowUpFilter {
    pub owner_id: Option<i64>,
    pub call_id: Option<i64>,
    pub state: Option<FollowUpState>,
}

/// Follow-ups of the jurisdiction, or of an owner anywhere they were given one; soonest due
/// first.
pub async fn follow_ups(
    conn: &mut Conn,
    j: &Jurisdiction,
    f: FollowUpFilter,
) -> Result<Vec<FollowUp>> {
    let mut w = Where::new();
    match f.owner_id {
        // An owner's own work is theirs wherever the call came from: a grid worker's follow-up
        // names a household of their grid, but the call may have no place.
        Some(owner) => w.int("f.owner_id = ?", owner),
        None => w.scope_of(j, "f", Rows::Placed),
    };
    w.int_if_given("f.call_id = ?", f.call_id)
        .text_if_given("f.state = ?", f.state.map(FollowUpState::code));
    w.fetch_all(conn, FOLLOW_UP_SELECT, "f.due_at, f.id LIMIT 500", read)
        .await
}

/// One follow-up inside the jurisdiction, or owned by `owner` wherever it is.
pub async fn follow_up(conn: &mut Conn, j: &Jurisdiction, owner: i64, id: i64) -> Result<FollowUp> {
    let mut w = Where::new();
    if let Some(c) = crate::scope::condition(j, "f", Rows::Placed, 1) {
        w.raw(&format!("({c} OR f.owner_id = $2)"));
        w.params.push(crate::scope::Param::Int(j.id));
        w.params.push(crate::scope::Param::Int(owner));
    }
    w.int("f.id = ?", id);
    w.fetch_one(conn, FOLLOW_UP_SELECT, read).await
}

/// The caller's number in full: the one read of it, for a call back.
pub async fn caller_number(conn: &mut Conn, call_id: i64) -> Result<String> {
    sql::scalar(
        conn,
        "SELECT caller_number FROM hotline_calls WHERE id = $1",
        (call_id,),
    )
    .await
}

/// Marks an open follow-up done; false when it was no longer open.
pub async fn finish_follow_up(
    conn: &mut Conn,
    id: i64,
    by: i64,
    note: &str,
    at: i64,
) -> Result<bool> {
    let r = sql::execute(
        conn,
        "UPDATE hotline_followups SET state = 'done', done_at = $1, done_by = $2, done_note = $3 \
         WHERE id = $4 AND state = 'open'",
        (at, by, note, id),
    )
    .await?;
    Ok(r.rows_affected() == 1)
}

/// An account one may give work to in a community.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Owner {
    pub id: i64,
    pub display_name: String,
    pub role: String,
}

/// The active accounts of `roles` working in the community or one of its grids or buildings,
/// staff first, then by name.
pub async fn owners_in(conn: &mut Conn, community_id: i64, roles: &[&str]) -> Result<Vec<Owner>> {
    let list = roles
        .iter()
        .filter(|r| r.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .map(|r| format!("'{r}'"))
        .collect::<Vec<_>>()
        .join(", ");
    if list.is_empty() {
        return Ok(Vec::new());
    }
    sql::all(
        conn,
        sqlx::AssertSqlSafe(format!(
            "SELECT id, display_name, role FROM accounts WHERE active = 1 AND role IN ({list}) \
             AND ((level = 'community' AND scope_id = $1) \
             OR (level = 'grid' AND scope_id IN (SELECT id FROM grids WHERE community_id = $1)) \
             OR (level = 'building' AND scope_id IN \
                 (SELECT id FROM buildings WHERE community_id = $1))) \
             ORDER BY CASE role WHEN 'community_staff' THEN 0 ELSE 1 END, display_name, id \
             LIMIT 500"
        )),
        (community_id,),
    )
    .await
}

/// The grid worker who looks after a household: one of its building, else of its grid.
pub async fn grid_worker_of(
    conn: &mut Conn,
    grid_id: i64,
    building_id: i64,
) -> Result<Option<i64>> {
    sql::scalar_optional(
        conn,
        "SELECT id FROM accounts WHERE active = 1 AND role = 'grid_worker' \
         AND ((level = 'building' AND scope_id = $1) OR (level = 'grid' AND scope_id = $2)) \
         ORDER BY CASE level WHEN 'building' THEN 0 ELSE 1 END, id LIMIT 1",
        (building_id, grid_id),
    )
    .await
}

/// Whether a household has a member under active home quarantine.
pub async fn in_home_quarantine(conn: &mut Conn, household_id: i64) -> Result<bool> {
    let n: i64 = sql::scalar(
        conn,
        "SELECT COUNT(*) FROM quarantine_orders WHERE household_id = $1 AND state = 'active' \
         AND kind = 'home'",
        (household_id,),
    )
    .await?;
    Ok(n > 0)
}
