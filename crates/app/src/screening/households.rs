//! The households of a campaign: the worker's own list, one household with its members and
//! attempts, and its phone number for a call.

use domain::access::Jurisdiction;
use domain::page::{Page, PageRequest};
use domain::screening::{self as sc, HouseholdState};
use serde::Serialize;
use store::registry::{self as reg, Resident, ResidentFilter};
use store::screening::{self as ss, Attempt, CampaignHousehold, HouseholdFilter, Reach};

use crate::registry::mask_phone;
use crate::{Actor, App, AppError, AppResult};

use super::reach_of;

/// Which households a list shows.
#[derive(Debug, Clone, Default)]
pub struct HouseholdQuery {
    /// Only the households of the actor's own teams.
    pub mine: bool,
    pub team_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub state: Option<String>,
}

/// A household with its members and attempts.
#[derive(Debug, Clone, Serialize)]
pub struct HouseholdView {
    pub household: CampaignHousehold,
    pub members: Vec<Resident>,
    pub attempts: Vec<Attempt>,
    /// Whether the actor may record attempts for this household.
    pub can_record: bool,
}

impl HouseholdView {
    /// A visit that met the household, every member answering that they stayed in the city:
    /// what the demonstration and the benchmark record for a household whose register agrees.
    pub fn met_all_stayed(&self, idempotency_key: String) -> super::AttemptInput {
        super::AttemptInput {
            method: "visit".to_owned(),
            outcome: "met".to_owned(),
            idempotency_key,
            answers: self
                .members
                .iter()
                .map(|m| domain::screening::RawAnswer {
                    resident_id: m.id,
                    travel_status: "stayed_in_city".to_owned(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }
}

impl App {
    /// Households of a campaign: those of the actor's own teams for the people who call and
    /// knock, any in the jurisdiction for those who lead (`mine` narrows a lead's list to their
    /// own teams); open first, then by building, unit and room. A team the actor may not read
    /// is refused, not ignored.
    pub async fn screening_households(
        &self,
        actor: &Actor,
        campaign_id: i64,
        q: &HouseholdQuery,
        page: PageRequest,
    ) -> AppResult<Page<CampaignHousehold>> {
        actor.require(sc::can_read(actor.role))?;
        let state = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(
                HouseholdState::from_code(s)
                    .ok_or_else(|| AppError::field("state", "unknown_state"))?,
            ),
            None => None,
        };
        self.campaign_with_newcomers(actor, campaign_id).await?;
        let mut conn = self.db.conn().await?;
        let reach = reach_of(actor);
        let team_ids = match q.team_id {
            Some(team) => {
                if let Reach::MemberOf(account_id) = reach
                    && !ss::teams_of(&mut conn, campaign_id, account_id)
                        .await?
                        .contains(&team)
                {
                    return Err(AppError::Forbidden);
                }
                Some(vec![team])
            }
            None if q.mine => Some(ss::teams_of(&mut conn, campaign_id, actor.account_id).await?),
            None => None,
        };
        let filter = HouseholdFilter {
            team_ids,
            grid_id: q.grid_id,
            building_id: q.building_id,
            state,
        };
        let page = ss::list_households(
            &mut conn,
            &actor.jurisdiction,
            reach,
            campaign_id,
            &filter,
            page,
        )
        .await?;
        Ok(page.map(|mut h| {
            h.phone = h.phone.as_deref().map(mask_phone);
            h
        }))
    }

    /// Whether the actor records for this household: a member of its team, or the lead.
    pub(super) async fn may_record(
        &self,
        conn: &mut store::Conn,
        actor: &Actor,
        h: &CampaignHousehold,
    ) -> AppResult<bool> {
        if !sc::can_record(actor.role) {
            return Ok(false);
        }
        if sc::can_manage(actor.role) {
            return Ok(true);
        }
        Ok(ss::teams_of(conn, h.campaign_id, actor.account_id)
            .await?
            .contains(&h.team_id))
    }

    /// The campaign's household the actor is about to record for, read where it stands;
    /// `Forbidden` unless the actor records for it ([`App::may_record`]).
    pub(crate) async fn household_to_record(
        &self,
        conn: &mut store::Conn,
        actor: &Actor,
        campaign_id: i64,
        household_id: i64,
    ) -> AppResult<CampaignHousehold> {
        let h = ss::household(
            conn,
            &actor.jurisdiction,
            reach_of(actor),
            campaign_id,
            household_id,
        )
        .await?;
        if !self.may_record(conn, actor, &h).await? {
            return Err(AppError::Forbidden);
        }
        Ok(h)
    }

    pub async fn screening_household(
        &self,
        actor: &Actor,
        campaign_id: i64,
        household_id: i64,
    ) -> AppResult<HouseholdView> {
        let mut conn = self.read_as(actor, sc::can_read(actor.role)).await?;
        ss::campaign(&mut conn, &actor.jurisdiction, campaign_id).await?;
        let mut household = ss::household(
            &mut conn,
            &actor.jurisdiction,
            reach_of(actor),
            campaign_id,
            household_id,
        )
        .await?;
        household.phone = household.phone.as_deref().map(mask_phone);
        let members = self.members_of(&mut conn, household_id).await?;
        let attempts = ss::attempts_of(&mut conn, campaign_id, household_id).await?;
        let can_record = self.may_record(&mut conn, actor, &household).await?;
        Ok(HouseholdView {
            household,
            members: members
                .into_iter()
                .map(|mut r| {
                    r.particulars.phone = r.particulars.phone.as_deref().map(mask_phone);
                    r
                })
                .collect(),
            attempts,
            can_record,
        })
    }

    /// The household's residents. The household was found in the actor's jurisdiction and reach,
    /// so its members are read without a narrower scope (a volunteer's role does not browse the
    /// registry, but answers for the households of their team).
    pub(super) async fn members_of(
        &self,
        conn: &mut store::Conn,
        household_id: i64,
    ) -> AppResult<Vec<Resident>> {
        Ok(reg::list_residents(
            conn,
            &Jurisdiction::ALL,
            &ResidentFilter {
                household_id: Some(household_id),
                ..Default::default()
            },
            PageRequest::new(None, Some(200)),
        )
        .await?
        .items)
    }

    /// The household's full phone number, for a call; recorded as an unmasking.
    pub async fn screening_household_phone(
        &self,
        actor: &Actor,
        campaign_id: i64,
        household_id: i64,
    ) -> AppResult<Option<String>> {
        let mut tx = self
            .write_as(actor, actor.role.can_unmask() && sc::can_record(actor.role))
            .await?;
        let c = ss::campaign(tx.conn(), &actor.jurisdiction, campaign_id).await?;
        let h = self
            .household_to_record(tx.conn(), actor, campaign_id, household_id)
            .await?;
        let mut a = actor.audit("household_phone_unmask", "household", household_id);
        a.community_id = Some(h.address.community_id);
        a.after = Some(serde_json::json!({ "fields": ["phone"], "campaign_id": campaign_id }));
        a.reason = Some(format!("screening call: {}", c.name));
        tx.commit_audited(a).await?;
        Ok(h.phone)
    }
}
