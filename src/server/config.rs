//! Configuration, read once from the environment at start-up. A bad value stops start-up with
//! one clear line.
//!
//! | Variable | Default | Meaning |
//! | --- | --- | --- |
//! | `SHIPENGINE_API_KEY` | unset: demo mode | the operator's key; a `TEST_` key gets a warning |
//! | `SHIPENGINE_BASE_URL` | `https://api.shipengine.com` | needs a key; `http://` only to a loopback address (a simulator) |
//! | `LISTEN_ADDR` | `127.0.0.1:3000` | in demo mode a loopback address, unless `DEMO_PUBLIC` |
//! | `DEMO_PUBLIC` | `false` | lets demo mode listen on a non-loopback address |
//! | `HTTP_HEADER_TIMEOUT_SECS` | 10 | a client's time to send a request's head, 1 to 300 |
//! | `HTTP_BODY_TIMEOUT_SECS` | 10 | the longest wait for the next piece of a body, 1 to 300 |
//! | `HTTP_REQUEST_TIMEOUT_SECS` | 120 | a whole request, 1 to 3600; longer than a registration can take |
//! | `SHUTDOWN_GRACE_SECS` | 30 | how long a shutdown waits for requests and ShipEngine calls in flight, 0 to 3600 |
//! | `UPSTREAM_CONNECT_TIMEOUT_SECS`, `UPSTREAM_TIMEOUT_SECS` | 5, 30 | 1 to 300 |
//! | `UPSTREAM_MAX_RETRIES` | 2 | retries of a call ShipEngine answered 429 (or a lost code check), 0 to 10 |
//! | `UPSTREAM_MAX_RETRY_WAIT_SECS` | 5 | the most one call waits between its retries in total, 0 to 60 |
//! | `DATABASE_URL` | `sqlite://stamps-connect.db?mode=rwc` | SQLite file (created), or `postgres://…` shared by several instances |
//! | `DATABASE_MAX_CONNECTIONS` | 10 | the database pool's size, 1 to 200 |
//! | `PUBLIC_ORIGIN` | unset | the address merchants use, e.g. `https://connect.example.com`: the only `Origin` server functions accept (unset: the request's `Host`); `https` also makes the session cookie `Secure` and turns on HSTS |
//! | `LOG_FORMAT` | `text` | `json`: one JSON object per log line, for a log pipeline |
//! | `TRUST_FORWARDED_FOR` | `false` | count limits per the last `X-Forwarded-For` address: only behind one reverse proxy that sets it |
//! | `UPSTREAM_MAX_CONCURRENT` | 16 | ShipEngine calls one instance has in flight at once; the rest wait |
//! | `ADDRESS_VALIDATION` | `on` | `off`: the address is not checked with USPS before registering |
//! | `RECONCILE` | `on` | `off`: unknown outcomes are not settled in the background |
//! | `RECONCILE_EVERY_SECS` | 60 | how often unknown outcomes are checked against ShipEngine's carriers, 1 to 86400 |
//! | `RECONCILE_GRACE_MINUTES` | 30 | no carrier this long after an outcome became unknown settles it as failed, 0 to 10080 |
//! | `LIMIT_WINDOW_SECS` | 3600 | the window of every `LIMIT_…` count below |
//! | `LIMIT_REGISTRATIONS_PER_IP` | 10 | registrations sent upstream from one IP (IPv6: one /64) |
//! | `LIMIT_REGISTRATIONS_PER_EMAIL` | 3 | registrations sent upstream with one email address |
//! | `LIMIT_REGISTRATIONS_TOTAL` | 100 | registrations sent upstream by the whole app |
//! | `LIMIT_SENDS_PER_REGISTRATION` | 5 | codes sent for one registration (older name: `LIMIT_SENDS_PER_SESSION`) |
//! | `LIMIT_SENDS_PER_PHONE` | 5 | codes sent to one phone number |
//! | `LIMIT_SENDS_PER_IP` | 10 | codes sent from one IP (IPv6: one /64) |
//! | `LIMIT_SENDS_TOTAL` | 200 | codes sent by the whole app |
//! | `LIMIT_RESEND_COOLDOWN_SECS` | 30 | wait between two codes of one registration; 0 for none |
//! | `LIMIT_WRONG_CODES` | 5 | checks of one code sent, then a new code is needed |
//! | `LIMIT_CODE_CHECKS_PER_IP` | 30 | codes checked from one IP (IPv6: one /64) |
//! | `LIMIT_CODE_CHECKS_TOTAL` | 600 | codes checked by the whole app |
//! | `LIMIT_CONNECTIONS_PER_IP` | 10 | existing Stamps.com accounts connected (tried) from one IP |
//! | `LIMIT_CONNECTIONS_PER_USERNAME` | 5 | connections tried with one Stamps.com username |
//! | `LIMIT_ADDRESS_CHECKS_PER_IP` | 30 | addresses checked with USPS for forms from one IP |
//! | `OPERATOR_WEBHOOK_URL` | unset: no delivery | where webhooks are POSTed; https (http only to a loopback address) |
//! | `OPERATOR_WEBHOOK_SECRET` | | signs them; required with the URL, at least 16 characters |
//! | `WEBHOOK_TIMEOUT_SECS`, `WEBHOOK_RETRY_FOR_SECS` | 10, 259200 | one attempt, 1 to 300; how long an event is retried, 1 to 30 days in seconds |
//! | `WEBHOOK_BACKOFF_BASE_SECS`, `WEBHOOK_POLL_MS` | 10, 1000 | the first retry's wait, 1 to 3600; how often the outbox is looked at, 10 to 60000 |
//! | `ADMIN_PASSWORD_HASH`, `ADMIN_TRUSTED_HEADER`, `ADMIN_SIGN_IN_FAILURES_…` | unset | the admin console: see [`crate::admin::AdminAccess`] |
//! | `FUNDING`, `FUNDING_MAX_USD`, `FUNDING_LIMIT_…` | `on`, 500, 3, 5 | "Add postage": see [`crate::postage::FundingConfig`] |

