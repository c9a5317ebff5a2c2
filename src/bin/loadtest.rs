//! The load test: N full flows (open the page, register, send a code, verify it), C at a time,
//! through the app's HTTP interface as a browser's page calls it, against the ShipEngine
//! simulator. Both run in this process on loopback ports; the database is a fresh SQLite file
//! (or `--database-url`). Prints the figures and exits non-zero unless every flow succeeded,
//! every row is `verified` and the simulator opened exactly one account per flow.
//!
//! ```sh
//! cargo run --release --features ssr --bin loadtest -- --flows 1000 --concurrency 50
//! ```

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use leptos::config::LeptosOptions;
use reqwest::header::{ACCEPT, COOKIE, ORIGIN, SET_COOKIE};
use stamps_connect::error::AppError;
use stamps_connect::screen::Screen;
use stamps_connect::server::storage::RegistrationStatus;
use stamps_connect::server::{AppState, Config, ServeSettings, build_router, serve};
use stamps_connect::simulator::{self, RunningSimulator, Simulator, SimulatorConfig};
use tokio::sync::Mutex;
use tracing_subscriber::EnvFilter;

const API_KEY: &str = "loadtest_KEY_5e2b9c7d1a";
const CODE: &str = "123456";
/// High enough that no limit, ours or the simulator's, shapes the run.
const NO_LIMIT: &str = "1000000";

#[derive(Debug, Parser)]
#[command(about = "Runs full registration flows against the app and the ShipEngine simulator")]
struct Args {
    /// Flows to run in total.
    #[arg(long, default_value_t = 1000)]
    flows: usize,
    /// Flows in flight at once.
    #[arg(long, default_value_t = 50)]
    concurrency: usize,
    /// The app's database; default: a new SQLite file in the temporary folder, removed after.
    #[arg(long)]
    database_url: Option<String>,
}

/// The four requests of a flow, timed separately.
#[derive(Clone, Copy, Debug)]
enum Step {
    Page,
    Register,
    SendCode,
    VerifyCode,
}

const STEPS: [Step; 4] = [Step::Page, Step::Register, Step::SendCode, Step::VerifyCode];

#[derive(Default)]
struct Tally {
    latencies: [Vec<Duration>; 4],
    errors: Vec<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    match run(&args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("loadtest: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<bool, Box<dyn std::error::Error>> {
    let simulator = simulator::spawn(
        Simulator::new(SimulatorConfig {
            verification_code: CODE.into(),
            api_keys: vec![API_KEY.into()],
            rate_limit_per_minute: u32::MAX,
            ..SimulatorConfig::default()
        }),
        ([127, 0, 0, 1], 0).into(),
    )
    .await?;
    let sqlite_file = std::env::temp_dir().join(format!(
        "stamps-connect-loadtest-{}.db",
        uuid::Uuid::new_v4().simple()
    ));
    let database_url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", sqlite_file.display()));
    let (app_url, state) = start_app(&simulator, &database_url, args.concurrency).await?;
    println!(
        "{} flows, {} at a time, database {}",
        args.flows,
        args.concurrency,
        state.database.backend()
    );

    // A database given on the command line may hold earlier runs' rows.
    let verified_before = verified_rows(&state).await?;
    let started = Instant::now();
    let tally = run_flows(&app_url, args.flows, args.concurrency).await?;
    let elapsed = started.elapsed();

    let verified = verified_rows(&state).await? - verified_before;
    let registrations = simulator.simulator.registrations();
    report(&tally, elapsed, args.flows, verified, registrations);

    state.database.close().await;
    if args.database_url.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", sqlite_file.display()));
        }
    }
    Ok(tally.errors.is_empty() && verified == args.flows && registrations == args.flows)
}

async fn verified_rows(state: &AppState) -> Result<usize, Box<dyn std::error::Error>> {
    let counts = state.database.count_by_status().await?;
    let verified = counts
        .into_iter()
        .find(|(status, _)| *status == RegistrationStatus::Verified)
        .map_or(0, |(_, count)| count);
    Ok(usize::try_from(verified)?)
}

