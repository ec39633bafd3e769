//! The registers of a campaign's residents, for the exports.

use domain::access::Jurisdiction;
use domain::document::DocumentKind;
use domain::page::{Page, PageRequest};
use domain::registry::TravelStatus;
use domain::screening::HouseholdState;
use serde::Serialize;
use sqlx::FromRow;

use super::Reach;
use crate::rows::read;
use crate::scope::Where;
use crate::{Conn, Result};

/// A resident of a campaign's households, for the register exports.
#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct RegisterRow {
    pub resident_id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub document_kind: DocumentKind,
    pub document_masked: String,
    pub phone: Option<String>,
    pub grid_name: String,
    pub building_name: String,
    pub unit_name: String,
    pub room: String,
    #[sqlx(try_from = "String")]
    pub travel_status: TravelStatus,
    pub travel_origin: Option<String>,
    pub returned_on: Option<String>,
    #[sqlx(try_from = "String")]
    pub household_state: HouseholdState,
}

/// Residents of a campaign's households in one register, within the jurisdiction and the
/// reach, by key.
pub async fn register(
    conn: &mut Conn,
    j: &Jurisdiction,
    reach: Reach,
    campaign_id: i64,
    community_id: i64,
    travel_status: TravelStatus,
    page: PageRequest,
) -> Result<Page<RegisterRow>> {
    let mut w = Where::new();
    w.int("r.community_id = ?", community_id)
        .text("r.travel_status = ?", travel_status.code())
        .scope(j, "r")
        .int("sh.campaign_id = ?", campaign_id);
    reach.bind_to(&mut w);
    w.int_if_given("r.id > ?", page.after);
    w.fetch_page(
        conn,
        "SELECT r.id AS resident_id, r.name, r.document_kind, r.document_masked, r.phone, \
         g.name AS grid_name, b.name AS building_name, u.name AS unit_name, h.room, \
         r.travel_status, r.travel_origin, r.returned_on, sh.state AS household_state \
         FROM residents r JOIN screening_households sh ON sh.household_id = r.household_id \
         JOIN households h ON h.id = r.household_id JOIN units u ON u.id = h.unit_id \
         JOIN buildings b ON b.id = r.building_id JOIN grids g ON g.id = r.grid_id",
        "r.id",
        page,
        read::<RegisterRow>,
        |r| r.resident_id,
    )
    .await
}
