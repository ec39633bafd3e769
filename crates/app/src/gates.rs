//! Gates of a community (C4): staff describe, open and close them and put guards on shifts;
//! guards let people through at the gates of their shift ([`scan`], written in groups by
//! [`group`], and [`visitors`]), and the passage log is read back ([`log`]).

mod group;
mod judge;
pub mod log;
pub mod scan;
pub mod visitors;

pub(crate) use group::ScanWriter;

use domain::checkpoint::{self as cp, GateDirection};
use domain::registry::Label;
use domain::validation::FieldErrors;
use store::gates::{self as gs, Gate, GateFields, Shift};
use store::structure::Node;

use crate::error::{code_in, conflict_as};
use crate::{Actor, App, AppError, AppResult, ErrorCode};

const OBJECT_TYPE: &str = "gate";
const GATE_NAME_MAX: usize = 64;
/// The longest shift: a day and a night.
const SHIFT_MAX_MS: i64 = 24 * 3_600_000;

/// The checkpoint rules, from configuration now and from the plan later.
#[derive(Debug, Clone)]
pub struct GateRules {
    /// Days a pass is valid from its issue.
    pub pass_days: i64,
    pub household_quota: cp::ExitQuota,
    pub visitor_rule: cp::VisitorRule,
    /// Who signs passes (the CWT issuer): the community's or the street office's name.
    pub issuer: String,
}

impl Default for GateRules {
    fn default() -> Self {
        GateRules {
            pass_days: 30,
            household_quota: cp::ExitQuota::HOUSEHOLD,
            visitor_rule: cp::VisitorRule::default(),
            issuer: "gridwatch".to_owned(),
        }
    }
}

/// A gate as the form gives it.
#[derive(Debug, Clone, Default)]
pub struct GateInput {
    pub name: String,
    /// `both`, `in` or `out`.
    pub direction: String,
    /// Local `HH:MM`; both empty for a gate open day and night.
    pub opens: String,
    pub closes: String,
    /// The buildings it serves; none: the whole community.
    pub building_ids: Vec<i64>,
}

/// A gate with the buildings it serves and its shifts to come.
#[derive(Debug, Clone)]
pub struct GateView {
    pub gate: Gate,
    pub building_ids: Vec<i64>,
    /// The same buildings by name, as a form shows them.
    pub building_names: Vec<String>,
    pub shifts: Vec<Shift>,
}

fn hour_minute(field: &str, raw: &str, e: &mut FieldErrors) -> Option<String> {
    let raw = raw.trim().replace('：', ":");
    let ok = raw.split_once(':').and_then(|(h, m)| {
        let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60 && raw.len() == 5).then_some(())
    });
    if ok.is_none() {
        e.add(field, "hour_minute", raw.clone());
        return None;
    }
    Some(raw)
}

struct ParsedGate {
    name: String,
    direction: GateDirection,
    hours: Option<(String, String)>,
}

impl ParsedGate {
    fn fields(&self) -> GateFields<'_> {
        GateFields {
            name: &self.name,
            direction: self.direction,
            opens: self.hours.as_ref().map(|h| h.0.as_str()),
            closes: self.hours.as_ref().map(|h| h.1.as_str()),
        }
    }

    /// The gate as its audit entry shows it.
    fn view(&self, building_ids: &[i64]) -> serde_json::Value {
        let f = self.fields();
        serde_json::json!({
            "name": f.name, "direction": f.direction.code(), "opens": f.opens,
            "closes": f.closes, "building_ids": building_ids,
        })
    }
}

fn parse_gate(input: &GateInput) -> AppResult<ParsedGate> {
    let mut e = FieldErrors::new();
    let name = e.check(
        "name",
        Label::parse(&input.name, GATE_NAME_MAX).map(Label::into_string),
    );
    let direction = match GateDirection::from_code(input.direction.trim()) {
        Some(d) => Some(d),
        None if input.direction.trim().is_empty() => Some(GateDirection::Both),
        None => {
            e.add("direction", "unknown_direction", input.direction.clone());
            None
        }
    };
    let hours = match (input.opens.trim(), input.closes.trim()) {
        ("", "") => None,
        (o, c) => {
            let opens = hour_minute("opens", o, &mut e);
            let closes = hour_minute("closes", c, &mut e);
            opens.zip(closes)
        }
    };
    e.into_result()?;
    match (name, direction) {
        (Some(name), Some(direction)) => Ok(ParsedGate {
            name,
            direction,
            hours,
        }),
        _ => Err(AppError::Internal("parse state".to_owned())),
    }
}

