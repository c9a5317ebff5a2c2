//! Building blocks shared by the steps' views.

mod field;
mod problems;
mod summary;

pub use field::{FieldMessage, TextField, describedby};
pub use problems::Problems;
pub use summary::ErrorSummary;
