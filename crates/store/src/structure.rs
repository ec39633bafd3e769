//! The administrative tree: districts, streets, communities, grids, buildings and units.

use domain::access::{Jurisdiction, Placement};
use serde::Serialize;
use sqlx::FromRow;

use crate::rows::read;
use crate::scope::{Rows, Where};
use crate::sql;
use crate::{Conn, Result, StoreError, now_ms};

#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct District {
    pub id: i64,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct Street {
    pub id: i64,
    pub district_id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CommunityDto))]
pub struct Community {
    pub id: i64,
    pub name: String,
    pub street_id: i64,
    pub street_name: String,
    pub district_id: i64,
    pub district_name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct Grid {
    pub id: i64,
    pub community_id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct Building {
    pub id: i64,
    pub grid_id: i64,
    pub community_id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct Unit {
    pub id: i64,
    pub building_id: i64,
    pub name: String,
}

pub async fn insert_district(conn: &mut Conn, code: &str, name: &str) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO districts (code, name) VALUES ($1, $2) RETURNING id",
        (code, name),
    )
    .await
}

pub async fn insert_street(conn: &mut Conn, district_id: i64, name: &str) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO streets (district_id, name) VALUES ($1, $2) RETURNING id",
        (district_id, name),
    )
    .await
}

pub async fn list_districts(conn: &mut Conn) -> Result<Vec<District>> {
    sql::all(conn, "SELECT id, code, name FROM districts ORDER BY id", ()).await
}

pub async fn list_streets(conn: &mut Conn) -> Result<Vec<Street>> {
    sql::all(
        conn,
        "SELECT id, district_id, name FROM streets ORDER BY id",
        (),
    )
    .await
}

pub async fn street(conn: &mut Conn, id: i64) -> Result<Street> {
    sql::one(
        conn,
        "SELECT id, district_id, name FROM streets WHERE id = $1",
        (id,),
    )
    .await
}

pub async fn insert_community(conn: &mut Conn, street: &Street, name: &str) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO communities (street_id, district_id, name, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        (street.id, street.district_id, name, now_ms()),
    )
    .await
}

const COMMUNITY_SELECT: &str = "SELECT c.id, c.street_id, c.district_id, c.name, \
     s.name AS street_name, d.name AS district_name \
     FROM communities c JOIN streets s ON s.id = c.street_id JOIN districts d ON d.id = c.district_id";

pub async fn list_communities(conn: &mut Conn, j: &Jurisdiction) -> Result<Vec<Community>> {
    let mut w = Where::new();
    w.scope_of(j, "c", Rows::Communities);
    w.fetch_all(conn, COMMUNITY_SELECT, "c.id", read).await
}

/// One community, if the jurisdiction reaches it.
pub async fn community(conn: &mut Conn, j: &Jurisdiction, id: i64) -> Result<Community> {
    let mut w = Where::new();
    w.scope_of(j, "c", Rows::Communities).int("c.id = ?", id);
    w.fetch_one(conn, COMMUNITY_SELECT, read).await
}

/// Renames a node of the tree; returns its previous name.
pub async fn rename(conn: &mut Conn, node: Node, name: &str) -> Result<String> {
    let (table, id) = match node {
        Node::Community(id) => ("communities", id),
        Node::Grid(id) => ("grids", id),
        Node::Building(id) => ("buildings", id),
        Node::Unit(id) => ("units", id),
    };
    let before: String = sql::scalar_optional(
        conn,
        sqlx::AssertSqlSafe(format!("SELECT name FROM {table} WHERE id = $1")),
        (id,),
    )
    .await?
    .ok_or(StoreError::NotFound)?;
    sql::execute(
        conn,
        sqlx::AssertSqlSafe(format!("UPDATE {table} SET name = $1 WHERE id = $2")),
        (name, id),
    )
    .await?;
    Ok(before)
}

pub async fn insert_grid(conn: &mut Conn, community_id: i64, name: &str) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO grids (community_id, name) VALUES ($1, $2) RETURNING id",
        (community_id, name),
    )
    .await
}

/// Grids of one community that the jurisdiction reaches, in name order.
pub async fn list_grids(conn: &mut Conn, j: &Jurisdiction, community_id: i64) -> Result<Vec<Grid>> {
    let mut w = Where::new();
    w.scope_of(j, "g", Rows::Grids)
        .int("g.community_id = ?", community_id);
    let select = "SELECT g.id, g.community_id, g.name FROM grids g";
    w.fetch_all(conn, select, "g.id", read).await
}

pub async fn insert_building(conn: &mut Conn, grid: &Grid, name: &str) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO buildings (grid_id, community_id, name) VALUES ($1, $2, $3) RETURNING id",
        (grid.id, grid.community_id, name),
    )
    .await
}

