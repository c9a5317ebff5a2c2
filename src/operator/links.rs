//! Minting an onboarding link: the operator's backend asks for one per merchant, and hands the
//! URL to that merchant. The token is 32 random bytes; only its SHA-256 is stored, and it is
//! never logged.

use base64::Engine;
use rand::RngCore;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::OperatorError;
use super::error::internal;
use super::return_url::check_return_url;
use crate::i18n::Locale;
use crate::operator::OperatorConfig;
use crate::registration::{RegistrationField, RegistrationForm};
use crate::server::storage::{Database, NewLink};

/// How long a link lasts unless the operator says otherwise, and at most.
const DEFAULT_EXPIRES_IN_SECS: u64 = 900;
const MAX_EXPIRES_IN_SECS: u64 = 604_800;
const MAX_MERCHANT_REF_CHARS: usize = 200;
const MAX_PREFILL_CHARS: usize = 200;

/// `POST /operator/v1/links`'s body. Unknown fields are refused: a card field is never taken.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MintRequest {
    pub merchant_ref: String,
    #[serde(default)]
    pub prefill: Option<Prefill>,
    #[serde(default)]
    pub return_url: Option<String>,
    #[serde(default)]
    pub refresh_url: Option<String>,
    #[serde(default)]
    pub expires_in: Option<u64>,
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub allow_another: bool,
}

/// The form's fields the operator may fill in, by the form's own names: every field of the
/// registration form ([`RegistrationField`], declared once by `form_fields!`) but the card's and
/// the carrier agreement, which only the merchant gives. A field added to the form is
/// prefillable without another list; any other name is refused.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    try_from = "BTreeMap<String, String>",
    into = "BTreeMap<String, String>"
)]
pub struct Prefill(BTreeMap<String, String>);

/// The form's fields no one but the merchant fills in.
const NOT_PREFILLABLE: [RegistrationField; 5] = [
    RegistrationField::AgreeToCarrierTerms,
    RegistrationField::CardName,
    RegistrationField::CardNumber,
    RegistrationField::CardExpMonth,
    RegistrationField::CardExpYear,
];

impl TryFrom<BTreeMap<String, String>> for Prefill {
    type Error = String;

