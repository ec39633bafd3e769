//! The jurisdiction filter every registry query carries.

use domain::access::{Jurisdiction, Level};
use domain::page::{Page, PageRequest};
use sqlx::any::AnyRow;

use crate::{Conn, Result, StoreError};

/// What a scope condition restricts: rows placed in the tree by their community, grid and
/// building columns, or nodes of the tree itself, whose own id names their level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rows {
    Placed,
    Communities,
    Grids,
    Buildings,
}

/// A SQL condition restricting `rows` of `alias` to the jurisdiction, using parameter `$n`;
/// `None` for the whole system.
pub(crate) fn condition(j: &Jurisdiction, alias: &str, rows: Rows, n: usize) -> Option<String> {
    Some(match (j.level, rows) {
        (Level::All, _) => return None,
        (Level::District, Rows::Communities) => format!("{alias}.district_id = ${n}"),
        (Level::Street, Rows::Communities) => format!("{alias}.street_id = ${n}"),
        (Level::Community, Rows::Communities)
        | (Level::Grid, Rows::Grids)
        | (Level::Building, Rows::Buildings) => format!("{alias}.id = ${n}"),
        (Level::Grid, Rows::Communities) => {
            format!("{alias}.id IN (SELECT community_id FROM grids WHERE id = ${n})")
        }
        (Level::Building, Rows::Communities) => {
            format!("{alias}.id IN (SELECT community_id FROM buildings WHERE id = ${n})")
        }
        (Level::Building, Rows::Grids) => {
            format!("{alias}.id IN (SELECT grid_id FROM buildings WHERE id = ${n})")
        }
        (Level::District, _) => {
            format!("{alias}.community_id IN (SELECT id FROM communities WHERE district_id = ${n})")
        }
        (Level::Street, _) => {
            format!("{alias}.community_id IN (SELECT id FROM communities WHERE street_id = ${n})")
        }
        (Level::Community, _) => format!("{alias}.community_id = ${n}"),
        (Level::Grid, _) => format!("{alias}.grid_id = ${n}"),
        (Level::Building, _) => format!("{alias}.building_id = ${n}"),
    })
}

