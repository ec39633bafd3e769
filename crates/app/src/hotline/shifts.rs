//! The duty shifts of the hotline's staff: who answers calls, and when.

use domain::hotline as h;
use store::hotline::{self as hs, Owner, Shift};

use super::SHIFT_OBJECT;
use crate::{Actor, App, AppError, AppResult};

impl App {
    /// Puts a staff member of the community on a hotline duty shift (ms, at most a day).
    pub async fn add_hotline_shift(
        &self,
        actor: &Actor,
        community_id: i64,
        account_id: i64,
        starts_at: i64,
        ends_at: i64,
    ) -> AppResult<i64> {
        let mut tx = self
            .write_as(actor, h::can_manage_shifts(actor.role))
            .await?;
        store::structure::community(tx.conn(), &actor.jurisdiction, community_id).await?;
        if !h::shift_length_ok(starts_at, ends_at) {
            return Err(AppError::field("ends_at", "shift_length"));
        }
        let staff = hs::owners_in(tx.conn(), community_id, &["community_staff"]).await?;
        if !staff.iter().any(|s| s.id == account_id) {
            return Err(AppError::field("account_id", "not_staff_here"));
        }
        let id = hs::insert_shift(
            tx.conn(),
            community_id,
            account_id,
            starts_at,
            ends_at,
            actor.account_id,
        )
        .await?;
        let mut a = actor.audit("hotline_shift_create", SHIFT_OBJECT, id);
        a.community_id = Some(community_id);
        a.after = Some(serde_json::json!({
            "account_id": account_id, "starts_at": starts_at, "ends_at": ends_at,
        }));
        tx.commit_audited(a).await?;
        Ok(id)
    }

    /// Ends a duty shift now, or calls off one not yet begun.
    pub async fn end_hotline_shift(&self, actor: &Actor, id: i64) -> AppResult<()> {
        let mut tx = self
            .write_as(actor, h::can_manage_shifts(actor.role))
            .await?;
        let s = hs::shift(tx.conn(), &actor.jurisdiction, id).await?;
        let now = store::now_ms();
        hs::end_shift(tx.conn(), id, now).await?;
        let mut a = actor.audit("hotline_shift_end", SHIFT_OBJECT, id);
        a.community_id = Some(s.community_id);
        a.before = Some(serde_json::json!({ "ends_at": s.ends_at }));
        a.after = Some(serde_json::json!({ "ends_at": now.max(s.starts_at) }));
        tx.commit_audited(a).await?;
        Ok(())
    }

    /// The duty shifts of the actor's jurisdiction not yet over.
    pub async fn hotline_shifts(&self, actor: &Actor) -> AppResult<Vec<Shift>> {
        let mut conn = self
            .read_as(actor, h::can_read(actor.role) || h::can_answer(actor.role))
            .await?;
        Ok(hs::shifts(&mut conn, &actor.jurisdiction, store::now_ms()).await?)
    }

    /// The actor's duty shift under way, if any.
    pub async fn my_hotline_duty(&self, actor: &Actor) -> AppResult<Option<Shift>> {
        let mut conn = self.read_as(actor, h::can_answer(actor.role)).await?;
        Ok(hs::duty_shift(&mut conn, actor.account_id, store::now_ms()).await?)
    }

    /// The staff of a community who may be put on duty.
    pub async fn hotline_staff(&self, actor: &Actor, community_id: i64) -> AppResult<Vec<Owner>> {
        let mut conn = self
            .read_as(actor, h::can_manage_shifts(actor.role))
            .await?;
        store::structure::community(&mut conn, &actor.jurisdiction, community_id).await?;
        Ok(hs::owners_in(&mut conn, community_id, &["community_staff"]).await?)
    }
}
