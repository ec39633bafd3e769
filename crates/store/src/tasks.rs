//! Supply-delivery tasks and rubbish rounds of home quarantine. Every read is scoped by the
//! caller's jurisdiction in SQL.

mod rubbish;

pub use rubbish::*;

use std::collections::HashMap;

use crate::registry::{Home, HouseholdAddress};
use domain::access::Level;
use domain::access::{Jurisdiction, Placement};
use domain::page::{Page, PageRequest};
use domain::tasks::{ConfirmedVia, DeliveryState};
use serde::Serialize;
use sqlx::Row;

use crate::rows::{NullableCode, read};
use crate::scope::{Key, Where};
use crate::sql;
use crate::{Conn, Flag, Result, now_ms};

/// A delivery task with the household's address and the volunteer's name.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub address: HouseholdAddress,
    /// ISO date.
    pub due_date: String,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub progress: DeliveryProgress,
    pub volunteer_name: Option<String>,
    /// Members of the household under active home quarantine now.
    pub people: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const DELIVERY_SELECT: &str = "SELECT t.id, t.household_id, t.building_id, t.grid_id, \
     t.community_id, b.name AS building_name, u.name AS unit_name, h.room, t.due_date, t.state, \
     t.volunteer_id, a.display_name AS volunteer_name, t.needs, t.asked_at, t.asked_by, \
     t.delivered_at, t.delivered_by, t.confirmed_at, t.confirmed_by, t.confirmed_via, \
     t.cancelled_at, \
     (SELECT COUNT(*) FROM quarantine_orders q WHERE q.household_id = t.household_id \
      AND q.state = 'active' AND q.kind = 'home') AS people, t.created_at, t.updated_at \
     FROM delivery_tasks t JOIN households h ON h.id = t.household_id \
     JOIN units u ON u.id = h.unit_id JOIN buildings b ON b.id = t.building_id \
     LEFT JOIN accounts a ON a.id = t.volunteer_id";

#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    /// Any of these states; all states when empty.
    pub states: Vec<DeliveryState>,
    pub volunteer_id: Option<i64>,
    /// Only tasks nobody is assigned to.
    pub unassigned: bool,
    pub grid_id: Option<i64>,
    pub household_id: Option<i64>,
    /// In address order (building, unit, room) instead of by key.
    pub by_place: bool,
}

/// Delivery tasks in the jurisdiction, by key or in address order; either way the page
/// continues after the task whose id is `page.after`.
pub async fn list_deliveries(
    conn: &mut Conn,
    j: &Jurisdiction,
    f: &DeliveryFilter,
    page: PageRequest,
) -> Result<Page<Delivery>> {
    let mut w = Where::new();
    // With a volunteer the volunteer's index is the selective one; the scope only filters.
    if f.volunteer_id.is_some() {
        w.scope_as_filter(j, "t");
    } else {
        w.scope(j, "t");
    }
    match f.states.as_slice() {
        [] => {}
        [one] => {
            w.text("t.state = ?", one.code().to_owned());
        }
        many => {
            // State codes come from the domain's fixed list, never from input.
            let list = many
                .iter()
                .map(|s| format!("'{}'", s.code()))
                .collect::<Vec<_>>()
                .join(", ");
            w.raw(&format!("t.state IN ({list})"));
        }
    }
    w.int_if_given("t.volunteer_id = ?", f.volunteer_id);
    if f.unassigned {
        w.raw("t.volunteer_id IS NULL");
    }
    w.int_if_given("t.grid_id = ?", f.grid_id);
    w.int_if_given("t.household_id = ?", f.household_id);
    let key = if f.by_place {
        Key::Asc("place_key")
    } else {
        Key::Id
    };
    let order = w.keyset("t", "delivery_tasks", key, page.after);
    w.fetch_page(conn, DELIVERY_SELECT, &order, page, read::<Delivery>, |d| {
        d.id
    })
    .await
}

/// Which tasks of the jurisdiction a read reaches: all, or a volunteer's own and the
/// unassigned ones. Bound in SQL with the jurisdiction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskReach {
    Jurisdiction,
    OwnOrUnassigned(i64),
}

impl TaskReach {
    /// Adds the condition on `alias` (a table with a `volunteer_id` column) to the query.
    pub(crate) fn bind_to(self, w: &mut Where, alias: &str) {
        if let TaskReach::OwnOrUnassigned(account_id) = self {
            w.int(
                &format!("({alias}.volunteer_id IS NULL OR {alias}.volunteer_id = ?)"),
                account_id,
            );
        }
    }
}

