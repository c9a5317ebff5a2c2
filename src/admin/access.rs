//! Who may open the console, as configured: a password (its argon2 hash, `ADMIN_PASSWORD_HASH`),
//! a header the operator's single sign-on proxy sets (`ADMIN_TRUSTED_HEADER`), or both. With
//! neither, the console does not exist (its paths are 404).

use std::fmt;
use std::io::BufRead;
use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::SaltString;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use axum::http::{HeaderMap, HeaderName};
use rand::RngCore;

use crate::server::config::{ConfigError, invalid, number};

/// The shortest password `hash-admin-password` accepts.
const MIN_PASSWORD_CHARS: usize = 12;
/// The longest name a sign-in or the proxy's header may give (it goes in the audit log).
pub const MAX_NAME_CHARS: usize = 100;

#[derive(Clone, Default)]
pub struct AdminAccess {
    /// A PHC string checked at start-up (`$argon2id$…`).
    password_hash: Option<Arc<str>>,
    /// The header whose value is the admin's name, set by the proxy in front of the app.
    pub trusted_header: Option<HeaderName>,
    /// Password tries per address within 15 minutes, then refused: see
    /// [`crate::server::limits::admin_sign_in_counts`].
    pub failures_per_ip: u32,
    /// Password tries from all addresses within 15 minutes, then slowed down (never refused).
    pub failures_total: u32,
    /// Past `failures_total`, each try waits this much more than the one before...
    pub slowdown_step: Duration,
    /// ...up to this.
    pub slowdown_max: Duration,
}

impl fmt::Debug for AdminAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminAccess")
            .field("password", &self.password_hash.as_ref().map(|_| "<hash>"))
            .field("trusted_header", &self.trusted_header)
            .field("failures_per_ip", &self.failures_per_ip)
            .field("failures_total", &self.failures_total)
            .field("slowdown_step", &self.slowdown_step)
            .field("slowdown_max", &self.slowdown_max)
            .finish()
    }
}

impl AdminAccess {
    /// `ADMIN_PASSWORD_HASH`, `ADMIN_TRUSTED_HEADER`, `ADMIN_SIGN_IN_FAILURES_PER_IP` (5),
    /// `ADMIN_SIGN_IN_FAILURES_TOTAL` (50), `ADMIN_SIGN_IN_SLOWDOWN_STEP_MS` (500) and
    /// `ADMIN_SIGN_IN_SLOWDOWN_MAX_MS` (10000), read through `set` (unset or blank is `None`).
    pub fn from_vars(set: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let password_hash = set("ADMIN_PASSWORD_HASH")
            .map(|raw| {
                let raw = raw.trim().to_owned();
                match PasswordHash::new(&raw) {
                    Ok(hash) if hash.algorithm.as_str().starts_with("argon2") => Ok(raw.into()),
                    _ => Err(invalid(
                        "ADMIN_PASSWORD_HASH",
                        "use the $argon2id$… line `stamps-connect hash-admin-password` prints",
                    )),
                }
            })
            .transpose()?;
        let trusted_header = set("ADMIN_TRUSTED_HEADER")
            .map(|raw| {
                HeaderName::from_bytes(raw.trim().as_bytes()).map_err(|_| {
                    invalid(
                        "ADMIN_TRUSTED_HEADER",
                        "use a header name like X-Forwarded-Email",
                    )
                })
            })
            .transpose()?;
        let count = |name: &'static str, default: u64| {
            number(set(name), name, 1..=100_000, default).map(|n| u32::try_from(n).unwrap_or(1))
        };
        let millis = |name: &'static str, default: u64| {
            number(set(name), name, 1..=60_000, default).map(Duration::from_millis)
        };
        Ok(Self {
            password_hash,
            trusted_header,
            failures_per_ip: count("ADMIN_SIGN_IN_FAILURES_PER_IP", 5)?,
            failures_total: count("ADMIN_SIGN_IN_FAILURES_TOTAL", 50)?,
            slowdown_step: millis("ADMIN_SIGN_IN_SLOWDOWN_STEP_MS", 500)?,
            slowdown_max: millis("ADMIN_SIGN_IN_SLOWDOWN_MAX_MS", 10_000)?,
        })
    }

    /// How long a sign-in try waits when `tries` were made from all addresses within the window
    /// (this one included): nothing up to `failures_total`, then a step more for each try past
    /// it, at most `slowdown_max`.
    pub fn slowdown(&self, tries: u64) -> Option<Duration> {
        let past = tries
            .checked_sub(u64::from(self.failures_total))
            .filter(|n| *n > 0)?;
        let past = u32::try_from(past).unwrap_or(u32::MAX);
        Some(
            self.slowdown_step
                .checked_mul(past)
                .unwrap_or(self.slowdown_max)
                .min(self.slowdown_max),
        )
    }

    /// Whether the console exists at all.
    pub fn is_enabled(&self) -> bool {
        self.password_hash.is_some() || self.trusted_header.is_some()
    }

    pub fn accepts_passwords(&self) -> bool {
        self.password_hash.is_some()
    }

    /// The admin's name, as the single sign-on proxy's header gives it: only when the header is
    /// configured, and only a name that can go in the audit log as it is.
    pub fn name_from_proxy(&self, headers: &HeaderMap) -> Option<String> {
        let header = self.trusted_header.as_ref()?;
        let value = headers.get(header)?.to_str().ok()?;
        valid_name(value)
    }

    /// Whether `password` is the admin password. Argon2 is slow on purpose: it runs on a
    /// blocking thread, never on the async runtime.
    pub async fn password_matches(&self, password: String) -> bool {
        let Some(hash) = self.password_hash.clone() else {
            return false;
        };
        let checked = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash).is_ok_and(|hash| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &hash)
                    .is_ok()
            })
        })
        .await;
        checked.unwrap_or_else(|error| {
            tracing::error!(%error, "the password check did not finish");
            false
        })
    }
}

