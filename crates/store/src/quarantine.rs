//! Quarantine orders. Every read is scoped by the caller's jurisdiction in SQL.

use crate::registry::{Home, HouseholdAddress};
use domain::access::Jurisdiction;
use domain::page::{Page, PageRequest};
use domain::quarantine::{Kind, Reason, State};
use serde::Serialize;

use crate::home_counts::{self, Measure};
use crate::rows::read;
use crate::scope::{Key, Where};
use crate::sql;
use crate::{Conn, Flag, Result, now_ms};

/// A stored order with the resident's name and home.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Order {
    pub id: i64,
    pub resident_id: i64,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub address: HouseholdAddress,
    pub resident_name: String,
    #[sqlx(try_from = "String")]
    pub reason: Reason,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    #[sqlx(try_from = "String")]
    pub state: State,
    /// ISO dates.
    pub start_date: String,
    pub days: i64,
    pub end_date: String,
    #[sqlx(try_from = "Flag")]
    pub door_sealed: bool,
    pub door_sealed_at: Option<i64>,
    #[sqlx(try_from = "Flag")]
    pub camera_installed: bool,
    pub doctor_id: Option<i64>,
    pub grid_worker_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

macro_rules! order_columns {
    () => {
        "q.id, q.resident_id, q.household_id, q.building_id, q.grid_id, q.community_id, \
         r.name AS resident_name, b.name AS building_name, u.name AS unit_name, h.room, \
         q.reason, q.kind, q.state, q.start_date, q.days, q.end_date, q.door_sealed, \
         q.door_sealed_at, q.camera_installed, q.doctor_id, q.grid_worker_id, q.created_at, \
         q.updated_at"
    };
}
macro_rules! order_from {
    () => {
        " FROM quarantine_orders q JOIN residents r ON r.id = q.resident_id \
         JOIN households h ON h.id = q.household_id JOIN units u ON u.id = h.unit_id \
         JOIN buildings b ON b.id = q.building_id"
    };
}
const ORDER_SELECT: &str = concat!("SELECT ", order_columns!(), order_from!());

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// One state, or `None` for any.
    pub state: Option<State>,
    /// Only planned and active orders.
    pub open_only: bool,
    pub household_id: Option<i64>,
    pub resident_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub kind: Option<Kind>,
    /// Only orders whose last day is this ISO date.
    pub end_date: Option<String>,
    /// Ending soonest first (then by key) instead of by key alone.
    pub by_end: bool,
}

impl OrderFilter {
    /// The conditions of the filter on `q`, within the jurisdiction.
    fn conditions(&self, j: &Jurisdiction) -> Where {
        let mut w = Where::new();
        w.scope(j, "q");
        w.text_if_given("q.state = ?", self.state.as_ref().map(|s| s.code()));
        if self.open_only {
            w.raw("q.state IN ('planned', 'active')");
        }
        w.int_if_given("q.household_id = ?", self.household_id);
        w.int_if_given("q.resident_id = ?", self.resident_id);
        w.int_if_given("q.grid_id = ?", self.grid_id);
        w.int_if_given("q.building_id = ?", self.building_id);
        w.text_if_given("q.kind = ?", self.kind.map(|k| k.code()));
        w.text_if_given("q.end_date = ?", self.end_date.clone());
        w
    }
}

/// Orders in the jurisdiction, by key or ending soonest first; either way the page continues
/// after the order whose id is `page.after`.
pub async fn list_orders(
    conn: &mut Conn,
    j: &Jurisdiction,
    f: &OrderFilter,
    page: PageRequest,
) -> Result<Page<Order>> {
    let mut w = f.conditions(j);
    let key = if f.by_end {
        Key::Asc("end_date")
    } else {
        Key::Id
    };
    let order = w.keyset("q", "quarantine_orders", key, page.after);
    w.fetch_page(conn, ORDER_SELECT, &order, page, read::<Order>, |o| o.id)
        .await
}

/// How many orders the filter selects, counted up to `cap` and no further: `cap + 1` means
/// "more than `cap`". The count reads the orders' own indexes (scope, state, end date), never
/// the residents, so a county's list answers as fast as a grid's.
pub async fn count_orders(
    conn: &mut Conn,
    j: &Jurisdiction,
    f: &OrderFilter,
    cap: i64,
) -> Result<i64> {
    let w = f.conditions(j);
    let sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM quarantine_orders q{} LIMIT {}) capped",
        w.sql(),
        cap.max(0) + 1
    );
    let row = w
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_one(&mut *conn)
        .await?;
    Ok(sqlx::Row::try_get::<i64, _>(&row, "n")?)
}

