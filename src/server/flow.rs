//! Where a merchant is in the flow. The registration's row in the database is the truth: its
//! status says the step, and it holds the carrier id, the code last sent and its checks, so
//! every request, session and instance sees the same flow and the same counts. The session keeps
//! only which registration is this browser's and what the merchant typed; the browser holds
//! only HttpOnly cookies, so no request can name another merchant's ids.
//!
//! A registration belongs to the browser that sent it ([`FlowOwner`]): a request from any other
//! browser cannot follow it, whatever key it posts. The session id changes each time the flow
//! moves on (registered, verified), so an id planted or seen before is worth nothing after.

use std::time::Duration;

use axum::Extension;
use leptos_axum::extract;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::done::DoneScreen;
use crate::error::{AppError, UpstreamProblem};
use crate::fields::phone::{format_phone, normalize_us_phone};
use crate::i18n::Locale;
use crate::operator::{LinkBinding, OpenedLink};
use crate::registration::{AddressCheck, PostalAddress, RegisterScreen, RegistrationForm};
use crate::screen::Screen;
use crate::server::AppState;
use crate::server::flow_owner::FlowOwner;
use crate::server::limits::{LimitConfig, unix_now};
use crate::server::refusal::is_plain_form_post;
use crate::server::storage::{Database, Registration, RegistrationEvent, RegistrationStatus};
use crate::server::{database_error, internal_error};
use crate::verification::VerifyScreen;

const SESSION_KEY: &str = "flow";

/// What the session keeps.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct FlowState {
    /// The flow cookie's hash of the browser this session was begun by: the session cookie
    /// alone (copied, or planted) shows nothing to another browser.
    owner: Option<String>,
    /// The key of this browser's registration: taken from the first form sent, replaced only
    /// after ShipEngine refused the registration it was used for.
    idempotency_key: Option<String>,
    /// The registration form as last typed, without the card number.
    draft: RegistrationForm,
    /// The code step's phone field as last typed (prefilled from the address phone).
    phone: Option<String>,
    /// The number the last code went to, as the code step shows it: where "Send a new code"
    /// sends, whatever was typed for a different number since.
    sent_phone: Option<String>,
    /// The error of a plain form post, shown once by the page it is redirected to.
    flash: Option<AppError>,
    /// The onboarding link this flow began at, if it began at one.
    link: Option<LinkBinding>,
    /// What USPS said of the address as typed, until the merchant answers or changes it.
    address_check: Option<AddressCheck>,
}

/// The flow of one request: the session's part, and the registration's row.
pub struct Flow {
    session: Session,
    state: FlowState,
    owner: FlowOwner,
    /// This browser's registration, as the database has it.
    row: Option<Registration>,
    /// The key the form is rendered with while the session has none. Kept nowhere: a page view
    /// writes nothing, and two tabs with two keys still open one account (one open registration
    /// per owner).
    fresh_key: String,
    /// A plain form post (no JavaScript), redirected to the page afterwards: a code asked for
    /// within the resend wait lands on the page that shows the wait, not on an error.
    plain_form_post: bool,
    limits: LimitConfig,
    database: Database,
    /// The operator's settings: the hosts a link's `return_url` may name, as configured now.
    operator: std::sync::Arc<crate::operator::OperatorConfig>,
    /// See [`AppState::registration_settles_within`].
    settles_within: Duration,
    /// Seconds until another code may be sent, on the code step.
    resend_wait: Option<u64>,
    /// The session must be saved.
    changed: bool,
    /// The flow moved on: the session gets a new id when saved.
    rotate: bool,
    /// Following the merchant's registration another browser sent: the session keeps its id,
    /// so this browser's parallel posts (a double click) still find the link it holds rather
    /// than a session gone, which would make them a new registration without a merchant.
    keep_session_id: bool,
}

impl Flow {
    /// Loads the flow inside a server function.
    pub async fn load() -> Result<Self, AppError> {
        let session = extract::<Session>()
            .await
            .map_err(|error| internal_error("session", error))?;
        let headers = extract::<axum::http::HeaderMap>()
            .await
            .map_err(|error| internal_error("headers", error))?;
        let Extension(owner) = extract::<Extension<FlowOwner>>()
            .await
            .map_err(|error| internal_error("flow owner", error))?;
        let state = AppState::from_context()?;
        Self::from_session(session, owner, is_plain_form_post(&headers), &state).await
    }