/// One delivery, if the jurisdiction and the reach cover it.
pub async fn delivery(
    conn: &mut Conn,
    j: &Jurisdiction,
    reach: TaskReach,
    id: i64,
) -> Result<Delivery> {
    let mut w = Where::new();
    w.scope(j, "t").int("t.id = ?", id);
    reach.bind_to(&mut w, "t");
    w.fetch_one(conn, DELIVERY_SELECT, read::<Delivery>).await
}

/// A household with a member under active home quarantine, with its address.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct HomeOrderPlace {
    #[sqlx(flatten)]
    pub address: HouseholdAddress,
    /// ISO date the order started.
    pub start_date: String,
    #[sqlx(try_from = "Flag")]
    pub door_sealed: bool,
}

/// Home orders with their places; the callers add which orders.
const HOME_ORDER_PLACES: &str = "SELECT q.household_id, q.start_date, q.building_id, q.grid_id, \
     q.community_id, b.name AS building_name, u.name AS unit_name, h.room, q.door_sealed \
     FROM quarantine_orders q \
     JOIN households h ON h.id = q.household_id JOIN units u ON u.id = h.unit_id \
     JOIN buildings b ON b.id = q.building_id";

/// Every active home-quarantine order in the jurisdiction with its household's address.
pub async fn active_home_orders(conn: &mut Conn, j: &Jurisdiction) -> Result<Vec<HomeOrderPlace>> {
    let mut w = Where::new();
    w.raw("q.state = 'active'")
        .raw("q.kind = 'home'")
        .scope_as_filter(j, "q");
    w.fetch_all(
        conn,
        HOME_ORDER_PLACES,
        "q.household_id",
        read::<HomeOrderPlace>,
    )
    .await
}

/// The active home orders of `households` in `j`, with their places: what one new order
/// needs, read by the household index instead of the whole jurisdiction's orders.
pub async fn active_home_orders_of(
    conn: &mut Conn,
    j: &Jurisdiction,
    households: &[i64],
) -> Result<Vec<HomeOrderPlace>> {
    let mut all = Vec::new();
    for household_id in households {
        let mut w = Where::new();
        w.int("q.household_id = ?", *household_id)
            .raw("q.state = 'active'")
            .raw("q.kind = 'home'")
            .scope_as_filter(j, "q");
        let rows = w
            .fetch_all(conn, HOME_ORDER_PLACES, "q.id", read::<HomeOrderPlace>)
            .await?;
        all.extend(rows);
    }
    Ok(all)
}

/// Who was assigned the delivery of each of `households` on `due_date`.
pub async fn volunteers_of_on(
    conn: &mut Conn,
    households: &[i64],
    due_date: &str,
) -> Result<HashMap<i64, i64>> {
    let mut found = HashMap::new();
    for household_id in households {
        let volunteer: Option<i64> = sql::scalar_optional(
            conn,
            "SELECT volunteer_id FROM delivery_tasks \
             WHERE due_date = $1 AND household_id = $2 AND volunteer_id IS NOT NULL",
            (due_date, *household_id),
        )
        .await?;
        if let Some(v) = volunteer {
            found.insert(*household_id, v);
        }
    }
    Ok(found)
}

/// How many tasks each of `volunteers` has not yet delivered, from the volunteer's index.
pub async fn pending_loads_of(conn: &mut Conn, volunteers: &[i64]) -> Result<HashMap<i64, i64>> {
    let mut loads = HashMap::new();
    for v in volunteers {
        let tasks: i64 = sql::scalar(
            conn,
            "SELECT COUNT(*) FROM delivery_tasks \
             WHERE volunteer_id = $1 AND state IN ('open', 'asked')",
            (*v,),
        )
        .await?;
        loads.insert(*v, tasks);
    }
    Ok(loads)
}

/// Who was assigned each household's delivery on `due_date`.
pub async fn volunteers_on(conn: &mut Conn, due_date: &str) -> Result<HashMap<i64, i64>> {
    let rows = sql::fetch_all(
        conn,
        "SELECT household_id, volunteer_id FROM delivery_tasks \
         WHERE due_date = $1 AND volunteer_id IS NOT NULL",
        (due_date,),
    )
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("household_id")?, r.try_get("volunteer_id")?)))
        .collect()
}

