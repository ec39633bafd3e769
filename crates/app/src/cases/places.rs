//! The places a case's forms name as people know them: buildings by name, a household by its
//! building, unit and room, a visitor by name, the community's gates.

use domain::cases as dc;
use store::cases as cs;

use super::{require_community, sees_community};
use crate::structure::buildings_listed;
use crate::{Actor, App, AppError, AppResult};

impl App {
    /// A building of the community by the name people know it by, as typed on a case's forms;
    /// an unknown name is the field's error, naming it.
    pub async fn case_building_named(
        &self,
        actor: &Actor,
        community_id: i64,
        name: &str,
    ) -> AppResult<i64> {
        let mut ids = self.case_buildings_named(actor, community_id, name).await?;
        match (ids.pop(), ids.is_empty()) {
            (Some(id), true) => Ok(id),
            _ => Err(AppError::field("building", "one_building")),
        }
    }

    /// Buildings of the community named in a form (commas, spaces or lines between names).
    pub async fn case_buildings_named(
        &self,
        actor: &Actor,
        community_id: i64,
        names: &str,
    ) -> AppResult<Vec<i64>> {
        let mut conn = self.read_as(actor, dc::can_view(actor.role)).await?;
        require_community(&mut conn, &actor.jurisdiction, community_id).await?;
        let ids = buildings_listed(&mut conn, community_id, names, "building").await?;
        if ids.is_empty() {
            return Err(AppError::field("building", "required"));
        }
        Ok(ids)
    }

    /// The household of the community at a building, unit and room as typed.
    pub async fn case_household_at(
        &self,
        actor: &Actor,
        community_id: i64,
        building: &str,
        unit: &str,
        room: &str,
    ) -> AppResult<i64> {
        let mut conn = self.read_as(actor, dc::can_view(actor.role)).await?;
        require_community(&mut conn, &actor.jurisdiction, community_id).await?;
        store::gates::household_at(
            &mut conn,
            community_id,
            building.trim(),
            unit.trim(),
            room.trim(),
        )
        .await?
        .ok_or_else(|| AppError::field("room", "unknown_household"))
    }

    /// A visitor's name, for the form that records them as a case; a visitor of a community
    /// outside the jurisdiction does not exist.
    pub async fn case_visitor_name(&self, actor: &Actor, visitor_id: i64) -> AppResult<String> {
        let mut conn = self.read_as(actor, dc::can_record(actor.role)).await?;
        match cs::visitor(&mut conn, visitor_id).await? {
            Some((community, name))
                if sees_community(&mut conn, &actor.jurisdiction, community).await? =>
            {
                Ok(name)
            }
            _ => Err(AppError::NotFound),
        }
    }

    /// The gates of a community, by id and name, for a movement's form.
    pub async fn case_gates(
        &self,
        actor: &Actor,
        community_id: i64,
    ) -> AppResult<Vec<(i64, String)>> {
        let mut conn = self.read_as(actor, dc::can_view(actor.role)).await?;
        require_community(&mut conn, &actor.jurisdiction, community_id).await?;
        Ok(store::cases::tracing::gate_names(&mut conn, community_id).await?)
    }
}