    /// Loads the flow of `session` for the browser `owner` (the page handler has both from its
    /// extractors).
    pub async fn from_session(
        session: Session,
        owner: FlowOwner,
        plain_form_post: bool,
        app: &AppState,
    ) -> Result<Self, AppError> {
        let state = session
            .get::<FlowState>(SESSION_KEY)
            .await
            .map_err(|error| internal_error("session read", error))?;
        // A session begun by another browser (its cookie copied, or planted) shows nothing, and
        // anything this request saves goes to a session of its own.
        let foreign = state
            .as_ref()
            .is_some_and(|state| state.owner.as_deref().is_some_and(|o| o != owner.hash()));
        let state = state.filter(|_| !foreign).unwrap_or_default();
        let mut flow = Self {
            session,
            state,
            owner,
            row: None,
            fresh_key: new_key(),
            plain_form_post,
            limits: app.limits.clone(),
            database: app.database.clone(),
            operator: app.operator.clone(),
            settles_within: app.registration_settles_within,
            resend_wait: None,
            changed: false,
            rotate: foreign,
            keep_session_id: false,
        };
        flow.catch_up().await?;
        Ok(flow)
    }

    /// Begins a fresh flow for `owner` (just minted) from an opened onboarding link: the form
    /// prefilled as the operator asked, or the merchant's registration the operator vouched for.
    /// The session gets a new id: nothing of what it held before carries over.
    pub async fn begin_from_link(
        session: Session,
        owner: &FlowOwner,
        opened: OpenedLink,
    ) -> Result<(), AppError> {
        let state = FlowState {
            owner: Some(owner.hash().to_owned()),
            idempotency_key: opened.existing.map(|row| row.idempotency_key),
            draft: opened.draft.without_card_number(),
            link: Some(opened.binding),
            ..FlowState::default()
        };
        session
            .cycle_id()
            .await
            .map_err(|error| internal_error("session id change", error))?;
        session
            .insert(SESSION_KEY, &state)
            .await
            .map_err(|error| internal_error("session write", error))?;
        // Written now, not after the answer: a store that fails fails here, while the link
        // can still be given back.
        session
            .save()
            .await
            .map_err(|error| internal_error("session write", error))
    }

    /// The operator's id of the merchant, when the flow began at an onboarding link.
    pub fn merchant_ref(&self) -> Option<&str> {
        self.state
            .link
            .as_ref()
            .map(|link| link.merchant_ref.as_str())
    }

    /// The onboarding link allowed the merchant another account.
    pub fn allows_another(&self) -> bool {
        self.state
            .link
            .as_ref()
            .is_some_and(|link| link.allow_another)
    }

    /// The language the onboarding link asked for, if any.
    pub fn link_locale(&self) -> Option<Locale> {
        self.state.link.as_ref().and_then(|link| link.locale)
    }

    /// Whether this browser may fill in the form: it is open to all (`PUBLIC_FORM`), or the
    /// flow began at an onboarding link, or it already follows a registration.
    pub fn may_use_form(&self, public_form: bool) -> bool {
        public_form || self.state.link.is_some() || self.registration_sent()
    }

    /// Finds this browser's registration: the session's, else the browser's latest one not
    /// refused (its session expired, or was replaced by a twin request's).
    async fn catch_up(&mut self) -> Result<(), AppError> {
        let row = match &self.state.idempotency_key {
            Some(key) => self.database.registration(key).await,
            None => {
                self.database
                    .latest_registration_of(self.owner.hash())
                    .await
            }
        }
        .map_err(database_error)?;
        match row {
            Some(row) if self.owns(&row) => self.take(row).await,
            // The session names a registration this browser did not send: not its to follow.
            Some(_) => {
                self.state.idempotency_key = None;
                self.changed = true;
                Ok(())
            }
            None => Ok(()),
        }
    }

    fn owns(&self, row: &Registration) -> bool {
        // The operator vouched for its merchant: the link bound this browser to that row.
        let vouched = self
            .state
            .link
            .as_ref()
            .and_then(|link| link.vouched_reference.as_deref())
            == Some(row.reference.as_str());
        // Rows from before owners were recorded belong to the session that names them.
        vouched
            || row
                .owner_hash
                .as_deref()
                .is_none_or(|hash| hash == self.owner.hash())
    }

