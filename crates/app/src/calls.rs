//! Calling from a task's card: the numbers a household is reached on, masked for the card, and
//! one of them in full for the call it is tapped for, recorded with the task as its purpose.

use std::collections::HashMap;

use domain::calls::{self, CallTask, Callee, Purpose};
use serde::Serialize;
use store::calls::{self as cs, PhoneEntry};
use store::quarantine as qs;
use store::screening as ss;
use store::tasks as ts;

use crate::registry::mask_phone;
use crate::{Actor, App, AppError, AppResult};

/// The audit action of a number revealed for a call.
pub const CALL_ACTION: &str = "phone_call";

/// A number a card offers to call, masked: who it reaches and how it looks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallTarget {
    pub household_id: i64,
    /// `None` for the household's own phone.
    pub resident_id: Option<i64>,
    /// The resident's name; empty for the household's own phone.
    pub name: String,
    pub masked: String,
}

impl From<PhoneEntry> for CallTarget {
    fn from(p: PhoneEntry) -> CallTarget {
        CallTarget {
            household_id: p.household_id,
            resident_id: p.resident_id,
            name: p.name,
            masked: mask_phone(&p.phone),
        }
    }
}

/// The task a call was made for, found where the actor works: what the audit entry names.
struct Found {
    household_id: i64,
    community_id: i64,
    /// The task as people know it (a campaign's name, an address with dates).
    label: String,
    /// The task's ids, for the audit entry.
    ids: serde_json::Value,
}

impl App {
    /// The numbers the households of the actor's cards are reached on, masked, by household.
    /// The households come from a list the actor was allowed to read; a role whose work has
    /// no calls of this purpose gets none, and its cards show no call button.
    pub async fn call_targets(
        &self,
        actor: &Actor,
        purpose: Purpose,
        household_ids: &[i64],
    ) -> AppResult<HashMap<i64, Vec<CallTarget>>> {
        let mut by_household: HashMap<i64, Vec<CallTarget>> = HashMap::new();
        if !calls::may_call(actor.role, purpose) {
            return Ok(by_household);
        }
        let mut conn = self.db.conn().await?;
        for p in cs::phones_of(&mut conn, &actor.jurisdiction, household_ids).await? {
            by_household
                .entry(p.household_id)
                .or_default()
                .push(p.into());
        }
        Ok(by_household)
    }

    /// The full number of a household's phone or of one of its residents, for a call the
    /// actor makes for `task`: refused unless the task is the actor's (their team's household,
    /// an order under way in their jurisdiction, a delivery of theirs not yet done). The
    /// reveal is audited with the task as its purpose. Returns the `tel:` address to dial.
    pub async fn call(&self, actor: &Actor, task: CallTask, callee: Callee) -> AppResult<String> {
        let mut tx = self
            .write_as(actor, calls::may_call(actor.role, task.purpose()))
            .await?;
        let found = self.task_to_call(tx.conn(), actor, task).await?;
        let phone = cs::phones_of(tx.conn(), &actor.jurisdiction, &[found.household_id])
            .await?
            .into_iter()
            .find(|p| Callee::from_resident(p.resident_id) == callee)
            .ok_or(AppError::NotFound)?;
        let tel = calls::tel_uri(&phone.phone).ok_or(AppError::NotFound)?;
        let mut a = match callee {
            Callee::Household => actor.audit(CALL_ACTION, "household", found.household_id),
            Callee::Resident(id) => actor.audit(CALL_ACTION, "resident", id),
        };
        a.community_id = Some(found.community_id);
        let mut after = serde_json::json!({
            "purpose": task.purpose().code(),
            "phone": mask_phone(&phone.phone),
        });
        if let (Some(after), Some(ids)) = (after.as_object_mut(), found.ids.as_object()) {
            after.extend(ids.clone());
        }
        a.after = Some(after);
        a.reason = Some(found.label);
        tx.commit_audited(a).await?;
        Ok(tel)
    }

    /// The task, read where the actor stands, if it is one the actor calls for.
    async fn task_to_call(
        &self,
        conn: &mut store::Conn,
        actor: &Actor,
        task: CallTask,
    ) -> AppResult<Found> {
        let j = &actor.jurisdiction;
        Ok(match task {
            CallTask::Screening {
                campaign_id,
                household_id,
            } => {
                let c = ss::campaign(conn, j, campaign_id).await?;
                let h = self
                    .household_to_record(conn, actor, campaign_id, household_id)
                    .await?;
                Found {
                    household_id,
                    community_id: h.address.community_id,
                    label: c.name,
                    ids: serde_json::json!({ "campaign_id": campaign_id, "household_id": household_id }),
                }
            }
            CallTask::Quarantine { order_id } => {
                let o = qs::order(conn, j, order_id).await?;
                if o.state.is_final() {
                    return Err(AppError::Forbidden);
                }
                Found {
                    household_id: o.address.household_id,
                    community_id: o.address.community_id,
                    label: format!("{} · {} – {}", o.address, o.start_date, o.end_date),
                    ids: serde_json::json!({ "order_id": order_id, "household_id": o.address.household_id }),
                }
            }
            CallTask::Delivery { delivery_id } => {
                let d = ts::delivery(conn, j, crate::tasks::reach_of(actor), delivery_id).await?;
                if d.progress.state.is_final()
                    || !domain::tasks::may_record(
                        actor.role,
                        actor.account_id,
                        d.progress.volunteer_id,
                    )
                {
                    return Err(AppError::Forbidden);
                }
                Found {
                    household_id: d.address.household_id,
                    community_id: d.address.community_id,
                    label: format!("{} · {}", d.address, d.due_date),
                    ids: serde_json::json!({ "delivery_id": delivery_id, "household_id": d.address.household_id }),
                }
            }
        })
    }
}
