//! Secrets at rest. Emails waiting in the outbox carry one-time links, so
//! their content is stored only sealed and is forgotten once delivered;
//! rows written in plain text by an older version are sealed by the
//! housekeeping pass; expired rows of every table are purged in bounded
//! batches; and an email sent twice (a crash after the hand-over) keeps one
//! Message-ID.

use crate::helpers::{uid_token, Backend, Opts, TestApp, PASSWORD};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::json;

cases!(
    outbox_content_is_sealed_then_forgotten,
    plain_rows_from_before_are_sealed_and_still_delivered,
    housekeeping_purges_what_has_expired,
    housekeeping_works_in_bounded_batches,
    a_redelivered_email_keeps_its_message_id
);

async fn db(app: &TestApp) -> DatabaseConnection {
    sea_orm::Database::connect(app.database_url()).await.expect("db")
}

async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    let rows = db.query_all(Statement::from_string(db.get_database_backend(), sql.to_owned())).await.expect(sql);
    rows.iter().map(|r| r.try_get::<String>("", "v").expect("v")).collect()
}

async fn count(db: &DatabaseConnection, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    let row = db.query_one(Statement::from_string(db.get_database_backend(), sql)).await.expect("count");
    row.and_then(|r| r.try_get("", "n").ok()).expect("n")
}

const OUTBOX_TEXT: &str =
    "SELECT subject || '|' || text_body || '|' || html_body || '|' || COALESCE(link, '') || '|' || \
                           COALESCE(sealed, '') AS v FROM email_outbox WHERE kind = 'password_reset'";

async fn outbox_content_is_sealed_then_forgotten(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.signup_verified("ada", "ada@example.com").await;
    app.smtp.stop().await;
    assert_eq!(app.post("/password/reset/", json!({"email": "ada@example.com"})).await.status, 200);
    app.settled_except_smtp().await;
    let db = db(&app).await;
    let pending = strings(&db, OUTBOX_TEXT).await;
    assert_eq!(pending.len(), 1);
    app.smtp.restart().await;
    app.clock.advance(600);
    let link = app.reset_email("ada@example.com", 1).await.link();
    let (_, token) = uid_token(&link);
    assert!(!pending[0].contains(&token), "the reset token was stored in the clear: {}", pending[0]);
    assert!(!pending[0].contains("password-reset/"), "{}", pending[0]);
    assert!(
        pending[0].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "sealed content present"
    );
    app.settled().await;
    assert_eq!(strings(&db, OUTBOX_TEXT).await, vec!["||||".to_owned()], "delivered content is forgotten");
    // the link works, once
    let body = json!({"uid": uid_token(&link).0, "token": token, "new_password1": "An0ther-pass!", "new_password2": "An0ther-pass!"});
    assert_eq!(app.post("/password/reset/confirm/", body).await.status, 200);
}

async fn plain_rows_from_before_are_sealed_and_still_delivered(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_HOUSEKEEPING_INTERVAL", "0")).await;
    app.smtp.stop().await;
    let db = db(&app).await;
    let insert = format!(
        "INSERT INTO email_outbox (kind, recipient, subject, text_body, html_body, link, attempts, next_attempt_at, \
         sent_at, last_error, created_at) VALUES ('password_reset', 'old@example.com', 'Reset your Latchkey password', \
         'Go to http://latchkey.test/password-reset/MQ/legacy-secret-token', '<p>legacy</p>', \
         'http://latchkey.test/password-reset/MQ/legacy-secret-token', 0, {0}, NULL, NULL, {0})",
        app.clock.now() + 3600
    );
    db.execute_unprepared(&insert).await.expect("insert");
    let report = app.engine.purge_once().await.expect("pass");
    assert_eq!(report.emails_sealed, 1);
    let sql = "SELECT text_body || COALESCE(link, '') || html_body AS v FROM email_outbox WHERE recipient = 'old@example.com'";
    assert_eq!(strings(&db, sql).await, vec![String::new()]);
    assert!(!strings(&db, OUTBOX_TEXT).await[0].contains("legacy-secret-token"));
    app.smtp.restart().await;
    app.clock.advance(3600);
    let mail = app.smtp.wait_for("old@example.com", 1).await;
    assert!(mail.text.contains("legacy-secret-token"), "{}", mail.text);
}

