//! Pages of the administrative tree: a community's grids, a grid's buildings, a building's
//! households.

use app::registry::HouseholdInput;
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::routing::{get, post};
use domain::page::PageRequest;
use serde::Deserialize;
use store::registry::HouseholdFilter;
use store::structure::{Building, Community, Grid, Node, Unit};

use crate::AppState;
use crate::web::{
    Chrome, Ctx, Form, FormErrors, OnPage, PageResult, Path, after_step, after_submit, invalid,
    render_form,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/communities/{id}", get(community))
        .route("/communities/{id}/grids", post(create_grid))
        .route("/grids/{id}", get(grid))
        .route("/grids/{id}/buildings", post(create_building))
        .route("/buildings/{id}", get(building))
        .route("/buildings/{id}/households", post(create_household))
        .route("/public/{community}/buildings", get(building_names))
        .route(
            "/communities/{id}/rename",
            post(|ctx, id, f| rename(ctx, id, f, Node::Community, "/communities")),
        )
        .route(
            "/grids/{id}/rename",
            post(|ctx, id, f| rename(ctx, id, f, Node::Grid, "/grids")),
        )
        .route(
            "/buildings/{id}/rename",
            post(|ctx, id, f| rename(ctx, id, f, Node::Building, "/buildings")),
        )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NameForm {
    name: String,
    street_id: i64,
}

pub async fn create_community(ctx: Ctx, Form(f): Form<NameForm>) -> PageResult {
    let outcome = ctx
        .app
        .create_community(&ctx.actor, f.street_id, &f.name)
        .await;
    after_submit(
        &ctx,
        outcome,
        invalid,
        |id| format!("/communities/{id}"),
        |errors| super::home_with(&ctx, errors.joined()),
    )
    .await
}

#[derive(Template)]
#[template(path = "community.html")]
struct CommunityPage {
    c: Chrome,
    community: Community,
    grids: Vec<Grid>,
    can_edit: bool,
    can_import: bool,
    /// The grid form as it was sent, and why it was refused.
    typed_name: String,
    errors: FormErrors,
    summary: Option<app::registry::Summary>,
    /// The control level, its reason, and the risk map, for those who see cases.
    risk: Option<Risk>,
}

/// What the community's page shows of its epidemic state.
struct Risk {
    level: domain::cases::ControlLevel,
    reason: String,
    svg: String,
    truncated: bool,
    /// Suspected cases awaiting a decision, as "20+" past twenty.
    awaiting: String,
}

async fn community_page(ctx: &Ctx, id: i64, typed_name: String, errors: FormErrors) -> PageResult {
    let community = ctx.app.community(&ctx.actor, id).await.on_page(ctx)?;
    let grids = ctx.app.grids(&ctx.actor, id).await.on_page(ctx)?;
    let r = ctx.actor.role;
    let summary = if r.can_view_registry() {
        Some(
            ctx.app
                .registry_summary(&ctx.actor, id)
                .await
                .on_page(ctx)?,
        )
    } else {
        None
    };
    let risk = if domain::cases::can_view(r) {
        let (level, reason, _) = ctx.app.control_level(&ctx.actor, id).await.on_page(ctx)?;
        let map = ctx.app.risk_map(&ctx.actor, id, None).await.on_page(ctx)?;
        Some(Risk {
            awaiting: crate::pages::cases::awaiting(ctx).await?,
            level,
            reason,
            svg: crate::pages::cases::map::map_svg(&map.grids, &map.buildings, ctx.t),
            truncated: map.truncated,
        })
    } else {
        None
    };
    let refused = !errors.is_empty();
    Ok(render_form(
        &CommunityPage {
            risk,
            c: ctx.chrome(&community.name),
            community,
            grids,
            can_edit: ctx.actor.may_shape(domain::access::Level::Community),
            can_import: r.can_import(),
            typed_name,
            errors,
            summary,
        },
        refused,
    ))
}

async fn community(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    community_page(&ctx, id, String::new(), FormErrors::default()).await
}

async fn create_grid(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<NameForm>) -> PageResult {
    let outcome = ctx.app.create_grid(&ctx.actor, id, &f.name).await;
    after_submit(
        &ctx,
        outcome,
        invalid,
        |grid| format!("/grids/{grid}"),
        |errors| community_page(&ctx, id, f.name.clone(), errors),
    )
    .await
}

#[derive(Template)]
#[template(path = "grid.html")]
struct GridPage {
    c: Chrome,
    grid: Grid,
    buildings: Vec<Building>,
    can_edit: bool,
    /// The building form as it was sent, and why it was refused.
    typed_name: String,
    errors: FormErrors,
}

async fn grid_page(ctx: &Ctx, id: i64, typed_name: String, errors: FormErrors) -> PageResult {
    let buildings = ctx.app.buildings(&ctx.actor, id).await.on_page(ctx)?;
    let grid = ctx.app.grid(&ctx.actor, id).await.on_page(ctx)?;
    let refused = !errors.is_empty();
    Ok(render_form(
        &GridPage {
            c: ctx.chrome(&grid.name),
            grid,
            buildings,
            can_edit: ctx.actor.may_shape(domain::access::Level::Grid),
            typed_name,
            errors,
        },
        refused,
    ))
}

async fn grid(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    grid_page(&ctx, id, String::new(), FormErrors::default()).await
}

async fn create_building(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<NameForm>) -> PageResult {
    let outcome = ctx.app.create_building(&ctx.actor, id, &f.name).await;
    after_submit(
        &ctx,
        outcome,
        invalid,
        |building| format!("/buildings/{building}"),
        |errors| grid_page(&ctx, id, f.name.clone(), errors),
    )
    .await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct HouseholdForm {
    pub unit: String,
    pub room: String,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "building.html")]
struct BuildingPage {
    c: Chrome,
    building: Building,
    units: Vec<Unit>,
    households: Vec<store::registry::Household>,
    next: Option<i64>,
    can_edit: bool,
    can_rename: bool,
    form: HouseholdForm,
    errors: FormErrors,
}

#[derive(Deserialize)]
struct AfterQuery {
    after: Option<i64>,
}

async fn building_page(
    ctx: &Ctx,
    id: i64,
    after: Option<i64>,
    form: HouseholdForm,
    errors: FormErrors,
) -> PageResult {
    let building = ctx.app.building(&ctx.actor, id).await.on_page(ctx)?;
    let units = ctx.app.units(&ctx.actor, id).await.on_page(ctx)?;
    let filter = HouseholdFilter {
        building_id: Some(id),
        ..Default::default()
    };
    let page = if ctx.actor.role.can_view_registry() {
        ctx.app
            .households(&ctx.actor, &filter, PageRequest::new(after, Some(100)))
            .await
            .on_page(ctx)?
    } else {
        domain::page::Page {
            items: Vec::new(),
            next: None,
        }
    };
    let refused = !errors.is_empty();
    Ok(render_form(
        &BuildingPage {
            c: ctx.chrome(&building.name),
            building,
            units,
            households: page.items,
            next: page.next,
            can_edit: ctx.actor.role.can_edit_registry(),
            can_rename: ctx.actor.may_shape(domain::access::Level::Grid),
            form,
            errors,
        },
        refused,
    ))
}

async fn building(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<AfterQuery>) -> PageResult {
    building_page(
        &ctx,
        id,
        q.after,
        HouseholdForm::default(),
        FormErrors::default(),
    )
    .await
}

async fn create_household(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<HouseholdForm>,
) -> PageResult {
    let input = HouseholdInput {
        building_id: id,
        unit: f.unit.clone(),
        room: f.room.clone(),
        phone: f.phone.clone(),
    };
    let outcome = ctx.app.create_household(&ctx.actor, &input).await;
    after_submit(
        &ctx,
        outcome,
        invalid,
        |household| format!("/households/{household}"),
        |errors| building_page(&ctx, id, None, f, errors),
    )
    .await
}

/// Renames a community, grid or building from its page and goes back to it.
async fn rename(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<NameForm>,
    node: fn(i64) -> Node,
    back: &str,
) -> PageResult {
    let outcome = ctx.app.rename(&ctx.actor, node(id), &f.name).await;
    after_step(&ctx, outcome, &format!("{back}/{id}"))
}

/// Names offered in a `<datalist>` as a user types.
#[derive(Template)]
#[template(path = "region_options.html")]
pub(crate) struct NameOptions {
    pub(crate) options: Vec<String>,
}

/// The building picker's suggestions on the public pages and the hotline: the community's
/// buildings whose names start with what was typed (`?building=`), without a session.
async fn building_names(
    axum::extract::State(s): axum::extract::State<AppState>,
    Path(community): Path<i64>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> axum::response::Response {
    let typed = q.get("building").map(String::as_str).unwrap_or_default();
    match s.app.building_suggestions(community, typed).await {
        Ok(options) => crate::web::render(&NameOptions { options }),
        Err(e) => axum::response::IntoResponse::into_response(crate::web::status_of(&e)),
    }
}