/// The most buildings a gate's page lists for a visitor's destination; a gate that serves more
/// (a county community has over 10,000) offers them as the guard types instead, so the page
/// stays light on a phone at the gate.
pub const GATE_BUILDINGS_LISTED: usize = 1_000;

/// Buildings offered at a time as a guard types.
const GATE_BUILDING_SUGGESTIONS: i64 = 20;

/// The buildings a gate's page offers for a visitor's destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateBuildings {
    /// Every building the gate serves, in name order.
    Listed(Vec<String>),
    /// More than [`GATE_BUILDINGS_LISTED`]: suggested as the guard types.
    AsTyped,
}

impl App {
    /// The gates in the actor's jurisdiction (or of one community).
    pub async fn gates(&self, actor: &Actor, community_id: Option<i64>) -> AppResult<Vec<Gate>> {
        let allowed = cp::can_manage_gates(actor.role) || cp::can_read_passages(actor.role);
        let mut conn = self.read_as(actor, allowed).await?;
        Ok(gs::list_gates(&mut conn, &actor.jurisdiction, community_id).await?)
    }

    pub async fn gate(&self, actor: &Actor, id: i64) -> AppResult<GateView> {
        let allowed = cp::can_manage_gates(actor.role)
            || cp::can_read_passages(actor.role)
            || cp::can_keep_gate(actor.role);
        let mut conn = self.read_as(actor, allowed).await?;
        let gate = gs::gate(&mut conn, &actor.jurisdiction, id).await?;
        Ok(GateView {
            building_ids: gs::gate_buildings(&mut conn, id).await?,
            building_names: gs::served_building_names(&mut conn, id).await?,
            shifts: gs::shifts_of_gate(&mut conn, id, store::now_ms()).await?,
            gate,
        })
    }

    /// Buildings named for a gate must be in its community.
    async fn check_gate_buildings(
        &self,
        conn: &mut store::Conn,
        community_id: i64,
        buildings: &[i64],
    ) -> AppResult<()> {
        for b in buildings {
            let p = store::structure::placement(conn, Node::Building(*b))
                .await
                .map_err(|_| AppError::field("building_ids", "unknown_building"))?;
            if p.community_id != community_id {
                return Err(AppError::field("building_ids", "unknown_building"));
            }
        }
        Ok(())
    }

    pub async fn create_gate(
        &self,
        actor: &Actor,
        community_id: i64,
        input: &GateInput,
    ) -> AppResult<i64> {
        actor.require(cp::can_manage_gates(actor.role))?;
        self.placement_in_scope(actor, Node::Community(community_id))
            .await?;
        let g = parse_gate(input)?;
        let mut tx = self.db.write().await?;
        self.check_gate_buildings(tx.conn(), community_id, &input.building_ids)
            .await?;
        let fields = g.fields();
        let id = gs::insert_gate(tx.conn(), community_id, &fields)
            .await
            .map_err(conflict_as("name", "duplicate_name"))?;
        gs::set_gate_buildings(tx.conn(), id, &input.building_ids).await?;
        let mut a = actor.audit("gate_create", OBJECT_TYPE, id);
        a.community_id = Some(community_id);
        a.after = Some(g.view(&input.building_ids));
        tx.commit_audited(a).await?;
        Ok(id)
    }

    pub async fn update_gate(&self, actor: &Actor, id: i64, input: &GateInput) -> AppResult<()> {
        let mut tx = self
            .write_as(actor, cp::can_manage_gates(actor.role))
            .await?;
        let before = gs::gate(tx.conn(), &actor.jurisdiction, id).await?;
        let g = parse_gate(input)?;
        self.check_gate_buildings(tx.conn(), before.community_id, &input.building_ids)
            .await?;
        let fields = g.fields();
        let buildings_before = gs::gate_buildings(tx.conn(), id).await?;
        gs::update_gate(tx.conn(), id, &fields)
            .await
            .map_err(conflict_as("name", "duplicate_name"))?;
        gs::set_gate_buildings(tx.conn(), id, &input.building_ids).await?;
        let mut a = actor.audit("gate_update", OBJECT_TYPE, id);
        a.community_id = Some(before.community_id);
        a.before = Some(serde_json::json!({
            "name": before.name, "direction": before.direction.code(), "opens": before.opens,
            "closes": before.closes, "building_ids": buildings_before,
        }));
        a.after = Some(g.view(&input.building_ids));
        tx.commit_audited(a).await?;
        Ok(())
    }

