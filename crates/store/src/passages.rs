//! The passage log of the gates, and the visitors they let in.

use domain::access::Jurisdiction;
use domain::checkpoint::{Direction, PassKind, PassageResult};
use domain::page::{Page, PageRequest};
use serde::Serialize;

use crate::rows::{NullableCode, read};
use crate::scope::{Key, Rows, Where};
use crate::{Conn, Flag, Result, now_ms, sql};

pub mod group;

/// A passage as the log shows it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Passage {
    pub id: i64,
    pub gate_id: i64,
    pub gate_name: String,
    pub community_id: i64,
    pub at: i64,
    #[sqlx(try_from = "String")]
    pub direction: Direction,
    pub pass_id: Option<i64>,
    #[sqlx(try_from = "NullableCode<PassKind>")]
    pub pass_kind: Option<PassKind>,
    pub visitor_id: Option<i64>,
    pub visitor_name: Option<String>,
    pub household_id: Option<i64>,
    pub plate: Option<String>,
    pub persons: i64,
    pub temperature_tenths: Option<i64>,
    #[sqlx(try_from = "String")]
    pub result: PassageResult,
    pub reason: Option<String>,
    pub next_exit_at: Option<i64>,
    pub purpose: Option<String>,
    pub guard_id: i64,
    pub guard_name: String,
    pub override_reason: Option<String>,
    pub override_requested_by: Option<String>,
    pub override_supervisor: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub conflict: bool,
    pub client_id: Option<String>,
    pub created_at: i64,
}

const PASSAGE_SELECT: &str = "SELECT p.id, p.gate_id, g.name AS gate_name, p.community_id, \
     p.at, p.direction, p.pass_id, ps.kind AS pass_kind, p.visitor_id, v.name AS visitor_name, \
     p.household_id, p.plate, p.persons, p.temperature_tenths, p.result, p.reason, \
     p.next_exit_at, p.purpose, p.guard_id, a.display_name AS guard_name, p.override_reason, \
     p.override_requested_by, p.override_supervisor, p.conflict, p.client_id, \
     p.created_at \
     FROM passages p JOIN gates g ON g.id = p.gate_id JOIN communities c ON c.id = p.community_id \
     JOIN accounts a ON a.id = p.guard_id LEFT JOIN passes ps ON ps.id = p.pass_id \
     LEFT JOIN visitors v ON v.id = p.visitor_id";

#[derive(Debug, Clone, Default)]
pub struct PassageFilter {
    pub gate_id: Option<i64>,
    pub household_id: Option<i64>,
    pub pass_id: Option<i64>,
    pub visitor_id: Option<i64>,
    /// Only overrides and passages let through offline that the rule refuses.
    pub exceptions_only: bool,
    /// Only passages at or after this moment (ms).
    pub since: Option<i64>,
}

/// Passages in the jurisdiction, newest first.
pub async fn list_passages(
    conn: &mut Conn,
    j: &Jurisdiction,
    f: &PassageFilter,
    page: PageRequest,
) -> Result<Page<Passage>> {
    let mut w = Where::new();
    w.scope_of(j, "c", Rows::Communities)
        .int_if_given("p.gate_id = ?", f.gate_id)
        .int_if_given("p.household_id = ?", f.household_id)
        .int_if_given("p.pass_id = ?", f.pass_id)
        // A pass's passages are found through its household's index (migration 0024).
        .int_if_given(
            "p.household_id = (SELECT household_id FROM passes WHERE id = ?)",
            f.pass_id,
        )
        .int_if_given("p.visitor_id = ?", f.visitor_id)
        .int_if_given("p.at >= ?", f.since);
    if f.exceptions_only {
        w.raw("(p.result = 'overridden' OR p.conflict = 1)");
    }
    let order = w.keyset("p", "passages", Key::Desc("at"), page.after);
    w.fetch_page(conn, PASSAGE_SELECT, &order, page, read::<Passage>, |p| {
        p.id
    })
    .await
}

pub async fn passage(conn: &mut Conn, j: &Jurisdiction, id: i64) -> Result<Passage> {
    let mut w = Where::new();
    w.scope_of(j, "c", Rows::Communities).int("p.id = ?", id);
    w.fetch_one(conn, PASSAGE_SELECT, read::<Passage>).await
}

/// The passage a gate already sent under its own id, if any.
pub async fn passage_by_client_id(conn: &mut Conn, client_id: &str) -> Result<Option<Passage>> {
    sql::optional(
        conn,
        sqlx::AssertSqlSafe(format!("{PASSAGE_SELECT} WHERE p.client_id = $1")),
        (client_id,),
    )
    .await
}

/// The override part of a passage.
#[derive(Debug, Clone, Default)]
pub struct OverrideFields<'a> {
    pub reason: Option<&'a str>,
    pub requested_by: Option<&'a str>,
    pub supervisor: Option<&'a str>,
}

pub struct NewPassage<'a> {
    pub gate_id: i64,
    pub community_id: i64,
    pub at: i64,
    pub direction: Direction,
    pub pass_id: Option<i64>,
    pub visitor_id: Option<i64>,
    pub household_id: Option<i64>,
    pub plate: Option<&'a str>,
    pub persons: i64,
    pub temperature_tenths: Option<i64>,
    pub result: PassageResult,
    pub reason: Option<&'a str>,
    pub next_exit_at: Option<i64>,
    pub purpose: Option<&'a str>,
    pub guard_id: i64,
    pub overridden: OverrideFields<'a>,
    pub conflict: bool,
    pub client_id: Option<&'a str>,
}

