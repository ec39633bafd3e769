//! Forming sub-teams and giving them households, from the campaign page.

use app::AppError;
use app::screening::AssignTarget;
use axum::Router;
use axum::routing::post;
use serde::Deserialize;

use crate::AppState;
use crate::web::{Ctx, Form, PageResult, Path};

use super::campaigns::{Refusal, after_change};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/screening/{id}/teams", post(create_team))
        .route("/screening/{id}/teams/{team}/members", post(team_members))
        .route("/screening/{id}/assign", post(assign))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TeamForm {
    name: String,
    members: String,
}

async fn create_team(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<TeamForm>) -> PageResult {
    let r = match ctx.app.screening_member_ids(&ctx.actor, &f.members).await {
        Ok(ids) => {
            ctx.app
                .create_screening_team(&ctx.actor, id, &f.name, &ids)
                .await
        }
        Err(e) => Err(e),
    };
    let typed = Refusal {
        form: "team".to_owned(),
        team_name: f.name,
        members: f.members,
        ..Refusal::default()
    };
    after_change(&ctx, id, r, typed).await
}

async fn team_members(
    ctx: Ctx,
    Path((id, team)): Path<(i64, i64)>,
    Form(f): Form<TeamForm>,
) -> PageResult {
    let r = match ctx.app.screening_member_ids(&ctx.actor, &f.members).await {
        Ok(ids) => {
            ctx.app
                .set_screening_team_members(&ctx.actor, id, team, &ids)
                .await
        }
        Err(e) => Err(e),
    };
    let typed = Refusal {
        form: format!("members-{team}"),
        members: f.members,
        ..Refusal::default()
    };
    after_change(&ctx, id, r, typed).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AssignForm {
    /// `grid`, `buildings` or `by_grid`.
    how: String,
    team_id: String,
    grid_id: String,
    /// Building names or numbers, separated by commas.
    buildings: String,
}

async fn assign(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<AssignForm>) -> PageResult {
    let team: i64 = f.team_id.trim().parse().unwrap_or(0);
    let form = match f.how.as_str() {
        "by_grid" => "",
        "grid" => "assign-grid",
        _ => "assign-buildings",
    };
    let r = match f.how.as_str() {
        "by_grid" => ctx
            .app
            .assign_screening_by_grid(&ctx.actor, id)
            .await
            .map(|_| ()),
        "grid" => match f.grid_id.trim().parse() {
            Ok(g) => ctx
                .app
                .assign_screening_households(&ctx.actor, id, team, &AssignTarget::Grid(g))
                .await
                .map(|_| ()),
            Err(_) => Err(AppError::field("grid_id", "required")),
        },
        _ => {
            let ids: Vec<i64> = f
                .buildings
                .split([',', '，', '、', ' '])
                .filter_map(|b| b.trim().parse().ok())
                .collect();
            ctx.app
                .assign_screening_households(&ctx.actor, id, team, &AssignTarget::Buildings(ids))
                .await
                .map(|_| ())
        }
    };
    let typed = Refusal {
        form: form.to_owned(),
        buildings: f.buildings,
        ..Refusal::default()
    };
    after_change(&ctx, id, r.map_err(buildings_named), typed).await
}

/// The buildings form names its field `buildings`; the use case names the ids it parsed.
fn buildings_named(e: AppError) -> AppError {
    match e {
        AppError::Validation(mut f) => {
            for x in &mut f.0 {
                if x.field == "building_ids" {
                    x.field = "buildings".to_owned();
                }
            }
            AppError::Validation(f)
        }
        other => other,
    }
}
