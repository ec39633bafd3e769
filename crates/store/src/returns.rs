//! Return-to-work applications, their travellers and verifications. Staff reads are scoped by
//! the caller's jurisdiction in SQL; the applicant's own reads go through the link's hash.

use crate::registry::{Home, HouseholdAddress};
use domain::access::Jurisdiction;
use domain::document::DocumentKind;
use domain::returns::{Means, State};
use serde::Serialize;

use crate::rows::read;
use crate::scope::Where;
use crate::sql;
use crate::{Conn, Flag, Result, now_ms};

mod public;

pub use public::*;

/// An application with its destination as people name it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Application {
    pub id: i64,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub address: HouseholdAddress,
    pub gate_id: Option<i64>,
    /// Empty when no gate is set.
    pub gate_name: String,
    #[sqlx(try_from = "String")]
    pub state: State,
    pub name: String,
    pub document_masked: String,
    pub phone: String,
    pub employer: String,
    pub employer_address: String,
    pub origin: String,
    #[sqlx(try_from = "String")]
    pub means: Means,
    pub trip: String,
    pub arrival_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub arrived_at: Option<i64>,
    pub decided_at: Option<i64>,
    pub decided_by: Option<i64>,
    pub refusal_reason: Option<String>,
    pub quarantine_until: Option<String>,
    pub withdrawn_at: Option<i64>,
    /// Travellers besides the applicant.
    pub companions: i64,
}

const APPLICATION_SELECT: &str = "SELECT a.id, a.community_id, a.household_id, a.building_id, \
     a.grid_id, a.gate_id, COALESCE(g.name, '') AS gate_name, b.name AS building_name, \
     u.name AS unit_name, h.room, a.state, a.name, a.document_masked, a.phone, a.employer, \
     a.employer_address, a.origin, a.means, a.trip, a.arrival_at, a.created_at, a.updated_at, \
     a.arrived_at, a.decided_at, a.decided_by, a.refusal_reason, a.quarantine_until, \
     a.withdrawn_at, \
     (SELECT COUNT(*) FROM return_travellers t WHERE t.application_id = a.id AND t.position > 0) \
     AS companions \
     FROM return_applications a JOIN households h ON h.id = a.household_id \
     JOIN units u ON u.id = h.unit_id JOIN buildings b ON b.id = a.building_id \
     LEFT JOIN gates g ON g.id = a.gate_id";

/// One traveller of an application: the applicant at position 0, then the companions.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Traveller {
    pub application_id: i64,
    pub position: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub document_kind: DocumentKind,
    #[serde(skip)]
    pub document_sealed: Vec<u8>,
    #[serde(skip)]
    pub document_index: Vec<u8>,
    pub document_masked: String,
    pub resident_id: Option<i64>,
    pub order_id: Option<i64>,
}

/// A traveller to store.
#[derive(Debug, Clone)]
pub struct NewTraveller {
    pub name: String,
    pub document_kind: DocumentKind,
    pub document_sealed: Vec<u8>,
    pub document_index: Vec<u8>,
    pub document_masked: String,
}

/// An application to store; its travellers, the applicant first.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub home: Home,
    pub gate_id: Option<i64>,
    pub phone: String,
    pub employer: String,
    pub employer_address: String,
    pub origin: String,
    pub means: Means,
    pub trip: String,
    pub arrival_at: i64,
    pub link_hash: String,
    pub client: String,
    pub travellers: Vec<NewTraveller>,
}

