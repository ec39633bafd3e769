//! Tracing: every overlap of a case's time and place found in the system's own logs, merged
//! into one contact per person (or per household, where the log knows only the household),
//! strongest first.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// How close a contact came, strongest first: the order the lead reads the list in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ContactStrength))]
pub enum Strength {
    /// Lives in the case's household.
    Household,
    /// Lives in the case's unit (same stairwell).
    Unit,
    /// Lives in a household the case visited while there.
    Visited,
    /// Visited the case's household or building.
    Visitor,
    /// Passed the same gate within the configured minutes of the case.
    Gate,
    /// Lives in the case's building.
    Building,
    /// Worked there: delivered, collected rubbish, screened or checked.
    Worker,
}

impl Strength {
    /// A close contact: lived with the case, visited them or was visited; the lead's list
    /// ticks these for follow-up by default.
    pub fn is_close(self) -> bool {
        self <= Strength::Visitor
    }
}

crate::coded!(Strength {
    Household => "household",
    Unit => "unit",
    Visited => "visited",
    Visitor => "visitor",
    Gate => "gate",
    Building => "building",
    Worker => "worker",
});

/// Which log showed an overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OverlapLog))]
pub enum OverlapLog {
    /// The registry: where people live.
    Registry,
    /// The gate's passage log.
    Passage,
    /// The case's recorded movements.
    Movement,
    Delivery,
    Rubbish,
    Screening,
    Check,
}

crate::coded!(OverlapLog {
    Registry => "registry",
    Passage => "passage",
    Movement => "movement",
    Delivery => "delivery",
    Rubbish => "rubbish",
    Screening => "screening",
    Check => "check",
});

/// Who a contact is, as the log that found them knows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ContactKey {
    Resident(i64),
    /// The gate log and the building know a household, not which of its members.
    Household(i64),
    Visitor(i64),
    /// A worker's account.
    Account(i64),
}

/// One overlap: which log, when, where, how close.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Overlap {
    pub strength: Strength,
    pub log: OverlapLog,
    /// When the overlap happened (ms); `None` for living in the same place.
    pub at: Option<i64>,
    /// The place as people name it: a gate, a building, an address.
    pub place: String,
    /// For a passage, how many minutes from the case's own.
    pub minutes_apart: Option<i64>,
}

/// A contact with every overlap that found them, the strongest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub key: ContactKey,
    pub strength: Strength,
    pub overlaps: Vec<Overlap>,
}

/// The most overlaps kept per contact: the strongest and closest tell the why.
pub const OVERLAPS_KEPT: usize = 5;

/// The time a case's contacts are looked for in (ms, both ends included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub from: i64,
    pub to: i64,
}

impl Window {
    /// From `days_back` days before the day that starts at `first_day_ms` (the earlier of
    /// symptom onset and test, or the day the case was suspected) until `until`.
    pub fn back_from(first_day_ms: i64, days_back: i64, until: i64) -> Window {
        Window {
            from: first_day_ms - days_back * 86_400_000,
            to: until,
        }
    }

    pub fn holds(&self, at: i64) -> bool {
        (self.from..=self.to).contains(&at)
    }

    /// Whether `[from, to]` overlaps the window.
    pub fn meets(&self, from: i64, to: i64) -> bool {
        from <= self.to && to >= self.from
    }
}

/// Whether two passages at one gate are close enough to count.
pub fn close_at_gate(case_at: i64, other_at: i64, minutes: i64) -> bool {
    (case_at - other_at).abs() <= minutes * 60_000
}

/// One contact per key, each with its strongest overlap's strength and up to
/// [`OVERLAPS_KEPT`] overlaps (strongest, then closest in time, then earliest); contacts
/// strongest first, then by key so the order is the same at every run.
pub fn merge_overlaps(found: impl IntoIterator<Item = (ContactKey, Overlap)>) -> Vec<Contact> {
    let mut by_key: HashMap<ContactKey, Vec<Overlap>> = HashMap::new();
    for (key, overlap) in found {
        by_key.entry(key).or_default().push(overlap);
    }
    let mut contacts: Vec<Contact> = by_key
        .into_iter()
        .map(|(key, mut overlaps)| {
            overlaps.sort_by_key(|o| (o.strength, o.minutes_apart.unwrap_or(0), o.at));
            overlaps.dedup();
            overlaps.truncate(OVERLAPS_KEPT);
            Contact {
                key,
                strength: overlaps[0].strength,
                overlaps,
            }
        })
        .collect();
    contacts.sort_by_key(|c| (c.strength, c.key));
    contacts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(strength: Strength, at: Option<i64>, minutes: Option<i64>) -> Overlap {
        Overlap {
            strength,
            log: OverlapLog::Passage,
            at,
            place: "北门".to_owned(),
            minutes_apart: minutes,
        }
    }

    #[test]
    fn a_contact_found_twice_keeps_its_strongest_overlap_first() {
        let k = ContactKey::Household(7);
        let merged = merge_overlaps([
            (k, o(Strength::Building, None, None)),
            (k, o(Strength::Gate, Some(50), Some(4))),
            (k, o(Strength::Gate, Some(10), Some(1))),
            (ContactKey::Resident(3), o(Strength::Household, None, None)),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].key, ContactKey::Resident(3));
        assert_eq!(merged[1].strength, Strength::Gate);
        assert_eq!(merged[1].overlaps[0].minutes_apart, Some(1));
        assert_eq!(merged[1].overlaps.len(), 3);
    }

    #[test]
    fn a_contact_keeps_at_most_the_overlaps_that_tell_why() {
        let k = ContactKey::Visitor(1);
        let merged =
            merge_overlaps((0..20).map(|i| (k, o(Strength::Visitor, Some(i * 1000), None))));
        assert_eq!(merged[0].overlaps.len(), OVERLAPS_KEPT);
        assert_eq!(merged[0].overlaps[0].at, Some(0));
    }

    #[test]
    fn the_window_and_the_gate_bound_what_counts() {
        let w = Window::back_from(10 * 86_400_000, 3, 12 * 86_400_000);
        assert!(w.holds(7 * 86_400_000));
        assert!(!w.holds(7 * 86_400_000 - 1));
        assert!(!w.holds(12 * 86_400_000 + 1));
        assert!(w.meets(0, 7 * 86_400_000));
        assert!(!w.meets(0, 7 * 86_400_000 - 1));
        assert!(close_at_gate(1_000_000, 1_000_000 + 5 * 60_000, 5));
        assert!(!close_at_gate(1_000_000, 1_000_000 + 5 * 60_000 + 1, 5));
    }

    #[test]
    fn strengths_read_strongest_first() {
        let mut s = Strength::ALL.to_vec();
        s.reverse();
        s.sort();
        assert_eq!(s, Strength::ALL.to_vec());
        assert!(Strength::Household < Strength::Gate);
        assert!(Strength::Visitor.is_close() && !Strength::Gate.is_close());
    }
}
