//! Sends a form to its server function from the island. The request carries the same fields to
//! the same URL as the form posts without JavaScript, so the server reads both the same way;
//! only the answer differs (postcard, decoded here, instead of a redirect).

use gloo_net::http::Request;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::server_fn::ContentType;
use leptos::server_fn::codec::PostcardEncoding;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{FormData, HtmlFormElement, UrlSearchParams};

use crate::error::AppError;
use crate::screen::Screen;

/// One form's submissions: whether one is on its way.
#[derive(Clone, Copy)]
pub struct Submission {
    pending: RwSignal<bool>,
}

impl Submission {
    pub fn new() -> Self {
        Self {
            pending: RwSignal::new(false),
        }
    }

    /// Whether an answer is awaited (tracked: the button's label follows it).
    pub fn pending(self) -> bool {
        self.pending.get()
    }

    /// Sends the form `ev` submits; `on_answer` gets the next screen or the problem. Does
    /// nothing while an earlier one is on its way: a double click sends once.
    pub fn send(
        self,
        ev: &SubmitEvent,
        on_answer: impl FnOnce(Result<Screen, AppError>) + 'static,
    ) {
        let form = ev.target().and_then(|target| target.dyn_into().ok());
        let Some(form) = form else { return };
        if self.pending.get_untracked() {
            return;
        }
        self.pending.set(true);
        leptos::task::spawn_local(async move {
            let answer = post(&form).await;
            self.pending.set(false);
            on_answer(answer);
        });
    }
}

/// A `POST` of the form's fields, URL-encoded by the browser, to the form's own action.
async fn post(form: &HtmlFormElement) -> Result<Screen, AppError> {
    let fields = FormData::new_with_form(form)
        .and_then(|data| UrlSearchParams::new_with_str_sequence_sequence(&data))
        .map_err(|_| AppError::Internal { reference: None })?;
    let response = Request::post(&form.action())
        .header("Accept", PostcardEncoding::CONTENT_TYPE)
        .body(fields)
        .map_err(|_| AppError::Internal { reference: None })?
        .send()
        .await
        .map_err(|_| AppError::Unreachable)?;
    let ours =
        response.headers().get("Content-Type").as_deref() == Some(PostcardEncoding::CONTENT_TYPE);
    let body = response.binary().await.map_err(|_| AppError::Unreachable)?;
    let internal = AppError::Internal { reference: None };
    match (response.ok(), ours) {
        (true, true) => postcard::from_bytes(&body).map_err(|_| internal),
        (false, true) => Err(postcard::from_bytes(&body).unwrap_or(internal)),
        // Not an answer of ours (a proxy's error page, say): still ours to apologise for.
        _ => Err(internal),
    }
}
