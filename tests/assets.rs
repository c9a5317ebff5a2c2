//! The browser's files: hashed names referenced by the page, cached for a year; brotli or gzip
//! to a browser that accepts it; the page itself never cached.

mod support;

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use leptos::config::LeptosOptions;
use support::{TestApp, body_bytes};

const JS: &str = "/pkg/stamps-connect.Jh4sh.js";
const WASM: &str = "/pkg/stamps-connect.Wh4sh.wasm";
const CSS: &str = "/pkg/stamps-connect.Ch4sh.css";

/// A site root as `cargo leptos build --release --precompress` leaves it, in a directory of its
/// own with the hash file and a file that must never be served (`Cargo.toml`) beside it.
/// Returns that directory (to remove), the site root and the options.
fn built_site(hashed: bool) -> (PathBuf, PathBuf, LeptosOptions) {
    let dir = std::env::temp_dir().join(format!("stamps-connect-site-{}", uuid::Uuid::new_v4()));
    let root = dir.join("site");
    let write = |path: &str, bytes: &[u8]| {
        let path = root.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    let (js, wasm, css) = if hashed {
        (JS, WASM, CSS)
    } else {
        (
            "/pkg/stamps-connect.js",
            "/pkg/stamps-connect.wasm",
            "/pkg/stamps-connect.css",
        )
    };
    write(js, b"export function hydrate() {}");
    write(&format!("{js}.br"), b"brotli bytes");
    write(&format!("{js}.gz"), b"gzip bytes");
    write(wasm, b"\0asm wasm bytes");
    write(&format!("{wasm}.br"), b"brotli wasm");
    write(css, b"body { margin: 0 }");
    write("/favicon.svg", b"<svg/>");
    std::fs::write(
        dir.join("hash.txt"),
        b"js: Jh4sh\nwasm: Wh4sh\ncss: Ch4sh\n",
    )
    .unwrap();
    std::fs::write(dir.join("Cargo.toml"), b"[package] # secret").unwrap();
    let options = LeptosOptions::builder()
        .output_name("stamps-connect")
        .site_root(root.to_str().unwrap())
        .hash_files(hashed)
        // Absolute, so it is found wherever the test binary runs from.
        .hash_file(dir.join("hash.txt").to_str().unwrap().into())
        .build();
    (dir, root, options)
}

async fn get(
    app: &mut TestApp,
    path: &str,
    accept_encoding: &str,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let request = Request::get(path)
        .header(header::ACCEPT_ENCODING, accept_encoding)
        .body(Body::empty())
        .unwrap();
    let response = app.send(request).await;
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, body_bytes(response).await)
}

/// A path that is no file gets the app's page that says so, never a file's bytes.
fn assert_is_the_not_found_page(body: &[u8], path: &str) {
    let page = String::from_utf8_lossy(body);
    assert!(page.contains("<h1>Page not found</h1>"), "{path}: {page}");
    assert!(!page.contains("[package]"), "{path}");
}

fn cache_control(headers: &HeaderMap) -> &str {
    headers[header::CACHE_CONTROL].to_str().unwrap()
}

fn header(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).map(|value| value.to_str().unwrap())
}

fn remove(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_page_links_the_hashed_files_and_is_never_cached() {
    let (dir, _, options) = built_site(true);
    let mut app = TestApp::start_with_options(&[], options).await;
    let (status, headers, html) = get(&mut app, "/", "br, gzip").await;
    let html = String::from_utf8(html).unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cache_control(&headers), "no-store");
    assert!(
        html.contains(&format!(r#"<link rel="stylesheet" href="{CSS}">"#)),
        "{html}"
    );
    assert!(html.contains(JS), "the hydration script loads {JS}: {html}");
    remove(&dir);
}

#[tokio::test]
async fn hashed_files_are_immutable_for_a_year_and_precompressed_when_accepted() {
    let (dir, _, options) = built_site(true);
    let mut app = TestApp::start_with_options(&[], options).await;
    for (accept, encoding, body) in [
        ("gzip, deflate, br", Some("br"), &b"brotli bytes"[..]),
        ("gzip", Some("gzip"), b"gzip bytes"),
        ("identity", None, b"export function hydrate() {}"),
    ] {
        let (status, headers, bytes) = get(&mut app, JS, accept).await;
        assert_eq!(status, StatusCode::OK, "{accept}");
        assert_eq!(
            cache_control(&headers),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            headers
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{accept}"
        );
        assert_eq!(bytes, body, "{accept}");
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .contains("javascript")
        );
        assert!(
            headers[header::VARY]
                .to_str()
                .unwrap()
                .contains("accept-encoding")
        );
    }
    let (status, headers, _) = get(&mut app, CSS, "br").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        cache_control(&headers),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        headers.get(header::CONTENT_ENCODING),
        None,
        "no .br of it: sent as is"
    );
    remove(&dir);
}

