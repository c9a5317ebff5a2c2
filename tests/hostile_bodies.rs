//! Ten thousand malformed or hostile bodies for each server function: random bytes, invalid
//! UTF-8, wrong content types, bodies past the size limit, nested and repeated keys, huge and
//! poisoned fields, cross-site headers. Each one gets an answer below 500 (no panic), and none
//! reaches ShipEngine. Then otherwise valid registrations with one field carrying a NUL, a CRLF,
//! a bidi override or far too much text: each is refused on that field, and nothing goes upstream.
//! On SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set (`source scripts/postgres`).
//!
//! The bodies come from a seeded generator: a failure prints its seed, and `HOSTILE_SEED=<seed>`
//! replays the same run.

mod support;
use support::POSTCARD;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use leptos::config::LeptosOptions;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, RngCore, SeedableRng};
use stamps_connect::error::{AppError, FormField};
use stamps_connect::fields::phone::normalize_us_phone;
use stamps_connect::fields::text::{HIDDEN, is_hidden, nfc};
use stamps_connect::registration::RegistrationField;
use stamps_connect::screen::Screen;
use stamps_connect::simulator::Endpoint;
use stamps_connect::verification::validate_code;
use support::databases::TestDatabase;
use support::{ORIGIN, TestApp, body_bytes, registration_form};
use tower::ServiceExt;

const BODIES_PER_FUNCTION: usize = 10_000;

/// Characters that make a phone number or a code invalid where they stand first, whether sent
/// raw or percent-encoded (not `%` or `+`, which decoding could turn into a digit or a space).
const POISON: &[&str] = &[
    "x", "<", "'", "\"", "&", "=", "[", "\u{0}", "é", "中", "🎉", "\u{202e}",
];

const TRICKY: &[&str] = &[
    "0",
    "5",
    "9",
    " ",
    "-",
    "(",
    ")",
    "+",
    ".",
    "&",
    "=",
    "%",
    "%%",
    "%ZZ",
    "%FF",
    "%C3%28",
    "%00",
    "[",
    "]",
    "[]",
    "\r\n",
    "\t",
    "\u{feff}",
    "\u{200b}",
    "<script>alert(1)</script>",
    "'; DROP TABLE carriers; --",
    "../../etc/passwd",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "\\u0000",
    "se-123456",
    "vfn_abc",
    "true",
    "null",
    "[object Object]",
    "ß",
    "İ",
    "👩‍👩‍👧",
];

async fn start_on(database: TestDatabase) -> TestApp {
    let options = LeptosOptions::builder()
        .output_name("stamps-connect")
        .build();
    TestApp::start_on(database, &[], options).await
}

#[tokio::test]
async fn hostile_bodies_to_register() {
    for database in TestDatabase::each().await {
        let mut app = start_on(database).await;
        app.page().await;
        hammer(&mut app, Target::Register).await;
        assert!(
            app.page()
                .await
                .contains("Open your free Stamps.com account")
        );
    }
}

#[tokio::test]
async fn hostile_bodies_to_send_code() {
    for database in TestDatabase::each().await {
        let mut app = start_on(database).await;
        sms_step(&mut app).await;
        hammer(&mut app, Target::SendCode).await;
        assert!(app.page().await.contains("We sent a code to"));
    }
}

#[tokio::test]
async fn hostile_bodies_to_verify_code() {
    for database in TestDatabase::each().await {
        let mut app = start_on(database).await;
        sms_step(&mut app).await;
        hammer(&mut app, Target::VerifyCode).await;
        assert!(app.page().await.contains("We sent a code to"));
    }
}

/// The fields a merchant types into (not the state, the radio buttons, the checkbox or the
/// expiry, which are chosen).
const TYPED_FIELDS: &[RegistrationField] = &[
    RegistrationField::Nickname,
    RegistrationField::Email,
    RegistrationField::Name,
    RegistrationField::Phone,
    RegistrationField::CompanyName,
    RegistrationField::AddressLine1,
    RegistrationField::AddressLine2,
    RegistrationField::CityLocality,
    RegistrationField::PostalCode,
    RegistrationField::CardName,
    RegistrationField::CardNumber,
];

