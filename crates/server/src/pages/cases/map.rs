//! The risk map and the transmission chain as SVG drawn by the server from the community's own
//! data: no map tiles, nothing fetched from outside, printable.

use std::collections::HashMap;
use std::fmt::Write;

use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::routing::get;
use domain::cases::{ControlLevel, Status};
use serde::Deserialize;
use store::cases::BuildingState;

use crate::AppState;
use crate::i18n::Tr;
use crate::web::{Chrome, Ctx, OnPage, PageResult, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/risk-map", get(risk_map))
        .route("/cases/chain", get(chain))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MapQuery {
    community_id: Option<i64>,
    grid_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "risk_map.html")]
struct MapPage {
    c: Chrome,
    communities: Vec<(i64, String)>,
    community_id: i64,
    grids: Vec<(i64, String)>,
    grid_id: Option<i64>,
    svg: String,
    level: ControlLevel,
    truncated: bool,
    buildings: usize,
}

/// The community the actor asked for, or the first they see.
async fn community_of(
    ctx: &Ctx,
    asked: Option<i64>,
) -> Result<(i64, Vec<(i64, String)>), crate::web::PageError> {
    let communities = super::community_choices(ctx).await?;
    let id = asked
        .or_else(|| communities.first().map(|c| c.0))
        .ok_or_else(|| ctx.err(app::AppError::NotFound))?;
    Ok((id, communities))
}

async fn risk_map(ctx: Ctx, Query(q): Query<MapQuery>) -> PageResult {
    let (community_id, communities) = community_of(&ctx, q.community_id).await?;
    let map = ctx
        .app
        .risk_map(&ctx.actor, community_id, q.grid_id)
        .await
        .on_page(&ctx)?;
    Ok(render(&MapPage {
        c: ctx.chrome(ctx.t.get("map.title")),
        svg: map_svg(&map.grids, &map.buildings, ctx.t),
        communities,
        community_id,
        grids: map.grids,
        grid_id: q.grid_id,
        level: map.level,
        truncated: map.truncated,
        buildings: map.buildings.len(),
    }))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const BLOCK_W: usize = 44;
const BLOCK_H: usize = 28;
const GAP: usize = 4;
const PER_ROW: usize = 6;
const GRID_HEAD: usize = 22;

/// A building's fill: outbreak point, alert zone, sealed, people in quarantine, or none.
fn fill(b: &BuildingState) -> &'static str {
    match (b.zone, b.seals, b.quarantined) {
        (2, _, _) => "#7f1d1d",
        (1, _, _) => "#ea580c",
        (_, s, _) if s > 0 => "#7c3aed",
        (_, _, q) if q > 0 => "#2563eb",
        _ => "#e5e7eb",
    }
}

/// The community's buildings grouped by grid, each grid a drawing of its own (so a phone
/// shows one grid a row and a desktop several), each building a block linking to its page,
/// coloured by its state, with a red dot for open fever alerts.
pub(crate) fn map_svg(grids: &[(i64, String)], buildings: &[BuildingState], t: Tr) -> String {
    let mut by_grid: HashMap<i64, Vec<&BuildingState>> = HashMap::new();
    for b in buildings {
        by_grid.entry(b.grid_id).or_default().push(b);
    }
    let mut out = format!(
        r#"<div class="map-grids" role="group" aria-label="{}" data-testid="risk-map-svg">"#,
        escape(t.get("map.title"))
    );
    for (gid, gname) in grids {
        let Some(blocks) = by_grid.get(gid) else {
            continue;
        };
        out.push_str(&grid_svg(gname, blocks, t));
    }
    out.push_str("</div>");
    out
}

/// One grid: its name above its buildings, six to a row.
fn grid_svg(name: &str, blocks: &[&BuildingState], t: Tr) -> String {
    let rows = blocks.len().div_ceil(PER_ROW);
    let h = GRID_HEAD + rows * (BLOCK_H + GAP) + GAP;
    let w = GAP + PER_ROW * (BLOCK_W + GAP);
    let mut body = format!(
        r##"<text x="{GAP}" y="16" font-size="13" fill="#111827">{}</text>"##,
        escape(name)
    );
    for (i, b) in blocks.iter().enumerate() {
        let bx = GAP + (i % PER_ROW) * (BLOCK_W + GAP);
        let by = GRID_HEAD + (i / PER_ROW) * (BLOCK_H + GAP);
        let mut title = escape(&b.name);
        for (n, key) in [
            (b.zone == 2, "map.outbreak_point"),
            (b.zone == 1, "map.alert_zone"),
            (b.seals > 0, "map.sealed"),
        ] {
            if n {
                title.push_str(" · ");
                title.push_str(t.get(key));
            }
        }
        if b.quarantined > 0 {
            title.push_str(" · ");
            title.push_str(
                &t.get("map.quarantined")
                    .replace("{n}", &b.quarantined.to_string()),
            );
        }
        if b.fevers > 0 {
            title.push_str(" · ");
            title.push_str(&t.get("map.fevers").replace("{n}", &b.fevers.to_string()));
        }
        let colour = fill(b);
        let ink = if colour == "#e5e7eb" {
            "#111827"
        } else {
            "#ffffff"
        };
        let label: String = b.name.chars().take(5).collect();
        let _ = write!(
            body,
            r#"<a href="/buildings/{id}" data-building="{id}"><title>{title}</title><rect x="{bx}" y="{by}" width="{BLOCK_W}" height="{BLOCK_H}" fill="{colour}" rx="3"/><text x="{lx}" y="{ly}" font-size="10" fill="{ink}" text-anchor="middle">{label}</text>"#,
            id = b.id,
            lx = bx + BLOCK_W / 2,
            ly = by + BLOCK_H / 2 + 4,
            label = escape(&label),
        );
        if b.quarantined > 0 && b.zone == 0 && b.seals == 0 {
            let _ = write!(
                body,
                r##"<text x="{qx}" y="{qy}" font-size="9" fill="#ffffff" text-anchor="end">{n}</text>"##,
                qx = bx + BLOCK_W - 2,
                qy = by + 9,
                n = b.quarantined,
            );
        }
        if b.fevers > 0 {
            let _ = write!(
                body,
                r##"<circle cx="{cx}" cy="{cy}" r="5" fill="#dc2626" stroke="#ffffff"/>"##,
                cx = bx + 5,
                cy = by + 5,
            );
        }
        body.push_str("</a>");
    }
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="map-grid" viewBox="0 0 {w} {h}" width="{w}" height="{h}">{body}</svg>"#
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ChainQuery {
    community_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "case_chain.html")]
