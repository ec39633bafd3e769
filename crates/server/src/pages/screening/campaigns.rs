//! The campaigns of a community with the form to start one, and a campaign's page.

use app::AppError;
use app::screening::CampaignInput;
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use domain::page::PageRequest;
use domain::screening as sc;
use serde::Deserialize;
use store::screening::Campaign;
use store::structure::Grid;

use crate::AppState;
use crate::web::{Chrome, Ctx, Form, FormErrors, OnPage, PageResult, Path, render};

use super::field;

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
    /// What was typed in the campaign form, shown again when it was refused.
    typed: CampaignTyped,
    errors: FormErrors,
    today: String,
}

/// The campaign form as it was sent.
struct CampaignTyped {
    name: String,
    /// Three (region, since) pairs, in the form's order.
    questions: Vec<(String, String)>,
    grids: Vec<i64>,
    unreachable_after: String,
}

impl Default for CampaignTyped {
    fn default() -> CampaignTyped {
        CampaignTyped {
            name: String::new(),
            questions: vec![(String::new(), String::new()); 3],
            grids: Vec::new(),
            unreachable_after: "3".to_owned(),
        }
    }
}

impl CampaignTyped {
    fn region(&self, i: &usize) -> &str {
        self.questions.get(i - 1).map_or("", |q| q.0.as_str())
    }

    fn since(&self, i: &usize) -> &str {
        self.questions.get(i - 1).map_or("", |q| q.1.as_str())
    }

    fn has_grid(&self, id: &i64) -> bool {
        self.grids.contains(id)
    }
}

/// The form's field a use case's field names: question `i` (from 0) is the form's pair
/// `region{i+1}`, `since{i+1}`; the grids are the `grid` boxes.
fn campaign_field(field: &str) -> String {
    for part in ["region", "since"] {
        if let Some(i) = field
            .strip_prefix("questions[")
            .and_then(|r| r.strip_suffix(&format!("].{part}")))
            .and_then(|i| i.parse::<usize>().ok())
        {
            return format!("{part}{}", i + 1);
        }
    }
    match field {
        "grid_ids" => "grid".to_owned(),
        other => other.to_owned(),
    }
}

async fn list_page(
    ctx: &Ctx,
    q: &ListQuery,
    typed: CampaignTyped,
    errors: FormErrors,
) -> PageResult {
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
        typed,
        today: ctx.app.today().to_string(),
        errors: errors.clone(),
    });
    Ok(render_refused(res, !errors.is_empty()))
}

async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    list_page(&ctx, &q, CampaignTyped::default(), FormErrors::default()).await
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
            let mut errors = FormErrors::from_app(&e, ctx.t);
            for (field, _) in &mut errors.items {
                *field = campaign_field(field);
            }
            let typed = CampaignTyped {
                name: input.name,
                questions: input.questions,
                grids: input.grid_ids,
                unreachable_after: input.unreachable_after,
            };
            list_page(&ctx, &q, typed, errors).await
        }
        Err(e) => Err(ctx.err(e)),
    }
}

/// A question as the campaign page shows it.
struct QuestionRow {
    region: String,
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
    refused: Refusal,
    registers: Vec<&'static str>,
}

/// A form of the campaign page that was refused: which one, what was typed in it and why.
#[derive(Default)]
pub(super) struct Refusal {
    /// `team`, `members-{team id}`, `assign-grid`, `assign-buildings`, or empty for a step of
    /// the campaign itself.
    pub form: String,
    pub errors: FormErrors,
    pub team_name: String,
    pub members: String,
    pub buildings: String,
}

impl Refusal {
    /// The errors of `form`, none when another form was refused.
    fn errors_of(&self, form: impl AsRef<str>) -> FormErrors {
        if self.form == form.as_ref() {
            self.errors.clone()
        } else {
            FormErrors::default()
        }
    }

    /// The errors no form of the page shows beside a field.
    fn general(&self) -> FormErrors {
        if self.form.is_empty() {
            self.errors.clone()
        } else {
            FormErrors::default()
        }
    }

    fn members_form(&self, team: &i64) -> String {
        format!("members-{team}")
    }
}

struct TeamRow {
    id: i64,
    name: String,
    members: String,
    usernames: String,
}

pub(super) async fn campaign_page(ctx: &Ctx, id: i64, refused: Refusal) -> PageResult {
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
    let refused_any = !refused.errors.is_empty();
    let res = render(&CampaignPage {
        c: ctx.chrome(&v.campaign.name),
        questions: v
            .questions
            .iter()
            .map(|q| QuestionRow {
                region: q.region.name_in(ctx.t.lang.regions()),
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
        refused,
        registers: domain::registry::TravelStatus::ALL
            .iter()
            .map(|t| t.code())
            .collect(),
    });
    Ok(render_refused(res, refused_any))
}

async fn campaign(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    campaign_page(&ctx, id, Refusal::default()).await
}

/// After a change on the campaign page: back to it, or the page with the form that was sent,
/// what was typed in it (`typed`) and why it was refused, each message beside its field.
pub(super) async fn after_change<T>(
    ctx: &Ctx,
    id: i64,
    r: Result<T, AppError>,
    typed: Refusal,
) -> PageResult {
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/screening/{id}")).into_response()),
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let errors = FormErrors::from_app(&e, ctx.t);
            campaign_page(ctx, id, Refusal { errors, ..typed }).await
        }
        Err(e) => Err(ctx.err(e)),
    }
}

/// A page showing a refused form answers 422.
fn render_refused(mut res: axum::response::Response, refused: bool) -> axum::response::Response {
    if refused && res.status() == axum::http::StatusCode::OK {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

#[derive(Deserialize)]
struct StateForm {
    #[serde(default)]
    state: String,
}

async fn state(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<StateForm>) -> PageResult {
    let r = ctx.app.transition_campaign(&ctx.actor, id, &f.state).await;
    after_change(&ctx, id, r, Refusal::default()).await
}

#[cfg(test)]
mod tests {
    use super::campaign_field;

    #[test]
    fn the_use_case_fields_are_the_form_fields() {
        assert_eq!(campaign_field("questions[0].region"), "region1");
        assert_eq!(campaign_field("questions[2].since"), "since3");
        assert_eq!(campaign_field("grid_ids"), "grid");
        assert_eq!(campaign_field("name"), "name");
    }
}
