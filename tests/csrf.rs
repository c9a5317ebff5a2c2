//! Cross-site posts to the server functions are refused with a 403, before anything runs.

mod support;
use support::POSTCARD;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use stamps_connect::error::AppError;
use stamps_connect::screen::Screen;
use support::{TestApp, body_bytes, registration_form};

const FUNCTIONS: [&str; 3] = ["register", "send_code", "verify_code"];

/// A post as another site's page makes it from the merchant's browser, with their cookie.
fn forged(function: &str, headers: &[(&str, &str)], accept: &str) -> Request<Body> {
    let mut request = Request::post(format!("/api/{function}"))
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, accept);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    // Every function finds its fields in it (the form has a `phone`).
    let body = serde_urlencoded::to_string(registration_form()).unwrap() + "&code=123456";
    request.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn cross_site_posts_are_refused_without_an_upstream_call() {
    let mut app = TestApp::start().await;
    // The merchant is mid-flow: a forged post would have something to act on.
    app.call("register", &registration_form()).await;
    app.simulator.simulator.clear_requests();

    let cross_site = [
        vec![
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ],
        vec![
            ("sec-fetch-site", "same-site"),
            ("origin", "https://evil.localhost"),
        ],
        // A browser without fetch metadata still names the page's origin.
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
    ];
    for function in FUNCTIONS {
        for headers in &cross_site {
            let response = app.send(forged(function, headers, POSTCARD)).await;
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{function} {headers:?}"
            );
            let error: AppError = postcard::from_bytes(&body_bytes(response).await).unwrap();
            assert_eq!(error, AppError::CrossSite);

            // A plain form post, which is what a forging page would really send.
            let response = app.send(forged(function, headers, "text/html")).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
            let text = String::from_utf8(body_bytes(response).await).unwrap();
            assert!(text.contains("came from another website"), "{text}");
        }
    }
    // Another site's form post arrives without the merchant's (SameSite=Lax) cookies: its
    // refusal must not hand the browser a new flow cookie, which would replace the merchant's.
    let mut cookieless = app.same_browser();
    cookieless.cookie = None;
    for function in FUNCTIONS {
        let response = cookieless
            .send(forged(function, &cross_site[0], "text/html"))
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(
            response
                .headers()
                .get(axum::http::header::SET_COOKIE)
                .is_none(),
            "{function}: {:?}",
            response.headers()
        );
    }
    assert_eq!(app.simulator.simulator.requests(), []);
    // Nothing moved: the merchant is still where they were.
    assert!(matches!(
        app.call("send_code", &[("phone", "5121112222")]).await,
        Screen::Verify(_)
    ));
}

#[tokio::test]
async fn the_pages_own_posts_pass() {
    let mut app = TestApp::start().await;
    for headers in [
        vec![
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://localhost"),
        ],
        vec![("origin", "http://localhost")],
    ] {
        app.cookie = None;
        let response = app.send(forged("register", &headers, POSTCARD)).await;
        assert_eq!(response.status(), StatusCode::OK, "{headers:?}");
    }
}

#[tokio::test]
async fn with_a_public_origin_only_that_origin_passes() {
    let mut app = TestApp::start_with(&[("PUBLIC_ORIGIN", "https://connect.example.com")]).await;
    let refused = app
        .send(forged(
            "register",
            &[("origin", "http://localhost")],
            POSTCARD,
        ))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let accepted = app
        .send(forged(
            "register",
            &[("origin", "https://connect.example.com")],
            POSTCARD,
        ))
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
}
