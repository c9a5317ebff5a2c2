//! A test app: the real router, talking to a real simulator on an ephemeral port, driven through
//! `tower::ServiceExt::oneshot` with one browser's cookie.
#![allow(dead_code)] // each test file uses its own subset

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use stamps_connect::flow::Screen;
use stamps_connect::server::{AppState, Config, build_router};
use stamps_connect::simulator::{self, RunningSimulator, Simulator, SimulatorConfig};
use std::collections::HashMap;
use std::net::SocketAddr;
use tower::ServiceExt;

pub const API_KEY: &str = "test_KEY_9f8e7d6c5b4a39281706";

/// The origin the test browser's page is served from.
pub const ORIGIN: &str = "http://localhost";

pub struct TestApp {
    pub router: Router,
    pub simulator: RunningSimulator,
    /// The session cookie of the browser the requests come from; `None` is a new browser.
    pub cookie: Option<String>,
    /// The address the requests come from, as the server's connection info gives it.
    pub peer: SocketAddr,
}

impl TestApp {
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// Starts the app configured as the environment `vars` would (for example `LIMIT_…`).
    pub async fn start_with(vars: &[(&str, &str)]) -> Self {
        let simulator = simulator::spawn(
            Simulator::new(SimulatorConfig {
                api_keys: vec![API_KEY.into()],
                ..Default::default()
            }),
            ([127, 0, 0, 1], 0).into(),
        )
        .await
        .expect("simulator starts");
        let env: HashMap<String, String> = [
            ("SHIPENGINE_API_KEY", API_KEY),
            ("SHIPENGINE_BASE_URL", &simulator.base_url),
            ("LISTEN_ADDR", "127.0.0.1:0"),
            ("UPSTREAM_CONNECT_TIMEOUT_SECS", "2"),
            ("UPSTREAM_TIMEOUT_SECS", "2"),
        ]
        .into_iter()
        .chain(vars.iter().copied())
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
        let config = Config::from_vars(|name| env.get(name).cloned()).expect("valid test config");
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
            peer: ([192, 0, 2, 1], 50000).into(),
        }
    }

    pub async fn send(&mut self, mut request: Request<Body>) -> Response<Body> {
        if let Some(cookie) = &self.cookie {
            request
                .headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
        }
        // What `into_make_service_with_connect_info` adds to every request in main.rs.
        request.extensions_mut().insert(ConnectInfo(self.peer));
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

    /// Posts to a server function with the given `Accept` header, from the app's own page.
    pub async fn post(
        &mut self,
        function: &str,
        form: &[(&str, &str)],
        accept: &str,
    ) -> Response<Body> {
        let request = same_origin_post(function)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, accept)
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

/// A POST to a server function with the headers a browser sends from the app's own page.
pub fn same_origin_post(function: &str) -> axum::http::request::Builder {
    Request::post(format!("/api/{function}"))
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, ORIGIN)
        .header("sec-fetch-site", "same-origin")
        .header(header::REFERER, format!("{ORIGIN}/"))
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
