//! Passes follow their household's seal: suspended when someone in it goes under home
//! quarantine, live again when nobody is any more. The gate refuses a suspended pass, and the
//! revocation list it caches says so.

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
    let (household_id, changed, action) = match event {
        Event::QuarantineStarted { household_id, .. } => (
            *household_id,
            pst::suspend_household(tx.conn(), *household_id, now).await?,
            "pass_suspend",
        ),
        Event::QuarantineEnded { household_id, .. } => {
            if pst::household_sealed(tx.conn(), *household_id).await? {
                return Ok(());
            }
            (
                *household_id,
                pst::restore_household(tx.conn(), *household_id, now).await?,
                "pass_restore",
            )
        }
    };
    for id in changed {
        let p = pst::pass(tx.conn(), &Jurisdiction::ALL, id).await?;
        let mut a = actor.audit(action, OBJECT_TYPE, id);
        a.community_id = Some(p.community_id);
        a.after = Some(serde_json::json!({
            "state": p.state.code(), "household_id": household_id, "reason": "quarantine",
        }));
        tx.audit(a).await?;
    }
    Ok(())
}