    /// Closes or opens a gate; a closed gate refuses every passage.
    pub async fn set_gate_closed(
        &self,
        actor: &Actor,
        id: i64,
        closed: bool,
        reason: &str,
    ) -> AppResult<()> {
        let mut tx = self
            .write_as(actor, cp::can_manage_gates(actor.role))
            .await?;
        let gate = gs::gate(tx.conn(), &actor.jurisdiction, id).await?;
        gs::set_closed(tx.conn(), id, closed).await?;
        let action = if closed { "gate_close" } else { "gate_open" };
        let mut a = actor.audit(action, OBJECT_TYPE, id);
        a.community_id = Some(gate.community_id);
        a.before = Some(serde_json::json!({ "closed": gate.closed }));
        a.after = Some(serde_json::json!({ "closed": closed }));
        let reason = reason.trim();
        a.reason = (!reason.is_empty()).then(|| reason.chars().take(300).collect());
        tx.commit_audited(a).await?;
        Ok(())
    }

    /// Puts a guard on a shift at a gate, from `starts_at` to `ends_at` (ms, at most a day).
    pub async fn add_gate_shift(
        &self,
        actor: &Actor,
        gate_id: i64,
        account_id: i64,
        starts_at: i64,
        ends_at: i64,
    ) -> AppResult<i64> {
        let mut tx = self
            .write_as(actor, cp::can_manage_gates(actor.role))
            .await?;
        let gate = gs::gate(tx.conn(), &actor.jurisdiction, gate_id).await?;
        let length = ends_at.checked_sub(starts_at);
        if length.is_none_or(|l| l <= 0 || l > SHIFT_MAX_MS) {
            return Err(AppError::field("ends_at", "shift_length"));
        }
        let guard = store::accounts::account(tx.conn(), account_id)
            .await
            .map_err(|_| AppError::field("account_id", "unknown_account"))?;
        let placement =
            store::structure::placement(tx.conn(), Node::Community(gate.community_id)).await?;
        let guard_scope = domain::access::Jurisdiction::new(guard.level, guard.scope_id);
        if guard.role != domain::access::Role::Guard
            || !guard.active
            || !guard_scope.covers(&placement)
        {
            return Err(AppError::field("account_id", "not_a_guard_here"));
        }
        let id = gs::insert_shift(tx.conn(), gate_id, account_id, starts_at, ends_at).await?;
        let mut a = actor.audit("gate_shift_create", "gate_shift", id);
        a.community_id = Some(gate.community_id);
        a.after = Some(serde_json::json!({
            "gate_id": gate_id, "account_id": account_id, "starts_at": starts_at,
            "ends_at": ends_at,
        }));
        tx.commit_audited(a).await?;
        Ok(id)
    }

    /// Ends a shift now, or calls off one that has not begun.
    pub async fn end_gate_shift(&self, actor: &Actor, shift_id: i64) -> AppResult<()> {
        let mut tx = self
            .write_as(actor, cp::can_manage_gates(actor.role))
            .await?;
        let shift = gs::shift(tx.conn(), shift_id).await?;
        let gate = gs::gate(tx.conn(), &actor.jurisdiction, shift.gate_id).await?;
        let now = store::now_ms();
        gs::end_shift(tx.conn(), shift_id, now).await?;
        let mut a = actor.audit("gate_shift_end", "gate_shift", shift_id);
        a.community_id = Some(gate.community_id);
        a.before = Some(serde_json::json!({ "ends_at": shift.ends_at }));
        a.after = Some(serde_json::json!({ "ends_at": now.max(shift.starts_at) }));
        tx.commit_audited(a).await?;
        Ok(())
    }