/// How many tasks each volunteer has not yet delivered.
pub async fn pending_loads(conn: &mut Conn) -> Result<HashMap<i64, i64>> {
    let rows = sql::fetch_all(
        conn,
        "SELECT volunteer_id, COUNT(*) AS tasks FROM delivery_tasks \
         WHERE state IN ('open', 'asked') AND volunteer_id IS NOT NULL GROUP BY volunteer_id",
        (),
    )
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("volunteer_id")?, r.try_get("tasks")?)))
        .collect()
}

pub struct NewDelivery<'a> {
    pub home: Home,
    pub place_key: &'a str,
    pub due_date: &'a str,
    pub volunteer_id: Option<i64>,
}

/// Inserts an open task unless the household already has one that day; the new id, or `None`.
pub async fn insert_delivery(conn: &mut Conn, d: &NewDelivery<'_>) -> Result<Option<i64>> {
    sql::scalar_optional(
        conn,
        "INSERT INTO delivery_tasks (household_id, building_id, grid_id, community_id, \
         place_key, due_date, state, volunteer_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $8) \
         ON CONFLICT (household_id, due_date) DO NOTHING RETURNING id",
        (
            d.home.household_id,
            d.home.building_id,
            d.home.grid_id,
            d.home.community_id,
            d.place_key,
            d.due_date,
            d.volunteer_id,
            now_ms(),
        ),
    )
    .await
}

/// A task not yet delivered whose household no longer has an active home order.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Orphan {
    pub id: i64,
    pub household_id: i64,
    pub community_id: i64,
    pub due_date: String,
    #[sqlx(try_from = "String")]
    pub state: DeliveryState,
}

/// Tasks in the jurisdiction still open or asked for households whose home quarantine ended.
pub async fn orphaned_deliveries(
    conn: &mut Conn,
    j: &Jurisdiction,
    household_id: Option<i64>,
) -> Result<Vec<Orphan>> {
    let mut w = Where::new();
    w.raw("t.state IN ('open', 'asked')");
    w.int_if_given("t.household_id = ?", household_id);
    w.scope_as_filter(j, "t").raw(
        "NOT EXISTS (SELECT 1 FROM quarantine_orders q WHERE q.household_id = t.household_id \
             AND q.state = 'active' AND q.kind = 'home')",
    );
    w.fetch_all(
        conn,
        "SELECT t.id, t.household_id, t.community_id, t.due_date, t.state \
         FROM delivery_tasks t",
        "t.id",
        read::<Orphan>,
    )
    .await
}

/// Where a delivery task stands: its state, its volunteer and the steps recorded.
// The fields a step changes: read with the task and written back whole.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryProgress {
    /// `open`, `asked`, `delivered`, `confirmed` or `cancelled`.
    #[sqlx(try_from = "String")]
    pub state: DeliveryState,
    pub volunteer_id: Option<i64>,
    /// What the household needs, as the volunteer wrote it down.
    pub needs: String,
    /// Milliseconds since the Unix epoch, each with the account that recorded the step.
    pub asked_at: Option<i64>,
    pub asked_by: Option<i64>,
    pub delivered_at: Option<i64>,
    pub delivered_by: Option<i64>,
    pub confirmed_at: Option<i64>,
    pub confirmed_by: Option<i64>,
    /// `at_door` or `phone`.
    #[sqlx(try_from = "NullableCode<ConfirmedVia>")]
    pub confirmed_via: Option<ConfirmedVia>,
    pub cancelled_at: Option<i64>,
}

/// Writes a step, only if the task is still in `expected_state`: two phones pressing the same
/// button at once change it once. Returns whether the row was changed.
pub async fn update_delivery(
    conn: &mut Conn,
    id: i64,
    expected_state: DeliveryState,
    u: &DeliveryProgress,
) -> Result<bool> {
    let done = sql::execute(
        conn,
        "UPDATE delivery_tasks SET state = $1, volunteer_id = $2, needs = $3, asked_at = $4, \
         asked_by = $5, delivered_at = $6, delivered_by = $7, confirmed_at = $8, \
         confirmed_by = $9, confirmed_via = $10, cancelled_at = $11, updated_at = $12 \
         WHERE id = $13 AND state = $14",
        (
            u.state.code(),
            u.volunteer_id,
            &u.needs,
            u.asked_at,
            u.asked_by,
            u.delivered_at,
            u.delivered_by,
            u.confirmed_at,
            u.confirmed_by,
            u.confirmed_via.map(ConfirmedVia::code),
            u.cancelled_at,
            now_ms(),
            id,
            expected_state.code(),
        ),
    )
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An active volunteer account.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = VolunteerDto))]
pub struct Volunteer {
    pub id: i64,
    pub display_name: String,
    /// The level of the volunteer's jurisdiction and its id.
    #[sqlx(try_from = "String")]
    pub level: Level,
    pub scope_id: i64,
}

