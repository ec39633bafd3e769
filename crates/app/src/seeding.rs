//! A month of quarantine work for the demonstration community and the benchmark, written in
//! bulk by [`store::seeding`] in one transaction with one audit entry.

use jiff::{SignedDuration, Timestamp};
use store::seeding::{self, ClosedSlot, Plan, Seeded};

use crate::{Actor, App, AppError, AppResult};

/// How far back the month reaches, in days.
pub const MONTH_DAYS: i64 = 30;

/// What to seed.
#[derive(Debug, Clone)]
pub struct Activity {
    pub community_id: i64,
    /// Orders over the month; with 14-day orders about half are still active today.
    pub orders: usize,
    /// Doctors responsible for the orders, one per grid in turn.
    pub doctors: Vec<i64>,
    /// Grid workers responsible for the orders, one per grid in turn.
    pub grid_workers: Vec<i64>,
}

impl App {
    /// Writes the month ending `now` unless the community already has quarantine orders; `None`
    /// when it had.
    pub async fn seed_activity(&self, a: &Activity, now: Timestamp) -> AppResult<Option<Seeded>> {
        let system = Actor::system();
        let grids = self.grids(&system, a.community_id).await?;
        let tz = self.settings.time_zone.clone();
        let local_now = now.to_zoned_datetime(tz.clone()).datetime();
        let today = local_now.date();
        let start_dates = (0..MONTH_DAYS)
            .rev()
            .filter_map(|back| today.checked_sub(jiff::Span::new().days(back)).ok())
            .map(|d| d.to_string())
            .collect();
        let from = now
            .checked_sub(SignedDuration::from_hours(24 * MONTH_DAYS))
            .map_err(|e| AppError::Internal(e.to_string()))?
            .to_zoned_datetime(tz)
            .datetime();
        let w = self.settings.check_windows;
        let closed_slots = w
            .closed_between(from, local_now)
            .into_iter()
            .map(|s| {
                Ok(ClosedSlot {
                    date: s.date.to_string(),
                    part: s.part.code().to_owned(),
                    opens_ms: self.instant_ms(w.opens_at(s))?,
                    closes_ms: self.instant_ms(w.closes_at(s))?,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let pick = |list: &[i64], i: usize| (!list.is_empty()).then(|| list[i % list.len()]);
        let responsible = grids
            .iter()
            .enumerate()
            .map(|(i, g)| (g.id, pick(&a.doctors, i), pick(&a.grid_workers, i)))
            .collect();
        let plan = Plan {
            community_id: a.community_id,
            orders: a.orders,
            start_dates,
            days: i64::from(self.settings.quarantine_days),
            today: today.to_string(),
            responsible,
            closed_slots,
            resolve_before_ms: now.as_millisecond() - 24 * 3_600_000,
            now_ms: now.as_millisecond(),
        };
        let mut tx = self.db.write().await?;
        if store::quarantine::community_has_orders(tx.conn(), a.community_id).await? {
            tx.rollback().await?;
            return Ok(None);
        }
        let seeded = seeding::seed(tx.conn(), &plan).await?;
        // The month's past periods were handled by the seeding (checks, alerts) or happened
        // before the system (deliveries and rounds of past days): the jobs start from today.
        let today_text = today.to_string();
        for job in crate::jobs::all() {
            for period in (job.due_periods)(now, &self.settings) {
                let past = job.name == "missed_checks" || period.as_str() < today_text.as_str();
                if past && store::jobs::claim(tx.conn(), job.name, &period, plan.now_ms).await? {
                    store::jobs::finish(tx.conn(), job.name, &period, "seeded", plan.now_ms)
                        .await?;
                }
            }
        }
        let mut e = system.audit("activity_seeded", "community", a.community_id);
        e.community_id = Some(a.community_id);
        e.after = Some(serde_json::json!({
            "orders": seeded.orders, "active_orders": seeded.active_orders,
            "checks": seeded.checks, "fever_alerts": seeded.fever_alerts,
            "missed_alerts": seeded.missed_alerts,
        }));
        tx.commit_audited(e).await?;
        Ok(Some(seeded))
    }
}

impl App {
    /// Writes a gate's history of household passages (`days` back from `now`, `per_day` for
    /// each household pass) in one transaction, audited as one entry; how many were written.
    pub async fn seed_passages(
        &self,
        gate_id: i64,
        guard_id: i64,
        days: i64,
        per_day: i64,
        now: Timestamp,
    ) -> AppResult<u64> {
        let system = Actor::system();
        let mut tx = self.db.write().await?;
        let gate = store::gates::gate(tx.conn(), &system.jurisdiction, gate_id).await?;
        let written = seeding::passage_history(
            tx.conn(),
            &seeding::PassageHistory {
                community_id: gate.community_id,
                gate_id,
                guard_id,
                days,
                per_day,
                now_ms: now.as_millisecond(),
            },
        )
        .await?;
        let mut e = system.audit("passages_seeded", "gate", gate_id);
        e.community_id = Some(gate.community_id);
        e.after = Some(serde_json::json!({ "passages": written, "days": days }));
        tx.commit_audited(e).await?;
        let mut conn = self.db.conn().await?;
        seeding::settle_passages(&mut conn).await?;
        Ok(written)
    }
}