    /// Makes `row` this flow's registration, as the database has it now.
    async fn take(&mut self, row: Registration) -> Result<(), AppError> {
        if row.status == RegistrationStatus::Failed {
            // Refused: kept so the page says so until the merchant sends the form again (with
            // the new key it is rendered with).
            self.row = Some(row);
            return Ok(());
        }
        if let Some(count) = self.limits.cooldown(&row.reference) {
            self.resend_wait = self
                .database
                .wait_for(&count, unix_now())
                .await
                .map_err(database_error)?;
        }
        if row.status != RegistrationStatus::Submitted
            && row.status != RegistrationStatus::OutcomeUnknown
        {
            // The contact and card details are no longer needed once the account is open.
            if self.state.draft != RegistrationForm::default() {
                self.state
                    .phone
                    .get_or_insert_with(|| prefilled_phone(&self.state.draft.phone));
                self.state.draft = RegistrationForm::default();
                self.changed = true;
            }
        }
        self.row = Some(row);
        Ok(())
    }

    /// The screen to render now. Rendering shows a pending error once, then forgets it.
    pub async fn take_screen(mut self) -> Result<Screen, AppError> {
        let flash = self.state.flash.take();
        if flash.is_some() || self.changed {
            self.save().await?;
        }
        Ok(self.screen_with(flash))
    }

    pub fn screen(&self) -> Screen {
        self.screen_with(None)
    }

    /// The screen of the step the browser is on (for a request that does not fit it).
    pub async fn current(mut self) -> Result<Screen, AppError> {
        if self.changed {
            self.save().await?;
        }
        Ok(self.screen())
    }

    /// On the form step: no registration, or one not (yet, or not knowably) opened.
    pub fn is_registering(&self) -> bool {
        self.code_step().is_none() && self.done().is_none()
    }

    /// The registration on the code step, with its carrier id.
    pub fn code_step(&self) -> Option<(&Registration, &str)> {
        let row = self.row.as_ref()?;
        match (row.status, row.carrier_id.as_deref()) {
            (RegistrationStatus::Registered | RegistrationStatus::CodeSent, Some(carrier_id)) => {
                Some((row, carrier_id))
            }
            _ => None,
        }
    }

    fn done(&self) -> Option<(&Registration, &str)> {
        let row = self.row.as_ref()?;
        match (row.status, row.carrier_id.as_deref()) {
            (RegistrationStatus::Verified, Some(carrier_id)) => Some((row, carrier_id)),
            _ => None,
        }
    }

    pub fn keep_draft(&mut self, form: &RegistrationForm) {
        self.state.draft = RegistrationForm {
            idempotency_key: String::new(),
            ..form.without_card_number()
        };
        // A check is about the address it was made for: another address needs its own.
        if self
            .state
            .address_check
            .as_ref()
            .is_some_and(|check| *check.typed() != PostalAddress::of(form))
        {
            self.state.address_check = None;
        }
        self.changed = true;
    }

    /// The USPS check this browser was shown for the address it sent, if any.
    pub fn address_check(&self) -> Option<&AddressCheck> {
        self.state.address_check.as_ref()
    }

    /// The merchant answered the check (or none was needed): it is shown no more.
    pub fn address_settled(&mut self) {
        if self.state.address_check.take().is_some() {
            self.changed = true;
        }
    }

    /// Shows the form again with `check`, kept until the merchant answers it (a reload, or the
    /// page a plain form post is redirected to, shows it too). Nothing is claimed.
    pub async fn ask_about_address(mut self, check: AddressCheck) -> Result<Screen, AppError> {
        self.state.address_check = Some(check);
        self.state.flash = None;
        self.persist().await?;
        Ok(self.screen())
    }

    /// Why the form may not be sent again, if it may not: its registration's outcome is
    /// unknown (another could open a second account), or it is still on its way.
    pub fn registration_blocked(&self) -> Option<AppError> {
        let row = self.row.as_ref()?;
        match row.status {
            RegistrationStatus::OutcomeUnknown => Some(AppError::OutcomeUnknown {
                reference: row.reference.clone(),
            }),
            _ => None,
        }
    }

