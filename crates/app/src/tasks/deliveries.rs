//! Supply-delivery tasks of home quarantine: generating them every second day per household,
//! assigning volunteers, and the ask → deliver → confirm steps.

use std::collections::HashMap;

use domain::access::{Jurisdiction, Role};
use domain::page::{Page, PageRequest};
use domain::tasks::{self as t, ConfirmedVia, DeliveryState, HomeOrder, Step};
use domain::validation::FieldErrors;
use jiff::civil::Date;
use store::WriteTx;
use store::audit::{self, AuditRecord};
use store::structure::Node;
use store::tasks::{
    self as ts, Delivery, DeliveryFilter, DeliveryProgress, NewDelivery, TaskReach,
};

use super::{
    CoverCache, Reassigned, check_volunteer, days_before, period_date, pick_volunteer, reach_of,
    require_recorder,
};
use crate::error::code_in;
use crate::events::{Event, Subscriber};
use crate::{Actor, App, AppError, AppResult, ErrorCode};

/// The audit object type of a delivery task.
pub const DELIVERY_OBJECT: &str = "delivery_task";

/// What one generation run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generated {
    pub created: usize,
    pub cancelled: usize,
}

/// Which of the volunteer's tasks a phone list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MyList {
    /// Not yet delivered: ask and deliver.
    ToDo,
    /// Delivered, waiting for the household's confirmation.
    AwaitingConfirmation,
}

/// The task board's filters.
#[derive(Debug, Clone, Default)]
pub struct BoardQuery {
    /// A state code, `pending` (open and asked), or empty for pending.
    pub state: Option<String>,
    pub grid_id: Option<i64>,
    /// A volunteer's account id.
    pub volunteer_id: Option<i64>,
    pub unassigned: bool,
}

/// Audit view of a task's state.
fn delivery_view(d: &DeliveryProgress) -> serde_json::Value {
    serde_json::json!({
        "state": d.state, "volunteer_id": d.volunteer_id, "needs": d.needs,
        "confirmed_via": d.confirmed_via,
    })
}

/// Creates the delivery of `o`'s household due on `due_date`, assigned to `volunteer`, with its
/// audit entry (`reason` when one is given); `None` when the household has that day's already.
async fn create_delivery(
    tx: &mut WriteTx,
    actor: &Actor,
    o: &ts::HomeOrderPlace,
    due_date: &str,
    volunteer: Option<i64>,
    reason: Option<&str>,
) -> AppResult<Option<i64>> {
    let key = t::place_key(
        &o.address.building_name,
        &o.address.unit_name,
        &o.address.room,
    );
    let new = NewDelivery {
        home: o.address.home(),
        place_key: &key,
        due_date,
        volunteer_id: volunteer,
    };
    let Some(id) = ts::insert_delivery(tx.conn(), &new).await? else {
        return Ok(None);
    };
    let mut a = actor.audit("delivery_create", DELIVERY_OBJECT, id);
    a.community_id = Some(o.address.community_id);
    a.after = Some(serde_json::json!({
        "household_id": o.address.household_id, "due_date": due_date, "state": "open",
        "volunteer_id": volunteer,
    }));
    a.reason = reason.map(str::to_owned);
    tx.audit(a).await?;
    Ok(Some(id))
}

/// The job's work for one hour: the deliveries of its date for every household in the system,
/// as the system actor.
pub(crate) async fn delivery_job(app: &App, tx: &mut WriteTx, period: &str) -> AppResult<String> {
    let date = period_date(period)?;
    let done = app
        .generate_delivery_tasks_in(tx, &Actor::system(), &Jurisdiction::ALL, date)
        .await?;
    Ok(format!(
        "created {}, cancelled {}",
        done.created, done.cancelled
    ))
}

/// What deliveries do when other capabilities change things.
pub const SUBSCRIBERS: &[Subscriber] = &[Subscriber {
    name: "deliveries_of_an_ended_quarantine",
    react: |_app, tx, actor, event| Box::pin(quarantine_ended(tx, actor, event)),
}];

