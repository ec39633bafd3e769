//! The passage log read back: a gate's traffic per hour, a household's or a pass's passages,
//! and the overrides and offline conflicts the supervisors and the auditor must see.

use domain::checkpoint as cp;
use domain::page::{Page, PageRequest};
use store::passages::{self as ps, HourlyTraffic, OverrideCount, Passage, PassageFilter};

use crate::{Actor, App, AppResult};

/// How far back the override counts look.
pub const OVERRIDE_COUNT_DAYS: i64 = 30;

impl App {
    /// Passages in the actor's jurisdiction, newest first; a guard reads those of the gates of
    /// their shifts only. Reading a household's passages is audited (where its people went).
    pub async fn passages(
        &self,
        actor: &Actor,
        filter: &PassageFilter,
        page: PageRequest,
    ) -> AppResult<Page<Passage>> {
        let mut conn = self
            .read_as(actor, cp::can_read_passages(actor.role))
            .await?;
        if actor.role == domain::access::Role::Guard {
            let Some(gate_id) = filter.gate_id else {
                return Err(crate::AppError::Forbidden);
            };
            self.gate_kept_by(&mut conn, actor, gate_id, store::now_ms())
                .await?;
        }
        let page = ps::list_passages(&mut conn, &actor.jurisdiction, filter, page).await?;
        if let Some(household_id) = filter.household_id {
            drop(conn);
            let tx = self.db.write().await?;
            let mut a = actor.audit("household_passages_read", "household", household_id);
            a.after = Some(serde_json::json!({ "passages": page.items.len() }));
            tx.commit_audited(a).await?;
        }
        Ok(page)
    }

    /// A gate's passages per hour, direction and result between two moments (ms, at most 31
    /// days apart).
    pub async fn gate_traffic(
        &self,
        actor: &Actor,
        gate_id: i64,
        from: i64,
        to: i64,
    ) -> AppResult<Vec<HourlyTraffic>> {
        let mut conn = self
            .read_as(actor, cp::can_read_passages(actor.role))
            .await?;
        store::gates::gate(&mut conn, &actor.jurisdiction, gate_id).await?;
        if to
            .checked_sub(from)
            .is_none_or(|span| span <= 0 || span > 31 * 86_400_000)
        {
            return Err(crate::AppError::field("to", "range_too_long"));
        }
        Ok(ps::traffic(&mut conn, gate_id, from, to).await?)
    }

    /// Overrides of the last [`OVERRIDE_COUNT_DAYS`] days counted per gate, guard and
    /// requester: who lets people through against the rule, and at whose request.
    pub async fn override_counts(&self, actor: &Actor) -> AppResult<Vec<OverrideCount>> {
        let mut conn = self
            .read_as(actor, cp::can_review_overrides(actor.role))
            .await?;
        let since = store::now_ms() - OVERRIDE_COUNT_DAYS * 86_400_000;
        Ok(ps::override_counts(&mut conn, &actor.jurisdiction, since).await?)
    }
}