const VOLUNTEER_SELECT: &str = "SELECT a.id, a.display_name, a.level, a.scope_id FROM accounts a \
     WHERE a.role = 'volunteer' AND a.active = 1";

/// Active volunteers whose jurisdiction covers a place, narrowest first (building, grid,
/// community, street, district, all), then by id.
pub async fn volunteers_covering(conn: &mut Conn, p: &Placement) -> Result<Vec<Volunteer>> {
    let sql = format!(
        "{VOLUNTEER_SELECT} AND ((a.level = 'building' AND a.scope_id = $1) \
         OR (a.level = 'grid' AND a.scope_id = $2) OR (a.level = 'community' AND a.scope_id = $3) \
         OR (a.level = 'street' AND a.scope_id = $4) OR (a.level = 'district' AND a.scope_id = $5) \
         OR a.level = 'all') \
         ORDER BY CASE a.level WHEN 'building' THEN 0 WHEN 'grid' THEN 1 WHEN 'community' THEN 2 \
         WHEN 'street' THEN 3 WHEN 'district' THEN 4 ELSE 5 END, a.id LIMIT 500"
    );
    sql::all(
        conn,
        sqlx::AssertSqlSafe(sql),
        (
            p.building_id.unwrap_or(-1),
            p.grid_id.unwrap_or(-1),
            p.community_id,
            p.street_id,
            p.district_id,
        ),
    )
    .await
}

/// Active volunteers working inside a jurisdiction (bound to it or to a place within it), by
/// name: the choices of the task board's filter and of reassignment.
pub async fn volunteers_within(conn: &mut Conn, j: &Jurisdiction) -> Result<Vec<Volunteer>> {
    // Each level below the jurisdiction, as the set of its ids inside the jurisdiction.
    let (communities, grids, buildings) = match j.level {
        Level::All => {
            let sql = format!("{VOLUNTEER_SELECT} ORDER BY a.display_name, a.id LIMIT 2000");
            let rows = sql::fetch_all(conn, sqlx::AssertSqlSafe(sql), ()).await?;
            return rows.iter().map(read::<Volunteer>).collect();
        }
        Level::District | Level::Street => {
            // Above the communities: each level's places through their community's column.
            let area = if j.level == Level::District {
                "district_id"
            } else {
                "street_id"
            };
            (
                format!("SELECT id FROM communities WHERE {area} = $1"),
                format!(
                    "SELECT g.id FROM grids g JOIN communities c ON c.id = g.community_id \
                     WHERE c.{area} = $1"
                ),
                format!(
                    "SELECT b.id FROM buildings b JOIN communities c ON c.id = b.community_id \
                     WHERE c.{area} = $1"
                ),
            )
        }
        Level::Community => (
            "SELECT $1".to_owned(),
            "SELECT id FROM grids WHERE community_id = $1".to_owned(),
            "SELECT id FROM buildings WHERE community_id = $1".to_owned(),
        ),
        Level::Grid => (
            "SELECT -1".to_owned(),
            "SELECT $1".to_owned(),
            "SELECT id FROM buildings WHERE grid_id = $1".to_owned(),
        ),
        Level::Building => (
            "SELECT -1".to_owned(),
            "SELECT -1".to_owned(),
            "SELECT $1".to_owned(),
        ),
    };
    let own = match j.level {
        Level::District => "(a.level = 'district' AND a.scope_id = $1) OR ",
        Level::Street => "(a.level = 'street' AND a.scope_id = $1) OR ",
        _ => "",
    };
    let sql = format!(
        "{VOLUNTEER_SELECT} AND ({own}(a.level = 'community' AND a.scope_id IN ({communities})) \
         OR (a.level = 'grid' AND a.scope_id IN ({grids})) \
         OR (a.level = 'building' AND a.scope_id IN ({buildings}))) \
         ORDER BY a.display_name, a.id LIMIT 2000"
    );
    sql::all(conn, sqlx::AssertSqlSafe(sql), (j.id,)).await
}