/// An otherwise valid registration with one typed field carrying a control character, a bidi
/// override or far too much text: refused on that field (before any row is written or the
/// address's registration allowance is spent), never a 5xx, nothing upstream. A NUL once made
/// the PostgreSQL insert fail with a 500.
#[tokio::test]
async fn a_valid_form_with_one_hostile_field_is_refused_on_that_field() {
    let long = "x".repeat(100_000);
    let past_the_limit = "x".repeat(10_000);
    let values: [(&str, &str); 6] = [
        ("a NUL", "Main\u{0}store"),
        ("a CRLF", "Main\r\nstore"),
        ("a bidi override", "\u{202e}erots niaM"),
        ("a trailing NUL", "5121112222\u{0}"),
        ("10,000 characters", &past_the_limit),
        ("100,000 characters", &long),
    ];
    for database in TestDatabase::each().await {
        let backend = database.backend();
        let mut app = start_on(database).await;
        app.page().await;
        app.simulator.simulator.clear_requests();
        for &field in TYPED_FIELDS {
            for (what, value) in values {
                let case = format!("{backend}: {what} in {}", field.name());
                let form = with_field(field.name(), value);
                let response = app.post("register", &form, POSTCARD).await;
                let status = response.status();
                assert!(status.as_u16() < 500, "{case}: {status}");
                if status == StatusCode::PAYLOAD_TOO_LARGE {
                    // Past the 16 KiB a request may have: refused before any field is read.
                    assert!(value.len() > 16 * 1024, "{case}");
                    continue;
                }
                assert_eq!(status, StatusCode::BAD_REQUEST, "{case}");
                let error: AppError = postcard::from_bytes(&body_bytes(response).await)
                    .unwrap_or_else(|error| panic!("{case}: not the app's error ({error})"));
                let AppError::Invalid(errors) = &error else {
                    panic!("{case}: {error:?}");
                };
                let fields: Vec<FormField> = errors.iter().map(|e| e.field).collect();
                assert_eq!(fields, [field.into()], "{case}: only that field is named");
                if value.chars().any(is_hidden) {
                    assert_eq!(errors.get(field), Some(HIDDEN), "{case}");
                }
            }
        }
        assert_eq!(
            app.upstream_requests(Endpoint::Register),
            0,
            "{backend}: a hostile field reached ShipEngine"
        );
        assert_eq!(app.simulator.simulator.requests(), [], "{backend}");

        // The refusals spent nothing: the same browser, from the same address, still registers,
        // and what goes upstream is composed and visible.
        let form = with_field("nickname", "Cafe\u{301} on Main");
        let response = app.post("register", &form, POSTCARD).await;
        assert_eq!(response.status(), StatusCode::OK, "{backend}");
        let screen: Screen = postcard::from_bytes(&body_bytes(response).await).unwrap();
        assert!(
            matches!(screen, Screen::Verify(_)),
            "{backend}: a valid form still registers"
        );
        let requests = app.simulator.simulator.requests();
        let [checked, sent] = requests.as_slice() else {
            panic!("{backend}: {} upstream requests", requests.len());
        };
        assert_eq!(checked.endpoint, Some(Endpoint::ValidateAddresses));
        assert_eq!(sent.endpoint, Some(Endpoint::Register));
        assert_eq!(sent.body["nickname"], "Caf\u{e9} on Main", "{backend}");
        assert_well_formed(&sent.body, backend);
    }
}

/// `registration_form()` with `field` set to `value`.
fn with_field<'a>(field: &str, value: &'a str) -> Vec<(&'static str, &'a str)> {
    let mut form: Vec<(&'static str, &'a str)> = registration_form();
    let slot = form
        .iter_mut()
        .find(|(name, _)| *name == field)
        .unwrap_or_else(|| panic!("registration_form() has no {field}"));
    slot.1 = value;
    form
}

/// Every string in an upstream body is NFC and free of control and bidi characters.
fn assert_well_formed(value: &serde_json::Value, backend: &str) {
    match value {
        serde_json::Value::String(text) => {
            assert!(!text.chars().any(is_hidden), "{backend}: sent {text:?}");
            assert_eq!(&nfc(text), text, "{backend}: sent {text:?}");
        }
        serde_json::Value::Array(items) => items
            .iter()
            .for_each(|item| assert_well_formed(item, backend)),
        serde_json::Value::Object(fields) => fields
            .values()
            .for_each(|item| assert_well_formed(item, backend)),
        _ => {}
    }
}

