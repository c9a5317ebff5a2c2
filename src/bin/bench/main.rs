//! The benchmark of the README: run by `scripts/bench` after a release build, from the
//! repository's root. Starts the release simulator and app on free ports, measures, and prints
//! every figure in one report:
//!
//! - bytes the browser downloads for the first page, raw, gzip and brotli;
//! - relay overhead: `/api/register` through the app vs the same registration sent straight to
//!   the simulator, 64 virtual users each, p50/p99 and their ratio: against a simulator that
//!   answers at once (the app's own cost per call) and one that answers after an upstream's
//!   latency (what a merchant waits for, relayed or not);
//! - throughput of the server-rendered form page and of static files from the same server (the
//!   hashed stylesheet and the WASM, brotli), requests/s, each on its own;
//! - the app's peak resident memory after that load;
//! - navigation to hydrated in headless Chromium, median of several loads.
//!
//! `bench throughput` measures and prints the throughput figures alone (no relay, memory or
//! Chromium). `BENCH_BIN_DIR` runs the app and simulator from another directory than
//! `target/release` (an earlier build kept aside, say), and `LEPTOS_SITE_ROOT` serves another
//! site root than `target/site`, so two builds can be measured on the same files and load.

mod load;
mod processes;
mod sizes;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use load::{Load, Measured};
use processes::{API_KEY, Running};
use stamps_connect::screen::Screen;

/// One request of a virtual user: true when it was answered as expected.
type Call = std::pin::Pin<Box<dyn Future<Output = bool> + Send>>;

const CONCURRENCY: usize = 64;
/// What a ShipEngine call costs at the least: a TLS round trip across the internet plus its own
/// work (BENCHMARKS.md). `BENCH_UPSTREAM_LATENCY_MS` sets another.
const UPSTREAM_LATENCY: Duration = Duration::from_millis(100);
const HYDRATION_LOADS: usize = 7;

/// A registration that passes every check, as the page's form posts it.
const FORM: &str = "nickname=Bench+store&email=bench%40example.com&agree_to_carrier_terms=true\
    &name=Bench+Merchant&phone=5121112222&company_name=&address_line1=4009+Marathon+Blvd\
    &address_line2=&city_locality=Austin&state_province=TX&postal_code=78756&residential=no\
    &card_name=Bench+Merchant&card_number=4111111111111111&card_exp_month=07&card_exp_year=2035";

/// The same registration as ShipEngine's JSON, for the direct calls.
const UPSTREAM_JSON: &str = r#"{"nickname":"Bench store","email":"bench@example.com",
    "agree_to_carrier_terms":true,"address":{"name":"Bench Merchant","phone":"5121112222",
    "company_name":null,"address_line1":"4009 Marathon Blvd","address_line2":null,
    "city_locality":"Austin","state_province":"TX","postal_code":"78756","country_code":"US",
    "address_residential_indicator":"no"},"credit_card":{"name":"Bench Merchant",
    "number":"4111111111111111","type":"visa","expiration_year":"2035","expiration_month":"07"}}"#;

