//! The lead's progress page, per team and grid, reloading itself.

use app::AppError;
use app::screening::Totals;
use askama::Template;
use axum::Router;
use axum::routing::get;
use store::screening::Campaign;

use crate::AppState;
use crate::i18n::Tr;
use crate::web::{Chrome, Ctx, OnPage, PageError, PageResult, Path, render};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/screening/{id}/progress", get(progress))
        .route("/screening/{id}/progress/section", get(progress_section))
}

#[derive(Template)]
#[template(path = "screening_progress.html")]
struct ProgressPage {
    c: Chrome,
    campaign_id: i64,
    campaign_name: String,
    /// The rendered section, which the page reloads on its own.
    section: String,
}

#[derive(Template)]
#[template(path = "screening_progress_section.html")]
struct ProgressSection {
    t: Tr,
    campaign_id: i64,
    teams: Vec<Totals>,
    grids: Vec<Totals>,
    total: Totals,
    unreachable_after: i64,
}

async fn section_of(ctx: &Ctx, id: i64) -> Result<(Campaign, ProgressSection), PageError> {
    let v = ctx
        .app
        .screening_campaign(&ctx.actor, id)
        .await
        .on_page(ctx)?;
    let p = ctx
        .app
        .screening_progress(&ctx.actor, id)
        .await
        .on_page(ctx)?;
    let section = ProgressSection {
        t: ctx.t,
        campaign_id: id,
        teams: p.teams,
        grids: p.grids,
        total: p.total,
        unreachable_after: v.campaign.unreachable_after,
    };
    Ok((v.campaign, section))
}

async fn progress(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let (campaign, section) = section_of(&ctx, id).await?;
    Ok(render(&ProgressPage {
        c: ctx.chrome(&format!(
            "{} · {}",
            ctx.t.get("screening.progress"),
            campaign.name
        )),
        campaign_id: id,
        campaign_name: campaign.name,
        section: section
            .render()
            .map_err(|e| ctx.err(AppError::Internal(e.to_string())))?,
    }))
}

/// The progress tables alone, which the page reloads every half minute.
async fn progress_section(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let (_, section) = section_of(&ctx, id).await?;
    Ok(render(&section))
}
