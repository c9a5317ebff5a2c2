//! Where a merchant is in the flow, kept in their session on the server: the carrier id and the
//! verification id never travel to the browser, so no request can name another merchant's.

use leptos_axum::extract;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::done::DoneScreen;
use crate::error::AppError;
use crate::fields::phone::{format_phone, mask_phone};
use crate::flow::Screen;
use crate::registration::{RegisterScreen, RegistrationForm};
use crate::server::AppState;
use crate::server::limits::{LimitConfig, SendHistory, unix_now};
use crate::server::refusal::is_plain_form_post;
use crate::verification::VerifyScreen;

const SESSION_KEY: &str = "flow";

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct FlowState {
    step: Step,
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
}

impl Flow {
    /// Loads the flow inside a server function.
    pub async fn load() -> Result<Self, AppError> {
        let session = extract::<Session>()
            .await
            .map_err(|error| internal("session", error))?;
        let headers = extract::<axum::http::HeaderMap>()
            .await
            .map_err(|error| internal("headers", error))?;
        let limits = AppState::from_context()?.limits.config().clone();
        Self::from_session(session, is_plain_form_post(&headers), limits).await
    }

    /// Loads the flow of `session` (the page handler has the session from its extractor).
    pub async fn from_session(
        session: Session,
        plain_form_post: bool,
        limits: LimitConfig,
    ) -> Result<Self, AppError> {
        let state = session
            .get::<FlowState>(SESSION_KEY)
            .await
            .map_err(|error| internal("session read", error))?
            .unwrap_or_default();
        Ok(Self {
            session,
            state,
            plain_form_post,
            limits,
        })
    }

    /// The screen to render now. Rendering shows a pending error once, then forgets it.
    pub async fn take_screen(mut self) -> Result<Screen, AppError> {
        if self.state.flash.is_none() {
            return Ok(self.screen_with(None));
        }
        let flash = self.state.flash.take();
        self.save().await?;
        Ok(self.screen_with(flash))
    }

    pub fn screen(&self) -> Screen {
        self.screen_with(None)
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
        self.state.draft = form.without_card_number();
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
        phone: String,
    ) -> Result<Screen, AppError> {
        // Registration is done: the contact details are no longer needed in the session.
        self.state.draft = RegistrationForm::default();
        self.state.step = Step::Verification(Verification {
            carrier_id,
            nickname,
            phone: format_phone(&phone),
            verification_id: None,
            sent_to: None,
            wrong_codes: 0,
        });
        self.save_and_show().await
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
            .map_err(|error| internal("session write", error))
    }

    fn screen_with(&self, error: Option<AppError>) -> Screen {
        match &self.state.step {
            Step::Registration => Screen::Register(RegisterScreen {
                draft: self.state.draft.clone(),
                error,
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

fn internal(what: &str, error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "{what} failed");
    AppError::Internal { reference: None }
}
