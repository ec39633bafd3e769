//! A pass shown at the gate: its signature, its state, the gate, the fence, the hours, the
//! temperature and the household's quota decide, and every passage is logged, refused ones
//! too. A guard lets someone through against the rule only as an override, audited.

use domain::checkpoint::{self as cp, Direction, GateNow, GateRefusal, PassKind, PassageResult};
use domain::health::Temperature;
use store::gates::Gate;
use store::passages::{self as ps, NewPassage, OverrideFields, Passage};
use store::passes as pst;

use super::direction_in;
use super::group::{Scan, Written};
use crate::{Actor, App, AppError, AppResult};

/// How far back a gate may date a passage it recorded offline.
pub const OFFLINE_DAYS: i64 = 7;
/// How far ahead of the server's clock a gate's clock may run.
const CLOCK_SKEW_MS: i64 = 5 * 60_000;
/// The most people one pass takes through at once (a household going out together).
pub const PERSONS_MAX: i64 = 20;
/// The longest id a gate gives a passage.
const CLIENT_ID_MAX: usize = 64;

/// A pass shown at a gate, as the guard's screen or the gate's queue sends it.
#[derive(Debug, Clone, Default)]
pub struct PassageInput {
    /// What the QR code holds (`GW1:…`).
    pub code: String,
    /// `out` or `in`.
    pub direction: String,
    /// Empty when not taken.
    pub temperature: String,
    /// How many go through on the pass; 1 when not given.
    pub persons: Option<i64>,
    /// The gate's own id for the passage, so a passage sent twice is stored once.
    pub client_id: String,
    /// When it happened (ms), for a passage recorded offline; now when not given.
    pub at: Option<i64>,
    /// What the gate decided offline (`admitted`, `refused`, `overridden`).
    pub decided_offline: String,
    pub overriding: Option<OverrideInput>,
}

/// Why a guard lets someone through against the rule, as typed.
#[derive(Debug, Clone, Default)]
pub struct OverrideInput {
    pub reason: String,
    pub requested_by: String,
    pub supervisor: String,
}

/// What the gate's screen shows of a pass.
#[derive(Debug, Clone, PartialEq)]
pub struct PassShown {
    pub pass_id: i64,
    pub kind: PassKind,
    pub colour: &'static str,
    pub household_id: i64,
    /// Building, unit and room.
    pub place: String,
    pub plate: Option<String>,
    /// The commuter's name, masked.
    pub holder: Option<String>,
}

/// The gate's answer: the passage logged and what the guard sees.
#[derive(Debug, Clone, PartialEq)]
pub struct GateDecision {
    pub passage: Passage,
    pub refusal: Option<GateRefusal>,
    pub pass: Option<PassShown>,
    /// The gate had sent this passage before; this is the one stored then.
    pub repeated: bool,
}

/// The parts of a passage input that do not depend on the pass.
pub(crate) struct Common {
    pub direction: Direction,
    pub temperature: Option<Temperature>,
    pub persons: i64,
    pub client_id: Option<String>,
    pub at: i64,
    /// The time is the server's, not the gate's: the writer stamps it again when it judges the
    /// scan, so scans judged in turn are logged in the order they were judged.
    pub live: bool,
    pub decided_offline: Option<PassageResult>,
    pub overriding: Option<cp::Override>,
}

pub(crate) fn parse_common(
    direction: &str,
    temperature: &str,
    persons: Option<i64>,
    client_id: &str,
    at: Option<i64>,
    decided_offline: &str,
    overriding: Option<&OverrideInput>,
) -> AppResult<Common> {
    let mut e = domain::validation::FieldErrors::new();
    let direction = match direction_in(direction) {
        Ok(d) => Some(d),
        Err(_) => {
            e.add("direction", "unknown_direction", direction);
            None
        }
    };
    let temperature = match temperature.trim() {
        "" => None,
        t => e.check("temperature", Temperature::parse(t)),
    };
    let persons = persons.unwrap_or(1);
    if !(1..=PERSONS_MAX).contains(&persons) {
        e.add("persons", "persons_range", persons.to_string());
    }
    let client_id = client_id.trim();
    if client_id.len() > CLIENT_ID_MAX
        || !client_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        e.add("client_id", "client_id_format", "");
    }
    let now = store::now_ms();
    let live = at.is_none();
    let at = at.unwrap_or(now);
    if at > now + CLOCK_SKEW_MS || at < now - OFFLINE_DAYS * 86_400_000 {
        e.add("at", "passage_time_out_of_range", at.to_string());
    }
    let decided_offline = match decided_offline.trim() {
        "" => None,
        d => match PassageResult::from_code(d) {
            Some(r) => Some(r),
            None => {
                e.add("decided_offline", "unknown_result", d);
                None
            }
        },
    };
    let overriding = match overriding {
        None => None,
        Some(o) => match cp::Override::parse(&o.reason, &o.requested_by, &o.supervisor) {
            Ok(o) => Some(o),
            Err((field, code)) => {
                e.add(field, code, "");
                None
            }
        },
    };
    e.into_result()?;
    Ok(Common {
        direction: direction.ok_or_else(|| AppError::Internal("parse state".to_owned()))?,
        temperature,
        persons,
        client_id: (!client_id.is_empty()).then(|| client_id.to_owned()),
        at,
        live,
        decided_offline,
        overriding,
    })
}

