//! Checkpoint passes: the versions of their signing key.

use crate::{Conn, Result, now_ms, sql};

/// Every version of the pass signing key, oldest first.
pub async fn key_versions(conn: &mut Conn) -> Result<Vec<i64>> {
    sql::scalars(conn, "SELECT version FROM pass_keys ORDER BY version", ()).await
}

/// Adds the next version of the key and returns it.
pub async fn add_key_version(conn: &mut Conn) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO pass_keys (version, created_at) \
         SELECT COALESCE(MAX(version), 0) + 1, $1 FROM pass_keys RETURNING version",
        (now_ms(),),
    )
    .await
}