#[tokio::test]
async fn a_missing_file_and_files_with_stable_names_are_revalidated() {
    let (dir, _, options) = built_site(true);
    let mut app = TestApp::start_with_options(&[], options).await;
    let (status, headers, _) = get(&mut app, "/pkg/stamps-connect.0ld.js", "br").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(cache_control(&headers), "no-cache");
    let (status, headers, _) = get(&mut app, "/favicon.svg", "br").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cache_control(&headers), "no-cache");
    remove(&dir);

    // A build without hashed names must not have its files kept for a year.
    let (dir, _, options) = built_site(false);
    let mut app = TestApp::start_with_options(&[], options).await;
    let (status, headers, _) = get(&mut app, "/pkg/stamps-connect.js", "br").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cache_control(&headers), "no-cache");
    remove(&dir);
}

async fn send(
    app: &mut TestApp,
    request: axum::http::request::Builder,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let response = app.send(request.body(Body::empty()).unwrap()).await;
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, body_bytes(response).await)
}

#[tokio::test]
async fn every_file_is_served_as_its_bytes_on_disk_with_its_type() {
    let (dir, root, options) = built_site(true);
    let mut app = TestApp::start_with_options(&[], options).await;
    for (path, accept, file, content_type) in [
        (JS, "identity", JS.to_owned(), "text/javascript"),
        (JS, "br", format!("{JS}.br"), "text/javascript"),
        (JS, "gzip", format!("{JS}.gz"), "text/javascript"),
        (WASM, "identity", WASM.to_owned(), "application/wasm"),
        (WASM, "gzip, br", format!("{WASM}.br"), "application/wasm"),
        (CSS, "gzip, br", CSS.to_owned(), "text/css"),
        (
            "/favicon.svg",
            "",
            "/favicon.svg".to_owned(),
            "image/svg+xml",
        ),
    ] {
        let on_disk = std::fs::read(root.join(file.trim_start_matches('/'))).unwrap();
        let (status, headers, bytes) = get(&mut app, path, accept).await;
        assert_eq!(status, StatusCode::OK, "{path} {accept}");
        assert_eq!(bytes, on_disk, "{path} {accept}");
        assert_eq!(header(&headers, header::CONTENT_TYPE), Some(content_type));
        assert_eq!(
            header(&headers, header::CONTENT_LENGTH),
            Some(on_disk.len().to_string().as_str())
        );

        // HEAD: the same headers, no body.
        let head = Request::head(path).header(header::ACCEPT_ENCODING, accept);
        let (status, head_headers, body) = send(&mut app, head).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.is_empty(), "{path}: a HEAD answer has no body");
        for name in [
            header::CONTENT_TYPE,
            header::CONTENT_LENGTH,
            header::CONTENT_ENCODING,
            header::ETAG,
            header::CACHE_CONTROL,
            header::VARY,
        ] {
            assert_eq!(head_headers.get(&name), headers.get(&name), "{path} {name}");
        }
    }
    remove(&dir);
}

#[tokio::test]
async fn the_encoding_follows_the_browsers_q_values() {
    let (dir, _, options) = built_site(true);
    let mut app = TestApp::start_with_options(&[], options).await;
    for (accept, encoding) in [
        ("br;q=0, gzip", Some("gzip")),
        ("gzip;q=1, br;q=0.5", Some("gzip")),
        ("gzip;q=0.8, br", Some("br")),
        ("BR", Some("br")),
        ("x-gzip", Some("gzip")),
        ("gzip;q=0, br;q=0", None),
        ("deflate", None),
        ("", None),
    ] {
        let (status, headers, _) = get(&mut app, JS, accept).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            header(&headers, header::CONTENT_ENCODING),
            encoding,
            "{accept:?}"
        );
        assert_eq!(header(&headers, header::VARY), Some("accept-encoding"));
    }
    // No Accept-Encoding at all: the file as it is.
    let (_, headers, bytes) = send(&mut app, Request::get(JS)).await;
    assert_eq!(headers.get(header::CONTENT_ENCODING), None);
    assert_eq!(bytes, b"export function hydrate() {}");
    remove(&dir);
}