/// `raw` trimmed, when it is a name fit for the audit log: 1 to [`MAX_NAME_CHARS`] characters,
/// no control characters.
pub fn valid_name(raw: &str) -> Option<String> {
    let name = raw.trim();
    let fits = !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && !name.chars().any(char::is_control);
    fits.then(|| name.to_owned())
}

/// The PHC string of `password` with argon2id's default (OWASP) cost and a random salt.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt)?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// `stamps-connect hash-admin-password`: reads the password from the first line of stdin (so it
/// stays out of the shell's history and the process list) and prints its hash for
/// `ADMIN_PASSWORD_HASH`.
pub fn hash_password_command() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|error| format!("could not read the password from stdin: {error}"))?;
    let password = line.trim_end_matches(['\n', '\r']);
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "the password must be at least {MIN_PASSWORD_CHARS} characters long"
        ));
    }
    hash_password(password).map_err(|error| format!("could not hash the password: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(vars: &[(&str, &str)]) -> Result<AdminAccess, ConfigError> {
        AdminAccess::from_vars(&|name: &str| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn nothing_configured_is_no_console() {
        let access = access(&[]).unwrap();
        assert!(!access.is_enabled());
        assert_eq!((access.failures_per_ip, access.failures_total), (5, 50));
    }

    #[test]
    fn only_an_argon2_hash_and_a_header_name_are_taken() {
        assert!(access(&[("ADMIN_PASSWORD_HASH", "hunter2")]).is_err());
        assert!(access(&[("ADMIN_TRUSTED_HEADER", "not a header")]).is_err());
        let hash = hash_password("correct horse battery").unwrap();
        let access = access(&[
            ("ADMIN_PASSWORD_HASH", &hash),
            ("ADMIN_TRUSTED_HEADER", "X-Forwarded-Email"),
        ])
        .unwrap();
        assert!(access.accepts_passwords() && access.is_enabled());
        assert!(!format!("{access:?}").contains(&hash), "never in a log");
    }

    #[tokio::test]
    async fn the_password_is_checked_against_its_hash() {
        let hash = hash_password("correct horse battery").unwrap();
        let access = access(&[("ADMIN_PASSWORD_HASH", &hash)]).unwrap();
        assert!(
            access
                .password_matches("correct horse battery".into())
                .await
        );
        assert!(
            !access
                .password_matches("Correct horse battery".into())
                .await
        );
    }

    #[test]
    fn a_name_is_trimmed_and_kept_short_and_printable() {
        assert_eq!(
            valid_name("  ana@example.com "),
            Some("ana@example.com".into())
        );
        assert_eq!(valid_name("   "), None);
        assert_eq!(valid_name("ana\nroot"), None);
        assert_eq!(valid_name(&"a".repeat(MAX_NAME_CHARS + 1)), None);
    }
}