impl Common {
    /// The override as the passage keeps it: only when the passage was let through by it.
    pub(crate) fn override_fields(&self, result: PassageResult) -> OverrideFields<'_> {
        let o = self
            .overriding
            .as_ref()
            .filter(|_| result == PassageResult::Overridden);
        OverrideFields {
            reason: o.map(|o| o.reason.as_str()),
            requested_by: o.map(|o| o.requested_by.as_str()).filter(|r| !r.is_empty()),
            supervisor: o.map(|o| o.supervisor.as_str()),
        }
    }
}

/// The result a passage is logged with, from the rule's decision, the guard's override and,
/// for a passage recorded offline, what the gate decided then; and whether the gate let
/// through offline what the rule refuses.
pub(crate) fn outcome(rule: Option<GateRefusal>, c: &Common) -> (PassageResult, bool) {
    let by_rule = match (rule, &c.overriding) {
        (None, _) => PassageResult::Admitted,
        (Some(_), Some(_)) => PassageResult::Overridden,
        (Some(_), None) => PassageResult::Refused,
    };
    match c.decided_offline {
        // What happened at the gate happened: it is logged as the gate decided, and a
        // disagreement is put before the supervisor.
        Some(PassageResult::Admitted) => {
            (PassageResult::Admitted, by_rule == PassageResult::Refused)
        }
        Some(gate) => (gate, false),
        None => (by_rule, false),
    }
}

