//! The guard's gate page (C4): a phone at the gate scans or types a pass code, registers a
//! visitor, and overrides a refusal with a reason. Installable (a web app manifest and a
//! service worker scoped to `/gates/`), it verifies passes in the browser when the network is
//! down and queues the passages until it returns; the scripts are in `assets/gate/`.

use app::gates::GateBuildings;
use app::{AppError, ErrorCode};
use askama::Template;
use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::AppState;
use crate::pages::structure::NameOptions;
use crate::web::{Chrome, Ctx, OnPage, PageResult, Path, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/gates/scan", get(my_gate))
        .route("/gates/sw.js", get(service_worker))
        .route("/gates/{id}/scan", get(gate_page))
        .route("/gates/{id}/buildings", get(building_names))
        .route("/gates/{id}/manifest.webmanifest", get(manifest))
}

macro_rules! asset {
    ($path:literal) => {
        asset!($path, "text/javascript; charset=utf-8")
    };
    ($path:literal, $mime:literal) => {
        (
            $path,
            $mime,
            include_bytes!(concat!("../../assets/", $path)),
        )
    };
}

/// The gate page's scripts and the libraries they vendor, served under `/assets/` and cached
/// by the service worker for work with no network.
pub(crate) const ASSETS: &[(&str, &str, &[u8])] = &[
    asset!("gate/gate.css", "text/css; charset=utf-8"),
    asset!("gate/gate.js"),
    asset!("gate/queue.js"),
    asset!("gate/verify.js"),
    asset!("gate/camera.js"),
    asset!("gate/icon.svg", "image/svg+xml"),
    asset!("vendor/noble-ed25519/index.js"),
    asset!("vendor/jsqr/jsQR.js"),
    asset!("vendor/cborg/cborg.js"),
    asset!("vendor/cborg/lib/0uint.js"),
    asset!("vendor/cborg/lib/1negint.js"),
    asset!("vendor/cborg/lib/2bytes.js"),
    asset!("vendor/cborg/lib/3string.js"),
    asset!("vendor/cborg/lib/4array.js"),
    asset!("vendor/cborg/lib/5map.js"),
    asset!("vendor/cborg/lib/6tag.js"),
    asset!("vendor/cborg/lib/7float.js"),
    asset!("vendor/cborg/lib/bl.js"),
    asset!("vendor/cborg/lib/byte-utils.js"),
    asset!("vendor/cborg/lib/common.js"),
    asset!("vendor/cborg/lib/decode.js"),
    asset!("vendor/cborg/lib/encode.js"),
    asset!("vendor/cborg/lib/is.js"),
    asset!("vendor/cborg/lib/jump.js"),
    asset!("vendor/cborg/lib/tagged.js"),
    asset!("vendor/cborg/lib/token.js"),
];

/// The refusals the page shows, the server's and the ones it decides itself offline.
const REFUSALS: &[&str] = &[
    "pass_not_a_pass",
    "pass_malformed",
    "pass_unknown_key",
    "pass_bad_signature",
    "pass_expired",
    "pass_not_yet_valid",
    "pass_unknown",
    "pass_revoked",
    "pass_suspended",
    "pass_wrong_gate",
    "gate_closed",
    "gate_wrong_direction",
    "pass_quota_used",
    "pass_presented_twice",
    "pass_outside_hours",
    "passage_fever",
    "visitor_health_code",
    "visitor_fever",
    "visitor_risk_region",
    "visitor_unknown_household",
    "visitor_household_sealed",
];

/// Strings the script shows, by key; the page hands them over in its own language.
const SCRIPT_STRINGS: &[&str] = &[
    "gatescan.admit",
    "gatescan.refuse",
    "gatescan.overridden",
    "gatescan.offline_decided",
    "gatescan.repeated",
    "gatescan.next_exit",
    "gatescan.household",
    "gatescan.kind.household",
    "gatescan.kind.commuter",
    "gatescan.kind.vehicle",
    "gatescan.visitor",
    "gatescan.online",
    "gatescan.offline",
    "gatescan.sending",
    "gatescan.error",
    "gatescan.no_camera",
    "gatescan.not_on_shift",
    "gatescan.rejected",
    "gatescan.flagged",
    "gatescan.vehicle_occupants",
];

struct Line {
    key: &'static str,
    text: String,
}

