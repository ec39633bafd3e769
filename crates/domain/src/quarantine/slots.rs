//! The twice-daily check slots and the windows in which they are expected.

use jiff::civil::{Date, DateTime, Time};
use serde::{Deserialize, Serialize};

/// Morning or evening check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SlotPart))]
pub enum Part {
    Morning,
    Evening,
}

impl Part {
    pub const ALL: [Part; 2] = [Part::Morning, Part::Evening];

    pub fn code(self) -> &'static str {
        match self {
            Part::Morning => "morning",
            Part::Evening => "evening",
        }
    }

    pub fn from_code(s: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| p.code() == s)
    }
}

crate::stored_as_code!(Part);

/// One of the two checks of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Slot {
    pub date: Date,
    pub part: Part,
}

impl Slot {
    /// The slot's key, `2020-02-01/morning`: how jobs and links name a slot.
    pub fn key(self) -> String {
        format!("{}/{}", self.date, self.part.code())
    }

    pub fn from_key(s: &str) -> Option<Slot> {
        let (date, part) = s.trim().split_once('/')?;
        Some(Slot {
            date: date.parse().ok()?,
            part: Part::from_code(part)?,
        })
    }

    /// The slot after this one: the evening of a morning, the next morning of an evening.
    pub fn next(self) -> Slot {
        match self.part {
            Part::Morning => Slot {
                date: self.date,
                part: Part::Evening,
            },
            Part::Evening => Slot {
                date: self.date.tomorrow().unwrap_or(self.date),
                part: Part::Morning,
            },
        }
    }

    /// The slot before this one.
    pub fn previous(self) -> Slot {
        match self.part {
            Part::Evening => Slot {
                date: self.date,
                part: Part::Morning,
            },
            Part::Morning => Slot {
                date: self.date.yesterday().unwrap_or(self.date),
                part: Part::Evening,
            },
        }
    }

    /// Whether an order running from `start` to `end` (its last day) covers this slot's day.
    pub fn within(self, start: Date, end: Date) -> bool {
        start <= self.date && self.date <= end
    }
}

/// The most days a printed self-report sheet lists: six weeks, the longest order with its
/// extensions; a longer one gets a new sheet.
pub const SHEET_DAYS_MAX: usize = 42;

/// The slots a printed self-report sheet has a line for: each slot of each day from the order's
/// first day (or today, when it has begun) to its last, oldest first, at most
/// [`SHEET_DAYS_MAX`] days.
pub fn sheet_slots(start: Date, end: Date, today: Date) -> Vec<Slot> {
    let mut day = start.max(today);
    let mut out = Vec::new();
    while day <= end && out.len() < SHEET_DAYS_MAX * Part::ALL.len() {
        out.extend(Part::ALL.map(|part| Slot { date: day, part }));
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    out
}

/// When checks are expected, in the community's local time (default 07:00–10:00, 17:00–20:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    pub morning: (Time, Time),
    pub evening: (Time, Time),
}

impl Default for Windows {
    fn default() -> Self {
        Windows {
            morning: (Time::constant(7, 0, 0, 0), Time::constant(10, 0, 0, 0)),
            evening: (Time::constant(17, 0, 0, 0), Time::constant(20, 0, 0, 0)),
        }
    }
}

impl Windows {
    /// The slot a check made at local time `at` fills: the morning one until the evening window
    /// opens (a late morning call still counts for the morning), the evening one after.
    pub fn slot_of(&self, at: DateTime) -> Slot {
        let part = if at.time() < self.evening.0 {
            Part::Morning
        } else {
            Part::Evening
        };
        Slot {
            date: at.date(),
            part,
        }
    }

    /// When a slot closes: after this, a slot without a check is missed.
    pub fn closes_at(&self, slot: Slot) -> DateTime {
        let t = match slot.part {
            Part::Morning => self.morning.1,
            Part::Evening => self.evening.1,
        };
        slot.date.to_datetime(t)
    }

    /// When a slot's window opens.
    pub fn opens_at(&self, slot: Slot) -> DateTime {
        let t = match slot.part {
            Part::Morning => self.morning.0,
            Part::Evening => self.evening.0,
        };
        slot.date.to_datetime(t)
    }