#[tokio::test]
async fn a_browser_with_the_current_copy_gets_304() {
    let (dir, _, options) = built_site(true);
    let mut app = TestApp::start_with_options(&[], options).await;
    let (_, plain, _) = get(&mut app, JS, "identity").await;
    let (_, brotli, _) = get(&mut app, JS, "br").await;
    let (plain_etag, brotli_etag) = (&plain[header::ETAG], &brotli[header::ETAG]);
    assert!(plain_etag.to_str().unwrap().starts_with('"'), "strong");
    assert_ne!(plain_etag, brotli_etag, "each representation has its own");

    let conditional = |accept: &str, tags: &str| {
        Request::get(JS)
            .header(header::ACCEPT_ENCODING, accept)
            .header(header::IF_NONE_MATCH, tags)
    };
    let brotli_etag = brotli_etag.to_str().unwrap();
    for tags in [
        brotli_etag.to_owned(),
        format!("W/{brotli_etag}"),
        format!(r#""0ld", {brotli_etag}"#),
        "*".to_owned(),
    ] {
        let (status, headers, body) = send(&mut app, conditional("br", &tags)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{tags}");
        assert!(body.is_empty());
        assert_eq!(header(&headers, header::ETAG), Some(brotli_etag));
        assert_eq!(
            cache_control(&headers),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(header(&headers, header::VARY), Some("accept-encoding"));
    }
    // Another representation, or another file's tag: the file itself.
    for (accept, tags) in [("identity", brotli_etag), ("br", r#""0ld""#)] {
        let (status, _, body) = send(&mut app, conditional(accept, tags)).await;
        assert_eq!(status, StatusCode::OK, "{accept} {tags}");
        assert!(!body.is_empty());
    }
    // A file with a stable name: the browser asks each time, and gets 304 while it is current.
    let (_, favicon, _) = get(&mut app, "/favicon.svg", "").await;
    let request =
        Request::get("/favicon.svg").header(header::IF_NONE_MATCH, &favicon[header::ETAG]);
    let (status, headers, _) = send(&mut app, request).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(cache_control(&headers), "no-cache");
    remove(&dir);
}

#[tokio::test]
async fn nothing_outside_the_site_root_is_served() {
    for hashed in [true, false] {
        let (dir, _, options) = built_site(hashed);
        let mut app = TestApp::start_with_options(&[], options).await;
        for path in [
            "/pkg/../Cargo.toml",
            "/../Cargo.toml",
            "/pkg/../../Cargo.toml",
            "/pkg/%2e%2e/Cargo.toml",
            "/pkg/%2E%2E/%2E%2E/Cargo.toml",
            "/%2e%2e/Cargo.toml",
            "/pkg/..%2fCargo.toml",
            "/pkg/..%2F..%2FCargo.toml",
            "/hash.txt",
        ] {
            let (status, headers, body) = get(&mut app, path, "br").await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path} (hashed: {hashed})");
            assert_eq!(cache_control(&headers), "no-cache", "{path}");
            assert_is_the_not_found_page(&body, path);
        }
        remove(&dir);
    }
}

#[tokio::test]
async fn an_unknown_path_is_a_404_and_a_file_is_only_read() {
    let (dir, _, options) = built_site(true);
    let mut app = TestApp::start_with_options(&[], options).await;
    for path in [
        "/pkg/",
        "/pkg",
        "/nothing.js",
        "/pkg/stamps-connect.Jh4sh.js%",
        "/pkg/stamps-connect.Jh4sh.js%zz",
    ] {
        let (status, headers, body) = get(&mut app, path, "br").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(cache_control(&headers), "no-cache", "{path}");
        assert_is_the_not_found_page(&body, path);
    }
    // A percent-encoded name is the same file.
    let (status, _, _) = get(&mut app, "/pkg/stamps-connect%2EJh4sh.js", "br").await;
    assert_eq!(status, StatusCode::OK);
    let (status, headers, _) = send(&mut app, Request::post(JS)).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header(&headers, header::ALLOW), Some("GET, HEAD"));
    remove(&dir);
}

#[tokio::test]
async fn the_files_are_read_once_at_start_up() {
    let (dir, root, options) = built_site(true);
    let mut app = TestApp::start_with_options(&[], options).await;
    std::fs::write(root.join("pkg/later.js"), b"written after start-up").unwrap();
    std::fs::remove_file(root.join(CSS.trim_start_matches('/'))).unwrap();
    let (status, _, _) = get(&mut app, "/pkg/later.js", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not there at start-up");
    let (status, _, bytes) = get(&mut app, CSS, "").await;
    assert_eq!(status, StatusCode::OK, "served from memory");
    assert_eq!(bytes, b"body { margin: 0 }");
    remove(&dir);
}

#[tokio::test]
async fn a_site_root_far_larger_than_a_site_is_not_served() {
    // `.` or `/` by mistake: nothing of it is read, let alone served.
    let (dir, root, options) = built_site(true);
    let huge = std::fs::File::create(root.join("huge.bin")).unwrap();
    huge.set_len(64_000_001).unwrap(); // sparse: its size alone is over the limit
    let mut app = TestApp::start_with_options(&[], options).await;
    let (status, _, _) = get(&mut app, "/favicon.svg", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get(&mut app, "/", "").await;
    assert_eq!(status, StatusCode::OK, "the page is still served");
    remove(&dir);
}

#[tokio::test]
async fn without_hashed_names_a_rewritten_file_is_served_anew() {
    // `cargo leptos watch` rewrites `stamps-connect.css` while the server runs.
    let (dir, root, options) = built_site(false);
    let mut app = TestApp::start_with_options(&[], options).await;
    std::fs::write(root.join("pkg/stamps-connect.css"), b"body { margin: 1px }").unwrap();
    let (status, headers, bytes) = get(&mut app, "/pkg/stamps-connect.css", "br").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, b"body { margin: 1px }");
    assert_eq!(cache_control(&headers), "no-cache");
    remove(&dir);
}
