//! Where a merchant is in the flow, kept in their session on the server: the carrier id and the
//! verification id never travel to the browser, so no request can name another merchant's.
//!
//! Sessions live in the database, so a reload, a reopened tab or a restarted (or another)
//! instance finds the merchant's step. On the form step the session also holds the idempotency
//! key of the registration; loading the flow brings the session up to what the database knows
//! of that registration, whichever request or instance finished it.

use std::time::Duration;

use leptos_axum::extract;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::done::DoneScreen;
use crate::error::AppError;
use crate::fields::phone::{format_phone, mask_phone, normalize_us_phone};
use crate::flow::Screen;
use crate::registration::{RegisterScreen, RegistrationForm};
use crate::server::AppState;
use crate::server::limits::{LimitConfig, SendHistory, unix_now};
use crate::server::refusal::is_plain_form_post;
use crate::server::storage::{Database, Registration, RegistrationEvent, RegistrationStatus};
use crate::server::{database_error, internal_error};
use crate::verification::VerifyScreen;

const SESSION_KEY: &str = "flow";

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct FlowState {
    step: Step,
    /// The key of this session's registration: minted when the form is first rendered, kept
    /// across reloads, replaced only after ShipEngine refused the registration it was used for.
    idempotency_key: Option<String>,
    /// The registration form as last typed, without the card number.
    draft: RegistrationForm,
    /// The error of a plain form post, shown once by the page it is redirected to.
    flash: Option<AppError>,
    /// The codes this session has sent, for its limit and its resend cooldown.
    sends: SendHistory,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
enum Step {
    #[default]
    Registration,
    Verification(Verification),
    Done {
        carrier_id: String,
        nickname: String,
    },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Verification {
    carrier_id: String,
    nickname: String,
    /// The phone field as last typed (prefilled from the address phone).
    phone: String,
    /// The verification id of the last code sent, if any.
    verification_id: Option<String>,
    /// The masked number the last code went to.
    sent_to: Option<String>,
    /// Wrong codes entered since the last code was sent.
    wrong_codes: u32,
}

/// The session's flow, loaded for one request and saved back by the transition methods.
pub struct Flow {
    session: Session,
    state: FlowState,
    /// A plain form post (no JavaScript): its error must survive the redirect to the page.
    plain_form_post: bool,
    limits: LimitConfig,
    database: Database,
    /// See [`AppState::registration_settles_within`].
    settles_within: Duration,
    /// The key was minted by this request: the session had none (new, or expired).
    key_minted_now: bool,
    /// The registration's outcome is unknown: the form may not be sent again.
    blocked: Option<AppError>,
    /// Loading changed the state: rendering must save it.
    changed: bool,
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
        let state = AppState::from_context()?;
        Self::from_session(session, is_plain_form_post(&headers), &state).await
    }

    /// Loads the flow of `session` (the page handler has the session from its extractor).
    pub async fn from_session(
        session: Session,
        plain_form_post: bool,
        app: &AppState,
    ) -> Result<Self, AppError> {
        let state = session
            .get::<FlowState>(SESSION_KEY)
            .await
            .map_err(|error| internal_error("session read", error))?
            .unwrap_or_default();
        let mut flow = Self {
            session,
            state,
            plain_form_post,
            limits: app.limits.config().clone(),
            database: app.database.clone(),
            settles_within: app.registration_settles_within,
            key_minted_now: false,
            blocked: None,
            changed: false,
        };
        flow.resume().await?;
        Ok(flow)
    }

    /// On the form step: mints the idempotency key the form is rendered with, or catches up with
    /// the registration sent with it (finished by a request the merchant gave up on, by another
    /// instance, or settled by support).
    async fn resume(&mut self) -> Result<(), AppError> {
        if !self.is_registering() {
            return Ok(());
        }
        let Some(key) = self.state.idempotency_key.clone() else {
            self.mint_key();
            self.key_minted_now = true;
            return Ok(());
        };
        if let Some(row) = self
            .database
            .registration(&key)
            .await
            .map_err(database_error)?
        {
            // Only what changes the step matters here: a pending message is for the submitter.
            let _ = self.apply(&row);
        }
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

    /// The screen of the step the session is on (for a request that does not fit it), saving
    /// what loading caught up with.
    pub async fn current(self) -> Result<Screen, AppError> {
        if self.changed {
            self.save().await?;
        }
        Ok(self.screen())
    }

    pub fn is_registering(&self) -> bool {
        matches!(self.state.step, Step::Registration)
    }

    /// The carrier and verification of the SMS step, if the session is on it.
    pub fn verification(&self) -> Option<(&str, Option<&str>)> {
        match &self.state.step {
            Step::Verification(v) => Some((&v.carrier_id, v.verification_id.as_deref())),
            _ => None,
        }
    }

    pub fn keep_draft(&mut self, form: &RegistrationForm) {
        self.state.draft = RegistrationForm {
            idempotency_key: String::new(),
            ..form.without_card_number()
        };
    }

    /// Why the form may not be sent again, if it may not: its last registration's outcome is
    /// unknown, and another could open a second account.
    pub fn registration_blocked(&self) -> Option<AppError> {
        self.blocked.clone()
    }

    /// The key of this session's registration.
    pub fn idempotency_key(&self) -> Option<&str> {
        self.state.idempotency_key.as_deref()
    }

    /// A form posted without its session (cookies blocked, or the session expired) still carries
    /// the key it was rendered with: keep it, so a repeat of that post is recognised. The key of
    /// a live session always wins.
    pub fn adopt_posted_key(&mut self, posted: &str) {
        if let (true, Ok(key)) = (self.key_minted_now, uuid::Uuid::parse_str(posted.trim())) {
            self.state.idempotency_key = Some(key.hyphenated().to_string());
        }
    }

    /// The session's id, for the registration's row.
    pub fn session_id(&self) -> Option<String> {
        self.session.id().map(|id| id.to_string())
    }

    /// Saves the state now, not at the end of the request: what the merchant typed and the key
    /// survive a request that is dropped while ShipEngine is called.
    pub async fn persist(&mut self) -> Result<(), AppError> {
        self.save().await?;
        self.session
            .save()
            .await
            .map_err(|error| internal_error("session save", error))
    }

    /// Takes the outcome of this session's registration as the database has it, for a repeat of
    /// a submission (a double click, a second tab, a retry): the first one's result, never a
    /// second call to ShipEngine. Waits while the first is in flight.
    pub async fn follow_registration(mut self) -> Result<Screen, AppError> {
        let Some(key) = self.state.idempotency_key.clone() else {
            return Ok(self.screen());
        };
        let settled = self
            .database
            .settled_registration(&key, self.settles_within, self.settles_within)
            .await
            .map_err(database_error)?;
        let Some(row) = settled else {
            return Ok(self.screen());
        };
        match self.apply(&row) {
            Some(error) => self.fail(error).await,
            None => self.save_and_show().await,
        }
    }

    /// Brings the session up to `row`; returns what the merchant must be told, if anything.
    fn apply(&mut self, row: &Registration) -> Option<AppError> {
        match (row.status, row.carrier_id.clone()) {
            (RegistrationStatus::Submitted, _) => Some(AppError::RegistrationInProgress),
            (RegistrationStatus::Registered | RegistrationStatus::CodeSent, Some(carrier_id)) => {
                self.enter_verification(carrier_id, row.nickname.clone());
                None
            }
            (RegistrationStatus::Verified, Some(carrier_id)) => {
                self.state.draft = RegistrationForm::default();
                self.state.step = Step::Done {
                    carrier_id,
                    nickname: row.nickname.clone(),
                };
                self.changed = true;
                None
            }
            (RegistrationStatus::Failed, _) => {
                self.mint_key();
                Some(AppError::Upstream {
                    message: "ShipEngine did not open the account with these details. Check them, \
                              then send the form again."
                        .into(),
                    reference: row.register_request_id.clone(),
                })
            }
            (RegistrationStatus::OutcomeUnknown, _) => {
                let error = AppError::OutcomeUnknown {
                    reference: row.reference.clone(),
                };
                self.blocked = Some(error.clone());
                Some(error)
            }
            // Support moved it without a carrier id: nothing to continue with.
            (_, None) => None,
        }
    }

    fn mint_key(&mut self) {
        self.state.idempotency_key = Some(uuid::Uuid::new_v4().hyphenated().to_string());
        self.changed = true;
    }

    /// Notes `event` on this session's registration. A failure to write is logged, not shown:
    /// the merchant's step has moved on upstream either way.
    pub async fn note(&self, event: RegistrationEvent<'_>) {
        let Some(key) = self.idempotency_key() else {
            return;
        };
        if let Err(error) = self.database.record(key, event).await {
            tracing::error!(%error, ?event, "registration record not updated");
        }
    }

    /// Records `error` for this step and returns the screen that shows it.
    pub async fn fail(mut self, error: AppError) -> Result<Screen, AppError> {
        if self.plain_form_post {
            self.state.flash = Some(error.clone());
        }
        self.save().await?;
        Ok(self.screen_with(Some(error)))
    }

    /// Refuses the request with `error` (a limit): the page's call gets it as an error status;
    /// a plain form post finds it on the page it is redirected to.
    pub async fn refuse(mut self, error: AppError) -> Result<Screen, AppError> {
        if self.plain_form_post {
            self.state.flash = Some(error.clone());
        }
        self.save().await?;
        Err(error)
    }

    /// The codes this session has sent recently.
    pub fn send_history(&self) -> &SendHistory {
        &self.state.sends
    }

    /// Counts a code about to be sent (before the call: a call that fails may still have
    /// sent the text message).
    pub fn record_send(&mut self, now: u64) {
        self.state.sends.record(&self.limits, now);
    }

    /// Whether the code last sent may still be checked: not after too many wrong codes.
    pub fn code_tries_left(&self) -> bool {
        match &self.state.step {
            Step::Verification(v) => v.wrong_codes < self.limits.wrong_codes_per_code,
            _ => false,
        }
    }

    pub fn count_wrong_code(&mut self) {
        if let Step::Verification(v) = &mut self.state.step {
            v.wrong_codes += 1;
        }
    }

    pub async fn registered(
        mut self,
        carrier_id: String,
        nickname: String,
    ) -> Result<Screen, AppError> {
        self.enter_verification(carrier_id, nickname);
        self.save_and_show().await
    }

    /// ShipEngine refused the registration: the next submission is a new one, with a new key.
    pub async fn registration_refused(mut self, error: AppError) -> Result<Screen, AppError> {
        self.mint_key();
        self.fail(error).await
    }

    /// The registration was sent but its outcome is unknown: the form stays, blocked.
    pub async fn registration_unknown(mut self, reference: String) -> Result<Screen, AppError> {
        let error = AppError::OutcomeUnknown { reference };
        self.blocked = Some(error.clone());
        self.fail(error).await
    }

    fn enter_verification(&mut self, carrier_id: String, nickname: String) {
        // The phone field starts as the address phone, as the merchant typed it.
        let typed = &self.state.draft.phone;
        let phone = normalize_us_phone(typed).map_or_else(|_| typed.clone(), |d| format_phone(&d));
        // Registration is done: the contact details are no longer needed in the session.
        self.state.draft = RegistrationForm::default();
        self.state.step = Step::Verification(Verification {
            carrier_id,
            nickname,
            phone,
            verification_id: None,
            sent_to: None,
            wrong_codes: 0,
        });
        self.changed = true;
    }

    /// Keeps the phone number as typed, so a failed send never loses it.
    pub fn keep_phone(&mut self, typed: &str) {
        if let Step::Verification(v) = &mut self.state.step {
            v.phone = typed.to_owned();
        }
    }

    /// `phone` is the ten digits the code went to.
    pub async fn code_sent(
        mut self,
        phone: &str,
        verification_id: String,
    ) -> Result<Screen, AppError> {
        if let Step::Verification(v) = &mut self.state.step {
            v.phone = format_phone(phone);
            v.verification_id = Some(verification_id);
            v.sent_to = Some(mask_phone(phone));
            v.wrong_codes = 0;
        }
        self.save_and_show().await
    }

    pub async fn verified(mut self) -> Result<Screen, AppError> {
        if let Step::Verification(v) = &self.state.step {
            self.state.step = Step::Done {
                carrier_id: v.carrier_id.clone(),
                nickname: v.nickname.clone(),
            };
        }
        self.save_and_show().await
    }

    async fn save_and_show(mut self) -> Result<Screen, AppError> {
        self.state.flash = None;
        self.save().await?;
        Ok(self.screen())
    }

    async fn save(&self) -> Result<(), AppError> {
        self.session
            .insert(SESSION_KEY, &self.state)
            .await
            .map_err(|error| internal_error("session write", error))
    }

    fn screen_with(&self, error: Option<AppError>) -> Screen {
        match &self.state.step {
            Step::Registration => Screen::Register(RegisterScreen {
                draft: self.state.draft.clone(),
                idempotency_key: self.state.idempotency_key.clone().unwrap_or_default(),
                error: error.or_else(|| self.blocked.clone()),
            }),
            Step::Verification(v) => Screen::Verify(VerifyScreen {
                nickname: v.nickname.clone(),
                phone: v.phone.clone(),
                code_sent_to: v.sent_to.clone(),
                resend_available_in_secs: self.state.sends.cooldown_left(&self.limits, unix_now()),
                error,
            }),
            Step::Done {
                carrier_id,
                nickname,
            } => Screen::Done(DoneScreen {
                carrier_id: carrier_id.clone(),
                nickname: nickname.clone(),
            }),
        }
    }
}
