//! The bulk path's SQL pieces: PostgreSQL array literals and multi-row placeholders, the one
//! place where the SQL of the two backends differs.

use crate::Conn;

/// Rows per multi-VALUES statement: well inside SQLite's and PostgreSQL's parameter limits.
pub(super) const ROWS_PER_STATEMENT: usize = 400;
/// Rows per `unnest` statement on PostgreSQL (a few MB of array text).
pub(super) const ROWS_PER_ARRAY: usize = 5000;

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

pub(super) fn hex(v: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(v.len() * 2);
    for b in v {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
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

/// `n` placeholders separated by commas, for an `IN` list.
pub(super) fn list(conn: &Conn, n: usize) -> String {
    let t = tuples(conn, 1, n);
    t[1..t.len() - 1].to_owned()
}
