use super::*;
use proptest::prelude::*;

const NOW: i64 = 1_580_515_200;

fn gate() -> GateNow {
    GateNow {
        id: 1,
        closed: false,
        direction: GateDirection::Both,
        hours: None,
    }
}

fn household() -> PassNow<'static> {
    PassNow {
        kind: PassKind::Household,
        state: PassState::Live,
        gates: &[],
        quota: ExitQuota::HOUSEHOLD,
        commuter_hours: None,
    }
}

fn out() -> Showing<'static> {
    Showing {
        direction: Direction::Out,
        at: NOW,
        weekday: 3,
        minute: 9 * 60,
        temperature: None,
        last: None,
        exits_made: &[],
    }
}

fn refusal(r: Result<(), Declined>) -> Option<GateRefusal> {
    r.err().map(|d| d.refusal)
}

#[test]
fn a_live_household_pass_goes_out_once_then_waits_two_days() {
    assert_eq!(admit_pass(gate(), &household(), &out()), Ok(()));
    let exits = [NOW - 3_600];
    let again = Showing {
        exits_made: &exits,
        last: Some((Direction::In, NOW - 60)),
        ..out()
    };
    assert_eq!(
        admit_pass(gate(), &household(), &again),
        Err(Declined {
            refusal: GateRefusal::QuotaUsed,
            next_exit_at: Some(NOW - 3_600 + 2 * 86_400),
        })
    );
    // Coming in is never limited.
    let back = Showing {
        direction: Direction::In,
        last: Some((Direction::Out, NOW - 60)),
        ..again
    };
    assert_eq!(admit_pass(gate(), &household(), &back), Ok(()));
}

#[test]
fn each_rule_names_itself() {
    let closed = GateNow {
        closed: true,
        ..gate()
    };
    assert_eq!(
        refusal(admit_pass(closed, &household(), &out())),
        Some(GateRefusal::GateClosed)
    );
    let in_only = GateNow {
        direction: GateDirection::In,
        ..gate()
    };
    assert_eq!(
        refusal(admit_pass(in_only, &household(), &out())),
        Some(GateRefusal::WrongDirection)
    );
    for (state, r) in [
        (PassState::Revoked, GateRefusal::Revoked),
        (PassState::Suspended, GateRefusal::Suspended),
    ] {
        let p = PassNow {
            state,
            ..household()
        };
        assert_eq!(refusal(admit_pass(gate(), &p, &out())), Some(r));
    }
    let elsewhere = PassNow {
        gates: &[2, 3],
        ..household()
    };
    assert_eq!(
        refusal(admit_pass(gate(), &elsewhere, &out())),
        Some(GateRefusal::WrongGate)
    );
    let twice = Showing {
        last: Some((Direction::Out, NOW - 600)),
        ..out()
    };
    assert_eq!(
        refusal(admit_pass(gate(), &household(), &twice)),
        Some(GateRefusal::PresentedTwice)
    );
    let fever = Showing {
        temperature: Temperature::from_tenths(373).ok(),
        ..out()
    };
    assert_eq!(
        refusal(admit_pass(gate(), &household(), &fever)),
        Some(GateRefusal::Fever)
    );
}

#[test]
fn a_gate_with_hours_is_closed_outside_them() {
    let day = GateNow {
        hours: Some((6 * 60, 22 * 60)),
        ..gate()
    };
    assert_eq!(admit_pass(day, &household(), &out()), Ok(()));
    let night = Showing {
        minute: 23 * 60,
        ..out()
    };
    assert_eq!(
        refusal(admit_pass(day, &household(), &night)),
        Some(GateRefusal::GateClosed)
    );
    let night_gate = GateNow {
        hours: Some((22 * 60, 6 * 60)),
        ..gate()
    };
    assert_eq!(admit_pass(night_gate, &household(), &night), Ok(()));
    assert_eq!(
        refusal(admit_pass(night_gate, &household(), &out())),
        Some(GateRefusal::GateClosed)
    );
    assert_eq!(minute_of("07:30"), Some(450));
    assert_eq!(minute_of("24:00"), None);
}

#[test]
fn a_return_the_gate_missed_stops_blocking_after_a_day() {
    let long_ago = Showing {
        last: Some((Direction::Out, NOW - PASSBACK_SECONDS)),
        ..out()
    };
    assert_eq!(admit_pass(gate(), &household(), &long_ago), Ok(()));
}

