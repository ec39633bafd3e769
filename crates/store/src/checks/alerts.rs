//! Alerts raised by checks (fever) and by closed slots (missed check), and the doctor's slots of
//! the day.

use crate::registry::HouseholdAddress;
use domain::access::Jurisdiction;
use domain::health::{AlertKind, AlertState, Symptom};
use domain::page::{Page, PageRequest};
use domain::quarantine::Part;
use serde::Serialize;
use sqlx::FromRow;

use super::SymptomList;
use crate::rows::read;
use crate::scope::Where;
use crate::sql;
use crate::{Conn, Flag, Result, StoreError};

/// An alert with the resident and the home it concerns.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Alert {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: AlertKind,
    pub order_id: i64,
    pub resident_id: i64,
    pub resident_name: String,
    /// The resident's household: the phones a call button reaches.
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub address: HouseholdAddress,
    pub doctor_id: Option<i64>,
    pub slot_date: String,
    #[sqlx(try_from = "String")]
    pub slot_part: Part,
    #[sqlx(try_from = "String")]
    pub state: AlertState,
    pub raised_at: i64,
    pub acknowledged_by: Option<i64>,
    pub acknowledged_at: Option<i64>,
    pub resolved_by: Option<i64>,
    pub resolved_at: Option<i64>,
    pub resolution_note: Option<String>,
    /// The record that raised a fever alert: tenths of a degree and symptoms.
    pub check_id: Option<i64>,
    pub temperature: Option<i64>,
    #[sqlx(try_from = "SymptomList")]
    pub symptoms: Vec<Symptom>,
    pub other_symptom: String,
}

const ALERT_SELECT: &str = "SELECT a.id, a.kind, a.order_id, q.resident_id, q.household_id, \
     r.name AS resident_name, a.building_id, b.name AS building_name, u.name AS unit_name, \
     h.room, a.grid_id, a.community_id, q.doctor_id, a.slot_date, a.slot_part, a.state, a.raised_at, \
     a.acknowledged_by, a.acknowledged_at, a.resolved_by, a.resolved_at, a.resolution_note, \
     a.check_id, c.temperature, c.symptoms, COALESCE(c.other_symptom, '') AS other_symptom \
     FROM check_alerts a JOIN quarantine_orders q ON q.id = a.order_id \
     JOIN residents r ON r.id = q.resident_id JOIN households h ON h.id = q.household_id \
     JOIN units u ON u.id = h.unit_id JOIN buildings b ON b.id = a.building_id \
     LEFT JOIN checks c ON c.id = a.check_id";

/// A fever alert to raise; the place columns come from the order.
pub struct NewAlert<'a> {
    pub kind: AlertKind,
    pub order_id: i64,
    pub check_id: Option<i64>,
    pub community_id: i64,
    pub grid_id: i64,
    pub building_id: i64,
    pub slot_date: &'a str,
    pub slot_part: Part,
    pub raised_at: i64,
}

/// Raises an alert unless one of its kind exists for the slot; the new id, or `None`.
pub async fn raise_alert(conn: &mut Conn, a: &NewAlert<'_>) -> Result<Option<i64>> {
    let id = sql::scalar_optional(
        conn,
        "INSERT INTO check_alerts (kind, order_id, check_id, community_id, grid_id, building_id, \
         slot_date, slot_part, state, raised_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9) \
         ON CONFLICT (order_id, slot_date, slot_part, kind) DO NOTHING RETURNING id",
        (
            a.kind.code(),
            a.order_id,
            a.check_id,
            a.community_id,
            a.grid_id,
            a.building_id,
            a.slot_date,
            a.slot_part.code(),
            a.raised_at,
        ),
    )
    .await?;
    if id.is_some() {
        crate::home_counts::alert_raised(conn, a.community_id, a.slot_date, a.kind, 1).await?;
    }
    Ok(id)
}

/// Points the slot's unresolved alert of `kind` at a newer record (a febrile correction), so the
/// worklist shows the latest finding.
pub async fn refresh_alert_check(
    conn: &mut Conn,
    order_id: i64,
    slot_date: &str,
    slot_part: Part,
    kind: AlertKind,
    check_id: i64,
) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE check_alerts SET check_id = $1 WHERE order_id = $2 AND slot_date = $3 \
         AND slot_part = $4 AND kind = $5 AND state <> 'resolved'",
        (check_id, order_id, slot_date, slot_part.code(), kind.code()),
    )
    .await?;
    Ok(())
}

/// A missed-check alert just raised.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Raised {
    pub id: i64,
    pub order_id: i64,
    pub community_id: i64,
}

