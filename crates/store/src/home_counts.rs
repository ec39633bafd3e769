//! The figures of a community's "today", adjusted by the writes of orders, checks and alerts in
//! their own transactions (migration 0019), so a home page reads a few dozen rows of counts
//! instead of counting the big tables on every load.

use std::collections::HashMap;

use domain::health::AlertKind;
use domain::quarantine::Part;
use serde::Serialize;
use sqlx::FromRow;

use crate::sql;
use crate::{Conn, Result};

/// What one row of `community_day_counts` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    /// Orders that became active, on their start date.
    OrdersIn,
    /// Orders released or transferred, on the day they were closed.
    OrdersOut,
    /// Current check records of the morning slot (a correction replaces, it does not add).
    ChecksMorning,
    ChecksEvening,
    FeverRaised,
    MissedRaised,
}

impl Measure {
    pub const ALL: [Measure; 6] = [
        Measure::OrdersIn,
        Measure::OrdersOut,
        Measure::ChecksMorning,
        Measure::ChecksEvening,
        Measure::FeverRaised,
        Measure::MissedRaised,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Measure::OrdersIn => "orders_in",
            Measure::OrdersOut => "orders_out",
            Measure::ChecksMorning => "checks_morning",
            Measure::ChecksEvening => "checks_evening",
            Measure::FeverRaised => "fever_raised",
            Measure::MissedRaised => "missed_raised",
        }
    }

    fn from_code(code: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.code() == code)
    }

    pub fn checks(part: Part) -> Measure {
        match part {
            Part::Morning => Measure::ChecksMorning,
            Part::Evening => Measure::ChecksEvening,
        }
    }

    pub fn raised(kind: AlertKind) -> Measure {
        match kind {
            AlertKind::Fever => Measure::FeverRaised,
            AlertKind::MissedCheck => Measure::MissedRaised,
        }
    }
}

fn open_code(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::Fever => "fever_open",
        AlertKind::MissedCheck => "missed_open",
    }
}

/// Adds `delta` to a community's measure on a day (negative to take away).
pub(crate) async fn add(
    conn: &mut Conn,
    community_id: i64,
    day: &str,
    measure: Measure,
    delta: i64,
) -> Result<()> {
    if delta == 0 {
        return Ok(());
    }
    sql::execute(
        conn,
        "INSERT INTO community_day_counts (community_id, day, measure, amount) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (community_id, measure, day) \
         DO UPDATE SET amount = community_day_counts.amount + excluded.amount",
        (community_id, day, measure.code(), delta),
    )
    .await?;
    Ok(())
}

/// Adds `delta` to a community's unresolved alerts of a kind.
pub(crate) async fn add_open(
    conn: &mut Conn,
    community_id: i64,
    kind: AlertKind,
    delta: i64,
) -> Result<()> {
    if delta == 0 {
        return Ok(());
    }
    sql::execute(
        conn,
        "INSERT INTO community_open_counts (community_id, measure, amount) \
         VALUES ($1, $2, $3) ON CONFLICT (community_id, measure) \
         DO UPDATE SET amount = community_open_counts.amount + excluded.amount",
        (community_id, open_code(kind), delta),
    )
    .await?;
    Ok(())
}

/// A raised alert counted: once for its slot's day, once among the open.
pub(crate) async fn alert_raised(
    conn: &mut Conn,
    community_id: i64,
    slot_date: &str,
    kind: AlertKind,
    alerts: i64,
) -> Result<()> {
    add(conn, community_id, slot_date, Measure::raised(kind), alerts).await?;
    add_open(conn, community_id, kind, alerts).await
}

/// One day's figures of a community.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = TodayDayDto))]
pub struct Day {
    pub day: String,
    pub orders_in: i64,
    pub orders_out: i64,
    pub checks_morning: i64,
    pub checks_evening: i64,
    pub fever_raised: i64,
    pub missed_raised: i64,
}

