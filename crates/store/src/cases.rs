//! Cases, their movements, the seals and risk zones they cause, the disinfection of a zone,
//! the contacts put on follow-up, and the community's control level.

use domain::access::Jurisdiction;
use domain::cases::{ControlLevel, Source, Status};
use domain::page::{Page, PageRequest};
use serde::Serialize;

use crate::rows::read;
use crate::scope::{Key, Where};
use crate::{Conn, Result, sql};

mod contacts;
mod disinfections;
mod map;
mod movements;
mod seals;
pub mod tracing;
mod zones;

pub use contacts::*;
pub use disinfections::*;
pub use map::*;
pub use movements::*;
pub use seals::*;
pub use zones::*;

/// A case with the place it is counted at, as lists and its page show it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CaseDto))]
pub struct Case {
    pub id: i64,
    pub community_id: i64,
    pub grid_id: i64,
    pub building_id: i64,
    pub unit_id: Option<i64>,
    pub household_id: Option<i64>,
    pub resident_id: Option<i64>,
    pub visitor_id: Option<i64>,
    pub person_name: String,
    #[sqlx(try_from = "String")]
    pub source: Source,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub suspected_at: i64,
    pub confirmed_at: Option<i64>,
    pub excluded_at: Option<i64>,
    pub onset_on: Option<String>,
    pub tested_on: Option<String>,
    pub reference: String,
    pub note: String,
    pub traced_from_id: Option<i64>,
    pub report_sent_at: Option<i64>,
    pub created_at: i64,
    pub grid_name: String,
    pub building_name: String,
    pub unit_name: Option<String>,
    pub room: Option<String>,
}

const CASE_SELECT: &str = "SELECT c.id, c.community_id, c.grid_id, c.building_id, c.unit_id, \
     c.household_id, c.resident_id, c.visitor_id, c.person_name, c.source, c.status, \
     c.suspected_at, c.confirmed_at, c.excluded_at, c.onset_on, c.tested_on, c.reference, \
     c.note, c.traced_from_id, c.report_sent_at, c.created_at, g.name AS grid_name, \
     b.name AS building_name, u.name AS unit_name, h.room \
     FROM cases c JOIN grids g ON g.id = c.grid_id JOIN buildings b ON b.id = c.building_id \
     LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN households h ON h.id = c.household_id";

/// A case as recorded.
#[derive(Debug, Clone)]
pub struct NewCase<'a> {
    pub community_id: i64,
    pub grid_id: i64,
    pub building_id: i64,
    pub unit_id: Option<i64>,
    pub household_id: Option<i64>,
    pub resident_id: Option<i64>,
    pub visitor_id: Option<i64>,
    pub person_name: &'a str,
    pub source: Source,
    pub onset_on: Option<&'a str>,
    pub tested_on: Option<&'a str>,
    pub reference: &'a str,
    pub note: &'a str,
    pub traced_from_id: Option<i64>,
    pub at: i64,
    pub created_by: i64,
}

/// The case not excluded of the person `c` names (resident, visitor, or a name in a
/// building), if any: a person is one case until it is excluded.
pub async fn open_case_of(conn: &mut Conn, c: &NewCase<'_>) -> Result<Option<i64>> {
    match (c.resident_id, c.visitor_id) {
        (Some(r), _) => {
            sql::scalar_optional(
                conn,
                "SELECT id FROM cases WHERE resident_id = $1 AND status <> 'excluded'",
                (r,),
            )
            .await
        }
        (None, Some(v)) => {
            sql::scalar_optional(
                conn,
                "SELECT id FROM cases WHERE visitor_id = $1 AND status <> 'excluded'",
                (v,),
            )
            .await
        }
        (None, None) => {
            sql::scalar_optional(
                conn,
                "SELECT id FROM cases WHERE building_id = $1 AND person_name = $2 \
                 AND resident_id IS NULL AND visitor_id IS NULL AND status <> 'excluded'",
                (c.building_id, c.person_name),
            )
            .await
        }
    }
}