    /// Whether this browser's registration was sent and not refused: a repeat must follow it.
    pub fn registration_sent(&self) -> bool {
        self.row
            .as_ref()
            .is_some_and(|row| row.status != RegistrationStatus::Failed)
    }

    /// What to tell a post of the form after ShipEngine refused this browser's registration: the
    /// refusal again, if the post is a repeat of the refused one (a double click); nothing, if
    /// it is the form sent anew, which from here on is a new registration.
    pub fn after_refusal(&mut self, posted_key: &str) -> Option<AppError> {
        let refused = self.refused()?;
        if refused.idempotency_key == posted_key.trim() {
            return Some(refusal_of(refused));
        }
        self.state.idempotency_key = None;
        self.row = None;
        self.changed = true;
        None
    }

    /// The merchant's registration another browser sent (followed through an onboarding link)
    /// is still on its way: nothing to type here, only to wait for it.
    fn sent_elsewhere_in_flight(&self) -> Option<AppError> {
        let row = self.row.as_ref()?;
        (row.status == RegistrationStatus::Submitted
            && row.owner_hash.as_deref() != Some(self.owner.hash()))
        .then_some(AppError::RegistrationInProgress)
    }

    fn refused(&self) -> Option<&Registration> {
        self.row
            .as_ref()
            .filter(|row| row.status == RegistrationStatus::Failed)
    }

    /// The key of this browser's registration, or of the form as rendered.
    pub fn idempotency_key(&self) -> &str {
        self.row
            .as_ref()
            .map(|row| row.idempotency_key.as_str())
            .or(self.state.idempotency_key.as_deref())
            .unwrap_or(&self.fresh_key)
    }

    pub fn owner(&self) -> &FlowOwner {
        &self.owner
    }

    /// A form posted before the session knew its key (the first one sent, or after the session
    /// expired) carries the key it was rendered with: take it, so a repeat of that post is
    /// recognised. A key of another browser's registration is refused: following it would hand
    /// over that flow, and sending it anew could open a second account.
    pub async fn adopt_posted_key(
        &mut self,
        posted: &str,
    ) -> Result<Result<(), AppError>, AppError> {
        if self.state.idempotency_key.is_some() || self.row.is_some() {
            return Ok(Ok(()));
        }
        let Ok(key) = uuid::Uuid::parse_str(posted.trim()) else {
            // A form without its key (hand-made): from now on the session's key is the form's.
            self.state.idempotency_key = Some(self.fresh_key.clone());
            self.changed = true;
            return Ok(Ok(()));
        };
        let key = key.hyphenated().to_string();
        let row = self
            .database
            .registration(&key)
            .await
            .map_err(database_error)?;
        match row {
            // Strictly: a row from before owners were recorded is followed by its session only.
            Some(row) if row.owner_hash.as_deref() != Some(self.owner.hash()) => {
                tracing::warn!(reference = %row.reference, "a form key of another browser's registration was posted");
                return Ok(Err(AppError::SentFromAnotherBrowser));
            }
            // A repeat of that post follows it, even one ShipEngine refused: the repeat is told
            // so, rather than sent again.
            Some(row) => {
                self.state.idempotency_key = Some(key);
                self.row = Some(row);
            }
            None => self.state.idempotency_key = Some(key),
        }
        self.changed = true;
        Ok(Ok(()))
    }

    /// The session's id, for the registration's row.
    pub fn session_id(&self) -> Option<String> {
        self.session.id().map(|id| id.to_string())
    }

    /// Saves the state now, not at the end of the request: what the merchant typed and the key
    /// survive a request that is dropped while ShipEngine is called.
    pub async fn persist(&mut self) -> Result<(), AppError> {
        self.state.idempotency_key = Some(self.idempotency_key().to_owned());
        self.save().await?;
        self.session
            .save()
            .await
            .map_err(|error| internal_error("session save", error))
    }

