//! The browser a flow belongs to: a random secret in an HttpOnly cookie, set by the first page
//! (or post) that finds none. A registration stores the secret's SHA-256 as its owner, and only
//! a request carrying the secret can follow it: the idempotency key in the page's form is no
//! bearer token, so a key copied into another browser or a script gains nothing.
//!
//! Setting a cookie writes nothing on the server: a page view alone leaves no row anywhere.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tower_sessions::cookie::time::Duration;

use crate::server::AppState;
use crate::server::cookies::{sent_cookie, set_cookie};

/// The cookie's name over plain HTTP (development); over HTTPS it gets the `__Host-` prefix, so
/// no sibling subdomain can plant one.
const COOKIE: &str = "stamps_connect_flow";
const SECURE_COOKIE: &str = "__Host-stamps_connect_flow";

/// As long as a session lasts without activity: the cookie is set again by every flow response.
const LIFETIME: Duration = Duration::hours(2);

/// The owner of this request's flow, as the hash a registration row stores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowOwner {
    hash: String,
}

impl FlowOwner {
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The owner whose flow cookie holds `secret`.
    pub fn of(secret: &str) -> Self {
        let digest = Sha256::digest(secret.as_bytes());
        Self {
            hash: crate::hex::encode(&digest),
        }
    }
}

pub fn cookie_name(served_over_tls: bool) -> &'static str {
    if served_over_tls {
        SECURE_COOKIE
    } else {
        COOKIE
    }
}

/// Middleware of the flow's routes: gives the request its [`FlowOwner`], minting the secret when
/// the browser sent none (or a malformed one), and (re)sets the cookie on the response.
pub async fn identify_flow_owner(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let served_over_tls = state.public_origin.as_ref().is_some_and(|o| o.is_https());
    let name = cookie_name(served_over_tls);
    let sent = sent_secret(request.headers(), name);
    if sent.is_none() {
        request.extensions_mut().insert(NewToFlow);
    }
    let secret = sent.unwrap_or_else(mint_secret);
    request.extensions_mut().insert(FlowOwner::of(&secret));
    let mut response = next.run(request).await;
    set_cookie(&mut response, name, &secret, LIFETIME, served_over_tls);
    response
}

/// In a request's extensions when its flow owner was minted by this request: a browser new
/// to the flow (or one that keeps no cookie).
#[derive(Clone, Copy, Debug)]
pub struct NewToFlow;

/// A flow owner minted afresh: an onboarding link starts a new flow in the browser that opens
/// it, whatever flow cookie it had. Its secret goes only into the response's cookie.
pub struct FreshOwner {
    secret: String,
}

impl FreshOwner {
    pub fn mint() -> Self {
        Self {
            secret: mint_secret(),
        }
    }

    pub fn owner(&self) -> FlowOwner {
        FlowOwner::of(&self.secret)
    }

    /// Sets the browser's flow cookie to this owner's secret.
    pub fn set_cookie(&self, response: &mut Response, served_over_tls: bool) {
        let name = cookie_name(served_over_tls);
        set_cookie(response, name, &self.secret, LIFETIME, served_over_tls);
    }
}

/// The secret the browser sent, if it has the shape this app mints.
fn sent_secret(headers: &HeaderMap, name: &str) -> Option<String> {
    sent_cookie(headers, name)
        .filter(|secret| secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// 256 random bits, in hex.
fn mint_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    crate::hex::encode(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    #[test]
    fn only_a_minted_shape_is_taken_from_the_cookie() {
        let minted = mint_secret();
        assert_eq!(minted.len(), 64);
        assert_ne!(minted, mint_secret());
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            format!("other=1; {COOKIE}={minted}").parse().unwrap(),
        );
        assert_eq!(sent_secret(&headers, COOKIE), Some(minted.clone()));
        assert_eq!(sent_secret(&headers, SECURE_COOKIE), None);
        headers.insert(header::COOKIE, format!("{COOKIE}=short").parse().unwrap());
        assert_eq!(sent_secret(&headers, COOKIE), None);
    }

    #[test]
    fn the_owner_is_the_secrets_hash_not_the_secret() {
        let secret = mint_secret();
        let owner = FlowOwner::of(&secret);
        assert_eq!(owner.hash().len(), 64);
        assert_ne!(owner.hash(), secret);
        assert_eq!(owner, FlowOwner::of(&secret));
    }
}
