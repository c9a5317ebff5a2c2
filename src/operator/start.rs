//! `GET /start/{token}`: a merchant opens the link the operator handed out. The link is spent
//! by one conditional update (of many simultaneous openings exactly one wins), and this browser
//! starts a fresh flow bound to the operator's merchant: a new flow owner, so nothing of an
//! earlier registration in this browser is picked up. The answer is a 303 to `/`, so the token
//! leaves the address bar.

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::provide_context;
use tower_sessions::Session;

use super::binding::LinkBinding;
use super::links::{LinkToken, Prefill};
use crate::i18n::Locale;
use crate::pages::StartLinkRefusal;
use crate::registration::RegistrationForm;
use crate::server::storage::{Database, OnboardingLink, Registration, StorageError, now_ms};
use crate::server::{AppState, Flow, FreshOwner, render_page_with};

/// A link that opened: what the new flow starts with.
#[derive(Debug)]
pub struct OpenedLink {
    pub binding: LinkBinding,
    /// The form as the operator prefilled it (never card data).
    pub draft: RegistrationForm,
    /// The merchant's registration, verified or on its way, that this browser follows instead
    /// of a new form (unless the link allows another).
    pub existing: Option<Registration>,
}

/// Why a link did not open.
#[derive(Debug)]
pub enum LinkRefused {
    /// No link has this token.
    Unknown,
    /// Expired, or already opened: the operator can mint a new one.
    Spent {
        refresh_url: Option<String>,
        locale: Option<Locale>,
    },
    Failed(StorageError),
}

impl From<StorageError> for LinkRefused {
    fn from(error: StorageError) -> Self {
        Self::Failed(error)
    }
}

/// Spends the link of `raw_token` at `now_ms`, if it may still be opened.
pub async fn open_link(
    database: &Database,
    raw_token: &str,
    now_ms: i64,
) -> Result<OpenedLink, LinkRefused> {
    let token = LinkToken::from_path(raw_token).ok_or(LinkRefused::Unknown)?;
    let Some(link) = database.redeem_link(&token.hash(), now_ms).await? else {
        return Err(match database.link_by_token_hash(&token.hash()).await? {
            Some(link) => LinkRefused::Spent {
                refresh_url: link.refresh_url,
                locale: link.locale.as_deref().and_then(Locale::from_tag),
            },
            None => LinkRefused::Unknown,
        });
    };
    let existing = if link.allow_another {
        None
    } else {
        database
            .registration_of_merchant(&link.merchant_ref)
            .await?
    };
    tracing::info!(
        link_id = %link.id,
        merchant_ref = %link.merchant_ref,
        bound_to = existing.as_ref().map(|row| row.reference.as_str()),
        "onboarding link opened"
    );
    Ok(opened(link, existing))
}

fn opened(link: OnboardingLink, existing: Option<Registration>) -> OpenedLink {
    let prefill: Prefill = link
        .prefill
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default();
    OpenedLink {
        binding: LinkBinding {
            link_id: link.id,
            merchant_ref: link.merchant_ref,
            return_url: link.return_url,
            locale: link.locale.as_deref().and_then(Locale::from_tag),
            vouched_reference: existing.as_ref().map(|row| row.reference.clone()),
            allow_another: link.allow_another,
        },
        draft: prefill.into_draft(),
        existing,
    }
}

/// The route's handler.
pub async fn start_from_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    session: Session,
    request: Request<Body>,
) -> Response {
    let refusal = match open_link(&state.database, &token, now_ms()).await {
        Ok(opened) => {
            let fresh = FreshOwner::mint();
            match Flow::begin_from_link(session, &fresh.owner(), opened).await {
                Ok(()) => {
                    let mut response = Redirect::to("/").into_response();
                    let served_over_tls =
                        state.public_origin.as_ref().is_some_and(|o| o.is_https());
                    fresh.set_cookie(&mut response, served_over_tls);
                    return response;
                }
                Err(_) => (StartLinkRefusal::Failed, None),
            }
        }
        Err(LinkRefused::Spent {
            refresh_url: Some(refresh_url),
            ..
        }) => return Redirect::to(&refresh_url).into_response(),
        Err(LinkRefused::Spent { locale, .. }) => (StartLinkRefusal::Spent, locale),
        Err(LinkRefused::Unknown) => (StartLinkRefusal::Unknown, None),
        Err(LinkRefused::Failed(error)) => {
            tracing::error!(%error, "an onboarding link could not be opened");
            (StartLinkRefusal::Failed, None)
        }
    };
    let (page, locale) = refusal;
    render_page_with(&state, request, locale, move || provide_context(page)).await
}
