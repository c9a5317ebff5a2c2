//! What every request shares: the ShipEngine client (which holds the key), the database, the
//! demo setting, the limits and their counts, and how the app is reached.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use leptos::config::LeptosOptions;
use leptos::prelude::use_context;
use tokio::task::JoinHandle;
use tokio_util::task::{AbortOnDropHandle, TaskTracker};

use crate::admin::AdminAccess;
use crate::error::AppError;
use crate::operator::OperatorConfig;
use crate::postage::FundingConfig;
use crate::registration::address_service::AddressChecks;
use crate::server::assets::{HashFileError, stylesheet_href};
use crate::server::config::{Config, PublicOrigin};
use crate::server::form_opens::{self, FormOpens};
use crate::server::limits::LimitConfig;
use crate::server::observability::Readiness;
use crate::server::reconciliation::Reconciler;
use crate::server::serve::HttpTimeouts;
use crate::server::shipengine::{ApiKey, ClientConfig, ShipEngineClient};
use crate::server::storage::{Database, StorageError};
use crate::server::webhooks::{RunningWebhooks, WebhookWorker};
use crate::simulator::{self, RunningSimulator, Simulator, SimulatorConfig};

/// The code the embedded simulator accepts; the demo banner shows it.
pub const DEMO_CODE: &str = "123456";