async fn start_app(
    simulator: &RunningSimulator,
    database_url: &str,
    concurrency: usize,
) -> Result<(String, AppState), Box<dyn std::error::Error>> {
    let connections = concurrency.clamp(5, 200).to_string();
    let env: HashMap<&str, &str> = HashMap::from([
        ("SHIPENGINE_API_KEY", API_KEY),
        ("SHIPENGINE_BASE_URL", simulator.base_url.as_str()),
        ("DATABASE_URL", database_url),
        ("DATABASE_MAX_CONNECTIONS", connections.as_str()),
        ("LIMIT_REGISTRATIONS_PER_IP", NO_LIMIT),
        ("LIMIT_REGISTRATIONS_PER_EMAIL", NO_LIMIT),
        ("LIMIT_REGISTRATIONS_TOTAL", NO_LIMIT),
        ("LIMIT_CODE_CHECKS_PER_IP", NO_LIMIT),
        ("LIMIT_CODE_CHECKS_TOTAL", NO_LIMIT),
        ("LIMIT_SENDS_PER_PHONE", NO_LIMIT),
        ("LIMIT_SENDS_PER_IP", NO_LIMIT),
        ("LIMIT_SENDS_TOTAL", NO_LIMIT),
    ]);
    let config = Config::from_vars(|name| env.get(name).map(|value| (*value).to_owned()))?;
    let options = LeptosOptions::builder()
        .output_name("stamps-connect")
        .build();
    let state = AppState::start(&config, options).await?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let app_url = format!("http://{}", listener.local_addr()?);
    // The serving loop `main` uses, timeouts included.
    let settings = ServeSettings::of(&state);
    let app = build_router(state.clone());
    tokio::spawn(serve(listener, app, std::future::pending(), settings));
    Ok((app_url, state))
}

async fn run_flows(
    app_url: &str,
    flows: usize,
    concurrency: usize,
) -> Result<Tally, reqwest::Error> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, next, tally) = (client.clone(), next.clone(), tally.clone());
            let app_url = app_url.to_owned();
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= flows {
                        break;
                    }
                    let outcome = flow(&client, &app_url, n).await;
                    let mut tally = tally.lock().await;
                    match outcome {
                        Ok(timings) => {
                            for (index, took) in timings.into_iter().enumerate() {
                                tally.latencies[index].push(took);
                            }
                        }
                        Err(error) => tally.errors.push(format!("flow {n}: {error}")),
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    let tally = Arc::try_unwrap(tally).map_or_else(|_| Tally::default(), Mutex::into_inner);
    Ok(tally)
}

/// One merchant, start to end; the latency of each step, or what went wrong.
async fn flow(client: &reqwest::Client, app_url: &str, n: usize) -> Result<[Duration; 4], String> {
    let mut timings = [Duration::ZERO; 4];

    let started = Instant::now();
    let page = client
        .get(format!("{app_url}/"))
        .send()
        .await
        .map_err(|e| format!("page: {e}"))?;
    let mut cookies = CookieJar::default();
    cookies.take(page.headers());
    if cookies.0.is_empty() {
        return Err("page: no flow cookie".into());
    }
    let html = page.text().await.map_err(|e| format!("page: {e}"))?;
    let key = idempotency_key(&html).ok_or("page: no idempotency key")?;
    timings[0] = started.elapsed();

    let phone = format!("512{}", 2_000_000 + n);
    let nickname = format!("Load store {n}");
    let email = format!("load{n}@example.com");
    let register = [
        ("nickname", nickname.as_str()),
        ("email", email.as_str()),
        ("agree_to_carrier_terms", "true"),
        ("name", "Load Merchant"),
        ("phone", phone.as_str()),
        ("address_line1", "4009 Marathon Blvd"),
        ("city_locality", "Austin"),
        ("state_province", "TX"),
        ("postal_code", "78756"),
        ("residential", "no"),
        ("card_name", "Load Merchant"),
        ("card_number", "4111111111111111"),
        ("card_exp_month", "07"),
        ("card_exp_year", "2035"),
        ("idempotency_key", key.as_str()),
    ];
    let calls: [(&str, &[(&str, &str)]); 3] = [
        ("register", &register),
        ("send_code", &[("phone", phone.as_str())]),
        ("verify_code", &[("code", CODE)]),
    ];
    for (index, (function, form)) in calls.into_iter().enumerate() {
        let started = Instant::now();
        let screen = call(client, app_url, &mut cookies, function, form).await?;
        timings[index + 1] = started.elapsed();
        let expected = match (function, &screen) {
            ("register", Screen::Verify(v)) => v.error.is_none(),
            ("send_code", Screen::Verify(v)) => v.error.is_none() && v.code_sent_to.is_some(),
            ("verify_code", Screen::Done(_)) => true,
            _ => false,
        };
        if !expected {
            return Err(format!("{function}: unexpected screen {screen:?}"));
        }
    }
    Ok(timings)
}

