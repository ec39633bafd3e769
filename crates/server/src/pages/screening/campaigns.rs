//! The campaigns of a community with the form to start one, and a campaign's page.

use app::AppError;
use app::screening::CampaignInput;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use domain::page::PageRequest;
use domain::screening as sc;
use serde::Deserialize;
use store::screening::Campaign;
use store::structure::Grid;

use crate::AppState;
use crate::web::{Chrome, Ctx, Form, OnPage, PageResult, render};

use super::{field, joined, with_status};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/screening", get(list).post(create))
        .route("/screening/{id}", get(campaign))
        .route("/screening/{id}/state", post(state))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    community: Option<i64>,
    after: Option<i64>,
}

#[derive(Template)]
#[template(path = "screening_campaigns.html")]
struct ListPage {
    c: Chrome,
    campaigns: Vec<Campaign>,
    next: Option<i64>,
    community: Option<i64>,
    grids: Vec<Grid>,
    can_manage: bool,
    name: String,
    error: String,
    today: String,
}

async fn list_page(ctx: &Ctx, q: &ListQuery, name: String, error: String) -> PageResult {
    // A community-level account works in its own community.
    let community = match q.community {
        Some(c) => Some(c),
        None => ctx
            .app
            .home_community(&ctx.actor)
            .await
            .on_page(ctx)?
            .map(|c| c.id),
    };
    let page = ctx
        .app
        .screening_campaigns(&ctx.actor, community, PageRequest::new(q.after, None))
        .await
        .on_page(ctx)?;
    let can_manage = sc::can_manage(ctx.actor.role) && community.is_some();
    let grids = match (can_manage, community) {
        (true, Some(c)) => ctx.app.grids(&ctx.actor, c).await.on_page(ctx)?,
        _ => Vec::new(),
    };
    let res = render(&ListPage {
        c: ctx.chrome(ctx.t.get("screening.title")),
        campaigns: page.items,
        next: page.next,
        community,
        grids,
        can_manage,
        name,
        error: error.clone(),
        today: ctx.app.today().to_string(),
    });
    Ok(with_status(res, &error))
}

async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    list_page(&ctx, &q, String::new(), String::new()).await
}

async fn create(ctx: Ctx, Form(f): Form<Vec<(String, String)>>) -> PageResult {
    let community: i64 = field(&f, "community_id").trim().parse().unwrap_or(0);
    let input = CampaignInput {
        name: field(&f, "name").to_owned(),
        questions: (1..=3)
            .map(|i| {
                (
                    field(&f, &format!("region{i}")).to_owned(),
                    field(&f, &format!("since{i}")).to_owned(),
                )
            })
            .collect(),
        grid_ids: f
            .iter()
            .filter(|(k, _)| k == "grid")
            .filter_map(|(_, v)| v.trim().parse().ok())
            .collect(),
        unreachable_after: field(&f, "unreachable_after").to_owned(),
    };
    match ctx.app.create_campaign(&ctx.actor, community, &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/screening/{id}")).into_response()),
        Err(e @ AppError::Validation(_)) => {
            let q = ListQuery {
                community: Some(community),
                after: None,
            };
            list_page(&ctx, &q, input.name, joined(&e, ctx.t)).await
        }
        Err(e) => Err(ctx.err(e)),
    }
}

/// A question as the campaign page shows it.
struct QuestionRow {
    region: String,
    region_en: String,
    since: String,
}

#[derive(Template)]
#[template(path = "screening_campaign.html")]
struct CampaignPage {
    c: Chrome,
    campaign: Campaign,
    questions: Vec<QuestionRow>,
    scope: String,
    teams: Vec<TeamRow>,
    grids: Vec<Grid>,
    can_manage: bool,
    can_export: bool,
    can_unmask: bool,
    error: String,
    registers: Vec<&'static str>,
}

struct TeamRow {
    id: i64,
    name: String,
    members: String,
    usernames: String,
}

pub(super) async fn campaign_page(ctx: &Ctx, id: i64, error: String) -> PageResult {
    let v = ctx
        .app
        .screening_campaign(&ctx.actor, id)
        .await
        .on_page(ctx)?;
    let grids = ctx
        .app
        .grids(&ctx.actor, v.campaign.community_id)
        .await
        .on_page(ctx)?;
    let scope = if v.grid_ids.is_empty() {
        ctx.t.get("screening.whole_community").to_owned()
    } else {
        grids
            .iter()
            .filter(|g| v.grid_ids.contains(&g.id))
            .map(|g| g.name.clone())
            .collect::<Vec<_>>()
            .join("、")
    };
    let res = render(&CampaignPage {
        c: ctx.chrome(&v.campaign.name),
        questions: v
            .questions
            .iter()
            .map(|q| QuestionRow {
                region: q.region.name(),
                region_en: q.region.province_en().to_owned(),
                since: q.since.to_string(),
            })
            .collect(),
        scope,
        teams: v
            .teams
            .iter()
            .map(|t| TeamRow {
                id: t.id,
                name: t.name.clone(),
                members: t
                    .members
                    .iter()
                    .map(|m| format!("{} ({})", m.display_name, ctx.t.of("role", m.role.code())))
                    .collect::<Vec<_>>()
                    .join("、"),
                usernames: t
                    .members
                    .iter()
                    .map(|m| m.username.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        grids: grids
            .into_iter()
            .filter(|g| v.grid_ids.is_empty() || v.grid_ids.contains(&g.id))
            .collect(),
        can_manage: sc::can_manage(ctx.actor.role),
        can_export: ctx.actor.role.can_export(),
        can_unmask: ctx.actor.role.can_unmask(),
        campaign: v.campaign,
        error: error.clone(),
        registers: domain::registry::TravelStatus::ALL
            .iter()
            .map(|t| t.code())
            .collect(),
    });
    Ok(with_status(res, &error))
}

async fn campaign(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    campaign_page(&ctx, id, String::new()).await
}

/// After a change on the campaign page: back to it, or the page with the message.
pub(super) async fn after_change<T>(ctx: &Ctx, id: i64, r: Result<T, AppError>) -> PageResult {
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/screening/{id}")).into_response()),
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            campaign_page(ctx, id, joined(&e, ctx.t)).await
        }
        Err(e) => Err(ctx.err(e)),
    }
}

#[derive(Deserialize)]
struct StateForm {
    #[serde(default)]
    state: String,
}

async fn state(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<StateForm>) -> PageResult {
    let r = ctx.app.transition_campaign(&ctx.actor, id, &f.state).await;
    after_change(&ctx, id, r).await
}
