//! Sub-teams and the sharing of a campaign's households among them.

use domain::access::Level;
use domain::registry::Label;
use domain::screening as sc;
use domain::validation::FieldErrors;
use store::StoreError;
use store::screening::{self as ss, Selection};
use store::structure::{self, Node};

use crate::error::conflict_as;
use crate::{Actor, App, AppError, AppResult};

use super::{OBJECT_TYPE, conflict};

/// How households are moved between teams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignTarget {
    Grid(i64),
    Buildings(Vec<i64>),
}

/// Whether an account's jurisdiction lies inside a community (a member works there).
async fn works_in(
    conn: &mut store::Conn,
    level: Level,
    scope_id: i64,
    community_id: i64,
) -> AppResult<bool> {
    let node = match level {
        Level::Community => return Ok(scope_id == community_id),
        Level::Grid => Node::Grid(scope_id),
        Level::Building => Node::Building(scope_id),
        _ => return Ok(false),
    };
    match structure::placement(conn, node).await {
        Ok(p) => Ok(p.community_id == community_id),
        Err(StoreError::NotFound) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

impl App {
    /// Checks team members: active accounts of a role that screens, working in the community.
    async fn check_members(
        &self,
        conn: &mut store::Conn,
        community_id: i64,
        members: &[i64],
    ) -> AppResult<Vec<i64>> {
        let mut ids = members.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut bad = Vec::new();
        for id in &ids {
            let ok = match store::accounts::account(conn, *id).await {
                Ok(a) => {
                    a.active
                        && sc::can_be_member(a.role)
                        && works_in(conn, a.level, a.scope_id, community_id).await?
                }
                Err(StoreError::NotFound) => false,
                Err(e) => return Err(e.into()),
            };
            if !ok {
                bad.push(id.to_string());
            }
        }
        if !bad.is_empty() {
            return Err(AppError::Validation({
                let mut e = FieldErrors::new();
                e.add("members", "not_a_screening_member", bad.join(", "));
                e
            }));
        }
        Ok(ids)
    }

    /// Forms a sub-team of a campaign with its members.
    pub async fn create_screening_team(
        &self,
        actor: &Actor,
        campaign_id: i64,
        name: &str,
        members: &[i64],
    ) -> AppResult<i64> {
        actor.require(sc::can_manage(actor.role))?;
        let name = Label::parse(name, sc::NAME_MAX).map_err(|e| {
            let mut f = FieldErrors::new();
            f.check::<(), _>("name", Err(e));
            AppError::Validation(f)
        })?;
        let mut tx = self.db.write().await?;
        let c = ss::campaign(tx.conn(), &actor.jurisdiction, campaign_id).await?;
        c.state.check_planning().map_err(conflict)?;
        let members = self
            .check_members(tx.conn(), c.community_id, members)
            .await?;
        let id = ss::insert_team(tx.conn(), campaign_id, name.as_str(), &members)
            .await
            .map_err(conflict_as("name", "duplicate_name"))?;
        let mut a = actor.audit("screening_team_create", OBJECT_TYPE, campaign_id);
        a.community_id = Some(c.community_id);
        a.after =
            Some(serde_json::json!({ "team_id": id, "name": name.as_str(), "members": members }));
        tx.commit_audited(a).await?;
        Ok(id)
    }

    /// Replaces a team's members.
    pub async fn set_screening_team_members(
        &self,
        actor: &Actor,
        campaign_id: i64,
        team_id: i64,
        members: &[i64],
    ) -> AppResult<()> {
        let mut tx = self.write_as(actor, sc::can_manage(actor.role)).await?;
        let c = ss::campaign(tx.conn(), &actor.jurisdiction, campaign_id).await?;
        c.state.check_planning().map_err(conflict)?;
        let teams = ss::teams(tx.conn(), campaign_id).await?;
        let team = teams
            .iter()
            .find(|t| t.id == team_id)
            .ok_or(AppError::NotFound)?;
        let members = self
            .check_members(tx.conn(), c.community_id, members)
            .await?;
        ss::set_members(tx.conn(), campaign_id, team_id, &members).await?;
        let mut a = actor.audit("screening_team_members", OBJECT_TYPE, campaign_id);
        a.community_id = Some(c.community_id);
        a.before = Some(serde_json::json!({
            "team_id": team_id,
            "members": team.members.iter().map(|m| m.account_id).collect::<Vec<_>>(),
        }));
        a.after = Some(serde_json::json!({ "team_id": team_id, "members": members }));
        tx.commit_audited(a).await?;
        Ok(())
    }

    /// Gives a grid's or some buildings' households to a team (`team_id` 0: to nobody).
    /// Returns how many households moved.
    pub async fn assign_screening_households(
        &self,
        actor: &Actor,
        campaign_id: i64,
        team_id: i64,
        target: &AssignTarget,
    ) -> AppResult<u64> {
        let mut tx = self.write_as(actor, sc::can_manage(actor.role)).await?;
        let c = ss::campaign(tx.conn(), &actor.jurisdiction, campaign_id).await?;
        c.state.check_planning().map_err(conflict)?;
        if team_id != 0
            && !ss::teams(tx.conn(), campaign_id)
                .await?
                .iter()
                .any(|t| t.id == team_id)
        {
            return Err(AppError::field("team_id", "unknown_team"));
        }
        let (selection, nodes) = match target {
            AssignTarget::Grid(g) => (Selection::Grid(*g), vec![Node::Grid(*g)]),
            AssignTarget::Buildings(b) if b.is_empty() => {
                return Err(AppError::field("building_ids", "required"));
            }
            AssignTarget::Buildings(b) => (
                Selection::Buildings(b.clone()),
                b.iter().map(|b| Node::Building(*b)).collect(),
            ),
        };
        for node in nodes {
            let inside = match structure::placement(tx.conn(), node).await {
                Ok(p) => p.community_id == c.community_id && actor.jurisdiction.covers(&p),
                Err(StoreError::NotFound) => false,
                Err(e) => return Err(e.into()),
            };
            if !inside {
                let field = match node {
                    Node::Grid(_) => "grid_id",
                    _ => "building_ids",
                };
                return Err(AppError::field(field, "not_in_campaign"));
            }
        }
        let moved = ss::assign(tx.conn(), campaign_id, team_id, &selection).await?;
        ss::recount(tx.conn(), campaign_id).await?;
        let mut a = actor.audit("screening_assign", OBJECT_TYPE, campaign_id);
        a.community_id = Some(c.community_id);
        let (grid_id, building_ids) = match target {
            AssignTarget::Grid(g) => (Some(*g), Vec::new()),
            AssignTarget::Buildings(b) => (None, b.clone()),
        };
        a.after = Some(serde_json::json!({
            "team_id": team_id, "grid_id": grid_id, "building_ids": building_ids,
            "households": moved,
        }));
        tx.commit_audited(a).await?;
        Ok(moved)
    }

    /// Gives each grid's unassigned households to the team whose member works that grid (the
    /// first such team when several do), and each building's to a team working that building.
    /// Returns how many households moved.
    pub async fn assign_screening_by_grid(
        &self,
        actor: &Actor,
        campaign_id: i64,
    ) -> AppResult<u64> {
        let mut tx = self.write_as(actor, sc::can_manage(actor.role)).await?;
        let c = ss::campaign(tx.conn(), &actor.jurisdiction, campaign_id).await?;
        c.state.check_planning().map_err(conflict)?;
        let teams = ss::teams(tx.conn(), campaign_id).await?;
        let mut moved = 0;
        // Building-level members first: their building is the narrower claim.
        for level in [Level::Building, Level::Grid] {
            let mut claimed: Vec<i64> = Vec::new();
            for t in &teams {
                for m in &t.members {
                    if m.level == level && !claimed.contains(&m.scope_id) {
                        claimed.push(m.scope_id);
                        let selection = match level {
                            Level::Building => Selection::UnassignedOfBuilding(m.scope_id),
                            _ => Selection::UnassignedOfGrid(m.scope_id),
                        };
                        moved += ss::assign(tx.conn(), campaign_id, t.id, &selection).await?;
                    }
                }
            }
        }
        ss::recount(tx.conn(), campaign_id).await?;
        let mut a = actor.audit("screening_assign", OBJECT_TYPE, campaign_id);
        a.community_id = Some(c.community_id);
        a.after = Some(serde_json::json!({ "by": "grid", "households": moved }));
        tx.commit_audited(a).await?;
        Ok(moved)
    }
}

impl App {
    /// Turns the usernames a lead types (separated by commas, spaces or 、) into account ids.
    pub async fn screening_member_ids(&self, actor: &Actor, text: &str) -> AppResult<Vec<i64>> {
        let mut conn = self.read_as(actor, sc::can_manage(actor.role)).await?;
        let mut ids = Vec::new();
        let mut unknown = Vec::new();
        for name in text
            .split([',', '，', '、', ' ', '\n', '\t', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match store::accounts::account_by_username(&mut conn, name).await? {
                Some(a) => ids.push(a.id),
                None => unknown.push(name.to_owned()),
            }
        }
        if !unknown.is_empty() {
            let mut e = FieldErrors::new();
            e.add("members", "unknown_username", unknown.join(", "));
            return Err(AppError::Validation(e));
        }
        Ok(ids)
    }
}

impl App {
    /// The campaign a team belongs to, if the campaign is in the actor's jurisdiction.
    pub async fn screening_team_campaign(&self, actor: &Actor, team_id: i64) -> AppResult<i64> {
        let mut conn = self.read_as(actor, sc::can_read(actor.role)).await?;
        let campaign = ss::team_campaign(&mut conn, team_id).await?;
        ss::campaign(&mut conn, &actor.jurisdiction, campaign).await?;
        Ok(campaign)
    }
}
