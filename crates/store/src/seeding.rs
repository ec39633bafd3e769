//! A month of epidemic work written in bulk, for the demonstration community and the benchmark:
//! quarantine orders of returnees (active ones and ones already released), their twice-daily
//! checks, the fever and missed-check alerts those raise, and sealed doors. Set-based statements
//! per check slot, so a county's month (25,000 orders, 700,000 checks) takes seconds, not the
//! hours one use case per record would.
//!
//! Nothing here is reachable from the server: the binary's `demo` and `bench` commands call it
//! inside their own transaction and audit the seeding as one entry.

use sqlx::FromRow;

use crate::sql;
use crate::{Conn, Result};

/// One community's month, as planned by the caller (who knows the calendar and the accounts).
#[derive(Debug, Clone)]
pub struct Plan {
    pub community_id: i64,
    /// Orders to write, returnees first, the oldest started `start_dates[0]`.
    pub orders: usize,
    /// The start date of each order, oldest first (`YYYY-MM-DD`); cycled when shorter.
    pub start_dates: Vec<String>,
    /// How long each order lasts, in days.
    pub days: i64,
    /// Today, `YYYY-MM-DD`: orders that ended before it are released.
    pub today: String,
    /// The doctor and grid worker responsible in each grid, `(grid_id, doctor_id, grid_worker_id)`.
    pub responsible: Vec<(i64, Option<i64>, Option<i64>)>,
    /// The check slots that have closed, oldest first.
    pub closed_slots: Vec<ClosedSlot>,
    /// Alerts raised before this instant are resolved, as a doctor would have done.
    pub resolve_before_ms: i64,
    pub now_ms: i64,
}

