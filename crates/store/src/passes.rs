//! Checkpoint passes: the versions of their signing key, the passes and their states.

use crate::registry::{Home, HouseholdAddress};
use domain::access::Jurisdiction;
use domain::checkpoint::{PassKind, PassState, StateReason};
use domain::page::{Page, PageRequest};
use serde::Serialize;

use crate::rows::{NullableCode, read};
use crate::scope::{Key, Where};
use crate::{Conn, Result, now_ms, sql};

/// Every version of the pass signing key, oldest first.
pub async fn key_versions(conn: &mut Conn) -> Result<Vec<i64>> {
    sql::scalars(conn, "SELECT version FROM pass_keys ORDER BY version", ()).await
}

/// Adds the next version of the key and returns it.
pub async fn add_key_version(conn: &mut Conn) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO pass_keys (version, created_at) \
         SELECT COALESCE(MAX(version), 0) + 1, $1 FROM pass_keys RETURNING version",
        (now_ms(),),
    )
    .await
}

/// A pass with its household's place, as staff lists show it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Pass {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: PassKind,
    #[sqlx(try_from = "String")]
    pub state: PassState,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub address: HouseholdAddress,
    pub resident_id: Option<i64>,
    pub resident_name: Option<String>,
    pub plate: Option<String>,
    pub employer: Option<String>,
    pub proof_stamped_on: Option<String>,
    pub proof_checked_by: Option<i64>,
    pub valid_days: Option<String>,
    pub valid_hours: Option<String>,
    pub quota_exits: i64,
    pub quota_days: i64,
    pub issued_at: i64,
    pub expires_at: i64,
    #[sqlx(try_from = "NullableCode<StateReason>")]
    pub state_reason: Option<StateReason>,
    pub state_changed_at: i64,
    pub replaces_id: Option<i64>,
}

const PASS_SELECT: &str = "SELECT p.id, p.kind, p.state, p.household_id, p.building_id, \
     p.grid_id, p.community_id, b.name AS building_name, u.name AS unit_name, h.room, \
     p.resident_id, r.name AS resident_name, p.plate, p.employer, p.proof_stamped_on, \
     p.proof_checked_by, p.valid_days, p.valid_hours, p.quota_exits, p.quota_days, p.issued_at, \
     p.expires_at, p.state_reason, p.state_changed_at, p.replaces_id \
     FROM passes p JOIN households h ON h.id = p.household_id JOIN units u ON u.id = h.unit_id \
     JOIN buildings b ON b.id = p.building_id LEFT JOIN residents r ON r.id = p.resident_id";

#[derive(Debug, Clone, Default)]
pub struct PassFilter {
    pub kind: Option<PassKind>,
    pub state: Option<PassState>,
    pub household_id: Option<i64>,
    pub building_id: Option<i64>,
    pub grid_id: Option<i64>,
}

/// Passes in the jurisdiction, by key.
pub async fn list_passes(
    conn: &mut Conn,
    j: &Jurisdiction,
    f: &PassFilter,
    page: PageRequest,
) -> Result<Page<Pass>> {
    let mut w = Where::new();
    w.scope(j, "p");
    w.text_if_given("p.kind = ?", f.kind.map(|k| k.code()))
        .text_if_given("p.state = ?", f.state.map(|s| s.code()))
        .int_if_given("p.household_id = ?", f.household_id)
        .int_if_given("p.building_id = ?", f.building_id)
        .int_if_given("p.grid_id = ?", f.grid_id);
    let order = w.keyset("p", "passes", Key::Id, page.after);
    w.fetch_page(conn, PASS_SELECT, &order, page, read::<Pass>, |p| p.id)
        .await
}

pub async fn pass(conn: &mut Conn, j: &Jurisdiction, id: i64) -> Result<Pass> {
    let mut w = Where::new();
    w.scope(j, "p").int("p.id = ?", id);
    w.fetch_one(conn, PASS_SELECT, read::<Pass>).await
}

/// The pass a personal link opens.
pub async fn pass_by_link(conn: &mut Conn, link_hash: &str) -> Result<Pass> {
    let mut w = Where::new();
    w.text("p.link_hash = ?", link_hash);
    w.fetch_one(conn, PASS_SELECT, read::<Pass>).await
}