use std::net::SocketAddr;
use std::time::Duration;

use crate::admin::AdminAccess;
use crate::operator::OperatorConfig;
use crate::postage::FundingConfig;
use crate::server::limits::LimitConfig;
use crate::server::observability::LogFormat;
use crate::server::reconciliation::ReconcileSettings;
use crate::server::serve::HttpTimeouts;
use crate::server::shipengine::{ApiKey, RetryPolicy};
use crate::server::storage::DatabaseUrl;
use crate::server::webhooks::{MIN_SECRET_CHARS, RetrySchedule, WebhookConfig, WebhookSecret};

pub const DEFAULT_BASE_URL: &str = "https://api.shipengine.com";
pub const DEFAULT_LISTEN_ADDR: &str = "127.0.0.1:3000";

#[derive(Debug)]
pub struct Config {
    /// `None` runs the app in demo mode against the embedded simulator.
    pub api_key: Option<ApiKey>,
    pub base_url: String,
    pub listen_addr: SocketAddr,
    /// Demo mode may listen on a non-loopback address (`DEMO_PUBLIC`).
    pub demo_public: bool,
    /// The server's own timeouts and shutdown grace (`HTTP_…_TIMEOUT_SECS`, `SHUTDOWN_GRACE_SECS`).
    pub http: HttpTimeouts,
    pub upstream_connect_timeout: Duration,
    pub upstream_timeout: Duration,
    pub upstream_retry: RetryPolicy,
    pub database_url: DatabaseUrl,
    pub database_max_connections: u32,
    pub public_origin: Option<PublicOrigin>,
    pub trust_forwarded_for: bool,
    pub log_format: LogFormat,
    /// `UPSTREAM_MAX_CONCURRENT`: ShipEngine calls one instance has in flight at once.
    pub upstream_max_concurrent: usize,
    pub limits: LimitConfig,
    /// The background settling of unknown outcomes; `None` with `RECONCILE=off`.
    pub reconcile: Option<ReconcileSettings>,
    /// `ADDRESS_VALIDATION`: the merchant's address is checked with USPS before registering.
    pub address_validation: bool,
    /// `None` when `OPERATOR_WEBHOOK_URL` is unset: events wait in the outbox.
    pub webhooks: Option<WebhookConfig>,
    /// The operator's API tokens, return hosts and `PUBLIC_FORM` (see `crate::operator`).
    pub operator: OperatorConfig,
    /// Who may open the admin console (none: it does not exist).
    pub admin: AdminAccess,
    /// "Add postage": `FUNDING`, `FUNDING_MAX_USD` and its limits.
    pub funding: FundingConfig,
}

/// The scheme, host and port merchants reach the app at, as a browser writes it in `Origin`:
/// `https://connect.example.com` (no path, no trailing slash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicOrigin(String);

