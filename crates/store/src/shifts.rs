//! What gate shifts and hotline shifts share: how a shift ends.

use crate::{Conn, Result, sql};

/// Ends the shift `id` of `table` (one of ours, never input) at `at`; a shift not yet begun
/// ends where it begins: it is called off.
pub(crate) async fn end(conn: &mut Conn, table: &'static str, id: i64, at: i64) -> Result<()> {
    sql::execute(
        conn,
        sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET ends_at = CASE WHEN starts_at > $1 THEN starts_at ELSE $1 END \
             WHERE id = $2"
        )),
        (at, id),
    )
    .await?;
    Ok(())
}
