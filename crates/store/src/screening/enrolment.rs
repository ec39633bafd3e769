//! Households registered after a campaign was created. Household ids grow in commit order
//! (every write holds the audit chain's head), so the campaign keeps the largest id it enrolled
//! and finds later households of its scope by key; each takes its place in building, unit and
//! room order between the positions of its neighbours, found by their place keys.

use domain::screening::{CampaignState, POSITION_GAP};
use sqlx::FromRow;

use crate::sql;
use crate::{Conn, Flag, Result, StoreError};

use super::{Campaign, CountDelta, adjust_counts};

/// Width of each part of a place key, in characters.
const PART: usize = 12;

/// A text column padded with zeros on the left to exactly [`PART`] characters (longer text is
/// cut), so "2号楼" sorts before "10号楼" in both dialects and the parts of a key line up.
fn part(col: &str) -> String {
    let zeros = "0".repeat(PART);
    format!(
        "substr(CASE WHEN length({col}) < {PART} THEN substr('{zeros}', 1, {PART} - length({col})) \
         || {col} ELSE {col} END, 1, {PART})"
    )
}

/// A household's place key: building, unit and room, each name followed by its id so that
/// equal names stay apart.
fn place_key() -> String {
    [
        part("b.name"),
        part("CAST(b.id AS TEXT)"),
        part("u.name"),
        part("CAST(u.id AS TEXT)"),
        part("h.room"),
        part("CAST(h.id AS TEXT)"),
    ]
    .join(" || ")
}

/// The households of a campaign's scope with their place keys: `$1` the campaign, `$2` its
/// community; `extra` narrows further.
pub(super) fn scope_households(grid_scoped: bool, extra: &str) -> String {
    let grid_filter = if grid_scoped {
        " AND h.grid_id IN (SELECT grid_id FROM screening_campaign_grids WHERE campaign_id = $1)"
    } else {
        ""
    };
    format!(
        "SELECT h.id, h.community_id, h.grid_id, h.building_id, {} AS place_key \
         FROM households h JOIN units u ON u.id = h.unit_id JOIN buildings b ON b.id = h.building_id \
         WHERE h.community_id = $2{grid_filter}{extra}",
        place_key()
    )
}

/// Records the largest household id a campaign holds.
pub(super) async fn set_enrolled_through(conn: &mut Conn, campaign_id: i64) -> Result<i64> {
    let through: i64 = sql::scalar(
        conn,
        "SELECT COALESCE(MAX(household_id), 0) FROM screening_households WHERE campaign_id = $1",
        (campaign_id,),
    )
    .await?;
    sql::execute(
        conn,
        "UPDATE screening_campaigns SET enrolled_through = $1 WHERE id = $2",
        (through, campaign_id),
    )
    .await?;
    Ok(through)
}

/// Whether the campaign's scope has households it has not enrolled yet: the largest household
/// id of the community (or of each grid of the scope), read from the end of the households'
/// (community, id) or (grid, id) index, against the campaign's mark. A maximum reads one index
/// entry whatever the plan; a probe for `id > mark` can be planned as a scan of the table.
pub async fn has_unenrolled(conn: &mut Conn, c: &Campaign) -> Result<bool> {
    let newest: Option<i64> = if c.whole_community {
        sql::scalar(
            conn,
            "SELECT MAX(id) FROM households WHERE community_id = $1",
            (c.community_id,),
        )
        .await?
    } else {
        sql::scalar(
            conn,
            "SELECT MAX((SELECT MAX(h.id) FROM households h WHERE h.grid_id = g.grid_id)) \
             FROM screening_campaign_grids g WHERE g.campaign_id = $1",
            (c.id,),
        )
        .await?
    };
    Ok(newest.is_some_and(|n| n > c.enrolled_through))
}

/// The households of the scope above the campaign's mark, each with its place key, its team
/// (that of the first household of its building in the campaign, else of its grid, else none),
/// the positions of its neighbours before (0 when none) and after (NULL when none), and its
/// rank `k` among the `n` new households between the same neighbours.
fn newcomers(grid_scoped: bool) -> String {
    format!(
        "SELECT z.*, ROW_NUMBER() OVER (PARTITION BY z.pred ORDER BY z.place_key) AS k, \
         COUNT(*) OVER (PARTITION BY z.pred) AS n FROM (\
         SELECT y.id, y.community_id, y.grid_id, y.building_id, y.place_key, \
         COALESCE((SELECT s.position FROM screening_households s WHERE s.campaign_id = $1 \
         AND s.place_key < y.place_key ORDER BY s.place_key DESC LIMIT 1), 0) AS pred, \
         (SELECT s.position FROM screening_households s WHERE s.campaign_id = $1 \
         AND s.place_key > y.place_key ORDER BY s.place_key LIMIT 1) AS succ, \
         COALESCE((SELECT s.team_id FROM screening_households s WHERE s.campaign_id = $1 \
         AND s.building_id = y.building_id ORDER BY s.list_rank LIMIT 1), \
         (SELECT s.team_id FROM screening_households s WHERE s.campaign_id = $1 \
         AND s.grid_id = y.grid_id ORDER BY s.list_rank LIMIT 1), 0) AS team_id \
         FROM ({}) y) z",
        scope_households(grid_scoped, " AND h.id > $3")
    )
}

