//! Households and residents. Every read is scoped by the caller's jurisdiction in SQL.

mod residents;

pub use residents::*;

use domain::access::{Jurisdiction, Placement};
use domain::page::{Page, PageRequest};
use serde::Serialize;
use sqlx::{FromRow, Row};

use std::collections::HashMap;

use crate::counts;
use crate::rows::read;
use crate::scope::Where;
use crate::sql;
use crate::{Conn, Result, now_ms};

#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = HouseholdDto))]
pub struct Household {
    pub id: i64,
    pub unit_id: i64,
    pub building_id: i64,
    pub grid_id: i64,
    pub community_id: i64,
    pub building_name: String,
    pub unit_name: String,
    pub room: String,
    // Stored in full; the app masks it before a household is shown, which is what the API
    // document describes.
    /// Masked, e.g. `138****5678`.
    pub phone: Option<String>,
    pub head_resident_id: Option<i64>,
    pub members: i64,
}

impl Household {
    pub fn home(&self) -> Home {
        Home {
            household_id: self.id,
            building_id: self.building_id,
            grid_id: self.grid_id,
            community_id: self.community_id,
        }
    }
}

const HOUSEHOLD_SELECT: &str = "SELECT h.id, h.unit_id, h.building_id, h.grid_id, h.community_id, \
     b.name AS building_name, u.name AS unit_name, h.room, h.phone, h.head_resident_id, \
     (SELECT COUNT(*) FROM residents m WHERE m.household_id = h.id) AS members \
     FROM households h JOIN units u ON u.id = h.unit_id JOIN buildings b ON b.id = h.building_id";

#[derive(Debug, Clone, Default)]
pub struct HouseholdFilter {
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub room: Option<String>,
}

pub async fn list_households(
    conn: &mut Conn,
    j: &Jurisdiction,
    f: &HouseholdFilter,
    page: PageRequest,
) -> Result<Page<Household>> {
    let mut w = Where::new();
    w.scope(j, "h");
    w.int_if_given("h.grid_id = ?", f.grid_id);
    w.int_if_given("h.building_id = ?", f.building_id);
    w.text_if_given("h.room = ?", f.room.as_deref());
    w.int_if_given("h.id > ?", page.after);
    w.fetch_page(
        conn,
        HOUSEHOLD_SELECT,
        "h.id",
        page,
        read::<Household>,
        |h| h.id,
    )
    .await
}

pub async fn household(conn: &mut Conn, j: &Jurisdiction, id: i64) -> Result<Household> {
    let mut w = Where::new();
    w.scope(j, "h").int("h.id = ?", id);
    w.fetch_one(conn, HOUSEHOLD_SELECT, read::<Household>).await
}

pub struct NewHousehold<'a> {
    pub unit_id: i64,
    pub placement: Placement,
    pub room: &'a str,
    pub phone: Option<&'a str>,
}

pub async fn insert_household(conn: &mut Conn, h: &NewHousehold<'_>) -> Result<i64> {
    let now = now_ms();
    let row = sql::fetch_one(
        conn,
        "INSERT INTO households (unit_id, building_id, grid_id, community_id, room, phone, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        (
            h.unit_id,
            h.placement.building_id.unwrap_or_default(),
            h.placement.grid_id.unwrap_or_default(),
            h.placement.community_id,
            h.room,
            h.phone,
            now,
        ),
    )
    .await?;
    let grid = h.placement.grid_id.unwrap_or_default();
    counts::adjust_households(
        conn,
        &HashMap::from([((grid, h.placement.community_id), 1)]),
    )
    .await?;
    Ok(row.try_get("id")?)
}

pub async fn household_id_by_unit_room(
    conn: &mut Conn,
    unit_id: i64,
    room: &str,
) -> Result<Option<i64>> {
    sql::scalar_optional(
        conn,
        "SELECT id FROM households WHERE unit_id = $1 AND room = $2",
        (unit_id, room),
    )
    .await
}

pub async fn update_household(
    conn: &mut Conn,
    id: i64,
    phone: Option<&str>,
    head_resident_id: Option<i64>,
) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE households SET phone = $1, head_resident_id = $2, updated_at = $3 WHERE id = $4",
        (phone, head_resident_id, now_ms(), id),
    )
    .await?;
    Ok(())
}

/// A household's address as every row about a household carries it: its place in the tree,
/// which decides who may see it, and the names people read.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdAddress {
    pub household_id: i64,
    pub building_id: i64,
    pub grid_id: i64,
    pub community_id: i64,
    pub building_name: String,
    pub unit_name: String,
    pub room: String,
}

impl HouseholdAddress {
    pub fn home(&self) -> Home {
        Home {
            household_id: self.household_id,
            building_id: self.building_id,
            grid_id: self.grid_id,
            community_id: self.community_id,
        }
    }
}

/// As a door reads it: building, unit, room.
impl std::fmt::Display for HouseholdAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.building_name, self.unit_name, self.room)
    }
}

/// Where a resident lives: the household and its place in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct Home {
    pub household_id: i64,
    pub building_id: i64,
    pub grid_id: i64,
    pub community_id: i64,
}

pub async fn home_of_household(conn: &mut Conn, household_id: i64) -> Result<Home> {
    sql::one(
        conn,
        "SELECT id AS household_id, building_id, grid_id, community_id FROM households \
         WHERE id = $1",
        (household_id,),
    )
    .await
}