#[derive(Template)]
#[template(path = "gate_scan.html")]
struct GatePage {
    c: Chrome,
    gate: store::gates::Gate,
    refusals: Vec<Line>,
    strings: Vec<Line>,
    temperatures: Vec<String>,
    /// `in`, `out` or `both`: the page offers only the directions the gate allows.
    direction: &'static str,
    /// The community's time zone, in which the gate's opening hours are read offline.
    time_zone: String,
    /// The buildings a visitor may be going to, by name; empty when they are offered as the
    /// guard types (`suggest_buildings`).
    buildings: Vec<String>,
    suggest_buildings: bool,
}

/// Whether the actor keeps this gate now: any keeper in its jurisdiction, a guard only on a
/// shift at it. Otherwise the page says so, as the API would.
async fn kept_now(ctx: &Ctx, gate_id: i64) -> Result<(), AppError> {
    if ctx.actor.role != domain::access::Role::Guard {
        return Ok(());
    }
    let now = store::now_ms();
    let on_shift = ctx
        .app
        .my_shifts(&ctx.actor)
        .await?
        .iter()
        .any(|s| s.gate_id == gate_id && s.starts_at <= now && now < s.ends_at);
    if on_shift {
        Ok(())
    } else {
        Err(AppError::Conflict(ErrorCode::NotOnShift))
    }
}

async fn gate_page(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    if !domain::checkpoint::can_keep_gate(ctx.actor.role) {
        return Err(ctx.err(AppError::Forbidden));
    }
    let view = ctx.app.gate(&ctx.actor, id).await.on_page(&ctx)?;
    kept_now(&ctx, id).await.on_page(&ctx)?;
    let (buildings, suggest_buildings) = match ctx
        .app
        .gate_building_names(&ctx.actor, id)
        .await
        .on_page(&ctx)?
    {
        GateBuildings::Listed(names) => (names, false),
        GateBuildings::AsTyped => (Vec::new(), true),
    };
    let t = ctx.t;
    let line = |prefix: &str, key: &'static str| Line {
        key,
        text: t.get(&format!("{prefix}{key}")).to_owned(),
    };
    let temperatures = (360..=375)
        .map(|tenths| format!("{}.{}", tenths / 10, tenths % 10))
        .collect();
    Ok(render(&GatePage {
        c: ctx.chrome(&view.gate.name),
        direction: view.gate.direction.code(),
        time_zone: ctx
            .app
            .settings
            .time_zone
            .iana_name()
            .unwrap_or("UTC")
            .to_owned(),
        gate: view.gate,
        refusals: REFUSALS.iter().map(|k| line("refusal.", k)).collect(),
        strings: SCRIPT_STRINGS.iter().map(|k| line("", k)).collect(),
        temperatures,
        buildings,
        suggest_buildings,
    }))
}

/// The gate's buildings whose names start with what the guard typed (`?building=`), as the
/// options of the visitor form's list.
async fn building_names(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let typed = q.get("building").map(String::as_str).unwrap_or_default();
    match ctx
        .app
        .gate_building_suggestions(&ctx.actor, id, typed)
        .await
    {
        Ok(options) => render(&NameOptions { options }),
        Err(e) => crate::web::status_of(&e).into_response(),
    }
}

/// The gate of the guard's shift now; a guard on no shift is told so.
async fn my_gate(ctx: Ctx) -> PageResult {
    let now = store::now_ms();
    let shifts = ctx.app.my_shifts(&ctx.actor).await.on_page(&ctx)?;
    match shifts
        .iter()
        .find(|s| s.starts_at <= now && now < s.ends_at)
    {
        Some(s) => Ok(Redirect::to(&format!("/gates/{}/scan", s.gate_id)).into_response()),
        None => Err(ctx.err(AppError::Conflict(ErrorCode::NotOnShift))),
    }
}

/// The service worker, at `/gates/` so that its scope covers every gate's page.
async fn service_worker() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (
                header::HeaderName::from_static("service-worker-allowed"),
                "/gates/",
            ),
        ],
        include_bytes!("../../assets/gate/sw.js").as_slice(),
    )
        .into_response()
}

/// The web app manifest of one gate's page, so a phone installs it to open that gate.
async fn manifest(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let view = ctx.app.gate(&ctx.actor, id).await.on_page(&ctx)?;
    let body = serde_json::json!({
        "name": format!("{} · {}", view.gate.name, ctx.t.get("app.name")),
        "short_name": view.gate.name,
        "start_url": format!("/gates/{id}/scan"),
        "scope": "/gates/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#12355b",
        "theme_color": "#12355b",
        "icons": [{ "src": "/assets/gate/icon.svg", "sizes": "any", "type": "image/svg+xml" }],
    });
    Ok((
        [(header::CONTENT_TYPE, "application/manifest+json")],
        body.to_string(),
    )
        .into_response())
}