/// What an enrolment took in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Enrolled {
    pub households: u64,
    /// The campaign's mark afterwards.
    pub through: i64,
}

/// What enrolment needs of a campaign.
#[derive(FromRow)]
struct Mark {
    community_id: i64,
    #[sqlx(try_from = "Flag")]
    whole_community: bool,
    enrolled_through: i64,
    #[sqlx(try_from = "String")]
    state: CampaignState,
}

/// New households of one (team, grid) bucket.
#[derive(FromRow)]
struct Newcomers {
    team_id: i64,
    grid_id: i64,
    households: i64,
}

/// Enrols the households of the campaign's scope registered since its mark, set-based: open,
/// in their place between their neighbours, given to the team of their building (or grid), with
/// the campaign's counts moved by as many. A closed campaign takes in nobody.
pub async fn enrol_new_households(conn: &mut Conn, campaign_id: i64) -> Result<Enrolled> {
    let row = sql::fetch_optional(
        conn,
        "SELECT community_id, whole_community, enrolled_through, state \
         FROM screening_campaigns WHERE id = $1",
        (campaign_id,),
    )
    .await?
    .ok_or(StoreError::NotFound)?;
    let Mark {
        community_id,
        whole_community,
        enrolled_through: mark,
        state,
    } = Mark::from_row(&row)?;
    let grid_scoped = !whole_community;
    if state == CampaignState::Closed {
        return Ok(Enrolled {
            households: 0,
            through: mark,
        });
    }
    let newcomers = newcomers(grid_scoped);
    // Too many newcomers between two neighbours: number the campaign afresh first.
    let crowded: i64 = sql::scalar(conn, sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM ({newcomers}) w WHERE w.succ IS NOT NULL AND w.succ - w.pred <= w.n"
    )), (campaign_id, community_id, mark)).await?;
    if crowded > 0 {
        renumber(conn, campaign_id).await?;
    }
    let sql = format!(
        "INSERT INTO screening_households (campaign_id, household_id, community_id, grid_id, \
         building_id, team_id, place_key, position, list_rank, state, attempts, \
         failed_attempts, matched) \
         SELECT $1, w.id, w.community_id, w.grid_id, w.building_id, w.team_id, w.place_key, \
         w.p, w.p, 'open', 0, 0, 0 FROM (SELECT v.*, CASE WHEN v.succ IS NULL \
         THEN v.pred + v.k * {POSITION_GAP} \
         ELSE v.pred + (v.succ - v.pred) * v.k / (v.n + 1) END AS p FROM ({newcomers}) v) w"
    );
    let done = sql::execute(
        conn,
        sqlx::AssertSqlSafe(sql),
        (campaign_id, community_id, mark),
    )
    .await?
    .rows_affected();
    if done == 0 {
        return Ok(Enrolled {
            households: 0,
            through: mark,
        });
    }
    // Every household above the old mark is new, and open.
    let rows = sql::fetch_all(
        conn,
        "SELECT team_id, grid_id, COUNT(*) AS households FROM screening_households \
         WHERE campaign_id = $1 AND household_id > $2 GROUP BY team_id, grid_id",
        (campaign_id, mark),
    )
    .await?;
    for r in rows {
        let n = Newcomers::from_row(&r)?;
        let delta = CountDelta {
            open: n.households,
            ..CountDelta::default()
        };
        adjust_counts(conn, campaign_id, n.team_id, n.grid_id, delta).await?;
    }
    let through = set_enrolled_through(conn, campaign_id).await?;
    Ok(Enrolled {
        households: done,
        through,
    })
}

/// Numbers a campaign's households afresh in place-key order, [`POSITION_GAP`] apart, keeping
/// each one's band in its list rank.
async fn renumber(conn: &mut Conn, campaign_id: i64) -> Result<()> {
    sql::execute(
        conn,
        sqlx::AssertSqlSafe(format!(
            "UPDATE screening_households SET position = r.p, \
         list_rank = screening_households.list_rank - screening_households.position + r.p \
         FROM (SELECT household_id, ROW_NUMBER() OVER (ORDER BY place_key) * {POSITION_GAP} AS p \
         FROM screening_households WHERE campaign_id = $1) r \
         WHERE screening_households.campaign_id = $1 \
         AND screening_households.household_id = r.household_id"
        )),
        (campaign_id,),
    )
    .await?;
    Ok(())
}

/// The campaigns of a community that still take in households, with their marks.
pub async fn enrolling_campaigns(conn: &mut Conn, community_id: i64) -> Result<Vec<Campaign>> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = super::list_campaigns(
            conn,
            &domain::access::Jurisdiction::ALL,
            Some(community_id),
            domain::page::PageRequest::new(after, Some(100)),
        )
        .await?;
        out.extend(
            page.items
                .into_iter()
                .filter(|c| c.state != CampaignState::Closed),
        );
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    Ok(out)
}
