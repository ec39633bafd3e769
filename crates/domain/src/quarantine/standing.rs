//! Where a resident stands in quarantine on a given day, as the registry and the roster show it,
//! and the end days a roster is filtered by.

use jiff::civil::Date;

use super::State;

/// A resident's open order, as one line of the registry reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Placed, starting on the date.
    Planned { start: Date },
    /// In quarantine until the date (its last day), which is later than today.
    Until { end: Date },
    /// Today is the last day.
    EndsToday,
    /// The last day has passed and nobody released the order yet.
    Overdue { end: Date },
}

impl Standing {
    /// The code pages translate and style (green, amber, red).
    pub fn code(self) -> &'static str {
        match self {
            Standing::Planned { .. } => "planned",
            Standing::Until { .. } => "until",
            Standing::EndsToday => "ends_today",
            Standing::Overdue { .. } => "overdue",
        }
    }

    /// The date the standing names, if any.
    pub fn date(self) -> Option<Date> {
        match self {
            Standing::Planned { start } => Some(start),
            Standing::Until { end } | Standing::Overdue { end } => Some(end),
            Standing::EndsToday => None,
        }
    }
}

/// The standing of an order in `state` from `start` to `end` on `today`; `None` once it is closed
/// (released, transferred or cancelled).
pub fn standing(state: State, start: Date, end: Date, today: Date) -> Option<Standing> {
    match state {
        State::Planned => Some(Standing::Planned { start }),
        State::Active if end > today => Some(Standing::Until { end }),
        State::Active if end == today => Some(Standing::EndsToday),
        State::Active => Some(Standing::Overdue { end }),
        State::Released | State::TransferredToHospital | State::Cancelled => None,
    }
}

/// The last day a roster is filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndsOn {
    Today,
    Tomorrow,
}

crate::coded!(EndsOn {
    Today => "today",
    Tomorrow => "tomorrow",
});

impl EndsOn {
    /// The date it names, counted from `today`.
    pub fn date(self, today: Date) -> Date {
        match self {
            EndsOn::Today => today,
            EndsOn::Tomorrow => today.tomorrow().unwrap_or(today),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    #[test]
    fn an_active_order_is_until_its_end_then_ends_today_then_is_overdue() {
        let (start, end) = (d("2020-02-01"), d("2020-02-15"));
        let on = |today| standing(State::Active, start, end, d(today));
        assert_eq!(on("2020-02-14"), Some(Standing::Until { end }));
        assert_eq!(on("2020-02-15"), Some(Standing::EndsToday));
        assert_eq!(on("2020-02-16"), Some(Standing::Overdue { end }));
        assert_eq!(on("2020-02-14").and_then(Standing::date), Some(end));
    }

    #[test]
    fn a_planned_order_names_its_start_and_a_closed_one_nothing() {
        let (start, end) = (d("2020-02-03"), d("2020-02-17"));
        let today = d("2020-02-01");
        assert_eq!(
            standing(State::Planned, start, end, today),
            Some(Standing::Planned { start })
        );
        for s in State::ALL.into_iter().filter(|s| s.is_final()) {
            assert_eq!(standing(s, start, end, today), None);
        }
        assert_eq!(Standing::EndsToday.code(), "ends_today");
    }

    #[test]
    fn ends_on_counts_from_today() {
        let today = d("2020-02-29");
        assert_eq!(EndsOn::Today.date(today), today);
        assert_eq!(EndsOn::Tomorrow.date(today), d("2020-03-01"));
        assert_eq!(EndsOn::from_code("tomorrow"), Some(EndsOn::Tomorrow));
        assert_eq!(EndsOn::from_code("later"), None);
    }
}
