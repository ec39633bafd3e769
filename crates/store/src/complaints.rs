//! Residents' complaints, their replies and the public page's submissions per client. The
//! resident's contact is written once and read by no query here: every read carries it masked.

use domain::access::Jurisdiction;
use domain::complaints::{Category, Satisfaction, Source, State};
use domain::page::{Page, PageRequest};
use serde::Serialize;

use crate::rows::{NullableCode, read};
use crate::scope::{Key, Rows, Where};
use crate::{Conn, Result, sql};

/// A complaint as staff and its owner see it.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Complaint {
    pub id: i64,
    pub community_id: i64,
    pub community_name: String,
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub building_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub source: Source,
    pub call_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub category: Category,
    pub what: String,
    pub place: String,
    pub contact_masked: Option<String>,
    #[sqlx(try_from = "String")]
    pub state: State,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub filed_at: i64,
    pub due_at: i64,
    pub assigned_at: Option<i64>,
    pub replied_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub close_reason: Option<String>,
    #[sqlx(try_from = "NullableCode<Satisfaction>")]
    pub satisfaction: Option<Satisfaction>,
    pub satisfaction_note: Option<String>,
    pub satisfaction_at: Option<i64>,
    pub reopened: i64,
}

const COMPLAINT_SELECT: &str = "SELECT p.id, p.community_id, c.name AS community_name, \
     p.grid_id, p.building_id, b.name AS building_name, p.source, p.call_id, p.category, \
     p.what, p.place, p.contact_masked, p.state, p.owner_id, a.display_name AS owner_name, \
     p.filed_at, p.due_at, p.assigned_at, p.replied_at, p.closed_at, p.close_reason, \
     p.satisfaction, p.satisfaction_note, p.satisfaction_at, p.reopened \
     FROM complaints p JOIN communities c ON c.id = p.community_id \
     LEFT JOIN buildings b ON b.id = p.building_id LEFT JOIN accounts a ON a.id = p.owner_id";

/// Which complaints of a jurisdiction a reader reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Jurisdiction,
    /// Only those this account owns.
    Owned(i64),
}

fn scoped(j: &Jurisdiction, reach: Reach) -> Where {
    let mut w = Where::new();
    w.scope(j, "p");
    if let Reach::Owned(owner) = reach {
        w.int("p.owner_id = ?", owner);
    }
    w
}

pub struct NewComplaint<'a> {
    pub community_id: i64,
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub source: Source,
    pub call_id: Option<i64>,
    pub category: Category,
    pub what: &'a str,
    pub place: &'a str,
    pub contact: Option<&'a str>,
    pub contact_masked: Option<&'a str>,
    pub filed_at: i64,
    pub due_at: i64,
    pub link_hash: &'a str,
}

pub async fn insert_complaint(conn: &mut Conn, c: &NewComplaint<'_>) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO complaints (community_id, grid_id, building_id, source, call_id, category, \
         what, place, contact, contact_masked, state, filed_at, due_at, link_hash, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'filed', $11, $12, $13, $11) \
         RETURNING id",
        (
            c.community_id,
            c.grid_id,
            c.building_id,
            c.source.code(),
            c.call_id,
            c.category.code(),
            c.what,
            c.place,
            c.contact,
            c.contact_masked,
            c.filed_at,
            c.due_at,
            c.link_hash,
        ),
    )
    .await
}

pub async fn complaint(
    conn: &mut Conn,
    j: &Jurisdiction,
    reach: Reach,
    id: i64,
) -> Result<Complaint> {
    let mut w = scoped(j, reach);
    w.int("p.id = ?", id);
    w.fetch_one(conn, COMPLAINT_SELECT, read).await
}

/// The complaint of a personal link, wherever it is.
pub async fn complaint_by_link(conn: &mut Conn, link_hash: &str) -> Result<Option<Complaint>> {
    sql::optional(
        conn,
        sqlx::AssertSqlSafe(format!("{COMPLAINT_SELECT} WHERE p.link_hash = $1")),
        (link_hash,),
    )
    .await
}

/// Which complaints a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// Not closed, soonest due first.
    #[default]
    Open,
    /// Still awaiting the community's answer past their due time, most overdue first.
    Overdue,
    /// Closed, last closed first.
    Closed,
}

pub async fn complaints(
    conn: &mut Conn,
    j: &Jurisdiction,
    reach: Reach,
    view: View,
    now: i64,
    page: PageRequest,
) -> Result<Page<Complaint>> {
    let mut w = scoped(j, reach);
    let key = match view {
        View::Open => {
            w.raw("p.state <> 'closed'");
            Key::Asc("due_at")
        }
        View::Overdue => {
            w.raw("p.state IN ('filed', 'assigned')")
                .int("p.due_at < ?", now);
            Key::Asc("due_at")
        }
        View::Closed => {
            w.raw("p.state = 'closed'");
            Key::Desc("closed_at")
        }
    };
    let order = w.keyset("p", "complaints", key, page.after);
    w.fetch_page(
        conn,
        COMPLAINT_SELECT,
        &order,
        page,
        read,
        |c: &Complaint| c.id,
    )
    .await
}

/// The resident's contact in full: the one read of it, for a call its owner makes.
pub async fn contact_of(conn: &mut Conn, id: i64) -> Result<Option<String>> {
    Ok(sql::scalar_optional::<Option<String>>(
        conn,
        "SELECT contact FROM complaints WHERE id = $1",
        (id,),
    )
    .await?
    .flatten())
}

