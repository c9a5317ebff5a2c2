//! A test app: the real router, talking to a real simulator on an ephemeral port, driven through
//! `tower::ServiceExt::oneshot` with one browser's cookie.
#![allow(dead_code)] // each test file uses its own subset

pub mod databases;
pub mod logs;
pub mod operator;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use stamps_connect::error::AppError;
use stamps_connect::pages::Prop;
use stamps_connect::screen::Screen;
use stamps_connect::server::{AppState, Config, build_router};
use stamps_connect::simulator::{self, RunningSimulator, Simulator, SimulatorConfig};
use std::collections::HashMap;
use std::net::SocketAddr;
use tower::ServiceExt;

use databases::TestDatabase;

pub const API_KEY: &str = "test_KEY_9f8e7d6c5b4a39281706";

/// The cookies a browser holds over plain HTTP: the session's, and the flow's (whose hash a
/// registration stores as its owner).
pub const SESSION_COOKIE: &str = "stamps_connect_session";
pub const FLOW_COOKIE: &str = "stamps_connect_flow";

/// What the island asks its server functions for.
pub const POSTCARD: &str = "application/x-postcard";

/// The origin the test browser's page is served from.
pub const ORIGIN: &str = "http://localhost";

pub struct TestApp {
    /// The browser the requests come from (the app derefs to it).
    pub browser: Browser,
    /// The running instance's state: its database, its limits.
    pub state: AppState,
    pub simulator: RunningSimulator,
    /// An SQLite file of its own, unless started on another database.
    pub database: TestDatabase,
    env: HashMap<String, String>,
    options: LeptosOptions,
}

impl TestApp {
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// Starts the app configured as the environment `vars` would (for example `LIMIT_…`).
    pub async fn start_with(vars: &[(&str, &str)]) -> Self {
        let options = LeptosOptions::builder()
            .output_name("stamps-connect")
            .build();
        Self::start_with_options(vars, options).await
    }

    /// Like [`Self::start_with`], with Leptos' options (a site root, hashed file names) given.
    pub async fn start_with_options(vars: &[(&str, &str)], options: LeptosOptions) -> Self {
        Self::start_on(TestDatabase::sqlite(), vars, options).await
    }

    /// Like [`Self::start_with_options`], on `database`.
    pub async fn start_on(
        database: TestDatabase,
        vars: &[(&str, &str)],
        options: LeptosOptions,
    ) -> Self {
        let simulator = simulator::spawn(
            Simulator::new(SimulatorConfig {
                api_keys: vec![API_KEY.into()],
                ..Default::default()
            }),
            ([127, 0, 0, 1], 0).into(),
        )
        .await
        .expect("simulator starts");
        let database_url = database.env_value();
        let env: HashMap<String, String> = [
            ("SHIPENGINE_API_KEY", API_KEY),
            ("SHIPENGINE_BASE_URL", &simulator.base_url),
            ("DATABASE_URL", &database_url),
            ("LISTEN_ADDR", "127.0.0.1:0"),
            ("UPSTREAM_CONNECT_TIMEOUT_SECS", "2"),
            ("UPSTREAM_TIMEOUT_SECS", "2"),
            // Every test merchant has the guide's email: tests of these caps set them.
            ("LIMIT_REGISTRATIONS_PER_EMAIL", "1000"),
            ("LIMIT_REGISTRATIONS_TOTAL", "1000"),
        ]
        .into_iter()
        .chain(vars.iter().copied())
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
        let state = start_state(&env, &options).await;
        Self {
            browser: Browser {
                router: build_router(state.clone()),
                cookie: None,
                peer: ([192, 0, 2, 1], 50000).into(),
            },
            state,
            simulator,
            database,
            env,
            options,
        }
    }

    /// Stops this instance and starts a new one on the same database and simulator, as a
    /// restart (or a second instance behind a load balancer) would. The browser keeps its cookie.
    pub async fn restart(&mut self) {
        self.state.database.close().await;
        self.state = start_state(&self.env, &self.options).await;
        self.router = build_router(self.state.clone());
    }

