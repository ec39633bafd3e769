//! The statements the scan writer runs once for a whole group of scans (docs/decisions/0011):
//! the gates' earlier passages under the group's client ids, the log of every scan's pass, and
//! the group's passages, each in one statement instead of one a scan.
//!
//! Each statement binds its rows as a list padded to a power of two (`VALUES` rows of NULLs,
//! or the last value repeated), so eight statements serve every group size and stay prepared.
//! Their placeholders are `?` on SQLite, bound in the order they appear: SQLite finds the name
//! of a numbered one (`$7`) by walking the names of all of them, once for each value bound,
//! which for the thousands of values of a group's insert was a tenth of the server's CPU.

use std::sync::OnceLock;

use domain::checkpoint::Direction;
use sqlx::any::AnyArguments;

use super::{NewPassage, PassLog};
use crate::rows::read;
use crate::{Conn, Result, now_ms};

/// The most rows one statement takes; a longer list is read or written in parts.
pub const ROWS_AT_ONCE: usize = 128;
/// Statements of each padded size: 1, 2, 4, … `ROWS_AT_ONCE`.
const SIZES: usize = ROWS_AT_ONCE.trailing_zeros() as usize + 1;

type Query = sqlx::query::Query<'static, sqlx::Any, AnyArguments>;
/// Statements of each size, for each backend (SQLite's first).
type Cached = [[OnceLock<String>; SIZES]; 2];

/// Whether the connection's placeholders are numbered (`$1`, PostgreSQL) or `?` (SQLite).
fn numbered(conn: &Conn) -> bool {
    conn.backend_name() == "PostgreSQL"
}

/// The statement for `rows` rows (a power of two up to `ROWS_AT_ONCE`), written once for each
/// backend by `write(rows, numbered)`.
fn sized(
    cache: &'static Cached,
    conn: &Conn,
    rows: usize,
    write: impl Fn(usize, bool) -> String,
) -> &'static str {
    let numbered = numbered(conn);
    cache[usize::from(numbered)][rows.trailing_zeros() as usize]
        .get_or_init(|| write(rows, numbered))
}

/// The `i`-th placeholder (from 1) of a statement.
fn placeholder(i: usize, numbered: bool) -> String {
    if numbered {
        format!("${i}")
    } else {
        "?".to_owned()
    }
}

/// The padded size of a part of `n` rows.
fn padded(n: usize) -> usize {
    n.clamp(1, ROWS_AT_ONCE).next_power_of_two()
}