    /// The slot a doctor plans for at local time `at`, given the slot of the moment: between
    /// the morning's close and the evening's opening it is the evening to come, since the
    /// morning can no longer be filled in time; otherwise the slot of the moment itself.
    pub fn planned_slot(&self, current: Slot, at: DateTime) -> Slot {
        match current.part {
            Part::Morning if at >= self.closes_at(current) => Slot {
                date: current.date,
                part: Part::Evening,
            },
            _ => current,
        }
    }

    /// The slots that closed after `from` and no later than `to` (local times), oldest first.
    pub fn closed_between(&self, from: DateTime, to: DateTime) -> Vec<Slot> {
        let mut out = Vec::new();
        let mut day = from.date();
        while day <= to.date() {
            for part in Part::ALL {
                let slot = Slot { date: day, part };
                let closes = self.closes_at(slot);
                if from < closes && closes <= to {
                    out.push(slot);
                }
            }
            match day.tomorrow() {
                Ok(d) => day = d,
                Err(_) => break,
            }
        }
        out
    }

    /// Parses `07:00-10:00,17:00-20:00`: the morning window, then the evening one, in order and
    /// not overlapping.
    pub fn parse(raw: &str) -> Result<Windows, WindowsError> {
        let parts: Vec<&str> = raw.split([',', ';']).map(str::trim).collect();
        let [m, e] = parts.as_slice() else {
            return Err(WindowsError::Format);
        };
        let window = |s: &str| -> Result<(Time, Time), WindowsError> {
            let (a, b) = s.split_once(['-', '–']).ok_or(WindowsError::Format)?;
            let t = |x: &str| {
                let x = x.trim();
                let (h, m) = x.split_once(':').ok_or(WindowsError::Format)?;
                let h: i8 = h.parse().map_err(|_| WindowsError::Format)?;
                let m: i8 = m.parse().map_err(|_| WindowsError::Format)?;
                Time::new(h, m, 0, 0).map_err(|_| WindowsError::Format)
            };
            Ok((t(a)?, t(b)?))
        };
        let w = Windows {
            morning: window(m)?,
            evening: window(e)?,
        };
        if w.morning.0 < w.morning.1 && w.morning.1 <= w.evening.0 && w.evening.0 < w.evening.1 {
            Ok(w)
        } else {
            Err(WindowsError::Order)
        }
    }
}

