//! What a form shows when something is wrong: the summary's error and each field's message.

use leptos::html::Div;
use leptos::prelude::*;

use crate::error::{AppError, FieldErrors};

#[derive(Clone, Copy)]
pub struct Problems {
    /// The error the summary at the top shows.
    pub error: RwSignal<Option<AppError>>,
    /// The message beside each field.
    pub fields: RwSignal<FieldErrors>,
    /// The summary, which takes focus when a problem appears so that it is read out.
    pub summary: NodeRef<Div>,
}

impl Problems {
    pub fn new(initial: Option<AppError>) -> Self {
        Self {
            fields: RwSignal::new(field_errors(initial.as_ref())),
            error: RwSignal::new(initial),
            summary: NodeRef::new(),
        }
    }

    /// Shows `problem` (or clears everything with `None`).
    pub fn show(self, problem: Option<AppError>) {
        self.fields.set(field_errors(problem.as_ref()));
        let shown = problem.is_some();
        self.error.set(problem);
        if shown {
            let summary = self.summary;
            request_animation_frame(move || {
                if let Some(summary) = summary.get_untracked() {
                    let _ = summary.focus();
                }
            });
        }
    }
}

fn field_errors(problem: Option<&AppError>) -> FieldErrors {
    problem
        .and_then(AppError::field_errors)
        .cloned()
        .unwrap_or_default()
}
