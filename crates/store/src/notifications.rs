//! The notification centre's rows: written in the transaction of what caused them, read only by
//! their recipient, and the outbound sender's queue.

use domain::access::Placement;
use domain::notifications::Kind;
use domain::page::{Page, PageRequest};
use serde::Serialize;
use sqlx::FromRow;

use crate::sql;
use crate::{Conn, Result};

/// A notification as its recipient reads it.
#[derive(Debug, Clone, Serialize, FromRow)]
pub struct Notification {
    pub id: i64,
    pub recipient_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    pub subject_type: String,
    pub subject_id: i64,
    /// The stored `name=value` pairs; see [`domain::notifications::Params`].
    pub params: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

const SELECT: &str = "SELECT n.id, n.recipient_id, n.kind, n.subject_type, n.subject_id, \
     n.params, n.created_at, n.read_at FROM notifications n";

/// One notification to write.
#[derive(Debug, Clone)]
pub struct NewNotification<'a> {
    pub recipient_id: i64,
    pub kind: Kind,
    pub subject_id: i64,
    pub community_id: Option<i64>,
    pub params: &'a str,
    /// Whether it also leaves the app: queued for the outbound sender.
    pub outbound: bool,
    pub at: i64,
}

pub async fn insert(conn: &mut Conn, n: &NewNotification<'_>) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO notifications (recipient_id, kind, subject_type, subject_id, community_id, \
         params, created_at, outbound) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        (
            n.recipient_id,
            n.kind.code(),
            n.kind.subject_type(),
            n.subject_id,
            n.community_id,
            n.params,
            n.at,
            n.outbound.then_some("due"),
        ),
    )
    .await
}

/// A page of one's own notifications, newest first; `unread_only` leaves out the read ones.
pub async fn of_recipient(
    conn: &mut Conn,
    recipient_id: i64,
    unread_only: bool,
    page: PageRequest,
) -> Result<Page<Notification>> {
    let unread = if unread_only {
        " AND n.read_at IS NULL"
    } else {
        ""
    };
    let rows: Vec<Notification> = sql::all(
        conn,
        sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE n.recipient_id = $1 AND n.id < $2{unread} ORDER BY n.id DESC LIMIT {}",
            page.limit + 1
        )),
        (recipient_id, page.after.unwrap_or(i64::MAX)),
    )
    .await?;
    Ok(Page::from_overfetch(rows, page.limit, |n| n.id))
}

/// One of the recipient's own notifications; `NotFound` for anybody else's.
pub async fn own(conn: &mut Conn, recipient_id: i64, id: i64) -> Result<Notification> {
    sql::optional(
        conn,
        sqlx::AssertSqlSafe(format!("{SELECT} WHERE n.id = $1 AND n.recipient_id = $2")),
        (id, recipient_id),
    )
    .await?
    .ok_or(crate::StoreError::NotFound)
}

/// The recipient's unread notifications, counted from the index.
pub async fn unread_count(conn: &mut Conn, recipient_id: i64) -> Result<i64> {
    sql::scalar(
        conn,
        "SELECT COUNT(*) FROM notifications WHERE recipient_id = $1 AND read_at IS NULL",
        (recipient_id,),
    )
    .await
}

/// Marks one of the recipient's notifications read; whether it was unread.
pub async fn mark_read(conn: &mut Conn, recipient_id: i64, id: i64, at: i64) -> Result<bool> {
    let done = sql::execute(
        conn,
        "UPDATE notifications SET read_at = $1 WHERE id = $2 AND recipient_id = $3 \
         AND read_at IS NULL",
        (at, id, recipient_id),
    )
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks every unread notification of the recipient read; how many.
pub async fn mark_all_read(conn: &mut Conn, recipient_id: i64, at: i64) -> Result<u64> {
    let done = sql::execute(
        conn,
        "UPDATE notifications SET read_at = $1 WHERE recipient_id = $2 AND read_at IS NULL",
        (at, recipient_id),
    )
    .await?;
    Ok(done.rows_affected())
}

/// Someone told of a subject, by name and role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Told {
    pub account_id: i64,
    pub display_name: String,
    pub role: String,
}

