//! A scan judged on the log: the log as stored (read for the whole group in one statement)
//! together with the passages of the scans judged before it in the same group, which are not
//! stored yet when it is judged.

use domain::checkpoint::{
    self as cp, CommuterHours, Declined, Direction, ExitQuota, GateRefusal, PassKind, PassNow,
    PassageResult, Showing,
};
use store::gates::Gate;
use store::passages::group::LogRead;
use store::passages::{NewPassage, PassLog};
use store::passes as pst;

use super::group::Scan;
use super::scan::{gate_now, outcome};

/// A pass whose signature holds, as stored.
pub(crate) struct ShownPass<'a> {
    pub stored: &'a pst::PassAtGate,
    pub claims: &'a passes::PassClaims,
}

impl ShownPass<'_> {
    /// The quota the pass is judged by: a household pass's, none for the others.
    fn quota(&self) -> ExitQuota {
        if self.stored.kind == PassKind::Household {
            ExitQuota {
                exits: self.claims.quota.exits,
                days: self.claims.quota.days,
            }
        } else {
            ExitQuota { exits: 0, days: 1 }
        }
    }
}

/// What of the log a scan is judged on: the household's exits only when its quota counts them.
pub(crate) fn log_read(s: &Scan, pass: &ShownPass<'_>) -> LogRead {
    let quota = pass.quota();
    let at = s.common.at;
    LogRead {
        pass_id: pass.stored.id,
        household_id: pass.stored.household_id,
        exits_since: (quota.exits != 0).then(|| at - i64::from(quota.days) * 86_400_000),
        until: at,
    }
}

/// The rule's decision on a pass whose signature holds, from its log.
pub(crate) fn judge(
    s: &Scan,
    gate: &Gate,
    pass: &ShownPass<'_>,
    log: &PassLog,
) -> Result<(), Declined> {
    let (stored, c) = (pass.stored, &s.common);
    let commuter_hours = match (&stored.valid_days, &stored.valid_hours) {
        (Some(d), Some(h)) => CommuterHours::parse(d, h).ok(),
        _ => None,
    };
    let exits: Vec<i64> = log.exits.iter().map(|ms| ms.div_euclid(1000)).collect();
    let pass_now = PassNow {
        kind: stored.kind,
        state: stored.state,
        gates: &pass.claims.gates,
        quota: pass.quota(),
        commuter_hours,
    };
    let showing = Showing {
        direction: c.direction,
        at: c.at.div_euclid(1000),
        weekday: s.weekday,
        minute: s.minute,
        temperature: c.temperature,
        last: log.last.map(|(d, ms)| (d, ms.div_euclid(1000))),
        exits_made: &exits,
    };
    cp::admit_pass(gate_now(gate), &pass_now, &showing).map_err(|d| Declined {
        next_exit_at: d.next_exit_at.map(|s| s * 1000),
        ..d
    })
}

/// The passage a scan is logged with, as judged.
pub(crate) fn passage_of<'a>(
    s: &'a Scan,
    gate: &Gate,
    pass: Option<&'a pst::PassAtGate>,
    declined: Option<Declined>,
) -> NewPassage<'a> {
    let c = &s.common;
    let refusal = declined.map(|d| d.refusal);
    let (result, conflict) = outcome(refusal, c);
    NewPassage {
        gate_id: gate.id,
        community_id: gate.community_id,
        at: c.at,
        direction: c.direction,
        pass_id: pass.map(|p| p.id),
        visitor_id: None,
        household_id: pass.map(|p| p.household_id),
        plate: pass.and_then(|p| p.plate.as_deref()),
        persons: c.persons,
        temperature_tenths: c.temperature.map(|t| i64::from(t.tenths())),
        result,
        reason: refusal.map(GateRefusal::code),
        next_exit_at: declined.and_then(|d| d.next_exit_at),
        purpose: None,
        guard_id: s.actor.account_id,
        overridden: c.override_fields(result),
        conflict,
        client_id: c.client_id.as_deref(),
    }
}

