//! Progress: households per state and matching residents per (campaign, team, grid), kept in
//! the transaction of every change.

use domain::access::{Jurisdiction, Level};
use domain::screening::HouseholdState;
use serde::Serialize;
use sqlx::FromRow;

use crate::rows::read;
use crate::scope::Where;
use crate::sql;
use crate::{Conn, Result};

/// Rebuilds a campaign's counts from its households: after creation and reassignment, which
/// move many households at once. Attempts adjust the counts by one instead.
pub async fn recount(conn: &mut Conn, campaign_id: i64) -> Result<()> {
    sql::execute(
        conn,
        "DELETE FROM screening_counts WHERE campaign_id = $1",
        (campaign_id,),
    )
    .await?;
    sql::execute(
        conn,
        "INSERT INTO screening_counts (campaign_id, team_id, grid_id, open_households, \
         unreachable_households, done_households, matched_residents) \
         SELECT campaign_id, team_id, grid_id, \
         SUM(CASE WHEN state = 'open' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN state = 'unreachable' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END), SUM(matched) \
         FROM screening_households WHERE campaign_id = $1 GROUP BY campaign_id, team_id, grid_id",
        (campaign_id,),
    )
    .await?;
    Ok(())
}

/// Changes of one (campaign, team, grid) bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CountDelta {
    pub open: i64,
    pub unreachable: i64,
    pub done: i64,
    pub matched: i64,
}

impl CountDelta {
    /// One household leaving `from` and entering `to`.
    pub fn moved(from: HouseholdState, to: HouseholdState) -> CountDelta {
        let mut d = CountDelta::default();
        for (state, sign) in [(from, -1), (to, 1)] {
            match state {
                HouseholdState::Open => d.open += sign,
                HouseholdState::Unreachable => d.unreachable += sign,
                HouseholdState::Done => d.done += sign,
            }
        }
        d
    }
}

pub async fn adjust_counts(
    conn: &mut Conn,
    campaign_id: i64,
    team_id: i64,
    grid_id: i64,
    d: CountDelta,
) -> Result<()> {
    if d == CountDelta::default() {
        return Ok(());
    }
    sql::execute(conn, "INSERT INTO screening_counts (campaign_id, team_id, grid_id, open_households, \
         unreachable_households, done_households, matched_residents) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (campaign_id, team_id, grid_id) \
         DO UPDATE SET open_households = screening_counts.open_households + excluded.open_households, \
         unreachable_households = screening_counts.unreachable_households + excluded.unreachable_households, \
         done_households = screening_counts.done_households + excluded.done_households, \
         matched_residents = screening_counts.matched_residents + excluded.matched_residents", (campaign_id, team_id, grid_id, d.open, d.unreachable, d.done, d.matched)).await?;
    Ok(())
}

/// One bucket of progress.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq, FromRow)]
pub struct Progress {
    pub team_id: i64,
    pub grid_id: i64,
    pub open: i64,
    pub unreachable: i64,
    pub done: i64,
    pub matched: i64,
}

/// A campaign's counts per (team, grid), within the jurisdiction's grids: a few hundred rows
/// read by key, whatever the number of households.
pub async fn progress(
    conn: &mut Conn,
    j: &Jurisdiction,
    campaign_id: i64,
) -> Result<Vec<Progress>> {
    let mut w = Where::new();
    w.int("k.campaign_id = ?", campaign_id);
    match j.level {
        Level::Grid => {
            w.int("k.grid_id = ?", j.id);
        }
        Level::Building => {
            w.int(
                "k.grid_id IN (SELECT grid_id FROM buildings WHERE id = ?)",
                j.id,
            );
        }
        _ => {}
    }
    w.fetch_all(
        conn,
        "SELECT k.team_id, k.grid_id, k.open_households AS open, \
         k.unreachable_households AS unreachable, k.done_households AS done, \
         k.matched_residents AS matched FROM screening_counts k",
        "k.team_id, k.grid_id",
        read::<Progress>,
    )
    .await
}
