//! What a guard decides at the gate for a pass: the kinds and states of passes, the direction
//! of a passage, and the rule that admits a pass or names the rule that refuses it.

use serde::{Deserialize, Serialize};

use super::{ExitQuota, Refusal};
use crate::access::Role;
use crate::health::Temperature;

/// Open, close and describe gates, and put guards on shifts.
pub fn can_manage_gates(role: Role) -> bool {
    matches!(role, Role::Admin | Role::CommunityStaff)
}

/// Issue, reissue and revoke passes, and print them.
pub fn can_issue_passes(role: Role) -> bool {
    matches!(role, Role::CommunityStaff | Role::GridWorker)
}

/// See passes: who holds one, in what state.
pub fn can_view_passes(role: Role) -> bool {
    matches!(
        role,
        Role::Admin | Role::Official | Role::CommunityStaff | Role::GridWorker | Role::Auditor
    )
}

/// Stand at a gate and let people through: a guard on shift, or the staff who supervise them.
pub fn can_keep_gate(role: Role) -> bool {
    matches!(role, Role::Guard | Role::CommunityStaff)
}

/// Read the passage log: traffic, a household's passages, overrides.
pub fn can_read_passages(role: Role) -> bool {
    matches!(
        role,
        Role::Admin
            | Role::Official
            | Role::CommunityStaff
            | Role::Guard
            | Role::CdcLiaison
            | Role::Auditor
    )
}

/// Review the overrides and offline conflicts counted by gate, guard and requester: the
/// supervisors' reading, not the guards' whose overrides they are.
pub fn can_review_overrides(role: Role) -> bool {
    can_read_passages(role) && role != Role::Guard
}

/// The kinds of pass, each shown in its own colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PassKind))]
pub enum PassKind {
    Household,
    Commuter,
    Vehicle,
}

crate::coded!(PassKind {
    Household => "household",
    Commuter => "commuter",
    Vehicle => "vehicle",
});

impl PassKind {
    /// The colour a printed card and the gate's screen show the pass in: green for a household,
    /// blue for a commuter ("another colour", as the community's special passes were), grey
    /// for a car.
    pub fn colour(self) -> &'static str {
        match self {
            PassKind::Household => "#1e7b34",
            PassKind::Commuter => "#1f4e9c",
            PassKind::Vehicle => "#5a5a5a",
        }
    }
}

/// Whether a pass opens the gate now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PassState))]
pub enum PassState {
    Live,
    /// Its household is sealed; live again when released.
    Suspended,
    /// Lost, reissued or withdrawn, for good.
    Revoked,
}

crate::coded!(PassState {
    Live => "live",
    Suspended => "suspended",
    Revoked => "revoked",
});

/// Why a pass is suspended or revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PassStateReason))]
pub enum StateReason {
    Quarantine,
    /// The household's building is sealed for a case.
    Sealed,
    Lost,
    Reissued,
    Withdrawn,
}

crate::coded!(StateReason {
    Quarantine => "quarantine",
    Sealed => "sealed",
    Lost => "lost",
    Reissued => "reissued",
    Withdrawn => "withdrawn",
});

/// Which way a person passes the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Direction))]
pub enum Direction {
    Out,
    In,
}

crate::coded!(Direction {
    Out => "out",
    In => "in",
});

/// Which ways a gate lets people through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = GateDirection))]
pub enum GateDirection {
    Both,
    In,
    Out,
}

crate::coded!(GateDirection {
    Both => "both",
    In => "in",
    Out => "out",
});

impl GateDirection {
    pub fn allows(self, d: Direction) -> bool {
        matches!(
            (self, d),
            (GateDirection::Both, _)
                | (GateDirection::In, Direction::In)
                | (GateDirection::Out, Direction::Out)
        )
    }
}

/// What became of a passage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PassageResult))]
pub enum PassageResult {
    Admitted,
    Refused,
    /// Let through against the rule, with a reason, a requester and a supervisor.
    Overridden,
}

crate::coded!(PassageResult {
    Admitted => "admitted",
    Refused => "refused",
    Overridden => "overridden",
});

/// The rule that refused a passage, shown to the guard and kept in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GateRefusal {
    NotAPass,
    Malformed,
    UnknownKey,
    BadSignature,
    Expired,
    NotYetValid,
    /// Signed by us, but no such pass is stored (a database restored from an older copy).
    UnknownPass,
    Revoked,
    Suspended,
    WrongGate,
    GateClosed,
    WrongDirection,
    QuotaUsed,
    PresentedTwice,
    OutsideHours,
    Fever,
    VisitorHealthCode,
    VisitorFever,
    VisitorRiskRegion,
    VisitorUnknownHousehold,
    VisitorHouseholdSealed,
}

