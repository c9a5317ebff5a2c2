//! Step 3: the account is open and verified.

mod view;

pub use view::DoneView;

use serde::{Deserialize, Serialize};

use crate::postage::Money;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoneScreen {
    pub nickname: String,
    pub carrier_id: String,
    /// Back to the operator's platform, with the outcome in its query, when the flow began at
    /// an onboarding link that gave a `return_url`.
    pub return_to: Option<String>,
    /// The postage balance, when ShipEngine gave it in time (see `postage::with_balance`).
    pub balance: Option<Money>,
    /// `FUNDING` is on: the screen links to "Add postage".
    pub add_postage: bool,
}
