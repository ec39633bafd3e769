//! Statements with their parameters: a tuple of values bound in order, `$1` its first, so a
//! statement and what it binds read as one call, and every statement runs the same way.

use sqlx::any::{AnyArguments, AnyQueryResult, AnyRow};
use sqlx::{Any, Encode, SqlSafeStr, Type};

use crate::rows::{Readable, read};
use crate::{Conn, Result};

type Query<'q> = sqlx::query::Query<'q, Any, AnyArguments>;

/// Where a row's values go, a column at a time in the order of its table's column list: a
/// statement's parameters ([`Binds`]) or a bulk batch's JSON or arrays. A row written to several
/// of them is then spelled out once.
pub(crate) trait Columns {
    fn int(&mut self, v: i64);
    fn text(&mut self, v: Option<&str>);
    fn bytes(&mut self, v: &[u8]);
}

/// A column's type as a bulk path carries it: PostgreSQL casts each array to it, SQLite's JSON
/// holds bytes as hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnType {
    Int,
    Text,
    Bytes,
}

/// A statement whose parameters are bound as [`Columns`] are given, the next one each time.
pub(crate) struct Binds<'q>(Option<Query<'q>>);

impl<'q> Binds<'q> {
    pub(crate) fn new(q: Query<'q>) -> Self {
        Binds(Some(q))
    }

    pub(crate) fn into_query(self) -> Query<'q> {
        self.0.expect("a statement is held until it is taken back")
    }

    fn bind<T: 'q + Encode<'q, Any> + Type<Any>>(&mut self, v: T) {
        self.0 = self.0.take().map(|q| q.bind(v));
    }
}

impl Columns for Binds<'_> {
    fn int(&mut self, v: i64) {
        self.bind(v);
    }

    fn text(&mut self, v: Option<&str>) {
        self.bind(v.map(str::to_owned));
    }

    fn bytes(&mut self, v: &[u8]) {
        self.bind(v.to_vec());
    }
}

/// Values bound to a statement's parameters in order: a tuple, `()` for none.
pub(crate) trait Params<'t> {
    fn bind_to<'q>(self, q: Query<'q>) -> Query<'q>;
}

macro_rules! params {
    ($($t:ident $v:ident),*) => {
        impl<'t, $($t: Encode<'t, Any> + Type<Any>),*> Params<'t> for ($($t,)*) {
            fn bind_to<'q>(self, q: Query<'q>) -> Query<'q> {
                let ($($v,)*) = self;
                q$(.bind($v))*
            }
        }
    };
}

params!();
params!(A a);
params!(A a, B b);
params!(A a, B b, C c);
params!(A a, B b, C c, D d);
params!(A a, B b, C c, D d, E e);
params!(A a, B b, C c, D d, E e, F f);
params!(A a, B b, C c, D d, E e, F f, G g);
params!(A a, B b, C c, D d, E e, F f, G g, H h);
params!(A a, B b, C c, D d, E e, F f, G g, H h, I i);
params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j);
params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k);
params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l);
params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m);
params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n);
params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o);
params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o, P p);
params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o, P p, Q q);
params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o, P p, Q q, R r);
params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o, P p, Q q, R r, S s);
params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o, P p, Q q, R r, S s, U u);
params!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o, P p, Q q, R r, S s, U u, V v);

fn bound<'q, 't>(sql: impl SqlSafeStr, params: impl Params<'t>) -> Query<'q> {
    params.bind_to(sqlx::query(sql))
}

/// Runs a statement; what it changed.
pub(crate) async fn execute<'t>(
    conn: &mut Conn,
    sql: impl SqlSafeStr,
    params: impl Params<'t>,
) -> Result<AnyQueryResult> {
    Ok(bound(sql, params).execute(&mut *conn).await?)
}

/// The one row a statement returns; `NotFound` when it returns none.
pub(crate) async fn fetch_one<'t>(
    conn: &mut Conn,
    sql: impl SqlSafeStr,
    params: impl Params<'t>,
) -> Result<AnyRow> {
    Ok(bound(sql, params).fetch_one(&mut *conn).await?)
}

/// The first row a statement returns, if any.
pub(crate) async fn fetch_optional<'t>(
    conn: &mut Conn,
    sql: impl SqlSafeStr,
    params: impl Params<'t>,
) -> Result<Option<AnyRow>> {
    Ok(bound(sql, params).fetch_optional(&mut *conn).await?)
}

/// Every row a statement returns.
pub(crate) async fn fetch_all<'t>(
    conn: &mut Conn,
    sql: impl SqlSafeStr,
    params: impl Params<'t>,
) -> Result<Vec<AnyRow>> {
    Ok(bound(sql, params).fetch_all(&mut *conn).await?)
}

/// [`fetch_one`], read into its struct.
pub(crate) async fn one<'t, T: Readable>(
    conn: &mut Conn,
    sql: impl SqlSafeStr,
    params: impl Params<'t>,
) -> Result<T> {
    read(&fetch_one(conn, sql, params).await?)
}

/// [`fetch_optional`], read into its struct.
pub(crate) async fn optional<'t, T: Readable>(
    conn: &mut Conn,
    sql: impl SqlSafeStr,
    params: impl Params<'t>,
) -> Result<Option<T>> {
    fetch_optional(conn, sql, params)
        .await?
        .as_ref()
        .map(read)
        .transpose()
}

/// [`fetch_all`], each row read into its struct.
pub(crate) async fn all<'t, T: Readable>(
    conn: &mut Conn,
    sql: impl SqlSafeStr,
    params: impl Params<'t>,
) -> Result<Vec<T>> {
    fetch_all(conn, sql, params)
        .await?
        .iter()
        .map(read)
        .collect()
}

/// The first column of the one row a statement returns (`RETURNING id`, `COUNT(*)`).
pub(crate) async fn scalar<'t, T>(
    conn: &mut Conn,
    sql: impl SqlSafeStr,
    params: impl Params<'t>,
) -> Result<T>
where
    (T,): Readable,
{
    let (value,) = one(conn, sql, params).await?;
    Ok(value)
}

/// The first column of the first row a statement returns, if it returns one.
pub(crate) async fn scalar_optional<'t, T>(
    conn: &mut Conn,
    sql: impl SqlSafeStr,
    params: impl Params<'t>,
) -> Result<Option<T>>
where
    (T,): Readable,
{
    Ok(optional(conn, sql, params).await?.map(|(value,)| value))
}

/// The first column of every row a statement returns.
pub(crate) async fn scalars<'t, T>(
    conn: &mut Conn,
    sql: impl SqlSafeStr,
    params: impl Params<'t>,
) -> Result<Vec<T>>
where
    (T,): Readable,
{
    let rows: Vec<(T,)> = all(conn, sql, params).await?;
    Ok(rows.into_iter().map(|(value,)| value).collect())
}
