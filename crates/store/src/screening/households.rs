//! The households of a campaign: the worker's list, one household, and where an attempt
//! leaves it.

use crate::registry::HouseholdAddress;
use domain::access::Jurisdiction;
use domain::page::{Page, PageRequest};
use domain::screening::{BAND, HouseholdState, list_rank};
use serde::Serialize;
use sqlx::FromRow;

use crate::rows::read;
use crate::scope::Where;
use crate::sql;
use crate::{Conn, Result};

/// A household of a campaign with where it is and how far it got.
#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct CampaignHousehold {
    pub campaign_id: i64,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub address: HouseholdAddress,
    pub phone: Option<String>,
    pub team_id: i64,
    pub position: i64,
    pub list_rank: i64,
    #[sqlx(try_from = "String")]
    pub state: HouseholdState,
    pub attempts: i64,
    pub failed_attempts: i64,
    pub matched: i64,
    pub last_contact: Option<String>,
    pub last_attempt_at: Option<i64>,
}

const HOUSEHOLD_SELECT: &str = "SELECT sh.campaign_id, sh.household_id, sh.community_id, \
     sh.grid_id, sh.building_id, b.name AS building_name, u.name AS unit_name, h.room, h.phone, \
     sh.team_id, sh.position, \
     sh.list_rank, sh.state, sh.attempts, sh.failed_attempts, sh.matched, sh.last_contact, \
     sh.last_attempt_at \
     FROM screening_households sh JOIN households h ON h.id = sh.household_id \
     JOIN units u ON u.id = h.unit_id JOIN buildings b ON b.id = sh.building_id";

/// Whose households a read reaches inside the jurisdiction: all of the campaign's, or only those
/// of the sub-teams an account is a member of. Bound in SQL with the jurisdiction, so a list,
/// a household or a register cannot forget it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Jurisdiction,
    MemberOf(i64),
}

impl Reach {
    /// Adds the condition on `sh` (a `screening_households` row) to the query.
    pub(crate) fn bind_to(self, w: &mut Where) {
        if let Reach::MemberOf(account_id) = self {
            w.int(
                "sh.team_id IN (SELECT m.team_id FROM screening_team_members m \
                 WHERE m.account_id = ? AND m.campaign_id = sh.campaign_id)",
                account_id,
            );
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct HouseholdFilter {
    /// Households of these teams only (a worker's own list).
    pub team_ids: Option<Vec<i64>>,
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub state: Option<HouseholdState>,
}

/// Households of a campaign in the jurisdiction, open first, then in building, unit and room
/// order; the page continues after `page.after`, a list rank.
pub async fn list_households(
    conn: &mut Conn,
    j: &Jurisdiction,
    reach: Reach,
    campaign_id: i64,
    f: &HouseholdFilter,
    page: PageRequest,
) -> Result<Page<CampaignHousehold>> {
    let mut w = Where::new();
    w.int("sh.campaign_id = ?", campaign_id);
    w.scope(j, "sh");
    reach.bind_to(&mut w);
    if let Some(teams) = &f.team_ids {
        if teams.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        if let [one] = teams.as_slice() {
            w.int("sh.team_id = ?", *one);
        } else {
            let list = teams
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            w.raw(&format!("sh.team_id IN ({list})"));
        }
    }
    w.int_if_given("sh.grid_id = ?", f.grid_id);
    w.int_if_given("sh.building_id = ?", f.building_id);
    if let Some(state) = f.state {
        // A state is one band of list ranks: read just that range of the index.
        w.text("sh.state = ?", state.code())
            .int("sh.list_rank >= ?", list_rank(state, 0))
            .int("sh.list_rank < ?", list_rank(state, 0) + BAND);
    }
    w.int_if_given("sh.list_rank > ?", page.after);
    w.fetch_page(
        conn,
        HOUSEHOLD_SELECT,
        "sh.list_rank",
        page,
        read::<CampaignHousehold>,
        |h| h.list_rank,
    )
    .await
}

/// One household of the campaign, if the jurisdiction and the reach cover it; `NotFound`
/// otherwise, as for anything outside a jurisdiction.
pub async fn household(
    conn: &mut Conn,
    j: &Jurisdiction,
    reach: Reach,
    campaign_id: i64,
    household_id: i64,
) -> Result<CampaignHousehold> {
    let mut w = Where::new();
    w.int("sh.campaign_id = ?", campaign_id)
        .int("sh.household_id = ?", household_id)
        .scope(j, "sh");
    reach.bind_to(&mut w);
    w.fetch_one(conn, HOUSEHOLD_SELECT, read::<CampaignHousehold>)
        .await
}

/// Where a household stands after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdUpdate<'a> {
    pub state: HouseholdState,
    pub list_rank: i64,
    pub attempts: i64,
    pub failed_attempts: i64,
    pub matched: i64,
    pub last_contact: &'a str,
    pub last_attempt_at: i64,
}

pub async fn update_household(
    conn: &mut Conn,
    campaign_id: i64,
    household_id: i64,
    u: &HouseholdUpdate<'_>,
) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE screening_households SET state = $1, list_rank = $2, attempts = $3, \
         failed_attempts = $4, matched = $5, last_contact = $6, last_attempt_at = $7 \
         WHERE campaign_id = $8 AND household_id = $9",
        (
            u.state.code(),
            u.list_rank,
            u.attempts,
            u.failed_attempts,
            u.matched,
            u.last_contact,
            u.last_attempt_at,
            campaign_id,
            household_id,
        ),
    )
    .await?;
    Ok(())
}