/// What the gate needs of a stored pass, and what its screen shows.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PassAtGate {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: PassKind,
    #[sqlx(try_from = "String")]
    pub state: PassState,
    pub household_id: i64,
    pub community_id: i64,
    pub plate: Option<String>,
    pub valid_days: Option<String>,
    pub valid_hours: Option<String>,
    pub building_name: String,
    pub unit_name: String,
    pub room: String,
    pub resident_name: Option<String>,
}

const PASS_AT_GATE_SELECT: &str = "SELECT p.id, p.kind, p.state, p.household_id, \
     p.community_id, p.plate, p.valid_days, p.valid_hours, b.name AS building_name, \
     u.name AS unit_name, h.room, r.name AS resident_name \
     FROM passes p JOIN households h ON h.id = p.household_id \
     JOIN units u ON u.id = h.unit_id JOIN buildings b ON b.id = p.building_id \
     LEFT JOIN residents r ON r.id = p.resident_id";

pub async fn pass_at_gate(conn: &mut Conn, id: i64) -> Result<Option<PassAtGate>> {
    sql::optional(
        conn,
        sqlx::AssertSqlSafe(format!("{PASS_AT_GATE_SELECT} WHERE p.id = $1")),
        (id,),
    )
    .await
}

/// The stored passes of a group of scans, in one statement (docs/decisions/0011); a pass that
/// does not exist is not among them.
pub async fn passes_at_gate(conn: &mut Conn, ids: &[i64]) -> Result<Vec<PassAtGate>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(HELD_AT_ONCE) {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{PASS_AT_GATE_SELECT} WHERE p.id IN ({})",
            padded_list(chunk.len(), conn.backend_name() == "PostgreSQL")
        )));
        for i in 0..chunk.len().next_power_of_two() {
            q = q.bind(chunk.get(i).or(chunk.last()).copied().unwrap_or_default());
        }
        for row in q.fetch_all(&mut *conn).await? {
            found.push(read(&row)?);
        }
    }
    Ok(found)
}

