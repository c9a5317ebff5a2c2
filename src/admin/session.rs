//! The console's own session: a cookie of its own (`SameSite=Strict`, HttpOnly, `__Host-` over
//! https, 30 minutes without activity), kept in the app's session store. It holds who signed in
//! and how, the form token every post must carry, and a message for the next page.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration;
use tower_sessions::{Expiry, Session, SessionManagerLayer, SessionStore};

use super::error::AdminError;
use crate::server::{AppState, ClientIp};

const COOKIE: &str = "stamps_connect_admin";
const SECURE_COOKIE: &str = "__Host-stamps_connect_admin";
const KEY: &str = "admin";
/// The hidden field every console form carries.
pub const FORM_TOKEN_FIELD: &str = "form_token";
/// The largest form the console reads (a settlement's note is the longest field).
const MAX_FORM_BYTES: usize = 16 * 1024;

/// The console's session layer, on the app's session store.
pub fn layer<S: SessionStore + Clone>(store: S, served_over_tls: bool) -> SessionManagerLayer<S> {
    SessionManagerLayer::new(store)
        .with_name(if served_over_tls {
            SECURE_COOKIE
        } else {
            COOKIE
        })
        .with_path("/")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(served_over_tls)
        .with_expiry(Expiry::OnInactivity(Duration::minutes(30)))
        // Saved on every request (an empty one excepted), so the 30 minutes run from the last
        // request, not from the last change.
        .with_always_save(true)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignedInWith {
    Password,
    /// The single sign-on proxy's header: valid while the proxy keeps sending it.
    ProxyHeader,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct AdminSession {
    form_token: String,
    signed_in: Option<(String, SignedInWith)>,
    flash: Option<Flash>,
}

/// A message for the next page the admin sees: what an action did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    pub done: bool,
    pub text: String,
}

async fn load(session: &Session) -> Result<AdminSession, AdminError> {
    Ok(session.get::<AdminSession>(KEY).await?.unwrap_or_default())
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    crate::hex::encode(&bytes)
}

/// The form token of this session, minted (and the session saved) when it has none: the
/// sign-in form carries one too.
pub async fn form_token(session: &Session) -> Result<String, AdminError> {
    let mut data = load(session).await?;
    if data.form_token.is_empty() {
        data.form_token = new_token();
        session.insert(KEY, &data).await?;
    }
    Ok(data.form_token)
}

/// Signs `name` in: a new session id (so an id planted before cannot ride on the sign-in) and a
/// new form token.
pub async fn sign_in(session: &Session, name: &str, with: SignedInWith) -> Result<(), AdminError> {
    session.cycle_id().await?;
    let data = AdminSession {
        form_token: new_token(),
        signed_in: Some((name.to_owned(), with)),
        flash: None,
    };
    session.insert(KEY, &data).await?;
    Ok(())
}

/// Ends the session: its row is deleted and its cookie removed.
pub async fn sign_out(session: &Session) -> Result<(), AdminError> {
    Ok(session.flush().await?)
}

/// A signed-in admin: the extractor of every console page but the sign-in. Signed out, the
/// request is sent to the sign-in page.
#[derive(Clone)]
pub struct Admin {
    pub name: String,
    pub signed_in_with: SignedInWith,
    pub form_token: String,
    pub client_ip: ClientIp,
    session: Session,
}

impl std::fmt::Debug for Admin {
    // The form token is the session's secret against cross-site posts: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admin")
            .field("name", &self.name)
            .field("signed_in_with", &self.signed_in_with)
            .field("form_token", &"[redacted]")
            .field("client_ip", &self.client_ip)
            .finish_non_exhaustive()
    }
}

impl Admin {
    /// Who did it, in the audit log.
    pub fn actor(&self) -> String {
        actor(&self.name)
    }

    /// Keeps `text` for the next page this admin sees.
    pub async fn flash(&self, done: bool, text: String) -> Result<(), AdminError> {
        let mut data = load(&self.session).await?;
        data.flash = Some(Flash { done, text });
        self.session.insert(KEY, &data).await?;
        Ok(())
    }

    /// The message kept for this page, once.
    pub async fn take_flash(&self) -> Result<Option<Flash>, AdminError> {
        let mut data = load(&self.session).await?;
        let flash = data.flash.take();
        if flash.is_some() {
            self.session.insert(KEY, &data).await?;
        }
        Ok(flash)
    }

    pub fn session(&self) -> &Session {
        &self.session
    }
}

/// `admin:<name>`.
pub fn actor(name: &str) -> String {
    format!("admin:{name}")
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AdminError> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, why)| {
                tracing::error!(why, "admin console: no session layer");
                AdminError::Unavailable
            })?;
        let client_ip = ClientIp::of(&parts.headers, &parts.extensions, state.trust_forwarded_for);
        signed_in(state, session, &parts.headers, client_ip)
            .await?
            .ok_or(AdminError::NotSignedIn)
    }
}

/// Who this request is signed in as. Behind the single sign-on proxy its header decides, and a
/// new name in it is a sign-in (audited); else the session's password sign-in.
pub async fn signed_in(
    state: &AppState,
    session: Session,
    headers: &HeaderMap,
    client_ip: ClientIp,
) -> Result<Option<Admin>, AdminError> {
    let mut data = load(&session).await?;
    let from_proxy = state.admin.name_from_proxy(headers);
    let (name, signed_in_with) = match (from_proxy, data.signed_in.take()) {
        (Some(name), Some((known, SignedInWith::ProxyHeader))) if known == name => {
            (name, SignedInWith::ProxyHeader)
        }
        (Some(name), _) => {
            sign_in(&session, &name, SignedInWith::ProxyHeader).await?;
            state
                .database
                .audit(
                    &actor(&name),
                    "sign_in",
                    None,
                    &format!("by the single sign-on proxy, from {}", client_ip.0),
                )
                .await?;
            data = load(&session).await?;
            (name, SignedInWith::ProxyHeader)
        }
        (None, Some((name, SignedInWith::Password))) if state.admin.accepts_passwords() => {
            (name, SignedInWith::Password)
        }
        _ => return Ok(None),
    };
    Ok(Some(Admin {
        name,
        signed_in_with,
        form_token: data.form_token,
        client_ip,
        session,
    }))
}

/// Middleware of every console post: refuses (403) a form that does not carry this session's
/// token, compared in constant time. (The cross-site check runs before it.)
pub async fn require_form_token(request: Request, next: Next) -> Response {
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        tracing::error!("admin console: no session layer on a post");
        return AdminError::Unavailable.into_response();
    };
    let expected = match load(&session).await {
        Ok(data) => data.form_token,
        Err(error) => return error.into_response(),
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return AdminError::BadRequest("The form is too large.").into_response();
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let sent = fields
        .iter()
        .find(|(name, _)| name == FORM_TOKEN_FIELD)
        .map(|(_, value)| value.as_str());
    if !tokens_match(&expected, sent) {
        tracing::warn!(
            path = parts.uri.path(),
            "admin console: post without its form token refused"
        );
        return AdminError::FormExpired.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn tokens_match(expected: &str, sent: Option<&str>) -> bool {
    !expected.is_empty()
        && sent.is_some_and(|sent| bool::from(expected.as_bytes().ct_eq(sent.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_matches_only_itself_and_never_when_none_was_minted() {
        let token = new_token();
        assert!(tokens_match(&token, Some(&token)));
        assert!(!tokens_match(&token, Some(&token[1..])));
        assert!(!tokens_match(&token, None));
        assert!(!tokens_match("", Some("")));
    }
}