impl PublicOrigin {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Served over TLS: the cookie can be `Secure` and HSTS is safe to send.
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{name} is not valid: {why}")]
    Invalid { name: &'static str, why: String },
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `var`, so tests need not touch the process environment.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let set = |name: &str| var(name).filter(|value| !value.trim().is_empty());

        let api_key = set("SHIPENGINE_API_KEY")
            .map(|raw| {
                ApiKey::new(raw).map_err(|_| {
                    invalid(
                        "SHIPENGINE_API_KEY",
                        "it must be a ShipEngine API key, without spaces",
                    )
                })
            })
            .transpose()?;
        let base_url = match set("SHIPENGINE_BASE_URL") {
            Some(_) if api_key.is_none() => {
                return Err(invalid(
                    "SHIPENGINE_BASE_URL",
                    "it needs SHIPENGINE_API_KEY too (without a key the app runs in demo mode)",
                ));
            }
            Some(url) => parse_base_url(&url)?,
            None => DEFAULT_BASE_URL.to_owned(),
        };
        let listen_addr: SocketAddr = set("LISTEN_ADDR")
            .unwrap_or_else(|| DEFAULT_LISTEN_ADDR.to_owned())
            .parse()
            .map_err(|_| invalid("LISTEN_ADDR", "use an address and port like 127.0.0.1:3000"))?;
        let demo_public = flag(set("DEMO_PUBLIC"), "DEMO_PUBLIC")?;
        // A deploy that forgot its key must not take real card numbers into a simulator.
        if api_key.is_none() && !demo_public && !listen_addr.ip().is_loopback() {
            return Err(invalid(
                "LISTEN_ADDR",
                "without SHIPENGINE_API_KEY the app runs in demo mode, which listens on a loopback \
                 address only (set SHIPENGINE_API_KEY, or DEMO_PUBLIC=1 to show the demo)",
            ));
        }
        let upstream_connect_timeout = seconds(
            set("UPSTREAM_CONNECT_TIMEOUT_SECS"),
            "UPSTREAM_CONNECT_TIMEOUT_SECS",
            5,
        )?;
        let upstream_timeout = seconds(set("UPSTREAM_TIMEOUT_SECS"), "UPSTREAM_TIMEOUT_SECS", 30)?;
        let retry_defaults = RetryPolicy::default();
        let upstream_retry = RetryPolicy {
            max_retries: small(number(
                set("UPSTREAM_MAX_RETRIES"),
                "UPSTREAM_MAX_RETRIES",
                0..=10,
                retry_defaults.max_retries.into(),
            )?),
            max_wait: Duration::from_secs(number(
                set("UPSTREAM_MAX_RETRY_WAIT_SECS"),
                "UPSTREAM_MAX_RETRY_WAIT_SECS",
                0..=60,
                retry_defaults.max_wait.as_secs(),
            )?),
        };
        let http = http_timeouts(&set, upstream_timeout, upstream_retry)?;
        let database_url = set("DATABASE_URL")
            .map(|raw| DatabaseUrl::parse(&raw).map_err(|why| invalid("DATABASE_URL", why)))
            .transpose()?
            .unwrap_or_default();
        let database_max_connections = small(number(
            set("DATABASE_MAX_CONNECTIONS"),
            "DATABASE_MAX_CONNECTIONS",
            1..=200,
            10,
        )?);
        let public_origin = set("PUBLIC_ORIGIN")
            .map(|raw| parse_public_origin(&raw))
            .transpose()?;
        let log_format = match set("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(_) => return Err(invalid("LOG_FORMAT", "use text or json")),
        };
        let trust_forwarded_for = match set("TRUST_FORWARDED_FOR").as_deref().map(str::trim) {
            None | Some("false" | "0") => false,
            Some("true" | "1") => true,
            Some(_) => return Err(invalid("TRUST_FORWARDED_FOR", "use true or false")),
        };

        Ok(Self {
            api_key,
            base_url,
            listen_addr,
            demo_public,
            http,
            upstream_connect_timeout,
            upstream_timeout,
            upstream_retry,
            database_url,
            database_max_connections,
            public_origin,
            trust_forwarded_for,
            log_format,
            upstream_max_concurrent: usize::try_from(number(
                set("UPSTREAM_MAX_CONCURRENT"),
                "UPSTREAM_MAX_CONCURRENT",
                1..=1000,
                16,
            )?)
            .unwrap_or(16),
            limits: limits(&set)?,
            reconcile: reconcile(&set)?,
            address_validation: on_off(set("ADDRESS_VALIDATION"), "ADDRESS_VALIDATION", true)?,
            webhooks: webhooks(&set)?,
            admin: AdminAccess::from_vars(&set)?,
            funding: FundingConfig::from_vars(&set)?,
            operator: OperatorConfig::from_vars(set)?,
        })
    }
}

impl Config {
    /// The longest a registration call can take, retries included, plus time for its row's
    /// update to land: see [`crate::server::AppState::registration_settles_within`].
    pub fn registration_settles_within(&self) -> Duration {
        registration_settles_within(self.upstream_timeout, self.upstream_retry)
    }
}

/// Added to a registration's longest call, for the row's update to land.
const SETTLE_MARGIN: Duration = Duration::from_secs(5);

fn registration_settles_within(upstream_timeout: Duration, retry: RetryPolicy) -> Duration {
    upstream_timeout * (retry.max_retries + 1) + retry.max_wait + SETTLE_MARGIN
}

/// The server's timeouts. A request must be allowed to outlast a registration: the merchant who
/// sent it, or who clicked twice, waits for its outcome.
fn http_timeouts(
    set: &impl Fn(&str) -> Option<String>,
    upstream_timeout: Duration,
    upstream_retry: RetryPolicy,
) -> Result<HttpTimeouts, ConfigError> {
    let defaults = HttpTimeouts::default();
    let secs = |name: &'static str, range, default: Duration| {
        number(set(name), name, range, default.as_secs()).map(Duration::from_secs)
    };
    let timeouts = HttpTimeouts {
        header: secs("HTTP_HEADER_TIMEOUT_SECS", 1..=300, defaults.header)?,
        body: secs("HTTP_BODY_TIMEOUT_SECS", 1..=300, defaults.body)?,
        request: secs("HTTP_REQUEST_TIMEOUT_SECS", 1..=3600, defaults.request)?,
        shutdown_grace: secs("SHUTDOWN_GRACE_SECS", 0..=3600, defaults.shutdown_grace)?,
    };
    // A registration's request may check the address twice before it registers.
    let registration = registration_settles_within(upstream_timeout, upstream_retry)
        + 2 * crate::registration::address_service::ADDRESS_CHECK_LONGEST;
    if timeouts.request <= registration {
        return Err(ConfigError::Invalid {
            name: "HTTP_REQUEST_TIMEOUT_SECS",
            why: format!(
                "it must be longer than a registration can take: {} s with the UPSTREAM_… \
                 settings as they are",
                registration.as_secs()
            ),
        });
    }
    Ok(timeouts)
}