/// A passage of the group judged before, as the later scans' reads would find it stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Judged {
    pub pass_id: i64,
    pub household_id: i64,
    pub household_pass: bool,
    pub direction: Direction,
    pub at: i64,
    pub let_through: bool,
}

impl Judged {
    pub(crate) fn of(p: &NewPassage<'_>, kind: PassKind) -> Option<Judged> {
        Some(Judged {
            pass_id: p.pass_id?,
            household_id: p.household_id?,
            household_pass: kind == PassKind::Household,
            direction: p.direction,
            at: p.at,
            let_through: p.result != PassageResult::Refused,
        })
    }
}

/// The stored log of a scan with the group's passages judged before it added, as
/// `store::passages::group::pass_logs` would read them had they been stored one by one: the
/// last let through of the pass up to the scan's time (a passage of the group is later than a
/// stored one of the same millisecond), and the household's exits in the quota's window.
pub(crate) fn with_group(mut log: PassLog, read: &LogRead, earlier: &[Judged]) -> PassLog {
    for j in earlier
        .iter()
        .filter(|j| j.let_through && j.at <= read.until)
    {
        if j.pass_id == read.pass_id && log.last.is_none_or(|(_, at)| j.at >= at) {
            log.last = Some((j.direction, j.at));
        }
        if let Some(since) = read.exits_since
            && j.household_pass
            && j.household_id == read.household_id
            && j.direction == Direction::Out
            && j.at >= since
        {
            log.exits.push(j.at);
        }
    }
    log
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;

    fn read(exits_since: Option<i64>) -> LogRead {
        LogRead {
            pass_id: 1,
            household_id: 10,
            exits_since,
            until: 5 * DAY,
        }
    }

    fn judged(pass_id: i64, direction: Direction, at: i64) -> Judged {
        Judged {
            pass_id,
            household_id: 10,
            household_pass: true,
            direction,
            at,
            let_through: true,
        }
    }

    #[test]
    fn a_passage_judged_before_in_the_group_is_the_last_over_a_stored_one_of_its_time() {
        let stored = PassLog {
            last: Some((Direction::In, 5 * DAY)),
            exits: vec![],
        };
        let log = with_group(stored, &read(None), &[judged(1, Direction::Out, 5 * DAY)]);
        assert_eq!(log.last, Some((Direction::Out, 5 * DAY)));
        // And the later of two of the group, at the same time.
        let log = with_group(
            PassLog::default(),
            &read(None),
            &[
                judged(1, Direction::Out, 5 * DAY),
                judged(1, Direction::In, 5 * DAY),
            ],
        );
        assert_eq!(log.last, Some((Direction::In, 5 * DAY)));
    }

    #[test]
    fn only_the_passages_a_stored_read_would_find_are_added() {
        let mut refused = judged(1, Direction::Out, 4 * DAY);
        refused.let_through = false;
        let mut car = judged(2, Direction::Out, 4 * DAY);
        car.household_pass = false;
        let mut neighbour = judged(3, Direction::Out, 4 * DAY);
        neighbour.household_id = 11;
        let earlier = [
            refused,
            car,
            neighbour,
            // After the scan's own time (a scan recorded offline, sent late).
            judged(1, Direction::Out, 6 * DAY),
            // Before the quota's window.
            judged(4, Direction::Out, DAY),
            // Of the household, on its household pass, in the window: an exit.
            judged(4, Direction::Out, 3 * DAY),
            judged(4, Direction::In, 3 * DAY),
        ];
        let log = with_group(PassLog::default(), &read(Some(2 * DAY)), &earlier);
        assert_eq!(log.last, None);
        assert_eq!(log.exits, vec![3 * DAY]);
        // No quota counted: no exits read, none added.
        let log = with_group(PassLog::default(), &read(None), &earlier);
        assert!(log.exits.is_empty());
    }
}