#[test]
fn a_commuter_goes_out_on_the_days_and_hours_of_the_proof() {
    let hours = CommuterHours::parse("12345", "07:00-19:00").expect("readable");
    let p = PassNow {
        kind: PassKind::Commuter,
        quota: ExitQuota { exits: 0, days: 1 },
        commuter_hours: Some(hours),
        ..household()
    };
    assert_eq!(admit_pass(gate(), &p, &out()), Ok(()));
    let sunday = Showing {
        weekday: 7,
        ..out()
    };
    assert_eq!(
        refusal(admit_pass(gate(), &p, &sunday)),
        Some(GateRefusal::OutsideHours)
    );
    let late = Showing {
        minute: 19 * 60,
        ..out()
    };
    assert_eq!(
        refusal(admit_pass(gate(), &p, &late)),
        Some(GateRefusal::OutsideHours)
    );
}

#[test]
fn commuter_hours_read_as_staff_type_them() {
    let h = CommuterHours::parse(" 135 ", "07:30～18：00").expect("readable");
    assert_eq!(h.days_text(), "135");
    assert_eq!(h.hours_text(), "07:30-18:00");
    assert_eq!(
        CommuterHours::parse("8", "07:00-19:00"),
        Err(HoursError::Days)
    );
    assert_eq!(
        CommuterHours::parse("", "07:00-19:00"),
        Err(HoursError::Days)
    );
    assert_eq!(CommuterHours::parse("1", "7-19"), Err(HoursError::Hours));
    assert_eq!(
        CommuterHours::parse("1", "25:00-19:00"),
        Err(HoursError::Hours)
    );
    assert_eq!(
        CommuterHours::parse("1", "07:00-07:00"),
        Err(HoursError::Hours)
    );
    // A night shift runs past midnight and counts from the day it starts.
    let night = CommuterHours::parse("5", "20:00-08:00").expect("readable");
    assert!(night.allows(5, 21 * 60));
    assert!(night.allows(6, 7 * 60));
    assert!(!night.allows(6, 21 * 60));
    assert!(!night.allows(5, 7 * 60));
}

#[test]
fn an_override_needs_a_reason_and_a_supervisor() {
    assert_eq!(
        Override::parse(" ", "Wang", "Li"),
        Err(("override_reason", "required"))
    );
    assert_eq!(
        Override::parse("doctor's visit", "", " "),
        Err(("override_supervisor", "required"))
    );
    let o = Override::parse(" doctor's visit ", "", "Li").expect("readable");
    assert_eq!(o.reason, "doctor's visit");
    assert_eq!(
        Override::parse(&"x".repeat(301), "", "Li"),
        Err(("override_reason", "too_long"))
    );
}

#[test]
fn refusal_codes_round_trip() {
    for r in GateRefusal::ALL {
        assert_eq!(GateRefusal::from_code(r.code()), Some(r));
    }
}

proptest! {
    /// Whatever the days and hours, the rule is the days-and-hours test, and stored text
    /// reads back the same.
    #[test]
    fn commuter_hours_round_trip(mask in 1u8..128, from in 0u16..1440, len in 1u16..1439) {
        let to = (from + len) % 1440;
        let days: String = (1..=7u8).filter(|d| mask & (1 << (d - 1)) != 0)
            .map(|d| char::from(b'0' + d)).collect();
        let hours = format!("{:02}:{:02}-{:02}:{:02}", from / 60, from % 60, to / 60, to % 60);
        let h = CommuterHours::parse(&days, &hours).expect("readable");
        prop_assert_eq!(CommuterHours::parse(&h.days_text(), &h.hours_text()), Ok(h));
        prop_assert_eq!(h.days_text(), days);
    }
}

#[test]
fn guards_read_the_log_but_only_supervisors_review_the_overrides() {
    assert!(can_read_passages(Role::Guard));
    assert!(!can_review_overrides(Role::Guard));
    for role in [Role::CommunityStaff, Role::Official, Role::Auditor] {
        assert!(can_review_overrides(role), "{role:?}");
    }
    assert!(!can_review_overrides(Role::Volunteer));
}