/// Deliveries waiting for a household nobody is quarantined in any more are called off when
/// its order ends, not at the next hourly generation.
async fn quarantine_ended(tx: &mut WriteTx, actor: &Actor, event: &Event) -> AppResult<()> {
    if let Event::QuarantineEnded { household_id, .. } = event {
        cancel_orphaned_deliveries(tx, actor, &Jurisdiction::ALL, Some(*household_id)).await?;
    }
    Ok(())
}

/// Cancels the deliveries not yet made of households (in `j`, or the one given) that no longer
/// have anyone under active home quarantine; each cancellation audited.
async fn cancel_orphaned_deliveries(
    tx: &mut WriteTx,
    actor: &Actor,
    j: &Jurisdiction,
    household_id: Option<i64>,
) -> AppResult<usize> {
    let mut cancelled = 0;
    for orphan in ts::orphaned_deliveries(tx.conn(), j, household_id).await? {
        let d = ts::delivery(
            tx.conn(),
            &Jurisdiction::ALL,
            TaskReach::Jurisdiction,
            orphan.id,
        )
        .await?;
        let mut u = d.progress.clone();
        u.state = DeliveryState::Cancelled;
        u.cancelled_at = Some(store::now_ms());
        if !ts::update_delivery(tx.conn(), d.id, d.progress.state, &u).await? {
            continue;
        }
        let mut a = actor.audit("delivery_cancel", DELIVERY_OBJECT, d.id);
        a.community_id = Some(d.address.community_id);
        a.before = Some(delivery_view(&d.progress.clone()));
        a.after = Some(delivery_view(&u));
        a.reason = Some("quarantine_ended".to_owned());
        tx.audit(a).await?;
        cancelled += 1;
    }
    Ok(cancelled)
}

fn step_conflict(e: t::StepError) -> AppError {
    match e {
        t::StepError::NotAllowed => AppError::Conflict(ErrorCode::TaskStepNotAllowed),
    }
}

impl App {
    /// Generates the delivery tasks of `date` for the households in `j` and cancels the tasks
    /// not yet delivered of households whose home quarantine ended, inside `tx`. Running it
    /// again for the same date changes nothing.
    pub async fn generate_delivery_tasks_in(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        j: &Jurisdiction,
        date: Date,
    ) -> AppResult<Generated> {
        let mut done = self.generate_deliveries(tx, actor, j, date, None).await?;
        done.cancelled = cancel_orphaned_deliveries(tx, actor, j, None).await?;
        Ok(done)
    }

    /// Generates the delivery tasks of `date` in the actor's jurisdiction, in a transaction of
    /// its own: staff run it by hand; the daily job runs it for everything.
    pub async fn generate_delivery_tasks(&self, actor: &Actor, date: Date) -> AppResult<Generated> {
        actor.require(t::can_assign(actor.role) || actor.role == Role::Admin)?;
        self.by_hand(actor, async |tx, j| {
            self.generate_delivery_tasks_in(tx, actor, j, date).await
        })
        .await
    }