impl App {
    /// A pass shown at a gate the actor keeps: decided, logged and answered.
    pub async fn pass_through_gate(
        &self,
        actor: &Actor,
        gate_id: i64,
        input: &PassageInput,
    ) -> AppResult<GateDecision> {
        let c = parse_common(
            &input.direction,
            &input.temperature,
            input.persons,
            &input.client_id,
            input.at,
            &input.decided_offline,
            input.overriding.as_ref(),
        )?;
        actor.require(cp::can_keep_gate(actor.role))?;
        // The code is checked before the scan is queued: it needs no database. The gate, the
        // shift, the pass and its log are read by the writer, for the whole group at once.
        let keys = self.pass_keys().await?;
        let code =
            passes::verify(&input.code, &keys, c.at.div_euclid(1000)).map_err(refusal_of_code);
        let (weekday, minute) = self.local_weekday_minute(c.at)?;
        let written = self
            .scan_writer
            .write(
                &self.db,
                Scan {
                    actor: actor.clone(),
                    gate_id,
                    common: c,
                    code,
                    weekday,
                    minute,
                },
            )
            .await?;
        match written {
            Written::Logged(decision) => Ok(*decision),
            Written::Repeated => {
                let mut conn = self.db.conn().await?;
                let id = input.client_id.trim();
                let p = ps::passage_by_client_id(&mut conn, id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                self.repeated(&mut conn, gate_id, p).await
            }
        }
    }

    async fn repeated(
        &self,
        conn: &mut store::Conn,
        gate_id: i64,
        p: Passage,
    ) -> AppResult<GateDecision> {
        if p.gate_id != gate_id {
            return Err(AppError::field("client_id", "client_id_reused"));
        }
        let pass = match p.pass_id {
            Some(id) => Some(self.pass_shown(conn, id).await?),
            None => None,
        };
        Ok(GateDecision {
            refusal: p.reason.as_deref().and_then(GateRefusal::from_code),
            passage: p,
            pass,
            repeated: true,
        })
    }

    /// The local weekday (1 = Monday) and minute past midnight of a moment (ms).
    pub(crate) fn local_weekday_minute(&self, at: i64) -> AppResult<(u8, u16)> {
        let local = jiff::Timestamp::from_millisecond(at)
            .map_err(|e| AppError::Internal(e.to_string()))?
            .to_zoned_datetime(self.settings.time_zone.clone());
        let weekday = u8::try_from(local.weekday().to_monday_one_offset()).unwrap_or(1);
        let minute =
            u16::try_from(i32::from(local.hour()) * 60 + i32::from(local.minute())).unwrap_or(0);
        Ok((weekday, minute))
    }

    /// What the gate's screen shows of a stored pass.
    pub(crate) async fn pass_shown(
        &self,
        conn: &mut store::Conn,
        pass_id: i64,
    ) -> AppResult<PassShown> {
        let stored = pst::pass_at_gate(conn, pass_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(shown_of(&stored))
    }
}

/// Stores a passage; an override or a conflict goes into the audit chain with it.
pub(crate) async fn insert_passage(
    tx: &mut store::WriteOn<'_>,
    actor: &Actor,
    new: &NewPassage<'_>,
) -> AppResult<i64> {
    let id = ps::insert_passage(tx.conn(), new)
        .await
        .map_err(crate::error::conflict_as("client_id", "client_id_reused"))?;
    audit_passage(tx, actor, id, new).await?;
    Ok(id)
}

/// Puts a passage stored as `id` into the audit chain when it is an override or a conflict.
pub(crate) async fn audit_passage(
    tx: &mut store::WriteOn<'_>,
    actor: &Actor,
    id: i64,
    new: &NewPassage<'_>,
) -> AppResult<()> {
    if new.result == PassageResult::Overridden || new.conflict {
        let action = if new.conflict {
            "passage_conflict"
        } else {
            "passage_override"
        };
        let mut a = actor.audit(action, "passage", id);
        a.community_id = Some(new.community_id);
        a.after = Some(serde_json::json!({
            "gate_id": new.gate_id, "at": new.at, "direction": new.direction.code(),
            "pass_id": new.pass_id, "visitor_id": new.visitor_id,
            "household_id": new.household_id, "refused_by": new.reason,
            "requested_by": new.overridden.requested_by,
            "supervisor": new.overridden.supervisor,
        }));
        a.reason = new.overridden.reason.map(str::to_owned);
        tx.audit(a).await?;
    }
    Ok(())
}

/// What the gate's screen shows of a pass.
pub(crate) fn shown_of(p: &pst::PassAtGate) -> PassShown {
    PassShown {
        pass_id: p.id,
        kind: p.kind,
        colour: p.kind.colour(),
        household_id: p.household_id,
        place: format!("{} {} {}", p.building_name, p.unit_name, p.room),
        plate: p.plate.clone(),
        holder: p.resident_name.as_deref().map(domain::health::masked_name),
    }
}

/// The passage just written, as the log shows it, without reading it back.
pub(crate) fn logged(
    id: i64,
    new: &NewPassage<'_>,
    gate: &Gate,
    guard: &Actor,
    pass_kind: Option<PassKind>,
    visitor_name: Option<String>,
) -> Passage {
    let owned = |s: Option<&str>| s.map(str::to_owned);
    Passage {
        id,
        gate_id: gate.id,
        gate_name: gate.name.clone(),
        community_id: new.community_id,
        at: new.at,
        direction: new.direction,
        pass_id: new.pass_id,
        pass_kind,
        visitor_id: new.visitor_id,
        visitor_name,
        household_id: new.household_id,
        plate: owned(new.plate),
        persons: new.persons,
        temperature_tenths: new.temperature_tenths,
        result: new.result,
        reason: owned(new.reason),
        next_exit_at: new.next_exit_at,
        purpose: owned(new.purpose),
        guard_id: guard.account_id,
        guard_name: guard.display_name.clone(),
        override_reason: owned(new.overridden.reason),
        override_requested_by: owned(new.overridden.requested_by),
        override_supervisor: owned(new.overridden.supervisor),
        conflict: new.conflict,
        client_id: owned(new.client_id),
        created_at: store::now_ms(),
    }
}

/// The gate's rules as stored: its state, direction and hours.
pub(crate) fn gate_now(gate: &Gate) -> GateNow {
    let hours = gate
        .opens
        .as_deref()
        .and_then(cp::minute_of)
        .zip(gate.closes.as_deref().and_then(cp::minute_of));
    GateNow {
        id: gate.id,
        closed: gate.closed,
        direction: gate.direction,
        hours,
    }
}

/// The gate's refusal of a code whose signature or form does not hold.
fn refusal_of_code(e: passes::PassError) -> GateRefusal {
    match e {
        passes::PassError::NotAPass => GateRefusal::NotAPass,
        passes::PassError::UnknownKey => GateRefusal::UnknownKey,
        passes::PassError::BadSignature => GateRefusal::BadSignature,
        passes::PassError::Expired => GateRefusal::Expired,
        passes::PassError::NotYetValid => GateRefusal::NotYetValid,
        passes::PassError::Malformed | passes::PassError::NoRandomness => GateRefusal::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn common(decided_offline: Option<PassageResult>, overriding: bool) -> Common {
        Common {
            direction: Direction::Out,
            temperature: None,
            persons: 1,
            client_id: None,
            at: 0,
            live: false,
            decided_offline,
            overriding: overriding.then(|| cp::Override {
                reason: "r".to_owned(),
                requested_by: String::new(),
                supervisor: "s".to_owned(),
            }),
        }
    }

    #[test]
    fn the_rule_decides_unless_overridden() {
        let q = Some(GateRefusal::QuotaUsed);
        assert_eq!(
            outcome(None, &common(None, false)),
            (PassageResult::Admitted, false)
        );
        assert_eq!(
            outcome(q, &common(None, false)),
            (PassageResult::Refused, false)
        );
        assert_eq!(
            outcome(q, &common(None, true)),
            (PassageResult::Overridden, false)
        );
    }

    #[test]
    fn an_offline_admission_the_rule_refuses_is_kept_and_flagged() {
        let q = Some(GateRefusal::QuotaUsed);
        let offline = common(Some(PassageResult::Admitted), false);
        assert_eq!(outcome(q, &offline), (PassageResult::Admitted, true));
        assert_eq!(outcome(None, &offline), (PassageResult::Admitted, false));
        let refused = common(Some(PassageResult::Refused), false);
        assert_eq!(outcome(None, &refused), (PassageResult::Refused, false));
    }
}
