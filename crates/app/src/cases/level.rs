//! The community's control level, set by the lead with a reason and shown on every page of
//! the community's workers.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use domain::access::{Jurisdiction, Level};
use domain::cases::{self as dc, ControlLevel};
use store::cases as cs;
use store::structure::{self, Node};

use super::require_community;
use crate::{Actor, App, AppError, AppResult};

/// How long a page may show a level another server changed.
const SHOWN_FOR: Duration = Duration::from_secs(30);

/// The level each jurisdiction's pages show, kept a short while so a page load reads none.
#[derive(Default)]
pub(crate) struct LevelCache(Mutex<HashMap<Jurisdiction, (Option<ControlLevel>, Instant)>>);

impl LevelCache {
    fn get(&self, j: &Jurisdiction) -> Option<Option<ControlLevel>> {
        let map = self.0.lock().ok()?;
        map.get(j)
            .filter(|(_, at)| at.elapsed() < SHOWN_FOR)
            .map(|(l, _)| *l)
    }

    fn put(&self, j: Jurisdiction, level: Option<ControlLevel>) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(j, (level, Instant::now()));
        }
    }

    fn clear(&self) {
        if let Ok(mut map) = self.0.lock() {
            map.clear();
        }
    }
}

impl App {
    /// The level every page of a worker of one community (or of a grid or building of it)
    /// shows; `None` for wider jurisdictions, which see it on each community's page, and for a
    /// community whose lead never set one. A failed read shows nothing rather than failing the
    /// page.
    pub async fn shown_control_level(&self, actor: &Actor) -> Option<ControlLevel> {
        let j = actor.jurisdiction;
        let node = match j.level {
            Level::Community => Node::Community(j.id),
            Level::Grid => Node::Grid(j.id),
            Level::Building => Node::Building(j.id),
            Level::All | Level::District | Level::Street => return None,
        };
        if let Some(level) = self.level_cache.get(&j) {
            return level;
        }
        let mut conn = self.db.conn().await.ok()?;
        let community = structure::placement(&mut conn, node)
            .await
            .ok()?
            .community_id;
        let level = cs::control_level(&mut conn, community)
            .await
            .ok()?
            .map(|(l, _, _)| l);
        self.level_cache.put(j, level);
        level
    }

    /// The community's control level: the latest the lead set, with its reason and time;
    /// general when never set.
    pub async fn control_level(
        &self,
        actor: &Actor,
        community_id: i64,
    ) -> AppResult<(ControlLevel, String, Option<i64>)> {
        let mut conn = self.db.conn().await?;
        require_community(&mut conn, &actor.jurisdiction, community_id).await?;
        Ok(match cs::control_level(&mut conn, community_id).await? {
            Some((level, reason, at)) => (level, reason, Some(at)),
            None => (ControlLevel::General, String::new(), None),
        })
    }

    /// Sets the community's control level, with the reason recorded.
    pub async fn set_control_level(
        &self,
        actor: &Actor,
        community_id: i64,
        level: &str,
        reason: &str,
    ) -> AppResult<()> {
        let mut tx = self.write_as(actor, dc::can_decide(actor.role)).await?;
        let p = structure::placement(tx.conn(), Node::Community(community_id)).await?;
        if !actor.jurisdiction.covers(&p) {
            return Err(AppError::NotFound);
        }
        let Some(level) = ControlLevel::from_code(level.trim()) else {
            return Err(AppError::field("level", "unknown_level"));
        };
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::field("reason", "reason_required"));
        }
        let now = store::now_ms();
        let id = cs::set_control_level(
            tx.conn(),
            community_id,
            level,
            reason,
            actor.account_id,
            now,
        )
        .await?;
        let mut a = actor.audit("control_level_set", "community", community_id);
        a.community_id = Some(community_id);
        a.after = Some(serde_json::json!({ "level": level.code(), "reason": reason, "id": id }));
        tx.commit_audited(a).await?;
        self.level_cache.clear();
        Ok(())
    }
}