impl Day {
    fn set(&mut self, m: Measure, amount: i64) {
        let slot = match m {
            Measure::OrdersIn => &mut self.orders_in,
            Measure::OrdersOut => &mut self.orders_out,
            Measure::ChecksMorning => &mut self.checks_morning,
            Measure::ChecksEvening => &mut self.checks_evening,
            Measure::FeverRaised => &mut self.fever_raised,
            Measure::MissedRaised => &mut self.missed_raised,
        };
        *slot += amount;
    }
}

#[derive(FromRow)]
struct DayRow {
    day: String,
    measure: String,
    amount: i64,
}

/// The figures of each day in `days` (dates, oldest first) for a community: at most six rows a
/// day from the primary key.
pub async fn days(conn: &mut Conn, community_id: i64, days: &[String]) -> Result<Vec<Day>> {
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Ok(Vec::new());
    };
    let rows: Vec<DayRow> = sql::all(
        conn,
        "SELECT day, measure, amount FROM community_day_counts \
         WHERE community_id = $1 AND day >= $2 AND day <= $3",
        (community_id, first.as_str(), last.as_str()),
    )
    .await?;
    let mut by_day: HashMap<&str, Day> = days
        .iter()
        .map(|d| {
            (
                d.as_str(),
                Day {
                    day: d.clone(),
                    ..Day::default()
                },
            )
        })
        .collect();
    for r in &rows {
        if let (Some(d), Some(m)) = (
            by_day.get_mut(r.day.as_str()),
            Measure::from_code(&r.measure),
        ) {
            d.set(m, r.amount);
        }
    }
    Ok(days
        .iter()
        .filter_map(|d| by_day.remove(d.as_str()))
        .collect())
}

#[derive(FromRow)]
struct OpenRow {
    measure: String,
    amount: i64,
}

/// A community's unresolved alerts: (fever, missed check).
pub async fn open_alerts(conn: &mut Conn, community_id: i64) -> Result<(i64, i64)> {
    let rows: Vec<OpenRow> = sql::all(
        conn,
        "SELECT measure, amount FROM community_open_counts WHERE community_id = $1",
        (community_id,),
    )
    .await?;
    let mut open = (0, 0);
    for r in rows {
        if r.measure == open_code(AlertKind::Fever) {
            open.0 = r.amount;
        } else if r.measure == open_code(AlertKind::MissedCheck) {
            open.1 = r.amount;
        }
    }
    Ok(open)
}

/// Residents of a community in quarantine now, and those of them whose order ends on `today`.
/// Read from the orders' (community, state) and (community, end date) indexes: bounded by the
/// community's active orders and by the orders ending that day, not by all orders ever made.
pub async fn in_quarantine(conn: &mut Conn, community_id: i64, today: &str) -> Result<(i64, i64)> {
    let active: i64 = sql::scalar(
        conn,
        "SELECT COUNT(*) FROM quarantine_orders WHERE community_id = $1 AND state = 'active'",
        (community_id,),
    )
    .await?;
    let ending: i64 = sql::scalar(
        conn,
        "SELECT COUNT(*) FROM quarantine_orders WHERE community_id = $1 AND end_date = $2 \
         AND state = 'active'",
        (community_id, today),
    )
    .await?;
    Ok((active, ending))
}

