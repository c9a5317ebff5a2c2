//! The address a request is counted against by the limits.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
use leptos::prelude::use_context;

use crate::error::AppError;

/// The client's address, given to the server functions through their context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The peer of the connection, or with `trust_forwarded_for` the address the reverse proxy
    /// in front of the app appended to `X-Forwarded-For`. Only the last entry is the proxy's own
    /// word: the ones before it come from the client and could be anything.
    pub fn of(headers: &HeaderMap, extensions: &Extensions, trust_forwarded_for: bool) -> Self {
        let forwarded = || {
            headers
                .get_all("x-forwarded-for")
                .iter()
                .next_back()?
                .to_str()
                .ok()?
                .rsplit(',')
                .next()?
                .trim()
                .parse()
                .ok()
        };
        let peer = || {
            extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip())
        };
        let forwarded = if trust_forwarded_for {
            forwarded()
        } else {
            None
        };
        // Served without connection info (a misconfigured server): every such request shares
        // one address, which makes the limits stricter, never looser.
        Self(
            forwarded
                .or_else(peer)
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        )
    }

    /// The address, inside a server function.
    pub fn from_context() -> Result<Self, AppError> {
        use_context::<Self>().ok_or_else(|| {
            tracing::error!("ClientIp missing from the server function context");
            AppError::Internal { reference: None }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;
    use axum::http::request::Parts;

    fn request_with(forwarded_for: &[&str]) -> Parts {
        let mut request = Request::builder();
        for value in forwarded_for {
            request = request.header("x-forwarded-for", *value);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 40000))));
        parts
    }

    fn client(parts: &Parts, trust_forwarded_for: bool) -> String {
        ClientIp::of(&parts.headers, &parts.extensions, trust_forwarded_for)
            .0
            .to_string()
    }

    #[test]
    fn the_peer_is_the_client_unless_the_proxy_is_trusted() {
        let parts = request_with(&["203.0.113.7"]);
        assert_eq!(client(&parts, false), "10.0.0.1");
        assert_eq!(client(&parts, true), "203.0.113.7");
    }

    #[test]
    fn only_the_entry_the_proxy_appended_counts() {
        // The client sent "1.1.1.1" itself; the proxy appended the address it saw.
        let parts = request_with(&["1.1.1.1, 203.0.113.7"]);
        assert_eq!(client(&parts, true), "203.0.113.7");
        let parts = request_with(&["1.1.1.1", "2001:db8::1"]);
        assert_eq!(client(&parts, true), "2001:db8::1");
    }

    #[test]
    fn an_unreadable_forwarded_address_falls_back_to_the_peer() {
        let parts = request_with(&["not-an-address"]);
        assert_eq!(client(&parts, true), "10.0.0.1");
    }

    #[test]
    fn without_connection_info_all_requests_share_one_address() {
        let (parts, ()) = Request::builder().body(()).unwrap().into_parts();
        assert_eq!(client(&parts, false), Ipv4Addr::UNSPECIFIED.to_string());
    }
}