pub async fn insert_case(conn: &mut Conn, c: &NewCase<'_>) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO cases (community_id, grid_id, building_id, unit_id, household_id, \
         resident_id, visitor_id, person_name, source, status, suspected_at, onset_on, \
         tested_on, reference, note, traced_from_id, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'suspected', $10, $11, $12, $13, $14, $15, \
         $16, $10, $10) RETURNING id",
        (
            c.community_id,
            c.grid_id,
            c.building_id,
            c.unit_id,
            c.household_id,
            c.resident_id,
            c.visitor_id,
            c.person_name,
            c.source.code(),
            c.at,
            c.onset_on,
            c.tested_on,
            c.reference,
            c.note,
            c.traced_from_id,
            c.created_by,
        ),
    )
    .await
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<Status>,
    pub building_id: Option<i64>,
    pub resident_id: Option<i64>,
}

/// Cases in the jurisdiction, newest first.
pub async fn list_cases(
    conn: &mut Conn,
    j: &Jurisdiction,
    f: &CaseFilter,
    page: PageRequest,
) -> Result<Page<Case>> {
    let mut w = Where::new();
    w.scope(j, "c");
    w.text_if_given("c.status = ?", f.status.map(|s| s.code()))
        .int_if_given("c.building_id = ?", f.building_id)
        .int_if_given("c.resident_id = ?", f.resident_id);
    let order = w.keyset("c", "cases", Key::Desc("id"), page.after);
    w.fetch_page(conn, CASE_SELECT, &order, page, read::<Case>, |c| c.id)
        .await
}

pub async fn case(conn: &mut Conn, j: &Jurisdiction, id: i64) -> Result<Case> {
    let mut w = Where::new();
    w.scope(j, "c").int("c.id = ?", id);
    w.fetch_one(conn, CASE_SELECT, read::<Case>).await
}

/// The cases of one community whose chain reaches back to a case (traced from it, and so on),
/// with the case itself: at most `limit`, for the chain drawing.
pub async fn chain(conn: &mut Conn, community_id: i64, limit: i64) -> Result<Vec<Case>> {
    let sql = format!("{CASE_SELECT} WHERE c.community_id = $1 ORDER BY c.id LIMIT $2");
    sql::all(conn, sqlx::AssertSqlSafe(sql), (community_id, limit)).await
}

/// A visitor's name, if the visitor exists.
pub async fn visitor_name(conn: &mut Conn, id: i64) -> Result<Option<String>> {
    sql::scalar_optional(conn, "SELECT name FROM visitors WHERE id = $1", (id,)).await
}

/// A visitor's community and name, if the visitor exists.
pub async fn visitor(conn: &mut Conn, id: i64) -> Result<Option<(i64, String)>> {
    sql::optional(
        conn,
        "SELECT community_id, name FROM visitors WHERE id = $1",
        (id,),
    )
    .await
}

/// The community a gate belongs to, if the gate exists.
pub async fn gate_community(conn: &mut Conn, id: i64) -> Result<Option<i64>> {
    sql::scalar_optional(conn, "SELECT community_id FROM gates WHERE id = $1", (id,)).await
}

pub async fn set_status(conn: &mut Conn, id: i64, status: Status, at: i64) -> Result<()> {
    let column = match status {
        Status::Suspected => "suspected_at",
        Status::Confirmed => "confirmed_at",
        Status::Excluded => "excluded_at",
    };
    let sql = format!("UPDATE cases SET status = $1, {column} = $2, updated_at = $2 WHERE id = $3");
    sql::execute(conn, sqlx::AssertSqlSafe(sql), (status.code(), at, id)).await?;
    Ok(())
}

pub async fn set_report_sent(conn: &mut Conn, id: i64, at: i64, by: i64) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE cases SET report_sent_at = $1, report_sent_by = $2, updated_at = $1 WHERE id = $3",
        (at, by, id),
    )
    .await?;
    Ok(())
}

/// The control level the lead set last; general when never set.
pub async fn control_level(
    conn: &mut Conn,
    community_id: i64,
) -> Result<Option<(ControlLevel, String, i64)>> {
    let row: Option<(String, String, i64)> = sql::optional(
        conn,
        "SELECT level, reason, set_at FROM control_levels WHERE community_id = $1 \
         ORDER BY id DESC LIMIT 1",
        (community_id,),
    )
    .await?;
    Ok(row.and_then(|(l, r, at)| ControlLevel::from_code(&l).map(|l| (l, r, at))))
}

pub async fn set_control_level(
    conn: &mut Conn,
    community_id: i64,
    level: ControlLevel,
    reason: &str,
    by: i64,
    at: i64,
) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO control_levels (community_id, level, reason, set_at, set_by) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        (community_id, level.code(), reason, at, by),
    )
    .await
}
