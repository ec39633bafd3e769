//! The administrative tree as users build and browse it: communities, grids, buildings, units.

use domain::access::{Jurisdiction, Level};
use domain::registry::Label;
use store::StoreError;
use store::structure::{self, Building, Community, District, Grid, Node, Street, Unit};

use crate::error::conflict_as;

mod typed;

use crate::{Actor, App, AppError, AppResult};
pub(crate) use typed::{building_named, buildings_listed};

const STRUCTURE_NAME_MAX: usize = 64;

fn label(field: &str, raw: &str) -> AppResult<String> {
    Label::parse(raw, STRUCTURE_NAME_MAX)
        .map(Label::into_string)
        .map_err(|e| {
            let mut f = domain::validation::FieldErrors::new();
            f.check::<(), _>(field, Err(e));
            AppError::Validation(f)
        })
}

fn duplicate(field: &'static str) -> impl Fn(StoreError) -> AppError {
    conflict_as(field, "duplicate_name")
}

impl App {
    /// Checks that a node exists and lies in the actor's jurisdiction; `NotFound` otherwise, so
    /// nothing outside is revealed.
    pub(crate) async fn placement_in_scope(
        &self,
        actor: &Actor,
        node: Node,
    ) -> AppResult<domain::access::Placement> {
        let mut conn = self.db.conn().await?;
        let p = structure::placement(&mut conn, node).await?;
        if actor.jurisdiction.covers(&p) {
            Ok(p)
        } else {
            Err(AppError::NotFound)
        }
    }

    pub async fn districts(&self) -> AppResult<(Vec<District>, Vec<Street>)> {
        let mut conn = self.db.conn().await?;
        Ok((
            structure::list_districts(&mut conn).await?,
            structure::list_streets(&mut conn).await?,
        ))
    }

    /// Creates a district and a street in it, or finds them; used by the demo and administrators.
    pub async fn ensure_street(
        &self,
        actor: &Actor,
        district_code: &str,
        district_name: &str,
        street_name: &str,
    ) -> AppResult<i64> {
        let mut tx = self
            .write_as(actor, actor.role.can_manage_accounts())
            .await?;
        let districts = structure::list_districts(tx.conn()).await?;
        let district_id = match districts.iter().find(|d| d.code == district_code) {
            Some(d) => d.id,
            None => {
                let id =
                    structure::insert_district(tx.conn(), district_code, district_name).await?;
                let mut e = actor.audit("district_create", "district", id);
                e.after = Some(serde_json::json!({ "code": district_code, "name": district_name }));
                tx.audit(e).await?;
                id
            }
        };
        let streets = structure::list_streets(tx.conn()).await?;
        let street_id = match streets
            .iter()
            .find(|s| s.district_id == district_id && s.name == street_name)
        {
            Some(s) => s.id,
            None => {
                let id = structure::insert_street(tx.conn(), district_id, street_name).await?;
                let mut e = actor.audit("street_create", "street", id);
                e.after =
                    Some(serde_json::json!({ "district_id": district_id, "name": street_name }));
                tx.audit(e).await?;
                id
            }
        };
        tx.commit().await?;
        Ok(street_id)
    }

    pub async fn communities(&self, actor: &Actor) -> AppResult<Vec<Community>> {
        let mut conn = self.db.conn().await?;
        Ok(structure::list_communities(&mut conn, &actor.jurisdiction).await?)
    }

    pub async fn community(&self, actor: &Actor, id: i64) -> AppResult<Community> {
        let mut conn = self.db.conn().await?;
        Ok(structure::community(&mut conn, &actor.jurisdiction, id).await?)
    }

    /// Creates a community under a street the actor's jurisdiction reaches.
    pub async fn create_community(
        &self,
        actor: &Actor,
        street_id: i64,
        name: &str,
    ) -> AppResult<i64> {
        actor.require(actor.role.can_edit_structure())?;
        let name = label("name", name)?;
        let mut tx = self.db.write().await?;
        let street = structure::street(tx.conn(), street_id)
            .await
            .map_err(|_| AppError::field("street_id", "not_found"))?;
        let allowed = match actor.jurisdiction.level {
            Level::All => true,
            Level::District => actor.jurisdiction.id == street.district_id,
            Level::Street => actor.jurisdiction.id == street.id,
            _ => false,
        };
        actor.require(allowed)?;
        let id = structure::insert_community(tx.conn(), &street, &name)
            .await
            .map_err(duplicate("name"))?;
        let mut e = actor.audit("community_create", "community", id);
        e.community_id = Some(id);
        e.after = Some(serde_json::json!({ "street_id": street_id, "name": name }));
        tx.commit_audited(e).await?;
        Ok(id)
    }