/// What a step changes on a complaint.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintUpdate {
    pub state: State,
    pub owner_id: Option<i64>,
    pub assigned_at: Option<i64>,
    pub replied_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub closed_by: Option<i64>,
    pub close_reason: Option<String>,
    pub satisfaction: Option<Satisfaction>,
    pub satisfaction_note: Option<String>,
    pub satisfaction_at: Option<i64>,
    pub reopened: i64,
}

impl From<&Complaint> for ComplaintUpdate {
    fn from(c: &Complaint) -> Self {
        ComplaintUpdate {
            state: c.state,
            owner_id: c.owner_id,
            assigned_at: c.assigned_at,
            replied_at: c.replied_at,
            closed_at: c.closed_at,
            closed_by: None,
            close_reason: c.close_reason.clone(),
            satisfaction: c.satisfaction,
            satisfaction_note: c.satisfaction_note.clone(),
            satisfaction_at: c.satisfaction_at,
            reopened: c.reopened,
        }
    }
}

/// Writes a step's changes if the complaint is still in state `from`; false when someone
/// else moved it first.
pub async fn update_complaint(
    conn: &mut Conn,
    id: i64,
    from: State,
    u: &ComplaintUpdate,
) -> Result<bool> {
    let r = sql::execute(
        conn,
        "UPDATE complaints SET state = $1, owner_id = $2, assigned_at = $3, replied_at = $4, \
         closed_at = $5, closed_by = COALESCE($6, closed_by), close_reason = $7, \
         satisfaction = $8, satisfaction_note = $9, satisfaction_at = $10, reopened = $11, \
         updated_at = $12 WHERE id = $13 AND state = $14",
        (
            u.state.code(),
            u.owner_id,
            u.assigned_at,
            u.replied_at,
            u.closed_at,
            u.closed_by,
            u.close_reason.as_deref(),
            u.satisfaction.map(Satisfaction::code),
            u.satisfaction_note.as_deref(),
            u.satisfaction_at,
            u.reopened,
            crate::now_ms(),
            id,
            from.code(),
        ),
    )
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A reply to the resident.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
pub struct Reply {
    pub id: i64,
    pub body: String,
    pub by_name: String,
    pub at: i64,
}

pub async fn insert_reply(
    conn: &mut Conn,
    complaint_id: i64,
    body: &str,
    by: i64,
    at: i64,
) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO complaint_replies (complaint_id, body, by_account, at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
        (complaint_id, body, by, at),
    )
    .await
}

/// A complaint's replies, oldest first.
pub async fn replies(conn: &mut Conn, complaint_id: i64) -> Result<Vec<Reply>> {
    sql::all(
        conn,
        "SELECT r.id, r.body, a.display_name AS by_name, r.at FROM complaint_replies r \
         JOIN accounts a ON a.id = r.by_account WHERE r.complaint_id = $1 ORDER BY r.id",
        (complaint_id,),
    )
    .await
}

/// The lead's figures.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct Figures {
    pub open: i64,
    pub overdue: i64,
    pub closed: i64,
    /// Sum of the closed complaints' times from filing to closing, ms.
    pub close_ms: i64,
}

/// Open, overdue and closed complaints of the jurisdiction at `now`, and the closed ones'
/// total time to close.
pub async fn figures(conn: &mut Conn, j: &Jurisdiction, now: i64) -> Result<Figures> {
    let mut w = Where::new();
    w.scope(j, "p");
    let select = format!(
        "SELECT CAST(COALESCE(SUM(CASE WHEN p.state <> 'closed' THEN 1 ELSE 0 END), 0) AS BIGINT) \
         AS open, CAST(COALESCE(SUM(CASE WHEN p.state IN ('filed', 'assigned') AND p.due_at < {now} \
         THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue, \
         CAST(COALESCE(SUM(CASE WHEN p.state = 'closed' THEN 1 ELSE 0 END), 0) AS BIGINT) AS closed, \
         CAST(COALESCE(SUM(CASE WHEN p.state = 'closed' THEN p.closed_at - p.filed_at ELSE 0 END), \
         0) AS BIGINT) AS close_ms FROM complaints p"
    );
    w.fetch_one(conn, &select, read).await
}

/// Complaints filed on the public page from `client` since `since` (ms).
pub async fn submissions_since(conn: &mut Conn, client: &str, since: i64) -> Result<i64> {
    sql::scalar(
        conn,
        "SELECT COUNT(*) FROM complaint_submissions WHERE client = $1 AND at >= $2",
        (client, since),
    )
    .await
}

pub async fn record_submission(conn: &mut Conn, client: &str, at: i64) -> Result<()> {
    sql::execute(
        conn,
        "INSERT INTO complaint_submissions (client, at) VALUES ($1, $2)",
        (client, at),
    )
    .await?;
    Ok(())
}

/// The buildings of a community by name, with their grid: where a resident says the complaint
/// is.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Place {
    pub id: i64,
    pub name: String,
    pub grid_id: i64,
}

/// A building of the community, by its id; `None` when it is not one of the community's.
pub async fn building_in(
    conn: &mut Conn,
    community_id: i64,
    building_id: i64,
) -> Result<Option<Place>> {
    sql::optional(
        conn,
        "SELECT id, name, grid_id FROM buildings WHERE id = $1 AND community_id = $2",
        (building_id, community_id),
    )
    .await
}

/// The name of a community, for the public page; `None` when there is none of that id.
pub async fn community_name(conn: &mut Conn, id: i64) -> Result<Option<String>> {
    let mut w = Where::new();
    w.scope_of(&Jurisdiction::ALL, "c", Rows::Communities)
        .int("c.id = ?", id);
    match w
        .fetch_one(conn, "SELECT c.name FROM communities c", |r| {
            read::<(String,)>(r)
        })
        .await
    {
        Ok((name,)) => Ok(Some(name)),
        Err(crate::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}
