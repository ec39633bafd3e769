//! A community's figures, from the counts kept with every write.

use serde::Serialize;
use store::structure::Node;

use crate::{Actor, App, AppError, AppResult};

/// A community's figures per grid, with the total.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub grids: Vec<(String, store::counts::GridSummary)>,
    pub total: store::counts::GridSummary,
}

impl App {
    /// Residents per grid and register, households and vulnerable residents, from the counts
    /// kept with every write. A grid-level account sees its own grid only.
    pub async fn registry_summary(&self, actor: &Actor, community_id: i64) -> AppResult<Summary> {
        actor.require(actor.role.can_view_registry())?;
        let grids = self.grids(actor, community_id).await?;
        let only_grid = match actor.jurisdiction.level {
            domain::access::Level::Grid => Some(actor.jurisdiction.id),
            // Counts are kept per grid; a building's own figures are its resident list.
            domain::access::Level::Building => return Err(AppError::Forbidden),
            _ => None,
        };
        if grids.is_empty() {
            self.placement_in_scope(actor, Node::Community(community_id))
                .await?;
        }
        let mut conn = self.db.conn().await?;
        let figures = store::counts::summary(&mut conn, community_id, only_grid).await?;
        let mut total = store::counts::GridSummary::default();
        let mut out = Vec::new();
        for g in &grids {
            let f = figures
                .iter()
                .find(|f| f.grid_id == g.id)
                .cloned()
                .unwrap_or(store::counts::GridSummary {
                    grid_id: g.id,
                    ..Default::default()
                });
            total.residents += f.residents;
            total.households += f.households;
            total.stayed_in_city += f.stayed_in_city;
            total.returned += f.returned;
            total.not_yet_returned += f.not_yet_returned;
            total.registered += f.registered;
            total.resident_only += f.resident_only;
            total.vulnerable += f.vulnerable;
            out.push((g.name.clone(), f));
        }
        Ok(Summary { grids: out, total })
    }
}
