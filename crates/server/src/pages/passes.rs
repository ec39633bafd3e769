//! Pages of passes: the list with its filters and the bulk issue, one pass with its QR code and
//! the steps on it, the print sheet of A6 cards for households without a smartphone, and the
//! resident's own page behind a personal link.

use app::passes::issue::IssueScope;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use domain::checkpoint::{self as cp, PassKind, PassState, StateReason};
use domain::page::PageRequest;
use serde::Deserialize;
use store::passes::{Pass, PassFilter};

use crate::AppState;
use crate::pages::checks::order::{link_url, qr_svg_sized};
use crate::pages::registry_time;
use crate::web::{
    Chrome, Ctx, Form, FormErrors, NoFields, OnPage, PageResult, Path, after_submit, invalid,
    invalid_or_conflicting, render, render_form,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/passes", get(list).post(issue_batch))
        .route("/passes/print", get(print))
        .route("/passes/household/{id}", post(issue_for_household))
        .route("/passes/{id}", get(pass))
        .route("/passes/{id}/reissue", post(reissue))
        .route("/passes/{id}/revoke", post(revoke))
        .route("/passes/{id}/link", post(link))
        .route("/pass/{token}", get(resident_pass))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQuery {
    kind: String,
    state: String,
    grid_id: Option<i64>,
    building_id: Option<i64>,
    household_id: Option<i64>,
    after: Option<i64>,
}

impl ListQuery {
    fn filter(&self) -> PassFilter {
        PassFilter {
            kind: PassKind::from_code(&self.kind),
            state: PassState::from_code(&self.state),
            household_id: self.household_id,
            building_id: self.building_id,
            grid_id: self.grid_id,
        }
    }

    fn query(&self) -> String {
        let mut q = vec![
            format!("kind={}", crate::web::urlencode(&self.kind)),
            format!("state={}", crate::web::urlencode(&self.state)),
        ];
        for (k, v) in [
            ("grid_id", self.grid_id),
            ("building_id", self.building_id),
            ("household_id", self.household_id),
        ] {
            if let Some(v) = v {
                q.push(format!("{k}={v}"));
            }
        }
        q.join("&")
    }
}

#[derive(Template)]
#[template(path = "passes.html")]
struct ListPage {
    c: Chrome,
    passes: Vec<Pass>,
    q: ListQuery,
    query: String,
    grids: Vec<store::structure::Grid>,
    kinds: Vec<&'static str>,
    states: Vec<&'static str>,
    can_issue: bool,
    issued: Option<u64>,
    errors: FormErrors,
    next: Option<i64>,
    /// The household's members, for a commuter pass, when the list is one household's.
    members: Vec<(i64, String)>,
    today: String,
}

async fn list_page(ctx: &Ctx, q: ListQuery, issued: Option<u64>, errors: FormErrors) -> PageResult {
    let page = ctx
        .app
        .passes(&ctx.actor, &q.filter(), PageRequest::new(q.after, None))
        .await
        .on_page(ctx)?;
    let mut grids = Vec::new();
    for c in ctx
        .app
        .communities(&ctx.actor)
        .await
        .on_page(ctx)?
        .iter()
        .take(20)
    {
        grids.extend(ctx.app.grids(&ctx.actor, c.id).await.on_page(ctx)?);
    }
    let members = match q.household_id {
        Some(h) if cp::can_issue_passes(ctx.actor.role) => ctx
            .app
            .household(&ctx.actor, h)
            .await
            .on_page(ctx)?
            .1
            .into_iter()
            .map(|r| (r.id, r.particulars.name))
            .collect(),
        _ => Vec::new(),
    };
    let refused = !errors.is_empty();
    Ok(render_form(
        &ListPage {
            members,
            today: ctx.app.today().to_string(),
            c: ctx.chrome(ctx.t.get("passes.title")),
            passes: page.items,
            query: q.query(),
            q,
            grids,
            kinds: PassKind::ALL.iter().map(|k| k.code()).collect(),
            states: PassState::ALL.iter().map(|s| s.code()).collect(),
            can_issue: cp::can_issue_passes(ctx.actor.role),
            issued,
            errors,
            next: page.next,
        },
        refused,
    ))
}

async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    list_page(&ctx, q, None, FormErrors::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BatchForm {
    grid_id: String,
}

/// Issues household passes to every household of a grid (or of the whole jurisdiction) that
/// has none, and shows the list of that grid with how many were issued.
async fn issue_batch(ctx: Ctx, Form(f): Form<BatchForm>) -> PageResult {
    let grid_id = f.grid_id.trim().parse::<i64>().ok();
    let scope = IssueScope {
        grid_id,
        building_id: None,
    };
    let q = ListQuery {
        grid_id,
        ..Default::default()
    };
    match ctx.app.issue_household_passes(&ctx.actor, scope).await {
        Ok(n) => list_page(&ctx, q, Some(n), FormErrors::default()).await,
        Err(e) if invalid(&e) => list_page(&ctx, q, None, FormErrors::from_app(&e, ctx.t)).await,
        Err(e) => Err(ctx.err(e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HouseholdPassForm {
    kind: String,
    plate: String,
    resident_id: String,
    employer: String,
    proof_stamped_on: String,
    proof_checked: String,
    valid_days: String,
    valid_hours: String,
}

/// Issues a pass of a household from its page: the household's own, a car's, or a member's
/// commuter pass.
async fn issue_for_household(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<HouseholdPassForm>,
) -> PageResult {
    let result = match PassKind::from_code(f.kind.trim()) {
        Some(PassKind::Household) => ctx.app.issue_household_pass(&ctx.actor, id).await,
        Some(PassKind::Vehicle) => ctx.app.issue_vehicle_pass(&ctx.actor, id, &f.plate).await,
        Some(PassKind::Commuter) => {
            let input = app::passes::issue::CommuterInput {
                resident_id: f.resident_id.trim().parse().unwrap_or_default(),
                employer: f.employer,
                proof_stamped_on: f.proof_stamped_on,
                proof_checked: f.proof_checked == "1",
                valid_days: f.valid_days,
                valid_hours: f.valid_hours,
            };
            ctx.app.issue_commuter_pass(&ctx.actor, &input).await
        }
        None => Err(app::AppError::field("kind", "unknown_code")),
    };
    let q = ListQuery {
        household_id: Some(id),
        ..Default::default()
    };
    after_submit(
        &ctx,
        result,
        invalid,
        |pass| format!("/passes/{pass}"),
        |errors| list_page(&ctx, q, None, errors),
    )
    .await
}

#[derive(Template)]
#[template(path = "pass.html")]
struct PassPage {
    c: Chrome,
    p: Pass,
    qr: String,
    issued: String,
    expires: String,
    members: Vec<String>,
    can_issue: bool,
    /// Whether the reader may open the household's passages: linked only then.
    can_read_passages: bool,
    link: Option<(String, String)>,
    errors: FormErrors,
}

async fn pass_page(
    ctx: &Ctx,
    id: i64,
    link: Option<(String, String)>,
    errors: FormErrors,
) -> PageResult {
    let p = ctx.app.pass(&ctx.actor, id).await.on_page(ctx)?;
    let code = ctx.app.pass_code(&ctx.actor, id).await.on_page(ctx)?;
    let members = members_of(ctx, &p).await;
    let refused = !errors.is_empty();
    let title = format!("{} · {}", ctx.t.of("pass_kind", p.kind.code()), p.address);
    Ok(render_form(
        &PassPage {
            c: ctx.chrome(&title),
            qr: qr_svg_sized(&code, 260),
            issued: registry_time(&ctx.app, p.issued_at),
            expires: registry_time(&ctx.app, p.expires_at),
            members,
            can_issue: cp::can_issue_passes(ctx.actor.role),
            can_read_passages: cp::can_read_passages(ctx.actor.role),
            link,
            errors,
            p,
        },
        refused,
    ))
}

/// Who may use a pass: the household's members, masked; the commuter alone for a commuter pass.
async fn members_of(ctx: &Ctx, p: &Pass) -> Vec<String> {
    if let Some(name) = &p.resident_name {
        return vec![domain::health::masked_name(name)];
    }
    match ctx.app.household(&ctx.actor, p.address.household_id).await {
        Ok((_, residents)) => residents
            .iter()
            .map(|r| domain::health::masked_name(&r.particulars.name))
            .collect(),
        Err(_) => Vec::new(),
    }
}

async fn pass(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    pass_page(&ctx, id, None, FormErrors::default()).await
}

async fn reissue(ctx: Ctx, Path(id): Path<i64>, Form(_): Form<NoFields>) -> PageResult {
    let result = ctx.app.reissue_pass(&ctx.actor, id).await;
    after_submit(
        &ctx,
        result,
        invalid_or_conflicting,
        |new| format!("/passes/{new}"),
        |errors| pass_page(&ctx, id, None, errors),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RevokeForm {
    reason: String,
    note: String,
}

async fn revoke(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<RevokeForm>) -> PageResult {
    let result = match StateReason::from_code(f.reason.trim()) {
        Some(why) => ctx.app.revoke_pass(&ctx.actor, id, why, &f.note).await,
        None => Err(app::AppError::field("reason", "unknown_reason")),
    };
    after_submit(
        &ctx,
        result,
        invalid_or_conflicting,
        |()| format!("/passes/{id}"),
        |errors| pass_page(&ctx, id, None, errors),
    )
    .await
}

/// Makes the resident's personal link and shows it, with its QR code, this once.
async fn link(
    ctx: Ctx,
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(_): Form<NoFields>,
) -> PageResult {
    let token = ctx
        .app
        .create_pass_link(&ctx.actor, id)
        .await
        .on_page(&ctx)?;
    let url = link_url(&s, &headers, &format!("/pass/{token}"));
    let qr = qr_svg_sized(&url, 200);
    pass_page(&ctx, id, Some((url, qr)), FormErrors::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PrintQuery {
    building_id: Option<i64>,
    grid_id: Option<i64>,
    after: Option<i64>,
}

/// A printed card.
struct Card {
    p: Pass,
    qr: String,
    expires: String,
    members: Vec<String>,
}

#[derive(Template)]
#[template(path = "passes_print.html")]
struct PrintPage {
    c: Chrome,
    cards: Vec<Card>,
    query: String,
    next: Option<i64>,
}

/// The live household passes of a building or grid as A6 cards, 48 to a sheet run.
async fn print(ctx: Ctx, Query(q): Query<PrintQuery>) -> PageResult {
    let filter = PassFilter {
        kind: None,
        state: Some(PassState::Live),
        household_id: None,
        building_id: q.building_id,
        grid_id: q.grid_id,
    };
    let page = ctx
        .app
        .passes(&ctx.actor, &filter, PageRequest::new(q.after, Some(48)))
        .await
        .on_page(&ctx)?;
    let mut cards = Vec::with_capacity(page.items.len());
    for p in page.items {
        let code = ctx.app.pass_code(&ctx.actor, p.id).await.on_page(&ctx)?;
        cards.push(Card {
            qr: qr_svg_sized(&code, 200),
            expires: registry_time(&ctx.app, p.expires_at)[..10].to_owned(),
            members: members_of(&ctx, &p).await,
            p,
        });
    }
    let query = match (q.building_id, q.grid_id) {
        (Some(b), _) => format!("building_id={b}"),
        (None, Some(g)) => format!("grid_id={g}"),
        _ => String::new(),
    };
    Ok(render(&PrintPage {
        c: ctx.chrome(ctx.t.get("passes.print")),
        cards,
        query,
        next: page.next,
    }))
}

#[derive(Template)]
#[template(path = "resident_pass.html")]
struct ResidentPass {
    c: Chrome,
    p: Pass,
    qr: String,
    expires: String,
}

/// A resident's own pass on their phone, through the link staff gave them: no account.
async fn resident_pass(
    State(s): State<AppState>,
    v: crate::web::Visitor,
    Path(token): Path<String>,
) -> PageResult {
    let t = v.t;
    let (p, code) = s
        .app
        .pass_by_link(&token)
        .await
        .map_err(|e| crate::web::PageError::new(e, t))?;
    let title = t.of("pass_kind", p.kind.code());
    Ok(render(&ResidentPass {
        c: Chrome::anonymous(t, &title, ""),
        qr: qr_svg_sized(&code, 300),
        expires: registry_time(&s.app, p.expires_at)[..10].to_owned(),
        p,
    }))
}
