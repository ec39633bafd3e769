//! The residents table's secondary indexes, set aside while a large import loads and built
//! again after it: building an index once over all its rows is several times faster than
//! keeping it up to date row by row (measured at county scale in `gridwatch bench`).
//!
//! The unique index of ID numbers is never set aside: an import looks residents up by it and
//! it keeps one person one resident. An index missing after a crash is built again when the
//! database is next opened ([`restore`] runs after the migrations), so a killed import leaves
//! a database that is slower for a moment, never a wrong one.

use sqlx::Executor;

use crate::{Conn, Result};

/// Each secondary index of residents, as migration 0001 creates it.
pub const RESIDENT_INDEXES: [(&str, &str); 8] = [
    ("residents_household", "residents (household_id)"),
    ("residents_community", "residents (community_id, id)"),
    ("residents_grid", "residents (grid_id, id)"),
    ("residents_building", "residents (building_id, id)"),
    ("residents_name", "residents (name, id)"),
    ("residents_phone", "residents (phone)"),
    (
        "residents_community_travel",
        "residents (community_id, travel_status, id)",
    ),
    (
        "residents_grid_travel",
        "residents (grid_id, travel_status, id)",
    ),
];

/// Drops the secondary indexes of residents.
pub async fn set_aside(conn: &mut Conn) -> Result<()> {
    for (name, _) in RESIDENT_INDEXES {
        conn.execute(sqlx::AssertSqlSafe(format!("DROP INDEX IF EXISTS {name}")))
            .await?;
    }
    Ok(())
}

/// Builds every secondary index of residents that is missing; a no-op when none is.
pub async fn restore(conn: &mut Conn) -> Result<()> {
    for (name, on) in RESIDENT_INDEXES {
        conn.execute(sqlx::AssertSqlSafe(format!(
            "CREATE INDEX IF NOT EXISTS {name} ON {on}"
        )))
        .await?;
    }
    Ok(())
}

/// The secondary indexes of residents that are missing now.
pub async fn missing(conn: &mut Conn) -> Result<Vec<&'static str>> {
    let sql = if conn.backend_name() == "PostgreSQL" {
        // The schema's own table only: another schema of the same database has its own.
        "SELECT indexname::text AS name FROM pg_indexes WHERE tablename = 'residents' \
         AND schemaname = current_schema()"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'residents'"
    };
    let present: Vec<String> = sqlx::query_scalar(sql).fetch_all(&mut *conn).await?;
    Ok(RESIDENT_INDEXES
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !present.iter().any(|p| p == name))
        .collect())
}

/// How many residents the table holds: an import larger than this loads faster with the
/// indexes set aside.
pub async fn residents_in_table(conn: &mut Conn) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM residents")
        .fetch_one(&mut *conn)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list above is the migration's: an index added there and not here would be lost by
    /// the first large import.
    #[test]
    fn the_list_is_the_migrations_own() {
        let sql = include_str!("../migrations/0001_foundation.sql");
        let created: Vec<String> = sql
            .lines()
            .filter(|l| l.starts_with("CREATE INDEX") && l.contains(" ON residents "))
            .map(|l| l.trim_end_matches(';').to_owned())
            .collect();
        let listed: Vec<String> = RESIDENT_INDEXES
            .iter()
            .map(|(name, on)| format!("CREATE INDEX {name} ON {on}"))
            .collect();
        assert_eq!(created, listed);
    }
}