/// `($1, $2), ($3, $4)`: `rows` rows of `cols` placeholders each.
fn values(rows: usize, cols: usize, numbered: bool) -> String {
    (0..rows)
        .map(|r| {
            let row = (1..=cols)
                .map(|c| placeholder(r * cols + c, numbered))
                .collect::<Vec<_>>()
                .join(", ");
            format!("({row})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `$1, $2, …, $n`.
fn list(n: usize, numbered: bool) -> String {
    (1..=n)
        .map(|i| placeholder(i, numbered))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The passages stored under any of these gates' ids: (client id, passage id).
pub async fn ids_of_client_ids(conn: &mut Conn, client_ids: &[&str]) -> Result<Vec<(String, i64)>> {
    static SQL: Cached = [const { [const { OnceLock::new() }; SIZES] }; 2];
    let mut found = Vec::new();
    for part in client_ids.chunks(ROWS_AT_ONCE) {
        let len = padded(part.len());
        let sql = sized(&SQL, conn, len, |n, numbered| {
            format!(
                "SELECT client_id, id FROM passages WHERE client_id IN ({})",
                list(n, numbered)
            )
        });
        let mut q: Query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for i in 0..len {
            let id = part.get(i).or(part.last()).copied().unwrap_or_default();
            q = q.bind(id.to_owned());
        }
        for row in q.fetch_all(&mut *conn).await? {
            found.push(read(&row)?);
        }
    }
    Ok(found)
}

/// What one scan is judged on: its pass's last passage let through up to `until` and, when
/// `exits_since` is given, its household's exits on its household pass since then.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogRead {
    pub pass_id: i64,
    pub household_id: i64,
    pub exits_since: Option<i64>,
    pub until: i64,
}

/// The logs of a group's scans, in the order asked: each what [`super::pass_log`] reads for
/// one, all in one statement. The last passage is the latest, and of two at the same
/// millisecond the one stored last (a group's scans share their time).
pub async fn pass_logs(conn: &mut Conn, reads: &[LogRead]) -> Result<Vec<PassLog>> {
    static SQL: Cached = [const { [const { OnceLock::new() }; SIZES] }; 2];
    let mut logs = vec![PassLog::default(); reads.len()];
    for (n, part) in reads.chunks(ROWS_AT_ONCE).enumerate() {
        let len = padded(part.len());
        let sql = sized(&SQL, conn, len, |rows, numbered| {
            // The scans as rows (k, pass, pass's household, household whose exits are read,
            // since, until); padding rows are NULLs and find nothing. A pass's passages are
            // found through its household's index, which holds the pass (migration 0024).
            // The last one is the latest time first, then the highest id at that time: the
            // index gives the time walking back from `until` and stops at the first passage
            // let through, where ordering by both made PostgreSQL read and sort every passage
            // of the household (and SQLite sort ties in a temporary B-tree).
            // `CROSS JOIN` keeps SQLite's planner on the scans' rows first.
            format!(
                "WITH s (k, pass_id, home, household, since, until) AS (VALUES {}), \
                 last_passage AS (SELECT s.k, (SELECT max(l.id) FROM passages l \
                 WHERE l.household_id = s.home AND l.at = (SELECT t.at FROM passages t \
                 WHERE t.household_id = s.home AND t.pass_id = s.pass_id AND t.at <= s.until \
                 AND t.result <> 'refused' ORDER BY t.at DESC LIMIT 1) \
                 AND l.pass_id = s.pass_id AND l.result <> 'refused') AS id \
                 FROM s) \
                 SELECT lp.k, 'last', p.direction, p.at FROM last_passage lp \
                 CROSS JOIN passages p WHERE p.id = lp.id \
                 UNION ALL \
                 SELECT s.k, 'exit', p.direction, p.at FROM s CROSS JOIN passages p \
                 WHERE p.household_id = s.household AND p.at >= s.since AND p.at <= s.until \
                 AND p.direction = 'out' AND p.result <> 'refused' AND EXISTS (SELECT 1 \
                 FROM passes x WHERE x.id = p.pass_id AND x.kind = 'household')",
                values(rows, 6, numbered)
            )
        });
        let mut q: Query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for i in 0..len {
            q = match part.get(i) {
                Some(r) => q
                    .bind(i64::try_from(i).unwrap_or_default())
                    .bind(r.pass_id)
                    .bind(r.household_id)
                    // No household bound: its exits are not read.
                    .bind(r.exits_since.map(|_| r.household_id))
                    .bind(r.exits_since.unwrap_or(r.until))
                    .bind(r.until),
                None => (0..6).fold(q, |q, _| q.bind(None::<i64>)),
            };
        }
        let rows: Vec<(i64, String, String, i64)> = q
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(read)
            .collect::<Result<_>>()?;
        for (k, part, direction, at) in rows {
            let Some(log) = usize::try_from(k)
                .ok()
                .and_then(|k| logs.get_mut(n * ROWS_AT_ONCE + k))
            else {
                continue;
            };
            if part == "last" {
                log.last = Direction::from_code(&direction).map(|d| (d, at));
            } else {
                log.exits.push(at);
            }
        }
    }
    Ok(logs)
}

/// The columns a passage is written with, in the order [`insert_passages`] binds them.
const PASSAGE_COLUMNS: &str = "gate_id, community_id, at, direction, pass_id, visitor_id, \
     household_id, plate, persons, temperature_tenths, result, reason, next_exit_at, purpose, \
     guard_id, override_reason, override_requested_by, override_supervisor, conflict, \
     client_id, created_at";
const PASSAGE_VALUES: usize = 21;

/// Logs a group's passages in one statement; their ids, in the order given. A gate's id seen
/// before fails the whole statement (`StoreError::Conflict`), and nothing of it is written.
pub async fn insert_passages(conn: &mut Conn, passages: &[NewPassage<'_>]) -> Result<Vec<i64>> {
    static SQL: Cached = [const { [const { OnceLock::new() }; SIZES] }; 2];
    let mut ids = Vec::with_capacity(passages.len());
    let created_at = now_ms();
    for part in passages.chunks(ROWS_AT_ONCE) {
        let len = padded(part.len());
        let sql = sized(&SQL, conn, len, |rows, numbered| {
            // The first value numbers the row, NULL in padding rows. Rows are inserted in
            // that order, so their ids rise in it whatever order RETURNING gives them in.
            let columns = (2..=PASSAGE_VALUES + 1)
                .map(|c| format!("column{c}"))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "INSERT INTO passages ({PASSAGE_COLUMNS}) SELECT {columns} FROM (VALUES {}) \
                 AS v WHERE column1 IS NOT NULL ORDER BY column1 RETURNING id",
                values(rows, PASSAGE_VALUES + 1, numbered)
            )
        });
        let mut q: Query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for i in 0..len {
            q = match part.get(i) {
                Some(p) => q
                    .bind(i64::try_from(i).unwrap_or_default())
                    .bind(p.gate_id)
                    .bind(p.community_id)
                    .bind(p.at)
                    .bind(p.direction.code())
                    .bind(p.pass_id)
                    .bind(p.visitor_id)
                    .bind(p.household_id)
                    .bind(p.plate.map(str::to_owned))
                    .bind(p.persons)
                    .bind(p.temperature_tenths)
                    .bind(p.result.code())
                    .bind(p.reason.map(str::to_owned))
                    .bind(p.next_exit_at)
                    .bind(p.purpose.map(str::to_owned))
                    .bind(p.guard_id)
                    .bind(p.overridden.reason.map(str::to_owned))
                    .bind(p.overridden.requested_by.map(str::to_owned))
                    .bind(p.overridden.supervisor.map(str::to_owned))
                    .bind(i64::from(p.conflict))
                    .bind(p.client_id.map(str::to_owned))
                    .bind(created_at),
                None => pad(q),
            };
        }
        let mut part_ids: Vec<i64> = q
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| read::<(i64,)>(r).map(|(id,)| id))
            .collect::<Result<_>>()?;
        part_ids.sort_unstable();
        ids.extend(part_ids);
    }
    Ok(ids)
}

/// A padding row of the insert: every value NULL, of the type its column has, so both
/// backends type the `VALUES` list the same whichever rows are padding.
fn pad(q: Query) -> Query {
    let (int, text) = (None::<i64>, None::<String>);
    q.bind(int) // the row's number
        .bind(int)
        .bind(int)
        .bind(int)
        .bind(text.clone()) // direction
        .bind(int)
        .bind(int)
        .bind(int)
        .bind(text.clone()) // plate
        .bind(int)
        .bind(int)
        .bind(text.clone()) // result
        .bind(text.clone()) // reason
        .bind(int)
        .bind(text.clone()) // purpose
        .bind(int)
        .bind(text.clone()) // override reason
        .bind(text.clone()) // requested by
        .bind(text.clone()) // supervisor
        .bind(int)
        .bind(text) // client id
        .bind(int)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_sizes_are_powers_of_two_up_to_the_part() {
        assert_eq!(padded(0), 1);
        assert_eq!(padded(1), 1);
        assert_eq!(padded(3), 4);
        assert_eq!(padded(64), 64);
        assert_eq!(padded(65), 128);
        assert_eq!(padded(500), ROWS_AT_ONCE);
        assert_eq!(SIZES, 8);
    }

    #[test]
    fn values_number_placeholders_row_by_row() {
        assert_eq!(values(2, 3, true), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(values(2, 2, false), "(?, ?), (?, ?)");
        assert_eq!(list(3, true), "$1, $2, $3");
        assert_eq!(list(2, false), "?, ?");
    }
}