async fn housekeeping_purges_what_has_expired(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b).mode("jwt").env("LATCHKEY_HOUSEKEEPING_INTERVAL", "0")).await;
    app.signup_verified("ada", "ada@example.com").await;
    let browser = app.browser();
    let body = json!({"username": "ada", "password": PASSWORD});
    let r = app.call_with(&browser, reqwest::Method::POST, "/login/", Some(body), &crate::helpers::Auth::None).await;
    assert_eq!(r.status, 200);
    app.post("/password/reset/", json!({"email": "ada@example.com"})).await;
    app.settled().await;
    let db = db(&app).await;
    let tables = ["sessions", "one_time_tokens", "refresh_tokens", "rate_limits", "email_outbox"];
    let mut before = Vec::new();
    for t in tables {
        before.push(count(&db, t).await);
    }
    assert!(before.iter().all(|n| *n > 0), "{before:?}");
    // nothing is dead yet: a pass removes nothing
    let report = app.engine.purge_once().await.expect("pass");
    assert_eq!(report, app::core::janitor::PurgeReport::default());
    // fifteen days later everything above has expired
    app.clock.advance(15 * 24 * 3600);
    let report = app.engine.purge_once().await.expect("pass");
    for t in tables {
        assert_eq!(count(&db, t).await, 0, "{t}: {report:?}");
    }
    assert_eq!(count(&db, "users").await, 1, "accounts stay");
}

async fn housekeeping_works_in_bounded_batches(b: Backend) {
    // no background passes: this test counts what each pass removes
    let app = TestApp::spawn(Opts::new(&b).env("LATCHKEY_HOUSEKEEPING_INTERVAL", "0")).await;
    let db = db(&app).await;
    let old = app.clock.now() - 10 * 24 * 3600;
    let fresh = app.clock.now();
    for (prefix, start) in [("old", old), ("fresh", fresh)] {
        let rows: Vec<String> =
            (0..(if prefix == "old" { 700 } else { 5 })).map(|i| format!("('{prefix}-{i:04}', {start}, 1)")).collect();
        let sql = format!("INSERT INTO rate_limits (key, window_start, count) VALUES {}", rows.join(", "));
        db.execute_unprepared(&sql).await.expect("insert");
    }
    let batch = app::core::janitor::BATCH;
    assert_eq!(app.engine.purge_once().await.expect("pass").rate_limits, batch);
    assert_eq!(app.engine.purge_once().await.expect("pass").rate_limits, 700 - batch);
    assert_eq!(app.engine.purge_once().await.expect("pass").rate_limits, 0);
    assert_eq!(count(&db, "rate_limits").await, 5, "live windows stay");
}

async fn a_redelivered_email_keeps_its_message_id(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    // the relay takes the message, then the connection dies before "250"
    app.smtp.keep_without_ack(1);
    assert_eq!(app.register("ada", "ada@example.com", PASSWORD).await.status, 201);
    let first = app.smtp.wait_for("ada@example.com", 1).await;
    app.clock.advance(600);
    let second = app.smtp.wait_for("ada@example.com", 2).await;
    assert_eq!(first.text, second.text, "the same email, sent again");
    assert_eq!(first.message_id, second.message_id);
    let db = db(&app).await;
    let ids = strings(&db, "SELECT 'outbox-' || CAST(id AS TEXT) || '.' || CAST(created_at AS TEXT) || '@latchkey.local' AS v FROM email_outbox").await;
    assert_eq!(ids, vec![first.message_id.clone()]);
    app.settled().await;
    assert_eq!(app.emails_to("ada@example.com").await, 2, "at least once: twice here, never more");
}