/// A session with a code on its way, so that each function has something it could act on.
async fn sms_step(app: &mut TestApp) {
    app.call("register", &registration_form()).await;
    app.call("send_code", &[("phone", "5121112222")]).await;
}

#[derive(Clone, Copy, Debug)]
enum Target {
    Register,
    SendCode,
    VerifyCode,
}

impl Target {
    fn function(self) -> &'static str {
        match self {
            Target::Register => "register",
            Target::SendCode => "send_code",
            Target::VerifyCode => "verify_code",
        }
    }

    /// The field names the function reads.
    fn fields(self) -> Vec<&'static str> {
        match self {
            Target::Register => registration_form()
                .into_iter()
                .map(|(name, _)| name)
                .collect(),
            Target::SendCode => vec!["phone"],
            Target::VerifyCode => vec!["code"],
        }
    }
}

async fn hammer(app: &mut TestApp, target: Target) {
    let seed = std::env::var("HOSTILE_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    let mut rng = StdRng::seed_from_u64(seed);
    app.simulator.simulator.clear_requests();
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for n in 0..BODIES_PER_FUNCTION {
        let (request, what) = hostile_request(&mut rng, target, app.cookie.as_deref());
        let response = app.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        assert!(
            status.as_u16() < 500,
            "{} got {status} for body #{n} ({what}), HOSTILE_SEED={seed}",
            target.function()
        );
        *statuses.entry(status.as_u16()).or_default() += 1;
    }
    assert_eq!(
        app.simulator.simulator.requests(),
        [],
        "{} let a hostile body through to ShipEngine, HOSTILE_SEED={seed}",
        target.function()
    );
    // The run exercised the refusals, not only one of them.
    for status in [400, 403, 413, 415] {
        assert!(
            statuses.contains_key(&status),
            "no {status} in {statuses:?}"
        );
    }
}

/// One hostile request, and a short description of it for a failure message.
fn hostile_request(
    rng: &mut StdRng,
    target: Target,
    cookie: Option<&str>,
) -> (Request<Body>, String) {
    let mut request = Request::post(format!("/api/{}", target.function()))
        .header(header::HOST, "localhost")
        .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [192, 0, 2, 1],
            50000,
        ))));
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    if rng.random_bool(0.02) {
        request = request.header(header::COOKIE, "stamps_connect_session=not-a-session-id%00");
    }
    request = match rng.random_range(0..20) {
        0 => request
            .header("sec-fetch-site", "cross-site")
            .header(header::ORIGIN, "https://evil.example"),
        1 => request.header(header::ORIGIN, "null"),
        _ => request
            .header("sec-fetch-site", "same-origin")
            .header(header::ORIGIN, ORIGIN),
    };
    let accept = [POSTCARD, "text/html", "*/*", "", "text/html;q=0.1, \u{7f}"]
        .choose(rng)
        .unwrap();
    if let Ok(accept) = header::HeaderValue::from_str(accept) {
        request = request.header(header::ACCEPT, accept);
    }
    let form = "application/x-www-form-urlencoded";
    let (content_type, body, what): (Option<&str>, Body, &str) = match rng.random_range(0..100) {
        0..10 => (
            Some(form),
            Body::from(random_bytes(rng, 600)),
            "random bytes",
        ),
        10..15 => {
            let json = format!(
                r#"{{"phone":"5121112222","code":"123456","{}":1}}"#,
                target.function()
            );
            let content_type = [
                "application/json",
                "text/plain",
                "multipart/form-data; boundary=x",
            ]
            .choose(rng)
            .copied();
            (content_type, Body::from(json), "not a form")
        }
        15..18 => (
            None,
            Body::from(hostile_form(rng, target)),
            "no content type",
        ),
        18..23 => {
            let size = rng.random_range(16 * 1024 + 1..64 * 1024);
            // With its length announced, or without (chunked), when only reading it tells.
            if rng.random_bool(0.5) {
                request = request.header(header::CONTENT_LENGTH, size);
            }
            (Some(form), Body::from(vec![b'9'; size]), "too large")
        }
        23..30 => {
            let json = format!(
                r#"{{"{}": ["5121112222"], "nested": {{"a": [1, {{}}]}}}}"#,
                target.fields()[0]
            );
            (Some(form), Body::from(json), "JSON sent as a form")
        }
        _ => (
            Some(form),
            Body::from(hostile_form(rng, target)),
            "hostile form",
        ),
    };
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    (request.body(body).unwrap(), what.to_owned())
}