/// Buildings of one grid that the jurisdiction reaches.
pub async fn list_buildings(
    conn: &mut Conn,
    j: &Jurisdiction,
    grid_id: i64,
) -> Result<Vec<Building>> {
    let mut w = Where::new();
    w.scope_of(j, "b", Rows::Buildings)
        .int("b.grid_id = ?", grid_id);
    let select = "SELECT b.id, b.grid_id, b.community_id, b.name FROM buildings b";
    w.fetch_all(conn, select, "b.name, b.id", read).await
}

pub async fn insert_unit(conn: &mut Conn, building_id: i64, name: &str) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO units (building_id, name) VALUES ($1, $2) RETURNING id",
        (building_id, name),
    )
    .await
}

/// Units of one building (the building's scope is checked by the caller through [`placement`]).
pub async fn list_units(conn: &mut Conn, building_id: i64) -> Result<Vec<Unit>> {
    sql::all(
        conn,
        "SELECT id, building_id, name FROM units WHERE building_id = $1 ORDER BY name, id",
        (building_id,),
    )
    .await
}

/// Where a node of the tree sits, for deciding whether a jurisdiction covers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    Community(i64),
    Grid(i64),
    Building(i64),
    Unit(i64),
}

/// The columns of a [`Placement`]; the domain type knows nothing of rows.
#[derive(FromRow)]
struct PlacementRow {
    district_id: i64,
    street_id: i64,
    community_id: i64,
    grid_id: Option<i64>,
    building_id: Option<i64>,
}

pub async fn placement(conn: &mut Conn, node: Node) -> Result<Placement> {
    let (sql, id) = match node {
        Node::Community(id) => (
            "SELECT c.district_id, c.street_id, c.id AS community_id, NULL AS grid_id, \
             NULL AS building_id FROM communities c WHERE c.id = $1",
            id,
        ),
        Node::Grid(id) => (
            "SELECT c.district_id, c.street_id, c.id AS community_id, g.id AS grid_id, \
             NULL AS building_id FROM grids g \
             JOIN communities c ON c.id = g.community_id WHERE g.id = $1",
            id,
        ),
        Node::Building(id) => (
            "SELECT c.district_id, c.street_id, c.id AS community_id, b.grid_id, \
             b.id AS building_id FROM buildings b \
             JOIN communities c ON c.id = b.community_id WHERE b.id = $1",
            id,
        ),
        Node::Unit(id) => (
            "SELECT c.district_id, c.street_id, c.id AS community_id, b.grid_id, \
             b.id AS building_id FROM units u \
             JOIN buildings b ON b.id = u.building_id \
             JOIN communities c ON c.id = b.community_id WHERE u.id = $1",
            id,
        ),
    };
    let r = sql::fetch_optional(conn, sql, (id,))
        .await?
        .ok_or(StoreError::NotFound)?;
    let p = PlacementRow::from_row(&r)?;
    Ok(Placement {
        district_id: p.district_id,
        street_id: p.street_id,
        community_id: p.community_id,
        grid_id: p.grid_id,
        building_id: p.building_id,
    })
}

pub async fn grid(conn: &mut Conn, id: i64) -> Result<Grid> {
    sql::one(
        conn,
        "SELECT id, community_id, name FROM grids WHERE id = $1",
        (id,),
    )
    .await
}

pub async fn building(conn: &mut Conn, id: i64) -> Result<Building> {
    sql::one(
        conn,
        "SELECT id, grid_id, community_id, name FROM buildings WHERE id = $1",
        (id,),
    )
    .await
}

/// Finds a building of a community by name (imports name buildings, not ids).
pub async fn building_by_name(
    conn: &mut Conn,
    community_id: i64,
    name: &str,
) -> Result<Option<Building>> {
    sql::optional(conn, "SELECT id, grid_id, community_id, name FROM buildings WHERE community_id = $1 AND name = $2", (community_id, name)).await
}

/// Finds a unit of a building by name.
pub async fn unit_by_name(conn: &mut Conn, building_id: i64, name: &str) -> Result<Option<i64>> {
    sql::scalar_optional(
        conn,
        "SELECT id FROM units WHERE building_id = $1 AND name = $2",
        (building_id, name),
    )
    .await
}

/// Finds a unit of a building by name, creating it when missing.
pub async fn unit_by_name_or_insert(conn: &mut Conn, building_id: i64, name: &str) -> Result<i64> {
    match unit_by_name(conn, building_id, name).await? {
        Some(id) => Ok(id),
        None => insert_unit(conn, building_id, name).await,
    }
}

/// The community's buildings whose names start with `prefix` (id and name), shortest name
/// first, at most `limit`: a resident's suggestions, read on the unique index of names.
pub async fn buildings_starting(
    conn: &mut Conn,
    community_id: i64,
    prefix: &str,
    limit: i64,
) -> Result<Vec<(i64, String)>> {
    sql::all(
        conn,
        "SELECT id, name FROM buildings WHERE community_id = $1 AND name >= $2 AND name < $3 \
         ORDER BY LENGTH(name), name LIMIT $4",
        (
            community_id,
            prefix,
            crate::registry::prefix_upper_bound(prefix),
            limit,
        ),
    )
    .await
}