/// A check slot whose window has closed.
#[derive(Debug, Clone)]
pub struct ClosedSlot {
    pub date: String,
    pub part: String,
    pub opens_ms: i64,
    pub closes_ms: i64,
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seeded {
    pub orders: i64,
    pub active_orders: i64,
    pub checks: i64,
    pub fever_alerts: i64,
    pub missed_alerts: i64,
    pub open_alerts: i64,
}

/// One in this many order-slots is left without a check (a missed-check alert).
const MISSED_ONE_IN: i64 = 40;
/// One in this many checks is febrile (a fever alert).
const FEVER_ONE_IN: i64 = 300;

#[derive(FromRow)]
struct Chosen {
    resident_id: i64,
    household_id: i64,
    building_id: i64,
    grid_id: i64,
}

/// Writes the plan. Run it in a write transaction on a community with no orders yet.
pub async fn seed(conn: &mut Conn, plan: &Plan) -> Result<Seeded> {
    let chosen = choose_residents(conn, plan).await?;
    insert_orders(conn, plan, &chosen).await?;
    analyze(conn, "quarantine_orders").await?;
    let mut seeded = Seeded::default();
    for (n, slot) in plan.closed_slots.iter().enumerate() {
        let k = i64::try_from(n).unwrap_or(0);
        if n % 10 == 1 {
            analyze(conn, "checks").await?;
        }
        seeded.checks += insert_checks(conn, plan.community_id, slot, k).await?;
        seeded.fever_alerts += raise_fever(conn, plan.community_id, slot).await?;
        seeded.missed_alerts += raise_missed(conn, plan.community_id, slot).await?;
    }
    resolve_old_alerts(conn, plan).await?;
    // Written in bulk past the counted writes: the community's home figures are counted anew.
    crate::home_counts::recount(conn, plan.community_id).await?;
    let counts = sql::fetch_one(
        conn,
        "SELECT (SELECT COUNT(*) FROM quarantine_orders WHERE community_id = $1) AS orders, \
         (SELECT COUNT(*) FROM quarantine_orders WHERE community_id = $1 AND state = 'active') \
         AS active_orders, \
         (SELECT COUNT(*) FROM check_alerts WHERE community_id = $1 AND state <> 'resolved') \
         AS open_alerts",
        (plan.community_id,),
    )
    .await?;
    let counts = SeededCounts::from_row(&counts)?;
    seeded.orders = counts.orders;
    seeded.active_orders = counts.active_orders;
    seeded.open_alerts = counts.open_alerts;
    Ok(seeded)
}

/// What the community holds once seeded.
#[derive(FromRow)]
struct SeededCounts {
    orders: i64,
    active_orders: i64,
    open_alerts: i64,
}

/// PostgreSQL plans the month's statements from statistics, which tables filled inside this
/// transaction do not have yet; SQLite plans from its indexes alone.
async fn analyze(conn: &mut Conn, table: &str) -> Result<()> {
    if conn.backend_name() == "PostgreSQL" {
        sql::execute(conn, sqlx::AssertSqlSafe(format!("ANALYZE {table}")), ()).await?;
    }
    Ok(())
}

/// Returnees first (they are why the community quarantines), then anyone, in id order.
async fn choose_residents(conn: &mut Conn, plan: &Plan) -> Result<Vec<Chosen>> {
    let limit = i64::try_from(plan.orders).unwrap_or(i64::MAX);
    sql::all(
        conn,
        "SELECT id AS resident_id, household_id, building_id, grid_id FROM residents \
         WHERE community_id = $1 \
         ORDER BY CASE WHEN travel_status = 'returned' THEN 0 ELSE 1 END, id LIMIT $2",
        (plan.community_id, limit),
    )
    .await
}

async fn insert_orders(conn: &mut Conn, plan: &Plan, chosen: &[Chosen]) -> Result<()> {
    const COLUMNS: usize = 16;
    const ROWS: usize = 100;
    let responsible: std::collections::HashMap<i64, (Option<i64>, Option<i64>)> = plan
        .responsible
        .iter()
        .map(|(g, d, w)| (*g, (*d, *w)))
        .collect();
    let end_of = |start: &str| -> String {
        start
            .parse::<jiff::civil::Date>()
            .ok()
            .and_then(|d| d.checked_add(jiff::Span::new().days(plan.days)).ok())
            .map(|d| d.to_string())
            .unwrap_or_else(|| start.to_owned())
    };
    let total = chosen.len().max(1);
    for (b, batch) in chosen.chunks(ROWS).enumerate() {
        let sql = format!(
            "INSERT INTO quarantine_orders (resident_id, household_id, building_id, grid_id, \
             community_id, reason, kind, state, start_date, days, end_date, door_sealed, \
             camera_installed, doctor_id, grid_worker_id, created_at, updated_at) {}",
            values_with_updated(batch.len(), COLUMNS)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (i, c) in batch.iter().enumerate() {
            let n = b * ROWS + i;
            let start = &plan.start_dates[(n * plan.start_dates.len() / total)
                .min(plan.start_dates.len().saturating_sub(1))];
            let end = end_of(start);
            let state = if end.as_str() < plan.today.as_str() {
                "released"
            } else {
                "active"
            };
            let (doctor, worker) = responsible.get(&c.grid_id).copied().unwrap_or((None, None));
            // Most doors of a home quarantine are sealed; a few households got a camera instead.
            let sealed = i64::from(!n.is_multiple_of(10));
            q = q
                .bind(c.resident_id)
                .bind(c.household_id)
                .bind(c.building_id)
                .bind(c.grid_id)
                .bind(plan.community_id)
                .bind("returnee")
                .bind("home")
                .bind(state)
                .bind(start.clone())
                .bind(plan.days)
                .bind(end)
                .bind(sealed)
                .bind(1 - sealed)
                .bind(doctor)
                .bind(worker)
                .bind(plan.now_ms);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `VALUES (...), (...)` with `updated_at` bound to the same parameter as `created_at`.
fn values_with_updated(rows: usize, cols: usize) -> String {
    let tuples = (0..rows)
        .map(|r| {
            let mut cols_sql: Vec<String> =
                (1..=cols).map(|c| format!("${}", r * cols + c)).collect();
            cols_sql.push(format!("${}", r * cols + cols));
            format!("({})", cols_sql.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("VALUES {tuples}")
}

/// Every order in quarantine during the slot is checked, but one in [`MISSED_ONE_IN`]; the
/// temperatures vary between 36.0 and 37.0 °C by order and slot.
async fn insert_checks(
    conn: &mut Conn,
    community_id: i64,
    slot: &ClosedSlot,
    k: i64,
) -> Result<i64> {
    let (date, part) = (slot.date.as_str(), slot.part.as_str());
    let done = sql::execute(
        conn,
        "INSERT INTO checks (order_id, community_id, grid_id, building_id, slot_date, slot_part, \
         temperature, symptoms, other_symptom, febrile, method, recorded_by, recorder_name, \
         checked_at) \
         SELECT q.id, q.community_id, q.grid_id, q.building_id, $2, $3, \
         360 + ((q.id * 7 + $4) % 11), '', '', 0, 'doctor_call', q.doctor_id, '', \
         $5 + ((q.id * 37) % 7200000) \
         FROM quarantine_orders q \
         WHERE q.community_id = $1 AND q.start_date <= $2 AND q.end_date >= $2 \
         AND (q.id * 31 + $4) % $6 <> 0",
        (community_id, date, part, k, slot.opens_ms, MISSED_ONE_IN),
    )
    .await?;
    // A few of them with a fever and a cough, as a doctor would record it.
    sql::execute(conn, "UPDATE checks SET temperature = 381 + (order_id % 9), febrile = 1, symptoms = 'fever,cough' \
         WHERE community_id = $1 AND slot_date = $2 AND slot_part = $3 \
         AND (order_id * 13 + $4) % $5 = 0", (community_id, date, part, k, FEVER_ONE_IN)).await?;
    Ok(i64::try_from(done.rows_affected()).unwrap_or(i64::MAX))
}

async fn raise_fever(conn: &mut Conn, community_id: i64, slot: &ClosedSlot) -> Result<i64> {
    let done = sql::execute(
        conn,
        "INSERT INTO check_alerts (kind, order_id, check_id, community_id, grid_id, building_id, \
         slot_date, slot_part, state, raised_at) \
         SELECT 'fever', c.order_id, c.id, c.community_id, c.grid_id, c.building_id, \
         c.slot_date, c.slot_part, 'open', c.checked_at \
         FROM checks c WHERE c.community_id = $1 AND c.slot_date = $2 AND c.slot_part = $3 \
         AND c.febrile = 1",
        (community_id, slot.date.as_str(), slot.part.as_str()),
    )
    .await?;
    Ok(i64::try_from(done.rows_affected()).unwrap_or(i64::MAX))
}

/// Raised when the slot closed, as the job does.
async fn raise_missed(conn: &mut Conn, community_id: i64, slot: &ClosedSlot) -> Result<i64> {
    let done = sql::execute(
        conn,
        "INSERT INTO check_alerts (kind, order_id, community_id, grid_id, building_id, \
         slot_date, slot_part, state, raised_at) \
         SELECT 'missed_check', q.id, q.community_id, q.grid_id, q.building_id, $2, $3, 'open', $4 \
         FROM quarantine_orders q \
         WHERE q.community_id = $1 AND q.start_date <= $2 AND q.end_date >= $2 \
         AND NOT EXISTS (SELECT 1 FROM checks c WHERE c.order_id = q.id \
         AND c.slot_date = $2 AND c.slot_part = $3 AND c.superseded_at IS NULL)",
        (
            community_id,
            slot.date.as_str(),
            slot.part.as_str(),
            slot.closes_ms,
        ),
    )
    .await?;
    Ok(i64::try_from(done.rows_affected()).unwrap_or(i64::MAX))
}

/// Alerts of the days before are resolved by their order's doctor; the recent ones stay open.
async fn resolve_old_alerts(conn: &mut Conn, plan: &Plan) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE check_alerts SET state = 'resolved', \
         acknowledged_by = (SELECT q.doctor_id FROM quarantine_orders q WHERE q.id = order_id), \
         acknowledged_at = raised_at + 600000, \
         resolved_by = (SELECT q.doctor_id FROM quarantine_orders q WHERE q.id = order_id), \
         resolved_at = raised_at + 1800000, resolution_note = 'called back, recorded' \
         WHERE community_id = $1 AND raised_at < $2",
        (plan.community_id, plan.resolve_before_ms),
    )
    .await?;
    Ok(())
}

/// Marks a freshly seeded month of passages all-visible on PostgreSQL, outside any
/// transaction, as autovacuum does for a live log long before anyone traces through it: without
/// it every index-only read of the month visits the table's pages too. SQLite has no such map.
pub async fn settle_passages(conn: &mut Conn) -> Result<()> {
    if conn.backend_name() == "PostgreSQL" {
        sql::execute(conn, "VACUUM (ANALYZE) passages", ()).await?;
    }
    Ok(())
}

/// A gate's history of household passages, for the demonstration and the benchmark.
#[derive(Debug, Clone, Copy)]
pub struct PassageHistory {
    pub community_id: i64,
    pub gate_id: i64,
    pub guard_id: i64,
    /// Days back from `now_ms`.
    pub days: i64,
    /// Passages of each household pass a day, alternately out and in.
    pub per_day: i64,
    pub now_ms: i64,
}

/// Writes `days × per_day` passages for every household pass of the community in one statement
/// (days and passages numbered by recursive CTEs, as BIGINT: a day's milliseconds times 30
/// overflow PostgreSQL's INTEGER), spread over the hours of each day; returns how many were
/// written.
pub async fn passage_history(conn: &mut Conn, h: &PassageHistory) -> Result<u64> {
    let done = sql::execute(
        conn,
        "WITH RECURSIVE d(n) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT n + 1 FROM d \
         WHERE n + 1 < $1), s(k) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT k + 1 FROM s \
         WHERE k + 1 < $2) \
         INSERT INTO passages (gate_id, community_id, at, direction, pass_id, household_id, \
         persons, temperature_tenths, result, guard_id, conflict, created_at) \
         SELECT $3, p.community_id, \
         $4 - (d.n + 1) * 86400000 + ((p.household_id * 7919 + s.k * 10800000) % 86400000), \
         CASE WHEN s.k % 2 = 0 THEN 'out' ELSE 'in' END, p.id, p.household_id, 1, \
         360 + (p.household_id + s.k) % 10, 'admitted', $5, 0, $4 \
         FROM passes p CROSS JOIN d CROSS JOIN s \
         WHERE p.community_id = $6 AND p.kind = 'household'",
        (
            h.days,
            h.per_day,
            h.gate_id,
            h.now_ms,
            h.guard_id,
            h.community_id,
        ),
    )
    .await?;
    analyze(conn, "passages").await?;
    Ok(done.rows_affected())
}
