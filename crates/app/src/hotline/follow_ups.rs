//! Follow-ups a call leaves: given to an owner with a due time, called back and marked done.

use domain::hotline::{self as h, FollowUpState};
use store::hotline::{self as hs, FollowUp, FollowUpFilter, NewFollowUp, Owner};

use super::calls::Answered;
use super::{CALL_BACK_ACTION, CALL_OBJECT, FOLLOW_UP_OBJECT, OWNER_ROLES};
use crate::complaints::field_error;
use crate::{Actor, App, AppError, AppResult, ErrorCode};

impl App {
    /// The accounts a follow-up may be given to in the community of the actor's shift.
    pub async fn follow_up_owners(
        &self,
        actor: &Actor,
        community_id: i64,
    ) -> AppResult<Vec<Owner>> {
        let mut conn = self.read_as(actor, h::can_answer(actor.role)).await?;
        store::structure::community(&mut conn, &actor.jurisdiction, community_id).await?;
        Ok(hs::owners_in(&mut conn, community_id, &OWNER_ROLES).await?)
    }

    /// The follow-up a call leaves, inside its transaction: given to `owner`, or to the
    /// household's grid worker; refused when there is neither, or the owner does not work in
    /// the community.
    pub(super) async fn follow_up_in(
        &self,
        tx: &mut store::WriteTx,
        actor: &Actor,
        call: &Answered<'_>,
        owner: Option<i64>,
        what: &str,
        due_at: i64,
    ) -> AppResult<i64> {
        let owner = match (owner, call.home) {
            (Some(o), _) => Some(o),
            (None, Some(hm)) => hs::grid_worker_of(tx.conn(), hm.grid_id, hm.building_id).await?,
            (None, None) => None,
        };
        let owner = owner.ok_or_else(|| AppError::field("owner_id", "required"))?;
        let owners = hs::owners_in(tx.conn(), call.community_id, &OWNER_ROLES).await?;
        if !owners.iter().any(|o| o.id == owner) {
            return Err(AppError::field("owner_id", "not_an_owner_here"));
        }
        let id = hs::insert_follow_up(
            tx.conn(),
            &NewFollowUp {
                call_id: call.id,
                community_id: call.community_id,
                grid_id: call.home.map(|x| x.grid_id),
                building_id: call.home.map(|x| x.building_id),
                owner_id: owner,
                what,
                due_at,
                by: actor.account_id,
            },
        )
        .await?;
        let mut a = actor.audit("hotline_follow_up_create", FOLLOW_UP_OBJECT, id);
        a.community_id = Some(call.community_id);
        a.after = Some(serde_json::json!({
            "call_id": call.id, "owner_id": owner, "due_at": due_at, "state": "open",
        }));
        tx.audit(a).await?;
        let assigned = crate::events::Event::FollowUpAssigned {
            follow_up_id: id,
            owner_id: owner,
        };
        self.raise(tx, actor, assigned).await?;
        Ok(id)
    }

    /// The actor's own open follow-ups, soonest due first.
    pub async fn my_follow_ups(&self, actor: &Actor) -> AppResult<Vec<FollowUp>> {
        let mut conn = self
            .read_as(actor, h::may_own_follow_up(actor.role))
            .await?;
        Ok(hs::follow_ups(
            &mut conn,
            &actor.jurisdiction,
            FollowUpFilter {
                owner_id: Some(actor.account_id),
                state: Some(FollowUpState::Open),
                ..Default::default()
            },
        )
        .await?)
    }

    /// The open follow-ups of the actor's jurisdiction, for staff.
    pub async fn open_follow_ups(&self, actor: &Actor) -> AppResult<Vec<FollowUp>> {
        let mut conn = self.read_as(actor, h::can_read(actor.role)).await?;
        Ok(hs::follow_ups(
            &mut conn,
            &actor.jurisdiction,
            FollowUpFilter {
                state: Some(FollowUpState::Open),
                ..Default::default()
            },
        )
        .await?)
    }

    /// The caller's number in full, for a call back by the follow-up's owner (or staff) while
    /// it is open: one audited read. Returns the `tel:` address to dial.
    pub async fn call_back(&self, actor: &Actor, follow_up_id: i64) -> AppResult<String> {
        let mut tx = self
            .write_as(actor, h::may_own_follow_up(actor.role))
            .await?;
        let f = hs::follow_up(
            tx.conn(),
            &actor.jurisdiction,
            actor.account_id,
            follow_up_id,
        )
        .await?;
        if f.state != FollowUpState::Open
            || !h::may_finish_follow_up(actor.role, actor.account_id, f.owner_id)
        {
            return Err(AppError::Forbidden);
        }
        let number = hs::caller_number(tx.conn(), f.call_id).await?;
        let tel = domain::calls::tel_uri(&number).ok_or(AppError::NotFound)?;
        let mut a = actor.audit(CALL_BACK_ACTION, CALL_OBJECT, f.call_id);
        a.community_id = Some(f.community_id);
        a.after = Some(serde_json::json!({
            "follow_up_id": follow_up_id, "caller_number": h::mask_number(&number),
        }));
        tx.commit_audited(a).await?;
        Ok(tel)
    }

    /// Marks a follow-up done with a note: its owner, or staff.
    pub async fn finish_follow_up(&self, actor: &Actor, id: i64, note: &str) -> AppResult<()> {
        let note = h::parse_text(note, h::NOTE_MAX, true).map_err(|e| field_error("note", e))?;
        let mut tx = self
            .write_as(actor, h::may_own_follow_up(actor.role))
            .await?;
        let f = hs::follow_up(tx.conn(), &actor.jurisdiction, actor.account_id, id).await?;
        if !h::may_finish_follow_up(actor.role, actor.account_id, f.owner_id) {
            return Err(AppError::Forbidden);
        }
        let now = store::now_ms();
        if !hs::finish_follow_up(tx.conn(), id, actor.account_id, &note, now).await? {
            return Err(AppError::Conflict(ErrorCode::FollowUpDone));
        }
        let mut a = actor.audit("hotline_follow_up_done", FOLLOW_UP_OBJECT, id);
        a.community_id = Some(f.community_id);
        a.before = Some(serde_json::json!({ "state": "open" }));
        a.after = Some(serde_json::json!({ "state": "done" }));
        a.reason = Some(note);
        tx.commit_audited(a).await?;
        Ok(())
    }
}