/// The order of a keyset page: by id alone, or by a column of the row, ascending or
/// descending, then by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key<'a> {
    Id,
    Asc(&'a str),
    Desc(&'a str),
}

/// A small builder of WHERE clauses with numbered parameters, so the scope, filters and the
/// keyset cursor compose without string-number bookkeeping at each call site.
#[derive(Default)]
pub(crate) struct Where {
    clauses: Vec<String>,
    pub(crate) params: Vec<Param>,
}

pub(crate) enum Param {
    Int(i64),
    Text(String),
}

impl Where {
    pub(crate) fn new() -> Where {
        Where::default()
    }

    fn next(&self) -> usize {
        self.params.len() + 1
    }

    pub(crate) fn scope(&mut self, j: &Jurisdiction, alias: &str) -> &mut Self {
        self.scope_of(j, alias, Rows::Placed)
    }

    /// The scope over `rows` of `alias`: placed rows, or nodes of the tree.
    pub(crate) fn scope_of(&mut self, j: &Jurisdiction, alias: &str, rows: Rows) -> &mut Self {
        if let Some(c) = condition(j, alias, rows, self.next()) {
            self.clauses.push(c);
            self.params.push(Param::Int(j.id));
        }
        self
    }

    /// The scope as a filter only: a unary plus keeps the planner from walking the scope's
    /// index in key order when a selective search (phone, name, room) has an index of its own.
    pub(crate) fn scope_as_filter(&mut self, j: &Jurisdiction, alias: &str) -> &mut Self {
        if let Some(c) = condition(j, alias, Rows::Placed, self.next()) {
            let c = c.replacen(&format!("{alias}."), &format!("+{alias}."), 1);
            self.clauses.push(c);
            self.params.push(Param::Int(j.id));
        }
        self
    }

    /// Adds a clause with one `?` placeholder bound to `param`.
    fn bound(&mut self, clause: &str, param: Param) -> &mut Self {
        self.clauses
            .push(clause.replace('?', &format!("${}", self.next())));
        self.params.push(param);
        self
    }

    /// Binds an integer for a part of the statement outside its WHERE (a column of the select
    /// list); its placeholder.
    pub(crate) fn placeholder(&mut self, v: i64) -> String {
        let p = format!("${}", self.next());
        self.params.push(Param::Int(v));
        p
    }

    /// Adds a clause with one `?` placeholder bound to an integer.
    pub(crate) fn int(&mut self, clause: &str, v: i64) -> &mut Self {
        self.bound(clause, Param::Int(v))
    }

    /// Adds a clause with one `?` placeholder bound to text.
    pub(crate) fn text(&mut self, clause: &str, v: impl Into<String>) -> &mut Self {
        self.bound(clause, Param::Text(v.into()))
    }

    /// Adds a clause with one `?` placeholder when its filter is given, nothing otherwise.
    fn bound_if_given(&mut self, clause: &str, param: Option<Param>) -> &mut Self {
        match param {
            Some(p) => self.bound(clause, p),
            None => self,
        }
    }

    /// Adds an integer clause when its filter is given, nothing otherwise.
    pub(crate) fn int_if_given(&mut self, clause: &str, v: Option<i64>) -> &mut Self {
        self.bound_if_given(clause, v.map(Param::Int))
    }

    /// Adds a text clause when its filter is given, nothing otherwise.
    pub(crate) fn text_if_given(
        &mut self,
        clause: &str,
        v: Option<impl Into<String>>,
    ) -> &mut Self {
        self.bound_if_given(clause, v.map(|v| Param::Text(v.into())))
    }

    /// Orders a page of `alias`, a row of `table`, by `key` and continues it after the row whose
    /// id is `after`: that row's column is read from the row itself, so the cursor stays one id.
    /// Returns the ORDER BY.
    pub(crate) fn keyset(
        &mut self,
        alias: &str,
        table: &str,
        key: Key<'_>,
        after: Option<i64>,
    ) -> String {
        let (column, beyond, direction) = match key {
            Key::Id => {
                self.int_if_given(&format!("{alias}.id > ?"), after);
                return format!("{alias}.id");
            }
            Key::Asc(column) => (column, ">", ""),
            Key::Desc(column) => (column, "<", " DESC"),
        };
        if let Some(a) = after {
            // Every `?` of the clause is the same parameter.
            let cursor = format!("(SELECT c.{column} FROM {table} c WHERE c.id = ?)");
            self.int(
                &format!(
                    "({alias}.{column} {beyond} {cursor} \
                     OR ({alias}.{column} = {cursor} AND {alias}.id > ?))"
                ),
                a,
            );
        }
        format!("{alias}.{column}{direction}, {alias}.id")
    }

    pub(crate) fn raw(&mut self, clause: &str) -> &mut Self {
        self.clauses.push(clause.to_owned());
        self
    }

    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    pub(crate) fn bind<'q>(
        &'q self,
        mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        for p in &self.params {
            q = match p {
                Param::Int(i) => q.bind(*i),
                Param::Text(t) => q.bind(t.as_str()),
            };
        }
        q
    }

    /// `{select}{where}`: the one row the scope and filters allow, or `NotFound`.
    pub(crate) async fn fetch_one<T>(
        &self,
        conn: &mut Conn,
        select: &str,
        map: fn(&AnyRow) -> Result<T>,
    ) -> Result<T> {
        let sql = format!("{select}{}", self.sql());
        let row = self
            .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
        map(&row)
    }

    /// `{select}{where} ORDER BY {order}`: every row the scope and filters allow.
    pub(crate) async fn fetch_all<T>(
        &self,
        conn: &mut Conn,
        select: &str,
        order: &str,
        map: fn(&AnyRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let sql = format!("{select}{} ORDER BY {order}", self.sql());
        let rows = self
            .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
            .fetch_all(&mut *conn)
            .await?;
        rows.iter().map(map).collect()
    }

    /// `{select}{where} ORDER BY {order}`, one page of it: a row more than the page is read to
    /// know whether another page follows, and `key` names the row to continue after.
    pub(crate) async fn fetch_page<T>(
        &self,
        conn: &mut Conn,
        select: &str,
        order: &str,
        page: PageRequest,
        map: fn(&AnyRow) -> Result<T>,
        key: fn(&T) -> i64,
    ) -> Result<Page<T>> {
        let sql = format!(
            "{select}{} ORDER BY {order} LIMIT {}",
            self.sql(),
            page.limit + 1
        );
        let rows = self
            .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
            .fetch_all(&mut *conn)
            .await?;
        let items = rows.iter().map(map).collect::<Result<Vec<_>>>()?;
        Ok(Page::from_overfetch(items, page.limit, key))
    }
}