    pub async fn grids(&self, actor: &Actor, community_id: i64) -> AppResult<Vec<Grid>> {
        // Outside the jurisdiction the community does not exist, as everywhere else.
        self.community(actor, community_id).await?;
        let mut conn = self.db.conn().await?;
        Ok(structure::list_grids(&mut conn, &actor.jurisdiction, community_id).await?)
    }

    pub async fn create_grid(
        &self,
        actor: &Actor,
        community_id: i64,
        name: &str,
    ) -> AppResult<i64> {
        actor.require(actor.role.can_edit_structure())?;
        let name = label("name", name)?;
        let p = self
            .placement_in_scope(actor, Node::Community(community_id))
            .await?;
        let mut tx = self
            .write_as(actor, actor.may_shape(Level::Community))
            .await?;
        let id = structure::insert_grid(tx.conn(), community_id, &name)
            .await
            .map_err(duplicate("name"))?;
        let mut e = actor.audit("grid_create", "grid", id);
        e.community_id = Some(p.community_id);
        e.after = Some(serde_json::json!({ "community_id": community_id, "name": name }));
        tx.commit_audited(e).await?;
        Ok(id)
    }

    pub async fn buildings(&self, actor: &Actor, grid_id: i64) -> AppResult<Vec<Building>> {
        self.grid(actor, grid_id).await?;
        let mut conn = self.db.conn().await?;
        Ok(structure::list_buildings(&mut conn, &actor.jurisdiction, grid_id).await?)
    }

    pub async fn create_building(&self, actor: &Actor, grid_id: i64, name: &str) -> AppResult<i64> {
        actor.require(actor.role.can_edit_structure())?;
        let name = label("name", name)?;
        let p = self.placement_in_scope(actor, Node::Grid(grid_id)).await?;
        let mut tx = self.write_as(actor, actor.may_shape(Level::Grid)).await?;
        let grid = structure::grid(tx.conn(), grid_id).await?;
        let id = structure::insert_building(tx.conn(), &grid, &name)
            .await
            .map_err(duplicate("name"))?;
        let mut e = actor.audit("building_create", "building", id);
        e.community_id = Some(p.community_id);
        e.after = Some(serde_json::json!({ "grid_id": grid_id, "name": name }));
        tx.commit_audited(e).await?;
        Ok(id)
    }

    pub async fn building(&self, actor: &Actor, id: i64) -> AppResult<Building> {
        self.placement_in_scope(actor, Node::Building(id)).await?;
        let mut conn = self.db.conn().await?;
        Ok(structure::building(&mut conn, id).await?)
    }

    pub async fn units(&self, actor: &Actor, building_id: i64) -> AppResult<Vec<Unit>> {
        self.placement_in_scope(actor, Node::Building(building_id))
            .await?;
        let mut conn = self.db.conn().await?;
        Ok(structure::list_units(&mut conn, building_id).await?)
    }

    pub async fn create_unit(&self, actor: &Actor, building_id: i64, name: &str) -> AppResult<i64> {
        actor.require(actor.role.can_edit_structure() || actor.role.can_edit_registry())?;
        let name = label("name", name)?;
        let p = self
            .placement_in_scope(actor, Node::Building(building_id))
            .await?;
        let mut tx = self.db.write().await?;
        let id = structure::insert_unit(tx.conn(), building_id, &name)
            .await
            .map_err(duplicate("name"))?;
        let mut e = actor.audit("unit_create", "unit", id);
        e.community_id = Some(p.community_id);
        e.after = Some(serde_json::json!({ "building_id": building_id, "name": name }));
        tx.commit_audited(e).await?;
        Ok(id)
    }