/// `$1, …, $n` for a list of `len` values padded to a power of two (the last value repeated),
/// so that a handful of statements serve every size and stay prepared; `?, …, ?` when not
/// `numbered` (SQLite, which walks the names of numbered placeholders at each value bound).
fn padded_list(len: usize, numbered: bool) -> String {
    (1..=len.next_power_of_two())
        .map(|n| {
            if numbered {
                format!("${n}")
            } else {
                "?".to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub struct NewPass<'a> {
    pub kind: PassKind,
    pub home: Home,
    pub resident_id: Option<i64>,
    pub plate: Option<&'a str>,
    pub employer: Option<&'a str>,
    pub proof_stamped_on: Option<&'a str>,
    pub proof_checked_by: Option<i64>,
    pub valid_days: Option<&'a str>,
    pub valid_hours: Option<&'a str>,
    pub quota_exits: i64,
    pub quota_days: i64,
    pub issued_at: i64,
    pub expires_at: i64,
    pub replaces_id: Option<i64>,
    pub created_by: i64,
}

/// Stores a live pass; a second pass not revoked of the same kind for the same household,
/// commuter or car is refused by the unique indexes (`StoreError::Conflict`).
pub async fn insert_pass(conn: &mut Conn, p: &NewPass<'_>) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO passes (kind, state, household_id, building_id, grid_id, community_id, \
         resident_id, plate, employer, proof_stamped_on, proof_checked_by, valid_days, \
         valid_hours, quota_exits, quota_days, issued_at, expires_at, state_changed_at, \
         replaces_id, created_by) VALUES ($1, 'live', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
         $12, $13, $14, $15, $16, $15, $17, $18) RETURNING id",
        (
            p.kind.code(),
            p.home.household_id,
            p.home.building_id,
            p.home.grid_id,
            p.home.community_id,
            p.resident_id,
            p.plate,
            p.employer,
            p.proof_stamped_on,
            p.proof_checked_by,
            p.valid_days,
            p.valid_hours,
            p.quota_exits,
            p.quota_days,
            p.issued_at,
            p.expires_at,
            p.replaces_id,
            p.created_by,
        ),
    )
    .await
}

/// A batch of household passes: where, on what terms, by whom.
#[derive(Debug, Clone, Copy)]
pub struct HouseholdBatch {
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub quota_exits: i64,
    pub quota_days: i64,
    pub issued_at: i64,
    pub expires_at: i64,
    pub created_by: i64,
}

/// Issues a household pass to every household in the jurisdiction (narrowed to a grid or
/// building) that has none not revoked, in one statement; a household whose members are in
/// home quarantine gets it suspended. Returns how many were issued.
pub async fn issue_household_passes(
    conn: &mut Conn,
    j: &Jurisdiction,
    b: &HouseholdBatch,
) -> Result<u64> {
    let mut w = Where::new();
    w.scope(j, "h")
        .int_if_given("h.grid_id = ?", b.grid_id)
        .int_if_given("h.building_id = ?", b.building_id)
        .raw(
            "NOT EXISTS (SELECT 1 FROM passes x WHERE x.household_id = h.id \
             AND x.kind = 'household' AND x.state <> 'revoked')",
        );
    let n = w.params.len();
    let sql = format!(
        "INSERT INTO passes (kind, state, household_id, building_id, grid_id, community_id, \
         quota_exits, quota_days, issued_at, expires_at, state_reason, state_changed_at, \
         created_by) \
         SELECT 'household', CASE WHEN {quarantined} OR {in_sealed} THEN 'suspended' \
         ELSE 'live' END, h.id, \
         h.building_id, h.grid_id, h.community_id, ${q1}, ${q2}, ${at}, ${exp}, \
         CASE WHEN {quarantined} THEN 'quarantine' WHEN {in_sealed} THEN 'sealed' END, ${at}, \
         ${by} FROM households h{where_}",
        quarantined = QUARANTINED.replace("{h}", "h.id"),
        in_sealed = IN_SEALED_BUILDING.replace("{h}", "h.id"),
        q1 = n + 1,
        q2 = n + 2,
        at = n + 3,
        exp = n + 4,
        by = n + 5,
        where_ = w.sql(),
    );
    let q = w
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .bind(b.quota_exits)
        .bind(b.quota_days)
        .bind(b.issued_at)
        .bind(b.expires_at)
        .bind(b.created_by);
    Ok(q.execute(&mut *conn).await?.rows_affected())
}

/// Whether the household `{h}` is under home quarantine: someone in it has an active order.
const QUARANTINED: &str = "EXISTS (SELECT 1 FROM quarantine_orders qo WHERE qo.household_id = {h} \
     AND qo.state = 'active' AND qo.kind = 'home')";

/// Whether the household `{h}` is in a building a case has sealed.
const IN_SEALED_BUILDING: &str = "EXISTS (SELECT 1 FROM seals s JOIN households sh \
     ON sh.building_id = s.building_id WHERE sh.id = {h} AND s.ended_at IS NULL)";

/// Why the household is sealed, if it is: home quarantine first, then its building's seal.
pub async fn seal_reason(conn: &mut Conn, household_id: i64) -> Result<Option<StateReason>> {
    let sql = format!(
        "SELECT CASE WHEN {} THEN 1 WHEN {} THEN 2 ELSE 0 END",
        QUARANTINED.replace("{h}", "$1"),
        IN_SEALED_BUILDING.replace("{h}", "$1"),
    );
    let sealed: i64 = sql::scalar(conn, sqlx::AssertSqlSafe(sql), (household_id,)).await?;
    Ok(match sealed {
        1 => Some(StateReason::Quarantine),
        2 => Some(StateReason::Sealed),
        _ => None,
    })
}

/// Whether the household is sealed, for either reason.
pub async fn household_sealed(conn: &mut Conn, household_id: i64) -> Result<bool> {
    Ok(seal_reason(conn, household_id).await?.is_some())
}

/// Holds passes for the rest of the transaction, so two gates scanning one judge its quota one
/// after the other: row locks on PostgreSQL, taken in id order so that two transactions
/// holding several never wait for each other in a circle; nothing on SQLite, whose one writer
/// at a time already does it (and where an update would write the pass's page at every scan).
pub async fn hold(conn: &mut Conn, ids: &[i64]) -> Result<()> {
    if conn.backend_name() != "PostgreSQL" {
        return Ok(());
    }
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(HELD_AT_ONCE) {
        let len = chunk.len().next_power_of_two();
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM passes WHERE id IN ({}) ORDER BY id FOR UPDATE",
            padded_list(chunk.len(), true)
        )));
        for i in 0..len {
            q = q.bind(chunk.get(i).or(chunk.last()).copied().unwrap_or_default());
        }
        q.fetch_all(&mut *conn).await?;
    }
    Ok(())
}