#[derive(Clone)]
pub struct AppState {
    pub shipengine: ShipEngineClient,
    pub database: Database,
    /// The longest a registration call can take, retries included: a repeat waits this long for
    /// the submission in flight, and a row `submitted` for longer has lost its caller.
    pub registration_settles_within: Duration,
    /// Set in demo mode: the code shown on every screen.
    pub demo_code: Option<String>,
    pub leptos_options: LeptosOptions,
    /// The stylesheet's URL path (hashed in a release build), read once at start-up.
    pub stylesheet: Arc<str>,
    pub limits: LimitConfig,
    /// Who may open the admin console.
    pub admin: AdminAccess,
    pub public_origin: Option<PublicOrigin>,
    pub trust_forwarded_for: bool,
    /// The operator's API tokens, return hosts and `PUBLIC_FORM`.
    pub operator: Arc<OperatorConfig>,
    /// "Add postage": on or off, its maximum and its limits.
    pub funding: FundingConfig,
    /// The server's timeouts (the router applies the body and request ones) and shutdown grace.
    pub http: HttpTimeouts,
    /// The ShipEngine calls in flight that a graceful shutdown waits for: see
    /// [`Self::spawn_upstream`].
    pub upstream_tasks: TaskTracker,
    /// What `/readyz` answers, checked in the background (never per request).
    pub readiness: Arc<Readiness>,
    /// The USPS check of the address before registering (`ADDRESS_VALIDATION`), and how it went.
    pub address_checks: Arc<AddressChecks>,
    /// The webhook delivery task, when `OPERATOR_WEBHOOK_URL` is set; `main` stops it on
    /// shutdown (dropping the last state stops it too).
    pub webhooks: Option<Arc<RunningWebhooks>>,
    /// Forms opened, counted in memory and flushed every minute; `main` flushes it on shutdown.
    pub form_opens: Arc<FormOpens>,
    _form_opens_flusher: Arc<AbortOnDropHandle<()>>,
    /// Keeps the embedded simulator's handle alive for as long as the app runs.
    _simulator: Option<Arc<RunningSimulator>>,
    /// The job settling unknown outcomes; it stops when the last clone of the state is dropped.
    _reconciliation: Option<Arc<AbortOnDropHandle<()>>>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("could not start the demo ShipEngine simulator: {0}")]
    Simulator(std::io::Error),
    #[error(transparent)]
    Assets(#[from] HashFileError),
    #[error("could not build the ShipEngine client: {0}")]
    Client(String),
    #[error("could not open the database: {0}")]
    Database(#[from] StorageError),
    #[error("could not build the webhook client: {0}")]
    WebhookClient(reqwest::Error),
}

impl AppState {
    /// With a key, talks to the configured ShipEngine; without one, starts the simulator
    /// in-process on a loopback port and talks to that (demo mode).
    pub async fn start(config: &Config, leptos_options: LeptosOptions) -> Result<Self, StartError> {
        // Before anything starts: a build without its hash file cannot serve a working page.
        let stylesheet = stylesheet_href(&leptos_options)?.into();
        let database =
            Database::connect(&config.database_url, config.database_max_connections).await?;
        tracing::info!(backend = database.backend(), "database ready");
        let (api_key, base_url, demo_code, simulator) = match &config.api_key {
            Some(key) => {
                if key.is_sandbox() {
                    tracing::warn!(
                        "SHIPENGINE_API_KEY is a sandbox (TEST_) key: ShipEngine does not link \
                         carrier accounts to sandbox keys, so registrations will fail"
                    );
                }
                (key.clone(), config.base_url.clone(), None, None)
            }
            None => {
                let demo_key = format!("demo_{}", uuid::Uuid::new_v4().simple());
                let sim = Simulator::new(SimulatorConfig {
                    verification_code: DEMO_CODE.into(),
                    api_keys: vec![demo_key.clone()],
                    // A demo can be shown real cards: its record keeps brand and last four only.
                    redact_card_numbers: true,
                    ..SimulatorConfig::default()
                });
                let running = simulator::spawn(sim, ([127, 0, 0, 1], 0).into())
                    .await
                    .map_err(StartError::Simulator)?;
                tracing::info!(base_url = %running.base_url, "demo mode: embedded ShipEngine simulator");
                let key =
                    ApiKey::new(demo_key).map_err(|e| StartError::Client(format!("{e:?}")))?;
                (
                    key,
                    running.base_url.clone(),
                    Some(DEMO_CODE.to_owned()),
                    Some(Arc::new(running)),
                )
            }
        };
        let shipengine = ShipEngineClient::new(ClientConfig {
            base_url,
            api_key,
            connect_timeout: config.upstream_connect_timeout,
            timeout: config.upstream_timeout,
            retry: config.upstream_retry,
            max_concurrent: config.upstream_max_concurrent,
        })
        .map_err(|e| StartError::Client(e.to_string()))?;
        let registration_settles_within = config.registration_settles_within();
        let readiness = Readiness::start(database.clone(), shipengine.base_url().to_owned()).await;
        let reconciliation = config.reconcile.map(|settings| {
            let job = Reconciler::new(database.clone(), shipengine.clone(), settings.grace)
                .settling_submissions_after(registration_settles_within);
            Arc::new(job.spawn(settings.every))
        });
        let webhooks = match &config.webhooks {
            Some(webhooks) => {
                let worker = WebhookWorker::new(database.clone(), webhooks)
                    .map_err(StartError::WebhookClient)?;
                tracing::info!(host = webhooks.url.host_str(), "webhooks are delivered");
                Some(Arc::new(worker.spawn()))
            }
            None => {
                tracing::info!(
                    "OPERATOR_WEBHOOK_URL is not set: webhook events wait in the outbox until it is"
                );
                None
            }
        };
        if config.operator.api_enabled() && config.public_origin.is_none() {
            tracing::warn!(
                "the operator API is on and PUBLIC_ORIGIN is unset: minted links use the Host of \
                 the request that minted them; set PUBLIC_ORIGIN to the address merchants use"
            );
        }
        let form_opens = Arc::new(FormOpens::default());
        let form_opens_flusher = Arc::new(
            form_opens
                .clone()
                .spawn(database.clone(), form_opens::FLUSH_EVERY),
        );
        Ok(Self {
            form_opens,
            _form_opens_flusher: form_opens_flusher,
            shipengine,
            database,
            registration_settles_within,
            demo_code,
            leptos_options,
            stylesheet,
            limits: config.limits.clone(),
            admin: config.admin.clone(),
            public_origin: config.public_origin.clone(),
            trust_forwarded_for: config.trust_forwarded_for,
            operator: Arc::new(config.operator.clone()),
            funding: config.funding,
            http: config.http,
            upstream_tasks: TaskTracker::new(),
            readiness,
            address_checks: Arc::new(AddressChecks::new(
                config.address_validation,
                config.upstream_timeout,
            )),
            webhooks,
            _simulator: simulator,
            _reconciliation: reconciliation,
        })
    }

    /// Runs `call` (a ShipEngine call and the recording of its outcome) in a task of its own, so
    /// that a merchant closing the tab does not cut it short, and tracked, so that a graceful
    /// shutdown waits for it (within `SHUTDOWN_GRACE_SECS`) instead of leaving its row
    /// `submitted`. Like `tokio::spawn`, awaiting the handle gives its output.
    pub fn spawn_upstream<F>(&self, call: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.upstream_tasks.spawn(call)
    }

    /// The state, inside a server function.
    pub fn from_context() -> Result<Self, AppError> {
        use_context::<Self>().ok_or_else(|| {
            tracing::error!("AppState missing from the server function context");
            AppError::Internal { reference: None }
        })
    }
}
