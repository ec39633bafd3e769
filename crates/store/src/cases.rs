//! Cases, their movements, the seals and risk zones they cause, the disinfection of a zone,
//! the contacts put on follow-up, and the community's control level.

use domain::access::Jurisdiction;
use domain::cases::{
    ControlLevel, EndReason, FollowUp, MovementKind, Source, Status, Strength, ZoneKind,
};
use domain::page::{Page, PageRequest};
use serde::Serialize;

use crate::rows::{NullableCode, read};
use crate::scope::{Key, Where};
use crate::{Conn, Result, sql};

pub mod tracing;

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

/// A place and time a case was, with the names people know them by.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = MovementDto))]
pub struct Movement {
    pub id: i64,
    pub case_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: MovementKind,
    pub building_id: Option<i64>,
    pub gate_id: Option<i64>,
    pub household_id: Option<i64>,
    pub place: String,
    pub from_at: i64,
    pub to_at: i64,
    pub building_name: Option<String>,
    pub gate_name: Option<String>,
    pub household_place: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewMovement<'a> {
    pub case_id: i64,
    pub kind: MovementKind,
    pub building_id: Option<i64>,
    pub gate_id: Option<i64>,
    pub household_id: Option<i64>,
    pub place: &'a str,
    pub from_at: i64,
    pub to_at: i64,
    pub created_by: i64,
    pub at: i64,
}

pub async fn insert_movement(conn: &mut Conn, m: &NewMovement<'_>) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO case_movements (case_id, kind, building_id, gate_id, household_id, place, \
         from_at, to_at, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        (
            m.case_id,
            m.kind.code(),
            m.building_id,
            m.gate_id,
            m.household_id,
            m.place,
            m.from_at,
            m.to_at,
            m.created_by,
            m.at,
        ),
    )
    .await
}

/// A case's movements, in time order.
pub async fn movements(conn: &mut Conn, case_id: i64) -> Result<Vec<Movement>> {
    sql::all(
        conn,
        "SELECT m.id, m.case_id, m.kind, m.building_id, m.gate_id, m.household_id, m.place, \
         m.from_at, m.to_at, b.name AS building_name, g.name AS gate_name, \
         hb.name || ' ' || u.name || ' ' || h.room AS household_place \
         FROM case_movements m LEFT JOIN buildings b ON b.id = m.building_id \
         LEFT JOIN gates g ON g.id = m.gate_id LEFT JOIN households h ON h.id = m.household_id \
         LEFT JOIN units u ON u.id = h.unit_id LEFT JOIN buildings hb ON hb.id = h.building_id \
         WHERE m.case_id = $1 ORDER BY m.from_at, m.id",
        (case_id,),
    )
    .await
}

/// A building's seal, or a risk zone's building: what the map and the case's page show.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SealDto))]
pub struct Seal {
    pub id: i64,
    pub building_id: i64,
    pub case_id: i64,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    #[sqlx(try_from = "NullableCode<EndReason>")]
    pub end_reason: Option<EndReason>,
    pub end_note: Option<String>,
    pub building_name: String,
}