/// Who was told of a subject of a kind, in the order they were told.
pub async fn told_of(conn: &mut Conn, kind: Kind, subject_id: i64) -> Result<Vec<Told>> {
    sql::all(
        conn,
        "SELECT a.id AS account_id, a.display_name, a.role FROM notifications n \
         JOIN accounts a ON a.id = n.recipient_id \
         WHERE n.subject_type = $1 AND n.subject_id = $2 AND n.kind = $3 ORDER BY n.id",
        (kind.subject_type(), subject_id, kind.code()),
    )
    .await
}

/// The active accounts of these roles whose jurisdiction covers a place: those told of what
/// happens there (a suspected case: the community's staff and the CDC liaison).
pub async fn accounts_covering(conn: &mut Conn, p: &Placement, roles: &[&str]) -> Result<Vec<i64>> {
    // Role codes are the program's own constants, listed in the SQL.
    let roles = roles
        .iter()
        .filter(|r| r.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        .map(|r| format!("'{r}'"))
        .collect::<Vec<_>>()
        .join(", ");
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    sql::scalars(
        conn,
        sqlx::AssertSqlSafe(format!(
            "SELECT id FROM accounts WHERE active = 1 AND role IN ({roles}) AND (level = 'all' \
             OR (level = 'district' AND scope_id = $1) OR (level = 'street' AND scope_id = $2) \
             OR (level = 'community' AND scope_id = $3)) ORDER BY id"
        )),
        (p.district_id, p.street_id, p.community_id),
    )
    .await
}

/// Whether an account is active: an inactive one is told nothing.
pub async fn is_active(conn: &mut Conn, account_id: i64) -> Result<bool> {
    let n: i64 = sql::scalar(
        conn,
        "SELECT COUNT(*) FROM accounts WHERE id = $1 AND active = 1",
        (account_id,),
    )
    .await?;
    Ok(n > 0)
}

/// A notification due to leave the app, with where it goes.
#[derive(Debug, Clone, FromRow)]
pub struct Outgoing {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    pub params: String,
    pub phone: Option<String>,
    pub language: String,
}

/// Claims up to `limit` notifications due to leave the app: each is marked `sending` in the
/// same statement that picks it, so two servers never send one twice.
pub async fn claim_outgoing(conn: &mut Conn, limit: i64, at: i64) -> Result<Vec<Outgoing>> {
    let ids: Vec<i64> = sql::scalars(
        conn,
        "SELECT id FROM notifications WHERE outbound = 'due' ORDER BY id LIMIT $1",
        (limit,),
    )
    .await?;
    let mut claimed = Vec::new();
    for id in ids {
        let done = sql::execute(
            conn,
            "UPDATE notifications SET outbound = 'sending', outbound_at = $1 \
             WHERE id = $2 AND outbound = 'due'",
            (at, id),
        )
        .await?;
        if done.rows_affected() == 1 {
            claimed.push(
                sql::one(
                    conn,
                    "SELECT n.id, n.kind, n.params, a.phone, a.language FROM notifications n \
                     JOIN accounts a ON a.id = n.recipient_id WHERE n.id = $1",
                    (id,),
                )
                .await?,
            );
        }
    }
    Ok(claimed)
}

/// How a notification's trip out of the app ended: `sent`, `failed` or `no_phone`.
pub async fn outbound_done(conn: &mut Conn, id: i64, outcome: &str, at: i64) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE notifications SET outbound = $1, outbound_at = $2 WHERE id = $3",
        (outcome, at, id),
    )
    .await?;
    Ok(())
}

/// What became of a notification's trip out of the app, for tests and the trail.
pub async fn outbound_state(conn: &mut Conn, id: i64) -> Result<Option<String>> {
    sql::scalar(
        conn,
        "SELECT outbound FROM notifications WHERE id = $1",
        (id,),
    )
    .await
}

/// The recipients and kinds of every notification of a subject, for tests.
pub async fn of_subject(
    conn: &mut Conn,
    subject_type: &str,
    subject_id: i64,
) -> Result<Vec<(i64, String)>> {
    sql::all(
        conn,
        "SELECT recipient_id, kind FROM notifications WHERE subject_type = $1 \
         AND subject_id = $2 ORDER BY recipient_id, id",
        (subject_type, subject_id),
    )
    .await
}

/// Sets the mobile number an account's notifications leave the app to; empty clears it.
pub async fn set_account_phone(conn: &mut Conn, account_id: i64, phone: &str) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE accounts SET phone = $1 WHERE id = $2",
        ((!phone.is_empty()).then_some(phone), account_id),
    )
    .await?;
    Ok(())
}
