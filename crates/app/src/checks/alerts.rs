//! Alerts on the worklist: the responsible doctor sees those of their orders and today's slots of
//! their residents; the leads see every alert in their jurisdiction, by grid and kind. Alerts go
//! open → acknowledged → resolved (with a note), each step audited.

use domain::access::Role;
use domain::health::{self, AlertAction, AlertKind, AlertState};
use domain::page::{Page, PageRequest};
use domain::quarantine::Slot;
use jiff::Timestamp;
use store::checks::{self as cs, Alert, AlertFilter, DaySlots};

use super::ALERT_OBJECT;
use crate::{Actor, App, AppError, AppResult, ErrorCode};

/// What a worklist asks for.
#[derive(Debug, Clone, Default)]
pub struct AlertQuery {
    /// Only alerts of orders the actor is the responsible doctor of.
    pub mine: bool,
    pub grid_id: Option<i64>,
    pub order_id: Option<i64>,
    /// `fever` or `missed_check`; empty for both.
    pub kind: Option<String>,
    /// `open`, `acknowledged`, `resolved`; empty for unresolved.
    pub state: Option<String>,
}

/// The heading of a worklist and, for a doctor, today's slots.
#[derive(Debug, Clone)]
pub struct Worklist {
    pub slot: Slot,
    /// Unresolved alerts: fever, missed check.
    pub open_fever: i64,
    pub open_missed: i64,
    /// The doctor's active orders with today's records; empty for other roles.
    pub day: Page<DaySlots>,
}

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl App {
    /// Alerts in the actor's jurisdiction, newest first.
    pub async fn alerts(
        &self,
        actor: &Actor,
        query: &AlertQuery,
        page: PageRequest,
    ) -> AppResult<Page<Alert>> {
        actor.require(health::can_read_checks(actor.role))?;
        let kind = blank(&query.kind)
            .map(|k| {
                AlertKind::from_code(k).ok_or_else(|| AppError::field("kind", "invalid_choice"))
            })
            .transpose()?;
        let state = blank(&query.state)
            .map(|s| {
                AlertState::from_code(s).ok_or_else(|| AppError::field("state", "invalid_choice"))
            })
            .transpose()?;
        let filter = AlertFilter {
            doctor_id: (query.mine && actor.role == Role::Doctor).then_some(actor.account_id),
            grid_id: query.grid_id,
            order_id: query.order_id,
            kind,
            state,
        };
        let mut conn = self.db.conn().await?;
        Ok(cs::list_alerts(&mut conn, &actor.jurisdiction, &filter, page).await?)
    }

    /// The worklist's heading at `now`: open counts, and a doctor's slots of the day.
    pub async fn worklist(
        &self,
        actor: &Actor,
        mine: bool,
        now: Timestamp,
        page: PageRequest,
    ) -> AppResult<Worklist> {
        actor.require(health::can_read_checks(actor.role))?;
        let doctor = (mine && actor.role == Role::Doctor).then_some(actor.account_id);
        let slot = self.current_slot(now);
        let mut conn = self.db.conn().await?;
        let (open_fever, open_missed) =
            cs::open_counts(&mut conn, &actor.jurisdiction, doctor).await?;
        let day = match doctor {
            Some(d) => {
                cs::doctor_day(
                    &mut conn,
                    &actor.jurisdiction,
                    d,
                    &slot.date.to_string(),
                    page,
                )
                .await?
            }
            None => Page {
                items: Vec::new(),
                next: None,
            },
        };
        Ok(Worklist {
            slot,
            open_fever,
            open_missed,
            day,
        })
    }

    pub async fn alert(&self, actor: &Actor, id: i64) -> AppResult<Alert> {
        let mut conn = self
            .read_as(actor, health::can_read_checks(actor.role))
            .await?;
        Ok(cs::alert(&mut conn, &actor.jurisdiction, id).await?)
    }

    /// Marks an open alert as seen and being handled.
    pub async fn acknowledge_alert(&self, actor: &Actor, id: i64) -> AppResult<()> {
        self.step_alert(actor, id, AlertAction::Acknowledge, "")
            .await
    }

    /// Closes an alert with a note of what was done.
    pub async fn resolve_alert(&self, actor: &Actor, id: i64, note: &str) -> AppResult<()> {
        self.step_alert(actor, id, AlertAction::Resolve, note).await
    }

    async fn step_alert(
        &self,
        actor: &Actor,
        id: i64,
        action: AlertAction,
        note: &str,
    ) -> AppResult<()> {
        actor.require(health::can_handle_alerts(actor.role))?;
        let note = note.trim();
        if note.chars().count() > 500 {
            return Err(AppError::Validation(
                domain::validation::FieldErrors::single("note", "too_long"),
            ));
        }
        let mut tx = self.db.write().await?;
        let a = cs::alert(tx.conn(), &actor.jurisdiction, id).await?;
        let to = health::alert_step(a.state, action, note).map_err(|e| match e {
            health::AlertError::NoteRequired => AppError::field("note", e.code()),
            health::AlertError::NotAllowed => {
                AppError::Conflict(ErrorCode::AlertTransitionNotAllowed)
            }
        })?;
        let now = store::now_ms();
        let moved = match action {
            AlertAction::Acknowledge => {
                cs::acknowledge_alert(tx.conn(), id, actor.account_id, now).await
            }
            AlertAction::Resolve => {
                cs::resolve_alert(tx.conn(), id, actor.account_id, now, note).await
            }
        };
        moved.map_err(|e| match e {
            store::StoreError::Conflict(_) => {
                AppError::Conflict(ErrorCode::AlertTransitionNotAllowed)
            }
            other => other.into(),
        })?;
        let action_code = match action {
            AlertAction::Acknowledge => "alert_acknowledge",
            AlertAction::Resolve => "alert_resolve",
        };
        let mut entry = actor.audit(action_code, ALERT_OBJECT, id);
        entry.community_id = Some(a.address.community_id);
        entry.before = Some(serde_json::json!({ "state": a.state }));
        entry.after = Some(serde_json::json!({
            "state": to.code(), "kind": a.kind, "order_id": a.order_id,
            "slot": format!("{}/{}", a.slot_date, a.slot_part.code()),
        }));
        entry.reason = (!note.is_empty()).then(|| note.to_owned());
        tx.commit_audited(entry).await?;
        Ok(())
    }
}
