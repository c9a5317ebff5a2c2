//! What the client needs to start: where ShipEngine is, the secret key, and how long to wait.

use std::fmt;
use std::time::Duration;

use super::RetryPolicy;

/// A ShipEngine API key. It is a secret: `Debug` masks it, and there is no `Display` or
/// `Serialize`, so it cannot end up in a log line, a page or a session by accident.
#[derive(Clone)]
pub struct ApiKey(String);

const SANDBOX_PREFIX: &str = "TEST_";

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidApiKey {
    #[error("the ShipEngine API key is empty")]
    Empty,
    /// Whitespace usually means a copy-paste accident; control or non-ASCII characters could not
    /// be sent in a header anyway.
    #[error(
        "the ShipEngine API key contains whitespace or a character that is not printable ASCII"
    )]
    InvalidCharacter,
}

impl ApiKey {
    /// Accepts any non-empty run of printable ASCII: the key format is not documented, so this
    /// checks no more than the official SDKs do (research notes §5).
    pub fn new(raw: String) -> Result<Self, InvalidApiKey> {
        if raw.is_empty() {
            return Err(InvalidApiKey::Empty);
        }
        if !raw.bytes().all(|byte| byte.is_ascii_graphic()) {
            return Err(InvalidApiKey::InvalidCharacter);
        }
        Ok(Self(raw))
    }

    /// Sandbox keys cannot link carrier accounts: the app warns the operator about them.
    pub fn is_sandbox(&self) -> bool {
        self.0.starts_with(SANDBOX_PREFIX)
    }

    pub(super) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = if self.is_sandbox() {
            SANDBOX_PREFIX
        } else {
            ""
        };
        write!(f, "ApiKey({prefix}***)")
    }
}

#[derive(Debug)]
pub struct ClientConfig {
    /// For example `https://api.shipengine.com`; a trailing slash is tolerated.
    pub base_url: String,
    pub api_key: ApiKey,
    /// How long to wait for a connection (DNS, TCP and TLS).
    pub connect_timeout: Duration,
    /// How long a whole call may take, connection and response body included.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// The most calls this instance has in flight at once; the rest wait their turn, so no
    /// burst can spend the key's rate limit for every other merchant.
    pub max_concurrent: usize,
}

impl ClientConfig {
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    pub const DEFAULT_MAX_CONCURRENT: usize = 16;

    /// A configuration with the default timeouts and retries.
    pub fn new(base_url: impl Into<String>, api_key: ApiKey) -> Self {
        Self {
            base_url: base_url.into(),
            api_key,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            timeout: Self::DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            max_concurrent: Self::DEFAULT_MAX_CONCURRENT,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClientBuildError {
    #[error(
        "the ShipEngine base URL must be an absolute http(s) URL without credentials, query or fragment"
    )]
    InvalidBaseUrl,
    #[error("the ShipEngine API key cannot be sent as a header")]
    InvalidApiKeyHeader,
    #[error("could not build the HTTP client")]
    Http(#[source] reqwest::Error),
}

/// Normalises `raw` to `scheme://host[:port][/prefix]` with no trailing slash, so endpoint paths
/// can simply be appended.
pub(super) fn normalized_base_url(raw: &str) -> Result<String, ClientBuildError> {
    let url = reqwest::Url::parse(raw).map_err(|_| ClientBuildError::InvalidBaseUrl)?;
    // Credentials in the URL would be needless (the key goes in a header) and would reach logs.
    let usable = matches!(url.scheme(), "http" | "https")
        && url.has_host()
        && url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    if !usable {
        return Err(ClientBuildError::InvalidBaseUrl);
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SANDBOX_KEY: &str = "TEST_bTYAskEX6tD7vv6u/cZ/M4LaUSWBJ219+8S1jgFcnkk";
    const PRODUCTION_KEY: &str = "4WrQpShzaZvpRixBxwSLoYdXaGeU+LCpVsQjaKBFloU";

    #[test]
    fn api_key_accepts_documented_sample_keys_and_classifies_sandbox() {
        let sandbox = ApiKey::new(SANDBOX_KEY.into()).unwrap();
        let production = ApiKey::new(PRODUCTION_KEY.into()).unwrap();
        assert!(sandbox.is_sandbox());
        assert!(!production.is_sandbox());
        assert_eq!(production.expose(), PRODUCTION_KEY);
    }

    #[test]
    fn api_key_rejects_empty_whitespace_and_control_characters() {
        assert_eq!(
            ApiKey::new(String::new()).unwrap_err(),
            InvalidApiKey::Empty
        );
        for raw in [
            " ", " key", "key ", "ke y", "key\n", "key\t", "ke\u{0}y", "kéy",
        ] {
            assert_eq!(
                ApiKey::new(raw.into()).unwrap_err(),
                InvalidApiKey::InvalidCharacter,
                "{raw:?}"
            );
        }
    }

    #[test]
    fn api_key_debug_never_shows_the_key() {
        assert_eq!(
            format!("{:?}", ApiKey::new(PRODUCTION_KEY.into()).unwrap()),
            "ApiKey(***)"
        );
        assert_eq!(
            format!("{:?}", ApiKey::new(SANDBOX_KEY.into()).unwrap()),
            "ApiKey(TEST_***)"
        );
        let config = ClientConfig::new(
            "https://api.shipengine.com",
            ApiKey::new(PRODUCTION_KEY.into()).unwrap(),
        );
        let debug = format!("{config:?}");
        assert!(!debug.contains(PRODUCTION_KEY), "{debug}");
        assert!(debug.contains("ApiKey(***)"), "{debug}");
    }

    #[test]
    fn base_url_is_normalised_without_trailing_slash() {
        for (raw, expected) in [
            ("https://api.shipengine.com", "https://api.shipengine.com"),
            ("https://api.shipengine.com/", "https://api.shipengine.com"),
            ("http://127.0.0.1:4010", "http://127.0.0.1:4010"),
            (
                "http://localhost:4010/prefix/",
                "http://localhost:4010/prefix",
            ),
        ] {
            assert_eq!(normalized_base_url(raw).unwrap(), expected);
        }
    }

    #[test]
    fn base_url_rejects_non_http_relative_and_query_urls() {
        for raw in [
            "",
            "api.shipengine.com",
            "ftp://api.shipengine.com",
            "https://x.test/?a=b",
            "https://x.test/#f",
            "https://user:secret@x.test",
            "unix:/tmp/sock",
        ] {
            assert!(
                matches!(
                    normalized_base_url(raw),
                    Err(ClientBuildError::InvalidBaseUrl)
                ),
                "{raw:?}"
            );
        }
    }
}