    fn try_from(fields: BTreeMap<String, String>) -> Result<Self, String> {
        for name in fields.keys() {
            match RegistrationField::from_name(name) {
                None => return Err(format!("unknown field `{name}` in prefill")),
                Some(field) if NOT_PREFILLABLE.contains(&field) => {
                    return Err(format!(
                        "`{name}` is never prefilled: only the merchant gives it"
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(Self(fields))
    }
}

impl From<Prefill> for BTreeMap<String, String> {
    fn from(prefill: Prefill) -> Self {
        prefill.0
    }
}

impl Prefill {
    /// Each field given, by its form name.
    fn fields(&self) -> impl Iterator<Item = (RegistrationField, &str)> {
        self.0
            .iter()
            .filter_map(|(name, value)| Some((RegistrationField::from_name(name)?, value.as_str())))
    }

    /// The form as the merchant first sees it: these fields filled in, the rest (the card's
    /// included) blank. The merchant may change any of them.
    pub fn into_draft(self) -> RegistrationForm {
        // The form's own deserialisation: every field it does not name is left at its default.
        let fields: serde_json::Map<String, serde_json::Value> = self
            .0
            .into_iter()
            .map(|(name, value)| (name, serde_json::Value::String(value)))
            .collect();
        serde_json::from_value(serde_json::Value::Object(fields)).unwrap_or_default()
    }
}

/// What the operator gets back: the URL to hand to its merchant.
#[derive(Debug, Serialize)]
pub struct MintedLink {
    pub url: String,
    /// Unix seconds.
    pub expires_at: i64,
    pub id: String,
}

/// A link's token: shown once, in the URL; stored and compared as its hash only.
pub struct LinkToken(String);

impl std::fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkToken([redacted])")
    }
}

impl LinkToken {
    fn mint() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token as it came in an address, if it has the shape this app mints.
    pub fn from_path(raw: &str) -> Option<Self> {
        (raw.len() == 43
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then(|| Self(raw.to_owned()))
    }

    /// What the database stores and looks the link up by.
    pub fn hash(&self) -> String {
        crate::hex::encode(&Sha256::digest(self.0.as_bytes()))
    }
}

/// Checks `request`, stores the link and returns its URL on `origin` (the app's own, as
/// merchants reach it).
pub async fn mint_link(
    database: &Database,
    config: &OperatorConfig,
    origin: &str,
    request: MintRequest,
    now_ms: i64,
) -> Result<MintedLink, OperatorError> {
    check_merchant_ref(&request.merchant_ref)?;
    let prefill = request.prefill.unwrap_or_default();
    check_prefill(&prefill)?;
    let return_url = checked_url("return_url", request.return_url.as_deref(), config)?;
    let refresh_url = checked_url("refresh_url", request.refresh_url.as_deref(), config)?;
    let expires_in = request.expires_in.unwrap_or(DEFAULT_EXPIRES_IN_SECS);
    if !(1..=MAX_EXPIRES_IN_SECS).contains(&expires_in) {
        return Err(OperatorError::invalid(
            "expires_in",
            format!("must be from 1 to {MAX_EXPIRES_IN_SECS} seconds"),
        ));
    }
    let locale = match request.locale.as_deref() {
        None => None,
        Some(tag) => Some(
            Locale::ALL
                .iter()
                .find(|locale| locale.tag() == tag)
                .ok_or_else(|| OperatorError::invalid("locale", "must be en or es"))?
                .tag(),
        ),
    };
    let prefill = (prefill != Prefill::default())
        .then(|| serde_json::to_string(&prefill))
        .transpose()
        .map_err(internal)?;
    let token = LinkToken::mint();
    let id = format!("lnk_{}", uuid::Uuid::new_v4().simple());
    let expires_at_ms = now_ms.saturating_add(i64::try_from(expires_in * 1000).unwrap_or(0));
    database
        .insert_link(&NewLink {
            id: &id,
            token_hash: &token.hash(),
            merchant_ref: &request.merchant_ref,
            prefill: prefill.as_deref(),
            return_url: return_url.as_deref(),
            refresh_url: refresh_url.as_deref(),
            locale,
            allow_another: request.allow_another,
            created_at_ms: now_ms,
            expires_at_ms,
        })
        .await
        .map_err(internal)?;
    tracing::info!(link_id = %id, merchant_ref = %request.merchant_ref, expires_in, "onboarding link minted");
    Ok(MintedLink {
        url: format!("{origin}/start/{}", token.0),
        expires_at: expires_at_ms / 1000,
        id,
    })
}

fn check_merchant_ref(merchant_ref: &str) -> Result<(), OperatorError> {
    let count = merchant_ref.chars().count();
    if merchant_ref.trim().is_empty()
        || count > MAX_MERCHANT_REF_CHARS
        || merchant_ref.chars().any(char::is_control)
    {
        return Err(OperatorError::invalid(
            "merchant_ref",
            format!("must be 1 to {MAX_MERCHANT_REF_CHARS} printable characters"),
        ));
    }
    Ok(())
}

fn check_prefill(prefill: &Prefill) -> Result<(), OperatorError> {
    for (field, value) in prefill.fields() {
        let name = field.name();
        if field == RegistrationField::Residential && !matches!(value, "yes" | "no") {
            return Err(OperatorError::Invalid {
                field: Some(name),
                message: "prefill.residential must be yes or no".into(),
            });
        }
        if value.chars().count() > MAX_PREFILL_CHARS || value.chars().any(char::is_control) {
            return Err(OperatorError::Invalid {
                field: Some(name),
                message: format!(
                    "prefill.{name} must be at most {MAX_PREFILL_CHARS} printable characters"
                ),
            });
        }
    }
    Ok(())
}

fn checked_url(
    field: &'static str,
    raw: Option<&str>,
    config: &OperatorConfig,
) -> Result<Option<String>, OperatorError> {
    raw.map(|raw| {
        check_return_url(raw, config.return_hosts())
            .map_err(|why| OperatorError::invalid(field, format!("{field} {why}")))
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_43_url_safe_characters_and_never_printed() {
        let token = LinkToken::mint();
        assert_eq!(token.0.len(), 43);
        assert!(LinkToken::from_path(&token.0).is_some());
        assert_eq!(token.hash().len(), 64);
        assert!(!format!("{token:?}").contains(&token.0));
        assert!(LinkToken::from_path("short").is_none());
        assert!(LinkToken::from_path(&"a/".repeat(21)).is_none());
    }

    #[test]
    fn card_fields_and_unknown_fields_are_refused() {
        let refused = serde_json::from_str::<MintRequest>(
            r#"{"merchant_ref":"m","prefill":{"card_number":"4111111111111111"}}"#,
        );
        assert!(refused.is_err());
        assert!(serde_json::from_str::<MintRequest>(r#"{"merchant_ref":"m","x":1}"#).is_err());
        for never in [
            "card_name",
            "card_exp_month",
            "card_exp_year",
            "agree_to_carrier_terms",
        ] {
            let body = format!(r#"{{"merchant_ref":"m","prefill":{{"{never}":"x"}}}}"#);
            assert!(
                serde_json::from_str::<MintRequest>(&body).is_err(),
                "{never}"
            );
        }
        assert!(serde_json::from_str::<Prefill>(r#"{"idempotency_key":"k"}"#).is_err());
        let prefill: Prefill =
            serde_json::from_str(r#"{"email":"a@example.com","residential":"no"}"#).unwrap();
        // Stored and read back as it came.
        let stored = serde_json::to_string(&prefill).unwrap();
        assert_eq!(serde_json::from_str::<Prefill>(&stored).unwrap(), prefill);
        let draft = prefill.into_draft();
        assert_eq!(
            (draft.email.as_str(), draft.residential.as_str()),
            ("a@example.com", "no")
        );
        assert!(!draft.agree_to_carrier_terms && draft.card_number.is_empty());
    }

    #[test]
    fn residential_is_yes_or_no() {
        let prefill = |value: &str| -> Prefill {
            serde_json::from_value(serde_json::json!({ "residential": value })).unwrap()
        };
        assert!(check_prefill(&prefill("yes")).is_ok());
        assert!(check_prefill(&prefill("no")).is_ok());
        assert!(check_prefill(&prefill("maybe")).is_err());
    }

    #[test]
    fn merchant_refs_are_printable_and_bounded() {
        assert!(check_merchant_ref("shop-42").is_ok());
        assert!(check_merchant_ref(&"é".repeat(200)).is_ok());
        for bad in ["", "  ", "a\nb", &"x".repeat(201)] {
            assert!(check_merchant_ref(bad).is_err(), "{bad:?}");
        }
    }
}