/// The most passes one statement holds.
const HELD_AT_ONCE: usize = 256;

pub async fn set_state(
    conn: &mut Conn,
    id: i64,
    state: PassState,
    reason: Option<StateReason>,
    at: i64,
) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE passes SET state = $1, state_reason = $2, state_changed_at = $3 WHERE id = $4",
        (state.code(), reason.map(|r| r.code()), at, id),
    )
    .await?;
    Ok(())
}

/// Suspends a sealed household's live passes; the ids suspended.
pub async fn suspend_household(conn: &mut Conn, household_id: i64, at: i64) -> Result<Vec<i64>> {
    sql::scalars(
        conn,
        "UPDATE passes SET state = 'suspended', state_reason = 'quarantine', \
         state_changed_at = $1 WHERE household_id = $2 AND state = 'live' RETURNING id",
        (at, household_id),
    )
    .await
}

/// Restores a household's passes suspended for its seal (quarantine or its building's), once
/// the caller has seen it sealed no longer; the ids restored.
pub async fn restore_household(conn: &mut Conn, household_id: i64, at: i64) -> Result<Vec<i64>> {
    sql::scalars(
        conn,
        "UPDATE passes SET state = 'live', state_reason = NULL, state_changed_at = $1 \
         WHERE household_id = $2 AND state = 'suspended' \
         AND state_reason IN ('quarantine', 'sealed') RETURNING id",
        (at, household_id),
    )
    .await
}

/// Suspends the live passes of every household of a sealed building; (pass, household) of
/// each suspended.
pub async fn suspend_building(
    conn: &mut Conn,
    building_id: i64,
    at: i64,
) -> Result<Vec<(i64, i64)>> {
    sql::all(
        conn,
        "UPDATE passes SET state = 'suspended', state_reason = 'sealed', \
         state_changed_at = $1 WHERE building_id = $2 AND state = 'live' \
         RETURNING id, household_id",
        (at, building_id),
    )
    .await
}

/// Restores the passes of a building's households suspended for a seal, where neither a
/// case's seal nor a home quarantine holds the household any more; (pass, household) of each.
pub async fn restore_building(
    conn: &mut Conn,
    building_id: i64,
    at: i64,
) -> Result<Vec<(i64, i64)>> {
    let sql = format!(
        "UPDATE passes SET state = 'live', state_reason = NULL, state_changed_at = $1 \
         WHERE building_id = $2 AND state = 'suspended' \
         AND state_reason IN ('quarantine', 'sealed') AND NOT {} AND NOT {} \
         RETURNING id, household_id",
        QUARANTINED.replace("{h}", "passes.household_id"),
        IN_SEALED_BUILDING.replace("{h}", "passes.household_id"),
    );
    sql::all(conn, sqlx::AssertSqlSafe(sql), (at, building_id)).await
}

pub async fn set_link_hash(conn: &mut Conn, id: i64, link_hash: &str) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE passes SET link_hash = $1 WHERE id = $2",
        (link_hash, id),
    )
    .await?;
    Ok(())
}

/// A pass a gate must refuse although its signature holds.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct NotLive {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub state: PassState,
}

/// The revocation list of a community: its passes not live and not yet expired (an expired
/// pass is refused by its own claims), with the list's version, the latest change of state.
pub async fn revocations(
    conn: &mut Conn,
    community_id: i64,
    now: i64,
) -> Result<(i64, Vec<NotLive>)> {
    let version: Option<i64> = sql::scalar(
        conn,
        "SELECT MAX(state_changed_at) FROM passes WHERE community_id = $1",
        (community_id,),
    )
    .await?;
    let list = sql::all(
        conn,
        "SELECT id, state FROM passes WHERE community_id = $1 AND state <> 'live' \
         AND expires_at > $2 ORDER BY id",
        (community_id, now),
    )
    .await?;
    Ok((version.unwrap_or(0), list))
}
