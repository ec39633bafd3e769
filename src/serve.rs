//! Serving the web application until Ctrl-C (or SIGTERM).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use app::App;

use crate::config::Config;
use crate::error::CliError;

/// The address a browser on this machine uses: a wildcard listen address becomes loopback.
pub fn browser_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        ip if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, addr.port()))
}

/// Binds the listen address; separate from [`serve`] so callers can print the URL first.
pub async fn bind(config: &Config) -> Result<tokio::net::TcpListener, CliError> {
    tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| {
            CliError::message(format!(
                "cannot listen on {}: {e} (choose another with --listen or GRIDWATCH_LISTEN)",
                config.listen
            ))
        })
}

pub async fn serve(
    config: &Config,
    app: App,
    listener: tokio::net::TcpListener,
) -> Result<(), CliError> {
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::message(format!("cannot read the listen address: {e}")))?;
    let router = server::router_with(
        app.clone(),
        server::Options {
            max_upload_bytes: config.max_upload_bytes(),
            secure_cookies: config.secure_cookies,
            client_ip_header: config
                .trusted_proxy_header
                .as_deref()
                .and_then(|h| axum::http::HeaderName::from_bytes(h.as_bytes()).ok()),
        },
    );
    tracing::info!(
        url = %browser_url(addr),
        listen = %addr,
        max_upload_bytes = config.max_upload_bytes(),
        "gridwatch is serving; press Ctrl-C to stop"
    );
    // Scheduled jobs (planned orders, missed checks) tick in every server; the database makes
    // sure each period is handled once.
    let jobs = app::jobs::spawn_runner(app.clone());
    // Client addresses reach the handlers for the per-client login limit.
    let served = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    jobs.abort();
    served.map_err(|e| CliError::message(format!("the server stopped: {e}")))?;
    app.db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_addresses_open_on_loopback() {
        let u = |s: &str| browser_url(s.parse().expect("addr"));
        assert_eq!(u("0.0.0.0:8080"), "http://127.0.0.1:8080/");
        assert_eq!(u("127.0.0.1:9000"), "http://127.0.0.1:9000/");
        assert_eq!(u("[::]:8080"), "http://127.0.0.1:8080/");
        assert_eq!(u("192.168.1.5:80"), "http://192.168.1.5:80/");
    }
}
