//! Database outage: requests get 503 with a JSON body while the database is
//! unreachable, and the server recovers by itself when it is back. Uses a
//! database of its own on the local PostgreSQL (CI=true or TEST_POSTGRES_URL).

use crate::helpers::{Auth, Backend, Opts, TestApp, PASSWORD};
use sea_orm::ConnectionTrait;
use serde_json::json;

async fn admin(base: &str) -> sea_orm::DatabaseConnection {
    sea_orm::Database::connect(base).await.expect("connect to PostgreSQL")
}

async fn exec(db: &sea_orm::DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_outage_is_503_and_recovers() {
    let Some(Backend::Postgres(base)) = Backend::postgres_or_skip("the outage test") else {
        return;
    };
    let name = format!("lk_down_{}", uuid::Uuid::new_v4().simple());
    let admin = admin(&base).await;
    exec(&admin, &format!("CREATE DATABASE {name}")).await;
    let (prefix, _) = base.rsplit_once('/').expect("database in URL");
    let url = format!("{prefix}/{name}");
    let app = TestApp::spawn(Opts::new(&Backend::Sqlite).env("DATABASE_URL", url)).await;
    app.signup_verified("ada", "ada@example.com").await;
    let auth = app.login_auth("ada", PASSWORD).await;
    let browser = app.browser();
    let r = app
        .call_with(
            &browser,
            reqwest::Method::POST,
            "/login/",
            Some(json!({"username": "ada", "password": PASSWORD})),
            &Auth::None,
        )
        .await;
    assert_eq!(r.status, 200);

    let cut = format!(
        "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false; \
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    );
    exec(&admin, &cut).await;
    for _ in 0..2 {
        let r = app.get_user(&auth).await;
        assert_eq!(
            (r.status, r.body.clone()),
            (503, json!({"detail": "Service temporarily unavailable, try again later."}))
        );
        assert!(r.headers.get("retry-after").is_some());
        let r = app.login("ada", PASSWORD).await;
        assert_eq!(r.status, 503, "{:?}", r.body);
        // a browser's session cookie: "try again", never "you were logged out"
        let r = app.call_with(&browser, reqwest::Method::GET, "/user/", None, &Auth::None).await;
        assert_eq!(
            (r.status, r.body.clone()),
            (503, json!({"detail": "Service temporarily unavailable, try again later."}))
        );
        let page = browser.get(format!("{}/profile", app.base)).send().await.expect("page");
        assert_eq!(page.status().as_u16(), 503);
        let html = page.text().await.expect("html");
        assert!(html.contains("data-testid=\"unavailable\""), "{html}");
        assert!(!html.contains("data-testid=\"nav-login\""), "not shown as logged out");
        // a readiness probe takes this replica out; the process is still up
        let ready = app.http.get(format!("{}/ready", app.base)).send().await.expect("ready");
        assert_eq!(ready.status().as_u16(), 503);
        assert!(ready.headers().get("retry-after").is_some());
        let health = app.http.get(format!("{}/health", app.base)).send().await.expect("health");
        assert_eq!(health.status().as_u16(), 200);
    }

    exec(&admin, &format!("ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true")).await;
    let mut recovered = false;
    for _ in 0..20 {
        if app.get_user(&auth).await.status == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(recovered, "the server reconnects by itself");
    let ready = app.http.get(format!("{}/ready", app.base)).send().await.expect("ready");
    assert_eq!(ready.status().as_u16(), 200);
    assert_eq!(app.login("ada", PASSWORD).await.status, 200, "nothing stored was lost");

    let drop = format!(
        "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false; \
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    );
    exec(&admin, &drop).await;
    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}")).await;
}