/// One merchant's cookies (the flow cookie, the session), as a browser keeps them.
#[derive(Default)]
struct CookieJar(Vec<(String, String)>);

impl CookieJar {
    fn take(&mut self, headers: &reqwest::header::HeaderMap) {
        let pairs = headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .filter_map(|value| value.split(';').next()?.split_once('='));
        for (name, value) in pairs {
            self.0.retain(|(kept, _)| kept != name);
            self.0.push((name.to_owned(), value.to_owned()));
        }
    }

    fn header(&self) -> String {
        let pairs: Vec<String> = self.0.iter().map(|(n, v)| format!("{n}={v}")).collect();
        pairs.join("; ")
    }
}

/// Posts `form` to the server function as the hydrated page does.
async fn call(
    client: &reqwest::Client,
    app_url: &str,
    cookies: &mut CookieJar,
    function: &str,
    form: &[(&str, &str)],
) -> Result<Screen, String> {
    let response = client
        .post(format!("{app_url}/api/{function}"))
        .form(form)
        .header(ACCEPT, "application/x-postcard")
        .header(ORIGIN, app_url)
        .header("sec-fetch-site", "same-origin")
        .header(COOKIE, cookies.header())
        .send()
        .await
        .map_err(|e| format!("{function}: {e}"))?;
    // The session cookie is set by the first post and changes as the flow moves on.
    cookies.take(response.headers());
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("{function}: {e}"))?;
    if !status.is_success() {
        let error = postcard::from_bytes::<AppError>(&body);
        return Err(format!("{function}: HTTP {status}: {error:?}"));
    }
    postcard::from_bytes(&body).map_err(|e| format!("{function}: not a screen: {e}"))
}

fn idempotency_key(html: &str) -> Option<String> {
    let marker = r#"name="idempotency_key" value=""#;
    let start = html.find(marker)? + marker.len();
    let length = html[start..].find('"')?;
    Some(html[start..start + length].to_owned())
}

fn report(tally: &Tally, elapsed: Duration, flows: usize, verified: usize, registrations: usize) {
    let completed = tally.latencies[0].len();
    println!("errors: {}", tally.errors.len());
    for error in tally.errors.iter().take(5) {
        println!("  {error}");
    }
    println!("rows verified: {verified} of {flows}");
    println!("upstream registrations: {registrations} of {flows}");
    println!(
        "elapsed: {:.2} s, {:.1} flows/s, {:.1} requests/s",
        elapsed.as_secs_f64(),
        completed as f64 / elapsed.as_secs_f64(),
        (completed * STEPS.len()) as f64 / elapsed.as_secs_f64()
    );
    println!("latency (ms)       p50      p95      p99      max");
    for (step, latencies) in STEPS.iter().zip(&tally.latencies) {
        let mut sorted = latencies.clone();
        sorted.sort();
        let at = |p: f64| {
            let index = ((sorted.len().saturating_sub(1)) as f64 * p).round() as usize;
            sorted.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        println!(
            "  {:<14} {:>8.1} {:>8.1} {:>8.1} {:>8.1}",
            format!("{step:?}"),
            at(0.50),
            at(0.95),
            at(0.99),
            at(1.0)
        );
    }
}
