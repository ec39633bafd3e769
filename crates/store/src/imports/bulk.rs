//! The bulk path's SQL pieces: PostgreSQL array literals, SQLite's JSON batches and multi-row
//! placeholders, the one place where the SQL of the two backends differs.

use std::fmt::Write as _;

use crate::Conn;
use crate::sql::{ColumnType, Columns};

/// Rows per multi-VALUES statement (rejected rows): well inside SQLite's and PostgreSQL's
/// parameter limits.
pub(super) const ROWS_PER_STATEMENT: usize = 400;
/// Rows per `unnest` statement on PostgreSQL (a few MB of array text).
pub(super) const ROWS_PER_ARRAY: usize = 5000;

/// Rows per JSON text on SQLite (a few MB).
pub(super) const ROWS_PER_JSON: usize = 5000;
/// The rows of the JSON text bound as `$1`, each `value` one row's array. Read as JSONB: from
/// `json_each` of the text each row's `value` is written back to JSON text, which every
/// `value->>i` parses again.
pub(super) const JSON_EACH: &str = "jsonb_each(jsonb($1))";

/// `value->>0, ..., value->>(n-1)`: the columns of a row of [`JsonRows`], those at `bytes`
/// turned back from hex.
pub(super) fn json_columns(n: usize, bytes: &[usize]) -> String {
    (0..n)
        .map(|i| {
            if bytes.contains(&i) {
                format!("unhex(value->>{i})")
            } else {
                format!("value->>{i}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `value->>i` for each of `columns` as a JSON row of [`JsonRows`] holds them.
pub(super) fn json_values(columns: &[(&str, ColumnType)]) -> String {
    let bytes: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].1 == ColumnType::Bytes)
        .collect();
    json_columns(columns.len(), &bytes)
}

/// `$1::bigint[], $2::text[], ...`: one array parameter per column, cast to its type.
pub(super) fn array_params(columns: &[(&str, ColumnType)]) -> String {
    columns
        .iter()
        .enumerate()
        .map(|(i, (_, t))| {
            let t = match t {
                ColumnType::Int => "bigint",
                ColumnType::Text => "text",
                ColumnType::Bytes => "bytea",
            };
            format!("${}::{t}[]", i + 1)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn is_postgres(conn: &Conn) -> bool {
    conn.backend_name() == "PostgreSQL"
}

/// A PostgreSQL array literal (`{1,2}`, `{"a",NULL}`), bound as one text parameter and cast in
/// the SQL (`$1::text[]`): the `Any` driver binds no arrays, and PostgreSQL inserts rows from
/// `unnest` of a few arrays several times faster than from a VALUES list of thousands of
/// parameters, each of which it plans and evaluates on its own.
#[derive(Default)]
pub(super) struct PgArray(String);

impl PgArray {
    pub(super) fn next(&mut self) {
        self.0.push(if self.0.is_empty() { '{' } else { ',' });
    }

    pub(super) fn int(&mut self, v: i64) {
        self.next();
        self.0.push_str(&v.to_string());
    }

    pub(super) fn text(&mut self, v: Option<&str>) {
        self.next();
        let Some(v) = v else {
            self.0.push_str("NULL");
            return;
        };
        self.0.push('"');
        for c in v.chars() {
            if c == '"' || c == '\\' {
                self.0.push('\\');
            }
            self.0.push(c);
        }
        self.0.push('"');
    }

    /// `bytea` in its hex form, its backslash escaped for the array's quotes.
    pub(super) fn bytes(&mut self, v: &[u8]) {
        self.next();
        self.0.push_str("\"\\\\x");
        self.0.push_str(&hex(v));
        self.0.push('"');
    }

    pub(super) fn done(mut self) -> String {
        if self.0.is_empty() {
            return "{}".to_owned();
        }
        self.0.push('}');
        self.0
    }
}

/// A batch of rows as one array per column, each row's values given in column order.
pub(super) struct PgArrays {
    columns: Vec<PgArray>,
    at: usize,
}

impl PgArrays {
    pub(super) fn new(columns: usize) -> Self {
        PgArrays {
            columns: (0..columns).map(|_| PgArray::default()).collect(),
            at: 0,
        }
    }

    /// Starts the next row: the values given after it go to the first column onwards.
    pub(super) fn row(&mut self) {
        self.at = 0;
    }

    fn column(&mut self) -> &mut PgArray {
        self.at += 1;
        &mut self.columns[self.at - 1]
    }

    pub(super) fn done(self) -> Vec<String> {
        self.columns.into_iter().map(PgArray::done).collect()
    }
}

impl Columns for PgArrays {
    fn int(&mut self, v: i64) {
        self.column().int(v);
    }

    fn text(&mut self, v: Option<&str>) {
        self.column().text(v);
    }

    fn bytes(&mut self, v: &[u8]) {
        self.column().bytes(v);
    }
}

impl Columns for JsonRows {
    fn int(&mut self, v: i64) {
        JsonRows::int(self, v);
    }

    fn text(&mut self, v: Option<&str>) {
        JsonRows::text(self, v);
    }

    fn bytes(&mut self, v: &[u8]) {
        JsonRows::bytes(self, v);
    }
}

/// A batch of rows as one JSON array of arrays (`[[1,"a",null],[2,"b","00ff"]]`), bound as one
/// text parameter on SQLite and read back with [`JSON_EACH`]: the `Any` driver converts and binds
/// every value of a multi-row VALUES statement on its own, which cost more than SQLite's insert
/// of the row (see decision 0004). Bytes travel as hex, turned back with `unhex` in the SQL.
#[derive(Default)]
pub(super) struct JsonRows {
    out: String,
    row_started: bool,
}

impl JsonRows {
    pub(super) fn with_capacity(bytes: usize) -> Self {
        JsonRows {
            out: String::with_capacity(bytes),
            row_started: false,
        }
    }

    /// Starts the next row; the values pushed after it are its columns, in order.
    pub(super) fn row(&mut self) {
        self.out
            .push_str(if self.out.is_empty() { "[[" } else { "],[" });
        self.row_started = true;
    }

    fn next(&mut self) {
        if !std::mem::take(&mut self.row_started) {
            self.out.push(',');
        }
    }

    pub(super) fn int(&mut self, v: i64) {
        self.next();
        let _ = write!(self.out, "{v}");
    }

    pub(super) fn text(&mut self, v: Option<&str>) {
        self.next();
        let Some(v) = v else {
            self.out.push_str("null");
            return;
        };
        self.out.push('"');
        let mut plain = 0;
        for (i, b) in v.bytes().enumerate() {
            // Multi-byte UTF-8 never holds these bytes, so the string is cut at character
            // boundaries only.
            let escaped = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                0..=0x1f => "",
                _ => continue,
            };
            self.out.push_str(&v[plain..i]);
            if escaped.is_empty() {
                let _ = write!(self.out, "\\u{b:04x}");
            } else {
                self.out.push_str(escaped);
            }
            plain = i + 1;
        }
        self.out.push_str(&v[plain..]);
        self.out.push('"');
    }

    /// Bytes as a hex string, for `unhex(...)` in the SQL.
    pub(super) fn bytes(&mut self, v: &[u8]) {
        self.next();
        self.out.push('"');
        push_hex(&mut self.out, v);
        self.out.push('"');
    }

    pub(super) fn done(mut self) -> String {
        if self.out.is_empty() {
            return "[]".to_owned();
        }
        self.out.push_str("]]");
        self.out
    }
}

pub(super) fn hex(v: &[u8]) -> String {
    let mut out = String::with_capacity(v.len() * 2);
    push_hex(&mut out, v);
    out
}

fn push_hex(out: &mut String, v: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in v {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
}

/// Placeholders of a multi-row statement. SQLite gets plain `?`: its driver resolves every
/// numbered `$N` by name, which makes binding a statement of thousands of parameters quadratic.
/// This is the one place where the SQL of the two backends differs (the bulk path).
pub(super) fn tuples(conn: &Conn, rows: usize, cols: usize) -> String {
    let sqlite = conn.backend_name() == "SQLite";
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            if sqlite {
                out.push('?');
            } else {
                out.push_str(&format!("${}", r * cols + c + 1));
            }
        }
        out.push(')');
    }
    out
}
