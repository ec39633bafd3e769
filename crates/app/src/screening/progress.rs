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

/// The totals of `id` in `list`, added under its name (none for a name not found) when first met.
fn totals_for(
    list: &mut Vec<Totals>,
    id: i64,
    name: impl FnOnce() -> Option<String>,
) -> &mut Totals {
    let i = match list.iter().position(|t| t.id == id) {
        Some(i) => i,
        None => {
            list.push(Totals {
                id,
                name: name().unwrap_or_default(),
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
        for p in &rows {
            let name_of_team = || {
                teams
                    .iter()
                    .find(|t| t.id == p.team_id)
                    .map(|t| t.name.clone())
            };
            totals_for(&mut by_team, p.team_id, name_of_team).add(p);
            let name_of_grid = || {
                grids
                    .iter()
                    .find(|g| g.id == p.grid_id)
                    .map(|g| g.name.clone())
            };
            totals_for(&mut by_grid, p.grid_id, name_of_grid).add(p);
            total.add(p);
        }
        // Teams without households yet still show, with zeros.
        for t in &teams {
            if !by_team.iter().any(|x| x.id == t.id) {
                by_team.push(Totals {
                    id: t.id,
                    name: t.name.clone(),
                    ..Default::default()
                });
            }
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
