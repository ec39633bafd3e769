//! Progress per team and grid, from the counts kept with every attempt.

use domain::screening as sc;
use serde::Serialize;
use store::screening::{self as ss, Progress};
use store::structure::{self};

use crate::{Actor, App, AppResult};

/// Done, open and unreachable households and matching residents of one team or grid.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub id: i64,
    pub name: String,
    pub households: i64,
    pub open: i64,
    pub unreachable: i64,
    pub done: i64,
    pub matched: i64,
}

impl Totals {
    fn add(&mut self, p: &Progress) {
        self.open += p.open;
        self.unreachable += p.unreachable;
        self.done += p.done;
        self.matched += p.matched;
        self.households += p.open + p.unreachable + p.done;
    }

    /// Done households as a whole percentage.
    pub fn percent_done(&self) -> i64 {
        (self.done * 100).checked_div(self.households).unwrap_or(0)
    }
}

/// The totals of `id` in `list`, added under its name in `names` (none when it has none) when
/// first met.
fn totals_for<'a>(list: &'a mut Vec<Totals>, id: i64, names: &[(i64, &str)]) -> &'a mut Totals {
    let i = match list.iter().position(|t| t.id == id) {
        Some(i) => i,
        None => {
            let name = names.iter().find(|(n, _)| *n == id).map(|(_, name)| *name);
            list.push(Totals {
                id,
                name: name.unwrap_or_default().to_owned(),
                ..Default::default()
            });
            list.len() - 1
        }
    };
    &mut list[i]
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgressView {
    pub teams: Vec<Totals>,
    pub grids: Vec<Totals>,
    pub total: Totals,
}

impl App {
    /// Progress per team and grid, from the counts kept with every attempt.
    pub async fn screening_progress(
        &self,
        actor: &Actor,
        campaign_id: i64,
    ) -> AppResult<ProgressView> {
        actor.require(sc::can_read(actor.role))?;
        let c = self.campaign_with_newcomers(actor, campaign_id).await?;
        let mut conn = self.db.conn().await?;
        let rows = ss::progress(&mut conn, &actor.jurisdiction, campaign_id).await?;
        let teams = ss::teams(&mut conn, campaign_id).await?;
        let grids = structure::list_grids(&mut conn, &actor.jurisdiction, c.community_id).await?;
        drop(conn);
        let mut by_team: Vec<Totals> = Vec::new();
        let mut by_grid: Vec<Totals> = Vec::new();
        let mut total = Totals::default();
        let team_names: Vec<(i64, &str)> = teams.iter().map(|t| (t.id, t.name.as_str())).collect();
        let grid_names: Vec<(i64, &str)> = grids.iter().map(|g| (g.id, g.name.as_str())).collect();
        for p in &rows {
            totals_for(&mut by_team, p.team_id, &team_names).add(p);
            totals_for(&mut by_grid, p.grid_id, &grid_names).add(p);
            total.add(p);
        }
        // Teams without households yet still show, with zeros.
        for &(id, _) in &team_names {
            totals_for(&mut by_team, id, &team_names);
        }
        by_team.sort_by_key(|t| (t.id == 0, t.id));
        by_grid.sort_by_key(|g| g.id);
        Ok(ProgressView {
            teams: by_team,
            grids: by_grid,
            total,
        })
    }
}
