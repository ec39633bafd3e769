//! API tokens: issued with an expiry, looked up with their last use, revoked one by one or all
//! of an account's at once.

use serde::Serialize;
use sqlx::{FromRow, Row};

use super::{Account, account_columns};
use crate::sql;
use crate::{Conn, Result, now_ms};

/// Last use is written at most this often per token, not on every request.
pub const LAST_USE_PRECISION_MS: i64 = 60_000;

pub async fn insert_api_token(
    conn: &mut Conn,
    account_id: i64,
    token_hash: &str,
    label: &str,
    expires_at: i64,
) -> Result<i64> {
    let row = sql::fetch_one(
        conn,
        "INSERT INTO api_tokens (account_id, token_hash, label, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        (account_id, token_hash, label, now_ms(), expires_at),
    )
    .await?;
    Ok(row.try_get("id")?)
}

/// An account with one of its tokens, as one row.
#[derive(FromRow)]
struct TokenHolder {
    #[sqlx(flatten)]
    account: Account,
    token_id: i64,
    last_used_at: Option<i64>,
}

/// The active account behind a live API token (unrevoked, unexpired), with the token's id and
/// when it was last used.
pub async fn account_by_api_token(
    conn: &mut Conn,
    token_hash: &str,
) -> Result<Option<(Account, i64, Option<i64>)>> {
    let row = sql::fetch_optional(
        conn,
        concat!(
            "SELECT ",
            account_columns!(),
            ", t.id AS token_id, t.last_used_at FROM api_tokens t \
             JOIN accounts a ON a.id = t.account_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND a.active = 1 \
             AND (t.expires_at IS NULL OR t.expires_at > $2)"
        ),
        (token_hash, now_ms()),
    )
    .await?;
    row.map(|r| {
        let t = TokenHolder::from_row(&r)?;
        Ok((t.account, t.token_id, t.last_used_at))
    })
    .transpose()
}

/// Notes a token's use unless it was noted less than [`LAST_USE_PRECISION_MS`] ago.
pub async fn touch_api_token(conn: &mut Conn, id: i64, now: i64) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 \
         AND (last_used_at IS NULL OR last_used_at <= $3)",
        (now, id, now - LAST_USE_PRECISION_MS),
    )
    .await?;
    Ok(())
}

/// One of the caller's live API tokens; the token itself is never shown again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ApiTokenDto))]
pub struct ApiToken {
    pub id: i64,
    pub label: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// When the token stops working, in milliseconds since the Unix epoch.
    pub expires_at: Option<i64>,
    /// The last request made with it (noted at most once a minute), if any.
    pub last_used_at: Option<i64>,
}

/// An account's live tokens, newest first.
pub async fn api_tokens_of(conn: &mut Conn, account_id: i64) -> Result<Vec<ApiToken>> {
    sql::all(
        conn,
        "SELECT id, label, created_at, expires_at, last_used_at FROM api_tokens \
         WHERE account_id = $1 AND revoked_at IS NULL \
         AND (expires_at IS NULL OR expires_at > $2) ORDER BY id DESC LIMIT 1000",
        (account_id, now_ms()),
    )
    .await
}

/// Revokes one live token of an account; false when it has none by that id.
pub async fn revoke_api_token(conn: &mut Conn, account_id: i64, id: i64) -> Result<bool> {
    let r = sql::execute(
        conn,
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND account_id = $3 \
         AND revoked_at IS NULL",
        (now_ms(), id, account_id),
    )
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Revokes every live (unrevoked, unexpired) token of an account; the number revoked.
pub async fn revoke_api_tokens_of(conn: &mut Conn, account_id: i64) -> Result<u64> {
    let now = now_ms();
    let r = sql::execute(
        conn,
        "UPDATE api_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL \
         AND (expires_at IS NULL OR expires_at > $1)",
        (now, account_id),
    )
    .await?;
    Ok(r.rows_affected())
}
