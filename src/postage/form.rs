//! The "Add postage" form: a preset or another amount. Declared once; the page renders it and
//! the server reads the post with the same names.

use crate::fields::declare::form_fields;

form_fields! {
    /// The amount form as posted (plain strings, what was typed is shown back as typed).
    pub struct AmountForm, fields PostageField, signals AmountSignals {
        /// One of [`PRESETS`] in whole dollars, or [`OTHER`].
        Amount => amount: String,
        /// The amount typed after choosing [`OTHER`], in dollars: `35`, `35.50`, `$1,200`.
        OtherAmount => other_amount: String,
    }
    hidden {}
}

impl std::fmt::Debug for AmountForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmountForm")
            .field("amount", &self.amount)
            .field("other_amount", &self.other_amount)
            .finish()
    }
}

/// The preset amounts, in whole dollars (the radio buttons' values).
pub const PRESETS: [u32; 4] = [10, 25, 50, 100];

/// The radio button that opens the typed amount.
pub const OTHER: &str = "other";
