//! Configuration, read once from the environment at start-up. A bad value stops start-up with
//! one clear line.

use std::net::SocketAddr;
use std::time::Duration;

use crate::server::shipengine::ApiKey;

pub const DEFAULT_BASE_URL: &str = "https://api.shipengine.com";
pub const DEFAULT_LISTEN_ADDR: &str = "127.0.0.1:3000";

#[derive(Debug)]
pub struct Config {
    /// `None` runs the app in demo mode against the embedded simulator.
    pub api_key: Option<ApiKey>,
    pub base_url: String,
    pub listen_addr: SocketAddr,
    pub upstream_connect_timeout: Duration,
    pub upstream_timeout: Duration,
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
        let listen_addr = set("LISTEN_ADDR")
            .unwrap_or_else(|| DEFAULT_LISTEN_ADDR.to_owned())
            .parse()
            .map_err(|_| invalid("LISTEN_ADDR", "use an address and port like 127.0.0.1:3000"))?;
        let upstream_connect_timeout = seconds(
            set("UPSTREAM_CONNECT_TIMEOUT_SECS"),
            "UPSTREAM_CONNECT_TIMEOUT_SECS",
            5,
        )?;
        let upstream_timeout = seconds(set("UPSTREAM_TIMEOUT_SECS"), "UPSTREAM_TIMEOUT_SECS", 30)?;

        Ok(Self {
            api_key,
            base_url,
            listen_addr,
            upstream_connect_timeout,
            upstream_timeout,
        })
    }
}

fn invalid(name: &'static str, why: &str) -> ConfigError {
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
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn seconds(raw: Option<String>, name: &'static str, default: u64) -> Result<Duration, ConfigError> {
    match raw {
        None => Ok(Duration::from_secs(default)),
        Some(raw) => match raw.trim().parse::<u64>() {
            Ok(secs) if (1..=300).contains(&secs) => Ok(Duration::from_secs(secs)),
            _ => Err(invalid(name, "use a whole number of seconds from 1 to 300")),
        },
    }
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
        ];
        for (vars, name) in cases {
            let ConfigError::Invalid { name: got, .. } = config(&vars).unwrap_err();
            assert_eq!(got, name, "{vars:?}");
        }
    }

    #[test]
    fn the_key_never_shows_in_debug() {
        let config = config(&[("SHIPENGINE_API_KEY", "sk_secret_value_123")]).unwrap();
        assert!(!format!("{config:?}").contains("sk_secret_value_123"));
    }
}
