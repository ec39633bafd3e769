//! The registry's counts per grid, adjusted by every write of residents and households so the
//! summary reads a few hundred rows instead of counting hundreds of thousands.

use std::collections::HashMap;

use domain::registry::{Hukou, TravelStatus};
use serde::Serialize;
use sqlx::FromRow;

use crate::sql;
use crate::{Conn, Result};

/// The bucket a resident is counted in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountKey {
    pub grid_id: i64,
    pub community_id: i64,
    pub travel_status: TravelStatus,
    pub hukou: Hukou,
    pub vulnerable: bool,
}

/// Adds `delta` residents to each bucket (negative to remove).
pub(crate) async fn adjust_residents(
    conn: &mut Conn,
    deltas: &HashMap<CountKey, i64>,
) -> Result<()> {
    for (k, d) in deltas.iter().filter(|(_, d)| **d != 0) {
        sql::execute(conn, "INSERT INTO resident_counts (grid_id, community_id, travel_status, hukou, vulnerable, residents) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (grid_id, travel_status, hukou, vulnerable) \
             DO UPDATE SET residents = resident_counts.residents + excluded.residents", (k.grid_id, k.community_id, k.travel_status.code(), k.hukou.code(), i64::from(k.vulnerable), *d)).await?;
    }
    Ok(())
}

pub(crate) async fn adjust_households(
    conn: &mut Conn,
    deltas: &HashMap<(i64, i64), i64>,
) -> Result<()> {
    for ((grid_id, community_id), d) in deltas.iter().filter(|(_, d)| **d != 0) {
        sql::execute(conn, "INSERT INTO household_counts (grid_id, community_id, households) VALUES ($1, $2, $3) \
             ON CONFLICT (grid_id) DO UPDATE SET households = household_counts.households + excluded.households", (*grid_id, *community_id, *d)).await?;
    }
    Ok(())
}

/// One grid's figures.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct GridSummary {
    pub grid_id: i64,
    pub residents: i64,
    pub households: i64,
    pub stayed_in_city: i64,
    pub returned: i64,
    pub not_yet_returned: i64,
    pub registered: i64,
    pub resident_only: i64,
    pub vulnerable: i64,
}

/// One grid's sums over its count rows.
#[derive(FromRow)]
struct GridSums {
    grid_id: i64,
    residents: i64,
    returned: i64,
    not_yet_returned: i64,
    registered: i64,
    vulnerable: i64,
}

/// One grid's households.
#[derive(FromRow)]
struct GridHouseholds {
    grid_id: i64,
    households: i64,
}

/// The figures of every grid of a community (or of one grid), from the counts.
pub async fn summary(
    conn: &mut Conn,
    community_id: i64,
    grid_id: Option<i64>,
) -> Result<Vec<GridSummary>> {
    let (filter, id) = match grid_id {
        Some(g) => ("grid_id = $1", g),
        None => ("community_id = $1", community_id),
    };
    // Summed per grid in SQL: a community of 200 grids has about 2,400 count rows, and the
    // page needs 200. `CAST` because PostgreSQL sums BIGINT as NUMERIC.
    let rows = sql::fetch_all(conn, sqlx::AssertSqlSafe(format!(
        "SELECT grid_id, CAST(SUM(residents) AS BIGINT) AS residents, \
         CAST(SUM(CASE WHEN travel_status = 'returned' THEN residents ELSE 0 END) AS BIGINT) \
         AS returned, \
         CAST(SUM(CASE WHEN travel_status = 'not_yet_returned' THEN residents ELSE 0 END) AS BIGINT) \
         AS not_yet_returned, \
         CAST(SUM(CASE WHEN hukou = 'registered' THEN residents ELSE 0 END) AS BIGINT) \
         AS registered, \
         CAST(SUM(CASE WHEN vulnerable <> 0 THEN residents ELSE 0 END) AS BIGINT) AS vulnerable \
         FROM resident_counts WHERE {filter} GROUP BY grid_id"
    )), (id,)).await?;
    let mut by_grid: HashMap<i64, GridSummary> = HashMap::new();
    for r in &rows {
        let s = GridSums::from_row(r)?;
        by_grid.insert(
            s.grid_id,
            GridSummary {
                grid_id: s.grid_id,
                residents: s.residents,
                households: 0,
                stayed_in_city: s.residents - s.returned - s.not_yet_returned,
                returned: s.returned,
                not_yet_returned: s.not_yet_returned,
                registered: s.registered,
                resident_only: s.residents - s.registered,
                vulnerable: s.vulnerable,
            },
        );
    }
    let rows = sql::fetch_all(
        conn,
        sqlx::AssertSqlSafe(format!(
            "SELECT grid_id, households FROM household_counts WHERE {filter}"
        )),
        (id,),
    )
    .await?;
    for r in &rows {
        let h = GridHouseholds::from_row(r)?;
        by_grid
            .entry(h.grid_id)
            .or_insert_with(|| GridSummary {
                grid_id: h.grid_id,
                ..Default::default()
            })
            .households = h.households;
    }
    let mut out: Vec<GridSummary> = by_grid.into_values().collect();
    out.sort_by_key(|s| s.grid_id);
    Ok(out)
}
