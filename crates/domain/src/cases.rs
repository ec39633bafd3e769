//! Cases (C6): a person suspected of the disease seals their building at once; confirmed, their
//! unit becomes the outbreak point with an alert zone around it; excluded, the seal is lifted
//! when no other case holds it. Tracing finds who overlapped the case in time and place.

use serde::{Deserialize, Serialize};

use crate::access::Role;

mod tracing;

pub use tracing::{
    Contact, ContactKey, Overlap, OverlapLog, Strength, Window, close_at_gate, merge_overlaps,
};

/// Record a case, its movements, and send its report.
pub fn can_record(role: Role) -> bool {
    matches!(
        role,
        Role::CommunityStaff | Role::Doctor | Role::CdcLiaison | Role::Admin
    )
}

/// Confirm or exclude a case, end a seal or a zone, set the control level: the lead's and the
/// CDC's decisions.
pub fn can_decide(role: Role) -> bool {
    matches!(role, Role::CommunityStaff | Role::CdcLiaison | Role::Admin)
}

/// Trace a case's contacts and put them on follow-up.
pub fn can_trace(role: Role) -> bool {
    matches!(role, Role::CommunityStaff | Role::CdcLiaison)
}

/// See cases, seals, zones and the risk map.
pub fn can_view(role: Role) -> bool {
    matches!(
        role,
        Role::Admin
            | Role::Official
            | Role::CommunityStaff
            | Role::GridWorker
            | Role::Doctor
            | Role::CdcLiaison
            | Role::Auditor
    )
}

/// Mark a disinfection done: the workers who do it, and staff.
pub fn can_disinfect(role: Role) -> bool {
    matches!(
        role,
        Role::CommunityStaff | Role::GridWorker | Role::Volunteer
    )
}

/// Where a case came to the community's notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CaseSource))]
pub enum Source {
    FeverAlert,
    Hotline,
    Hospital,
    Cdc,
    Screening,
    Returnee,
    Contact,
}

crate::coded!(Source {
    FeverAlert => "fever_alert",
    Hotline => "hotline",
    Hospital => "hospital",
    Cdc => "cdc",
    Screening => "screening",
    Returnee => "returnee",
    Contact => "contact",
});

/// A case's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CaseStatus))]
pub enum Status {
    Suspected,
    Confirmed,
    Excluded,
}

crate::coded!(Status {
    Suspected => "suspected",
    Confirmed => "confirmed",
    Excluded => "excluded",
});

/// What may happen to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CaseDecision))]
pub enum Decision {
    Confirm,
    Exclude,
}

crate::coded!(Decision {
    Confirm => "confirm",
    Exclude => "exclude",
});

/// Why a decision cannot be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionError {
    /// Only a suspected case is confirmed or excluded; a confirmed case stays confirmed.
    NotSuspected,
}

impl DecisionError {
    pub fn code(self) -> &'static str {
        match self {
            DecisionError::NotSuspected => "case_not_suspected",
        }
    }
}

/// The status a decision leads to from `status`.
pub fn decide(status: Status, decision: Decision) -> Result<Status, DecisionError> {
    match (status, decision) {
        (Status::Suspected, Decision::Confirm) => Ok(Status::Confirmed),
        (Status::Suspected, Decision::Exclude) => Ok(Status::Excluded),
        _ => Err(DecisionError::NotSuspected),
    }
}

/// Where a case was: in a building, through a gate, in a household as a visitor, or outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = MovementKind))]
pub enum MovementKind {
    Building,
    Gate,
    Household,
    Outside,
}

crate::coded!(MovementKind {
    Building => "building",
    Gate => "gate",
    Household => "household",
    Outside => "outside",
});

/// The longest a movement may last: a stay longer than a day is several movements.
pub const MOVEMENT_MAX_MS: i64 = 24 * 3_600_000;

/// Why a movement's times cannot be recorded.
pub fn check_movement_times(from_at: i64, to_at: i64, now: i64) -> Result<(), &'static str> {
    if to_at < from_at {
        Err("ends_before_start")
    } else if to_at - from_at > MOVEMENT_MAX_MS {
        Err("movement_too_long")
    } else if from_at > now + 5 * 60_000 {
        Err("in_the_future")
    } else {
        Ok(())
    }
}