fn random_bytes(rng: &mut StdRng, max: usize) -> Vec<u8> {
    let mut bytes = vec![0; rng.random_range(0..max)];
    rng.fill_bytes(&mut bytes);
    bytes
}

/// A URL-encoded body with the function's fields and others, every key and value mangled in
/// some way. No body can be valid: registrations never agree to the terms, and every phone
/// number or code starts with a character neither can contain.
fn hostile_form(rng: &mut StdRng, target: Target) -> Vec<u8> {
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    if let Target::Register = target {
        for (name, value) in registration_form() {
            if name == "agree_to_carrier_terms" {
                continue;
            }
            let value = if rng.random_bool(0.3) {
                hostile_value(rng)
            } else {
                encode(value)
            };
            pairs.push((name.into(), value));
        }
    }
    for _ in 0..rng.random_range(0..6) {
        pairs.push((hostile_key(rng, target), hostile_value(rng)));
    }
    let mut body = Vec::new();
    for (index, (key, value)) in pairs.into_iter().enumerate() {
        if index > 0 {
            body.extend_from_slice(["&", "&&", ";", "&=&"].choose(rng).unwrap().as_bytes());
        }
        body.extend(key);
        if rng.random_bool(0.95) {
            body.push(b'=');
            body.extend(value);
        }
    }
    body
}

fn hostile_key(rng: &mut StdRng, target: Target) -> Vec<u8> {
    let field = *target.fields().choose(rng).unwrap();
    let key = match rng.random_range(0..12) {
        0..4 => field.to_owned(),
        4 => format!("{field}[]"),
        5 => format!("{field}[a][b][c][d][e][f][g]"),
        6 => format!("{field}%5Bx%5D"),
        7 => format!("{field}[{}]", rng.random::<u32>()),
        8 => "carrier_id".to_owned(),
        9 => String::new(),
        10 => "a".repeat(rng.random_range(1..4000)),
        _ => {
            let junk = TRICKY.choose(rng).unwrap();
            return [field.as_bytes(), junk.as_bytes()].concat();
        }
    };
    key.into_bytes()
}

/// A value that starts with a poison character, then anything, encoded or raw.
fn hostile_value(rng: &mut StdRng) -> Vec<u8> {
    let mut value = String::from(*POISON.choose(rng).unwrap());
    let length = if rng.random_bool(0.05) {
        rng.random_range(1000..12_000)
    } else {
        rng.random_range(0..30)
    };
    while value.len() < length {
        match rng.random_range(0..3) {
            0 => value.push(rng.random::<char>()),
            _ => value.push_str(TRICKY.choose(rng).unwrap()),
        }
    }
    match rng.random_range(0..3) {
        0 => value.into_bytes(),
        1 => encode(&value),
        // Percent-escapes of bytes that are not UTF-8.
        _ => [encode(&value), b"%FF%FE%80".to_vec()].concat(),
    }
}

fn encode(value: &str) -> Vec<u8> {
    let pair = serde_urlencoded::to_string([("", value)]).unwrap();
    pair.as_bytes()[1..].to_vec()
}

#[test]
fn the_generator_never_writes_a_usable_phone_or_code() {
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..2000 {
        let value = hostile_value(&mut rng);
        let decoded = form_urlencoded_value(&value);
        assert!(normalize_us_phone(&decoded).is_err(), "{decoded:?}");
        assert!(validate_code(&decoded).is_err(), "{decoded:?}");
    }
}

/// How a form decoder reads `value` (invalid UTF-8 replaced).
fn form_urlencoded_value(value: &[u8]) -> String {
    let body = [b"v=".as_slice(), value].concat();
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .ok()
        .and_then(|pairs| pairs.into_iter().next())
        .map_or_else(|| String::from_utf8_lossy(value).into_owned(), |(_, v)| v)
}
