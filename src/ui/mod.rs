//! Building blocks shared by the steps' views.

mod field;
mod fresh;
mod problems;
mod submission;
mod summary;

pub use field::{FieldMessage, TextField, describedby};
pub use fresh::Fresh;
pub use problems::Problems;
pub use submission::Submission;
pub use summary::ErrorSummary;