    /// Follows `row`, found when this browser's claim conflicted: another tab's, this key's
    /// twin, or the merchant's one account sent from another browser through another link. Any
    /// other browser's row (a key raced by someone who copied it) is not followed.
    pub async fn follow(mut self, row: Registration) -> Result<Screen, AppError> {
        let another_browsers = row.owner_hash.as_deref() != Some(self.owner.hash());
        if another_browsers && !self.vouch_for(&row) {
            tracing::warn!(reference = %row.reference, "a claim met another browser's registration");
            return self.fail(AppError::SentFromAnotherBrowser).await;
        }
        self.state.idempotency_key = Some(row.idempotency_key.clone());
        self.row = Some(row);
        self.keep_session_id = another_browsers;
        self.follow_registration().await
    }

    /// Binds this flow to `row` when it is its merchant's (the link's `merchant_ref`, no other
    /// account allowed): the operator vouches for its merchant, as when a link is opened after
    /// the merchant registered.
    fn vouch_for(&mut self, row: &Registration) -> bool {
        let Some(link) = self.state.link.as_mut() else {
            return false;
        };
        if link.allow_another || row.merchant_ref.as_deref() != Some(link.merchant_ref.as_str()) {
            return false;
        }
        tracing::info!(reference = %row.reference, merchant_ref = %link.merchant_ref, "the merchant's registration was sent from another browser: following it");
        link.vouched_reference = Some(row.reference.clone());
        self.changed = true;
        true
    }

    /// Takes the outcome of this browser's registration as the database has it, for a repeat of
    /// a submission (a double click, a second tab, a retry): the first one's result, never a
    /// second call to ShipEngine. Waits while the first is in flight.
    pub async fn follow_registration(mut self) -> Result<Screen, AppError> {
        let key = self.idempotency_key().to_owned();
        let settled = self
            .database
            .settled_registration(&key, self.settles_within, self.settles_within)
            .await
            .map_err(database_error)?;
        let Some(row) = settled else {
            return Ok(self.screen());
        };
        let message = match row.status {
            RegistrationStatus::Submitted => Some(AppError::RegistrationInProgress),
            RegistrationStatus::Failed => Some(refusal_of(&row)),
            RegistrationStatus::OutcomeUnknown => Some(AppError::OutcomeUnknown {
                reference: row.reference.clone(),
            }),
            _ => None,
        };
        self.take(row).await?;
        self.rotate = !self.is_registering() && !self.keep_session_id;
        match message {
            Some(error) => self.fail(error).await,
            None => self.save_and_show().await,
        }
    }

    /// Notes `event` on this browser's registration. A failure to write is logged, not shown:
    /// the merchant's step has moved on upstream either way.
    pub async fn note(&self, event: RegistrationEvent<'_>) {
        Self::record(&self.database, self.idempotency_key(), event).await;
    }

    /// Notes `event` on the registration of `key` (from a task that outlives the request).
    pub async fn record(database: &Database, key: &str, event: RegistrationEvent<'_>) {
        if let Err(error) = database.record(key, event).await {
            tracing::error!(%error, ?event, "registration record not updated");
        }
    }

    /// A plain form post (no JavaScript), redirected to the page afterwards.
    pub fn is_plain_form_post(&self) -> bool {
        self.plain_form_post
    }

    /// Ends the request with `error`, keeping what it changed (what was typed, a refusal).
    pub async fn fail(mut self, error: AppError) -> Result<Screen, AppError> {
        self.save().await?;
        // Stored now, not by the session layer: it saves nothing with a 5xx answer.
        self.session
            .save()
            .await
            .map_err(|error| internal_error("session save", error))?;
        Err(error)
    }

    /// Keeps `error` for the page a plain form post is redirected to, which shows it once.
    pub async fn flash(mut self, error: AppError) -> Result<(), AppError> {
        self.state.flash = Some(error);
        self.save().await
    }

    pub fn limits(&self) -> &LimitConfig {
        &self.limits
    }

    /// Reloads the registration after an update made by this request.
    async fn reload(&mut self) -> Result<(), AppError> {
        let key = self.idempotency_key().to_owned();
        if let Some(row) = self
            .database
            .registration(&key)
            .await
            .map_err(database_error)?
        {
            self.take(row).await?;
        }
        Ok(())
    }

    /// ShipEngine opened the account: on to the code step, with a new session id.
    pub async fn registered(mut self) -> Result<Screen, AppError> {
        self.reload().await?;
        self.rotate = true;
        self.save_and_show().await
    }

