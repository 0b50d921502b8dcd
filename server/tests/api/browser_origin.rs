//! What a browser decides: a form on another site must not act on Latchkey
//! (login CSRF included: it would sign the victim's browser into the
//! attacker's account), and no `next=` or `Referer` may send the browser to
//! another site, whatever a browser's URL parser makes of it.

use crate::helpers::{Backend, Opts, TestApp, PASSWORD};
use crate::provider_stub::{ProviderStub, StubUser};
use reqwest::{redirect::Policy, Client};
use serde_json::json;

cases!(
    cross_site_posts_are_refused_with_or_without_cookies,
    next_never_leaves_the_site,
    the_social_callback_never_leaves_the_site
);

fn no_redirects() -> Client {
    Client::builder().redirect(Policy::none()).build().expect("client")
}

async fn cross_site_posts_are_refused_with_or_without_cookies(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).verification("none")).await;
    assert_eq!(app.register("mallory", "mallory@example.com", PASSWORD).await.status, 201);
    let form = format!("login=mallory&password={PASSWORD}");
    let posts: [(&str, &str, String); 4] = [
        ("/fn/login", "application/x-www-form-urlencoded", form.clone()),
        ("/api/auth/login/", "application/x-www-form-urlencoded", format!("username=mallory&password={PASSWORD}")),
        ("/api/auth/login/", "application/json", json!({"username": "mallory", "password": PASSWORD}).to_string()),
        (
            "/api/auth/registration/",
            "application/x-www-form-urlencoded",
            format!("username=eve&email=eve%40example.com&password1={PASSWORD}&password2={PASSWORD}"),
        ),
    ];
    for (path, content_type, body) in &posts {
        for headers in [
            vec![("Origin", "https://evil.example")],
            vec![("Origin", "null")],
            vec![("Sec-Fetch-Site", "cross-site")],
            vec![("Origin", "https://evil.example"), ("Sec-Fetch-Site", "cross-site"), ("Accept", "text/html")],
        ] {
            let mut req = no_redirects().post(format!("{}{path}", app.base)).header("Content-Type", *content_type);
            for (k, v) in &headers {
                req = req.header(*k, *v);
            }
            let r = req.body(body.clone()).send().await.expect("post");
            assert_eq!(r.status().as_u16(), 403, "{path} {headers:?}");
            assert!(r.headers().get("set-cookie").is_none(), "{path} {headers:?}: no session was started");
        }
    }
    // the site itself, and clients that are not browsers, are served
    let r = no_redirects()
        .post(format!("{}/api/auth/login/", app.base))
        .header("Origin", "http://latchkey.test")
        .json(&json!({"username": "mallory", "password": PASSWORD}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(app.login("mallory", PASSWORD).await.status, 200);
}

/// Where a browser goes from `location`, served by `base`: `None` when it
/// leaves `base`'s origin (or is not a place at all).
fn lands_on_site(base: &str, location: &str) -> bool {
    let base = url::Url::parse(base).expect("base");
    let target = base.join(location).expect("location parses");
    target.origin() == base.origin()
        && location.starts_with('/')
        && !location.starts_with("//")
        && !location.chars().any(|c| c.is_control() || c == '\\')
}

const HOSTILE_NEXT: [&str; 16] = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r\n/evil.example/",
    "/\r\nSet-Cookie: pwned=1",
    "/%0d%0aSet-Cookie:%20pwned=1",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "/.//evil.example",
    "/..//evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "/\u{3000}/evil.example",
];

async fn next_never_leaves_the_site(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    for next in HOSTILE_NEXT {
        // a plain (no-JavaScript) form post of the login page
        let body =
            serde_urlencoded::to_string([("login", "ada"), ("password", PASSWORD), ("next", next)]).expect("form");
        let r = no_redirects()
            .post(format!("{}/fn/login", app.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "text/html")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{next:?}: the connection was dropped: {e}"));
        assert!(r.status().is_redirection(), "{next:?}: {}", r.status());
        let to = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(lands_on_site(&app.base, &to), "{next:?} -> {to:?}");
        assert!(r.headers().get_all("set-cookie").iter().all(|c| !c.as_bytes().starts_with(b"pwned")), "{next:?}");
    }
    // a failed no-JavaScript post goes back to the page it came from, never elsewhere
    for referer in [
        "http://latchkey.test//evil.example/login",
        "https://evil.example/login",
        "http://latchkey.test/\\evil.example",
    ] {
        let r = no_redirects()
            .post(format!("{}/fn/login", app.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "text/html")
            .header("Referer", referer)
            .body("login=ada&password=Wrong-Pass-1")
            .send()
            .await
            .expect("post");
        let to = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(lands_on_site(&app.base, &to), "{referer} -> {to:?}");
    }
}

async fn the_social_callback_never_leaves_the_site(b: Backend) {
    let stub = ProviderStub::start().await;
    let app = TestApp::spawn(Opts::new(&b).provider(&stub)).await;
    for next in HOSTILE_NEXT {
        stub.sign_in_as(StubUser::new("octo", "octo@example.com", true));
        let browser = Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client");
        let start = browser
            .get(format!("{}/accounts/oidc/login", app.base))
            .query(&[("next", next)])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{next:?}: {e}"));
        assert_eq!(start.status().as_u16(), 303, "{next:?}");
        let to_provider = start.headers().get("location").and_then(|v| v.to_str().ok()).expect("location").to_owned();
        let approved = browser.get(&to_provider).send().await.expect("authorize");
        let back = approved.headers().get("location").and_then(|v| v.to_str().ok()).expect("back").to_owned();
        let done = browser.get(back.replace("http://latchkey.test", &app.base)).send().await.expect("callback");
        assert_eq!(done.status().as_u16(), 303, "{next:?}");
        let to = done.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(lands_on_site(&app.base, &to), "{next:?} -> {to:?}");
    }
    // a provider error is answered in our words, never the link's
    stub.sign_in_as(StubUser::new("octo", "octo@example.com", true));
    let browser = Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client");
    let start = browser.get(format!("{}/accounts/oidc/login", app.base)).send().await.expect("start");
    let to_provider = start.headers().get("location").and_then(|v| v.to_str().ok()).expect("location").to_owned();
    let state = url::Url::parse(&to_provider)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("state");
    let crafted = format!(
        "{}/accounts/oidc/login/callback/?state={state}&error=access_denied&error_description=Call+%2B1-555-0100+now",
        app.base
    );
    let r = browser.get(crafted).send().await.expect("callback");
    assert_eq!(r.status().as_u16(), 400);
    assert!(!r.text().await.expect("page").contains("555-0100"), "the crafted text is not shown");
    // the query itself may carry CR/LF: a clean answer, never a dropped connection or a 500
    let r = no_redirects()
        .get(format!("{}/accounts/oidc/login?next=/%0d%0aSet-Cookie:x=1", app.base))
        .send()
        .await
        .expect("start");
    assert_eq!(r.status().as_u16(), 303);
}
