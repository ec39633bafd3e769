//! Check records, self-report links and alerts. Every list is scoped by the caller's
//! jurisdiction in SQL, on place columns copied from the order.

use domain::access::Jurisdiction;
use domain::code::UnknownCode;
use domain::health::{Method, Symptom};
use domain::page::{Page, PageRequest};
use domain::quarantine::Part;
use serde::Serialize;
use sqlx::Decode;
use sqlx::any::{Any, AnyValueRef};
use sqlx::error::BoxDynError;

use crate::rows::{read, stored_as};
use crate::scope::Where;
use crate::sql;
use crate::{Conn, Flag, Result, StoreError};

/// One stored check record: the current one of its slot, or one a correction superseded.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Check {
    pub id: i64,
    pub order_id: i64,
    /// ISO date and `morning` or `evening`.
    pub slot_date: String,
    #[sqlx(try_from = "String")]
    pub slot_part: Part,
    /// Tenths of a degree Celsius.
    pub temperature: i64,
    #[sqlx(try_from = "SymptomList")]
    pub symptoms: Vec<Symptom>,
    pub other_symptom: String,
    #[sqlx(try_from = "Flag")]
    pub febrile: bool,
    #[sqlx(try_from = "String")]
    pub method: Method,
    pub recorded_by: Option<i64>,
    pub recorder_name: String,
    pub link_id: Option<i64>,
    pub checked_at: i64,
    pub replaces_id: Option<i64>,
    pub correction_reason: Option<String>,
    pub superseded_at: Option<i64>,
}

const CHECK_COLUMNS: &str = "c.id, c.order_id, c.slot_date, c.slot_part, c.temperature, \
     c.symptoms, c.other_symptom, c.febrile, c.method, c.recorded_by, c.recorder_name, c.link_id, \
     c.checked_at, c.replaces_id, c.correction_reason, c.superseded_at";

/// Symptom codes are stored joined by commas; a record read through an outer join may have
/// none at all.
struct SymptomList(Vec<Symptom>);

stored_as!(SymptomList, String);

impl<'r> Decode<'r, Any> for SymptomList {
    fn decode(value: AnyValueRef<'r>) -> std::result::Result<Self, BoxDynError> {
        let joined = <Option<String> as Decode<'r, Any>>::decode(value)?.unwrap_or_default();
        let symptoms = joined
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| {
                Symptom::from_code(c).ok_or_else(|| UnknownCode {
                    kind: "Symptom",
                    code: c.to_owned(),
                })
            })
            .collect::<std::result::Result<_, _>>()?;
        Ok(SymptomList(symptoms))
    }
}

impl From<SymptomList> for Vec<Symptom> {
    fn from(list: SymptomList) -> Vec<Symptom> {
        list.0
    }
}

/// A check to store; the place columns come from the order.
pub struct NewCheck<'a> {
    pub order_id: i64,
    pub community_id: i64,
    pub grid_id: i64,
    pub building_id: i64,
    pub slot_date: &'a str,
    pub slot_part: Part,
    pub temperature: i64,
    pub symptoms: &'a [Symptom],
    pub other_symptom: &'a str,
    pub febrile: bool,
    pub method: Method,
    pub recorded_by: Option<i64>,
    pub recorder_name: &'a str,
    pub link_id: Option<i64>,
    pub checked_at: i64,
    pub replaces_id: Option<i64>,
    pub correction_reason: Option<&'a str>,
}

pub async fn insert_check(conn: &mut Conn, c: &NewCheck<'_>) -> Result<i64> {
    // A first record fills its slot; a correction replaces one and leaves the count as it was.
    if c.replaces_id.is_none() {
        crate::home_counts::add(
            conn,
            c.community_id,
            c.slot_date,
            crate::home_counts::Measure::checks(c.slot_part),
            1,
        )
        .await?;
    }
    sql::scalar(
        conn,
        "INSERT INTO checks (order_id, community_id, grid_id, building_id, slot_date, slot_part, \
         temperature, symptoms, other_symptom, febrile, method, recorded_by, recorder_name, \
         link_id, checked_at, replaces_id, correction_reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         RETURNING id",
        (
            c.order_id,
            c.community_id,
            c.grid_id,
            c.building_id,
            c.slot_date,
            c.slot_part.code(),
            c.temperature,
            c.symptoms
                .iter()
                .map(|s| s.code())
                .collect::<Vec<_>>()
                .join(","),
            c.other_symptom,
            i64::from(c.febrile),
            c.method.code(),
            c.recorded_by,
            c.recorder_name,
            c.link_id,
            c.checked_at,
            c.replaces_id,
            c.correction_reason,
        ),
    )
    .await
}