/// Seals `building_id` for `case_id`; false when the case had sealed it already.
pub async fn insert_seal(conn: &mut Conn, case_id: i64, building_id: i64, at: i64) -> Result<bool> {
    let done = sql::execute(
        conn,
        "INSERT INTO seals (community_id, grid_id, building_id, case_id, started_at) \
         SELECT b.community_id, b.grid_id, b.id, $1, $2 FROM buildings b WHERE b.id = $3 \
         AND NOT EXISTS (SELECT 1 FROM seals s WHERE s.building_id = $3 AND s.case_id = $1)",
        (case_id, at, building_id),
    )
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends the open seals of a case (all of them, or of one building); the buildings whose seal
/// ended.
pub async fn end_seals(
    conn: &mut Conn,
    case_id: i64,
    building_id: Option<i64>,
    reason: EndReason,
    note: &str,
    by: i64,
    at: i64,
) -> Result<Vec<i64>> {
    sql::scalars(
        conn,
        "UPDATE seals SET ended_at = $1, end_reason = $2, end_note = $3, ended_by = $4 \
         WHERE case_id = $5 AND ended_at IS NULL AND ($6 = 0 OR building_id = $6) \
         RETURNING building_id",
        (
            at,
            reason.code(),
            note,
            by,
            case_id,
            building_id.unwrap_or(0),
        ),
    )
    .await
}

/// Whether any case still seals the building.
pub async fn building_sealed(conn: &mut Conn, building_id: i64) -> Result<bool> {
    let n: i64 = sql::scalar(
        conn,
        "SELECT COUNT(*) FROM seals WHERE building_id = $1 AND ended_at IS NULL",
        (building_id,),
    )
    .await?;
    Ok(n > 0)
}

pub async fn seals_of_case(conn: &mut Conn, case_id: i64) -> Result<Vec<Seal>> {
    sql::all(
        conn,
        "SELECT s.id, s.building_id, s.case_id, s.started_at, s.ended_at, s.end_reason, \
         s.end_note, b.name AS building_name FROM seals s JOIN buildings b ON b.id = s.building_id \
         WHERE s.case_id = $1 ORDER BY s.id",
        (case_id,),
    )
    .await
}

/// A building of a risk zone, or the outbreak point's unit in it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ZoneDto))]
pub struct Zone {
    pub id: i64,
    pub building_id: i64,
    pub unit_id: Option<i64>,
    pub case_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: ZoneKind,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    #[sqlx(try_from = "NullableCode<EndReason>")]
    pub end_reason: Option<EndReason>,
    pub building_name: String,
    pub unit_name: Option<String>,
}

pub async fn insert_zone(
    conn: &mut Conn,
    case_id: i64,
    kind: ZoneKind,
    building_id: i64,
    unit_id: Option<i64>,
    at: i64,
) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO risk_zones (community_id, grid_id, building_id, unit_id, case_id, kind, \
         started_at) SELECT b.community_id, b.grid_id, b.id, $1, $2, $3, $4 FROM buildings b \
         WHERE b.id = $5 RETURNING id",
        (unit_id, case_id, kind.code(), at, building_id),
    )
    .await
}

pub async fn zones_of_case(conn: &mut Conn, case_id: i64) -> Result<Vec<Zone>> {
    sql::all(
        conn,
        "SELECT z.id, z.building_id, z.unit_id, z.case_id, z.kind, z.started_at, z.ended_at, \
         z.end_reason, b.name AS building_name, u.name AS unit_name FROM risk_zones z \
         JOIN buildings b ON b.id = z.building_id LEFT JOIN units u ON u.id = z.unit_id \
         WHERE z.case_id = $1 ORDER BY z.kind DESC, z.id",
        (case_id,),
    )
    .await
}

/// Ends a case's open zones; how many ended.
pub async fn end_zones(
    conn: &mut Conn,
    case_id: i64,
    reason: EndReason,
    note: &str,
    by: i64,
    at: i64,
) -> Result<u64> {
    let done = sql::execute(
        conn,
        "UPDATE risk_zones SET ended_at = $1, end_reason = $2, end_note = $3, ended_by = $4 \
         WHERE case_id = $5 AND ended_at IS NULL",
        (at, reason.code(), note, by, case_id),
    )
    .await?;
    Ok(done.rows_affected())
}

/// The confirmed cases whose open zones or seals have seen no new case in their buildings
/// since `before` (ms): what the quiet-days rule ends.
pub async fn quiet_cases(conn: &mut Conn, before: i64) -> Result<Vec<i64>> {
    sql::scalars(
        conn,
        "SELECT c.id FROM cases c WHERE c.status = 'confirmed' \
         AND (EXISTS (SELECT 1 FROM risk_zones z WHERE z.case_id = c.id AND z.ended_at IS NULL) \
         OR EXISTS (SELECT 1 FROM seals s WHERE s.case_id = c.id AND s.ended_at IS NULL)) \
         AND NOT EXISTS (SELECT 1 FROM risk_zones z JOIN cases o ON o.building_id = z.building_id \
         WHERE z.case_id = c.id AND o.status <> 'excluded' AND o.suspected_at >= $1) \
         AND c.confirmed_at < $1 ORDER BY c.id",
        (before,),
    )
    .await
}

