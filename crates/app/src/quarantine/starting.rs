//! Planned orders start on their start date: the quarantine capability's daily job.

use store::WriteTx;
use store::quarantine as qs;

use crate::events::Event;
use crate::jobs::{Job, daily_periods};
use crate::{Actor, App, AppResult};

/// The quarantine capability's scheduled jobs.
pub const JOBS: &[Job] = &[Job {
    name: "start_planned_orders",
    due_periods: daily_periods,
    run: |app, tx, period| Box::pin(start_planned_orders(app, tx, period)),
}];

/// Starts the planned orders whose start date is `period` or earlier, each audited as the
/// system.
async fn start_planned_orders(app: &App, tx: &mut WriteTx, period: &str) -> AppResult<String> {
    let due = qs::planned_orders_due(tx.conn(), period).await?;
    let mut started = 0;
    for o in due {
        if !qs::start_order(tx.conn(), o.id, store::now_ms()).await? {
            continue;
        }
        let mut a = Actor::system().audit("quarantine_transition", super::OBJECT_TYPE, o.id);
        a.community_id = Some(o.community_id);
        a.before = Some(serde_json::json!({ "state": "planned", "start_date": o.start_date }));
        a.after = Some(serde_json::json!({
            "transition": "start", "state": "active", "is_override": false, "job": period,
        }));
        tx.audit(a).await?;
        if o.kind == domain::quarantine::Kind::Home {
            let sealed = Event::QuarantineStarted {
                order_id: o.id,
                household_id: o.household_id,
            };
            app.raise(tx, &Actor::system(), sealed).await?;
        }
        started += 1;
    }
    Ok(format!("started {started}"))
}