/// The current record of a slot, if the slot is filled. Called after the order was read within
/// the caller's jurisdiction.
pub async fn current_check(
    conn: &mut Conn,
    order_id: i64,
    slot_date: &str,
    slot_part: Part,
) -> Result<Option<Check>> {
    let sql = format!(
        "SELECT {CHECK_COLUMNS} FROM checks c WHERE c.order_id = $1 AND c.slot_date = $2 \
         AND c.slot_part = $3 AND c.superseded_at IS NULL"
    );
    sql::optional(
        conn,
        sqlx::AssertSqlSafe(sql),
        (order_id, slot_date, slot_part.code()),
    )
    .await
}

/// Marks a record as replaced by a correction; the row and its values stay.
pub async fn supersede(conn: &mut Conn, id: i64, at: i64) -> Result<()> {
    let done = sql::execute(
        conn,
        "UPDATE checks SET superseded_at = $1 WHERE id = $2 AND superseded_at IS NULL",
        (at, id),
    )
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        // Another correction got there first.
        Err(StoreError::Conflict("checks.superseded_at".to_owned()))
    }
}

/// The records of one order, newest first, superseded ones included.
pub async fn order_checks(
    conn: &mut Conn,
    j: &Jurisdiction,
    order_id: i64,
    page: PageRequest,
) -> Result<Page<Check>> {
    let mut w = Where::new();
    w.scope(j, "c").int("c.order_id = ?", order_id);
    w.int_if_given("c.id < ?", page.after);
    w.fetch_page(
        conn,
        &format!("SELECT {CHECK_COLUMNS} FROM checks c"),
        "c.id DESC",
        page,
        read::<Check>,
        |c| c.id,
    )
    .await
}

/// Self-reports through a link since `since` (ms), for the per-link rate limit.
pub async fn link_reports_since(conn: &mut Conn, link_id: i64, since: i64) -> Result<i64> {
    sql::scalar(
        conn,
        "SELECT COUNT(*) FROM checks WHERE link_id = $1 AND checked_at >= $2",
        (link_id, since),
    )
    .await
}

/// Accepted self-reports from a client since `since` (ms), for the per-client rate limit.
pub async fn client_reports_since(conn: &mut Conn, client: &str, since: i64) -> Result<i64> {
    sql::scalar(
        conn,
        "SELECT COUNT(*) FROM self_report_submissions WHERE client = $1 AND at >= $2",
        (client, since),
    )
    .await
}

pub async fn record_submission(conn: &mut Conn, link_id: i64, client: &str, at: i64) -> Result<()> {
    sql::execute(
        conn,
        "INSERT INTO self_report_submissions (link_id, client, at) VALUES ($1, $2, $3)",
        (link_id, client, at),
    )
    .await?;
    Ok(())
}

/// A self-report link; the token is known only to whoever was handed it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Link {
    pub id: i64,
    pub order_id: i64,
    pub created_by: i64,
    pub created_at: i64,
    pub revoked_by: Option<i64>,
    pub revoked_at: Option<i64>,
}

const LINK_SELECT: &str = "SELECT l.id, l.order_id, l.created_by, l.created_at, l.revoked_by, \
     l.revoked_at FROM self_report_links l";

pub async fn insert_link(
    conn: &mut Conn,
    order_id: i64,
    token_hash: &str,
    created_by: i64,
    at: i64,
) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO self_report_links (order_id, token_hash, created_by, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
        (order_id, token_hash, created_by, at),
    )
    .await
}

/// The order's live link, if any. Called after the order was read within the jurisdiction.
pub async fn live_link(conn: &mut Conn, order_id: i64) -> Result<Option<Link>> {
    let sql = format!("{LINK_SELECT} WHERE l.order_id = $1 AND l.revoked_at IS NULL");
    sql::optional(conn, sqlx::AssertSqlSafe(sql), (order_id,)).await
}

/// The link a token's hash names, live or revoked.
pub async fn link_by_hash(conn: &mut Conn, token_hash: &str) -> Result<Option<Link>> {
    let sql = format!("{LINK_SELECT} WHERE l.token_hash = $1");
    sql::optional(conn, sqlx::AssertSqlSafe(sql), (token_hash,)).await
}

pub async fn revoke_link(conn: &mut Conn, id: i64, by: i64, at: i64) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE self_report_links SET revoked_by = $1, revoked_at = $2 \
         WHERE id = $3 AND revoked_at IS NULL",
        (by, at, id),
    )
    .await?;
    Ok(())
}

mod alerts;
pub use alerts::*;