/// An order as a roster line: the order, the resident's masked ID number and the responsible
/// doctor's name.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RosterLine {
    #[sqlx(flatten)]
    pub order: Order,
    pub document_masked: String,
    pub doctor_name: Option<String>,
    pub grid_worker_name: Option<String>,
}

const ROSTER_SELECT: &str = concat!(
    "SELECT ",
    order_columns!(),
    ", r.document_masked, d.display_name AS doctor_name, g.display_name AS grid_worker_name",
    order_from!(),
    " LEFT JOIN accounts d ON d.id = q.doctor_id LEFT JOIN accounts g ON g.id = q.grid_worker_id"
);

/// Roster lines the filter selects, by key: the pages of an export.
pub async fn roster_lines(
    conn: &mut Conn,
    j: &Jurisdiction,
    f: &OrderFilter,
    page: PageRequest,
) -> Result<Page<RosterLine>> {
    let mut w = f.conditions(j);
    let order = w.keyset("q", "quarantine_orders", Key::Id, page.after);
    w.fetch_page(conn, ROSTER_SELECT, &order, page, read::<RosterLine>, |l| {
        l.order.id
    })
    .await
}

/// The roster of one grid as it is printed: its planned and active orders by building, unit and
/// room, at most `limit` (a grid holds a few hundred households).
pub async fn grid_roster(
    conn: &mut Conn,
    j: &Jurisdiction,
    grid_id: i64,
    limit: i64,
) -> Result<Vec<RosterLine>> {
    let f = OrderFilter {
        open_only: true,
        grid_id: Some(grid_id),
        ..OrderFilter::default()
    };
    let w = f.conditions(j);
    let order = format!(
        "b.name, u.name, h.room, r.name, q.id LIMIT {}",
        limit.max(1)
    );
    w.fetch_all(conn, ROSTER_SELECT, &order, read::<RosterLine>)
        .await
}

/// The planned and active orders of some residents (a page of a list, a resident's page), in
/// one statement on the orders' resident index.
pub async fn open_orders_of_residents(
    conn: &mut Conn,
    j: &Jurisdiction,
    resident_ids: &[i64],
) -> Result<Vec<Order>> {
    if resident_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = resident_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let mut w = OrderFilter {
        open_only: true,
        ..OrderFilter::default()
    }
    .conditions(j);
    w.raw(&format!("q.resident_id IN ({list})"));
    w.fetch_all(conn, ORDER_SELECT, "q.id", read::<Order>).await
}

pub async fn order(conn: &mut Conn, j: &Jurisdiction, id: i64) -> Result<Order> {
    let mut w = Where::new();
    w.scope(j, "q").int("q.id = ?", id);
    w.fetch_one(conn, ORDER_SELECT, read::<Order>).await
}

/// The planned or active order of a resident, if any.
pub async fn open_order_of(conn: &mut Conn, resident_id: i64) -> Result<Option<i64>> {
    sql::scalar_optional(
        conn,
        "SELECT id FROM quarantine_orders WHERE resident_id = $1 \
         AND state IN ('planned', 'active')",
        (resident_id,),
    )
    .await
}

pub struct NewOrder<'a> {
    pub resident_id: i64,
    pub home: Home,
    pub reason: Reason,
    pub kind: Kind,
    pub state: State,
    pub start_date: &'a str,
    pub days: i64,
    pub end_date: &'a str,
    pub doctor_id: Option<i64>,
    pub grid_worker_id: Option<i64>,
    /// Set when the door is sealed from the start.
    pub door_sealed_at: Option<i64>,
    pub camera_installed: bool,
}

pub async fn insert_order(conn: &mut Conn, o: &NewOrder<'_>) -> Result<i64> {
    if o.state == State::Active {
        home_counts::add(
            conn,
            o.home.community_id,
            o.start_date,
            Measure::OrdersIn,
            1,
        )
        .await?;
    }
    sql::scalar(
        conn,
        "INSERT INTO quarantine_orders (resident_id, household_id, building_id, grid_id, \
         community_id, reason, kind, state, start_date, days, end_date, door_sealed, \
         door_sealed_at, camera_installed, doctor_id, grid_worker_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $17) RETURNING id",
        (
            o.resident_id,
            o.home.household_id,
            o.home.building_id,
            o.home.grid_id,
            o.home.community_id,
            o.reason.code(),
            o.kind.code(),
            o.state.code(),
            o.start_date,
            o.days,
            o.end_date,
            i64::from(o.door_sealed_at.is_some()),
            o.door_sealed_at,
            i64::from(o.camera_installed),
            o.doctor_id,
            o.grid_worker_id,
            now_ms(),
        ),
    )
    .await
}