#[tokio::main]
async fn main() {
    let only_throughput = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("throughput") => true,
        Some(other) => panic!(
            "unknown argument {other:?}: `bench` measures everything, `bench throughput` the \
             page's and the static files' throughput alone"
        ),
    };
    let release = std::env::var_os("BENCH_BIN_DIR")
        .map_or_else(|| PathBuf::from("target/release"), PathBuf::from);
    let release = release.as_path();
    // Where the app serves its files from (Leptos' own variable), for the sizes and their checks.
    let site_root = std::env::var_os("LEPTOS_SITE_ROOT")
        .map_or_else(|| PathBuf::from("target/site"), PathBuf::from);
    let simulator = Running::simulator(release, Duration::ZERO).await;
    let app = Running::app(release, &simulator).await;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .expect("an HTTP client");
    let load = Load {
        concurrency: CONCURRENCY,
        warm_up: Duration::from_secs(2),
        measure: Duration::from_secs(10),
    };

    let page = http
        .get(format!("{}/", app.base_url))
        .send()
        .await
        .and_then(|answer| answer.error_for_status())
        .expect("the page renders");
    let html = page.text().await.expect("the page's HTML");
    let assets = sizes::of_page(&html, &site_root);

    if only_throughput {
        let throughput = Throughput::measure(&load, &http, &app.base_url, &assets).await;
        print_machine();
        throughput.print();
        return;
    }

    let upstream_latency = std::env::var("BENCH_UPSTREAM_LATENCY_MS")
        .ok()
        .and_then(|millis| millis.parse().ok())
        .map_or(UPSTREAM_LATENCY, Duration::from_millis);
    let slow_simulator = Running::simulator(release, upstream_latency).await;
    let slow_app = Running::app(release, &slow_simulator).await;
    let relayed = load.run(register_through_app(&http, &app.base_url)).await;
    let direct = load
        .run(register_upstream(&http, &simulator.base_url))
        .await;
    let one_user = Load {
        concurrency: 1,
        warm_up: Duration::from_secs(1),
        measure: Duration::from_secs(5),
    };
    let relayed_alone = one_user
        .run(register_through_app(&http, &app.base_url))
        .await;
    let direct_alone = one_user
        .run(register_upstream(&http, &simulator.base_url))
        .await;
    let relayed_slow = load
        .run(register_through_app(&http, &slow_app.base_url))
        .await;
    let direct_slow = load
        .run(register_upstream(&http, &slow_simulator.base_url))
        .await;
    let throughput = Throughput::measure(&load, &http, &app.base_url, &assets).await;
    let peak_rss = app.peak_rss().max(slow_app.peak_rss());
    let hydration = hydration_times(&format!("{}/", app.base_url));

    print_machine();
    print_sizes(&assets);
    print_relay(
        &format!("{CONCURRENCY} virtual users each way, the simulator answering at once"),
        &relayed,
        &direct,
    );
    print_relay(
        "1 virtual user each way, the simulator answering at once",
        &relayed_alone,
        &direct_alone,
    );
    print_relay(
        &format!(
            "{CONCURRENCY} virtual users each way, the simulator answering after {} ms",
            upstream_latency.as_millis()
        ),
        &relayed_slow,
        &direct_slow,
    );
    throughput.print();
    println!(
        "\nPeak resident memory of the app under that load (VmHWM): {:.1} MB",
        mb(peak_rss)
    );
    print_hydration(hydration);
}

/// A new merchant each time: no cookie, so the call opens a session, as a first submit does.
fn register_through_app(
    http: &reqwest::Client,
    app: &str,
) -> impl Fn() -> Call + Clone + Send + 'static {
    let (http, url, origin) = (http.clone(), format!("{app}/api/register"), app.to_owned());
    move || {
        let request = http
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            // What the page's server-function client asks for.
            .header("accept", "application/x-postcard")
            .header("origin", &origin)
            .header("sec-fetch-site", "same-origin")
            .body(FORM);
        Box::pin(async move {
            // Registered, on to the SMS step: not a form sent back with errors.
            let screen = answered(request).await;
            screen
                .is_some_and(|bytes| matches!(postcard::from_bytes(&bytes), Ok(Screen::Verify(_))))
        })
    }
}

fn register_upstream(
    http: &reqwest::Client,
    simulator: &str,
) -> impl Fn() -> Call + Clone + Send + 'static {
    let (http, url) = (
        http.clone(),
        format!("{simulator}/v1/registration/stamps_com"),
    );
    move || {
        let request = http
            .post(&url)
            .header("api-key", API_KEY)
            .header("content-type", "application/json")
            .body(UPSTREAM_JSON);
        Box::pin(async move { answered(request).await.is_some() })
    }
}

fn get_ok(http: &reqwest::Client, url: String) -> impl Fn() -> Call + Clone + Send + 'static {
    let http = http.clone();
    move || {
        let request = http.get(&url).header("accept-encoding", "br");
        Box::pin(async move { answered(request).await.is_some() })
    }
}

/// A static file as a browser that accepts brotli gets it: the `.br` the build wrote, whole.
fn get_brotli(
    http: &reqwest::Client,
    url: String,
    brotli_len: usize,
) -> impl Fn() -> Call + Clone + Send + 'static {
    let http = http.clone();
    move || {
        let request = http.get(&url).header("accept-encoding", "br");
        Box::pin(async move {
            let Ok(answer) = request.send().await else {
                return false;
            };
            let brotli = answer
                .headers()
                .get("content-encoding")
                .is_some_and(|encoding| encoding == "br");
            let ok = answer.status().is_success() && brotli;
            let body = answer.bytes().await;
            ok && body.is_ok_and(|body| body.len() == brotli_len)
        })
    }
}

/// Requests/s at [`CONCURRENCY`]: the server-rendered page, and static files from the same
/// server, each measured on its own.
struct Throughput {
    rendered: Measured,
    stylesheet: (sizes::Asset, Measured),
    wasm: (sizes::Asset, Measured),
}

