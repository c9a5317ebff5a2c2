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
