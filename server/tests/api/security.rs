//! Security headers on pages, API answers and uploaded files.

use crate::helpers::{Backend, Opts, TestApp};

cases!(pages_and_api_carry_security_headers);

async fn pages_and_api_carry_security_headers(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    let page = app.http.get(format!("{}/login", app.base)).header("Accept", "text/html").send().await.expect("page");
    assert_eq!(page.status().as_u16(), 200);
    let h = page.headers().clone();
    let csp = h.get("content-security-policy").and_then(|v| v.to_str().ok()).expect("CSP").to_owned();
    assert!(
        csp.contains("script-src 'self' 'nonce-")
            && csp.contains("'wasm-unsafe-eval'")
            && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("nonce").to_owned();
    let html = page.text().await.expect("html");
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "inline scripts carry the header's nonce");
    assert_eq!(h.get("x-frame-options").map(|v| v.as_bytes()), Some(&b"DENY"[..]));
    assert_eq!(h.get("x-content-type-options").map(|v| v.as_bytes()), Some(&b"nosniff"[..]));
    assert_eq!(h.get("referrer-policy").map(|v| v.as_bytes()), Some(&b"same-origin"[..]));
    assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain http");

    let api = app.http.get(format!("{}/api/auth/user/", app.base)).send().await.expect("api");
    assert_eq!(api.headers().get("x-frame-options").map(|v| v.as_bytes()), Some(&b"DENY"[..]));

    let https = TestApp::spawn(Opts::new(&b).env("LATCHKEY_PUBLIC_URL", "https://id.example")).await;
    let r = https.http.get(format!("{}/api/auth/user/", https.base)).send().await.expect("api");
    assert!(r.headers().get("strict-transport-security").is_some());
}
