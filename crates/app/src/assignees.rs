//! Who may be assigned to work at a place: the doctors and grid workers responsible for
//! quarantine orders and the volunteers who make deliveries and rubbish rounds, by name.

use domain::access::{Placement, Role};
use domain::page::{Page, PageRequest};
use store::accounts::Responsible;
use store::structure::Node;

use crate::{Actor, App, AppError, AppResult};

/// The roles a caller may look up to assign.
pub const ASSIGNABLE: [Role; 3] = [Role::Doctor, Role::GridWorker, Role::Volunteer];

/// Whether `role` may look up people to assign: whoever places orders or assigns tasks.
pub fn can_look_up(role: Role) -> bool {
    domain::quarantine::can_manage(role) || domain::tasks::can_assign(role)
}

impl App {
    /// The active accounts of `role` (a doctor, grid worker or volunteer) whose jurisdiction
    /// covers `building_id`, a building of the caller's jurisdiction, whose name or username
    /// contains `q`; by id.
    pub async fn assignees(
        &self,
        actor: &Actor,
        role: &str,
        building_id: i64,
        q: &str,
        page: PageRequest,
    ) -> AppResult<Page<Responsible>> {
        actor.require(can_look_up(actor.role))?;
        let role = Role::from_code(role.trim())
            .filter(|r| ASSIGNABLE.contains(r))
            .ok_or_else(|| AppError::field("role", "not_assignable"))?;
        let place: Placement = self
            .placement_in_scope(actor, Node::Building(building_id))
            .await?;
        let mut conn = self.db.conn().await?;
        Ok(store::accounts::assignees(&mut conn, role, &place, q, page).await?)
    }
}