    /// The community the actor works in, when its jurisdiction is one community or below.
    pub async fn home_community(&self, actor: &Actor) -> AppResult<Option<Community>> {
        let list = self.communities(actor).await?;
        Ok(if list.len() == 1 {
            list.into_iter().next()
        } else {
            None
        })
    }
}

impl Actor {
    /// Whether this actor may create or rename what sits in a node of `level`: communities in a
    /// street (Street), grids in a community (Community), buildings and units in a grid (Grid).
    /// The use cases enforce it; pages ask it to decide which forms to show.
    pub fn may_shape(&self, level: Level) -> bool {
        self.role.can_edit_structure() && self.jurisdiction.level <= level
    }
}

/// Whether a jurisdiction is the whole system (used by pages to show global tools).
pub fn is_global(j: &Jurisdiction) -> bool {
    j.level == Level::All
}

impl App {
    /// A grid the jurisdiction reaches: for a building-level account, the grid of its building.
    pub async fn grid(&self, actor: &Actor, id: i64) -> AppResult<Grid> {
        let mut conn = self.db.conn().await?;
        let g = structure::grid(&mut conn, id).await?;
        let visible = structure::list_grids(&mut conn, &actor.jurisdiction, g.community_id).await?;
        if visible.iter().any(|x| x.id == id) {
            Ok(g)
        } else {
            Err(AppError::NotFound)
        }
    }
}

impl App {
    /// Creates several buildings of a grid, each with its units, in one transaction (a survey of
    /// a new grid, or the demo); every building gets its own audit entry.
    pub async fn create_buildings(
        &self,
        actor: &Actor,
        grid_id: i64,
        names: &[String],
        units: &[&str],
    ) -> AppResult<Vec<i64>> {
        actor.require(actor.role.can_edit_structure())?;
        let p = self.placement_in_scope(actor, Node::Grid(grid_id)).await?;
        actor.require(actor.may_shape(Level::Grid))?;
        let names: Vec<String> = names
            .iter()
            .map(|n| label("name", n))
            .collect::<AppResult<_>>()?;
        let units: Vec<String> = units
            .iter()
            .map(|u| label("unit", u))
            .collect::<AppResult<_>>()?;
        let mut tx = self.db.write().await?;
        let grid = structure::grid(tx.conn(), grid_id).await?;
        let mut ids = Vec::with_capacity(names.len());
        for name in &names {
            let id = structure::insert_building(tx.conn(), &grid, name)
                .await
                .map_err(duplicate("name"))?;
            for u in &units {
                structure::insert_unit(tx.conn(), id, u).await?;
            }
            let mut e = actor.audit("building_create", "building", id);
            e.community_id = Some(p.community_id);
            e.after = Some(serde_json::json!({ "grid_id": grid_id, "name": name, "units": units }));
            tx.audit(e).await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }
}

impl App {
    /// Renames a community, grid, building or unit in the actor's jurisdiction.
    pub async fn rename(&self, actor: &Actor, node: Node, name: &str) -> AppResult<()> {
        actor.require(actor.role.can_edit_structure())?;
        let name = label("name", name)?;
        let p = self.placement_in_scope(actor, node).await?;
        // Renaming a node needs authority over the level above it, as creating it does.
        let needed = match node {
            Node::Community(_) => Level::Street,
            Node::Grid(_) => Level::Community,
            Node::Building(_) | Node::Unit(_) => Level::Grid,
        };
        let mut tx = self.write_as(actor, actor.may_shape(needed)).await?;
        let before = structure::rename(tx.conn(), node, &name)
            .await
            .map_err(duplicate("name"))?;
        let (kind, id) = match node {
            Node::Community(id) => ("community", id),
            Node::Grid(id) => ("grid", id),
            Node::Building(id) => ("building", id),
            Node::Unit(id) => ("unit", id),
        };
        let mut e = actor.audit(&format!("{kind}_rename"), kind, id);
        e.community_id = Some(p.community_id);
        e.before = Some(serde_json::json!({ "name": before }));
        e.after = Some(serde_json::json!({ "name": name }));
        tx.commit_audited(e).await?;
        Ok(())
    }
}
