//! Quarantine orders: placing a resident or a whole household under quarantine, changing the
//! duration, the door seal, the camera and the responsible people, and moving orders through
//! their states.

use domain::access::{Jurisdiction, Level, Placement, Role};
use domain::page::{Page, PageRequest};
use domain::quarantine::{self as q, Kind, MAX_DAYS, Reason, State, Transition};
use domain::resident::date_from_text;
use domain::validation::FieldErrors;
use store::audit::{self, AuditRecord};
use store::quarantine::{self as qs, Details, NewOrder, Order};
use store::registry::{self as reg, Resident, ResidentFilter};
use store::structure::{self, Node};
use store::{StoreError, WriteTx};

use crate::error::{code_in, conflict_as};
use crate::events::Event;
use crate::{Actor, App, AppError, AppResult, ErrorCode};

mod roster;
mod starting;

pub use roster::{ListCount, ROSTER_LIMIT, roster_file};
pub use starting::JOBS;

/// The audit object type of an order.
pub const OBJECT_TYPE: &str = "quarantine_order";

/// An order as entered on a form or in the API.
#[derive(Debug, Clone, Default)]
pub struct OrderInput {
    pub reason: String,
    pub kind: String,
    /// An ISO date; empty for today.
    pub start_date: String,
    /// Empty for the configured default.
    pub days: String,
    pub doctor_id: Option<i64>,
    pub grid_worker_id: Option<i64>,
    /// The door is sealed from the start (its time is the order's creation).
    pub door_sealed: bool,
    pub camera_installed: bool,
}

/// A change of the editable details of an order: `None` leaves a detail as it is; for the
/// responsible people `Some(None)` clears one.
#[derive(Debug, Clone, Default)]
pub struct DetailsInput {
    pub door_sealed: Option<bool>,
    pub camera_installed: Option<bool>,
    pub doctor_id: Option<Option<i64>>,
    pub grid_worker_id: Option<Option<i64>>,
}

/// What a list asks for.
#[derive(Debug, Clone, Default)]
pub struct OrderQuery {
    /// A state code; empty or `None` for planned and active orders.
    pub state: Option<String>,
    pub household_id: Option<i64>,
    pub resident_id: Option<i64>,
    /// `end` for ending soonest first; otherwise by key.
    pub sort: Option<String>,
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    /// `home` or `centralised`; empty or `None` for either.
    pub kind: Option<String>,
    /// `today` or `tomorrow`: only orders whose last day it is; empty or `None` for any.
    pub ends: Option<String>,
}

struct Parsed {
    reason: Reason,
    kind: Kind,
    start: jiff::civil::Date,
    days: u16,
}

fn parse_days(text: &str, default: u16, e: &mut FieldErrors) -> Option<u16> {
    let text = text.trim();
    if text.is_empty() {
        return Some(default);
    }
    match text.parse::<u16>() {
        Ok(d) if (1..=MAX_DAYS).contains(&d) => Some(d),
        _ => {
            e.add("days", "days_out_of_range", MAX_DAYS.to_string());
            None
        }
    }
}

fn order_view(o: &Order) -> serde_json::Value {
    serde_json::json!({
        "resident_id": o.resident_id, "reason": o.reason, "kind": o.kind, "state": o.state,
        "start_date": o.start_date, "days": o.days, "end_date": o.end_date,
        "door_sealed": o.door_sealed, "camera_installed": o.camera_installed,
        "doctor_id": o.doctor_id, "grid_worker_id": o.grid_worker_id,
    })
}

impl App {
    fn parse_order(&self, input: &OrderInput, e: &mut FieldErrors) -> Option<Parsed> {
        let reason = Reason::from_code(input.reason.trim());
        if reason.is_none() {
            e.add("reason", "unknown_reason", "");
        }
        let kind = Kind::from_code(input.kind.trim());
        if kind.is_none() {
            e.add("kind", "unknown_kind", "");
        }
        let start = if input.start_date.trim().is_empty() {
            Some(self.today())
        } else {
            let d = date_from_text(&input.start_date);
            if d.is_none() {
                e.add("start_date", "date_format", input.start_date.trim());
            }
            d
        };
        let days = parse_days(&input.days, self.settings.quarantine_days, e);
        Some(Parsed {
            reason: reason?,
            kind: kind?,
            start: start?,
            days: days?,
        })
    }

