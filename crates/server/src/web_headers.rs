//! Headers every answer carries (content security policy, framing, caching) and the client's
//! address as the server sees it.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// No inline script or event handler runs, no style sheet but ours, nothing loads from elsewhere,
/// and no site may frame a page. A form posts here only, but may end at the dialler (`tel:`):
/// a card's call button is a form answered by a redirect to the number. Style attributes are still allowed (`style-src-attr`): they
/// cannot run code, and some templates still carry them.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
     object-src 'none'; base-uri 'none'; form-action 'self' tel:; frame-ancestors 'none'";

/// The client's address for limits and the audit trail, set on every request.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

/// The address of the client: the last address in the trusted proxy's header when one is
/// configured and carries a valid address (the one the proxy itself added), else the socket's
/// peer address.
pub fn client_ip(
    headers: &HeaderMap,
    socket: Option<SocketAddr>,
    trusted: Option<&HeaderName>,
) -> String {
    let from_proxy = trusted
        .and_then(|name| headers.get_all(name).iter().next_back())
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse::<IpAddr>().ok());
    match (from_proxy, socket) {
        (Some(ip), _) => ip.to_string(),
        (None, Some(s)) => s.ip().to_string(),
        (None, None) => "local".to_owned(),
    }
}

pub async fn client_address(
    State(trusted): State<Option<HeaderName>>,
    mut req: Request,
    next: Next,
) -> Response {
    let socket = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let ip = client_ip(req.headers(), socket, trusted.as_ref());
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

pub async fn security_headers(req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/assets/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut HeaderMap, name: HeaderName, value: &'static str| {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(h, header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // Pages and API answers carry personal data: no browser or proxy keeps a copy.
    if !is_asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_the_socket_unless_a_trusted_header_names_it() {
        let socket: SocketAddr = "10.1.1.1:5000".parse().expect("addr");
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("1.2.3.4, 192.0.2.7"),
        );
        assert_eq!(client_ip(&h, Some(socket), None), "10.1.1.1");
        let xff = HeaderName::from_static("x-forwarded-for");
        assert_eq!(client_ip(&h, Some(socket), Some(&xff)), "192.0.2.7");
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("not an address"),
        );
        assert_eq!(client_ip(&h, Some(socket), Some(&xff)), "10.1.1.1");
        assert_eq!(client_ip(&HeaderMap::new(), None, Some(&xff)), "local");
    }
}
