//! Calls from a task: the people whose work is to phone a household (a grid worker screening
//! it, a doctor checking a resident in quarantine, a volunteer delivering to it) reveal one
//! member's full number for one call, and the reveal is recorded with the task it served.

use serde::{Deserialize, Serialize};

use crate::access::Role;
use crate::phone::Phone;

/// The kind of task a call serves: it is the call's purpose in the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CallPurpose))]
pub enum Purpose {
    /// A household of a screening campaign, called to ask its members' travel.
    ScreeningCampaign,
    /// A quarantine order, a resident called for a check.
    QuarantineOrder,
    /// A supply delivery, the household called about its needs or the drop.
    Delivery,
}

crate::coded!(Purpose {
    ScreeningCampaign => "screening_campaign",
    QuarantineOrder => "quarantine_order",
    Delivery => "delivery",
});

/// The task a call serves, with the ids that find it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallTask {
    Screening { campaign_id: i64, household_id: i64 },
    Quarantine { order_id: i64 },
    Delivery { delivery_id: i64 },
}

impl CallTask {
    #[must_use]
    pub fn purpose(self) -> Purpose {
        match self {
            CallTask::Screening { .. } => Purpose::ScreeningCampaign,
            CallTask::Quarantine { .. } => Purpose::QuarantineOrder,
            CallTask::Delivery { .. } => Purpose::Delivery,
        }
    }

    /// The task from its purpose and ids as a form or request names them; `None` when an id
    /// the purpose needs is missing.
    #[must_use]
    pub fn from_parts(purpose: Purpose, id: i64, household_id: Option<i64>) -> Option<CallTask> {
        Some(match purpose {
            Purpose::ScreeningCampaign => CallTask::Screening {
                campaign_id: id,
                household_id: household_id?,
            },
            Purpose::QuarantineOrder => CallTask::Quarantine { order_id: id },
            Purpose::Delivery => CallTask::Delivery { delivery_id: id },
        })
    }
}

/// Who of the household is called: the household's own phone, or one of its residents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Callee {
    Household,
    Resident(i64),
}

impl Callee {
    #[must_use]
    pub fn from_resident(resident_id: Option<i64>) -> Callee {
        resident_id.map_or(Callee::Household, Callee::Resident)
    }
}

/// Whether a role's work includes calls for tasks of this purpose: those who record screening
/// attempts, those who record checks, those who work deliveries (a volunteer, and the staff and
/// grid workers who run the delivery board and step in for a volunteer). Whether one task is
/// the actor's own (their team's household, an order of their jurisdiction, a delivery of
/// theirs or of their jurisdiction) is decided where the task is read.
#[must_use]
pub fn may_call(role: Role, purpose: Purpose) -> bool {
    match purpose {
        Purpose::ScreeningCampaign => crate::screening::can_record(role),
        Purpose::QuarantineOrder => crate::health::can_record_checks(role),
        Purpose::Delivery => crate::tasks::can_work(role),
    }
}

/// The `tel:` address of a stored number, or `None` when it is not a phone (a number typed in
/// before numbers were checked is not dialled blindly).
#[must_use]
pub fn tel_uri(stored: &str) -> Option<String> {
    Phone::parse(stored)
        .ok()
        .map(|p| format!("tel:{}", p.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_task_is_called_by_the_roles_that_work_it() {
        use Purpose::*;
        assert!(may_call(Role::GridWorker, ScreeningCampaign));
        assert!(may_call(Role::Volunteer, ScreeningCampaign));
        assert!(!may_call(Role::Doctor, ScreeningCampaign));
        assert!(may_call(Role::Doctor, QuarantineOrder));
        assert!(may_call(Role::GridWorker, QuarantineOrder));
        assert!(!may_call(Role::Volunteer, QuarantineOrder));
        assert!(may_call(Role::Volunteer, Delivery));
        assert!(!may_call(Role::Doctor, Delivery));
        for purpose in Purpose::ALL {
            for role in [Role::Admin, Role::Official, Role::Guard, Role::Auditor] {
                assert!(!may_call(role, purpose), "{role:?} {purpose:?}");
            }
        }
    }

    #[test]
    fn staff_and_grid_workers_call_for_deliveries_as_volunteers_do() {
        for role in [Role::Volunteer, Role::CommunityStaff, Role::GridWorker] {
            assert!(may_call(role, Purpose::Delivery), "{role:?}");
        }
        for role in [
            Role::Admin,
            Role::Official,
            Role::Guard,
            Role::Doctor,
            Role::CdcLiaison,
            Role::Auditor,
        ] {
            assert!(!may_call(role, Purpose::Delivery), "{role:?}");
        }
    }

    #[test]
    fn a_task_needs_the_ids_of_its_purpose() {
        assert_eq!(
            CallTask::from_parts(Purpose::ScreeningCampaign, 3, Some(7)),
            Some(CallTask::Screening {
                campaign_id: 3,
                household_id: 7
            })
        );
        assert_eq!(
            CallTask::from_parts(Purpose::ScreeningCampaign, 3, None),
            None
        );
        let order = CallTask::from_parts(Purpose::QuarantineOrder, 4, None).expect("order");
        assert_eq!(order.purpose(), Purpose::QuarantineOrder);
        assert_eq!(Callee::from_resident(None), Callee::Household);
        assert_eq!(Callee::from_resident(Some(9)), Callee::Resident(9));
    }

    #[test]
    fn only_phones_are_dialled() {
        assert_eq!(tel_uri("13812345678").as_deref(), Some("tel:13812345678"));
        assert_eq!(tel_uri("029-88661234").as_deref(), Some("tel:029-88661234"));
        assert_eq!(tel_uri("ask the neighbour"), None);
        assert_eq!(tel_uri(""), None);
    }
}
