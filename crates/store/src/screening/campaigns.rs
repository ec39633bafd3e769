//! Campaigns: their questions and scope, and the households of the scope taken in at creation.

use domain::access::{Jurisdiction, Level};
use domain::page::{Page, PageRequest};
use domain::screening::{CampaignState, POSITION_GAP};
use serde::Serialize;
use sqlx::{FromRow, Row};

use crate::rows::read;
use crate::scope::Where;
use crate::sql;
use crate::{Conn, Flag, Result, now_ms};

use super::enrolment::{scope_households, set_enrolled_through};
use super::recount;

#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct Campaign {
    pub id: i64,
    pub community_id: i64,
    pub name: String,
    /// JSON array of questions.
    pub questions: String,
    #[sqlx(try_from = "Flag")]
    pub whole_community: bool,
    pub unreachable_after: i64,
    #[sqlx(try_from = "String")]
    pub state: CampaignState,
    /// The largest household id enrolled; households registered later have larger ids.
    pub enrolled_through: i64,
    pub created_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const CAMPAIGN_SELECT: &str = "SELECT c.id, c.community_id, c.name, c.questions, \
     c.whole_community, c.unreachable_after, c.state, c.enrolled_through, c.created_by, \
     c.created_at, c.updated_at FROM screening_campaigns c";

/// Campaigns are visible to every jurisdiction that reaches into their community.
fn campaign_scope(w: &mut Where, j: &Jurisdiction) {
    match j.level {
        Level::All => {}
        Level::District => {
            w.int(
                "c.community_id IN (SELECT id FROM communities WHERE district_id = ?)",
                j.id,
            );
        }
        Level::Street => {
            w.int(
                "c.community_id IN (SELECT id FROM communities WHERE street_id = ?)",
                j.id,
            );
        }
        Level::Community => {
            w.int("c.community_id = ?", j.id);
        }
        Level::Grid => {
            w.int(
                "c.community_id IN (SELECT community_id FROM grids WHERE id = ?)",
                j.id,
            );
        }
        Level::Building => {
            w.int(
                "c.community_id IN (SELECT community_id FROM buildings WHERE id = ?)",
                j.id,
            );
        }
    }
}

/// Campaigns of one community, newest first, paged by key.
pub async fn list_campaigns(
    conn: &mut Conn,
    j: &Jurisdiction,
    community_id: Option<i64>,
    page: PageRequest,
) -> Result<Page<Campaign>> {
    let mut w = Where::new();
    campaign_scope(&mut w, j);
    w.int_if_given("c.community_id = ?", community_id);
    w.int_if_given("c.id < ?", page.after);
    w.fetch_page(
        conn,
        CAMPAIGN_SELECT,
        "c.id DESC",
        page,
        read::<Campaign>,
        |c| c.id,
    )
    .await
}

pub async fn campaign(conn: &mut Conn, j: &Jurisdiction, id: i64) -> Result<Campaign> {
    let mut w = Where::new();
    campaign_scope(&mut w, j);
    w.int("c.id = ?", id);
    w.fetch_one(conn, CAMPAIGN_SELECT, read::<Campaign>).await
}

pub struct NewCampaign<'a> {
    pub community_id: i64,
    pub name: &'a str,
    pub questions: &'a str,
    /// `None` for the whole community.
    pub grid_ids: Option<&'a [i64]>,
    pub unreachable_after: i64,
    pub created_by: i64,
}

/// Creates a campaign in draft with every household of its scope, set-based: one INSERT …
/// SELECT numbers the households in building, unit and room order, one more fills the counts.
/// Returns the id and the number of households.
pub async fn insert_campaign(conn: &mut Conn, c: &NewCampaign<'_>) -> Result<(i64, i64)> {
    let now = now_ms();
    let row = sql::fetch_one(
        conn,
        "INSERT INTO screening_campaigns (community_id, name, questions, whole_community, \
         unreachable_after, state, enrolled_through, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'draft', 0, $6, $7, $7) RETURNING id",
        (
            c.community_id,
            c.name,
            c.questions,
            i64::from(c.grid_ids.is_none()),
            c.unreachable_after,
            c.created_by,
            now,
        ),
    )
    .await?;
    let id: i64 = row.try_get("id")?;
    if let Some(grids) = c.grid_ids {
        for g in grids {
            sql::execute(
                conn,
                "INSERT INTO screening_campaign_grids (campaign_id, grid_id) VALUES ($1, $2)",
                (id, *g),
            )
            .await?;
        }
    }
    let sql = format!(
        "INSERT INTO screening_households (campaign_id, household_id, community_id, grid_id, \
         building_id, team_id, place_key, position, list_rank, state, attempts, \
         failed_attempts, matched) \
         SELECT $1, s.id, s.community_id, s.grid_id, s.building_id, 0, s.place_key, \
         s.n * {POSITION_GAP}, s.n * {POSITION_GAP}, 'open', 0, 0, 0 \
         FROM (SELECT x.*, ROW_NUMBER() OVER (ORDER BY x.place_key) AS n FROM ({}) x) s",
        scope_households(c.grid_ids.is_some(), "")
    );
    let done = sql::execute(conn, sqlx::AssertSqlSafe(sql), (id, c.community_id)).await?;
    set_enrolled_through(conn, id).await?;
    recount(conn, id).await?;
    // PostgreSQL plans the campaign's lists well only with statistics that know its rows;
    // autovacuum would analyse the table a while later. SQLite's plans do not depend on them.
    if conn.backend_name() == "PostgreSQL" {
        sql::execute(conn, "ANALYZE screening_households, screening_counts", ()).await?;
    }
    Ok((id, i64::try_from(done.rows_affected()).unwrap_or(i64::MAX)))
}

pub async fn campaign_grids(conn: &mut Conn, campaign_id: i64) -> Result<Vec<i64>> {
    sql::scalars(
        conn,
        "SELECT grid_id FROM screening_campaign_grids WHERE campaign_id = $1 ORDER BY grid_id",
        (campaign_id,),
    )
    .await
}

pub async fn set_campaign_state(conn: &mut Conn, id: i64, state: CampaignState) -> Result<()> {
    crate::db::set_state(conn, "screening_campaigns", id, state.code()).await
}