/// Moves an order to `state` on `today`, counting it into or out of quarantine for the
/// community's figures. An active order cancelled counts as never having come in.
pub async fn set_state(conn: &mut Conn, id: i64, state: State, today: &str) -> Result<()> {
    let (community_id, from, start_date): (i64, String, String) = sql::one(
        conn,
        "SELECT community_id, state, start_date FROM quarantine_orders WHERE id = $1",
        (id,),
    )
    .await?;
    let was_active = from == State::Active.code();
    match state {
        State::Active if !was_active => {
            home_counts::add(conn, community_id, &start_date, Measure::OrdersIn, 1).await?;
        }
        State::Released | State::TransferredToHospital if was_active => {
            home_counts::add(conn, community_id, today, Measure::OrdersOut, 1).await?;
            sql::execute(
                conn,
                "UPDATE quarantine_orders SET closed_on = $1 WHERE id = $2",
                (today, id),
            )
            .await?;
        }
        State::Cancelled if was_active => {
            home_counts::add(conn, community_id, &start_date, Measure::OrdersIn, -1).await?;
        }
        _ => {}
    }
    crate::db::set_state(conn, "quarantine_orders", id, state.code()).await
}

pub async fn set_duration(conn: &mut Conn, id: i64, days: i64, end_date: &str) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE quarantine_orders SET days = $1, end_date = $2, updated_at = $3 WHERE id = $4",
        (days, end_date, now_ms(), id),
    )
    .await?;
    Ok(())
}

/// The editable details of an order.
#[derive(Debug, Clone, PartialEq)]
pub struct Details {
    pub door_sealed: bool,
    pub door_sealed_at: Option<i64>,
    pub camera_installed: bool,
    pub doctor_id: Option<i64>,
    pub grid_worker_id: Option<i64>,
}

pub async fn set_details(conn: &mut Conn, id: i64, d: &Details) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE quarantine_orders SET door_sealed = $1, door_sealed_at = $2, \
         camera_installed = $3, doctor_id = $4, grid_worker_id = $5, updated_at = $6 \
         WHERE id = $7",
        (
            i64::from(d.door_sealed),
            d.door_sealed_at,
            i64::from(d.camera_installed),
            d.doctor_id,
            d.grid_worker_id,
            now_ms(),
            id,
        ),
    )
    .await?;
    Ok(())
}

/// Whether a community has any quarantine order (the demo seeds a month only into none).
pub async fn community_has_orders(conn: &mut Conn, community_id: i64) -> Result<bool> {
    Ok(sql::fetch_optional(
        conn,
        "SELECT 1 FROM quarantine_orders WHERE community_id = $1 LIMIT 1",
        (community_id,),
    )
    .await?
    .is_some())
}

/// A planned order whose start date has come.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DueOrder {
    pub id: i64,
    pub community_id: i64,
    pub household_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    pub start_date: String,
}

/// Planned orders starting on or before `date`, for the job that starts them.
pub async fn planned_orders_due(conn: &mut Conn, date: &str) -> Result<Vec<DueOrder>> {
    sql::all(
        conn,
        "SELECT id, community_id, household_id, kind, start_date FROM quarantine_orders \
         WHERE state = 'planned' AND start_date <= $1 ORDER BY id",
        (date,),
    )
    .await
}

/// Starts a planned order; `false` when it was no longer planned.
pub async fn start_order(conn: &mut Conn, id: i64, now_ms: i64) -> Result<bool> {
    let started: Option<(i64, String)> = sql::optional(
        conn,
        "UPDATE quarantine_orders SET state = 'active', updated_at = $1 \
         WHERE id = $2 AND state = 'planned' RETURNING community_id, start_date",
        (now_ms, id),
    )
    .await?;
    let Some((community_id, start_date)) = started else {
        return Ok(false);
    };
    home_counts::add(conn, community_id, &start_date, Measure::OrdersIn, 1).await?;
    Ok(true)
}
