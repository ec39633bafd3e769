//! The worker's phone list: their households, open first, a button per outcome.

use app::screening::HouseholdQuery;
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::routing::get;
use domain::calls::Purpose;
use domain::page::PageRequest;
use domain::screening::{self as sc, CampaignState};
use serde::Deserialize;
use store::screening::{Campaign, CampaignHousehold};

use crate::AppState;
use crate::pages::calls::{CallButton, call_buttons, targets_of};
use crate::web::{Chrome, Ctx, OnPage, PageResult, Path, render};

use super::FAILED_OUTCOMES;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/screening/{id}/households", get(households))
}

const HOUSEHOLDS_PER_PAGE: u32 = 20;

#[derive(Deserialize, Default)]
struct HouseholdsQuery {
    /// `all` for every household of the jurisdiction (leads); the own list otherwise.
    who: Option<String>,
    state: Option<String>,
    grid: Option<i64>,
    building: Option<i64>,
    after: Option<i64>,
}

/// A household row with a fresh key for each of its one-tap outcome forms, and a button per
/// number its people are reached on.
struct Row {
    h: CampaignHousehold,
    key: String,
    calls: Vec<CallButton>,
}

#[derive(Template)]
#[template(path = "screening_households.html")]
struct HouseholdsPage {
    c: Chrome,
    campaign: Campaign,
    rows: Vec<Row>,
    next: Option<i64>,
    after: Option<i64>,
    query: String,
    who: String,
    state: String,
    /// The buildings of the campaign's grids the reader may see, to narrow the list to one.
    buildings: Vec<(i64, String)>,
    building: Option<i64>,
    is_open: bool,
    can_record: bool,
    can_manage: bool,
    outcomes: [&'static str; 4],
}

async fn households(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<HouseholdsQuery>) -> PageResult {
    let v = ctx
        .app
        .screening_campaign(&ctx.actor, id)
        .await
        .on_page(&ctx)?;
    let can_manage = sc::can_manage(ctx.actor.role);
    let who = match q.who.as_deref() {
        Some("all") if can_manage => "all",
        _ if !can_manage => "mine",
        Some("mine") => "mine",
        _ => "all",
    };
    let state = q.state.clone().unwrap_or_default();
    let page = ctx
        .app
        .screening_households(
            &ctx.actor,
            id,
            &HouseholdQuery {
                mine: who == "mine",
                grid_id: q.grid,
                building_id: q.building,
                state: Some(state.clone()),
                ..Default::default()
            },
            // A phone shows about a screen of cards at a time: twenty, then the next page.
            PageRequest::new(q.after, Some(HOUSEHOLDS_PER_PAGE)),
        )
        .await
        .on_page(&ctx)?;
    let mut query = format!("who={who}&state={}", crate::web::urlencode(&state));
    if let Some(g) = q.grid {
        query.push_str(&format!("&grid={g}"));
    }
    if let Some(b) = q.building {
        query.push_str(&format!("&building={b}"));
    }
    let mut buildings = Vec::new();
    // A grid the reader may not open is left out of the choice, not an error.
    for grid in ctx
        .app
        .grids(&ctx.actor, v.campaign.community_id)
        .await
        .unwrap_or_default()
    {
        if !v.grid_ids.is_empty() && !v.grid_ids.contains(&grid.id) {
            continue;
        }
        let in_grid = ctx
            .app
            .buildings(&ctx.actor, grid.id)
            .await
            .unwrap_or_default();
        buildings.extend(in_grid.into_iter().map(|b| (b.id, b.name)));
    }
    let ids: Vec<i64> = page.items.iter().map(|h| h.address.household_id).collect();
    let targets = targets_of(&ctx, Purpose::ScreeningCampaign, &ids).await;
    Ok(render(&HouseholdsPage {
        c: ctx.chrome(&format!(
            "{} · {}",
            ctx.t.get("screening.households"),
            v.campaign.name
        )),
        is_open: v.campaign.state == CampaignState::Open,
        rows: page
            .items
            .into_iter()
            .map(|h| Row {
                calls: call_buttons(
                    &ctx,
                    Purpose::ScreeningCampaign,
                    id,
                    targets.get(&h.address.household_id),
                ),
                h,
                key: app::crypto::new_token(),
            })
            .collect(),
        next: page.next,
        after: q.after,
        query,
        who: who.to_owned(),
        state,
        buildings,
        building: q.building,
        can_record: sc::can_record(ctx.actor.role),
        can_manage,
        outcomes: FAILED_OUTCOMES,
        campaign: v.campaign,
    }))
}
