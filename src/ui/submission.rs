//! Sends a form to its server function from the hydrated page. The request carries the same
//! fields to the same URL as the form posts without JavaScript, so the server reads both the
//! same way; only the answer differs (postcard, decoded here, instead of a redirect).
//!
//! A plain `fetch` of the form, not Leptos's `ServerAction`: the page needs no client-side
//! encoding of the arguments (the browser's own `URLSearchParams` does it) and no action
//! machinery, which took 14 KB (brotli) out of the WebAssembly bundle (see BENCHMARKS.md).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::wasm_bindgen::{JsCast, JsValue};
use leptos::web_sys::{FormData, HtmlFormElement, RequestInit, Response, UrlSearchParams};
use wasm_bindgen_futures::JsFuture;

use crate::error::AppError;
use crate::flow::Screen;

/// The answer encoding the page asks its server functions for.
const POSTCARD: &str = "application/x-postcard";

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

async fn post(form: &HtmlFormElement) -> Result<Screen, AppError> {
    let request = request(form).map_err(|_| AppError::Internal { reference: None })?;
    let (ok, bytes) = answer(request).await.map_err(|_| AppError::Unreachable)?;
    if ok {
        postcard::from_bytes(&bytes).map_err(|_| AppError::Internal { reference: None })
    } else {
        // Every refusal and failure of ours carries the app's error; anything else (a proxy's
        // error page, say) is still ours to apologise for.
        Err(postcard::from_bytes(&bytes).unwrap_or(AppError::Internal { reference: None }))
    }
}

/// A `POST` of the form's fields, URL-encoded by the browser, to the form's own action.
fn request(form: &HtmlFormElement) -> Result<leptos::web_sys::Request, JsValue> {
    let data = FormData::new_with_form(form)?;
    let fields = UrlSearchParams::new_with_str_sequence_sequence(&data)?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&fields);
    let request = leptos::web_sys::Request::new_with_str_and_init(&form.action(), &init)?;
    request.headers().set("Accept", POSTCARD)?;
    Ok(request)
}

/// Whether the answer is a success, and its body.
async fn answer(request: leptos::web_sys::Request) -> Result<(bool, Vec<u8>), JsValue> {
    let response: Response = JsFuture::from(window().fetch_with_request(&request))
        .await?
        .dyn_into()?;
    let body = JsFuture::from(response.array_buffer()?).await?;
    Ok((response.ok(), js_sys::Uint8Array::new(&body).to_vec()))
}
