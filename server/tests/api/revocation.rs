//! Revocation beats any request in flight. A thief holding a copy of the
//! session cookie keeps a request open that will save the session (a social
//! login callback waiting on a slow provider) while the owner changes the
//! password, resets it, logs out other sessions or deletes the account. When
//! the thief's request finishes, the session must stay dead.

use crate::helpers::{uid_token, Backend, Opts, TestApp, NEW_PASSWORD, PASSWORD};
use crate::provider_stub::{ProviderStub, StubUser, CLIENT_ID, CLIENT_SECRET};
use reqwest::{redirect::Policy, Client};
use serde_json::json;
use std::sync::Arc;

cases!(a_stolen_session_stays_dead_after_every_revocation);

#[derive(Clone, Copy, Debug)]
enum Revocation {
    PasswordChange,
    PasswordReset,
    LogoutOtherSessions,
    AccountDeletion,
}

fn no_redirects() -> Client {
    Client::builder().redirect(Policy::none()).build().expect("client")
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// The session cookie a response sets, as `name=value`.
fn session_cookie(r: &reqwest::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("latchkey_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// Logs in through the API (which also starts a browser session): the
/// session cookie and the API token.
async fn login_with_session(app: &TestApp) -> (String, String) {
    let r = no_redirects()
        .post(format!("{}/api/auth/login/", app.base))
        .json(&json!({"username": "ada", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(r.status().as_u16(), 200);
    let cookie = session_cookie(&r);
    let body: serde_json::Value = r.json().await.expect("json");
    (cookie, body["key"].as_str().expect("key").to_owned())
}

async fn as_cookie(app: &TestApp, cookie: &str) -> u16 {
    no_redirects()
        .get(format!("{}/api/auth/user/", app.base))
        .header("Cookie", cookie)
        .send()
        .await
        .expect("user")
        .status()
        .as_u16()
}

async fn a_stolen_session_stays_dead_after_every_revocation(b: Backend) {
    for revocation in [
        Revocation::PasswordChange,
        Revocation::PasswordReset,
        Revocation::LogoutOtherSessions,
        Revocation::AccountDeletion,
    ] {
        let stub = ProviderStub::start().await;
        let app = TestApp::spawn(
            Opts::new(&b)
                .env("LATCHKEY_OIDC_ISSUER", stub.issuer.clone())
                .env("LATCHKEY_OIDC_CLIENT_ID", CLIENT_ID)
                .env("LATCHKEY_OIDC_CLIENT_SECRET", CLIENT_SECRET),
        )
        .await;
        app.signup_verified("ada", "ada@example.com").await;
        let (stolen, token) = login_with_session(&app).await;
        assert_eq!(as_cookie(&app, &stolen).await, 200);

        // the thief starts a social login on the stolen session...
        let thief = no_redirects();
        let start = thief
            .get(format!("{}/accounts/oidc/login", app.base))
            .header("Cookie", &stolen)
            .send()
            .await
            .expect("start");
        assert_eq!(start.status().as_u16(), 303);
        stub.sign_in_as(StubUser::new("eve", "eve@example.com", true));
        let back = location(&thief.get(location(&start)).send().await.expect("authorize"));
        let callback = back.replace("http://latchkey.test", &app.base);
        // ...whose callback waits on a slow provider, holding the session
        let release = Arc::new(tokio::sync::Semaphore::new(0));
        stub.stall_token_endpoint(release.clone());
        let in_flight = {
            let stolen = stolen.clone();
            tokio::spawn(async move {
                no_redirects().get(callback).header("Cookie", stolen).send().await.expect("callback").status().as_u16()
            })
        };
        while stub.stalled_requests() == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }

        // meanwhile the owner revokes it
        let owner = crate::helpers::Auth::Token(token);
        match revocation {
            Revocation::PasswordChange => {
                let body =
                    json!({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
                assert_eq!(app.post_auth("/password/change/", body, &owner).await.status, 200);
            }
            Revocation::PasswordReset => {
                app.post("/password/reset/", json!({"email": "ada@example.com"})).await;
                let (uid, t) = uid_token(&app.reset_email("ada@example.com", 2).await.link());
                let body =
                    json!({"uid": uid, "token": t, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
                assert_eq!(app.post("/password/reset/confirm/", body).await.status, 200);
            }
            Revocation::LogoutOtherSessions => {
                let (mine, _) = login_with_session(&app).await;
                let r = no_redirects()
                    .post(format!("{}/fn/logout_others", app.base))
                    .header("Cookie", &mine)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body("")
                    .send()
                    .await
                    .expect("logout others");
                assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
                assert_eq!(as_cookie(&app, &mine).await, 200, "the owner's own session stays");
            }
            Revocation::AccountDeletion => {
                let r = app.call(reqwest::Method::DELETE, "/user/", Some(json!({"password": PASSWORD})), &owner).await;
                assert_eq!(r.status, 204);
            }
        }
        assert_eq!(as_cookie(&app, &stolen).await, 401, "{revocation:?}: revoked at once");

        // the thief's request now finishes and saves the session it loaded
        release.add_permits(1);
        assert_eq!(in_flight.await.expect("task"), 400, "the provider refused");
        assert_eq!(as_cookie(&app, &stolen).await, 401, "{revocation:?}: the stolen session stays dead");
    }
}
