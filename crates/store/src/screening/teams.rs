//! Sub-teams, their members, and which team works which households.

use domain::access::{Level, Role};
use serde::Serialize;
use sqlx::{FromRow, Row};

use crate::rows::read;
use crate::sql;
use crate::{Conn, Result, StoreError, now_ms};

#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct TeamMember {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    #[sqlx(try_from = "String")]
    pub level: Level,
    pub scope_id: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct Team {
    pub id: i64,
    pub campaign_id: i64,
    pub name: String,
    /// Read apart from the team's row.
    #[sqlx(skip)]
    pub members: Vec<TeamMember>,
}

/// A member with the team it belongs to, as one row.
#[derive(FromRow)]
struct Membership {
    team_id: i64,
    #[sqlx(flatten)]
    member: TeamMember,
}

pub async fn teams(conn: &mut Conn, campaign_id: i64) -> Result<Vec<Team>> {
    let rows = sql::fetch_all(
        conn,
        "SELECT id, campaign_id, name FROM screening_teams WHERE campaign_id = $1 ORDER BY id",
        (campaign_id,),
    )
    .await?;
    let mut teams = rows.iter().map(read::<Team>).collect::<Result<Vec<_>>>()?;
    let rows = sql::fetch_all(
        conn,
        "SELECT m.team_id, a.id AS account_id, a.username, a.display_name, a.role, a.level, \
         a.scope_id \
         FROM screening_team_members m JOIN accounts a ON a.id = m.account_id \
         WHERE m.campaign_id = $1 ORDER BY a.display_name, a.id",
        (campaign_id,),
    )
    .await?;
    for r in rows {
        let m = Membership::from_row(&r)?;
        if let Some(t) = teams.iter_mut().find(|t| t.id == m.team_id) {
            t.members.push(m.member);
        }
    }
    Ok(teams)
}

pub async fn insert_team(
    conn: &mut Conn,
    campaign_id: i64,
    name: &str,
    members: &[i64],
) -> Result<i64> {
    let row = sql::fetch_one(conn, "INSERT INTO screening_teams (campaign_id, name, created_at) VALUES ($1, $2, $3) RETURNING id", (campaign_id, name, now_ms())).await?;
    let id: i64 = row.try_get("id")?;
    set_members(conn, campaign_id, id, members).await?;
    Ok(id)
}

pub async fn set_members(
    conn: &mut Conn,
    campaign_id: i64,
    team_id: i64,
    members: &[i64],
) -> Result<()> {
    sql::execute(
        conn,
        "DELETE FROM screening_team_members WHERE team_id = $1",
        (team_id,),
    )
    .await?;
    for m in members {
        sql::execute(conn, "INSERT INTO screening_team_members (team_id, account_id, campaign_id) VALUES ($1, $2, $3)", (team_id, *m, campaign_id)).await?;
    }
    Ok(())
}

/// The teams of a campaign an account is a member of.
pub async fn teams_of(conn: &mut Conn, campaign_id: i64, account_id: i64) -> Result<Vec<i64>> {
    sql::scalars(
        conn,
        "SELECT team_id FROM screening_team_members WHERE account_id = $1 AND campaign_id = $2",
        (account_id, campaign_id),
    )
    .await
}

/// Which households a reassignment moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Grid(i64),
    Buildings(Vec<i64>),
    /// Only households no team has yet, of one grid.
    UnassignedOfGrid(i64),
    UnassignedOfBuilding(i64),
}

/// Gives the selected households of a campaign to a team (0: to nobody); returns how many moved.
pub async fn assign(
    conn: &mut Conn,
    campaign_id: i64,
    team_id: i64,
    selection: &Selection,
) -> Result<u64> {
    let (clause, ids): (&str, Vec<i64>) = match selection {
        Selection::Grid(g) => ("grid_id = $3", vec![*g]),
        Selection::Buildings(b) => ("building_id = $3", b.clone()),
        Selection::UnassignedOfGrid(g) => ("grid_id = $3 AND team_id = 0", vec![*g]),
        Selection::UnassignedOfBuilding(b) => ("building_id = $3 AND team_id = 0", vec![*b]),
    };
    let sql =
        format!("UPDATE screening_households SET team_id = $1 WHERE campaign_id = $2 AND {clause}");
    let mut moved = 0;
    for id in ids {
        moved += sql::execute(
            conn,
            sqlx::AssertSqlSafe(sql.clone()),
            (team_id, campaign_id, id),
        )
        .await?
        .rows_affected();
    }
    Ok(moved)
}

/// The campaign of a team.
pub async fn team_campaign(conn: &mut Conn, team_id: i64) -> Result<i64> {
    sql::scalar_optional(
        conn,
        "SELECT campaign_id FROM screening_teams WHERE id = $1",
        (team_id,),
    )
    .await?
    .ok_or(StoreError::NotFound)
}