    /// Creates the delivery tasks of `date` for the households in `j` (only `households` when
    /// given) that are due one and have none yet.
    pub(crate) async fn generate_deliveries(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        j: &Jurisdiction,
        date: Date,
        households: Option<&[i64]>,
    ) -> AppResult<Generated> {
        let orders = match households {
            Some(only) => ts::active_home_orders_of(tx.conn(), j, only).await?,
            None => ts::active_home_orders(tx.conn(), j).await?,
        };
        let home: Vec<HomeOrder> = orders
            .iter()
            .filter_map(|o| {
                Some(HomeOrder {
                    household_id: o.address.household_id,
                    start_date: o.start_date.parse().ok()?,
                })
            })
            .collect();
        let due = t::households_due(date, &home);
        let places: HashMap<i64, &ts::HomeOrderPlace> =
            orders.iter().map(|o| (o.address.household_id, o)).collect();
        let date_text = date.to_string();
        let before = days_before(date, t::DELIVERY_EVERY_DAYS).to_string();
        let mut cover = CoverCache::default();
        // A new order's households read only their own rows and their volunteers' loads; the
        // daily run reads the day's and every pending task once.
        let (previous, mut loads) = match households {
            Some(only) => {
                let mut volunteers = Vec::new();
                for household_id in &due {
                    if let Some(o) = places.get(household_id) {
                        let covering = cover.building(tx.conn(), o.address.building_id).await?;
                        volunteers.extend(covering.iter().map(|v| v.id));
                    }
                }
                volunteers.sort_unstable();
                volunteers.dedup();
                (
                    ts::volunteers_of_on(tx.conn(), only, &before).await?,
                    ts::pending_loads_of(tx.conn(), &volunteers).await?,
                )
            }
            None => (
                ts::volunteers_on(tx.conn(), &before).await?,
                ts::pending_loads(tx.conn()).await?,
            ),
        };
        let mut done = Generated::default();
        for household_id in due {
            let Some(o) = places.get(&household_id).copied() else {
                continue;
            };
            let covering = cover.building(tx.conn(), o.address.building_id).await?;
            let volunteer = pick_volunteer(covering, previous.get(&household_id).copied(), &loads);
            let created = create_delivery(tx, actor, o, &date_text, volunteer, None).await?;
            if created.is_none() {
                continue;
            }
            if let Some(v) = volunteer {
                *loads.entry(v).or_insert(0) += 1;
            }
            done.created += 1;
        }
        Ok(done)
    }

    /// A delivery asked for outside the schedule (a request for supplies to the hotline), for
    /// a household under active home quarantine, inside `tx`: its pending delivery records the
    /// needs, or today's is created with them. `None` when nobody in the household is under
    /// home quarantine (any delivery would be called off as serving nobody).
    pub(crate) async fn delivery_asked_in(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        household_id: i64,
        building_id: i64,
        needs: &str,
    ) -> AppResult<Option<i64>> {
        let building = Jurisdiction::new(domain::access::Level::Building, building_id);
        let Some(o) = ts::active_home_orders(tx.conn(), &building)
            .await?
            .into_iter()
            .find(|o| o.address.household_id == household_id)
        else {
            return Ok(None);
        };
        let needs: String = needs.trim().chars().take(t::MAX_NEEDS_CHARS).collect();
        let pending = DeliveryFilter {
            states: vec![DeliveryState::Open, DeliveryState::Asked],
            household_id: Some(household_id),
            ..Default::default()
        };
        let existing = ts::list_deliveries(tx.conn(), &building, &pending, PageRequest::first())
            .await?
            .items
            .into_iter()
            .next();
        let d = match existing {
            Some(d) => d,
            None => {
                let date_text = self.today().to_string();
                let mut cover = CoverCache::default();
                let covering = cover.building(tx.conn(), o.address.building_id).await?;
                let loads = ts::pending_loads(tx.conn()).await?;
                let volunteer = pick_volunteer(covering, None, &loads);
                let created =
                    create_delivery(tx, actor, &o, &date_text, volunteer, Some("hotline")).await?;
                let Some(id) = created else {
                    // Today's delivery was made already: a new one tomorrow is the next.
                    return Ok(None);
                };
                ts::delivery(tx.conn(), &building, TaskReach::Jurisdiction, id).await?
            }
        };
        let before = d.progress.clone();
        let mut u = before.clone();
        u.state = t::advance(d.progress.state, Step::Ask).map_err(step_conflict)?;
        u.needs = if d.progress.needs.is_empty() {
            needs
        } else {
            format!("{}；{needs}", d.progress.needs)
                .chars()
                .take(t::MAX_NEEDS_CHARS)
                .collect()
        };
        u.asked_at = Some(store::now_ms());
        u.asked_by = Some(actor.account_id);
        if !ts::update_delivery(tx.conn(), d.id, d.progress.state, &u).await? {
            return Err(AppError::Conflict(ErrorCode::TaskChanged));
        }
        let mut a = actor.audit("delivery_ask", DELIVERY_OBJECT, d.id);
        a.community_id = Some(d.address.community_id);
        a.before = Some(delivery_view(&before));
        a.after = Some(delivery_view(&u));
        a.reason = Some("hotline".to_owned());
        tx.audit(a).await?;
        Ok(Some(d.id))
    }

