//! Households registered after a campaign was created join it: within the write that registers
//! one, and, for those that came another way (an import), when the campaign's lists or progress
//! are opened. Either way the campaign's counts move in the same transaction.

use domain::screening::CampaignState;
use store::WriteTx;
use store::screening::{self as ss, Campaign};

use crate::{Actor, App, AppResult};

use super::OBJECT_TYPE;

/// Enrols what the campaign has not taken in yet, and records it as the system's doing.
async fn enrol(tx: &mut WriteTx, c: &Campaign) -> AppResult<()> {
    let e = ss::enrol_new_households(tx.conn(), c.id).await?;
    if e.households > 0 {
        let mut a = Actor::system().audit("screening_enrol", OBJECT_TYPE, c.id);
        a.community_id = Some(c.community_id);
        a.before = Some(serde_json::json!({ "enrolled_through": c.enrolled_through }));
        a.after = Some(serde_json::json!({
            "households": e.households, "enrolled_through": e.through,
        }));
        a.reason = Some("households registered after the campaign was created".to_owned());
        tx.audit(a).await?;
    }
    Ok(())
}

impl App {
    /// Within the write that registered households of a community: enrols them into every
    /// campaign of the community that is not closed and whose scope holds them.
    pub(crate) async fn enrol_in_screening(
        &self,
        tx: &mut WriteTx,
        community_id: i64,
    ) -> AppResult<()> {
        for c in ss::enrolling_campaigns(tx.conn(), community_id).await? {
            if ss::has_unenrolled(tx.conn(), &c).await? {
                enrol(tx, &c).await?;
            }
        }
        Ok(())
    }

    /// A campaign in the actor's jurisdiction, with the households registered since it last
    /// looked taken in: a probe of one index, and a write only when there is someone new.
    pub(super) async fn campaign_with_newcomers(
        &self,
        actor: &Actor,
        campaign_id: i64,
    ) -> AppResult<Campaign> {
        let mut conn = self.db.conn().await?;
        let c = ss::campaign(&mut conn, &actor.jurisdiction, campaign_id).await?;
        if c.state == CampaignState::Closed || !ss::has_unenrolled(&mut conn, &c).await? {
            return Ok(c);
        }
        // The write may need the only connection of an in-memory database.
        drop(conn);
        let mut tx = self.db.write().await?;
        enrol(&mut tx, &c).await?;
        tx.commit().await?;
        Ok(c)
    }
}
