//! How capabilities meet without calling each other: a capability raises an [`Event`] inside
//! the write transaction of the change, and every capability that subscribed to it reacts in
//! that same transaction, so the change and its consequences are committed together or not at
//! all, and every reaction is audited through the transaction like the change itself.
//!
//! To react to another capability's change, a capability lists a [`Subscriber`] in its own
//! `SUBSCRIBERS` and adds that list to [`SUBSCRIBERS`] here; the raising capability never
//! knows who listens.

use std::future::Future;
use std::pin::Pin;

use store::WriteTx;

use crate::{Actor, App, AppResult};

/// Something that happened, as the capability that did it tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A home quarantine order became active: its household is sealed.
    QuarantineStarted { order_id: i64, household_id: i64 },
    /// A quarantine order reached a final state (released, transferred to hospital,
    /// cancelled): its household may have nobody under home quarantine any more.
    QuarantineEnded { order_id: i64, household_id: i64 },
    /// A case sealed a building: every household in it is sealed.
    BuildingSealed { case_id: i64, building_id: i64 },
    /// A case's seal of a building ended; other seals or quarantines may still hold some of
    /// its households.
    BuildingReleased { case_id: i64, building_id: i64 },
    /// Fever or missed-check alerts were raised (a febrile record, a slot closed unchecked).
    CheckAlertsRaised { alert_ids: Vec<i64> },
    /// A delivery task was given to a volunteer.
    DeliveryAssigned { task_id: i64, volunteer_id: i64 },
    /// A rubbish round was given to a volunteer.
    RoundAssigned { round_id: i64, volunteer_id: i64 },
    /// A hotline call's follow-up was given to its owner.
    FollowUpAssigned { follow_up_id: i64, owner_id: i64 },
    /// A complaint was given to an owner.
    ComplaintAssigned { complaint_id: i64, owner_id: i64 },
    /// A suspected case was recorded.
    CaseSuspected { case_id: i64 },
}

/// A reaction's work, in the transaction that raised the event.
pub type Reaction<'a> = Pin<Box<dyn Future<Output = AppResult<()>> + Send + 'a>>;

/// A capability's reaction to events; it ignores the events it has no business with.
pub struct Subscriber {
    /// Names the reaction in logs and tests.
    pub name: &'static str,
    pub react: for<'a> fn(&'a App, &'a mut WriteTx, &'a Actor, &'a Event) -> Reaction<'a>,
}

/// Every capability's subscribers, in the order they react.
pub const SUBSCRIBERS: &[&[Subscriber]] = &[
    crate::tasks::deliveries::SUBSCRIBERS,
    crate::passes::SUBSCRIBERS,
    crate::notifications::SUBSCRIBERS,
];

impl App {
    /// Lets every subscriber react to `event` inside `tx`; the first failure fails the whole
    /// transaction, so the change that raised the event is not committed either.
    pub(crate) async fn raise(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        event: Event,
    ) -> AppResult<()> {
        for subscriber in SUBSCRIBERS.iter().flat_map(|list| list.iter()) {
            (subscriber.react)(self, tx, actor, &event).await?;
        }
        Ok(())
    }
}
