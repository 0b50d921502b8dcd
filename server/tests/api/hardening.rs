//! Answers that must never be cached, CSP on every HTML answer, bodies and
//! headers that never finish, floods of password hashes, and concurrent
//! uploads.

use crate::helpers::{Auth, Backend, Opts, TestApp, PASSWORD};
use futures::future::join_all;
use reqwest::multipart;
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

cases!(
    credentials_and_account_data_are_never_cached,
    every_html_answer_has_a_csp,
    oversized_form_bodies_are_413,
    a_half_sent_request_is_cut_off,
    a_dripping_body_is_cut_off,
    a_flood_of_hashes_is_refused_not_queued_forever,
    the_owner_from_a_known_network_goes_ahead_of_a_flood,
    a_replica_that_never_saw_the_owner_still_serves_them_during_a_flood,
    concurrent_avatar_uploads_leave_one_file
);

fn no_store(h: &reqwest::header::HeaderMap) -> bool {
    h.get("cache-control").and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("no-store"))
}

async fn credentials_and_account_data_are_never_cached(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let r = app.login("ada", PASSWORD).await;
    assert!(no_store(&r.headers), "login/ carries a token");
    let auth = app.auth_from(&r);
    assert!(no_store(&app.get_user(&auth).await.headers), "user/");
    let browser = app.browser();
    app.call_with(
        &browser,
        reqwest::Method::POST,
        "/login/",
        Some(json!({"username": "ada", "password": PASSWORD})),
        &Auth::None,
    )
    .await;
    for path in ["/profile", "/sessions", "/login", "/"] {
        let r = browser.get(format!("{}{path}", app.base)).send().await.expect("page");
        assert!(no_store(r.headers()), "{path}");
    }
    let r = browser
        .post(format!("{}/fn/account", app.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .expect("server fn");
    assert_eq!(r.status().as_u16(), 200);
    assert!(no_store(r.headers()), "server functions");
}

async fn every_html_answer_has_a_csp(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    for path in ["/api/docs/", "/login", "/no-such-page", "/accounts/nope/login"] {
        let r = app.http.get(format!("{}{path}", app.base)).send().await.expect("get");
        let html = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").starts_with("text/html");
        assert!(html, "{path}: {:?}", r.headers().get("content-type"));
        let csp =
            r.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src"), "{path}: {csp:?}");
        assert!(!csp.contains("script-src *") && !csp.contains("'unsafe-eval'"), "{path}: {csp}");
    }
}

async fn oversized_form_bodies_are_413(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    let big = format!("login=ada&password={}", "x".repeat(200 * 1024));
    for (accept, json) in [("application/json", true), ("text/html", false)] {
        let r = app
            .http
            .post(format!("{}/fn/login", app.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", accept)
            .body(big.clone())
            .send()
            .await
            .expect("post");
        assert_eq!(r.status().as_u16(), 413, "{accept}");
        let text = r.text().await.expect("body");
        assert_eq!(text.contains("\"detail\""), json, "{text}");
    }
    // without a declared length, too
    let chunks = futures::stream::iter((0..50).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 4096])));
    let r = app
        .http
        .post(format!("{}/fn/signup", app.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 413);
}

async fn a_half_sent_request_is_cut_off(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_HEADER_TIMEOUT", "1")).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    conn.write_all(b"GET /api/auth/user/ HTTP/1.1\r\nHost: latchkey.test\r\nX-Slow: ").await.expect("write");
    let mut buf = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut buf)).await;
    assert!(closed.is_ok(), "the server still holds a half-sent request after 10 s");
    // a whole request on a fresh connection is still served
    assert_eq!(app.get_user(&Auth::None).await.status, 401);
}

async fn a_dripping_body_is_cut_off(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_REQUEST_TIMEOUT", "2")).await;
    // one byte every half second: never idle long enough for the body timeout
    let drip = futures::stream::unfold(0u32, |n| async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        (n < 60).then(|| (Ok::<_, std::io::Error>(vec![b' ']), n + 1))
    });
    let started = std::time::Instant::now();
    let r = app
        .http
        .post(format!("{}/api/auth/login/", app.base))
        .header("Content-Type", "application/json")
        .body(reqwest::Body::wrap_stream(drip))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 408);
    assert!(started.elapsed() < Duration::from_secs(20), "cut off by the request timeout, not the client");
    let body: serde_json::Value = r.json().await.expect("a JSON body");
    assert!(body["detail"].is_string(), "{body}");
}

async fn a_flood_of_hashes_is_refused_not_queued_forever(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_HASH_QUEUE", "2").env("LATCHKEY_RATE_LOGIN_IP", "off")).await;
    app.signup_verified("ada", "ada@example.com").await;
    let flood = (0..40).map(|i| {
        let app = &app;
        async move {
            let r = app.login(&format!("nobody{i}"), "Wrong-Pass-1").await;
            (r.status, r.headers.get("retry-after").is_some())
        }
    });
    let answers = join_all(flood).await;
    assert!(answers.iter().any(|(s, _)| *s == 503), "{answers:?}");
    assert!(answers.iter().all(|(s, retry)| *s == 400 || (*s == 503 && *retry)), "{answers:?}");
    assert_eq!(app.login("ada", PASSWORD).await.status, 200, "served again once the flood is over");
}