    /// The volunteer's own tasks in address order: those to do, or those awaiting confirmation.
    pub async fn my_deliveries(
        &self,
        actor: &Actor,
        list: MyList,
        page: PageRequest,
    ) -> AppResult<Page<Delivery>> {
        actor.require(t::can_work(actor.role))?;
        let states = match list {
            MyList::ToDo => vec![DeliveryState::Open, DeliveryState::Asked],
            MyList::AwaitingConfirmation => vec![DeliveryState::Delivered],
        };
        let filter = DeliveryFilter {
            states,
            volunteer_id: Some(actor.account_id),
            by_place: true,
            ..Default::default()
        };
        let mut conn = self.db.conn().await?;
        Ok(ts::list_deliveries(&mut conn, &actor.jurisdiction, &filter, page).await?)
    }

    /// Every task of the jurisdiction in a state, by key, for staff and grid workers.
    pub async fn delivery_board(
        &self,
        actor: &Actor,
        q: &BoardQuery,
        page: PageRequest,
    ) -> AppResult<Page<Delivery>> {
        actor.require(t::can_oversee(actor.role))?;
        let state = q.state.as_deref().map(str::trim).unwrap_or("");
        let states = match state {
            "" | "pending" => vec![DeliveryState::Open, DeliveryState::Asked],
            "all" => Vec::new(),
            s => match DeliveryState::from_code(s) {
                Some(st) => vec![st],
                None => return Err(AppError::field("state", "unknown_state")),
            },
        };
        let filter = DeliveryFilter {
            states,
            volunteer_id: q.volunteer_id,
            unassigned: q.unassigned,
            grid_id: q.grid_id,
            ..Default::default()
        };
        let mut conn = self.db.conn().await?;
        Ok(ts::list_deliveries(&mut conn, &actor.jurisdiction, &filter, page).await?)
    }

    /// One task with its history from the audit trail, newest first.
    pub async fn delivery_task(
        &self,
        actor: &Actor,
        id: i64,
    ) -> AppResult<(Delivery, Vec<AuditRecord>)> {
        let mut conn = self.read_as(actor, t::can_read(actor.role)).await?;
        let d = ts::delivery(&mut conn, &actor.jurisdiction, reach_of(actor), id).await?;
        let history = audit::history(&mut conn, DELIVERY_OBJECT, id, 100).await?;
        Ok((d, history))
    }

    /// Applies one step to a task in one transaction, audited; a volunteer acting on an
    /// unassigned task takes it.
    async fn delivery_step(
        &self,
        actor: &Actor,
        id: i64,
        step: Step,
        reason: Option<String>,
        change: impl FnOnce(&mut DeliveryProgress, i64),
    ) -> AppResult<DeliveryState> {
        let mut tx = self.write_as(actor, t::can_work(actor.role)).await?;
        // Found within the actor's reach, as when read: another volunteer's task is not found.
        let d = ts::delivery(tx.conn(), &actor.jurisdiction, reach_of(actor), id).await?;
        require_recorder(actor, d.progress.volunteer_id)?;
        let to = t::advance(d.progress.state, step).map_err(step_conflict)?;
        let before = d.progress.clone();
        let mut u = before.clone();
        u.state = to;
        if actor.role == Role::Volunteer && u.volunteer_id.is_none() {
            u.volunteer_id = Some(actor.account_id);
        }
        change(&mut u, store::now_ms());
        if !ts::update_delivery(tx.conn(), id, d.progress.state, &u).await? {
            // Someone else recorded a step in between.
            return Err(AppError::Conflict(ErrorCode::TaskChanged));
        }
        let mut a = actor.audit(&format!("delivery_{}", step.code()), DELIVERY_OBJECT, id);
        a.community_id = Some(d.address.community_id);
        a.before = Some(delivery_view(&before));
        a.after = Some(delivery_view(&u));
        a.reason = reason;
        tx.commit_audited(a).await?;
        Ok(to)
    }

