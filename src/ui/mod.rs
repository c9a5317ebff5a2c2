//! Building blocks shared by the steps' views.

mod field;
mod summary;

pub use field::{FieldMessage, TextField, describedby};
pub use summary::ErrorSummary;
