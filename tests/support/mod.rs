//! A test app: the real router, talking to a real simulator on an ephemeral port, driven through
//! `tower::ServiceExt::oneshot` with one browser's cookie.
#![allow(dead_code)] // each test file uses its own subset

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use stamps_connect::flow::Screen;
use stamps_connect::server::shipengine::ApiKey;
use stamps_connect::server::{AppState, Config, build_router};
use stamps_connect::simulator::{self, RunningSimulator, Simulator, SimulatorConfig};
use std::time::Duration;
use tower::ServiceExt;

pub const API_KEY: &str = "test_KEY_9f8e7d6c5b4a39281706";

pub struct TestApp {
    pub router: Router,
    pub simulator: RunningSimulator,
    cookie: Option<String>,
}

impl TestApp {
    pub async fn start() -> Self {
        let simulator = simulator::spawn(
            Simulator::new(SimulatorConfig {
                api_keys: vec![API_KEY.into()],
                ..Default::default()
            }),
            ([127, 0, 0, 1], 0).into(),
        )
        .await
        .expect("simulator starts");
        let config = Config {
            api_key: Some(ApiKey::new(API_KEY.into()).unwrap()),
            base_url: simulator.base_url.clone(),
            listen_addr: ([127, 0, 0, 1], 0).into(),
            upstream_connect_timeout: Duration::from_secs(2),
            upstream_timeout: Duration::from_secs(2),
        };
        let options = LeptosOptions::builder()
            .output_name("stamps-connect")
            .build();
        let state = AppState::start(&config, options)
            .await
            .expect("state builds");
        Self {
            router: build_router(state),
            simulator,
            cookie: None,
        }
    }

    pub async fn send(&mut self, mut request: Request<Body>) -> Response<Body> {
        if let Some(cookie) = &self.cookie {
            request
                .headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
        }
        let response = self.router.clone().oneshot(request).await.unwrap();
        if let Some(set) = response.headers().get(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_owned();
            self.cookie = Some(pair);
        }
        response
    }

    /// Calls a server function the way the hydrated page does; returns the next screen.
    pub async fn call(&mut self, function: &str, form: &[(&str, &str)]) -> Screen {
        let response = self.post(function, form, "application/json").await;
        assert_eq!(response.status(), StatusCode::OK, "{function}");
        serde_json::from_slice(&body_bytes(response).await).expect("a screen")
    }

    /// Posts to a server function with the given `Accept` header.
    pub async fn post(
        &mut self,
        function: &str,
        form: &[(&str, &str)],
        accept: &str,
    ) -> Response<Body> {
        let request = Request::post(format!("/api/{function}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, accept)
            .header(header::REFERER, "http://localhost/")
            .body(Body::from(serde_urlencoded::to_string(form).unwrap()))
            .unwrap();
        self.send(request).await
    }

    pub async fn page(&mut self) -> String {
        let response = self
            .send(Request::get("/").body(Body::empty()).unwrap())
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        String::from_utf8(body_bytes(response).await).unwrap()
    }
}

pub async fn body_bytes(response: Response<Body>) -> Vec<u8> {
    response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec()
}

/// The guide's example merchant, as the form posts it.
pub fn registration_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("nickname", "My Stamps.com account"),
        ("email", "john.doe@example.com"),
        ("agree_to_carrier_terms", "true"),
        ("name", "John Doe"),
        ("phone", "(512) 111-2222"),
        ("company_name", "Example Corp."),
        ("address_line1", "4009 Marathon Blvd"),
        ("address_line2", "Suite 300"),
        ("city_locality", "Austin"),
        ("state_province", "TX"),
        ("postal_code", "78756"),
        ("residential", "no"),
        ("card_name", "my credit card"),
        ("card_number", "4111 1111 1111 1111"),
        ("card_exp_month", "07"),
        ("card_exp_year", "2035"),
    ]
}