    /// Checks the people named responsible for an order at `place`: its doctor and its grid
    /// worker, in that order, each where one is named.
    async fn check_responsible(
        &self,
        conn: &mut store::Conn,
        [doctor_id, grid_worker_id]: [Option<i64>; 2],
        place: &Placement,
        e: &mut FieldErrors,
    ) -> AppResult<()> {
        for (field, id, role) in [
            ("doctor_id", doctor_id, Role::Doctor),
            ("grid_worker_id", grid_worker_id, Role::GridWorker),
        ] {
            if let Some(id) = id {
                self.check_account(conn, field, id, role, place, e).await?;
            }
        }
        Ok(())
    }

    /// Checks that a responsible account exists, is active, has the role and covers the place.
    async fn check_account(
        &self,
        conn: &mut store::Conn,
        field: &str,
        id: i64,
        role: Role,
        place: &Placement,
        e: &mut FieldErrors,
    ) -> AppResult<()> {
        let account = match store::accounts::account(conn, id).await {
            Ok(a) => a,
            Err(StoreError::NotFound) => {
                e.add(field, "unknown_account", "");
                return Ok(());
            }
            Err(other) => return Err(other.into()),
        };
        if !account.active {
            e.add(field, "account_inactive", "");
        } else if account.role != role {
            e.add(field, "wrong_role", "");
        } else if !Jurisdiction::new(account.level, account.scope_id).covers(place) {
            e.add(field, "outside_jurisdiction", "");
        }
        Ok(())
    }

    async fn place_of(&self, conn: &mut store::Conn, r: &Resident) -> AppResult<Placement> {
        Ok(structure::placement(conn, Node::Building(r.address.building_id)).await?)
    }

    /// Places one resident under quarantine.
    pub async fn create_quarantine(
        &self,
        actor: &Actor,
        resident_id: i64,
        input: &OrderInput,
    ) -> AppResult<i64> {
        let mut conn = self.read_as(actor, q::can_manage(actor.role)).await?;
        let r = reg::resident(&mut conn, &actor.jurisdiction, resident_id).await?;
        drop(conn);
        let ids = self.create_orders(actor, &[r], input).await?;
        ids.into_iter()
            .next()
            .ok_or_else(|| AppError::Internal("no order created".to_owned()))
    }

    /// Places every member of a household under quarantine, one order each.
    pub async fn create_household_quarantine(
        &self,
        actor: &Actor,
        household_id: i64,
        input: &OrderInput,
    ) -> AppResult<Vec<i64>> {
        let mut conn = self.read_as(actor, q::can_manage(actor.role)).await?;
        reg::household(&mut conn, &actor.jurisdiction, household_id).await?;
        let members = reg::list_residents(
            &mut conn,
            &actor.jurisdiction,
            &ResidentFilter {
                household_id: Some(household_id),
                ..Default::default()
            },
            PageRequest::new(None, Some(500)),
        )
        .await?;
        drop(conn);
        if members.items.is_empty() {
            return Err(AppError::field("household_id", "no_members"));
        }
        self.create_orders(actor, &members.items, input).await
    }

