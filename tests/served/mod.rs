//! The app behind the real serving loop (`stamps_connect::server::serve`) on an ephemeral
//! loopback port, for what needs real connections: slow clients, shutdown, demo mode. A
//! [`Browser`] drives it over HTTP as a page of the app would.
#![allow(dead_code)] // each test file uses its own subset

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;

use stamps_connect::server::{AppState, ServeSettings, build_router, serve};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct Served {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<io::Result<()>>,
}

impl Served {
    /// Serves the app of `state` as `main` does.
    pub async fn start(state: &AppState) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async {
            let _ = stopped.await;
        };
        let task = tokio::spawn(serve(
            listener,
            build_router(state.clone()),
            shutdown,
            ServeSettings::of(state),
        ));
        Self {
            addr,
            stop: Some(stop),
            task,
        }
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What SIGTERM does in `main`: the server stops accepting and begins its shutdown.
    pub fn begin_shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Whether `serve` has returned.
    pub fn has_returned(&self) -> bool {
        self.task.is_finished()
    }

    /// Waits for `serve` to return.
    pub async fn returned(self) -> io::Result<()> {
        self.task.await.expect("serve does not panic")
    }
}

/// One browser: keeps its cookies, posts to server functions as the app's own page does.
pub struct Browser {
    http: reqwest::Client,
    origin: String,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    pub fn new(served: &Served) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            origin: served.origin(),
            cookies: BTreeMap::new(),
        }
    }

    fn keep_cookies(&mut self, response: &reqwest::Response) {
        for set in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.insert(name.trim().into(), value.trim().into());
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&mut self, path: &str) -> reqwest::Response {
        let response = self
            .http
            .get(format!("{}{path}", self.origin))
            .header(reqwest::header::COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep_cookies(&response);
        response
    }

    /// The page, which gives the browser its session and the form its idempotency key.
    pub async fn page(&mut self) -> String {
        let response = self.get("/").await;
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        response.text().await.unwrap()
    }

    /// A server-function call as the hydrated page makes it (the answer in JSON). The request
    /// is built here and sent by the future, which owns everything it needs: dropping it is a
    /// merchant closing the tab.
    pub fn post(
        &self,
        function: &str,
        form: &[(&str, &str)],
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static {
        self.http
            .post(format!("{}/api/{function}", self.origin))
            .header(reqwest::header::COOKIE, self.cookie_header())
            .header(reqwest::header::ORIGIN, &self.origin)
            .header("sec-fetch-site", "same-origin")
            .header(reqwest::header::ACCEPT, "application/json")
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(serde_urlencoded::to_string(form).unwrap())
            .send()
    }
}