impl std::fmt::Display for Windows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hm = |t: Time| format!("{:02}:{:02}", t.hour(), t.minute());
        write!(
            f,
            "{}-{},{}-{}",
            hm(self.morning.0),
            hm(self.morning.1),
            hm(self.evening.0),
            hm(self.evening.1)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WindowsError {
    #[error("write the two windows as 07:00-10:00,17:00-20:00")]
    Format,
    #[error(
        "the morning window must end before the evening window starts, each start before its end"
    )]
    Order,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    #[test]
    fn windows_parse_and_print() {
        let w = Windows::parse("07:00-10:00, 17:00-20:00").expect("default windows");
        assert_eq!(w, Windows::default());
        assert_eq!(Windows::parse(&w.to_string()), Ok(w));
        assert_eq!(
            Windows::parse("06:30-09:00,16:00-19:30")
                .map(|w| w.evening.1)
                .ok(),
            Some(Time::constant(19, 30, 0, 0))
        );
        assert_eq!(Windows::parse("07:00-10:00"), Err(WindowsError::Format));
        assert_eq!(Windows::parse("7-10,17-20"), Err(WindowsError::Format));
        assert_eq!(
            Windows::parse("25:00-26:00,17:00-20:00"),
            Err(WindowsError::Format)
        );
        assert_eq!(
            Windows::parse("10:00-07:00,17:00-20:00"),
            Err(WindowsError::Order)
        );
        assert_eq!(
            Windows::parse("07:00-18:00,17:00-20:00"),
            Err(WindowsError::Order)
        );
    }

    #[test]
    fn slots_closed_in_a_span_oldest_first() {
        let w = Windows::default();
        let at = |s: &str| s.parse::<DateTime>().expect("datetime");
        let keys: Vec<String> = w
            .closed_between(at("2020-02-01T09:00"), at("2020-02-02T10:00"))
            .into_iter()
            .map(Slot::key)
            .collect();
        assert_eq!(
            keys,
            [
                "2020-02-01/morning",
                "2020-02-01/evening",
                "2020-02-02/morning"
            ]
        );
        assert!(
            w.closed_between(at("2020-02-01T10:00"), at("2020-02-01T19:59"))
                .is_empty()
        );
    }

    #[test]
    fn slot_keys_round_trip() {
        let s = Slot {
            date: d("2020-02-01"),
            part: Part::Evening,
        };
        assert_eq!(Slot::from_key(&s.key()), Some(s));
        assert_eq!(Slot::from_key("2020-02-01/noon"), None);
        assert_eq!(Slot::from_key("nonsense"), None);
        assert_eq!(s.previous().previous().key(), "2020-01-31/evening");
        assert!(s.within(d("2020-01-25"), d("2020-02-01")));
        assert!(!s.within(d("2020-02-02"), d("2020-02-10")));
    }

    #[test]
    fn checks_fill_morning_until_the_evening_window() {
        let w = Windows::default();
        let at = |s: &str| s.parse::<DateTime>().expect("datetime");
        assert_eq!(w.slot_of(at("2020-02-01T08:30")).part, Part::Morning);
        assert_eq!(w.slot_of(at("2020-02-01T13:00")).part, Part::Morning);
        assert_eq!(w.slot_of(at("2020-02-01T17:00")).part, Part::Evening);
        assert_eq!(w.slot_of(at("2020-02-01T23:59")).part, Part::Evening);
        assert_eq!(
            w.closes_at(Slot {
                date: d("2020-02-01"),
                part: Part::Evening
            }),
            at("2020-02-01T20:00")
        );
    }

    #[test]
    fn doctors_plan_for_the_evening_once_the_morning_closes() {
        let w = Windows::default();
        let at = |s: &str| s.parse::<DateTime>().expect("datetime");
        let morning = w.slot_of(at("2020-02-01T08:00"));
        assert_eq!(w.planned_slot(morning, at("2020-02-01T08:00")), morning);
        assert_eq!(w.planned_slot(morning, at("2020-02-01T09:59")), morning);
        let evening = Slot {
            date: d("2020-02-01"),
            part: Part::Evening,
        };
        assert_eq!(w.planned_slot(morning, at("2020-02-01T10:00")), evening);
        assert_eq!(w.planned_slot(morning, at("2020-02-01T16:59")), evening);
        assert_eq!(w.planned_slot(evening, at("2020-02-01T21:00")), evening);
    }

    #[test]
    fn a_sheet_lists_each_slot_from_today_or_the_start_to_the_last_day() {
        let keys = |start: &str, end: &str, today: &str| -> Vec<String> {
            sheet_slots(d(start), d(end), d(today))
                .into_iter()
                .map(Slot::key)
                .collect()
        };
        // A planned order: from its first day.
        assert_eq!(
            keys("2020-02-28", "2020-03-01", "2020-02-20"),
            [
                "2020-02-28/morning",
                "2020-02-28/evening",
                "2020-02-29/morning",
                "2020-02-29/evening",
                "2020-03-01/morning",
                "2020-03-01/evening"
            ]
        );
        // A running one: from today, the days gone being of no use on paper.
        assert_eq!(keys("2020-02-01", "2020-02-14", "2020-02-14").len(), 2);
        assert!(keys("2020-02-01", "2020-02-14", "2020-02-15").is_empty());
        // A very long one stops at six weeks.
        assert_eq!(
            keys("2020-01-01", "2020-12-31", "2020-01-01").len(),
            SHEET_DAYS_MAX * 2
        );
    }

    #[test]
    fn the_slot_after_an_evening_is_the_next_morning() {
        let morning = Slot::from_key("2020-02-29/morning").expect("slot");
        assert_eq!(morning.next().key(), "2020-02-29/evening");
        assert_eq!(morning.next().next().key(), "2020-03-01/morning");
        assert_eq!(morning.next().next().previous(), morning.next());
    }
}