    /// The guards a staff member may put on shift at a gate: active guards of its community.
    pub async fn gate_guards(
        &self,
        actor: &Actor,
        gate_id: i64,
    ) -> AppResult<Vec<store::accounts::Responsible>> {
        let mut conn = self
            .read_as(actor, cp::can_manage_gates(actor.role))
            .await?;
        let gate = gs::gate(&mut conn, &actor.jurisdiction, gate_id).await?;
        let place =
            store::structure::placement(&mut conn, Node::Community(gate.community_id)).await?;
        Ok(
            store::accounts::covering(&mut conn, domain::access::Role::Guard.code(), &place)
                .await?,
        )
    }

    /// The buildings of a community named in a form (commas, spaces or lines between names),
    /// by id; an unknown name is the field's error.
    pub async fn buildings_named(
        &self,
        actor: &Actor,
        community_id: i64,
        names: &str,
    ) -> AppResult<Vec<i64>> {
        let mut conn = self
            .read_as(actor, cp::can_manage_gates(actor.role))
            .await?;
        crate::structure::buildings_listed(&mut conn, community_id, names, "building_ids").await
    }

    /// The buildings a visitor may be going to at a gate the actor keeps, by name.
    pub async fn gate_building_names(
        &self,
        actor: &Actor,
        gate_id: i64,
    ) -> AppResult<GateBuildings> {
        let mut conn = self.db.conn().await?;
        self.gate_kept_by(&mut conn, actor, gate_id, store::now_ms())
            .await?;
        let cap = i64::try_from(GATE_BUILDINGS_LISTED).unwrap_or(i64::MAX);
        let names = gs::building_names(&mut conn, gate_id, cap + 1).await?;
        Ok(if names.len() > GATE_BUILDINGS_LISTED {
            GateBuildings::AsTyped
        } else {
            GateBuildings::Listed(names)
        })
    }

    /// The buildings the gate serves whose names start with what the guard typed, shortest
    /// first: offered as they type where the gate serves too many to list on its page.
    pub async fn gate_building_suggestions(
        &self,
        actor: &Actor,
        gate_id: i64,
        typed: &str,
    ) -> AppResult<Vec<String>> {
        let typed = typed.trim();
        let mut conn = self.db.conn().await?;
        self.gate_kept_by(&mut conn, actor, gate_id, store::now_ms())
            .await?;
        if typed.is_empty() {
            return Ok(Vec::new());
        }
        Ok(
            gs::building_names_starting(&mut conn, gate_id, typed, GATE_BUILDING_SUGGESTIONS)
                .await?,
        )
    }

    /// The shifts of the signed-in guard not yet over: the gates they may keep.
    pub async fn my_shifts(&self, actor: &Actor) -> AppResult<Vec<Shift>> {
        let mut conn = self.read_as(actor, cp::can_keep_gate(actor.role)).await?;
        Ok(gs::shifts_of_account(&mut conn, actor.account_id, store::now_ms()).await?)
    }

    /// The gate the actor may keep at `at`: in their jurisdiction and, for a guard, on their
    /// shift. A guard off shift is told so (`not_on_shift`), not that the gate is unknown.
    pub(crate) async fn gate_kept_by(
        &self,
        conn: &mut store::Conn,
        actor: &Actor,
        gate_id: i64,
        at: i64,
    ) -> AppResult<Gate> {
        gate_kept(conn, actor, gate_id, at).await
    }
}

/// The gate the actor may keep at `at`: in their jurisdiction and, for a guard, on their
/// shift. A guard off shift is told so (`not_on_shift`), not that the gate is unknown.
pub(crate) async fn gate_kept(
    conn: &mut store::Conn,
    actor: &Actor,
    gate_id: i64,
    at: i64,
) -> AppResult<Gate> {
    actor.require(cp::can_keep_gate(actor.role))?;
    // The gate and the shift in one statement: a scan reads them every time, so that a shift
    // ended or a gate moved out of the guard's reach counts from the next scan.
    let found = gs::gate_on_shift(conn, &actor.jurisdiction, gate_id, actor.account_id, at).await?;
    if actor.role == domain::access::Role::Guard && !found.on_shift {
        return Err(AppError::Conflict(ErrorCode::NotOnShift));
    }
    Ok(found.gate)
}

/// A direction as the form or the API gives it.
pub(crate) fn direction_in(raw: &str) -> AppResult<cp::Direction> {
    code_in(
        "direction",
        "unknown_direction",
        raw,
        cp::Direction::from_code,
    )
}