/// `true`/`1` or `false`/`0`; unset is false.
fn flag(raw: Option<String>, name: &'static str) -> Result<bool, ConfigError> {
    match raw.as_deref().map(str::trim) {
        None | Some("false" | "0") => Ok(false),
        Some("true" | "1") => Ok(true),
        Some(_) => Err(invalid(name, "use true or false")),
    }
}

/// `on`/`true`/`1` or `off`/`false`/`0`; unset is `default`.
fn on_off(raw: Option<String>, name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match raw.as_deref().map(str::trim) {
        None => Ok(default),
        Some("on" | "true" | "1") => Ok(true),
        Some("off" | "false" | "0") => Ok(false),
        Some(_) => Err(invalid(name, "use on or off")),
    }
}

fn limits(set: &impl Fn(&str) -> Option<String>) -> Result<LimitConfig, ConfigError> {
    let defaults = LimitConfig::default();
    let count = |name: &'static str, default: u32| -> Result<u32, ConfigError> {
        number(set(name), name, 1..=1_000_000, default.into())
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
    };
    Ok(LimitConfig {
        window_secs: number(
            set("LIMIT_WINDOW_SECS"),
            "LIMIT_WINDOW_SECS",
            1..=86_400,
            defaults.window_secs,
        )?,
        registrations_per_ip: count("LIMIT_REGISTRATIONS_PER_IP", defaults.registrations_per_ip)?,
        registrations_per_email: count(
            "LIMIT_REGISTRATIONS_PER_EMAIL",
            defaults.registrations_per_email,
        )?,
        registrations_total: count("LIMIT_REGISTRATIONS_TOTAL", defaults.registrations_total)?,
        // The older name counted per session; the count is now the registration's.
        sends_per_registration: match set("LIMIT_SENDS_PER_REGISTRATION") {
            Some(_) => count(
                "LIMIT_SENDS_PER_REGISTRATION",
                defaults.sends_per_registration,
            )?,
            None => count("LIMIT_SENDS_PER_SESSION", defaults.sends_per_registration)?,
        },
        sends_per_phone: count("LIMIT_SENDS_PER_PHONE", defaults.sends_per_phone)?,
        sends_per_ip: count("LIMIT_SENDS_PER_IP", defaults.sends_per_ip)?,
        sends_total: count("LIMIT_SENDS_TOTAL", defaults.sends_total)?,
        resend_cooldown_secs: number(
            set("LIMIT_RESEND_COOLDOWN_SECS"),
            "LIMIT_RESEND_COOLDOWN_SECS",
            0..=3600,
            defaults.resend_cooldown_secs,
        )?,
        wrong_codes_per_code: count("LIMIT_WRONG_CODES", defaults.wrong_codes_per_code)?,
        code_checks_per_ip: count("LIMIT_CODE_CHECKS_PER_IP", defaults.code_checks_per_ip)?,
        code_checks_total: count("LIMIT_CODE_CHECKS_TOTAL", defaults.code_checks_total)?,
        connections_per_ip: count("LIMIT_CONNECTIONS_PER_IP", defaults.connections_per_ip)?,
        connections_per_username: count(
            "LIMIT_CONNECTIONS_PER_USERNAME",
            defaults.connections_per_username,
        )?,
        address_checks_per_ip: count(
            "LIMIT_ADDRESS_CHECKS_PER_IP",
            defaults.address_checks_per_ip,
        )?,
    })
}

/// Read even when switched off, so a bad value is caught before it is switched on.
fn reconcile(
    set: &impl Fn(&str) -> Option<String>,
) -> Result<Option<ReconcileSettings>, ConfigError> {
    let defaults = ReconcileSettings::default();
    let settings = ReconcileSettings {
        every: Duration::from_secs(number(
            set("RECONCILE_EVERY_SECS"),
            "RECONCILE_EVERY_SECS",
            1..=86_400,
            defaults.every.as_secs(),
        )?),
        grace: Duration::from_secs(
            60 * number(
                set("RECONCILE_GRACE_MINUTES"),
                "RECONCILE_GRACE_MINUTES",
                0..=10_080,
                defaults.grace.as_secs() / 60,
            )?,
        ),
    };
    match set("RECONCILE").as_deref().map(str::trim) {
        None | Some("on") => Ok(Some(settings)),
        Some("off") => Ok(None),
        Some(_) => Err(invalid("RECONCILE", "use on or off")),
    }
}