    async fn create_orders(
        &self,
        actor: &Actor,
        residents: &[Resident],
        input: &OrderInput,
    ) -> AppResult<Vec<i64>> {
        let mut tx = self.db.write().await?;
        let ids = self
            .create_orders_in(&mut tx, actor, residents, input)
            .await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Places `residents` under quarantine inside `tx`, so a capability that orders a
    /// quarantine as part of its own change (a contact put on follow-up, a returnee approved)
    /// commits both or neither; the residents were read within the actor's jurisdiction.
    pub(crate) async fn create_orders_in(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        residents: &[Resident],
        input: &OrderInput,
    ) -> AppResult<Vec<i64>> {
        let mut e = FieldErrors::new();
        let parsed = self.parse_order(input, &mut e);
        for r in residents {
            let place = self.place_of(tx.conn(), r).await?;
            let named = [input.doctor_id, input.grid_worker_id];
            self.check_responsible(tx.conn(), named, &place, &mut e)
                .await?;
        }
        let mut busy = Vec::new();
        for r in residents {
            if qs::open_order_of(tx.conn(), r.id).await?.is_some() {
                busy.push(r.particulars.name.clone());
            }
        }
        if !busy.is_empty() {
            e.add("resident_id", "already_in_quarantine", busy.join(", "));
        }
        // One error per field is enough for a form.
        let mut seen = Vec::new();
        e.0.retain(|f| {
            let new = !seen.contains(&f.field);
            seen.push(f.field.clone());
            new
        });
        e.into_result()?;
        let Some(p) = parsed else {
            return Err(AppError::Internal("parse state".to_owned()));
        };
        let end = q::end_date(p.start, p.days);
        let state = if p.start > self.today() {
            State::Planned
        } else {
            State::Active
        };
        let (start_text, end_text) = (p.start.to_string(), end.to_string());
        let now = store::now_ms();
        let mut ids = Vec::with_capacity(residents.len());
        for r in residents {
            let id = qs::insert_order(
                tx.conn(),
                &NewOrder {
                    resident_id: r.id,
                    home: r.address.home(),
                    reason: p.reason,
                    kind: p.kind,
                    state,
                    start_date: &start_text,
                    days: i64::from(p.days),
                    end_date: &end_text,
                    doctor_id: input.doctor_id,
                    grid_worker_id: input.grid_worker_id,
                    door_sealed_at: input.door_sealed.then_some(now),
                    camera_installed: input.camera_installed,
                },
            )
            .await
            .map_err(conflict_as("resident_id", "already_in_quarantine"))?;
            let mut a = actor.audit("quarantine_create", OBJECT_TYPE, id);
            a.community_id = Some(r.address.community_id);
            a.after = Some(serde_json::json!({
                "resident_id": r.id, "reason": p.reason.code(), "kind": p.kind.code(),
                "state": state.code(), "start_date": start_text, "days": p.days,
                "end_date": end_text, "doctor_id": input.doctor_id,
                "grid_worker_id": input.grid_worker_id, "door_sealed": input.door_sealed,
                "camera_installed": input.camera_installed,
            }));
            tx.audit(a).await?;
            ids.push(id);
        }
        if state == State::Active && p.kind == Kind::Home {
            let mut sealed: Vec<(i64, i64)> = residents
                .iter()
                .zip(&ids)
                .map(|(r, id)| (r.address.household_id, *id))
                .collect();
            sealed.sort_unstable();
            sealed.dedup_by_key(|(household, _)| *household);
            for (household_id, order_id) in sealed {
                let started = Event::QuarantineStarted {
                    order_id,
                    household_id,
                };
                self.raise(tx, actor, started).await?;
            }
        }
        if let Some(first) = residents.first()
            && p.kind == Kind::Home
            && p.start == self.today()
        {
            // The hour's delivery run may have passed already (an order placed late in the
            // day): the day-0 delivery is made with the order, not a day late.
            let households: Vec<i64> = residents.iter().map(|r| r.address.household_id).collect();
            let j = Jurisdiction::new(Level::Community, first.address.community_id);
            self.generate_deliveries(tx, actor, &j, p.start, Some(&households))
                .await?;
        }
        Ok(ids)
    }

    /// Orders in the actor's jurisdiction, by key.
    pub async fn quarantine_orders(
        &self,
        actor: &Actor,
        query: &OrderQuery,
        page: PageRequest,
    ) -> AppResult<Page<Order>> {
        actor.require(q::can_read(actor.role))?;
        let filter = self.order_filter(query)?;
        let mut conn = self.db.conn().await?;
        Ok(qs::list_orders(&mut conn, &actor.jurisdiction, &filter, page).await?)
    }

    /// One order and its history from the audit trail, newest first.
    pub async fn quarantine_order(
        &self,
        actor: &Actor,
        id: i64,
    ) -> AppResult<(Order, Vec<AuditRecord>)> {
        let mut conn = self.read_as(actor, q::can_read(actor.role)).await?;
        let o = qs::order(&mut conn, &actor.jurisdiction, id).await?;
        let history = audit::history(&mut conn, OBJECT_TYPE, id, 200).await?;
        Ok((o, history))
    }

    /// Extends or shortens an order to `days` from its start; the end is recomputed.
    pub async fn change_quarantine_duration(
        &self,
        actor: &Actor,
        id: i64,
        days: &str,
        reason: &str,
    ) -> AppResult<()> {
        actor.require(q::can_manage(actor.role))?;
        let mut e = FieldErrors::new();
        let days = parse_days(days, self.settings.quarantine_days, &mut e)
            .filter(|_| !days.trim().is_empty());
        if days.is_none() && e.is_empty() {
            e.add("days", "required", "");
        }
        if reason.trim().is_empty() {
            e.add("reason", "reason_required", "");
        }
        e.into_result()?;
        let Some(days) = days else {
            return Err(AppError::Internal("parse state".to_owned()));
        };
        let mut tx = self.db.write().await?;
        let o = qs::order(tx.conn(), &actor.jurisdiction, id).await?;
        if o.state.is_final() {
            return Err(AppError::Conflict(ErrorCode::OrderClosed));
        }
        let start = date_from_text(&o.start_date)
            .ok_or_else(|| AppError::Internal(format!("bad start date {}", o.start_date)))?;
        let end = q::end_date(start, days).to_string();
        qs::set_duration(tx.conn(), id, i64::from(days), &end).await?;
        let mut a = actor.audit("quarantine_duration", OBJECT_TYPE, id);
        a.community_id = Some(o.address.community_id);
        a.before = Some(serde_json::json!({ "days": o.days, "end_date": o.end_date }));
        a.after = Some(serde_json::json!({ "days": days, "end_date": end }));
        a.reason = Some(reason.trim().to_owned());
        tx.commit_audited(a).await?;
        Ok(())
    }

    /// Changes the door seal, the camera and the responsible people of an open order.
    pub async fn update_quarantine(
        &self,
        actor: &Actor,
        id: i64,
        input: &DetailsInput,
    ) -> AppResult<()> {
        let mut tx = self.write_as(actor, q::can_manage(actor.role)).await?;
        let o = qs::order(tx.conn(), &actor.jurisdiction, id).await?;
        if o.state.is_final() {
            return Err(AppError::Conflict(ErrorCode::OrderClosed));
        }
        let doctor_id = input.doctor_id.unwrap_or(o.doctor_id);
        let grid_worker_id = input.grid_worker_id.unwrap_or(o.grid_worker_id);
        let place = structure::placement(tx.conn(), Node::Building(o.address.building_id)).await?;
        let mut e = FieldErrors::new();
        // Only a newly named person is checked: one named earlier stays until changed.
        let changed = |new: Option<i64>, old: Option<i64>| new.filter(|_| new != old);
        let named = [
            changed(doctor_id, o.doctor_id),
            changed(grid_worker_id, o.grid_worker_id),
        ];
        self.check_responsible(tx.conn(), named, &place, &mut e)
            .await?;
        e.into_result()?;
        let door_sealed = input.door_sealed.unwrap_or(o.door_sealed);
        let sealed_at = match (o.door_sealed, door_sealed) {
            (_, false) => None,
            (true, true) => o.door_sealed_at,
            (false, true) => Some(store::now_ms()),
        };
        let d = Details {
            door_sealed,
            door_sealed_at: sealed_at,
            camera_installed: input.camera_installed.unwrap_or(o.camera_installed),
            doctor_id,
            grid_worker_id,
        };
        qs::set_details(tx.conn(), id, &d).await?;
        let mut a = actor.audit("quarantine_update", OBJECT_TYPE, id);
        a.community_id = Some(o.address.community_id);
        a.before = Some(serde_json::json!({
            "door_sealed": o.door_sealed, "door_sealed_at": o.door_sealed_at,
            "camera_installed": o.camera_installed, "doctor_id": o.doctor_id,
            "grid_worker_id": o.grid_worker_id,
        }));
        a.after = Some(serde_json::json!({
            "door_sealed": d.door_sealed, "door_sealed_at": d.door_sealed_at,
            "camera_installed": d.camera_installed, "doctor_id": d.doctor_id,
            "grid_worker_id": d.grid_worker_id,
        }));
        tx.commit_audited(a).await?;
        Ok(())
    }

    /// Moves an order to its next state; an early release needs a reason and is audited as an
    /// override. Returns the new state.
    pub async fn transition_quarantine(
        &self,
        actor: &Actor,
        id: i64,
        transition: &str,
        reason: &str,
    ) -> AppResult<State> {
        actor.require(q::can_manage(actor.role))?;
        let t = code_in(
            "transition",
            "unknown_transition",
            transition,
            Transition::from_code,
        )?;
        let mut tx = self.db.write().await?;
        let o = qs::order(tx.conn(), &actor.jurisdiction, id).await?;
        let end = date_from_text(&o.end_date)
            .ok_or_else(|| AppError::Internal(format!("bad end date {}", o.end_date)))?;
        let outcome =
            q::transition(o.state, t, end, self.today(), reason).map_err(|e| match e {
                q::TransitionError::NotAllowed => {
                    AppError::Conflict(ErrorCode::TransitionNotAllowed)
                }
                q::TransitionError::ReasonRequired => AppError::field("reason", e.code()),
            })?;
        qs::set_state(tx.conn(), id, outcome.state, &self.today().to_string()).await?;
        let mut a = actor.audit("quarantine_transition", OBJECT_TYPE, id);
        a.community_id = Some(o.address.community_id);
        a.before = Some(order_view(&o));
        a.after = Some(serde_json::json!({
            "transition": t.code(), "state": outcome.state.code(),
            "is_override": outcome.is_override,
        }));
        let reason = reason.trim();
        a.reason = (!reason.is_empty()).then(|| reason.to_owned());
        tx.audit(a).await?;
        if outcome.state == State::Active && o.kind == Kind::Home {
            let started = Event::QuarantineStarted {
                order_id: id,
                household_id: o.address.household_id,
            };
            self.raise(&mut tx, actor, started).await?;
        }
        if outcome.state.is_final() {
            let ended = Event::QuarantineEnded {
                order_id: id,
                household_id: o.address.household_id,
            };
            self.raise(&mut tx, actor, ended).await?;
        }
        tx.commit().await?;
        Ok(outcome.state)
    }
}

/// Who a form may name responsible for an order in a building: active doctors and grid workers
/// whose jurisdiction covers it.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    pub doctors: Vec<store::accounts::Responsible>,
    pub grid_workers: Vec<store::accounts::Responsible>,
}

impl Candidates {
    /// The name to show for a responsible account; its number when it is not a candidate any
    /// more (moved or disabled since).
    pub fn name_of(&self, id: &Option<i64>) -> String {
        let Some(id) = *id else {
            return String::new();
        };
        self.doctors
            .iter()
            .chain(&self.grid_workers)
            .find(|a| a.id == id)
            .map(|a| a.display_name.clone())
            .unwrap_or_else(|| format!("#{id}"))
    }
}

impl App {
    /// The doctors and grid workers who may be responsible for orders in `building_id`.
    pub async fn responsible_candidates(
        &self,
        actor: &Actor,
        building_id: i64,
    ) -> AppResult<Candidates> {
        actor.require(q::can_read(actor.role))?;
        let place = self
            .placement_in_scope(actor, Node::Building(building_id))
            .await?;
        let mut conn = self.db.conn().await?;
        Ok(Candidates {
            doctors: store::accounts::covering(&mut conn, Role::Doctor.code(), &place).await?,
            grid_workers: store::accounts::covering(&mut conn, Role::GridWorker.code(), &place)
                .await?,
        })
    }
}
