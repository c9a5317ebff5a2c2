//! The browser's files: hashed names referenced by the page, cached for a year; brotli or gzip
//! to a browser that accepts it; the page itself never cached.

mod support;

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use leptos::config::LeptosOptions;
use support::{TestApp, body_bytes};

const JS: &str = "/pkg/stamps-connect.Jh4sh.js";
const CSS: &str = "/pkg/stamps-connect.Ch4sh.css";

/// A site root as `cargo leptos build --release --precompress` leaves it, with its hash file.
fn built_site(hashed: bool) -> (PathBuf, LeptosOptions) {
    let root = std::env::temp_dir().join(format!("stamps-connect-site-{}", uuid::Uuid::new_v4()));
    let write = |path: &str, bytes: &[u8]| {
        let path = root.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    let (js, css) = if hashed {
        (JS, CSS)
    } else {
        ("/pkg/stamps-connect.js", "/pkg/stamps-connect.css")
    };
    write(js, b"export function hydrate() {}");
    write(&format!("{js}.br"), b"brotli bytes");
    write(&format!("{js}.gz"), b"gzip bytes");
    write(css, b"body { margin: 0 }");
    write("/favicon.svg", b"<svg/>");
    write("/hash.txt", b"js: Jh4sh\nwasm: Wh4sh\ncss: Ch4sh\n");
    let options = LeptosOptions::builder()
        .output_name("stamps-connect")
        .site_root(root.to_str().unwrap())
        .hash_files(hashed)
        // Absolute, so it is found wherever the test binary runs from.
        .hash_file(root.join("hash.txt").to_str().unwrap().into())
        .build();
    (root, options)
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

fn cache_control(headers: &HeaderMap) -> &str {
    headers[header::CACHE_CONTROL].to_str().unwrap()
}

fn remove(root: &Path) {
    let _ = std::fs::remove_dir_all(root);
}

#[tokio::test]
async fn the_page_links_the_hashed_files_and_is_never_cached() {
    let (root, options) = built_site(true);
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
    remove(&root);
}

#[tokio::test]
async fn hashed_files_are_immutable_for_a_year_and_precompressed_when_accepted() {
    let (root, options) = built_site(true);
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
    remove(&root);
}

#[tokio::test]
async fn a_missing_file_and_files_with_stable_names_are_revalidated() {
    let (root, options) = built_site(true);
    let mut app = TestApp::start_with_options(&[], options).await;
    let (status, headers, _) = get(&mut app, "/pkg/stamps-connect.0ld.js", "br").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(cache_control(&headers), "no-cache");
    let (status, headers, _) = get(&mut app, "/favicon.svg", "br").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cache_control(&headers), "no-cache");
    remove(&root);

    // A build without hashed names must not have its files kept for a year.
    let (root, options) = built_site(false);
    let mut app = TestApp::start_with_options(&[], options).await;
    let (status, headers, _) = get(&mut app, "/pkg/stamps-connect.js", "br").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cache_control(&headers), "no-cache");
    remove(&root);
}
