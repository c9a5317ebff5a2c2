//! One signed POST of an event to the operator's URL, and what came of it.

use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, HeaderValue, USER_AGENT};

use super::WebhookConfig;
use super::signature::{EVENT_ID_HEADER, SIGNATURE_HEADER, WebhookSecret, sign};
use crate::server::storage::{DeliveryAttempt, now_ms};

#[derive(Clone, Debug)]
pub struct WebhookSender {
    client: reqwest::Client,
    url: reqwest::Url,
    secret: WebhookSecret,
    timeout: Duration,
}

impl WebhookSender {
    pub fn new(config: &WebhookConfig) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            // A redirect is an answer that is not 2xx: the signed request goes to the one URL.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            client,
            url: config.url.clone(),
            secret: config.secret.clone(),
            timeout: config.timeout,
        })
    }

    /// POSTs `payload`, signed now. The receiver's body is never read: only its status counts.
    pub async fn send(&self, event_id: &str, payload: &str) -> DeliveryAttempt {
        let at_ms = now_ms();
        let started = Instant::now();
        let signature = sign(&self.secret, at_ms / 1000, payload);
        let answer = self
            .client
            .post(self.url.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(
                USER_AGENT,
                HeaderValue::from_static("stamps-connect-webhooks"),
            )
            .header(SIGNATURE_HEADER, signature)
            .header(EVENT_ID_HEADER, event_id)
            .body(payload.to_owned())
            .send()
            .await;
        let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let (status_code, error) = match answer {
            Ok(response) if response.status().is_success() => (Some(response.status()), None),
            Ok(response) => (
                Some(response.status()),
                Some(format!("answered HTTP {}", response.status())),
            ),
            Err(error) => {
                let described = self.describe(&error);
                // Without the URL: it is the operator's, and may carry a token in its query.
                tracing::debug!(error = %error.without_url(), event_id, "webhook request failed");
                (None, Some(described))
            }
        };
        DeliveryAttempt {
            at_ms,
            status_code: status_code.map(|status| status.as_u16()),
            error,
            duration_ms,
        }
    }

    /// A few words for the admin console.
    fn describe(&self, error: &reqwest::Error) -> String {
        if error.is_timeout() {
            format!("no answer within {} ms", self.timeout.as_millis())
        } else if error.is_connect() {
            "could not connect".to_owned()
        } else {
            "the request failed before an answer came".to_owned()
        }
    }
}