    /// Like [`Self::restart`], with the variables `vars` set (or changed) from now on.
    pub async fn restart_with(&mut self, vars: &[(&str, &str)]) {
        for (name, value) in vars {
            self.env.insert((*name).to_owned(), (*value).to_owned());
        }
        self.restart().await;
    }

    /// How many accounts the simulator opened.
    pub fn upstream_registrations(&self) -> usize {
        self.simulator.simulator.registrations()
    }

    /// How many requests reached the simulator's `endpoint`, faulted ones included.
    pub fn upstream_requests(&self, endpoint: simulator::Endpoint) -> usize {
        self.simulator
            .simulator
            .requests()
            .iter()
            .filter(|r| r.endpoint == Some(endpoint))
            .count()
    }

    /// Another browser tab, request maker or copy of this browser: the same router, cookies and
    /// address, from here on its own.
    pub fn same_browser(&self) -> Browser {
        self.browser.clone()
    }
}

impl std::ops::Deref for TestApp {
    type Target = Browser;

    fn deref(&self) -> &Browser {
        &self.browser
    }
}

impl std::ops::DerefMut for TestApp {
    fn deref_mut(&mut self) -> &mut Browser {
        &mut self.browser
    }
}

/// A browser: its cookies and its address, sending to the app's router.
#[derive(Clone)]
pub struct Browser {
    pub router: Router,
    /// The cookies of the browser the requests come from, as its `Cookie` header (the session
    /// and the flow cookie); `None` is a new browser.
    pub cookie: Option<String>,
    /// The address the requests come from, as the server's connection info gives it.
    pub peer: SocketAddr,
}

impl Browser {
    pub async fn send(&mut self, mut request: Request<Body>) -> Response<Body> {
        if let Some(cookie) = &self.cookie {
            request
                .headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
        }
        // What `into_make_service_with_connect_info` adds to every request in main.rs.
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let response = self.router.clone().oneshot(request).await.unwrap();
        self.cookie = with_set_cookies(self.cookie.as_deref(), &response);
        response
    }

    /// The value of the cookie `name` this browser holds.
    pub fn cookie_value(&self, name: &str) -> Option<String> {
        cookies(self.cookie.as_deref())
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value)
    }

    /// This browser without the cookie `name` (another browser that copied the rest).
    pub fn forget_cookie(&mut self, name: &str) {
        let kept: Vec<_> = cookies(self.cookie.as_deref())
            .into_iter()
            .filter(|(n, _)| n != name)
            .collect();
        self.cookie = jar(kept);
    }

    /// Calls a server function the way the island does; returns the next screen.
    pub async fn call(&mut self, function: &str, form: &[(&str, &str)]) -> Screen {
        match self.attempt(function, form).await {
            Ok(screen) => screen,
            Err(error) => panic!("{function}: {error:?}"),
        }
    }

    /// Calls a server function the way the island does; returns its answer: the next screen,
    /// or the error its status says.
    pub async fn attempt(
        &mut self,
        function: &str,
        form: &[(&str, &str)],
    ) -> Result<Screen, AppError> {
        let response = self.post(function, form, POSTCARD).await;
        answer_of(response).await
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

    /// A post from this browser that can run alongside others (a double click, a second tab):
    /// it sends the current cookie and does not take a new one.
    pub fn post_alongside(
        &self,
        function: &str,
        form: &[(&str, &str)],
        accept: &str,
    ) -> impl Future<Output = Response<Body>> + Send + use<> {
        let mut request = same_origin_post(function)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, accept)
            .body(Body::from(serde_urlencoded::to_string(form).unwrap()))
            .unwrap();
        if let Some(cookie) = &self.cookie {
            request
                .headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
        }
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let router = self.router.clone();
        async move { router.oneshot(request).await.unwrap() }
    }

    /// The idempotency key the page's form carries.
    pub async fn form_key(&mut self) -> String {
        let page = self.page().await;
        idempotency_key_in(&page)
    }

    pub async fn page(&mut self) -> String {
        let response = self
            .send(Request::get("/").body(Body::empty()).unwrap())
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        String::from_utf8(body_bytes(response).await).unwrap()
    }
}