/// Stores an application and its travellers, in state `submitted`.
pub async fn insert_application(conn: &mut Conn, a: &NewApplication) -> Result<i64> {
    let Some(applicant) = a.travellers.first() else {
        return Err(crate::StoreError::NotFound);
    };
    let now = now_ms();
    let id: i64 = sql::scalar(
        conn,
        "INSERT INTO return_applications (community_id, household_id, building_id, grid_id, \
         gate_id, state, name, document_masked, phone, employer, employer_address, origin, \
         means, trip, arrival_at, link_hash, client, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
         $16, $17, $17) RETURNING id",
        (
            a.home.community_id,
            a.home.household_id,
            a.home.building_id,
            a.home.grid_id,
            a.gate_id,
            applicant.name.as_str(),
            applicant.document_masked.as_str(),
            a.phone.as_str(),
            a.employer.as_str(),
            a.employer_address.as_str(),
            a.origin.as_str(),
            a.means.code(),
            a.trip.as_str(),
            a.arrival_at,
            a.link_hash.as_str(),
            a.client.as_str(),
            now,
        ),
    )
    .await?;
    for (position, t) in (0_i64..).zip(&a.travellers) {
        sql::execute(
            conn,
            "INSERT INTO return_travellers (application_id, position, name, document_kind, \
             document_sealed, document_index, document_masked) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            (
                id,
                position,
                t.name.as_str(),
                t.document_kind.code(),
                t.document_sealed.clone(),
                t.document_index.clone(),
                t.document_masked.as_str(),
            ),
        )
        .await?;
    }
    Ok(id)
}

/// One application inside the jurisdiction.
pub async fn application(conn: &mut Conn, j: &Jurisdiction, id: i64) -> Result<Application> {
    let mut w = Where::new();
    w.scope(j, "a").int("a.id = ?", id);
    w.fetch_one(conn, APPLICATION_SELECT, read::<Application>)
        .await
}

/// The application of a personal link, by the link's hash.
pub async fn application_by_link(conn: &mut Conn, link_hash: &str) -> Result<Option<Application>> {
    let mut w = Where::new();
    w.text("a.link_hash = ?", link_hash);
    match w
        .fetch_one(conn, APPLICATION_SELECT, read::<Application>)
        .await
    {
        Ok(a) => Ok(Some(a)),
        Err(crate::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The travellers of an application, the applicant first.
pub async fn travellers(conn: &mut Conn, application_id: i64) -> Result<Vec<Traveller>> {
    sql::all(
        conn,
        "SELECT application_id, position, name, document_kind, document_sealed, document_index, \
         document_masked, resident_id, order_id FROM return_travellers \
         WHERE application_id = $1 ORDER BY position",
        (application_id,),
    )
    .await
}

/// An application a person travels on, for the duplicate check.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Trip {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub state: State,
    pub arrival_at: i64,
}

/// The applications a person travels on (as applicant or companion), by the keyed index of
/// their document.
pub async fn trips_of(conn: &mut Conn, document_index: &[u8]) -> Result<Vec<Trip>> {
    sql::all(
        conn,
        "SELECT a.id, a.state, a.arrival_at FROM return_travellers t \
         JOIN return_applications a ON a.id = t.application_id \
         WHERE t.document_index = $1 ORDER BY a.id",
        (document_index.to_vec(),),
    )
    .await
}

/// Moves an application from `from` to `to` if nobody moved it since; false when it was.
pub async fn move_state(conn: &mut Conn, id: i64, from: State, to: State) -> Result<bool> {
    let r = sql::execute(
        conn,
        "UPDATE return_applications SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4",
        (to.code(), now_ms(), id, from.code()),
    )
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Stamps the arrival at the gate.
pub async fn set_arrived(conn: &mut Conn, id: i64, at: i64) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE return_applications SET arrived_at = $1 WHERE id = $2",
        (at, id),
    )
    .await?;
    Ok(())
}

/// Stamps the decision: who, when, why refused, and the quarantine's last day when admitted.
pub async fn set_decided(
    conn: &mut Conn,
    id: i64,
    by: i64,
    at: i64,
    refusal_reason: Option<&str>,
    quarantine_until: Option<&str>,
) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE return_applications SET decided_at = $1, decided_by = $2, refusal_reason = $3, \
         quarantine_until = $4 WHERE id = $5",
        (at, by, refusal_reason, quarantine_until, id),
    )
    .await?;
    Ok(())
}

/// Stamps a withdrawal.
pub async fn set_withdrawn(conn: &mut Conn, id: i64, at: i64) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE return_applications SET withdrawn_at = $1 WHERE id = $2",
        (at, id),
    )
    .await?;
    Ok(())
}

