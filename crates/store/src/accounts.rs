//! Accounts, sessions, API tokens and login attempts.

use domain::access::{Level, Role};
use serde::Serialize;
use sqlx::{FromRow, Row};

use crate::rows::read;
use crate::sql;
use crate::{Conn, Flag, Result, now_ms};

pub mod throttle;
pub mod tokens;

#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    #[sqlx(try_from = "String")]
    pub level: Level,
    pub scope_id: i64,
    pub language: String,
    #[sqlx(try_from = "Flag")]
    pub active: bool,
    /// The mobile number notifications leave the app to, normalised; personal data, shown
    /// masked.
    #[serde(skip)]
    pub phone: Option<String>,
}

macro_rules! account_columns {
    () => {
        "a.id, a.username, a.display_name, a.password_hash, a.role, a.level, a.scope_id, \
         a.language, a.active, a.phone"
    };
}
pub(crate) use account_columns;

const ACCOUNT_SELECT: &str = concat!("SELECT ", account_columns!(), " FROM accounts a");

pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub level: Level,
    pub scope_id: i64,
    pub language: &'a str,
    pub phone: Option<&'a str>,
}

pub async fn insert_account(conn: &mut Conn, a: &NewAccount<'_>) -> Result<i64> {
    let now = now_ms();
    let row = sql::fetch_one(
        conn,
        "INSERT INTO accounts (username, display_name, password_hash, role, level, scope_id, \
         language, phone, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id",
        (
            a.username,
            a.display_name,
            a.password_hash,
            a.role.code(),
            a.level.code(),
            a.scope_id,
            a.language,
            a.phone,
            now,
        ),
    )
    .await?;
    Ok(row.try_get("id")?)
}

pub async fn account(conn: &mut Conn, id: i64) -> Result<Account> {
    sql::one(
        conn,
        sqlx::AssertSqlSafe(format!("{ACCOUNT_SELECT} WHERE id = $1")),
        (id,),
    )
    .await
}

pub async fn account_by_username(conn: &mut Conn, username: &str) -> Result<Option<Account>> {
    sql::optional(
        conn,
        sqlx::AssertSqlSafe(format!("{ACCOUNT_SELECT} WHERE username = $1")),
        (username,),
    )
    .await
}

pub async fn list_accounts(conn: &mut Conn) -> Result<Vec<Account>> {
    sql::all(
        conn,
        sqlx::AssertSqlSafe(format!("{ACCOUNT_SELECT} ORDER BY username LIMIT 5000")),
        (),
    )
    .await
}

pub struct AccountUpdate<'a> {
    pub display_name: &'a str,
    pub role: Role,
    pub level: Level,
    pub scope_id: i64,
    pub active: bool,
    /// `None` keeps the number, `Some(None)` clears it.
    pub phone: Option<Option<&'a str>>,
}

pub async fn update_account(conn: &mut Conn, id: i64, u: &AccountUpdate<'_>) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE accounts SET display_name = $1, role = $2, level = $3, scope_id = $4, \
         active = $5, updated_at = $6 WHERE id = $7",
        (
            u.display_name,
            u.role.code(),
            u.level.code(),
            u.scope_id,
            i64::from(u.active),
            now_ms(),
            id,
        ),
    )
    .await?;
    if let Some(phone) = u.phone {
        sql::execute(
            conn,
            "UPDATE accounts SET phone = $1 WHERE id = $2",
            (phone, id),
        )
        .await?;
    }
    if !u.active {
        delete_sessions_of(conn, id).await?;
    }
    Ok(())
}

/// How many active administrators there are.
pub async fn active_admins(conn: &mut Conn) -> Result<i64> {
    sql::scalar(
        conn,
        "SELECT COUNT(*) FROM accounts WHERE role = 'admin' AND active = 1",
        (),
    )
    .await
}

pub async fn set_password(conn: &mut Conn, id: i64, password_hash: &str) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE id = $3",
        (password_hash, now_ms(), id),
    )
    .await?;
    Ok(())
}

pub async fn set_language(conn: &mut Conn, id: i64, language: &str) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE accounts SET language = $1 WHERE id = $2",
        (language, id),
    )
    .await?;
    Ok(())
}

/// A live session: the account and the CSRF token bound to it.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRecord {
    #[sqlx(flatten)]
    pub account: Account,
    pub csrf_token: String,
    pub expires_at: i64,
}

pub async fn insert_session(
    conn: &mut Conn,
    token_hash: &str,
    account_id: i64,
    csrf_token: &str,
    expires_at: i64,
) -> Result<()> {
    sql::execute(
        conn,
        "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
        (token_hash, account_id, csrf_token, now_ms(), expires_at),
    )
    .await?;
    Ok(())
}

