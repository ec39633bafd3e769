//! Failed sign-ins per (username, client) and per client, shared by every server through the
//! database.

use sqlx::FromRow;

use crate::sql;
use crate::{Conn, Result};

/// Which count a row keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One username from one client.
    User,
    /// One client over all usernames (the row's username is empty).
    Client,
}

impl Scope {
    fn code(self) -> &'static str {
        match self {
            Scope::User => "user",
            Scope::Client => "client",
        }
    }
}

/// The failures counted for a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, FromRow)]
pub struct Throttle {
    pub failures: i64,
    pub last_failure_at: i64,
    pub blocked_until: i64,
    /// Attempts refused while blocked.
    pub refused: i64,
}

pub async fn throttle(
    conn: &mut Conn,
    scope: Scope,
    username: &str,
    client: &str,
) -> Result<Option<Throttle>> {
    sql::optional(
        conn,
        "SELECT failures, last_failure_at, blocked_until, refused FROM login_throttle \
         WHERE scope = $1 AND username = $2 AND client = $3",
        (scope.code(), username, client),
    )
    .await
}

/// Stores a key's count after a failure (the refusals of the previous block start over).
pub async fn set_failures(
    conn: &mut Conn,
    scope: Scope,
    username: &str,
    client: &str,
    t: &Throttle,
) -> Result<()> {
    sql::execute(
        conn,
        "INSERT INTO login_throttle (scope, username, client, failures, last_failure_at, \
         blocked_until, refused, audited_until) VALUES ($1, $2, $3, $4, $5, $6, 0, 0) \
         ON CONFLICT (scope, username, client) DO UPDATE SET failures = $4, \
         last_failure_at = $5, blocked_until = $6, refused = 0, audited_until = 0",
        (
            scope.code(),
            username,
            client,
            t.failures,
            t.last_failure_at,
            t.blocked_until,
        ),
    )
    .await?;
    Ok(())
}

/// Counts an attempt refused while the key is blocked. True for the first refusal of the block
/// (the one to audit), whichever server sees it.
pub async fn count_refusal(
    conn: &mut Conn,
    scope: Scope,
    username: &str,
    client: &str,
) -> Result<bool> {
    let first = sql::execute(
        conn,
        "UPDATE login_throttle SET refused = refused + 1, audited_until = blocked_until \
         WHERE scope = $1 AND username = $2 AND client = $3 AND audited_until < blocked_until",
        (scope.code(), username, client),
    )
    .await?
    .rows_affected()
        == 1;
    if !first {
        sql::execute(
            conn,
            "UPDATE login_throttle SET refused = refused + 1 \
             WHERE scope = $1 AND username = $2 AND client = $3",
            (scope.code(), username, client),
        )
        .await?;
    }
    Ok(first)
}

/// Forgets a key's failures (after a successful sign-in).
pub async fn clear(conn: &mut Conn, scope: Scope, username: &str, client: &str) -> Result<()> {
    sql::execute(
        conn,
        "DELETE FROM login_throttle WHERE scope = $1 AND username = $2 AND client = $3",
        (scope.code(), username, client),
    )
    .await?;
    Ok(())
}

/// Drops rows whose last failure is older than `before` (housekeeping).
pub async fn purge(conn: &mut Conn, before: i64) -> Result<u64> {
    let r = sql::execute(
        conn,
        "DELETE FROM login_throttle WHERE last_failure_at < $1 AND blocked_until < $1",
        (before,),
    )
    .await?;
    Ok(r.rows_affected())
}
