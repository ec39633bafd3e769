//! The audit trail: an append-only hash chain. Each entry's hash covers the previous hash and
//! every field of the entry, so editing or deleting a stored row breaks the chain at that row.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::FromRow;

use crate::sql;
use crate::{Conn, Result, now_ms};

mod names;
pub use names::{ACCOUNT, AuditNames, NamedObject, field_kind, names, referenced};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry to append; `at` and the chain fields are filled in by [`append`].
#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    pub account_id: Option<i64>,
    pub account_name: String,
    pub role: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub community_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
}

/// A stored entry. `role` stays text: besides the roles' codes it holds the system's name for
/// jobs that act without an account.
#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: i64,
    pub account_id: Option<i64>,
    pub account_name: String,
    pub role: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub community_id: Option<i64>,
    #[sqlx(rename = "before_state")]
    pub before: Option<String>,
    #[sqlx(rename = "after_state")]
    pub after: Option<String>,
    pub reason: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, FromRow)]
pub(crate) struct Head {
    pub(crate) seq: i64,
    hash: String,
}

pub(crate) async fn lock_head(conn: &mut Conn) -> Result<Head> {
    // One statement takes the head's lock and reads it: every write starts here, and on SQLite
    // each statement is a round trip to the connection's thread while the one writer waits.
    let row = sql::fetch_one(
        conn,
        "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash",
        (),
    )
    .await?;
    Ok(Head::from_row(&row)?)
}

pub(crate) async fn store_head(conn: &mut Conn, head: &Head) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
        (head.seq, &head.hash),
    )
    .await?;
    Ok(())
}