/// Changes the arrival time while the application is pending; false when it is not any more.
pub async fn set_arrival(conn: &mut Conn, id: i64, arrival_at: i64) -> Result<bool> {
    let r = sql::execute(
        conn,
        "UPDATE return_applications SET arrival_at = $1, updated_at = $2 \
         WHERE id = $3 AND state IN ('submitted', 'expected')",
        (arrival_at, now_ms(), id),
    )
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Records the resident and the quarantine order an approval made for a traveller.
pub async fn set_traveller_outcome(
    conn: &mut Conn,
    application_id: i64,
    position: i64,
    resident_id: i64,
    order_id: Option<i64>,
) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE return_travellers SET resident_id = $1, order_id = $2 \
         WHERE application_id = $3 AND position = $4",
        (resident_id, order_id, application_id, position),
    )
    .await?;
    Ok(())
}

/// Applications expected at the gates from `from` to `to` (ms): not yet decided, by gate and
/// arrival time.
pub async fn expected(
    conn: &mut Conn,
    j: &Jurisdiction,
    from: i64,
    to: i64,
    gate_id: Option<i64>,
) -> Result<Vec<Application>> {
    let mut w = Where::new();
    w.scope(j, "a")
        .int("a.arrival_at >= ?", from)
        .int("a.arrival_at < ?", to)
        .raw("a.state IN ('submitted', 'expected', 'arrived')");
    w.int_if_given("a.gate_id = ?", gate_id);
    w.fetch_all(
        conn,
        APPLICATION_SELECT,
        "COALESCE(g.name, ''), a.arrival_at, a.id",
        read::<Application>,
    )
    .await
}

/// What a search finds: an application's number, the start of a name, or an ID number's index.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub id: Option<i64>,
    pub name_prefix: Option<String>,
    pub document_index: Option<Vec<u8>>,
}

/// Applications matching a search inside the jurisdiction, newest first; at most `limit`.
pub async fn search(
    conn: &mut Conn,
    j: &Jurisdiction,
    s: &Search,
    limit: i64,
) -> Result<Vec<Application>> {
    let mut w = Where::new();
    w.scope(j, "a");
    w.int_if_given("a.id = ?", s.id);
    if let Some(p) = &s.name_prefix {
        w.text("a.name >= ?", p.clone())
            .text("a.name < ?", format!("{p}\u{10FFFF}"));
    }
    if let Some(index) = &s.document_index {
        let ids: Vec<i64> = sql::scalars(
            conn,
            "SELECT application_id FROM return_travellers WHERE document_index = $1",
            (index.clone(),),
        )
        .await?;
        let list = if ids.is_empty() {
            "0".to_owned()
        } else {
            ids.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Ids are integers: listed in the SQL, not bound one by one.
        w.raw(&format!("a.id IN ({list})"));
    }
    let order = format!("a.id DESC LIMIT {}", limit.clamp(1, 200));
    w.fetch_all(conn, APPLICATION_SELECT, &order, read::<Application>)
        .await
}

/// A verification as recorded.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct VerificationRecord {
    pub id: i64,
    pub application_id: i64,
    pub health_code: String,
    pub itinerary_code: String,
    pub visited_regions: String,
    #[sqlx(try_from = "Flag")]
    pub certificate_seen: bool,
    pub certificate_seen_by: Option<i64>,
    pub test_taken_on: Option<String>,
    pub test_institution: Option<String>,
    pub test_result: Option<String>,
    pub temperature_tenths: i64,
    pub refusals: String,
    pub decision: String,
    #[sqlx(try_from = "Flag")]
    pub is_override: bool,
    pub reason: Option<String>,
    pub verified_by: i64,
    pub verifier_name: String,
    pub verified_at: i64,
}

/// A verification to store.
#[derive(Debug, Clone)]
pub struct NewVerification<'a> {
    pub application_id: i64,
    pub community_id: i64,
    pub health_code: &'a str,
    pub itinerary_code: &'a str,
    pub visited_regions: &'a str,
    pub certificate_seen: bool,
    pub test_taken_on: Option<&'a str>,
    pub test_institution: Option<&'a str>,
    pub test_result: Option<&'a str>,
    pub temperature_tenths: i64,
    pub refusals: &'a str,
    pub decision: &'a str,
    pub is_override: bool,
    pub reason: Option<&'a str>,
    pub verified_by: i64,
    pub verified_at: i64,
}

