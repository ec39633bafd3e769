//! The contacts of a case put on follow-up.

use domain::cases::{FollowUp, Strength};
use domain::page::{Page, PageRequest};
use serde::Serialize;

use crate::rows::read;
use crate::scope::{Key, Where};
use crate::{Conn, Result, sql};

/// A traced contact put on follow-up.
#[derive(Debug, Clone, Serialize, PartialEq, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CaseContactDto))]
pub struct CaseContact {
    pub id: i64,
    pub case_id: i64,
    pub resident_id: Option<i64>,
    pub visitor_id: Option<i64>,
    pub account_id: Option<i64>,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub strength: Strength,
    /// JSON: the overlaps that found the contact.
    pub evidence: String,
    #[sqlx(try_from = "String")]
    pub follow_up: FollowUp,
    pub quarantine_order_id: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewContact<'a> {
    pub case_id: i64,
    pub community_id: i64,
    pub resident_id: Option<i64>,
    pub visitor_id: Option<i64>,
    pub account_id: Option<i64>,
    pub name: &'a str,
    pub strength: Strength,
    pub evidence: &'a str,
    pub follow_up: FollowUp,
    pub quarantine_order_id: Option<i64>,
    pub by: i64,
    pub at: i64,
}

pub async fn insert_contact(conn: &mut Conn, c: &NewContact<'_>) -> Result<i64> {
    sql::scalar(
        conn,
        "INSERT INTO case_contacts (case_id, community_id, resident_id, visitor_id, account_id, \
         name, strength, evidence, follow_up, quarantine_order_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        (
            c.case_id,
            c.community_id,
            c.resident_id,
            c.visitor_id,
            c.account_id,
            c.name,
            c.strength.code(),
            c.evidence,
            c.follow_up.code(),
            c.quarantine_order_id,
            c.by,
            c.at,
        ),
    )
    .await
}

/// A case's contacts on follow-up, by key.
pub async fn contacts(
    conn: &mut Conn,
    case_id: i64,
    page: PageRequest,
) -> Result<Page<CaseContact>> {
    let mut w = Where::new();
    w.int("k.case_id = ?", case_id);
    let order = w.keyset("k", "case_contacts", Key::Id, page.after);
    w.fetch_page(
        conn,
        "SELECT k.id, k.case_id, k.resident_id, k.visitor_id, k.account_id, k.name, k.strength, \
         k.evidence, k.follow_up, k.quarantine_order_id, k.created_at FROM case_contacts k",
        &order,
        page,
        read::<CaseContact>,
        |c| c.id,
    )
    .await
}

/// The contacts already on follow-up for a case, as keys, so a second follow-up skips them.
pub async fn followed_keys(conn: &mut Conn, case_id: i64) -> Result<Vec<(String, i64)>> {
    sql::all(
        conn,
        "SELECT CASE WHEN resident_id IS NOT NULL THEN 'resident' \
         WHEN visitor_id IS NOT NULL THEN 'visitor' ELSE 'account' END, \
         COALESCE(resident_id, visitor_id, account_id) FROM case_contacts WHERE case_id = $1",
        (case_id,),
    )
    .await
}

/// How many contacts each case of a community has on follow-up.
pub async fn contact_counts(conn: &mut Conn, community_id: i64) -> Result<Vec<(i64, i64)>> {
    sql::all(
        conn,
        "SELECT case_id, COUNT(*) FROM case_contacts WHERE community_id = $1 GROUP BY case_id",
        (community_id,),
    )
    .await
}
