//! The phones a household is reached on: its own, and each of its residents' who has one.

use domain::access::Jurisdiction;
use serde::Serialize;
use sqlx::FromRow;

use crate::rows::read;
use crate::scope::Where;
use crate::{Conn, Result};

/// One number a household is reached on, in full: the callers' pages mask it.
#[derive(Debug, Clone, Serialize, FromRow)]
pub struct PhoneEntry {
    pub household_id: i64,
    /// The resident it belongs to; `None` for the household's own phone.
    pub resident_id: Option<i64>,
    /// The resident's name; empty for the household's own phone.
    pub name: String,
    pub phone: String,
}

/// The phones of these households inside the jurisdiction: each household's own first, then
/// its residents' in the order they were registered.
pub async fn phones_of(
    conn: &mut Conn,
    j: &Jurisdiction,
    household_ids: &[i64],
) -> Result<Vec<PhoneEntry>> {
    if household_ids.is_empty() {
        return Ok(Vec::new());
    }
    // Ids are integers: listed in the SQL, not bound one by one.
    let list = household_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let mut own = Where::new();
    own.scope(j, "h")
        .raw(&format!("h.id IN ({list})"))
        .raw("h.phone IS NOT NULL AND h.phone <> ''");
    let mut found = own
        .fetch_all(
            conn,
            "SELECT h.id AS household_id, CAST(NULL AS BIGINT) AS resident_id, '' AS name, \
             h.phone FROM households h",
            "h.id",
            read::<PhoneEntry>,
        )
        .await?;
    let mut members = Where::new();
    members
        .scope(j, "r")
        .raw(&format!("r.household_id IN ({list})"))
        .raw("r.phone IS NOT NULL AND r.phone <> ''");
    found.extend(
        members
            .fetch_all(
                conn,
                "SELECT r.household_id, r.id AS resident_id, r.name, r.phone FROM residents r",
                "r.household_id, r.id",
                read::<PhoneEntry>,
            )
            .await?,
    );
    found.sort_by_key(|p| (p.household_id, p.resident_id.is_some(), p.resident_id));
    Ok(found)
}
