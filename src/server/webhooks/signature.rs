//! The signature every webhook carries, as Stripe signs its own: `t=<unix seconds>,v1=<hex
//! HMAC-SHA256 of "<t>.<body>">`. The time inside what is signed lets a receiver refuse an old
//! request replayed.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header that carries [`sign`]'s value.
pub const SIGNATURE_HEADER: &str = "Stamps-Connect-Signature";
/// The header that carries the event's id (also in the body): the receiver's key to drop a
/// repeat.
pub const EVENT_ID_HEADER: &str = "Stamps-Connect-Event-Id";

/// The shortest secret accepted (`OPERATOR_WEBHOOK_SECRET`).
pub const MIN_SECRET_CHARS: usize = 16;

/// The secret shared with the operator's receiver. Never logged: its `Debug` says nothing.
#[derive(Clone)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// `None` when shorter than [`MIN_SECRET_CHARS`].
    pub fn new(secret: impl Into<String>) -> Option<Self> {
        let secret = secret.into();
        (secret.chars().count() >= MIN_SECRET_CHARS).then_some(Self(secret))
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(redacted)")
    }
}

/// The `Stamps-Connect-Signature` value of `body` sent at `unix_seconds`.
pub fn sign(secret: &WebhookSecret, unix_seconds: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.0.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex = crate::hex::encode(&digest);
    format!("t={unix_seconds},v1={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> WebhookSecret {
        WebhookSecret::new("whsec_0123456789abcdef").unwrap()
    }

    #[test]
    fn a_known_answer() {
        // python3 -c 'import hmac,hashlib; print(hmac.new(b"whsec_0123456789abcdef",
        //   b"1700000000.{\"id\":\"evt_1\"}", hashlib.sha256).hexdigest())'
        assert_eq!(
            sign(&secret(), 1_700_000_000, r#"{"id":"evt_1"}"#),
            "t=1700000000,v1=dea1657bd5053cb0f8a75ebf0bd3d22e0cdeb79563b44db6b88864e522fb8bc4"
        );
    }

    #[test]
    fn the_time_the_body_and_the_secret_each_change_it() {
        let body = r#"{"id":"evt_1"}"#;
        let signed = sign(&secret(), 1_700_000_000, body);
        assert_ne!(sign(&secret(), 1_700_000_001, body)[14..], signed[14..]);
        assert_ne!(sign(&secret(), 1_700_000_000, r#"{"id":"evt_2"}"#), signed);
        let other = WebhookSecret::new("whsec_0123456789abcdeF").unwrap();
        assert_ne!(sign(&other, 1_700_000_000, body), signed);
    }

    #[test]
    fn a_short_secret_is_refused_and_none_is_ever_shown() {
        assert!(WebhookSecret::new("fifteen_chars__").is_none());
        assert!(WebhookSecret::new("sixteen_chars___").is_some());
        assert_eq!(format!("{:?}", secret()), "WebhookSecret(redacted)");
    }
}
