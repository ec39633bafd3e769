//! Creating a campaign over a community or some grids, reading it, opening and closing it.

use domain::page::{Page, PageRequest};
use domain::registry::Label;
use domain::screening::{self as sc, CampaignState, Question};
use domain::validation::FieldErrors;
use serde::Serialize;
use store::StoreError;
use store::screening::{self as ss, Campaign, NewCampaign, Team};
use store::structure::{self, Node};

use crate::error::{code_in, conflict_as};
use crate::{Actor, App, AppError, AppResult};

use super::{OBJECT_TYPE, conflict, questions_json, stored_questions};

/// A campaign as entered.
#[derive(Debug, Clone, Default)]
pub struct CampaignInput {
    pub name: String,
    /// (region code, since date) pairs; blank pairs are ignored.
    pub questions: Vec<(String, String)>,
    /// Empty for the whole community.
    pub grid_ids: Vec<i64>,
    /// Empty for the default.
    pub unreachable_after: String,
}

/// A campaign with its questions, scope and teams.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignView {
    pub campaign: Campaign,
    pub questions: Vec<Question>,
    /// The grids of the scope; empty when it is the whole community.
    pub grid_ids: Vec<i64>,
    pub teams: Vec<Team>,
}

impl App {
    /// Creates a campaign in draft over the whole community or the listed grids, with every
    /// household of the scope open and unassigned.
    pub async fn create_campaign(
        &self,
        actor: &Actor,
        community_id: i64,
        input: &CampaignInput,
    ) -> AppResult<i64> {
        actor.require(sc::can_manage(actor.role))?;
        self.placement_in_scope(actor, Node::Community(community_id))
            .await?;
        let mut e = FieldErrors::new();
        let name = e.check("name", Label::parse(&input.name, sc::NAME_MAX));
        let questions = sc::parse_questions(&input.questions, self.today(), &mut e);
        let unreachable_after = sc::parse_unreachable_after(&input.unreachable_after, &mut e);
        let mut grids = input.grid_ids.clone();
        grids.sort_unstable();
        grids.dedup();
        {
            let mut conn = self.db.conn().await?;
            for g in &grids {
                let inside = match structure::placement(&mut conn, Node::Grid(*g)).await {
                    Ok(p) => p.community_id == community_id && actor.jurisdiction.covers(&p),
                    Err(StoreError::NotFound) => false,
                    Err(other) => return Err(other.into()),
                };
                if !inside {
                    e.add("grid_ids", "unknown_grid", g.to_string());
                }
            }
        }
        e.into_result()?;
        let (Some(name), Some(unreachable_after)) = (name, unreachable_after) else {
            return Err(AppError::Internal("parse state".to_owned()));
        };
        let json = questions_json(&questions);
        let mut tx = self.db.write().await?;
        let (id, households) = ss::insert_campaign(
            tx.conn(),
            &NewCampaign {
                community_id,
                name: name.as_str(),
                questions: &json,
                grid_ids: (!grids.is_empty()).then_some(grids.as_slice()),
                unreachable_after: i64::from(unreachable_after),
                created_by: actor.account_id,
            },
        )
        .await
        .map_err(conflict_as("name", "duplicate_name"))?;
        let mut a = actor.audit("screening_campaign_create", OBJECT_TYPE, id);
        a.community_id = Some(community_id);
        a.after = Some(serde_json::json!({
            "name": name.as_str(), "questions": serde_json::from_str::<serde_json::Value>(&json).unwrap_or_default(),
            "grid_ids": grids, "unreachable_after": unreachable_after, "households": households,
        }));
        tx.commit_audited(a).await?;
        Ok(id)
    }

    pub async fn screening_campaigns(
        &self,
        actor: &Actor,
        community_id: Option<i64>,
        page: PageRequest,
    ) -> AppResult<Page<Campaign>> {
        let mut conn = self.read_as(actor, sc::can_read(actor.role)).await?;
        Ok(ss::list_campaigns(&mut conn, &actor.jurisdiction, community_id, page).await?)
    }

    pub async fn screening_campaign(&self, actor: &Actor, id: i64) -> AppResult<CampaignView> {
        let mut conn = self.read_as(actor, sc::can_read(actor.role)).await?;
        let campaign = ss::campaign(&mut conn, &actor.jurisdiction, id).await?;
        let questions = stored_questions(&campaign.questions)?;
        let grid_ids = ss::campaign_grids(&mut conn, id).await?;
        let teams = ss::teams(&mut conn, id).await?;
        Ok(CampaignView {
            campaign,
            questions,
            grid_ids,
            teams,
        })
    }

    /// Opens a draft campaign or closes an open one; a closed campaign refuses attempts.
    pub async fn transition_campaign(
        &self,
        actor: &Actor,
        id: i64,
        to: &str,
    ) -> AppResult<CampaignState> {
        actor.require(sc::can_manage(actor.role))?;
        let to = code_in("state", "unknown_state", to, CampaignState::from_code)?;
        let mut tx = self.db.write().await?;
        let c = ss::campaign(tx.conn(), &actor.jurisdiction, id).await?;
        let from = c.state;
        let next = from.transition(to).map_err(conflict)?;
        ss::set_campaign_state(tx.conn(), id, next).await?;
        let mut a = actor.audit("screening_campaign_state", OBJECT_TYPE, id);
        a.community_id = Some(c.community_id);
        a.before = Some(serde_json::json!({ "state": from.code() }));
        a.after = Some(serde_json::json!({ "state": next.code() }));
        tx.commit_audited(a).await?;
        Ok(next)
    }
}
