//! A check slot that closes without a record raises a missed-check alert: the checks
//! capability's job, run for each slot once it has closed.

use jiff::Timestamp;
use store::WriteTx;
use store::checks as cs;

use crate::jobs::{Job, LOOKBACK_DAYS};
use crate::{Actor, App, AppError, AppResult, Settings};

/// The checks capability's scheduled jobs.
pub const JOBS: &[Job] = &[Job {
    name: "missed_checks",
    due_periods: closed_slots,
    run: |app, tx, period| Box::pin(missed_checks(app, tx, period)),
}];

/// The check slots that closed within the look-back.
pub fn closed_slots(now: Timestamp, settings: &Settings) -> Vec<String> {
    let tz = settings.time_zone.clone();
    let to = now.to_zoned_datetime(tz.clone()).datetime();
    let from = now
        .checked_sub(jiff::SignedDuration::from_hours(24 * LOOKBACK_DAYS))
        .map(|t| t.to_zoned_datetime(tz).datetime())
        .unwrap_or(to);
    settings
        .check_windows
        .closed_between(from, to)
        .into_iter()
        .map(|s| s.key())
        .collect()
}

/// Raises a missed-check alert for every order active through the slot `period` with no record
/// in it; one audit entry per community names the orders.
async fn missed_checks(app: &App, tx: &mut WriteTx, period: &str) -> AppResult<String> {
    let slot = domain::quarantine::Slot::from_key(period)
        .ok_or_else(|| AppError::Internal(format!("bad slot period {period}")))?;
    let w = app.settings.check_windows;
    let opens = app.instant_ms(w.opens_at(slot))?;
    let closes = app.instant_ms(w.closes_at(slot))?;
    let raised = cs::raise_missed(
        tx.conn(),
        &slot.date.to_string(),
        slot.part.code(),
        opens,
        closes,
        store::now_ms(),
    )
    .await?;
    let mut by_community: std::collections::BTreeMap<i64, Vec<(i64, i64)>> = Default::default();
    for r in &raised {
        by_community
            .entry(r.community_id)
            .or_default()
            .push((r.order_id, r.id));
    }
    for (community, items) in by_community {
        let mut a = Actor::system().audit("missed_check_alerts", "check_slot", period);
        a.community_id = Some(community);
        a.after = Some(serde_json::json!({
            "alerts": items.len(),
            "orders": items.iter().map(|(o, _)| o).collect::<Vec<_>>(),
            "alert_ids": items.iter().map(|(_, a)| a).collect::<Vec<_>>(),
        }));
        tx.audit(a).await?;
    }
    if !raised.is_empty() {
        let event = crate::events::Event::CheckAlertsRaised {
            alert_ids: raised.iter().map(|r| r.id).collect(),
        };
        app.raise(tx, &Actor::system(), event).await?;
    }
    Ok(format!("raised {}", raised.len()))
}