crate::coded!(GateRefusal {
    NotAPass => "pass_not_a_pass",
    Malformed => "pass_malformed",
    UnknownKey => "pass_unknown_key",
    BadSignature => "pass_bad_signature",
    Expired => "pass_expired",
    NotYetValid => "pass_not_yet_valid",
    UnknownPass => "pass_unknown",
    Revoked => "pass_revoked",
    Suspended => "pass_suspended",
    WrongGate => "pass_wrong_gate",
    GateClosed => "gate_closed",
    WrongDirection => "gate_wrong_direction",
    QuotaUsed => "pass_quota_used",
    PresentedTwice => "pass_presented_twice",
    OutsideHours => "pass_outside_hours",
    Fever => "passage_fever",
    VisitorHealthCode => "visitor_health_code",
    VisitorFever => "visitor_fever",
    VisitorRiskRegion => "visitor_risk_region",
    VisitorUnknownHousehold => "visitor_unknown_household",
    VisitorHouseholdSealed => "visitor_household_sealed",
});

impl From<&Refusal> for GateRefusal {
    fn from(r: &Refusal) -> GateRefusal {
        match r {
            Refusal::HealthCode(_) => GateRefusal::VisitorHealthCode,
            Refusal::Fever(_) => GateRefusal::VisitorFever,
            Refusal::RiskRegion(_) => GateRefusal::VisitorRiskRegion,
            Refusal::UnknownHousehold => GateRefusal::VisitorUnknownHousehold,
            Refusal::HouseholdSealed => GateRefusal::VisitorHouseholdSealed,
        }
    }
}

/// A passage in the same direction as the pass's last one within this many seconds is a pass
/// handed back over the fence; after it, a return the gate missed (it was offline, or the
/// holder came back by car) no longer blocks the pass.
pub const PASSBACK_SECONDS: i64 = 24 * 3_600;

/// The days and hours a commuter pass opens the gate, from the employer's proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommuterHours {
    /// Bit `d - 1` set for weekday `d` (1 = Monday … 7 = Sunday).
    days: u8,
    from_minute: u16,
    to_minute: u16,
}

/// Why a commuter's days or hours are not readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoursError {
    Days,
    Hours,
}

impl HoursError {
    pub fn code(self) -> &'static str {
        match self {
            HoursError::Days => "commuter_days",
            HoursError::Hours => "commuter_hours",
        }
    }
}

impl CommuterHours {
    /// Reads days as weekday digits (`12345` for Monday to Friday) and hours as
    /// `HH:MM-HH:MM` (`07:00-19:00`); an hours range may run past midnight (`20:00-08:00`).
    pub fn parse(days: &str, hours: &str) -> Result<CommuterHours, HoursError> {
        let mut mask = 0u8;
        for c in days.trim().chars() {
            match c.to_digit(10) {
                Some(d @ 1..=7) => mask |= 1 << (d - 1),
                _ => return Err(HoursError::Days),
            }
        }
        if mask == 0 {
            return Err(HoursError::Days);
        }
        let normalised = hours.trim().replace(['–', '—', '~', '～'], "-");
        let (from, to) = normalised.split_once('-').ok_or(HoursError::Hours)?;
        let minute = |t: &str| -> Result<u16, HoursError> {
            let (h, m) = t.trim().split_once([':', '：']).ok_or(HoursError::Hours)?;
            let (h, m): (u16, u16) = (
                h.parse().map_err(|_| HoursError::Hours)?,
                m.parse().map_err(|_| HoursError::Hours)?,
            );
            if h > 24 || m > 59 || (h == 24 && m > 0) {
                return Err(HoursError::Hours);
            }
            Ok(h * 60 + m)
        };
        let (from_minute, to_minute) = (minute(from)?, minute(to)?);
        if from_minute == to_minute {
            return Err(HoursError::Hours);
        }
        Ok(CommuterHours {
            days: mask,
            from_minute,
            to_minute,
        })
    }

    /// The days as stored: weekday digits in order.
    pub fn days_text(self) -> String {
        (1..=7u8)
            .filter(|d| self.days & (1 << (d - 1)) != 0)
            .map(|d| char::from(b'0' + d))
            .collect()
    }

    /// The hours as stored: `07:00-19:00`.
    pub fn hours_text(self) -> String {
        let t = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        format!("{}-{}", t(self.from_minute), t(self.to_minute))
    }

    /// Whether the pass opens the gate on `weekday` (1 = Monday) at `minute` past local
    /// midnight. A range past midnight counts from the day it starts.
    pub fn allows(self, weekday: u8, minute: u16) -> bool {
        let on = |d: u8| (1..=7).contains(&d) && self.days & (1 << (d - 1)) != 0;
        if self.from_minute < self.to_minute {
            on(weekday) && (self.from_minute..self.to_minute).contains(&minute)
        } else {
            let yesterday = if weekday == 1 { 7 } else { weekday - 1 };
            (on(weekday) && minute >= self.from_minute)
                || (on(yesterday) && minute < self.to_minute)
        }
    }
}

/// The gate as it stands when a pass is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateNow {
    pub id: i64,
    pub closed: bool,
    pub direction: GateDirection,
    /// Local opening hours in minutes past midnight, `(opens, closes)`; `None` day and night.
    /// A range past midnight (`22:00`–`06:00`) is open across it.
    pub hours: Option<(u16, u16)>,
}

