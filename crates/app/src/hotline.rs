//! The 24-hour hotline (C5): staff put on duty shifts answer calls; each call is logged with
//! who called, about what and what came of it, and may leave a follow-up with an owner and a
//! due time, file a complaint, or ask for the household's supply delivery. The lead reads
//! calls per hour and topic.

use domain::access::Jurisdiction;
use domain::hotline as h;
use domain::page::{Page, PageRequest};
use store::hotline::{self as hs, Call, CallFilter, FollowUp, FollowUpFilter, HourCount};

use crate::{Actor, App, AppResult};

mod calls;
mod follow_ups;
mod shifts;

pub use calls::{CallInput, CallerMatch, Logged};

/// The audit object types of the hotline.
pub const SHIFT_OBJECT: &str = "hotline_shift";
pub const CALL_OBJECT: &str = "hotline_call";
pub const FOLLOW_UP_OBJECT: &str = "hotline_follow_up";
/// The audit action of a caller's number revealed for a call back.
pub const CALL_BACK_ACTION: &str = "hotline_call_back";

/// The roles a follow-up may be given to, as stored.
const OWNER_ROLES: [&str; 3] = ["community_staff", "grid_worker", "doctor"];

impl App {
    /// The calls of the actor's jurisdiction, newest first.
    pub async fn hotline_calls(
        &self,
        actor: &Actor,
        filter: &CallFilter,
        page: PageRequest,
    ) -> AppResult<Page<Call>> {
        let mut conn = self.read_as(actor, h::can_read(actor.role)).await?;
        Ok(hs::calls(&mut conn, &actor.jurisdiction, filter, page).await?)
    }

    /// One call with its follow-ups.
    pub async fn hotline_call(&self, actor: &Actor, id: i64) -> AppResult<(Call, Vec<FollowUp>)> {
        let mut conn = self.read_as(actor, h::can_read(actor.role)).await?;
        let call = hs::call(&mut conn, &actor.jurisdiction, id).await?;
        let follow_ups = hs::follow_ups(
            &mut conn,
            &Jurisdiction::ALL,
            FollowUpFilter {
                call_id: Some(id),
                ..Default::default()
            },
        )
        .await?;
        Ok((call, follow_ups))
    }

    /// Calls by hour of the day and topic over the `days` days up to now, in the community's
    /// time.
    pub async fn calls_per_hour(&self, actor: &Actor, days: i64) -> AppResult<Vec<HourCount>> {
        let mut conn = self.read_as(actor, h::can_read(actor.role)).await?;
        let days = days.clamp(1, 90);
        let now = jiff::Timestamp::now();
        let offset = i64::from(self.settings.time_zone.to_offset(now).seconds()) * 1000;
        let to = now.as_millisecond();
        Ok(hs::calls_per_hour(
            &mut conn,
            &actor.jurisdiction,
            to - days * 86_400_000,
            to + 1,
            offset,
        )
        .await?)
    }

    /// The communities whose hotline the actor reads or answers, for the shift form.
    pub async fn hotline_communities(
        &self,
        actor: &Actor,
    ) -> AppResult<Vec<store::structure::Community>> {
        actor.require(h::can_read(actor.role) || h::can_answer(actor.role))?;
        let mut conn = self.db.conn().await?;
        Ok(store::structure::list_communities(&mut conn, &actor.jurisdiction).await?)
    }
}
