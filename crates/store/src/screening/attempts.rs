//! Attempts and answers, and the travel register an answer writes.

use domain::registry::TravelStatus;
use domain::screening::{HouseholdState, Method, Outcome};
use serde::Serialize;
use sqlx::{FromRow, Row};

use crate::registry::{self, CountedResident};
use crate::sql;
use crate::{Conn, Flag, Result, StoreError, now_ms};

use super::CampaignHousehold;

/// A recorded attempt.
#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct Attempt {
    pub id: i64,
    pub campaign_id: i64,
    pub household_id: i64,
    pub team_id: i64,
    #[sqlx(try_from = "String")]
    pub method: Method,
    #[sqlx(try_from = "String")]
    pub outcome: Outcome,
    pub at: i64,
    pub account_id: i64,
    pub account_name: String,
    #[sqlx(try_from = "String")]
    pub state_after: HouseholdState,
    pub notes: String,
}

const ATTEMPT_SELECT: &str = "SELECT id, campaign_id, household_id, team_id, method, outcome, at, \
     account_id, account_name, state_after, notes FROM screening_attempts";

/// The attempt an account already recorded with this key, if any.
pub async fn attempt_by_key(
    conn: &mut Conn,
    account_id: i64,
    key: &str,
) -> Result<Option<Attempt>> {
    let sql = format!("{ATTEMPT_SELECT} WHERE account_id = $1 AND idempotency_key = $2");
    sql::optional(conn, sqlx::AssertSqlSafe(sql), (account_id, key)).await
}

/// The attempts of one household in a campaign, newest first (a household has a handful).
pub async fn attempts_of(
    conn: &mut Conn,
    campaign_id: i64,
    household_id: i64,
) -> Result<Vec<Attempt>> {
    let sql = format!(
        "{ATTEMPT_SELECT} WHERE campaign_id = $1 AND household_id = $2 ORDER BY id DESC LIMIT 200"
    );
    sql::all(conn, sqlx::AssertSqlSafe(sql), (campaign_id, household_id)).await
}

pub struct NewAttempt<'a> {
    pub household: &'a CampaignHousehold,
    pub method: Method,
    pub outcome: Outcome,
    pub at: i64,
    pub account_id: i64,
    pub account_name: &'a str,
    pub idempotency_key: &'a str,
    pub state_after: HouseholdState,
    pub notes: &'a str,
}

pub async fn insert_attempt(conn: &mut Conn, a: &NewAttempt<'_>) -> Result<i64> {
    let h = a.household;
    let row = sql::fetch_one(
        conn,
        "INSERT INTO screening_attempts (campaign_id, household_id, community_id, grid_id, \
         building_id, team_id, method, outcome, at, account_id, account_name, idempotency_key, \
         state_after, notes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
        (
            h.campaign_id,
            h.address.household_id,
            h.address.community_id,
            h.address.grid_id,
            h.address.building_id,
            h.team_id,
            a.method.code(),
            a.outcome.code(),
            a.at,
            a.account_id,
            a.account_name,
            a.idempotency_key,
            a.state_after.code(),
            a.notes,
            now_ms(),
        ),
    )
    .await?;
    Ok(row.try_get("id")?)
}

/// One resident's answer as stored.
#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct StoredAnswer {
    pub attempt_id: i64,
    pub resident_id: i64,
    #[sqlx(try_from = "String")]
    pub travel_status: TravelStatus,
    pub origin_code: Option<String>,
    pub returned_on: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub matched: bool,
}

pub async fn insert_answer(
    conn: &mut Conn,
    campaign_id: i64,
    household_id: i64,
    a: &StoredAnswer,
) -> Result<()> {
    sql::execute(
        conn,
        "INSERT INTO screening_answers (attempt_id, campaign_id, household_id, resident_id, \
         travel_status, origin_code, returned_on, matched) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        (
            a.attempt_id,
            campaign_id,
            household_id,
            a.resident_id,
            a.travel_status.code(),
            a.origin_code.as_deref(),
            a.returned_on.as_deref(),
            i64::from(a.matched),
        ),
    )
    .await?;
    Ok(())
}

pub async fn answers_of_attempt(conn: &mut Conn, attempt_id: i64) -> Result<Vec<StoredAnswer>> {
    sql::all(
        conn,
        "SELECT attempt_id, resident_id, travel_status, origin_code, returned_on, matched \
         FROM screening_answers WHERE attempt_id = $1 ORDER BY id",
        (attempt_id,),
    )
    .await
}

/// A resident's travel register entry before an answer changed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct TravelEntry {
    #[sqlx(try_from = "String")]
    pub travel_status: TravelStatus,
    pub travel_origin: Option<String>,
    pub returned_on: Option<String>,
}

/// Writes an answer into a resident's travel register: bumps the version (so an edit form
/// opened before the answer reports a conflict instead of overwriting it) and moves the resident
/// between the registry's count buckets. Returns the entry as it was.
pub async fn set_travel(
    conn: &mut Conn,
    resident_id: i64,
    status: TravelStatus,
    origin: Option<&str>,
    returned_on: Option<&str>,
) -> Result<TravelEntry> {
    let r = sql::fetch_optional(
        conn,
        "SELECT grid_id, community_id, travel_status, hukou, vulnerabilities, travel_origin, \
         returned_on FROM residents WHERE id = $1",
        (resident_id,),
    )
    .await?
    .ok_or(StoreError::NotFound)?;
    let entry = TravelEntry::from_row(&r)?;
    let before = CountedResident::from_row(&r)?.key();
    registry::write_travel(conn, resident_id, status, origin, returned_on, before).await?;
    Ok(entry)
}