/// The name=value pairs of a `Cookie` header.
pub fn cookies(header: Option<&str>) -> Vec<(String, String)> {
    header
        .unwrap_or_default()
        .split("; ")
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

fn jar(pairs: Vec<(String, String)>) -> Option<String> {
    let header = pairs
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("; ");
    (!header.is_empty()).then_some(header)
}

/// The `Cookie` header a browser sends after `response`: `current` with the response's
/// `Set-Cookie`s applied (a `Max-Age=0` removes).
pub fn with_set_cookies(current: Option<&str>, response: &Response<Body>) -> Option<String> {
    let mut pairs = cookies(current);
    for set in response.headers().get_all(header::SET_COOKIE) {
        let set = set.to_str().unwrap();
        let (name, value) = set.split(';').next().unwrap().split_once('=').unwrap();
        pairs.retain(|(n, _)| n != name);
        if !set.contains("Max-Age=0") {
            pairs.push((name.to_owned(), value.to_owned()));
        }
    }
    jar(pairs)
}

/// The value of the form's hidden `idempotency_key` input in `page`.
pub fn idempotency_key_in(page: &str) -> String {
    let marker = r#"name="idempotency_key" value=""#;
    let start = page.find(marker).expect("the form carries its key") + marker.len();
    let length = page[start..].find('"').unwrap();
    page[start..start + length].to_owned()
}

async fn start_state(env: &HashMap<String, String>, options: &LeptosOptions) -> AppState {
    let config = Config::from_vars(|name| env.get(name).cloned()).expect("valid test config");
    AppState::start(&config, options.clone())
        .await
        .expect("state builds")
}

/// A POST to a server function with the headers a browser sends from the app's own page.
pub fn same_origin_post(function: &str) -> axum::http::request::Builder {
    Request::post(format!("/api/{function}"))
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, ORIGIN)
        .header("sec-fetch-site", "same-origin")
        .header(header::REFERER, format!("{ORIGIN}/"))
}

/// The screen a page's island is rendered with (its props, as the browser reads them).
pub fn screen_in(page: &str) -> Screen {
    island_screen(page).expect("the page has the merchant flow's island")
}

/// The screen of the page's island, if it has one.
pub fn island_screen(page: &str) -> Option<Screen> {
    island_prop(page, "screen")
}

/// The island's prop `name`, decoded as the browser decodes it, if the page has the island.
pub fn island_prop<T: serde::de::DeserializeOwned>(page: &str, name: &str) -> Option<T> {
    let props = page
        .split_once(r#"data-props=""#)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(props, _)| props)?;
    let json = props
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let mut props: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&json).expect("the island's props");
    let prop = props.remove(name).expect("the island has this prop");
    let prop: Prop<T> = serde_json::from_value(prop).expect("the island's prop");
    Some(prop.into_inner())
}

/// What the island reads from a server function's answer (postcard, either way).
pub async fn answer_of(response: Response<Body>) -> Result<Screen, AppError> {
    let ok = response.status() == StatusCode::OK;
    let bytes = body_bytes(response).await;
    if ok {
        Ok(postcard::from_bytes(&bytes).expect("a screen"))
    } else {
        Err(postcard::from_bytes(&bytes).expect("the app's error"))
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
        // As USPS writes it ("Suite" would be "STE"): the address check finds it the same.
        ("address_line2", "Ste 300"),
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

/// Asserts a postcard 429 that says when to try again; returns the wait.
pub async fn assert_rate_limited(response: axum::http::Response<axum::body::Body>) -> u64 {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let error: AppError = postcard::from_bytes(&body_bytes(response).await).unwrap();
    assert_eq!(
        error,
        AppError::RateLimited {
            retry_after_secs: retry_after
        }
    );
    assert!(error.to_string().contains("Please try again in"), "{error}");
    retry_after
}

/// Asserts that `page` carries no card number: not in its text, not in its island's screen.
pub fn assert_no_card_number(page: &str) {
    let digits = "4111111111111111";
    assert!(!page.contains(digits) && !page.contains("4111 1111 1111 1111"));
    if let Some(Screen::Register(form)) = island_screen(page) {
        assert_eq!(form.draft.card_number, "", "the island's screen");
    }
}