/// Logs a passage; a gate's id seen before is refused by its unique index
/// (`StoreError::Conflict`), so a passage sent twice is stored once.
pub async fn insert_passage(conn: &mut Conn, p: &NewPassage<'_>) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO passages (gate_id, community_id, at, direction, pass_id, visitor_id, \
         household_id, plate, persons, temperature_tenths, result, reason, next_exit_at, \
         purpose, guard_id, override_reason, override_requested_by, override_supervisor, \
         conflict, client_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id",
        (
            p.gate_id,
            p.community_id,
            p.at,
            p.direction.code(),
            p.pass_id,
            p.visitor_id,
            p.household_id,
            p.plate,
            p.persons,
            p.temperature_tenths,
            p.result.code(),
            p.reason,
            p.next_exit_at,
            p.purpose,
            p.guard_id,
            p.overridden.reason,
            p.overridden.requested_by,
            p.overridden.supervisor,
            i64::from(p.conflict),
            p.client_id,
            now_ms(),
        ),
    )
    .await
}

/// What the log says of a pass shown again: its last passage let through, for the fence, and
/// when its household's exits counted against the quota were made (ms). The quota is the
/// household's: a commuter going to work or the household's car leaving is not one of its exits
/// (each person in the car shows their own pass). Read for a group of scans by
/// [`group::pass_logs`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PassLog {
    pub last: Option<(Direction, i64)>,
    pub exits: Vec<i64>,
}

/// Passages per hour at a gate between two moments (ms): hour (ms of its start), direction,
/// result, count.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct HourlyTraffic {
    pub hour: i64,
    #[sqlx(try_from = "String")]
    pub direction: Direction,
    #[sqlx(try_from = "String")]
    pub result: PassageResult,
    pub passages: i64,
}

pub async fn traffic(
    conn: &mut Conn,
    gate_id: i64,
    from: i64,
    to: i64,
) -> Result<Vec<HourlyTraffic>> {
    sql::all(
        conn,
        "SELECT (at / 3600000) * 3600000 AS hour, direction, result, COUNT(*) AS passages \
         FROM passages WHERE gate_id = $1 AND at >= $2 AND at < $3 \
         GROUP BY (at / 3600000) * 3600000, direction, result ORDER BY 1, 2, 3",
        (gate_id, from, to),
    )
    .await
}

/// Overrides counted by who decided them: per gate, guard and requester.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct OverrideCount {
    pub gate_name: String,
    pub guard_name: String,
    pub requested_by: String,
    pub overrides: i64,
}

pub async fn override_counts(
    conn: &mut Conn,
    j: &Jurisdiction,
    since: i64,
) -> Result<Vec<OverrideCount>> {
    let mut w = Where::new();
    w.scope_of(j, "c", Rows::Communities)
        .raw("p.result = 'overridden'")
        .int("p.at >= ?", since);
    let select = "SELECT g.name AS gate_name, a.display_name AS guard_name, \
         COALESCE(p.override_requested_by, '') AS requested_by, COUNT(*) AS overrides \
         FROM passages p JOIN gates g ON g.id = p.gate_id \
         JOIN communities c ON c.id = p.community_id JOIN accounts a ON a.id = p.guard_id";
    let order = "4 DESC, 1, 2, 3 LIMIT 200";
    let grouped = format!(
        "{select}{} GROUP BY g.name, a.display_name, COALESCE(p.override_requested_by, '')",
        w.sql()
    );
    let rows = w
        .bind(sqlx::query(sqlx::AssertSqlSafe(format!(
            "{grouped} ORDER BY {order}"
        ))))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(read).collect()
}

/// A visitor as the gate finds them again.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Visitor {
    pub id: i64,
    pub community_id: i64,
    pub name: String,
    pub document_kind: String,
    pub document_masked: String,
    pub phone: String,
    pub origin: String,
    pub first_seen: i64,
    pub last_seen: i64,
}

const VISITOR_SELECT: &str = "SELECT id, community_id, name, document_kind, document_masked, \
     phone, origin, first_seen, last_seen FROM visitors";

pub async fn visitor_by_document(
    conn: &mut Conn,
    community_id: i64,
    document_index: &[u8],
) -> Result<Option<Visitor>> {
    sql::optional(
        conn,
        sqlx::AssertSqlSafe(format!(
            "{VISITOR_SELECT} WHERE community_id = $1 AND document_index = $2"
        )),
        (community_id, document_index),
    )
    .await
}

pub struct NewVisitor<'a> {
    pub community_id: i64,
    pub name: &'a str,
    pub document_kind: &'a str,
    pub document_sealed: &'a [u8],
    pub document_index: &'a [u8],
    pub document_masked: &'a str,
    pub phone: &'a str,
    pub origin: &'a str,
    pub at: i64,
}

/// Records a visitor, or refreshes the one with the same ID number in the community; the id.
pub async fn save_visitor(conn: &mut Conn, v: &NewVisitor<'_>) -> Result<i64> {
    if let Some(known) = visitor_by_document(conn, v.community_id, v.document_index).await? {
        sql::execute(
            conn,
            "UPDATE visitors SET name = $1, phone = $2, origin = $3, last_seen = $4 \
             WHERE id = $5",
            (v.name, v.phone, v.origin, v.at, known.id),
        )
        .await?;
        return Ok(known.id);
    }
    sql::scalar(
        conn,
        "INSERT INTO visitors (community_id, name, document_kind, document_sealed, \
         document_index, document_masked, phone, origin, first_seen, last_seen) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        (
            v.community_id,
            v.name,
            v.document_kind,
            v.document_sealed,
            v.document_index,
            v.document_masked,
            v.phone,
            v.origin,
            v.at,
        ),
    )
    .await
}