    /// Records what the household needs (vegetables, medicine, …).
    pub async fn ask_delivery(&self, actor: &Actor, id: i64, needs: &str) -> AppResult<()> {
        let mut e = FieldErrors::new();
        let needs = e.check("needs", t::parse_needs(needs));
        e.into_result()?;
        let needs = needs.unwrap_or_default();
        let by = actor.account_id;
        self.delivery_step(actor, id, Step::Ask, None, |u, now| {
            u.needs = needs;
            u.asked_at = Some(now);
            u.asked_by = Some(by);
        })
        .await
        .map(|_| ())
    }

    /// Records that the supplies were left at the door.
    pub async fn deliver(&self, actor: &Actor, id: i64) -> AppResult<()> {
        let by = actor.account_id;
        self.delivery_step(actor, id, Step::Deliver, None, |u, now| {
            u.delivered_at = Some(now);
            u.delivered_by = Some(by);
        })
        .await
        .map(|_| ())
    }

    /// Records the household's confirmation that the delivery arrived.
    pub async fn confirm_delivery(&self, actor: &Actor, id: i64, via: &str) -> AppResult<()> {
        let via = code_in("via", "unknown_confirmation", via, ConfirmedVia::from_code)?;
        let by = actor.account_id;
        self.delivery_step(actor, id, Step::Confirm, None, |u, now| {
            u.confirmed_at = Some(now);
            u.confirmed_by = Some(by);
            u.confirmed_via = Some(via);
        })
        .await
        .map(|_| ())
    }

    /// Cancels a task not yet delivered; staff and grid workers only, with a reason.
    pub async fn cancel_delivery(&self, actor: &Actor, id: i64, reason: &str) -> AppResult<()> {
        actor.require(t::can_assign(actor.role))?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::field("reason", "reason_required"));
        }
        self.delivery_step(
            actor,
            id,
            Step::Cancel,
            Some(reason.to_owned()),
            |u, now| {
                u.cancelled_at = Some(now);
            },
        )
        .await
        .map(|_| ())
    }

    /// Gives a task to another volunteer covering the household, or to nobody.
    pub async fn assign_delivery(
        &self,
        actor: &Actor,
        id: i64,
        volunteer_id: Option<i64>,
    ) -> AppResult<()> {
        let mut tx = self.write_as(actor, t::can_assign(actor.role)).await?;
        let d = ts::delivery(tx.conn(), &actor.jurisdiction, TaskReach::Jurisdiction, id).await?;
        if d.progress.state.is_final() {
            return Err(AppError::Conflict(ErrorCode::TaskClosed));
        }
        if let Some(v) = volunteer_id {
            check_volunteer(tx.conn(), v, Node::Building(d.address.building_id)).await?;
        }
        let before = d.progress.clone();
        let mut u = before.clone();
        u.volunteer_id = volunteer_id;
        if !ts::update_delivery(tx.conn(), id, d.progress.state, &u).await? {
            return Err(AppError::Conflict(ErrorCode::TaskChanged));
        }
        let assigned = Reassigned {
            action: "delivery_assign",
            object_type: DELIVERY_OBJECT,
            id,
            community_id: d.address.community_id,
            from: d.progress.volunteer_id,
            to: volunteer_id,
        };
        self.commit_reassigned(tx, actor, assigned, |v| Event::DeliveryAssigned {
            task_id: id,
            volunteer_id: v,
        })
        .await
    }
}