/// A disinfection of one building after a confirmed case.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DisinfectionDto))]
pub struct Disinfection {
    pub id: i64,
    pub case_id: i64,
    pub building_id: i64,
    pub due_date: String,
    pub state: String,
    pub done_at: Option<i64>,
    pub done_by: Option<i64>,
    pub building_name: String,
}

/// A disinfection task for each building of a case's open zones that has none; the ids made.
pub async fn insert_disinfections(
    conn: &mut Conn,
    case_id: i64,
    due_date: &str,
    at: i64,
) -> Result<Vec<i64>> {
    sql::scalars(
        conn,
        "INSERT INTO disinfection_tasks (case_id, community_id, grid_id, building_id, due_date, \
         state, created_at) SELECT DISTINCT z.case_id, z.community_id, z.grid_id, z.building_id, \
         $1, 'open', $2 FROM risk_zones z WHERE z.case_id = $3 AND z.ended_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM disinfection_tasks d WHERE d.case_id = z.case_id \
         AND d.building_id = z.building_id) RETURNING id",
        (due_date, at, case_id),
    )
    .await
}

pub async fn disinfections_of_case(conn: &mut Conn, case_id: i64) -> Result<Vec<Disinfection>> {
    sql::all(
        conn,
        "SELECT d.id, d.case_id, d.building_id, d.due_date, d.state, d.done_at, d.done_by, \
         b.name AS building_name FROM disinfection_tasks d \
         JOIN buildings b ON b.id = d.building_id WHERE d.case_id = $1 ORDER BY b.name, d.id",
        (case_id,),
    )
    .await
}

/// A disinfection in the jurisdiction.
pub async fn disinfection(conn: &mut Conn, j: &Jurisdiction, id: i64) -> Result<Disinfection> {
    let mut w = Where::new();
    w.scope(j, "d").int("d.id = ?", id);
    w.fetch_one(
        conn,
        "SELECT d.id, d.case_id, d.building_id, d.due_date, d.state, d.done_at, d.done_by, \
         b.name AS building_name FROM disinfection_tasks d JOIN buildings b ON b.id = d.building_id",
        read::<Disinfection>,
    )
    .await
}

/// Marks a disinfection done; false when it was done already.
pub async fn finish_disinfection(conn: &mut Conn, id: i64, by: i64, at: i64) -> Result<bool> {
    let done = sql::execute(
        conn,
        "UPDATE disinfection_tasks SET state = 'done', done_at = $1, done_by = $2 \
         WHERE id = $3 AND state = 'open'",
        (at, by, id),
    )
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A traced contact put on follow-up.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CaseContactDto))]
pub struct CaseContact {
    pub id: i64,
    pub case_id: i64,
    pub resident_id: Option<i64>,
    pub visitor_id: Option<i64>,
    pub account_id: Option<i64>,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub strength: Strength,
    /// JSON: the overlaps that found the contact.
    pub evidence: String,
    #[sqlx(try_from = "String")]
    pub follow_up: FollowUp,
    pub quarantine_order_id: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewContact<'a> {
    pub case_id: i64,
    pub community_id: i64,
    pub resident_id: Option<i64>,
    pub visitor_id: Option<i64>,
    pub account_id: Option<i64>,
    pub name: &'a str,
    pub strength: Strength,
    pub evidence: &'a str,
    pub follow_up: FollowUp,
    pub quarantine_order_id: Option<i64>,
    pub by: i64,
    pub at: i64,
}

pub async fn insert_contact(conn: &mut Conn, c: &NewContact<'_>) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO case_contacts (case_id, community_id, resident_id, visitor_id, account_id, \
         name, strength, evidence, follow_up, quarantine_order_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        (
            c.case_id,
            c.community_id,
            c.resident_id,
            c.visitor_id,
            c.account_id,
            c.name,
            c.strength.code(),
            c.evidence,
            c.follow_up.code(),
            c.quarantine_order_id,
            c.by,
            c.at,
        ),
    )
    .await
}

