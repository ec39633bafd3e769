//! Gridwatch's web layer: server-rendered pages (askama + htmx), the JSON API under `/api/v1`
//! with its OpenAPI document, and the embedded static assets. No business rule lives here.

/// The domain's raw resident from a form or a request body whose fields are named as the
/// register's: the page's form and the API's body carry the same fields.
macro_rules! raw_resident {
    ($typed:expr) => {{
        let typed = $typed;
        domain::resident::RawResident {
            name: typed.name.clone(),
            document_kind: typed.document_kind.clone(),
            document_number: typed.document_number.clone(),
            sex: typed.sex.clone(),
            birth_date: typed.birth_date.clone(),
            phone: typed.phone.clone(),
            hukou: typed.hukou.clone(),
            tenure: typed.tenure.clone(),
            travel_status: typed.travel_status.clone(),
            travel_origin: typed.travel_origin.clone(),
            returned_on: typed.returned_on.clone(),
            vulnerabilities: typed.vulnerabilities.join(","),
            notes: typed.notes.clone(),
        }
    }};
}

pub mod api;
mod assets;
mod chart;
pub mod i18n;
mod pages;
pub mod web;
mod web_headers;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tokio::net::TcpListener;

/// Server settings beyond the application's own.
#[derive(Debug, Clone)]
pub struct Options {
    /// The largest upload accepted (imports); larger requests get 413 naming the limit.
    pub max_upload_bytes: usize,
    /// Mark cookies Secure (behind HTTPS).
    pub secure_cookies: bool,
    /// The header a trusted reverse proxy sets to the client's address (`X-Forwarded-For`,
    /// `X-Real-IP`); unset, the socket's peer address is the client.
    pub client_ip_header: Option<axum::http::HeaderName>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_upload_bytes: 50 * 1024 * 1024,
            secure_cookies: false,
            client_ip_header: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub app: app::App,
    pub options: Options,
    /// Uploads waiting between their preview and their import.
    pub held_uploads: pages::imports::HeldUploads,
}

/// The whole router with default options.
pub fn router(app: app::App) -> Router {
    router_with(app, Options::default())
}

pub fn router_with(app: app::App, options: Options) -> Router {
    let limit = options.max_upload_bytes;
    let client_ip_header = options.client_ip_header.clone();
    let state = AppState {
        app,
        options,
        held_uploads: Default::default(),
    };
    Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        // Anything else under /api answers a JSON 404, like unknown routes inside /api/v1.
        .route("/api", axum::routing::any(api::extract::no_route))
        .route("/api/{*rest}", axum::routing::any(api::extract::no_route))
        .merge(assets::routes())
        .route("/healthz", axum::routing::get(healthz))
        .fallback(web::no_page)
        .layer(DefaultBodyLimit::max(limit))
        // Searches by ID number travel in URLs; they must not leak to other sites.
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            axum::http::header::REFERRER_POLICY,
            axum::http::HeaderValue::from_static("same-origin"),
        ))
        .layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                axum::http::header::X_CONTENT_TYPE_OPTIONS,
                axum::http::HeaderValue::from_static("nosniff"),
            ),
        )
        .layer(axum::middleware::from_fn_with_state(
            limit,
            pages::limit_notice,
        ))
        .layer(axum::middleware::from_fn(web_headers::security_headers))
        .layer(axum::middleware::from_fn_with_state(
            client_ip_header,
            web_headers::client_address,
        ))
        .with_state(state)
}

/// Liveness for load balancers: answers without touching the database.
async fn healthz() -> &'static str {
    "ok"
}

/// Serves the router on a bound listener until ctrl-c, with client addresses for the login
/// rate limit.
pub async fn serve(listener: TcpListener, router: Router) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
