//! `sessions/`: the caller's browser sessions, API tokens and JWT families,
//! named readably; one ended by id, or all but the current one; nobody
//! else's reachable.

use crate::helpers::{Auth, Backend, Opts, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

cases!(devices_are_listed_and_ended);

const FIREFOX: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0";

fn by_kind<'a>(list: &'a Value, kind: &str) -> Vec<&'a Value> {
    list.as_array().expect("list").iter().filter(|d| d["kind"] == kind).collect()
}

async fn devices_are_listed_and_ended(b: Backend) {
    for mode in ["token", "jwt"] {
        let app = TestApp::spawn(Opts::new(&b).mode(mode)).await;
        app.signup_verified("ada", "ada@example.com").await;
        app.signup_verified("bob", "bob@example.com").await;
        let firefox = reqwest::Client::builder().user_agent(FIREFOX).cookie_store(true).build().expect("client");
        let login = json!({"username": "ada", "password": PASSWORD});
        let r = app.call_with(&firefox, Method::POST, "/login/", Some(login.clone()), &Auth::None).await;
        assert_eq!(r.status, 200);
        let first = app.auth_from(&r);
        let second = app.login_auth("ada", PASSWORD).await;

        let r = app.call(Method::GET, "/sessions/", None, &first).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let api_kind = if mode == "jwt" { "jwt" } else { "token" };
        let apis = by_kind(&r.body, api_kind);
        assert_eq!(apis.len(), 2, "{}", r.body);
        let mine = apis.iter().find(|d| d["current"] == true).expect("current");
        assert_eq!(mine["device"], "Firefox on Windows 10", "{mine}");
        assert_eq!(mine["ip_address"], "127.0.0.1", "{mine}");
        assert!(mine["last_seen"].is_string(), "{mine}");
        // each API login also started a browser session (as dj-rest-auth's does)
        let sessions = by_kind(&r.body, "session");
        assert_eq!(sessions.len(), 2, "{}", r.body);
        let sessions: Vec<&Value> = sessions.into_iter().filter(|s| s["device"] == "Firefox on Windows 10").collect();
        assert_eq!(sessions.len(), 1, "the Firefox login's browser session: {}", r.body);
        assert_eq!(sessions[0]["ip_address"], "127.0.0.1");
        assert!(!r.body.to_string().contains(PASSWORD));

        // bob cannot end ada's devices, even knowing their ids
        let bob = app.login_auth("bob", PASSWORD).await;
        let session_id = sessions[0]["id"].as_str().expect("id").to_owned();
        let r = app.call(Method::DELETE, &format!("/sessions/{session_id}/"), None, &bob).await;
        assert_eq!((r.status, r.body), (404, json!({"detail": "Not found."})));
        for bad in ["x", "t_abc", "j_nothing", "s_"] {
            assert_eq!(app.call(Method::DELETE, &format!("/sessions/{bad}/"), None, &first).await.status, 404, "{bad}");
        }

        // one by id: the browser session ends
        assert_eq!(app.call_with(&firefox, Method::GET, "/user/", None, &Auth::None).await.status, 200);
        let r = app.call(Method::DELETE, &format!("/sessions/{session_id}/"), None, &first).await;
        assert_eq!(r.status, 204, "{:?}", r.body);
        assert_eq!(app.call_with(&firefox, Method::GET, "/user/", None, &Auth::None).await.status, 401);

        // all others: the second credential ends, the asking one stays
        assert_eq!(app.call(Method::DELETE, "/sessions/others/", None, &first).await.status, 204);
        assert_eq!(app.get_user(&second).await.status, 401);
        assert_eq!(app.get_user(&first).await.status, 200);
        let r = app.call(Method::GET, "/sessions/", None, &first).await;
        assert_eq!(r.body.as_array().map(Vec::len), Some(1), "{}", r.body);
        let r = app.call(Method::GET, "/activity/", None, &first).await;
        assert_eq!(r.body["results"][0]["kind"], "sessions.revoked");
        assert_eq!(app.call(Method::GET, "/sessions/", None, &Auth::None).await.status, 401);
    }
}