struct ChainPage {
    c: Chrome,
    communities: Vec<(i64, String)>,
    community_id: i64,
    svg: String,
    cases: usize,
}

async fn chain(ctx: Ctx, Query(q): Query<ChainQuery>) -> PageResult {
    let (community_id, communities) = community_of(&ctx, q.community_id).await?;
    let chain = ctx
        .app
        .case_chain(&ctx.actor, community_id)
        .await
        .on_page(&ctx)?;
    Ok(render(&ChainPage {
        c: ctx.chrome(ctx.t.get("chain.title")),
        svg: chain_svg(&chain, ctx.t),
        communities,
        community_id,
        cases: chain.cases.len(),
    }))
}

const NODE_W: usize = 150;
const NODE_H: usize = 46;
const COL_GAP: usize = 50;
const ROW_GAP: usize = 14;

/// The chain as a left-to-right tree: each case placed one column right of the case it was
/// traced from, with an arrow between them; a case's node names the person, its status and
/// how many contacts are on follow-up.
pub(crate) fn chain_svg(chain: &app::cases::map::Chain, t: Tr) -> String {
    let ids: HashMap<i64, usize> = chain
        .cases
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i))
        .collect();
    let contacts: HashMap<i64, i64> = chain.contacts.iter().copied().collect();
    // Depth: how many links back to a case traced from nobody known.
    let mut depth = vec![0usize; chain.cases.len()];
    for (i, c) in chain.cases.iter().enumerate() {
        let mut d = 0;
        let mut from = c.traced_from_id;
        while let Some(f) = from.and_then(|f| ids.get(&f).copied()) {
            d += 1;
            if d > chain.cases.len() {
                break;
            }
            from = chain.cases[f].traced_from_id;
        }
        depth[i] = d;
    }
    let mut rows_used: HashMap<usize, usize> = HashMap::new();
    let mut at = vec![(0usize, 0usize); chain.cases.len()];
    for (i, d) in depth.iter().enumerate() {
        let row = rows_used.entry(*d).or_default();
        at[i] = (*d * (NODE_W + COL_GAP), *row * (NODE_H + ROW_GAP));
        *row += 1;
    }
    let mut body = String::new();
    for (i, c) in chain.cases.iter().enumerate() {
        if let Some(f) = c.traced_from_id.and_then(|f| ids.get(&f).copied()) {
            let (fx, fy) = at[f];
            let (x, y) = at[i];
            let _ = write!(
                body,
                r##"<line x1="{x1}" y1="{y1}" x2="{x}" y2="{y2}" stroke="#6b7280" stroke-width="1.5" marker-end="url(#arrow)"/>"##,
                x1 = fx + NODE_W,
                y1 = fy + NODE_H / 2,
                y2 = y + NODE_H / 2,
            );
        }
    }
    for (i, c) in chain.cases.iter().enumerate() {
        let (x, y) = at[i];
        let colour = match c.status {
            Status::Confirmed => "#b91c1c",
            Status::Suspected => "#d97706",
            Status::Excluded => "#6b7280",
        };
        let n = contacts.get(&c.id).copied().unwrap_or(0);
        let _ = write!(
            body,
            r##"<a href="/cases/{id}" data-case="{id}"><rect x="{x}" y="{y}" width="{NODE_W}" height="{NODE_H}" rx="6" fill="#ffffff" stroke="{colour}" stroke-width="2"/><text x="{tx}" y="{ty}" font-size="13" fill="#111827">{name}</text><text x="{tx}" y="{ty2}" font-size="11" fill="{colour}">{status} · {contacts}</text></a>"##,
            id = c.id,
            tx = x + 8,
            ty = y + 18,
            ty2 = y + 36,
            name = escape(&domain::health::masked_name(&c.person_name)),
            status = escape(&t.of("case_status", c.status.code())),
            contacts = escape(&t.get("chain.contacts").replace("{n}", &n.to_string())),
        );
    }
    let w = at.iter().map(|(x, _)| x + NODE_W).max().unwrap_or(NODE_W) + 4;
    let h = at.iter().map(|(_, y)| y + NODE_H).max().unwrap_or(NODE_H) + 4;
    // Its boxes are links: a named group, not an image.
    let title = escape(t.get("chain.title"));
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" role="group" aria-label="{title}" data-testid="chain-svg"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker></defs>{body}</svg>"##
    )
}
