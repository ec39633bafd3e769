//! Passes follow their household's seal: suspended when someone in it goes under home
//! quarantine or a case seals its building, live again when neither holds it any more. The
//! gate refuses a suspended pass, and the revocation list it caches says so.

use domain::access::Jurisdiction;
use store::WriteTx;
use store::passes as pst;

use super::OBJECT_TYPE;
use crate::events::{Event, Subscriber};
use crate::{Actor, AppResult};

pub const SUBSCRIBERS: &[Subscriber] = &[Subscriber {
    name: "passes_of_a_sealed_household",
    react: |_app, tx, actor, event| Box::pin(follow_the_seal(tx, actor, event)),
}];

async fn follow_the_seal(tx: &mut WriteTx, actor: &Actor, event: &Event) -> AppResult<()> {
    let now = store::now_ms();
    let (changed, action, reason): (Vec<(i64, i64)>, _, _) = match event {
        Event::QuarantineStarted { household_id, .. } => (
            pst::suspend_household(tx.conn(), *household_id, now)
                .await?
                .into_iter()
                .map(|id| (id, *household_id))
                .collect(),
            "pass_suspend",
            "quarantine",
        ),
        Event::QuarantineEnded { household_id, .. } => {
            if pst::household_sealed(tx.conn(), *household_id).await? {
                return Ok(());
            }
            (
                pst::restore_household(tx.conn(), *household_id, now)
                    .await?
                    .into_iter()
                    .map(|id| (id, *household_id))
                    .collect(),
                "pass_restore",
                "quarantine",
            )
        }
        Event::BuildingSealed { building_id, .. } => (
            pst::suspend_building(tx.conn(), *building_id, now).await?,
            "pass_suspend",
            "sealed",
        ),
        Event::BuildingReleased { building_id, .. } => (
            pst::restore_building(tx.conn(), *building_id, now).await?,
            "pass_restore",
            "sealed",
        ),
        // Alerts, tasks and cases given to people do not change a door.
        _ => return Ok(()),
    };
    for (id, household_id) in changed {
        let p = pst::pass(tx.conn(), &Jurisdiction::ALL, id).await?;
        let mut a = actor.audit(action, OBJECT_TYPE, id);
        a.community_id = Some(p.address.community_id);
        a.after = Some(serde_json::json!({
            "state": p.state.code(), "household_id": household_id, "reason": reason,
        }));
        tx.audit(a).await?;
    }
    Ok(())
}
