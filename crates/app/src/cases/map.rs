//! The risk map and the transmission chain, drawn from the community's own data: what the
//! lead sees on the home page and prints, with no map server.

use domain::access::Level;
use domain::cases::{self as dc, ControlLevel};
use serde::Serialize;
use store::cases::{self as cs, BuildingState, Case};
use store::structure::{self, Node};

use super::require_community;
use crate::{Actor, App, AppResult};

/// The most buildings one map draws; a community with more is drawn a grid at a time.
pub const MAP_BUILDINGS_MAX: i64 = 5_000;
/// The most cases one chain draws.
pub const CHAIN_CASES_MAX: i64 = 300;

/// A community's buildings by grid, coloured by state.
#[derive(Debug, Clone, Serialize)]
pub struct RiskMap {
    pub community_id: i64,
    pub grids: Vec<(i64, String)>,
    pub buildings: Vec<BuildingState>,
    /// More buildings than the map draws: pick a grid.
    pub truncated: bool,
    pub level: ControlLevel,
}

/// The cases of a community and who was traced from whom.
#[derive(Debug, Clone, Serialize)]
pub struct Chain {
    pub cases: Vec<Case>,
    /// (case, contacts on follow-up).
    pub contacts: Vec<(i64, i64)>,
}

impl App {
    /// The risk map of a community, or of one grid of it; a grid's worker sees their grid.
    pub async fn risk_map(
        &self,
        actor: &Actor,
        community_id: i64,
        grid_id: Option<i64>,
    ) -> AppResult<RiskMap> {
        let mut conn = self.read_as(actor, dc::can_view(actor.role)).await?;
        require_community(&mut conn, &actor.jurisdiction, community_id).await?;
        let own_grid = match actor.jurisdiction.level {
            Level::Grid => Some(actor.jurisdiction.id),
            Level::Building => {
                structure::placement(&mut conn, Node::Building(actor.jurisdiction.id))
                    .await?
                    .grid_id
            }
            _ => None,
        };
        let grid_id = own_grid.or(grid_id);
        let grids: Vec<(i64, String)> =
            structure::list_grids(&mut conn, &domain::access::Jurisdiction::ALL, community_id)
                .await?
                .into_iter()
                .filter(|g| own_grid.is_none_or(|o| o == g.id))
                .map(|g| (g.id, g.name))
                .collect();
        let mut buildings =
            cs::building_states(&mut conn, community_id, grid_id, MAP_BUILDINGS_MAX + 1).await?;
        let truncated = buildings.len() as i64 > MAP_BUILDINGS_MAX;
        buildings.truncate(MAP_BUILDINGS_MAX as usize);
        let level = cs::control_level(&mut conn, community_id)
            .await?
            .map_or(ControlLevel::General, |(l, _, _)| l);
        Ok(RiskMap {
            community_id,
            grids,
            buildings,
            truncated,
            level,
        })
    }

    /// The transmission chain of a community's cases.
    pub async fn case_chain(&self, actor: &Actor, community_id: i64) -> AppResult<Chain> {
        let mut conn = self.read_as(actor, dc::can_view(actor.role)).await?;
        require_community(&mut conn, &actor.jurisdiction, community_id).await?;
        Ok(Chain {
            cases: cs::chain(&mut conn, community_id, CHAIN_CASES_MAX).await?,
            contacts: cs::contact_counts(&mut conn, community_id).await?,
        })
    }
}