/// What a traced contact is put on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = FollowUp))]
pub enum FollowUp {
    /// 14 days at home with twice-daily self-reports: a home quarantine order.
    SelfQuarantine,
    /// A centralised quarantine order.
    QuarantineOrder,
    /// Not a resident: named on the list sent to the CDC.
    CdcList,
}

crate::coded!(FollowUp {
    SelfQuarantine => "self_quarantine",
    QuarantineOrder => "quarantine_order",
    CdcList => "cdc_list",
});

/// Follow-ups only a registered resident can be put on.
pub fn follow_up_needs_resident(f: FollowUp) -> bool {
    !matches!(f, FollowUp::CdcList)
}

/// The community's control level, set by the lead and shown everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ControlLevel))]
pub enum ControlLevel {
    /// A community with cases: closed management at its strictest.
    Key,
    General,
}

crate::coded!(ControlLevel {
    Key => "key",
    General => "general",
});

/// Why a seal or a zone ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = EndReason))]
pub enum EndReason {
    /// The case that held it was excluded.
    Excluded,
    /// The configured days passed without a new case.
    Rule,
    /// The lead ended it, with a note.
    Lead,
}

crate::coded!(EndReason {
    Excluded => "excluded",
    Rule => "rule",
    Lead => "lead",
});

/// The kinds of risk zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ZoneKind))]
pub enum ZoneKind {
    OutbreakPoint,
    AlertZone,
}

crate::coded!(ZoneKind {
    OutbreakPoint => "outbreak_point",
    AlertZone => "alert_zone",
});

/// Days without a new case after which a zone or a seal ends by rule (SPEC 1.1: 14).
pub const QUIET_DAYS_DEFAULT: i64 = 14;

/// Whether a zone or seal whose latest case came at `last_case_at` ends by rule at `now`.
pub fn ends_by_rule(last_case_at: i64, now: i64, quiet_days: i64) -> bool {
    now - last_case_at >= quiet_days * 86_400_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_suspected_case_is_confirmed_or_excluded() {
        assert_eq!(
            decide(Status::Suspected, Decision::Confirm),
            Ok(Status::Confirmed)
        );
        assert_eq!(
            decide(Status::Suspected, Decision::Exclude),
            Ok(Status::Excluded)
        );
        for s in [Status::Confirmed, Status::Excluded] {
            for d in Decision::ALL {
                assert_eq!(decide(s, d), Err(DecisionError::NotSuspected));
            }
        }
    }

    #[test]
    fn movements_are_bounded_in_time() {
        let now = 100 * 86_400_000;
        assert_eq!(check_movement_times(now - 10, now - 5, now), Ok(()));
        assert_eq!(
            check_movement_times(now - 5, now - 10, now),
            Err("ends_before_start")
        );
        assert_eq!(
            check_movement_times(now - MOVEMENT_MAX_MS - 2, now, now),
            Err("movement_too_long")
        );
        assert_eq!(
            check_movement_times(now + 3_600_000, now + 3_600_001, now),
            Err("in_the_future")
        );
    }

    #[test]
    fn zones_end_after_the_quiet_days_and_not_before() {
        let day = 86_400_000;
        assert!(!ends_by_rule(0, 14 * day - 1, 14));
        assert!(ends_by_rule(0, 14 * day, 14));
    }

    #[test]
    fn only_residents_go_into_quarantine() {
        assert!(follow_up_needs_resident(FollowUp::SelfQuarantine));
        assert!(follow_up_needs_resident(FollowUp::QuarantineOrder));
        assert!(!follow_up_needs_resident(FollowUp::CdcList));
    }

    #[test]
    fn role_rights_follow_the_work() {
        assert!(can_record(Role::Doctor));
        assert!(!can_decide(Role::Doctor));
        assert!(can_trace(Role::CdcLiaison));
        assert!(!can_trace(Role::Guard));
        assert!(!can_view(Role::Guard));
        assert!(!can_view(Role::Volunteer));
        assert!(can_disinfect(Role::Volunteer));
    }
}
