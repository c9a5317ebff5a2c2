//! The app's routes: the merchant flow is the one page with an island; any other path is a page
//! that says it does not exist; a flow that cannot be loaded says "try again". Plain form posts
//! go back to the page they came from.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use support::{TestApp, body_bytes, registration_form};

async fn get(app: &mut TestApp, path: &str) -> (StatusCode, String) {
    let response = app
        .send(Request::get(path).body(Body::empty()).unwrap())
        .await;
    let status = response.status();
    (
        status,
        String::from_utf8(body_bytes(response).await).unwrap(),
    )
}

/// Whether the page loads the app's WebAssembly (its islands loader).
fn loads_the_webassembly(page: &str) -> bool {
    page.contains("modulepreload") || page.contains(".wasm")
}

#[tokio::test]
async fn the_merchant_flow_is_an_island_and_only_its_page_loads_the_webassembly() {
    let mut app = TestApp::start().await;
    let (status, page) = get(&mut app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<leptos-island"), "{page}");
    assert!(loads_the_webassembly(&page));

    for path in ["/no-such-page", "/start", "/admin"] {
        let (status, page) = get(&mut app, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            page.contains("<title>Page not found</title>"),
            "{path}: {page}"
        );
        assert!(page.contains("<h1>Page not found</h1>"), "{path}");
        assert!(page.contains(r#"href="/""#), "{path}: the way back");
        assert!(!loads_the_webassembly(&page), "{path}: {page}");
        assert!(!page.contains("<leptos-island"), "{path}");
    }
}

#[tokio::test]
async fn a_database_failure_while_loading_the_page_says_try_again_not_an_empty_form() {
    let mut app = TestApp::start().await;
    app.state.database.close().await;
    let (status, page) = get(&mut app, "/").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        page.contains("We could not load your details just now"),
        "{page}"
    );
    assert!(page.contains(">Try again</a>"), "a way to try again");
    assert!(
        !page.contains(r#"name="nickname""#) && !page.contains(r#"id="registration""#),
        "no form to fill in for nothing"
    );
    assert!(!loads_the_webassembly(&page));
}

#[tokio::test]
async fn a_plain_form_post_goes_back_to_the_page_it_came_from_on_this_site() {
    let mut app = TestApp::start().await;
    let form = serde_urlencoded::to_string(registration_form()).unwrap();
    for (referer, back_to) in [
        (Some("http://localhost/start/abc?x=1"), "/start/abc?x=1"),
        (Some("http://localhost/"), "/"),
        // Another site's address, a server function's, or none: the merchant flow.
        (Some("https://evil.example/phish"), "/"),
        (Some("http://localhost/api/register"), "/"),
        (Some("//evil.example/x"), "/"),
        // This site's address, with a path a browser reads as another site's.
        (Some("http://localhost//evil.example/x"), "/"),
        (Some("http://localhost/%5Cevil.example"), "/%5Cevil.example"),
        (Some("http://LOCALHOST/start/abc"), "/start/abc"),
        (None, "/"),
    ] {
        let mut request = support::same_origin_post("register")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html");
        request.headers_mut().unwrap().remove(header::REFERER);
        if let Some(referer) = referer {
            request = request.header(header::REFERER, referer);
        }
        let response = app
            .send(request.body(Body::from(form.clone())).unwrap())
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{referer:?}");
        assert_eq!(response.headers()[header::LOCATION], back_to, "{referer:?}");
    }
}

#[tokio::test]
async fn every_route_of_the_app_is_served_by_a_handler_that_loads_its_page() {
    let mut app = TestApp::start().await;
    let routes = leptos_axum::generate_route_list(stamps_connect::app::App);
    assert!(!routes.is_empty());
    for route in routes {
        let path = route.path().to_owned();
        // A route without its handler would fall through to the page for unknown paths.
        let (status, page) = get(&mut app, &path).await;
        assert!(!page.contains("Page not found"), "{path}");
        // An onboarding link's page: its handler answers an unknown token itself (opened links
        // are tested in tests/operator_links.rs).
        if path.starts_with("/start/") {
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {page}");
            assert!(page.contains("This link is not valid"), "{path}: {page}");
            continue;
        }
        // The account's pages (its links, Add postage): a browser whose account is not open is
        // sent to `/` (tested in tests/manage_links.rs and tests/postage.rs).
        if path.starts_with("/account/") {
            assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
            continue;
        }
        assert_eq!(status, StatusCode::OK, "{path}: {page}");
    }
}

#[tokio::test]
async fn a_plain_form_post_refused_before_any_function_runs_comes_back_with_its_message() {
    let mut app = TestApp::start().await;
    let request = support::same_origin_post("register")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .body(Body::from(format!("nickname={}", "a".repeat(20_000))))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/");
    let page = app.page().await;
    assert!(page.contains("That request is too large"), "{page}");
    assert!(
        !app.page().await.contains("That request is too large"),
        "said once"
    );
}
