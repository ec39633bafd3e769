//! Where each role's day starts: the home page a role lands on, and the few rules behind the
//! figures of a community's "today".

use jiff::civil::Date;

use crate::access::Role;

/// What `/` shows a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    /// A community's today: quarantine, checks, alerts, screening, tasks, imports and charts
    /// (community staff, the community's lead). An official or an administrator with several
    /// communities sees them side by side.
    Today,
    /// The doctor's worklist, open alerts first.
    Worklist,
    /// The grid worker's grid and open screening households.
    Grid,
    /// The volunteer's tasks of the day.
    Tasks,
    /// The guard's gate.
    Gate,
    /// The audit trail.
    Audit,
    /// Suspected cases awaiting a decision and the risk map.
    Cases,
}

/// The home of a role.
pub fn home_of(role: Role) -> Home {
    match role {
        Role::Admin | Role::Official | Role::CommunityStaff => Home::Today,
        Role::Doctor => Home::Worklist,
        Role::GridWorker => Home::Grid,
        Role::Volunteer => Home::Tasks,
        Role::Guard => Home::Gate,
        Role::Auditor => Home::Audit,
        Role::CdcLiaison => Home::Cases,
    }
}

/// The page a home that is another page sends its role to; `None` for the homes drawn at `/`.
pub fn home_path(home: Home) -> Option<&'static str> {
    match home {
        Home::Worklist => Some("/checks#alerts"),
        Home::Tasks => Some("/tasks"),
        Home::Gate => Some("/gates/scan"),
        Home::Audit => Some("/audit"),
        Home::Today | Home::Grid | Home::Cases => None,
    }
}

/// How many days the home's charts show, today included.
pub const CHART_DAYS: usize = 14;

/// The `n` days ending with `today`, oldest first.
pub fn last_days(today: Date, n: usize) -> Vec<Date> {
    let mut days = Vec::with_capacity(n);
    let mut d = today;
    for _ in 0..n {
        days.push(d);
        match d.yesterday() {
            Ok(y) => d = y,
            Err(_) => break,
        }
    }
    days.reverse();
    days
}

/// Checks not yet recorded in the current slot: the orders active now less the slot's records,
/// never below nothing (an order released after its check leaves a record and no order).
pub fn missing_checks(active_orders: i64, recorded: i64) -> i64 {
    (active_orders - recorded).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_a_home_and_the_field_roles_land_on_their_work() {
        assert_eq!(home_of(Role::CommunityStaff), Home::Today);
        assert_eq!(home_path(home_of(Role::Doctor)), Some("/checks#alerts"));
        assert_eq!(home_path(home_of(Role::Volunteer)), Some("/tasks"));
        assert_eq!(home_path(home_of(Role::Guard)), Some("/gates/scan"));
        assert_eq!(home_path(home_of(Role::Auditor)), Some("/audit"));
        assert_eq!(home_of(Role::GridWorker), Home::Grid);
        assert_eq!(home_of(Role::CdcLiaison), Home::Cases);
        assert_eq!(home_path(Home::Today), None);
    }

    #[test]
    fn last_days_end_today_oldest_first_across_a_month() {
        let today = Date::constant(2020, 3, 2);
        let days = last_days(today, 3);
        assert_eq!(
            days,
            vec![
                Date::constant(2020, 2, 29),
                Date::constant(2020, 3, 1),
                Date::constant(2020, 3, 2)
            ]
        );
        assert_eq!(last_days(today, CHART_DAYS).len(), 14);
    }

    #[test]
    fn missing_checks_never_fall_below_nothing() {
        assert_eq!(missing_checks(10, 4), 6);
        assert_eq!(missing_checks(3, 5), 0);
    }
}
