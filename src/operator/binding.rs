//! What a browser's flow keeps of the onboarding link it began at (in its session): whose
//! merchant it is, where the done screen sends it back to, its language, and the registration
//! the operator vouched it may follow.

use serde::{Deserialize, Serialize};

use super::return_url::{check_return_url, with_query};
use crate::i18n::Locale;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkBinding {
    pub link_id: String,
    /// The operator's own id for the merchant; the registration's row stores it.
    pub merchant_ref: String,
    /// Checked when the link was minted: https to a host the operator listed (and again each
    /// time it is shown, against the hosts listed then).
    pub return_url: Option<String>,
    pub locale: Option<Locale>,
    /// The merchant's registration this browser was bound to when the link was opened (the
    /// operator vouches for its merchant): followed although another browser sent it.
    pub vouched_reference: Option<String>,
    /// The link allowed the merchant another account (not bound by one account per merchant).
    #[serde(default)]
    pub allow_another: bool,
}

impl LinkBinding {
    /// The done screen's way back to the operator: its `return_url`, with the outcome appended,
    /// while it passes the mint-time check against `allowed_hosts` (the hosts listed now: a host
    /// removed from `OPERATOR_RETURN_HOSTS` is no way back any more, for links minted before).
    pub fn return_to(
        &self,
        status: &str,
        carrier_id: &str,
        allowed_hosts: &[String],
    ) -> Option<String> {
        let return_url = match check_return_url(self.return_url.as_deref()?, allowed_hosts) {
            Ok(url) => url,
            Err(why) => {
                tracing::warn!(link_id = %self.link_id, why, "a link's return_url is no longer allowed");
                return None;
            }
        };
        with_query(
            &return_url,
            &[
                ("merchant_ref", self.merchant_ref.as_str()),
                ("status", status),
                ("carrier_id", carrier_id),
            ],
        )
    }
}
