//! The operator's settings: who may call its API (tokens, as their SHA-256), where a link may
//! send a merchant back to, and whether the form is open to anyone.
//!
//! | Variable | Default | Meaning |
//! | --- | --- | --- |
//! | `OPERATOR_API_TOKEN_HASHES` | unset: API off | comma-separated hex SHA-256 of each accepted bearer token |
//! | `OPERATOR_RETURN_HOSTS` | unset: loopback only | comma-separated hosts a link's `return_url`/`refresh_url` may name |
//! | `PUBLIC_FORM` | `on` | `off`: the form only for a browser that came through an onboarding link |

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::server::config::ConfigError;

#[derive(Clone)]
pub struct OperatorConfig {
    /// The SHA-256 of each token the operator's backend may present. No token is kept in clear.
    token_hashes: Vec<[u8; 32]>,
    /// Hosts a link may send the merchant back to (lower case); empty: loopback hosts only.
    return_hosts: Vec<String>,
    /// The form at `/` is open to a browser that did not come through a link.
    pub public_form: bool,
}

impl std::fmt::Debug for OperatorConfig {
    // Hashes are no secret, but there is no reason to print them either.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorConfig")
            .field(
                "token_hashes",
                &format_args!("[{} hidden]", self.token_hashes.len()),
            )
            .field("return_hosts", &self.return_hosts)
            .field("public_form", &self.public_form)
            .finish()
    }
}

impl Default for OperatorConfig {
    fn default() -> Self {
        Self {
            token_hashes: Vec::new(),
            return_hosts: Vec::new(),
            public_form: true,
        }
    }
}

impl OperatorConfig {
    /// Reads the settings through `set` (a variable's value, `None` when unset or blank).
    pub fn from_vars(set: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let token_hashes = match set("OPERATOR_API_TOKEN_HASHES") {
            Some(raw) => list(&raw)
                .map(|hex| parse_sha256(&hex))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| ConfigError::Invalid {
                    name: "OPERATOR_API_TOKEN_HASHES",
                    why: "use comma-separated SHA-256 hashes, 64 hex digits each \
                          (printf %s \"$TOKEN\" | sha256sum)"
                        .into(),
                })?,
            None => Vec::new(),
        };
        let return_hosts = set("OPERATOR_RETURN_HOSTS")
            .map(|raw| list(&raw).map(|host| host.to_ascii_lowercase()).collect())
            .unwrap_or_default();
        let public_form = match set("PUBLIC_FORM").as_deref().map(str::trim) {
            None | Some("on" | "true" | "1") => true,
            Some("off" | "false" | "0") => false,
            Some(_) => {
                return Err(ConfigError::Invalid {
                    name: "PUBLIC_FORM",
                    why: "use on or off".into(),
                });
            }
        };
        Ok(Self {
            token_hashes,
            return_hosts,
            public_form,
        })
    }

    /// The API answers only when at least one token is configured.
    pub fn api_enabled(&self) -> bool {
        !self.token_hashes.is_empty()
    }

    /// Whether `presented` is one of the configured tokens. Its hash is compared with every
    /// configured one in constant time, so the answer's timing tells nothing of any of them.
    pub fn accepts_token(&self, presented: &str) -> bool {
        let presented: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        self.token_hashes
            .iter()
            .fold(subtle::Choice::from(0), |found, hash| {
                found | hash.as_slice().ct_eq(presented.as_slice())
            })
            .into()
    }

    /// The hosts a link may send the merchant back to; empty: loopback hosts only.
    pub fn return_hosts(&self) -> &[String] {
        &self.return_hosts
    }
}

fn list(raw: &str) -> impl Iterator<Item = String> + '_ {
    raw.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
}

fn parse_sha256(hex: &str) -> Option<[u8; 32]> {
    // `from_str_radix` alone would take a sign (`+a`): only hex digits.
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut hash = [0u8; 32];
    for (index, byte) in hash.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(index * 2..index * 2 + 2)?, 16).ok()?;
    }
    Some(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<OperatorConfig, ConfigError> {
        OperatorConfig::from_vars(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    const TOKEN_HASH: &str = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"; // "foo"

    #[test]
    fn tokens_are_checked_by_their_hash() {
        let config = config(&[("OPERATOR_API_TOKEN_HASHES", &format!(" {TOKEN_HASH} ,"))]).unwrap();
        assert!(config.api_enabled());
        assert!(config.accepts_token("foo"));
        assert!(!config.accepts_token("bar"));
        assert!(!config.accepts_token(TOKEN_HASH));
        assert!(!format!("{config:?}").contains(TOKEN_HASH));
    }

    #[test]
    fn defaults_and_bad_values() {
        let default = config(&[]).unwrap();
        assert!(!default.api_enabled() && default.public_form && default.return_hosts.is_empty());
        assert!(!config(&[("PUBLIC_FORM", "off")]).unwrap().public_form);
        let hosts = config(&[("OPERATOR_RETURN_HOSTS", "App.Example.com, b.example")]).unwrap();
        assert_eq!(hosts.return_hosts, ["app.example.com", "b.example"]);
        for bad in [
            ("OPERATOR_API_TOKEN_HASHES", "abc"),
            ("OPERATOR_API_TOKEN_HASHES", &"zz".repeat(32)),
            (
                "OPERATOR_API_TOKEN_HASHES",
                &format!("+a{}", &TOKEN_HASH[2..]),
            ),
            ("PUBLIC_FORM", "maybe"),
        ] {
            assert!(config(&[bad]).is_err(), "{bad:?}");
        }
    }
}