/// The session behind a token hash, if it exists, has not expired and its account is active.
pub async fn session(conn: &mut Conn, token_hash: &str) -> Result<Option<SessionRecord>> {
    sql::optional(
        conn,
        concat!(
            "SELECT ",
            account_columns!(),
            ", s.csrf_token, s.expires_at FROM sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.active = 1"
        ),
        (token_hash, now_ms()),
    )
    .await
}

pub async fn delete_session(conn: &mut Conn, token_hash: &str) -> Result<()> {
    sql::execute(
        conn,
        "DELETE FROM sessions WHERE token_hash = $1",
        (token_hash,),
    )
    .await?;
    Ok(())
}

pub async fn delete_sessions_of(conn: &mut Conn, account_id: i64) -> Result<()> {
    sql::execute(
        conn,
        "DELETE FROM sessions WHERE account_id = $1",
        (account_id,),
    )
    .await?;
    Ok(())
}

pub async fn delete_expired_sessions(conn: &mut Conn) -> Result<u64> {
    let r = sql::execute(
        conn,
        "DELETE FROM sessions WHERE expires_at <= $1",
        (now_ms(),),
    )
    .await?;
    Ok(r.rows_affected())
}

/// An account that may be assigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AssigneeDto))]
pub struct Responsible {
    pub id: i64,
    pub display_name: String,
    pub username: String,
}

/// The active accounts of role `$1` whose jurisdiction covers a place given as `$2` to `$6`:
/// its district, street, community, grid and building (-1 for none).
const COVERING: &str = "SELECT id, display_name, username FROM accounts WHERE active = 1 \
     AND role = $1 AND (level = 'all' OR (level = 'district' AND scope_id = $2) \
     OR (level = 'street' AND scope_id = $3) OR (level = 'community' AND scope_id = $4) \
     OR (level = 'grid' AND scope_id = $5) OR (level = 'building' AND scope_id = $6))";

/// The active accounts of `role` whose jurisdiction covers `place`: the ones a form may offer
/// as responsible doctor or grid worker.
pub async fn covering(
    conn: &mut Conn,
    role: &str,
    place: &domain::access::Placement,
) -> Result<Vec<Responsible>> {
    sql::all(
        conn,
        sqlx::AssertSqlSafe(format!("{COVERING} ORDER BY display_name, id LIMIT 500")),
        (
            role,
            place.district_id,
            place.street_id,
            place.community_id,
            place.grid_id.unwrap_or(-1),
            place.building_id.unwrap_or(-1),
        ),
    )
    .await
}

/// The active accounts of `role` covering `place` whose display name or username contains
/// `q` (any when empty), by id after `page.after`: the people a form or a client may assign.
pub async fn assignees(
    conn: &mut Conn,
    role: Role,
    place: &domain::access::Placement,
    q: &str,
    page: domain::page::PageRequest,
) -> Result<domain::page::Page<Responsible>> {
    let escaped: String = q
        .trim()
        .chars()
        .flat_map(|c| match c {
            '\\' | '%' | '_' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let pattern = format!("%{escaped}%");
    let rows = sql::fetch_all(
        conn,
        sqlx::AssertSqlSafe(format!(
            "{COVERING} AND (display_name LIKE $7 ESCAPE '\\' OR username LIKE $7 ESCAPE '\\') \
             AND id > $8 ORDER BY id LIMIT $9"
        )),
        (
            role.code(),
            place.district_id,
            place.street_id,
            place.community_id,
            place.grid_id.unwrap_or(-1),
            place.building_id.unwrap_or(-1),
            pattern,
            page.after.unwrap_or(0),
            i64::from(page.limit) + 1,
        ),
    )
    .await?;
    let items = rows
        .iter()
        .map(read::<Responsible>)
        .collect::<Result<Vec<_>>>()?;
    Ok(domain::page::Page::from_overfetch(items, page.limit, |a| {
        a.id
    }))
}

/// Someone a resident may be told to call: a name and the number the community set for them.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Contact {
    pub id: i64,
    pub display_name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub phone: Option<String>,
}

/// The active accounts among `doctor_id` and `grid_worker_id`, and the active grid workers of
/// grid `grid_id`, by id: whom a printed sheet for a household of that grid may name.
pub async fn contacts_of_grid(
    conn: &mut Conn,
    doctor_id: Option<i64>,
    grid_worker_id: Option<i64>,
    grid_id: i64,
) -> Result<Vec<Contact>> {
    sql::all(
        conn,
        "SELECT id, display_name, role, phone FROM accounts WHERE active = 1 \
         AND (id = $1 OR id = $2 OR (role = 'grid_worker' AND level = 'grid' AND scope_id = $3)) \
         ORDER BY id LIMIT 50",
        (
            doctor_id.unwrap_or(-1),
            grid_worker_id.unwrap_or(-1),
            grid_id,
        ),
    )
    .await
}