/// Raises a missed-check alert for every order that was active for the whole slot (started
/// before it opened, not closed before it closed) and has no record in it; one statement, so
/// 12,000 orders cost one pass over the active orders and an index probe each. The probe names
/// `superseded_at IS NULL` so it matches the partial unique index of current records exactly
/// (without it PostgreSQL scanned every check of the slot for each order: 1.4 s a slot).
pub async fn raise_missed(
    conn: &mut Conn,
    slot_date: &str,
    slot_part: &str,
    opens_ms: i64,
    closes_ms: i64,
    now_ms: i64,
) -> Result<Vec<Raised>> {
    let raised: Vec<Raised> = sql::all(
        conn,
        "INSERT INTO check_alerts (kind, order_id, community_id, grid_id, building_id, \
         slot_date, slot_part, state, raised_at) \
         SELECT 'missed_check', q.id, q.community_id, q.grid_id, q.building_id, $1, $2, 'open', $5 \
         FROM quarantine_orders q \
         WHERE (q.state = 'active' OR (q.state IN ('released', 'transferred_to_hospital') \
         AND q.updated_at >= $4)) \
         AND (q.start_date < $1 OR (q.start_date = $1 AND q.created_at <= $3)) \
         AND q.end_date >= $1 \
         AND NOT EXISTS (SELECT 1 FROM checks c WHERE c.order_id = q.id \
         AND c.slot_date = $1 AND c.slot_part = $2 AND c.superseded_at IS NULL) \
         ON CONFLICT (order_id, slot_date, slot_part, kind) DO NOTHING \
         RETURNING id, order_id, community_id",
        (slot_date, slot_part, opens_ms, closes_ms, now_ms),
    )
    .await?;
    let mut per_community: std::collections::HashMap<i64, i64> = Default::default();
    for r in &raised {
        *per_community.entry(r.community_id).or_default() += 1;
    }
    for (community_id, alerts) in per_community {
        crate::home_counts::alert_raised(
            conn,
            community_id,
            slot_date,
            AlertKind::MissedCheck,
            alerts,
        )
        .await?;
    }
    Ok(raised)
}

pub async fn alert(conn: &mut Conn, j: &Jurisdiction, id: i64) -> Result<Alert> {
    let mut w = Where::new();
    w.scope(j, "a").int("a.id = ?", id);
    w.fetch_one(conn, ALERT_SELECT, read::<Alert>).await
}

/// What a worklist asks for.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    /// Only alerts of orders this doctor is responsible for.
    pub doctor_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub order_id: Option<i64>,
    pub kind: Option<AlertKind>,
    /// One state; `None` for open and acknowledged (unresolved).
    pub state: Option<AlertState>,
}

/// Alerts in the jurisdiction, newest first; the page continues below the id `page.after`.
pub async fn list_alerts(
    conn: &mut Conn,
    j: &Jurisdiction,
    f: &AlertFilter,
    page: PageRequest,
) -> Result<Page<Alert>> {
    let mut w = Where::new();
    w.scope(j, "a");
    match &f.state {
        // The same text as the partial indexes' condition, so the planner can use them.
        None => {
            w.raw("a.state <> 'resolved'");
        }
        Some(s) => {
            w.text("a.state = ?", s.code().to_owned());
        }
    }
    w.int_if_given("q.doctor_id = ?", f.doctor_id);
    w.int_if_given("a.grid_id = ?", f.grid_id);
    w.int_if_given("a.order_id = ?", f.order_id);
    w.text_if_given("a.kind = ?", f.kind.as_ref().map(|k| k.code()));
    w.int_if_given("a.id < ?", page.after);
    w.fetch_page(conn, ALERT_SELECT, "a.id DESC", page, read::<Alert>, |a| {
        a.id
    })
    .await
}

#[derive(sqlx::FromRow)]
struct KindCount {
    #[sqlx(try_from = "String")]
    kind: AlertKind,
    alerts: i64,
}

/// Unresolved alerts by kind for a worklist's heading: (fever, missed_check). Counted from the
/// partial indexes, which hold only unresolved alerts.
pub async fn open_counts(
    conn: &mut Conn,
    j: &Jurisdiction,
    doctor_id: Option<i64>,
) -> Result<(i64, i64)> {
    let mut w = Where::new();
    w.scope(j, "a").raw("a.state <> 'resolved'");
    // A doctor's count goes through their orders; a lead's is read from the index alone.
    let from = match doctor_id {
        Some(d) => {
            w.int("q.doctor_id = ?", d);
            "check_alerts a JOIN quarantine_orders q ON q.id = a.order_id"
        }
        None => "check_alerts a",
    };
    let sql = format!(
        "SELECT a.kind, COUNT(*) AS alerts FROM {from}{} GROUP BY a.kind",
        w.sql()
    );
    let rows = w
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_all(&mut *conn)
        .await?;
    let mut counts = (0, 0);
    for r in &rows {
        let c = KindCount::from_row(r)?;
        match c.kind {
            AlertKind::Fever => counts.0 = c.alerts,
            AlertKind::MissedCheck => counts.1 = c.alerts,
        }
    }
    Ok(counts)
}

pub async fn acknowledge_alert(conn: &mut Conn, id: i64, by: i64, at: i64) -> Result<()> {
    let done = sql::execute(
        conn,
        "UPDATE check_alerts SET state = 'acknowledged', acknowledged_by = $1, \
         acknowledged_at = $2 WHERE id = $3 AND state = 'open'",
        (by, at, id),
    )
    .await?;
    changed(done.rows_affected())
}