/// Counts a community's figures again from the orders, checks and alerts: after a bulk write
/// that bypassed the use cases (the demonstration's and the benchmark's seeding).
pub async fn recount(conn: &mut Conn, community_id: i64) -> Result<()> {
    for sql in [
        "DELETE FROM community_day_counts WHERE community_id = $1",
        "DELETE FROM community_open_counts WHERE community_id = $1",
        "INSERT INTO community_day_counts (community_id, day, measure, amount) \
         SELECT community_id, start_date, 'orders_in', COUNT(*) FROM quarantine_orders \
         WHERE community_id = $1 AND state IN ('active', 'released', 'transferred_to_hospital') \
         GROUP BY community_id, start_date",
        "INSERT INTO community_day_counts (community_id, day, measure, amount) \
         SELECT community_id, COALESCE(closed_on, end_date), 'orders_out', COUNT(*) \
         FROM quarantine_orders \
         WHERE community_id = $1 AND state IN ('released', 'transferred_to_hospital') \
         GROUP BY community_id, COALESCE(closed_on, end_date)",
        "INSERT INTO community_day_counts (community_id, day, measure, amount) \
         SELECT community_id, slot_date, CASE WHEN slot_part = 'morning' THEN 'checks_morning' \
         ELSE 'checks_evening' END, COUNT(*) FROM checks \
         WHERE community_id = $1 AND replaces_id IS NULL \
         GROUP BY community_id, slot_date, slot_part",
        "INSERT INTO community_day_counts (community_id, day, measure, amount) \
         SELECT community_id, slot_date, CASE WHEN kind = 'fever' THEN 'fever_raised' \
         ELSE 'missed_raised' END, COUNT(*) FROM check_alerts WHERE community_id = $1 \
         GROUP BY community_id, slot_date, kind",
        "INSERT INTO community_open_counts (community_id, measure, amount) \
         SELECT community_id, CASE WHEN kind = 'fever' THEN 'fever_open' ELSE 'missed_open' END, \
         COUNT(*) FROM check_alerts WHERE community_id = $1 AND state <> 'resolved' \
         GROUP BY community_id, kind",
    ] {
        sql::execute(conn, sql, (community_id,)).await?;
    }
    Ok(())
}

/// Deliveries of a community not yet left at the door and due by `today`. Read from the
/// (community, state) index: bounded by the open tasks, which end with their orders.
pub async fn deliveries_due(conn: &mut Conn, community_id: i64, today: &str) -> Result<i64> {
    sql::scalar(
        conn,
        "SELECT COUNT(*) FROM delivery_tasks WHERE community_id = $1 \
         AND state IN ('open', 'asked') AND due_date <= $2",
        (community_id, today),
    )
    .await
}

/// A community's rubbish rounds of `today` and the doors they have left to visit (kept counts
/// on one row a grid).
pub async fn rounds_on(conn: &mut Conn, community_id: i64, today: &str) -> Result<(i64, i64)> {
    let (rounds, pending): (i64, Option<i64>) = sql::one(
        conn,
        "SELECT COUNT(*), CAST(SUM(pending) AS BIGINT) FROM rubbish_rounds \
         WHERE community_id = $1 AND round_date = $2",
        (community_id, today),
    )
    .await?;
    Ok((rounds, pending.unwrap_or(0)))
}

/// One grid's households in a screening campaign.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq, FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = GridScreeningDto))]
pub struct GridScreening {
    pub grid_id: i64,
    pub grid_name: String,
    pub open: i64,
    pub unreachable: i64,
    pub done: i64,
}

/// The newest open screening campaign of a community, `(id, name)`.
pub async fn open_campaign(conn: &mut Conn, community_id: i64) -> Result<Option<(i64, String)>> {
    sql::optional(
        conn,
        "SELECT id, name FROM screening_campaigns WHERE community_id = $1 AND state = 'open' \
         ORDER BY id DESC LIMIT 1",
        (community_id,),
    )
    .await
}

/// A campaign's progress per grid, summed over its teams from the campaign's kept counts.
pub async fn screening_by_grid(conn: &mut Conn, campaign_id: i64) -> Result<Vec<GridScreening>> {
    sql::all(
        conn,
        "SELECT k.grid_id, g.name AS grid_name, \
         CAST(SUM(k.open_households) AS BIGINT) AS open, \
         CAST(SUM(k.unreachable_households) AS BIGINT) AS unreachable, \
         CAST(SUM(k.done_households) AS BIGINT) AS done \
         FROM screening_counts k JOIN grids g ON g.id = k.grid_id \
         WHERE k.campaign_id = $1 GROUP BY k.grid_id, g.name ORDER BY k.grid_id",
        (campaign_id,),
    )
    .await
}