/// The operator's webhook receiver and the delivery's timing.
fn webhooks(set: &impl Fn(&str) -> Option<String>) -> Result<Option<WebhookConfig>, ConfigError> {
    let secret = set("OPERATOR_WEBHOOK_SECRET");
    let Some(url) = set("OPERATOR_WEBHOOK_URL") else {
        // A misspelt URL variable would otherwise turn delivery off without a word.
        return match secret {
            Some(_) => Err(invalid(
                "OPERATOR_WEBHOOK_SECRET",
                "it needs OPERATOR_WEBHOOK_URL too",
            )),
            None => Ok(None),
        };
    };
    let name = "OPERATOR_WEBHOOK_URL";
    let url = reqwest::Url::parse(url.trim())
        .map_err(|_| invalid(name, "use a URL like https://operator.example.com/webhooks"))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(invalid(
            name,
            "use an http(s) URL like https://operator.example.com/webhooks",
        ));
    }
    if url.scheme() == "http" && !is_loopback(&url) {
        return Err(invalid(
            name,
            "plain http would send merchants' details across the network in clear: use https \
             (http only to a loopback address)",
        ));
    }
    let secret = secret
        .and_then(WebhookSecret::new)
        .ok_or_else(|| ConfigError::Invalid {
            name: "OPERATOR_WEBHOOK_SECRET",
            why: format!("set it, at least {MIN_SECRET_CHARS} characters, to sign the webhooks"),
        })?;
    let secs = |name: &'static str, range, default: Duration| {
        number(set(name), name, range, default.as_secs()).map(Duration::from_secs)
    };
    let defaults = WebhookConfig::new(url, secret);
    Ok(Some(WebhookConfig {
        timeout: secs("WEBHOOK_TIMEOUT_SECS", 1..=300, defaults.timeout)?,
        schedule: RetrySchedule {
            base: secs(
                "WEBHOOK_BACKOFF_BASE_SECS",
                1..=3600,
                defaults.schedule.base,
            )?,
            retry_for: secs(
                "WEBHOOK_RETRY_FOR_SECS",
                1..=30 * 86_400,
                defaults.schedule.retry_for,
            )?,
        },
        poll_every: Duration::from_millis(number(
            set("WEBHOOK_POLL_MS"),
            "WEBHOOK_POLL_MS",
            10..=60_000,
            u64::try_from(defaults.poll_every.as_millis()).unwrap_or(1000),
        )?),
        ..defaults
    }))
}

pub(crate) fn number(
    raw: Option<String>,
    name: &'static str,
    range: std::ops::RangeInclusive<u64>,
    default: u64,
) -> Result<u64, ConfigError> {
    let Some(raw) = raw else {
        return Ok(default);
    };
    match raw.trim().parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(ConfigError::Invalid {
            name,
            why: format!(
                "use a whole number from {} to {}",
                range.start(),
                range.end()
            ),
        }),
    }
}

fn parse_public_origin(raw: &str) -> Result<PublicOrigin, ConfigError> {
    let name = "PUBLIC_ORIGIN";
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|_| invalid(name, "use an origin like https://connect.example.com"))?;
    let bare = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !matches!(url.scheme(), "https" | "http")
        || url.host_str().is_none()
        || !url.username().is_empty()
        || !bare
    {
        return Err(invalid(
            name,
            "use an origin like https://connect.example.com (scheme and host, no path)",
        ));
    }
    // `Url` drops a default port, as browsers do in `Origin`.
    Ok(PublicOrigin(url.origin().ascii_serialization()))
}

pub(crate) fn invalid(name: &'static str, why: &str) -> ConfigError {
    ConfigError::Invalid {
        name,
        why: why.to_owned(),
    }
}

