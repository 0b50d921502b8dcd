//! The OpenAPI description matches the real routes: every documented
//! operation answers (no 404/405) on the running server.

use crate::helpers::{Backend, Opts, TestApp};
use serde_json::Value;

cases!(openapi_describes_the_real_routes);

async fn openapi_describes_the_real_routes(b: Backend) {
    let app = TestApp::spawn(
        Opts::new(&b)
            .env("LATCHKEY_OIDC_ISSUER", "http://127.0.0.1:9")
            .env("LATCHKEY_OIDC_CLIENT_ID", "c")
            .env("LATCHKEY_OIDC_CLIENT_SECRET", "s")
            .env("LATCHKEY_DJOSER_USERNAME_RESET_CONFIRM_URL", "#/u/{uid}/{token}"),
    )
    .await;
    let doc: Value =
        app.http.get(format!("{}/api/openapi.json", app.base)).send().await.expect("get").json().await.expect("json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
    let paths = doc["paths"].as_object().expect("paths");
    let mut checked = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("item") {
            // a valid 3.1 parameter has a schema; every `{name}` in the path is declared
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for p in &params {
                assert!(p["schema"]["type"].is_string(), "{method} {path}: parameter without a schema: {p}");
            }
            for name in path.split('{').skip(1).filter_map(|s| s.split('}').next()) {
                assert!(
                    params.iter().any(|p| p["name"] == name && p["in"] == "path"),
                    "{method} {path}: `{name}` is not declared"
                );
            }
            let url = format!("{}{}", app.base, path.replace("{provider}", "oidc").replace("{id}", "1"));
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let res = app
                .http
                .request(m, &url)
                .header("Content-Type", "application/json")
                .body("{}")
                .send()
                .await
                .expect("send");
            let status = res.status().as_u16();
            let body = res.text().await.unwrap_or_default();
            assert!(status != 404 && status != 405, "{method} {path} -> {status} {body}");
            assert!(status < 500, "{method} {path} -> {status} {body}");
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} operations documented");
    let docs = app.http.get(format!("{}/api/docs/", app.base)).send().await.expect("docs");
    assert_eq!(docs.status().as_u16(), 200);
    assert!(docs.text().await.unwrap_or_default().contains("swagger"), "the docs page is Swagger UI");
}
