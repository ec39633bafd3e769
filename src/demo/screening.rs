//! The demo's screening campaign: returnees from Wuhan looked for in every household, open, its
//! households shared between the grid worker's team (their grid) and the volunteers' (the other
//! grids), about a third of each share already answered and some called without an answer, so
//! the grid worker's home and the lead's progress show work under way. Everything goes through
//! the use cases a lead and the workers use, so the kept counts are the ones a real day makes.

use app::screening::{AssignTarget, AttemptInput, CampaignInput, HouseholdQuery};
use app::{Actor, App};
use domain::page::PageRequest;
use domain::registry::TravelStatus;
use domain::screening::HouseholdState;

use crate::cli_user::actor_for;
use crate::error::CliError;

/// The campaign's name.
pub const CAMPAIGN_NAME: &str = "武汉返乡人员排查";
/// The region asked about: 武汉市.
const REGION: &str = "420100";
/// Of each team's households, one in this many is answered...
const ANSWERED_EVERY: usize = 3;
/// ...and of the rest, one in this many was called without an answer.
const CALLED_EVERY: usize = 4;
/// The most households a team's seeding walks through: enough to show, quick to load.
const WALKED: u32 = 300;

/// Adds the campaign unless the community has one already.
pub async fn seed(app: &App, community_id: i64) -> Result<(), CliError> {
    let lead = actor_for(app, Some("staff")).await?;
    let any = app
        .screening_campaigns(&lead, Some(community_id), PageRequest::new(None, Some(1)))
        .await?;
    if !any.items.is_empty() {
        return Ok(());
    }
    let worker = actor_for(app, Some("gridworker")).await?;
    let volunteer = actor_for(app, Some("volunteer")).await?;
    let since = app
        .today()
        .checked_sub(jiff::Span::new().days(14))
        .map(|d| d.to_string())
        .unwrap_or_default();
    let campaign = app
        .create_campaign(
            &lead,
            community_id,
            &CampaignInput {
                name: CAMPAIGN_NAME.to_owned(),
                questions: vec![(REGION.to_owned(), since)],
                ..Default::default()
            },
        )
        .await?;
    // The grid worker's team takes their grid; the volunteers' the grids with no worker.
    app.create_screening_team(&lead, campaign, "网格员组", &[worker.account_id])
        .await?;
    let volunteers = app
        .create_screening_team(&lead, campaign, "志愿者组", &[volunteer.account_id])
        .await?;
    app.assign_screening_by_grid(&lead, campaign).await?;
    for grid in app.grids(&lead, community_id).await? {
        if grid.id != worker.jurisdiction.id {
            app.assign_screening_households(
                &lead,
                campaign,
                volunteers,
                &AssignTarget::Grid(grid.id),
            )
            .await?;
        }
    }
    app.transition_campaign(&lead, campaign, "open").await?;
    let mut answered = 0;
    let mut called = 0;
    for member in [&worker, &volunteer] {
        let (a, c) = work_through(app, member, campaign).await?;
        answered += a;
        called += c;
    }
    let progress = app.screening_progress(&lead, campaign).await?;
    println!(
        "screening campaign {CAMPAIGN_NAME} (campaign {campaign}) open: {} households, {answered} \
         answered, {called} called without an answer",
        progress.total.households
    );
    Ok(())
}

/// A member's first households, in list order: one in [`ANSWERED_EVERY`] answered (when everyone
/// stayed in the city, as the register says), one in [`CALLED_EVERY`] of the others called
/// without an answer. Returns how many were answered and how many called.
async fn work_through(
    app: &App,
    member: &Actor,
    campaign: i64,
) -> Result<(usize, usize), CliError> {
    let mine = HouseholdQuery {
        mine: true,
        ..Default::default()
    };
    let list = app
        .screening_households(
            member,
            campaign,
            &mine,
            PageRequest::new(None, Some(WALKED)),
        )
        .await?;
    let (mut answered, mut called) = (0, 0);
    for (i, h) in list.items.iter().enumerate() {
        if h.state != HouseholdState::Open {
            continue;
        }
        let key = format!("demo-{campaign}-{}", h.address.household_id);
        let input = if i % ANSWERED_EVERY == 0 {
            let view = app
                .screening_household(member, campaign, h.address.household_id)
                .await?;
            // Answers that agree with the register, so loading the demo again finds nothing to
            // merge: a household with someone back from elsewhere is left for the worker.
            if view
                .members
                .iter()
                .any(|m| m.particulars.travel_status != TravelStatus::StayedInCity)
            {
                continue;
            }
            answered += 1;
            view.met_all_stayed(key)
        } else if i % CALLED_EVERY == 1 {
            called += 1;
            AttemptInput {
                method: "call".to_owned(),
                outcome: "no_answer".to_owned(),
                idempotency_key: key,
                ..Default::default()
            }
        } else {
            continue;
        };
        app.record_screening_attempt(member, campaign, h.address.household_id, &input)
            .await?;
    }
    Ok((answered, called))
}
