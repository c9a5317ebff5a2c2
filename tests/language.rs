//! The page's language: the switch's choice (a cookie), else the browser's `Accept-Language`,
//! else English; `<html lang>` follows it, and the switch keeps what was typed.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use stamps_connect::i18n::{Locale, Words};
use stamps_connect::screen::Screen;
use support::{TestApp, body_bytes, registration_form};

async fn page_with(app: &mut TestApp, accept_language: &str) -> String {
    let request = Request::get("/")
        .header(header::ACCEPT_LANGUAGE, accept_language)
        .body(Body::empty())
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::OK);
    String::from_utf8(body_bytes(response).await).unwrap()
}

async fn switch(app: &mut TestApp, fields: &[(&str, &str)]) -> axum::http::Response<Body> {
    let request = Request::post("/language")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, support::ORIGIN)
        .header("sec-fetch-site", "same-origin")
        .header(header::REFERER, format!("{}/", support::ORIGIN))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .body(Body::from(serde_urlencoded::to_string(fields).unwrap()))
        .unwrap();
    app.send(request).await
}

#[tokio::test]
async fn the_browsers_language_picks_the_pages_and_html_lang_follows() {
    let mut app = TestApp::start().await;
    let spanish = page_with(&mut app, "es-US,es;q=0.9,en;q=0.8").await;
    assert!(spanish.contains(r#"<html lang="es""#), "{spanish}");
    assert!(spanish.contains("Abra su cuenta gratuita de Stamps.com"));
    assert!(!spanish.contains("Open your free Stamps.com account"));
    let english = page_with(&mut app, "en-US,es;q=0.5").await;
    assert!(english.contains(r#"<html lang="en""#));
    assert!(english.contains("Open your free Stamps.com account"));
    let fallback = page_with(&mut app, "fr-FR, de").await;
    assert!(fallback.contains(r#"<html lang="en""#));
}

#[tokio::test]
async fn the_switch_keeps_what_was_typed_and_its_choice_beats_the_browsers_language() {
    let mut app = TestApp::start().await;
    app.page().await;
    let mut typed = registration_form();
    typed.push(("language", "es"));
    let response = switch(&mut app, &typed).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/");
    let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("stamps_connect_lang=es;"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));

    // The choice beats the browser's English.
    let page = page_with(&mut app, "en-US").await;
    assert!(page.contains(r#"<html lang="es""#), "{page}");
    let Screen::Register(form) = support::screen_in(&page) else {
        panic!("still the form")
    };
    assert_eq!(form.draft.nickname, "My Stamps.com account");
    assert_eq!(form.draft.postal_code, "78756");
    assert_eq!(form.draft.card_number, "", "never the card number");
    support::assert_no_card_number(&page);

    // And back: English, the same draft.
    let response = switch(&mut app, &[("language", "en")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = page_with(&mut app, "es-US").await;
    assert!(page.contains(r#"<html lang="en""#));
    assert!(page.contains(r#"value="My Stamps.com account""#));
}

#[tokio::test]
async fn a_switch_from_another_site_is_refused() {
    let mut app = TestApp::start().await;
    let request = Request::post("/language")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("language=es"))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(!response.headers().contains_key(header::SET_COOKIE));
}

#[tokio::test]
async fn a_refusal_of_a_plain_post_is_worded_in_the_pages_language() {
    let mut app = TestApp::start().await;
    let request = Request::post("/api/register")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::ACCEPT_LANGUAGE, "es-US")
        .body(Body::from("nickname=x"))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let sentence = String::from_utf8(body_bytes(response).await).unwrap();
    assert!(
        sentence.starts_with("Esta solicitud vino de otro sitio web"),
        "{sentence}"
    );
}

#[tokio::test]
async fn only_a_language_of_ours_and_only_our_cookie_count() {
    let mut app = TestApp::start().await;
    let response = switch(&mut app, &[("language", "fr")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let language_cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter(|cookie| cookie.to_str().unwrap().starts_with("stamps_connect_lang="))
        .count();
    assert_eq!(language_cookies, 0);

    let request = Request::get("/")
        .header(header::COOKIE, "xstamps_connect_lang=es")
        .header(header::ACCEPT_LANGUAGE, "en-US")
        .body(Body::empty())
        .unwrap();
    let page = String::from_utf8(body_bytes(app.send(request).await).await).unwrap();
    assert!(
        page.contains(r#"<html lang="en""#),
        "another cookie's name is no choice"
    );
}

#[tokio::test]
async fn the_switch_on_a_page_without_a_form_goes_back_to_that_page() {
    let mut app = TestApp::start().await;
    let request = Request::post("/language")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, support::ORIGIN)
        .header("sec-fetch-site", "same-origin")
        .header(header::REFERER, format!("{}/no-such-page", support::ORIGIN))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .body(Body::from("language=es"))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/no-such-page");
    let (status, page) = {
        let response = app
            .send(Request::get("/no-such-page").body(Body::empty()).unwrap())
            .await;
        let status = response.status();
        (
            status,
            String::from_utf8(body_bytes(response).await).unwrap(),
        )
    };
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains(r#"<html lang="es""#), "{page}");
    assert!(page.contains("Página no encontrada"));
}

#[tokio::test]
async fn the_switchs_address_typed_in_goes_to_the_merchant_flow() {
    let mut app = TestApp::start().await;
    let response = app
        .send(Request::get("/language").body(Body::empty()).unwrap())
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/");
}

/// The island's words come from the page, in the page's language and only in it: the browser
/// has no catalog of its own, so a language added to the app adds nothing to its WebAssembly.
#[tokio::test]
async fn the_island_gets_the_pages_language_and_only_it() {
    let mut app = TestApp::start().await;
    for (accept_language, locale) in [("es-US", Locale::Es), ("en-US", Locale::En)] {
        let page = page_with(&mut app, accept_language).await;
        let words: Words = support::island_prop(&page, "words").expect("the island's words");
        assert_eq!(words.locale(), locale);
        assert_eq!(
            words,
            Words::of(locale),
            "{accept_language}: every key, as the catalog says it"
        );
    }
    let spanish = page_with(&mut app, "es-US").await;
    let words: Words = support::island_prop(&spanish, "words").unwrap();
    assert_ne!(words, Words::of(Locale::En));
}
