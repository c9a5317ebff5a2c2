//! The screen a merchant is on, as the server decides it and the browser renders it.

use serde::{Deserialize, Serialize};

use crate::done::DoneScreen;
use crate::registration::RegisterScreen;
use crate::verification::VerifyScreen;

/// One of the three steps, with what its view needs. Server functions return the next one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[allow(clippy::large_enum_variant)] // one per request or page: boxing would buy nothing
pub enum Screen {
    Register(RegisterScreen),
    Verify(VerifyScreen),
    Done(DoneScreen),
}

/// Everything the page is rendered from. The screen is also embedded in the page, so that
/// hydration starts from exactly what the server rendered.
#[derive(Clone, Debug, PartialEq)]
pub struct PageData {
    pub screen: Screen,
    /// Set in demo mode: the fixed code the embedded simulator accepts.
    pub demo_code: Option<String>,
}
