//! What the risk map colours each building by.

use serde::Serialize;

use crate::{Conn, Result, sql};

/// A building as the risk map colours it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct BuildingState {
    pub id: i64,
    pub grid_id: i64,
    pub name: String,
    /// Open seals on it.
    pub seals: i64,
    /// 2: an outbreak point in it; 1: in an alert zone; 0: neither.
    pub zone: i64,
    /// Residents under active quarantine in it.
    pub quarantined: i64,
    /// Unresolved fever alerts in it.
    pub fevers: i64,
}

/// Every building of a community (at most `limit`) with what the map colours it by: one
/// statement over the buildings' index and the open rows of seals, zones, orders and alerts.
pub async fn building_states(
    conn: &mut Conn,
    community_id: i64,
    grid_id: Option<i64>,
    limit: i64,
) -> Result<Vec<BuildingState>> {
    sql::all(
        conn,
        "SELECT b.id, b.grid_id, b.name, COALESCE(s.n, 0) AS seals, COALESCE(z.k, 0) AS zone, \
         COALESCE(q.n, 0) AS quarantined, COALESCE(a.n, 0) AS fevers FROM buildings b \
         LEFT JOIN (SELECT building_id, COUNT(*) AS n FROM seals WHERE community_id = $1 \
         AND ended_at IS NULL GROUP BY building_id) s ON s.building_id = b.id \
         LEFT JOIN (SELECT building_id, MAX(CASE WHEN kind = 'outbreak_point' THEN 2 ELSE 1 END) \
         AS k FROM risk_zones WHERE community_id = $1 AND ended_at IS NULL GROUP BY building_id) z \
         ON z.building_id = b.id \
         LEFT JOIN (SELECT building_id, COUNT(*) AS n FROM quarantine_orders \
         WHERE community_id = $1 AND state = 'active' GROUP BY building_id) q \
         ON q.building_id = b.id \
         LEFT JOIN (SELECT building_id, COUNT(*) AS n FROM check_alerts WHERE community_id = $1 \
         AND state <> 'resolved' AND kind = 'fever' GROUP BY building_id) a \
         ON a.building_id = b.id \
         WHERE b.community_id = $1 AND ($2 = 0 OR b.grid_id = $2) ORDER BY b.grid_id, b.name, b.id \
         LIMIT $3",
        (community_id, grid_id.unwrap_or(0), limit),
    )
    .await
}