    /// ShipEngine refused the registration: the next submission is a new one, with a new key.
    pub async fn registration_refused(mut self, error: AppError) -> Result<Screen, AppError> {
        self.reload().await?;
        self.fail(error).await
    }

    /// The registration was sent but its outcome is unknown: the form stays, blocked.
    pub async fn registration_unknown(mut self) -> Result<Screen, AppError> {
        self.reload().await?;
        let error = self
            .registration_blocked()
            .unwrap_or(AppError::Internal { reference: None });
        self.fail(error).await
    }

    /// Keeps the phone number as typed, so a failed send never loses it.
    pub fn keep_phone(&mut self, typed: &str) {
        self.state.phone = Some(typed.to_owned());
        self.changed = true;
    }

    /// A code went to `phone` (ten digits); the row already says so.
    pub async fn code_sent(mut self, phone: &str) -> Result<Screen, AppError> {
        self.state.phone = Some(format_phone(phone));
        self.state.sent_phone = self.state.phone.clone();
        self.reload().await?;
        self.save_and_show().await
    }

    /// The code was right: on to the done screen, with a new session id.
    pub async fn verified(mut self) -> Result<Screen, AppError> {
        self.reload().await?;
        self.state.phone = None;
        self.state.sent_phone = None;
        self.rotate = true;
        self.save_and_show().await
    }

    async fn save_and_show(mut self) -> Result<Screen, AppError> {
        self.state.flash = None;
        self.save().await?;
        Ok(self.screen())
    }

    async fn save(&mut self) -> Result<(), AppError> {
        self.state.owner = Some(self.owner.hash().to_owned());
        if self.rotate {
            self.session
                .cycle_id()
                .await
                .map_err(|error| internal_error("session id change", error))?;
        }
        self.session
            .insert(SESSION_KEY, &self.state)
            .await
            .map_err(|error| internal_error("session write", error))
    }

    fn screen_with(&self, error: Option<AppError>) -> Screen {
        if let Some((row, carrier_id)) = self.done() {
            return Screen::Done(DoneScreen {
                carrier_id: carrier_id.to_owned(),
                nickname: row.nickname.clone(),
                return_to: self.state.link.as_ref().and_then(|link| {
                    link.return_to(
                        row.status.as_str(),
                        carrier_id,
                        self.operator.return_hosts(),
                    )
                }),
                // Filled in by `postage::with_balance` where the screen is produced.
                balance: None,
                add_postage: false,
            });
        }
        if let Some((row, _)) = self.code_step() {
            return Screen::Verify(VerifyScreen {
                nickname: row.nickname.clone(),
                phone: self.state.phone.clone().unwrap_or_default(),
                code_sent_to: row.code_sent_to.clone(),
                resend_to: self.state.sent_phone.clone(),
                resend_available_in_secs: self.resend_wait,
                error,
            });
        }
        let refused = self.refused();
        Screen::Register(RegisterScreen {
            draft: self.state.draft.clone(),
            idempotency_key: match refused {
                Some(_) => self.fresh_key.clone(),
                None => self.idempotency_key().to_owned(),
            },
            error: error
                .or_else(|| self.registration_blocked())
                .or_else(|| self.sent_elsewhere_in_flight())
                .or_else(|| refused.map(refusal_of))
                .or_else(|| self.address_problems()),
            address_check: self.state.address_check.clone(),
        })
    }

    /// The problems USPS found with the address, on its fields, while the merchant decides.
    fn address_problems(&self) -> Option<AppError> {
        match self.state.address_check.as_ref()? {
            AddressCheck::Unconfirmed { problems, .. } => Some(AppError::Invalid(problems.clone())),
            AddressCheck::Suggestion { .. } => None,
        }
    }
}

/// What the form says once ShipEngine refused the registration sent with it (its own words are
/// shown once, by the answer to that post; this is what a reload shows).
fn refusal_of(row: &Registration) -> AppError {
    AppError::Upstream {
        problem: UpstreamProblem::RegistrationRefused,
        reference: row.register_request_id.clone(),
    }
}

/// The code step's phone field starts as the address phone, as the merchant typed it.
fn prefilled_phone(typed: &str) -> String {
    normalize_us_phone(typed).map_or_else(|_| typed.to_owned(), |digits| format_phone(&digits))
}

fn new_key() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}