pub async fn insert_verification(conn: &mut Conn, v: &NewVerification<'_>) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO return_verifications (application_id, community_id, health_code, \
         itinerary_code, visited_regions, certificate_seen, certificate_seen_by, test_taken_on, \
         test_institution, test_result, temperature_tenths, refusals, decision, is_override, \
         reason, verified_by, verified_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $7, $16) RETURNING id",
        (
            v.application_id,
            v.community_id,
            v.health_code,
            v.itinerary_code,
            v.visited_regions,
            i64::from(v.certificate_seen),
            v.verified_by,
            v.test_taken_on,
            v.test_institution,
            v.test_result,
            v.temperature_tenths,
            v.refusals,
            v.decision,
            i64::from(v.is_override),
            v.reason,
            v.verified_at,
        ),
    )
    .await
}

/// The verifications of an application, newest first.
pub async fn verifications(
    conn: &mut Conn,
    application_id: i64,
) -> Result<Vec<VerificationRecord>> {
    sql::all(
        conn,
        "SELECT v.id, v.application_id, v.health_code, v.itinerary_code, v.visited_regions, \
         v.certificate_seen, v.certificate_seen_by, v.test_taken_on, v.test_institution, \
         v.test_result, v.temperature_tenths, v.refusals, v.decision, v.is_override, v.reason, \
         v.verified_by, COALESCE(ac.display_name, '') AS verifier_name, v.verified_at \
         FROM return_verifications v LEFT JOIN accounts ac ON ac.id = v.verified_by \
         WHERE v.application_id = $1 ORDER BY v.id DESC",
        (application_id,),
    )
    .await
}

/// The moments of an application that throughput counts.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Moments {
    pub created_at: i64,
    pub arrived_at: Option<i64>,
    pub decided_at: Option<i64>,
    #[sqlx(try_from = "String")]
    pub state: State,
}

/// The moments of the jurisdiction's applications that may fall from `from` to `to` (ms): made
/// before `to`, and made, arrived or decided at `from` or later. A row may have none inside
/// (made before, arrived after); the caller counts by moment.
pub async fn moments(
    conn: &mut Conn,
    j: &Jurisdiction,
    from: i64,
    to: i64,
) -> Result<Vec<Moments>> {
    let mut w = Where::new();
    w.scope(j, "a").int("a.created_at < ?", to).int(
        "(a.created_at >= ? OR a.arrived_at >= ? OR a.decided_at >= ?)",
        from,
    );
    w.fetch_all(
        conn,
        "SELECT a.created_at, a.arrived_at, a.decided_at, a.state FROM return_applications a",
        "a.id",
        read::<Moments>,
    )
    .await
}

/// The gate an application is expected at: the first open gate serving the building, or
/// serving the whole community.
pub async fn gate_for_building(conn: &mut Conn, building_id: i64) -> Result<Option<i64>> {
    let served = crate::gates::gates_for_building(conn, building_id).await?;
    if let Some(first) = served.first() {
        return Ok(Some(*first));
    }
    sql::scalar_optional(
        conn,
        "SELECT g.id FROM gates g JOIN buildings b ON b.community_id = g.community_id \
         WHERE b.id = $1 AND g.closed = 0 AND g.direction <> 'out' ORDER BY g.id LIMIT 1",
        (building_id,),
    )
    .await
}

/// A household's residents, those of them vulnerable, and its open home quarantine orders.
pub async fn household_situation(conn: &mut Conn, household_id: i64) -> Result<(i64, i64, i64)> {
    sql::one(
        conn,
        "SELECT (SELECT COUNT(*) FROM residents WHERE household_id = $1), \
         (SELECT COUNT(*) FROM residents WHERE household_id = $1 AND vulnerabilities <> 0), \
         (SELECT COUNT(*) FROM quarantine_orders WHERE household_id = $1 \
          AND kind = 'home' AND state IN ('planned', 'active'))",
        (household_id,),
    )
    .await
}
