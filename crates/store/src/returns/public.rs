//! What the public application page keeps without an account: the one-time codes sent to
//! phones, and the attempts counted against its limits.

use crate::sql;
use crate::{Conn, Result};

/// A one-time code not yet used.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Code {
    pub id: i64,
    pub code_hash: String,
    pub expires_at: i64,
    pub failures: i64,
}

pub async fn insert_code(
    conn: &mut Conn,
    phone: &str,
    code_hash: &str,
    now: i64,
    expires_at: i64,
) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO return_codes (phone, code_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
        (phone, code_hash, now, expires_at),
    )
    .await
}

/// The phone's latest code, if it is unused and not expired at `now`.
pub async fn live_code(conn: &mut Conn, phone: &str, now: i64) -> Result<Option<Code>> {
    sql::optional(
        conn,
        "SELECT id, code_hash, expires_at, failures FROM return_codes \
         WHERE phone = $1 AND used_at IS NULL AND expires_at > $2 \
         ORDER BY id DESC LIMIT 1",
        (phone, now),
    )
    .await
}

/// Spends the phone's live code (its latest, unused and not expired at `now`) if its hash is
/// `code_hash` and fewer than `max_failures` wrong ones were tried against it; its id, or
/// `None` with nothing written. The check and the spending in one statement.
pub async fn spend_code(
    conn: &mut Conn,
    phone: &str,
    code_hash: &str,
    max_failures: i64,
    now: i64,
) -> Result<Option<i64>> {
    sql::scalar_optional(
        conn,
        "UPDATE return_codes SET used_at = $1 WHERE id = (SELECT id FROM return_codes \
         WHERE phone = $2 AND used_at IS NULL AND expires_at > $1 ORDER BY id DESC LIMIT 1) \
         AND failures < $3 AND code_hash = $4 RETURNING id",
        (now, phone, max_failures, code_hash),
    )
    .await
}

/// Counts a wrong code against a code.
pub async fn code_failed(conn: &mut Conn, id: i64) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE return_codes SET failures = failures + 1 WHERE id = $1",
        (id,),
    )
    .await?;
    Ok(())
}

/// What an attempt is counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// The client's address.
    Client,
    /// The keyed index of an ID number, hex.
    Document,
    /// A phone number a code is sent to.
    Phone,
}

impl Limit {
    fn code(self) -> &'static str {
        match self {
            Limit::Client => "client",
            Limit::Document => "document",
            Limit::Phone => "phone",
        }
    }
}

pub async fn record_attempt(conn: &mut Conn, limit: Limit, subject: &str, at: i64) -> Result<()> {
    sql::execute(
        conn,
        "INSERT INTO return_attempts (scope, subject, at) VALUES ($1, $2, $3)",
        (limit.code(), subject, at),
    )
    .await?;
    Ok(())
}

/// Counts an attempt for a subject if fewer than `max` were counted since `since` (ms); false,
/// and nothing counted, when the limit is reached. One statement: the count and the insert run
/// together inside the caller's write transaction.
pub async fn attempt_within(
    conn: &mut Conn,
    limit: Limit,
    subject: &str,
    at: i64,
    since: i64,
    max: i64,
) -> Result<bool> {
    let r = sql::execute(
        conn,
        "INSERT INTO return_attempts (scope, subject, at) SELECT $1, $2, $3 \
         WHERE (SELECT COUNT(*) FROM return_attempts \
         WHERE scope = $1 AND subject = $2 AND at >= $4) < $5",
        (limit.code(), subject, at, since, max),
    )
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Attempts counted for a subject since `since` (ms).
pub async fn attempts_since(
    conn: &mut Conn,
    limit: Limit,
    subject: &str,
    since: i64,
) -> Result<i64> {
    sql::scalar(
        conn,
        "SELECT COUNT(*) FROM return_attempts WHERE scope = $1 AND subject = $2 AND at >= $3",
        (limit.code(), subject, since),
    )
    .await
}

/// Drops attempts and codes older than `before` (housekeeping).
pub async fn purge(conn: &mut Conn, before: i64) -> Result<u64> {
    let a = sql::execute(conn, "DELETE FROM return_attempts WHERE at < $1", (before,)).await?;
    let c = sql::execute(
        conn,
        "DELETE FROM return_codes WHERE expires_at < $1",
        (before,),
    )
    .await?;
    Ok(a.rows_affected() + c.rows_affected())
}

/// Replaces an application's personal link.
pub async fn set_link(conn: &mut Conn, id: i64, link_hash: &str) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE return_applications SET link_hash = $1 WHERE id = $2",
        (link_hash, id),
    )
    .await?;
    Ok(())
}

/// The household of a community's building at a unit and room as the applicant types them.
pub async fn household_in(
    conn: &mut Conn,
    community_id: i64,
    building_id: i64,
    unit: &str,
    room: &str,
) -> Result<Option<i64>> {
    sql::scalar_optional(
        conn,
        "SELECT h.id FROM households h JOIN units u ON u.id = h.unit_id \
         WHERE h.community_id = $1 AND h.building_id = $2 AND u.name = $3 AND h.room = $4",
        (community_id, building_id, unit, room),
    )
    .await
}

/// A community as the public page names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicCommunity {
    pub id: i64,
    pub name: String,
}

pub async fn public_community(conn: &mut Conn, id: i64) -> Result<Option<PublicCommunity>> {
    let name: Option<String> =
        sql::scalar_optional(conn, "SELECT name FROM communities WHERE id = $1", (id,)).await?;
    Ok(name.map(|name| PublicCommunity { id, name }))
}