fn parse_base_url(raw: &str) -> Result<String, ConfigError> {
    let name = "SHIPENGINE_BASE_URL";
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|_| invalid(name, "use a URL like https://api.shipengine.com"))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(invalid(
            name,
            "use an http(s) URL like https://api.shipengine.com",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(name, "it must not have a query or fragment"));
    }
    // The API key goes in a header of every call: over plain http anyone on the way reads it.
    if url.scheme() == "http" && !is_loopback(&url) {
        return Err(invalid(
            name,
            "plain http would send the API key across the network in clear: use https (http \
             only to a simulator on a loopback address)",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// `127.0.0.0/8`, `::1` or `localhost`: the machine itself.
pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    url.host_str().is_some_and(is_loopback_host)
}

/// Whether the host name `host` (an IPv6 literal bracketed or not) is the machine itself:
/// `localhost`, `127.0.0.0/8` or `::1`. The one check of the app's loopback exceptions.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A number already checked against a small range.
fn small(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn seconds(raw: Option<String>, name: &'static str, default: u64) -> Result<Duration, ConfigError> {
    number(raw, name, 1..=300, default).map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(|name| vars.get(name).cloned())
    }

    #[test]
    fn nothing_set_is_demo_mode_on_the_default_address() {
        let config = config(&[]).unwrap();
        assert!(config.api_key.is_none());
        assert_eq!(config.base_url, DEFAULT_BASE_URL);
        assert_eq!(config.listen_addr.to_string(), DEFAULT_LISTEN_ADDR);
        assert_eq!(config.upstream_timeout, Duration::from_secs(30));
        assert_eq!(config.upstream_retry, RetryPolicy::default());
        assert_eq!(
            config.database_url,
            DatabaseUrl::parse("sqlite://stamps-connect.db?mode=rwc").unwrap()
        );
        assert_eq!(config.database_max_connections, 10);
    }

    #[test]
    fn the_database_and_the_retries_are_read() {
        let config = config(&[
            ("DATABASE_URL", "postgres://app:pw@db.internal:5432/stamps"),
            ("DATABASE_MAX_CONNECTIONS", "40"),
            ("UPSTREAM_MAX_RETRIES", "0"),
            ("UPSTREAM_MAX_RETRY_WAIT_SECS", "12"),
        ])
        .unwrap();
        assert!(config.database_url.is_shared());
        assert_eq!(config.database_max_connections, 40);
        assert_eq!(
            config.upstream_retry,
            RetryPolicy {
                max_retries: 0,
                max_wait: Duration::from_secs(12),
            }
        );
        assert!(
            !format!("{config:?}").contains(":pw@"),
            "no password in Debug"
        );
    }

    #[test]
    fn a_key_and_a_base_url_are_taken() {
        let config = config(&[
            ("SHIPENGINE_API_KEY", "TEST_abc"),
            ("SHIPENGINE_BASE_URL", "http://127.0.0.1:4010/"),
            ("LISTEN_ADDR", "0.0.0.0:8080"),
        ])
        .unwrap();
        assert!(config.api_key.unwrap().is_sandbox());
        assert_eq!(config.base_url, "http://127.0.0.1:4010");
        assert_eq!(config.listen_addr.port(), 8080);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let cases = [
            (
                vec![("SHIPENGINE_API_KEY", "has space")],
                "SHIPENGINE_API_KEY",
            ),
            (
                vec![
                    ("SHIPENGINE_API_KEY", "k"),
                    ("SHIPENGINE_BASE_URL", "ftp://x"),
                ],
                "SHIPENGINE_BASE_URL",
            ),
            (
                vec![
                    ("SHIPENGINE_API_KEY", "k"),
                    ("SHIPENGINE_BASE_URL", "not a url"),
                ],
                "SHIPENGINE_BASE_URL",
            ),
            (
                vec![("SHIPENGINE_BASE_URL", "https://api.shipengine.com")],
                "SHIPENGINE_BASE_URL",
            ),
            (vec![("LISTEN_ADDR", "localhost")], "LISTEN_ADDR"),
            (
                vec![("UPSTREAM_TIMEOUT_SECS", "0")],
                "UPSTREAM_TIMEOUT_SECS",
            ),
            (
                vec![("PUBLIC_ORIGIN", "connect.example.com")],
                "PUBLIC_ORIGIN",
            ),
            (
                vec![("PUBLIC_ORIGIN", "https://connect.example.com/app")],
                "PUBLIC_ORIGIN",
            ),
            (vec![("TRUST_FORWARDED_FOR", "yes")], "TRUST_FORWARDED_FOR"),
            (vec![("DATABASE_URL", "mysql://db/stamps")], "DATABASE_URL"),
            (vec![("DATABASE_URL", "stamps.db")], "DATABASE_URL"),
            (
                vec![("DATABASE_MAX_CONNECTIONS", "0")],
                "DATABASE_MAX_CONNECTIONS",
            ),
            (vec![("UPSTREAM_MAX_RETRIES", "11")], "UPSTREAM_MAX_RETRIES"),
            (
                vec![("UPSTREAM_MAX_RETRY_WAIT_SECS", "61")],
                "UPSTREAM_MAX_RETRY_WAIT_SECS",
            ),
            (vec![("LOG_FORMAT", "xml")], "LOG_FORMAT"),
            (vec![("LIMIT_SENDS_PER_IP", "0")], "LIMIT_SENDS_PER_IP"),
            (vec![("LIMIT_SENDS_TOTAL", "many")], "LIMIT_SENDS_TOTAL"),
            (vec![("LIMIT_WINDOW_SECS", "-1")], "LIMIT_WINDOW_SECS"),
            (
                vec![("LIMIT_RESEND_COOLDOWN_SECS", "3601")],
                "LIMIT_RESEND_COOLDOWN_SECS",
            ),
        ];
        for (vars, name) in cases {
            let ConfigError::Invalid { name: got, .. } = config(&vars).unwrap_err();
            assert_eq!(got, name, "{vars:?}");
        }
    }

    #[test]
    fn by_default_the_origin_is_the_requests_own_and_limits_are_the_documented_ones() {
        let config = config(&[]).unwrap();
        assert_eq!(config.public_origin, None);
        assert!(!config.trust_forwarded_for);
        assert_eq!(config.log_format, LogFormat::Text);
        assert_eq!(config.limits, LimitConfig::default());
        assert_eq!(config.limits.sends_per_registration, 5);
        assert_eq!(config.limits.resend_cooldown_secs, 30);
    }

    #[test]
    fn a_public_origin_is_kept_as_browsers_write_it() {
        let https = config(&[("PUBLIC_ORIGIN", "https://Connect.Example.com:443/")]).unwrap();
        let origin = https.public_origin.unwrap();
        assert_eq!(origin.as_str(), "https://connect.example.com");
        assert!(origin.is_https());

        let http = config(&[("PUBLIC_ORIGIN", "http://127.0.0.1:3100")]).unwrap();
        let origin = http.public_origin.unwrap();
        assert_eq!(origin.as_str(), "http://127.0.0.1:3100");
        assert!(!origin.is_https());
    }

    #[test]
    fn limits_and_forwarding_are_read() {
        let config = config(&[
            ("TRUST_FORWARDED_FOR", "true"),
            ("LOG_FORMAT", "json"),
            ("LIMIT_WINDOW_SECS", "600"),
            ("LIMIT_REGISTRATIONS_PER_IP", "3"),
            ("LIMIT_REGISTRATIONS_PER_EMAIL", "2"),
            ("LIMIT_REGISTRATIONS_TOTAL", "50"),
            ("LIMIT_SENDS_PER_REGISTRATION", "4"),
            ("LIMIT_SENDS_PER_SESSION", "9"),
            ("LIMIT_SENDS_PER_PHONE", "6"),
            ("LIMIT_SENDS_PER_IP", "7"),
            ("LIMIT_SENDS_TOTAL", "80"),
            ("LIMIT_RESEND_COOLDOWN_SECS", "0"),
            ("LIMIT_WRONG_CODES", "2"),
            ("LIMIT_CODE_CHECKS_PER_IP", "8"),
            ("LIMIT_CODE_CHECKS_TOTAL", "90"),
            ("LIMIT_CONNECTIONS_PER_IP", "11"),
            ("LIMIT_CONNECTIONS_PER_USERNAME", "4"),
        ])
        .unwrap();
        assert!(config.trust_forwarded_for);
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(
            config.limits,
            LimitConfig {
                window_secs: 600,
                registrations_per_ip: 3,
                registrations_per_email: 2,
                registrations_total: 50,
                sends_per_registration: 4,
                sends_per_phone: 6,
                sends_per_ip: 7,
                sends_total: 80,
                resend_cooldown_secs: 0,
                wrong_codes_per_code: 2,
                code_checks_per_ip: 8,
                code_checks_total: 90,
                connections_per_ip: 11,
                connections_per_username: 4,
                address_checks_per_ip: 30,
            }
        );
    }

    #[test]
    fn plain_http_to_shipengine_only_on_loopback() {
        for loopback in [
            "http://127.0.0.1:4010",
            "http://127.0.0.2:4010",
            "http://[::1]:4010",
            "http://localhost:4010",
            "https://api.eu.shipengine.com",
        ] {
            let config = config(&[
                ("SHIPENGINE_API_KEY", "k"),
                ("SHIPENGINE_BASE_URL", loopback),
            ]);
            assert!(config.is_ok(), "{loopback}: {config:?}");
        }
        for remote in [
            "http://api.shipengine.com",
            "http://10.0.0.5:4010",
            "http://[2001:db8::1]",
            "http://localhost.example.com",
        ] {
            let ConfigError::Invalid { name, why } =
                config(&[("SHIPENGINE_API_KEY", "k"), ("SHIPENGINE_BASE_URL", remote)])
                    .unwrap_err();
            assert_eq!(name, "SHIPENGINE_BASE_URL", "{remote}");
            assert!(why.contains("in clear"), "{remote}: {why}");
        }
    }

    #[test]
    fn demo_mode_listens_on_loopback_unless_demo_public() {
        let ConfigError::Invalid { name, why } =
            config(&[("LISTEN_ADDR", "0.0.0.0:3000")]).unwrap_err();
        assert_eq!(name, "LISTEN_ADDR");
        assert!(why.contains("DEMO_PUBLIC"), "{why}");
        let ConfigError::Invalid { name, .. } =
            config(&[("LISTEN_ADDR", "[::]:3000"), ("DEMO_PUBLIC", "0")]).unwrap_err();
        assert_eq!(name, "LISTEN_ADDR");

        for (vars, public) in [
            (vec![("LISTEN_ADDR", "127.0.0.1:3000")], false),
            (vec![("LISTEN_ADDR", "[::1]:3000")], false),
            (
                vec![("LISTEN_ADDR", "0.0.0.0:3000"), ("DEMO_PUBLIC", "1")],
                true,
            ),
            (
                vec![("LISTEN_ADDR", "0.0.0.0:3000"), ("SHIPENGINE_API_KEY", "k")],
                false,
            ),
        ] {
            let config = config(&vars).unwrap_or_else(|e| panic!("{vars:?}: {e}"));
            assert_eq!(config.demo_public, public, "{vars:?}");
        }
        let ConfigError::Invalid { name, .. } = config(&[("DEMO_PUBLIC", "yes")]).unwrap_err();
        assert_eq!(name, "DEMO_PUBLIC");
    }

    #[test]
    fn http_timeouts_are_read_and_a_request_outlasts_a_registration() {
        assert_eq!(config(&[]).unwrap().http, HttpTimeouts::default());
        let defaults = config(&[]).unwrap();
        assert!(defaults.http.request > defaults.registration_settles_within());

        let config_with = |vars: &[(&str, &str)]| config(vars);
        let read = config_with(&[
            ("HTTP_HEADER_TIMEOUT_SECS", "1"),
            ("HTTP_BODY_TIMEOUT_SECS", "2"),
            ("HTTP_REQUEST_TIMEOUT_SECS", "300"),
            ("SHUTDOWN_GRACE_SECS", "0"),
        ])
        .unwrap();
        assert_eq!(
            read.http,
            HttpTimeouts {
                header: Duration::from_secs(1),
                body: Duration::from_secs(2),
                request: Duration::from_secs(300),
                shutdown_grace: Duration::ZERO,
            }
        );

        // Two address checks of 5 s, then 30 s × 3 attempts + 5 s of waits + 5 s to record it:
        // 110 s.
        let ConfigError::Invalid { name, why } =
            config_with(&[("HTTP_REQUEST_TIMEOUT_SECS", "110")]).unwrap_err();
        assert_eq!(name, "HTTP_REQUEST_TIMEOUT_SECS");
        assert!(why.contains("110 s"), "{why}");
        let shorter_calls = config_with(&[
            ("HTTP_REQUEST_TIMEOUT_SECS", "40"),
            ("UPSTREAM_TIMEOUT_SECS", "5"),
            ("UPSTREAM_MAX_RETRIES", "1"),
        ]);
        assert!(shorter_calls.is_ok(), "{shorter_calls:?}");

        for (name, value) in [
            ("HTTP_HEADER_TIMEOUT_SECS", "0"),
            ("HTTP_BODY_TIMEOUT_SECS", "301"),
            ("HTTP_REQUEST_TIMEOUT_SECS", "3601"),
            ("SHUTDOWN_GRACE_SECS", "-1"),
        ] {
            let ConfigError::Invalid { name: got, .. } = config_with(&[(name, value)]).unwrap_err();
            assert_eq!(got, name);
        }
    }

    #[test]
    fn the_key_never_shows_in_debug() {
        let config = config(&[("SHIPENGINE_API_KEY", "sk_secret_value_123")]).unwrap();
        assert!(!format!("{config:?}").contains("sk_secret_value_123"));
    }

    #[test]
    fn webhooks_need_a_safe_url_and_a_long_secret() {
        let none = config(&[]).unwrap();
        assert!(none.webhooks.is_none());

        let secret = "whsec_0123456789abcdef";
        let on = config(&[
            ("OPERATOR_WEBHOOK_URL", "https://operator.example.com/hooks"),
            ("OPERATOR_WEBHOOK_SECRET", secret),
        ])
        .unwrap();
        let webhooks = on.webhooks.as_ref().unwrap();
        assert_eq!(webhooks.url.as_str(), "https://operator.example.com/hooks");
        assert_eq!(webhooks.timeout, Duration::from_secs(10));
        assert_eq!(webhooks.schedule.retry_for, Duration::from_secs(259_200));
        assert_eq!(webhooks.schedule.base, Duration::from_secs(10));
        assert_eq!(webhooks.poll_every, Duration::from_secs(1));
        assert!(!format!("{on:?}").contains(secret), "no secret in Debug");

        let tuned = config(&[
            ("OPERATOR_WEBHOOK_URL", "http://127.0.0.1:9000/hooks"),
            ("OPERATOR_WEBHOOK_SECRET", secret),
            ("WEBHOOK_TIMEOUT_SECS", "3"),
            ("WEBHOOK_RETRY_FOR_SECS", "60"),
            ("WEBHOOK_BACKOFF_BASE_SECS", "2"),
            ("WEBHOOK_POLL_MS", "50"),
        ])
        .unwrap();
        let webhooks = tuned.webhooks.unwrap();
        assert_eq!(webhooks.timeout, Duration::from_secs(3));
        assert_eq!(webhooks.schedule.retry_for, Duration::from_secs(60));
        assert_eq!(webhooks.schedule.base, Duration::from_secs(2));
        assert_eq!(webhooks.poll_every, Duration::from_millis(50));

        let url = ("OPERATOR_WEBHOOK_URL", "https://operator.example.com/hooks");
        let long = ("OPERATOR_WEBHOOK_SECRET", secret);
        for (vars, name) in [
            (vec![long], "OPERATOR_WEBHOOK_SECRET"),
            (vec![url], "OPERATOR_WEBHOOK_SECRET"),
            (
                vec![url, ("OPERATOR_WEBHOOK_SECRET", "short")],
                "OPERATOR_WEBHOOK_SECRET",
            ),
            (
                vec![
                    ("OPERATOR_WEBHOOK_URL", "http://operator.example.com"),
                    long,
                ],
                "OPERATOR_WEBHOOK_URL",
            ),
            (
                vec![("OPERATOR_WEBHOOK_URL", "ftp://operator.example.com"), long],
                "OPERATOR_WEBHOOK_URL",
            ),
            (
                vec![("OPERATOR_WEBHOOK_URL", "operator.example.com"), long],
                "OPERATOR_WEBHOOK_URL",
            ),
            (
                vec![url, long, ("WEBHOOK_TIMEOUT_SECS", "0")],
                "WEBHOOK_TIMEOUT_SECS",
            ),
            (vec![url, long, ("WEBHOOK_POLL_MS", "5")], "WEBHOOK_POLL_MS"),
        ] {
            let ConfigError::Invalid { name: got, why } = config(&vars).unwrap_err();
            assert_eq!(got, name, "{vars:?}");
            assert!(!why.contains(secret));
        }
    }

    #[test]
    fn address_validation_is_on_unless_switched_off() {
        assert!(config(&[]).unwrap().address_validation);
        assert!(
            !config(&[("ADDRESS_VALIDATION", "off")])
                .unwrap()
                .address_validation
        );
        assert!(
            config(&[("ADDRESS_VALIDATION", "on")])
                .unwrap()
                .address_validation
        );
        assert_eq!(
            config(&[("ADDRESS_VALIDATION", "maybe")]).unwrap_err(),
            invalid("ADDRESS_VALIDATION", "use on or off")
        );
    }
}