pub async fn resolve_alert(conn: &mut Conn, id: i64, by: i64, at: i64, note: &str) -> Result<()> {
    let closed: Option<ClosedAlert> = sql::optional(
        conn,
        "UPDATE check_alerts SET state = 'resolved', resolved_by = $1, resolved_at = $2, \
         resolution_note = $3 WHERE id = $4 AND state <> 'resolved' \
         RETURNING community_id, kind",
        (by, at, note, id),
    )
    .await?;
    let Some(c) = closed else {
        return changed(0);
    };
    crate::home_counts::add_open(conn, c.community_id, c.kind, -1).await
}

/// The place and kind of an alert just resolved, for the community's open count.
#[derive(sqlx::FromRow)]
struct ClosedAlert {
    community_id: i64,
    #[sqlx(try_from = "String")]
    kind: AlertKind,
}

/// An update guarded by the state it expects changed nothing: someone else moved it first.
fn changed(rows: u64) -> Result<()> {
    if rows == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict("check_alerts.state".to_owned()))
    }
}

/// A slot's current record as a worklist shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SlotMark {
    pub check_id: i64,
    pub temperature: i64,
    pub febrile: bool,
}

/// An active order of the doctor with today's two slots.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct DaySlots {
    pub order_id: i64,
    pub resident_id: i64,
    pub household_id: i64,
    pub resident_name: String,
    pub building_name: String,
    pub unit_name: String,
    pub room: String,
    #[sqlx(skip)]
    pub morning: Option<SlotMark>,
    #[sqlx(skip)]
    pub evening: Option<SlotMark>,
}

/// The two slots' records of a day's row, side by side, either absent (a missing record's flag
/// reads as 0).
#[derive(sqlx::FromRow)]
struct DayMarks {
    morning_id: Option<i64>,
    morning_temperature: Option<i64>,
    #[sqlx(try_from = "Flag")]
    morning_febrile: bool,
    evening_id: Option<i64>,
    evening_temperature: Option<i64>,
    #[sqlx(try_from = "Flag")]
    evening_febrile: bool,
}

fn slot_mark(id: Option<i64>, temperature: Option<i64>, febrile: bool) -> Option<SlotMark> {
    Some(SlotMark {
        check_id: id?,
        temperature: temperature?,
        febrile,
    })
}

/// A day's row: the order and its resident, with the slots' records.
fn day_slots(r: &sqlx::any::AnyRow) -> Result<DaySlots> {
    let m = DayMarks::from_row(r)?;
    Ok(DaySlots {
        morning: slot_mark(m.morning_id, m.morning_temperature, m.morning_febrile),
        evening: slot_mark(m.evening_id, m.evening_temperature, m.evening_febrile),
        ..DaySlots::from_row(r)?
    })
}

/// The doctor's active orders in the jurisdiction with the records of `date`, by order key.
pub async fn doctor_day(
    conn: &mut Conn,
    j: &Jurisdiction,
    doctor_id: i64,
    date: &str,
    page: PageRequest,
) -> Result<Page<DaySlots>> {
    // The date is $1 (both joins use it) and the doctor $2; the scope and cursor follow.
    let mut clauses = vec![
        "q.doctor_id = $2".to_owned(),
        "q.state = 'active'".to_owned(),
    ];
    let scope = crate::scope::condition(j, "q", crate::scope::Rows::Placed, 3);
    let mut next = 3;
    if let Some(c) = &scope {
        clauses.push(c.clone());
        next += 1;
    }
    if page.after.is_some() {
        clauses.push(format!("q.id > ${next}"));
    }
    let sql = format!(
        "SELECT q.id AS order_id, q.resident_id, q.household_id, r.name AS resident_name, \
         b.name AS building_name, u.name AS unit_name, h.room, m.id AS morning_id, \
         m.temperature AS morning_temperature, COALESCE(m.febrile, 0) AS morning_febrile, \
         e.id AS evening_id, e.temperature AS evening_temperature, \
         COALESCE(e.febrile, 0) AS evening_febrile \
         FROM quarantine_orders q JOIN residents r ON r.id = q.resident_id \
         JOIN households h ON h.id = q.household_id JOIN units u ON u.id = h.unit_id \
         JOIN buildings b ON b.id = q.building_id \
         LEFT JOIN checks m ON m.order_id = q.id AND m.slot_date = $1 \
         AND m.slot_part = 'morning' AND m.superseded_at IS NULL \
         LEFT JOIN checks e ON e.order_id = q.id AND e.slot_date = $1 \
         AND e.slot_part = 'evening' AND e.superseded_at IS NULL WHERE {} \
         ORDER BY q.id LIMIT {}",
        clauses.join(" AND "),
        page.limit + 1
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(date)
        .bind(doctor_id);
    if scope.is_some() {
        q = q.bind(j.id);
    }
    if let Some(a) = page.after {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let items = rows.iter().map(day_slots).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_overfetch(items, page.limit, |d| d.order_id))
}