/// Guesses from many addresses keep the hashing queue full; the account's
/// owner, from the network they signed in from before, is still served
/// (without the known line they got 503 "too many password hashes").
async fn the_owner_from_a_known_network_goes_ahead_of_a_flood(b: Backend) {
    owner_during_a_flood(b, false).await;
}

/// The same on a second replica (or one restarted since): its login gate
/// never saw the owner, the database's known networks still tell.
async fn a_replica_that_never_saw_the_owner_still_serves_them_during_a_flood(b: Backend) {
    owner_during_a_flood(b, true).await;
}

async fn owner_during_a_flood(b: Backend, on_another_replica: bool) {
    let opts = |b: &Backend| {
        Opts::new(b)
            .env("LATCHKEY_HASH_QUEUE", "1")
            .env("LATCHKEY_RATE_LOGIN_IP", "off")
            .env("LATCHKEY_TRUSTED_PROXIES", "127.0.0.1, ::1")
    };
    let first = TestApp::spawn(opts(&b)).await;
    first.signup_verified("ada", "ada@example.com").await;
    let owner = |app: &TestApp| {
        let body = json!({"username": "ada", "password": PASSWORD});
        let req = app.http.post(format!("{}/api/auth/login/", app.base)).header("X-Forwarded-For", "198.51.100.7");
        req.json(&body).send()
    };
    // the first sign-in from the owner's network makes it known
    assert_eq!(owner(&first).await.expect("login").status().as_u16(), 200);
    let second = match on_another_replica {
        true => Some(TestApp::spawn(opts(&b).env("DATABASE_URL", first.database_url())).await),
        false => None,
    };
    let app = second.as_ref().unwrap_or(&first);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let busy = std::sync::atomic::AtomicUsize::new(0);
    let flood = (0..24).map(|i| {
        let (app, stop, busy) = (&app, &stop, &busy);
        async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let r = app
                    .http
                    .post(format!("{}/api/auth/login/", app.base))
                    .header("X-Forwarded-For", format!("10.0.{i}.{}", n % 250))
                    .json(&json!({"username": format!("nobody{i}x{n}"), "password": "Wrong-Pass-1"}))
                    .send()
                    .await
                    .expect("flood");
                if r.status().as_u16() == 503 {
                    busy.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }
    });
    let owner_meanwhile = async {
        // until the flood is refusing hashes, then five sign-ins in a row
        while busy.load(std::sync::atomic::Ordering::Relaxed) < 5 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let mut statuses = Vec::new();
        for _ in 0..5 {
            statuses.push(owner(app).await.expect("login").status().as_u16());
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        statuses
    };
    let (statuses, _) = tokio::join!(owner_meanwhile, join_all(flood));
    assert_eq!(statuses, vec![200; 5], "the owner is never refused during the flood");
    assert!(busy.load(std::sync::atomic::Ordering::Relaxed) >= 5, "the flood filled the queue");
}

const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8,
    6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
];

async fn concurrent_avatar_uploads_leave_one_file(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let Auth::Token(key) = app.login_auth("ada", PASSWORD).await else { panic!("token mode") };
    let auth = Auth::Token(key.clone());
    let uploads = (0..12).map(|i| {
        let (app, key) = (&app, &key);
        async move {
            let form = multipart::Form::new().part("avatar", multipart::Part::bytes(PNG.to_vec()).file_name("me.png"));
            let url = format!("{}/api/auth/user/avatar/", app.base);
            let method = if i % 2 == 0 { reqwest::Method::PUT } else { reqwest::Method::POST };
            app.http.request(method, url).header("Authorization", format!("Token {key}")).multipart(form).send().await
        }
    });
    for r in join_all(uploads).await {
        assert_eq!(r.expect("upload").status().as_u16(), 200);
    }
    // and a profile edit racing with them does not bring back an old name
    let r = app.call(reqwest::Method::PATCH, "/user/", Some(json!({"profile": {"bio": "hi"}})), &auth).await;
    assert_eq!(r.status, 200);
    let files: Vec<String> = std::fs::read_dir(app.media_dir().join("avatars"))
        .expect("avatars dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let avatar = app.get_user(&auth).await.body["profile"]["avatar"].as_str().expect("avatar").to_owned();
    assert!(avatar.ends_with(&files[0]), "{avatar} vs {files:?}");
    // deleting the account removes it
    let r = app.call(reqwest::Method::DELETE, "/user/", Some(json!({ "password": PASSWORD })), &auth).await;
    assert_eq!(r.status, 204);
    assert_eq!(std::fs::read_dir(app.media_dir().join("avatars")).expect("dir").count(), 0);
}
