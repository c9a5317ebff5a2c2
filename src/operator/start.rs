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
use super::return_url::check_return_url;
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
    /// When it was redeemed: [`give_back`] clears exactly that redemption.
    pub redeemed_at_ms: i64,
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
        match database.registration_of_merchant(&link.merchant_ref).await {
            Ok(existing) => existing,
            Err(error) => {
                give_back(database, &link.id, now_ms).await;
                return Err(error.into());
            }
        }
    };
    tracing::info!(
        link_id = %link.id,
        merchant_ref = %link.merchant_ref,
        bound_to = existing.as_ref().map(|row| row.reference.as_str()),
        "onboarding link opened"
    );
    Ok(opened(link, existing, now_ms))
}

/// The link `id`, redeemed at `redeemed_at_ms`, opens again: its flow could not start, and the
/// merchant may retry with the same link.
pub async fn give_back(database: &Database, id: &str, redeemed_at_ms: i64) {
    match database.release_link(id, redeemed_at_ms).await {
        Ok(_) => {
            tracing::info!(link_id = %id, "onboarding link given back: its flow could not start")
        }
        Err(error) => {
            tracing::error!(link_id = %id, %error, "an onboarding link could not be given back");
        }
    }
}

fn opened(link: OnboardingLink, existing: Option<Registration>, now_ms: i64) -> OpenedLink {
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
        redeemed_at_ms: now_ms,
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
            let (link_id, redeemed_at_ms) = (opened.binding.link_id.clone(), opened.redeemed_at_ms);
            match Flow::begin_from_link(session, &fresh.owner(), opened).await {
                Ok(()) => {
                    let mut response = Redirect::to("/").into_response();
                    let served_over_tls =
                        state.public_origin.as_ref().is_some_and(|o| o.is_https());
                    fresh.set_cookie(&mut response, served_over_tls);
                    return response;
                }
                Err(_) => {
                    // Nothing started: the link is not spent, the merchant can open it again.
                    give_back(&state.database, &link_id, redeemed_at_ms).await;
                    (StartLinkRefusal::Failed, None)
                }
            }
        }
        Err(LinkRefused::Spent {
            refresh_url: Some(refresh_url),
            locale,
        }) => match check_return_url(&refresh_url, state.operator.return_hosts()) {
            // Checked again against the hosts listed now: a host taken off the list since the
            // link was minted is followed no more.
            Ok(refresh_url) => return Redirect::to(&refresh_url).into_response(),
            Err(why) => {
                tracing::warn!(why, "a spent link's refresh_url is no longer allowed");
                (StartLinkRefusal::Spent, locale)
            }
        },
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