fn opt_i64(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The hash of an entry: SHA-256 over the previous hash and each field, unit-separated, with
/// absent values distinct from empty ones.
pub fn entry_hash(r: &AuditRecord) -> String {
    let opt = |v: &Option<String>| match v {
        Some(s) => format!("+{s}"),
        None => "-".to_owned(),
    };
    let fields = [
        r.prev_hash.clone(),
        r.seq.to_string(),
        r.at.to_string(),
        opt_i64(r.account_id),
        r.account_name.clone(),
        r.role.clone(),
        r.action.clone(),
        r.object_type.clone(),
        r.object_id.clone(),
        opt_i64(r.community_id),
        opt(&r.before),
        opt(&r.after),
        opt(&r.reason),
    ];
    let mut h = Sha256::new();
    for f in fields {
        h.update(f.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

pub(crate) async fn append(conn: &mut Conn, head: &mut Head, e: AuditEntry) -> Result<i64> {
    let record = AuditRecord {
        seq: head.seq + 1,
        at: now_ms(),
        account_id: e.account_id,
        account_name: e.account_name,
        role: e.role,
        action: e.action,
        object_type: e.object_type,
        object_id: e.object_id,
        community_id: e.community_id,
        before: e.before.map(|v| v.to_string()),
        after: e.after.map(|v| v.to_string()),
        reason: e.reason,
        prev_hash: head.hash.clone(),
        hash: String::new(),
    };
    let hash = entry_hash(&record);
    sql::execute(
        conn,
        "INSERT INTO audit_log (seq, at, account_id, account_name, role, action, object_type, \
         object_id, community_id, before_state, after_state, reason, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        (
            record.seq,
            record.at,
            record.account_id,
            &record.account_name,
            &record.role,
            &record.action,
            &record.object_type,
            &record.object_id,
            record.community_id,
            &record.before,
            &record.after,
            &record.reason,
            &record.prev_hash,
            &hash,
        ),
    )
    .await?;
    head.seq = record.seq;
    head.hash = hash;
    Ok(record.seq)
}

const COLUMNS: &str = "seq, at, account_id, account_name, role, action, object_type, object_id, \
                       community_id, before_state, after_state, reason, prev_hash, hash";

fn record(row: &sqlx::any::AnyRow) -> Result<AuditRecord> {
    Ok(AuditRecord::from_row(row)?)
}

/// Filters of the audit page; every one is optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub account_name: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Newest first: continue with entries before this sequence number.
    pub before_seq: Option<i64>,
}

/// The history of one object, newest first: the entries naming it, at most `limit`.
pub async fn history(
    conn: &mut Conn,
    object_type: &str,
    object_id: i64,
    limit: u32,
) -> Result<Vec<AuditRecord>> {
    let filter = AuditFilter {
        object_type: Some(object_type.to_owned()),
        object_id: Some(object_id.to_string()),
        ..Default::default()
    };
    list(conn, &filter, limit).await
}

pub async fn list(conn: &mut Conn, f: &AuditFilter, limit: u32) -> Result<Vec<AuditRecord>> {
    let mut sql = format!("SELECT {COLUMNS} FROM audit_log WHERE 1 = 1");
    let mut texts: Vec<String> = Vec::new();
    let mut ints: Vec<i64> = Vec::new();
    let mut n = 0;
    let mut next = |sql: &mut String, clause: &str| {
        n += 1;
        sql.push_str(&clause.replace('?', &format!("${n}")));
    };
    // Text parameters first, then integers, so binding order matches the numbering.
    for (value, clause) in [
        (&f.action, " AND action = ?"),
        (&f.account_name, " AND account_name = ?"),
        (&f.object_type, " AND object_type = ?"),
        (&f.object_id, " AND object_id = ?"),
    ] {
        if let Some(v) = value {
            next(&mut sql, clause);
            texts.push(v.clone());
        }
    }
    for (value, clause) in [
        (f.from_ms, " AND at >= ?"),
        (f.to_ms, " AND at < ?"),
        (f.before_seq, " AND seq < ?"),
    ] {
        if let Some(v) = value {
            next(&mut sql, clause);
            ints.push(v);
        }
    }
    sql.push_str(&format!(" ORDER BY seq DESC LIMIT {}", limit.min(1000)));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for t in texts {
        q = q.bind(t);
    }
    for i in ints {
        q = q.bind(i);
    }
    q.fetch_all(&mut *conn).await?.iter().map(record).collect()
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub entries: i64,
    /// The first sequence number at which the chain does not hold, and why.
    pub broken_at: Option<(i64, String)>,
}

/// Recomputes every hash in order, in chunks so a long trail does not fill memory.
pub async fn verify(conn: &mut Conn) -> Result<Verification> {
    let head = sql::fetch_one(conn, "SELECT seq, hash FROM audit_head WHERE id = 1", ()).await?;
    let Head {
        seq: head_seq,
        hash: head_hash,
    } = Head::from_row(&head)?;
    let mut prev_hash = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut count = 0;
    loop {
        let rows = sql::fetch_all(
            conn,
            sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT 5000"
            )),
            (expected_seq,),
        )
        .await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let r = record(row)?;
            let broken = |why: &str| Verification {
                entries: count,
                broken_at: Some((expected_seq, why.to_owned())),
            };
            if r.seq != expected_seq {
                return Ok(broken("entry missing"));
            }
            if r.prev_hash != prev_hash {
                return Ok(broken("previous hash does not match"));
            }
            if entry_hash(&r) != r.hash {
                return Ok(broken("entry altered"));
            }
            prev_hash = r.hash;
            expected_seq += 1;
            count += 1;
        }
    }
    if count != head_seq || prev_hash != head_hash {
        return Ok(Verification {
            entries: count,
            broken_at: Some((count + 1, "entries after this point missing".to_owned())),
        });
    }
    Ok(Verification {
        entries: count,
        broken_at: None,
    })
}

/// Distinct actions recorded, for the filter of the audit page.
pub async fn actions(conn: &mut Conn) -> Result<Vec<String>> {
    sql::scalars(
        conn,
        "SELECT DISTINCT action FROM audit_log ORDER BY action",
        (),
    )
    .await
}