/// Minutes past midnight of a local `HH:MM`.
pub fn minute_of(hh_mm: &str) -> Option<u16> {
    let (h, m) = hh_mm.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

impl GateNow {
    /// Whether the gate lets anyone through `direction` at `minute` past local midnight.
    pub fn open_to(self, direction: Direction, minute: u16) -> Result<(), GateRefusal> {
        let within = match self.hours {
            None => true,
            Some((opens, closes)) if opens <= closes => (opens..closes).contains(&minute),
            Some((opens, closes)) => minute >= opens || minute < closes,
        };
        if self.closed || !within {
            return Err(GateRefusal::GateClosed);
        }
        if !self.direction.allows(direction) {
            return Err(GateRefusal::WrongDirection);
        }
        Ok(())
    }
}

/// The pass as the gate knows it: its signed claims and its stored state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassNow<'a> {
    pub kind: PassKind,
    pub state: PassState,
    /// The gates it opens; empty: every gate.
    pub gates: &'a [i64],
    pub quota: ExitQuota,
    pub commuter_hours: Option<CommuterHours>,
}

/// A pass shown at the gate, with what the log says of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Showing<'a> {
    pub direction: Direction,
    /// Seconds since the Unix epoch.
    pub at: i64,
    /// Local weekday (1 = Monday) and minute past midnight at `at`.
    pub weekday: u8,
    pub minute: u16,
    pub temperature: Option<Temperature>,
    /// The pass's last passage let through (direction, seconds).
    pub last: Option<(Direction, i64)>,
    /// When the household's exits let through within the quota's window were made (seconds).
    pub exits_made: &'a [i64],
}

/// Why the gate refuses a pass, and, for a quota used up, when the next exit is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declined {
    pub refusal: GateRefusal,
    pub next_exit_at: Option<i64>,
}

impl From<GateRefusal> for Declined {
    fn from(refusal: GateRefusal) -> Declined {
        Declined {
            refusal,
            next_exit_at: None,
        }
    }
}

/// Admits a pass at the gate or names the first rule that refuses it, in the order a guard
/// checks: the gate, the pass's state and scope, the fence, the hours, the temperature, the
/// quota.
pub fn admit_pass(gate: GateNow, pass: &PassNow<'_>, s: &Showing<'_>) -> Result<(), Declined> {
    gate.open_to(s.direction, s.minute)?;
    match pass.state {
        PassState::Revoked => return Err(GateRefusal::Revoked.into()),
        PassState::Suspended => return Err(GateRefusal::Suspended.into()),
        PassState::Live => {}
    }
    if !pass.gates.is_empty() && !pass.gates.contains(&gate.id) {
        return Err(GateRefusal::WrongGate.into());
    }
    if let Some((last, when)) = s.last
        && last == s.direction
        && s.at - when < PASSBACK_SECONDS
    {
        return Err(GateRefusal::PresentedTwice.into());
    }
    if let Some(h) = pass.commuter_hours
        && !h.allows(s.weekday, s.minute)
    {
        return Err(GateRefusal::OutsideHours.into());
    }
    if s.temperature
        .is_some_and(|t| t.tenths() >= crate::health::FEVER_TENTHS)
    {
        return Err(GateRefusal::Fever.into());
    }
    if s.direction == Direction::Out {
        pass.quota
            .next_exit(s.exits_made, s.at)
            .map_err(|next| Declined {
                refusal: GateRefusal::QuotaUsed,
                next_exit_at: Some(next),
            })?;
    }
    Ok(())
}

/// A guard's decision to let someone through against the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub reason: String,
    /// Who asked for it: "street official Wang by phone", or empty when nobody did.
    pub requested_by: String,
    /// The supervisor on duty who agreed.
    pub supervisor: String,
}

/// The longest text of an override's fields.
pub const OVERRIDE_TEXT_CHARS: usize = 300;

impl Override {
    /// Trims the fields; a reason and a supervisor are required, each field is bounded. Returns
    /// the field at fault and its code.
    pub fn parse(
        reason: &str,
        requested_by: &str,
        supervisor: &str,
    ) -> Result<Override, (&'static str, &'static str)> {
        let clean = |field: &'static str, v: &str, required: bool| {
            let v = v.trim();
            if required && v.is_empty() {
                return Err((field, "required"));
            }
            if v.chars().count() > OVERRIDE_TEXT_CHARS {
                return Err((field, "too_long"));
            }
            if v.chars().any(char::is_control) {
                return Err((field, "control_character"));
            }
            Ok(v.to_owned())
        };
        Ok(Override {
            reason: clean("override_reason", reason, true)?,
            requested_by: clean("override_requested_by", requested_by, false)?,
            supervisor: clean("override_supervisor", supervisor, true)?,
        })
    }
}

#[cfg(test)]
mod tests;