/// A case's contacts on follow-up, by key.
pub async fn contacts(
    conn: &mut Conn,
    case_id: i64,
    page: PageRequest,
) -> Result<Page<CaseContact>> {
    let mut w = Where::new();
    w.int("k.case_id = ?", case_id);
    let order = w.keyset("k", "case_contacts", Key::Id, page.after);
    w.fetch_page(
        conn,
        "SELECT k.id, k.case_id, k.resident_id, k.visitor_id, k.account_id, k.name, k.strength, \
         k.evidence, k.follow_up, k.quarantine_order_id, k.created_at FROM case_contacts k",
        &order,
        page,
        read::<CaseContact>,
        |c| c.id,
    )
    .await
}

/// The contacts already on follow-up for a case, as keys, so a second follow-up skips them.
pub async fn followed_keys(conn: &mut Conn, case_id: i64) -> Result<Vec<(String, i64)>> {
    sql::all(
        conn,
        "SELECT CASE WHEN resident_id IS NOT NULL THEN 'resident' \
         WHEN visitor_id IS NOT NULL THEN 'visitor' ELSE 'account' END, \
         COALESCE(resident_id, visitor_id, account_id) FROM case_contacts WHERE case_id = $1",
        (case_id,),
    )
    .await
}

/// How many contacts each case of a community has on follow-up.
pub async fn contact_counts(conn: &mut Conn, community_id: i64) -> Result<Vec<(i64, i64)>> {
    sql::all(
        conn,
        "SELECT case_id, COUNT(*) FROM case_contacts WHERE community_id = $1 GROUP BY case_id",
        (community_id,),
    )
    .await
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

/// A building as the risk map colours it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct BuildingState {
    pub id: i64,
    pub grid_id: i64,
    pub name: String,
    /// Open seals on it.
    pub seals: i64,
    /// 2: an outbreak point in it; 1: in an alert zone; 0: neither.
    pub zone: i64,
    /// Residents under active quarantine in it.
    pub quarantined: i64,
    /// Unresolved fever alerts in it.
    pub fevers: i64,
}

/// Every building of a community (at most `limit`) with what the map colours it by: one
/// statement over the buildings' index and the open rows of seals, zones, orders and alerts.
pub async fn building_states(
    conn: &mut Conn,
    community_id: i64,
    grid_id: Option<i64>,
    limit: i64,
) -> Result<Vec<BuildingState>> {
    sql::all(
        conn,
        "SELECT b.id, b.grid_id, b.name, COALESCE(s.n, 0) AS seals, COALESCE(z.k, 0) AS zone, \
         COALESCE(q.n, 0) AS quarantined, COALESCE(a.n, 0) AS fevers FROM buildings b \
         LEFT JOIN (SELECT building_id, COUNT(*) AS n FROM seals WHERE community_id = $1 \
         AND ended_at IS NULL GROUP BY building_id) s ON s.building_id = b.id \
         LEFT JOIN (SELECT building_id, MAX(CASE WHEN kind = 'outbreak_point' THEN 2 ELSE 1 END) \
         AS k FROM risk_zones WHERE community_id = $1 AND ended_at IS NULL GROUP BY building_id) z \
         ON z.building_id = b.id \
         LEFT JOIN (SELECT building_id, COUNT(*) AS n FROM quarantine_orders \
         WHERE community_id = $1 AND state = 'active' GROUP BY building_id) q \
         ON q.building_id = b.id \
         LEFT JOIN (SELECT building_id, COUNT(*) AS n FROM check_alerts WHERE community_id = $1 \
         AND state <> 'resolved' AND kind = 'fever' GROUP BY building_id) a \
         ON a.building_id = b.id \
         WHERE b.community_id = $1 AND ($2 = 0 OR b.grid_id = $2) ORDER BY b.grid_id, b.name, b.id \
         LIMIT $3",
        (community_id, grid_id.unwrap_or(0), limit),
    )
    .await
}
