//! The registry's counts per grid, adjusted by every write of residents and households so the
//! summary reads a few hundred rows instead of counting hundreds of thousands.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row;

use crate::{Conn, Result};

/// The bucket a resident is counted in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountKey {
    pub grid_id: i64,
    pub community_id: i64,
    pub travel_status: String,
    pub hukou: String,
    pub vulnerable: bool,
}

/// Adds `delta` residents to each bucket (negative to remove).
pub(crate) async fn adjust_residents(
    conn: &mut Conn,
    deltas: &HashMap<CountKey, i64>,
) -> Result<()> {
    for (k, d) in deltas.iter().filter(|(_, d)| **d != 0) {
        sqlx::query(
            "INSERT INTO resident_counts (grid_id, community_id, travel_status, hukou, vulnerable, residents) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (grid_id, travel_status, hukou, vulnerable) \
             DO UPDATE SET residents = resident_counts.residents + excluded.residents",
        )
        .bind(k.grid_id)
        .bind(k.community_id)
        .bind(k.travel_status.as_str())
        .bind(k.hukou.as_str())
        .bind(i64::from(k.vulnerable))
        .bind(*d)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(crate) async fn adjust_households(
    conn: &mut Conn,
    deltas: &HashMap<(i64, i64), i64>,
) -> Result<()> {
    for ((grid_id, community_id), d) in deltas.iter().filter(|(_, d)| **d != 0) {
        sqlx::query(
            "INSERT INTO household_counts (grid_id, community_id, households) VALUES ($1, $2, $3) \
             ON CONFLICT (grid_id) DO UPDATE SET households = household_counts.households + excluded.households",
        )
        .bind(*grid_id)
        .bind(*community_id)
        .bind(*d)
        .execute(&mut *conn)
        .await?;
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
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT grid_id, travel_status, hukou, vulnerable, residents FROM resident_counts WHERE {filter}"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_grid: HashMap<i64, GridSummary> = HashMap::new();
    for r in rows {
        let grid: i64 = r.try_get(0)?;
        let travel: String = r.try_get(1)?;
        let hukou: String = r.try_get(2)?;
        let vulnerable: i64 = r.try_get(3)?;
        let n: i64 = r.try_get(4)?;
        let s = by_grid.entry(grid).or_insert_with(|| GridSummary {
            grid_id: grid,
            ..Default::default()
        });
        s.residents += n;
        match travel.as_str() {
            "returned" => s.returned += n,
            "not_yet_returned" => s.not_yet_returned += n,
            _ => s.stayed_in_city += n,
        }
        if hukou == "registered" {
            s.registered += n;
        } else {
            s.resident_only += n;
        }
        if vulnerable != 0 {
            s.vulnerable += n;
        }
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT grid_id, households FROM household_counts WHERE {filter}"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let grid: i64 = r.try_get(0)?;
        by_grid
            .entry(grid)
            .or_insert_with(|| GridSummary {
                grid_id: grid,
                ..Default::default()
            })
            .households = r.try_get(1)?;
    }
    let mut out: Vec<GridSummary> = by_grid.into_values().collect();
    out.sort_by_key(|s| s.grid_id);
    Ok(out)
}