impl Throughput {
    async fn measure(
        load: &Load,
        http: &reqwest::Client,
        app: &str,
        assets: &[sizes::Asset],
    ) -> Self {
        let file = |extension: &str| {
            let asset = assets
                .iter()
                .find(|asset| asset.name.ends_with(extension))
                .unwrap_or_else(|| panic!("the page links its {extension} file"));
            asset.clone()
        };
        let (stylesheet, wasm) = (file(".css"), file(".wasm"));
        let rendered = load.run(get_ok(http, format!("{app}/"))).await;
        let static_file =
            |asset: &sizes::Asset| get_brotli(http, format!("{app}{}", asset.name), asset.brotli);
        let stylesheet_run = load.run(static_file(&stylesheet)).await;
        let wasm_run = load.run(static_file(&wasm)).await;
        Self {
            rendered,
            stylesheet: (stylesheet, stylesheet_run),
            wasm: (wasm, wasm_run),
        }
    }

    fn print(&self) {
        println!("\nThroughput at {CONCURRENCY} concurrent, each measured on its own");
        let line = |name: &str, run: &Measured| {
            println!(
                "{:<44} {:>9.0} req/s  ({} requests, {} errors)",
                name,
                run.per_second(),
                run.count(),
                run.errors
            );
        };
        line("server-rendered form page (/)", &self.rendered);
        for (what, (asset, run)) in [("stylesheet", &self.stylesheet), ("WASM", &self.wasm)] {
            line(
                &format!("static: the {what}, brotli ({:.1} KB)", kb(asset.brotli)),
                run,
            );
        }
        println!(
            "{:<44} {:>9.2}",
            "SSR / static (stylesheet) ratio",
            self.rendered.per_second() / self.stylesheet.1.per_second()
        );
    }
}

/// The body of a 2xx answer, read whole (as a browser would).
async fn answered(request: reqwest::RequestBuilder) -> Option<Vec<u8>> {
    let answer = request.send().await.ok()?;
    if !answer.status().is_success() {
        return None;
    }
    answer.bytes().await.ok().map(Vec::from)
}

/// `end2end/bench/hydration.mjs` in Node, with the end-to-end tests' Playwright and Chromium.
fn hydration_times(url: &str) -> Vec<f64> {
    let output = Command::new("node")
        .args([
            "end2end/bench/hydration.mjs",
            url,
            &HYDRATION_LOADS.to_string(),
        ])
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "hydration timing failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("a JSON array of milliseconds")
}

fn kb(bytes: usize) -> f64 {
    bytes as f64 / 1000.0
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn print_sizes(assets: &[sizes::Asset]) {
    println!("Bytes the browser downloads for the first page (KB = 1000 bytes)");
    println!(
        "{:<58} {:>10} {:>10} {:>10}",
        "asset", "raw", "gzip", "brotli"
    );
    for asset in assets {
        println!(
            "{:<58} {:>10.1} {:>10.1} {:>10.1}",
            asset.name,
            kb(asset.raw),
            kb(asset.gzip),
            kb(asset.brotli)
        );
    }
    let code = assets.iter().filter(|asset| asset.is_code());
    let total = code.fold([0; 3], |sum, a| {
        [sum[0] + a.raw, sum[1] + a.gzip, sum[2] + a.brotli]
    });
    println!(
        "{:<58} {:>10.1} {:>10.1} {:>10.1}",
        "JS + WASM",
        kb(total[0]),
        kb(total[1]),
        kb(total[2])
    );
}

/// The app, the simulator, the load and Chromium share these cores with whatever else runs.
fn print_machine() {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    println!("Machine: {cores} cores, load average {load} when the report was printed\n");
}

fn print_relay(setting: &str, relayed: &Measured, direct: &Measured) {
    println!("\nRegistration, {setting} (a new merchant per call)");
    println!(
        "{:<36} {:>9} {:>9} {:>9} {:>7}",
        "", "p50 ms", "p99 ms", "req/s", "errors"
    );
    for (name, run) in [
        ("through the app (/api/register)", relayed),
        ("straight to the simulator", direct),
    ] {
        println!(
            "{:<36} {:>9.2} {:>9.2} {:>9.0} {:>7}",
            name,
            ms(run.percentile(50.0)),
            ms(run.percentile(99.0)),
            run.per_second(),
            run.errors
        );
    }
    let ratio = |p| ms(relayed.percentile(p)) / ms(direct.percentile(p));
    println!(
        "{:<36} {:>9.2} {:>9.2}",
        "relay overhead ratio",
        ratio(50.0),
        ratio(99.0)
    );
}

fn print_hydration(mut times: Vec<f64>) {
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let all: Vec<String> = times.iter().map(|t| format!("{t:.0}")).collect();
    println!(
        "\nNavigation to hydrated in headless Chromium, {} fresh loads: median {median:.0} ms \
         (all: {} ms)",
        times.len(),
        all.join(", ")
    );
}
