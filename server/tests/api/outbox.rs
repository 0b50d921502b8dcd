//! The email outbox: with SMTP down, sign-up still succeeds and the email
//! goes out once SMTP is back; a pending email survives a restart (another
//! process on the same database delivers it).

use crate::helpers::{Backend, Opts, TestApp, PASSWORD};
use crate::smtp_sink::SmtpSink;
use sea_orm::{ConnectionTrait, Statement};

async fn wait_for_failed_attempt(url: &str) {
    let db = sea_orm::Database::connect(url).await.expect("db");
    for _ in 0..200 {
        let sql = "SELECT COUNT(*) AS n FROM email_outbox WHERE attempts > 0 AND sent_at IS NULL";
        let row = db.query_one(Statement::from_string(db.get_database_backend(), sql.to_owned())).await.expect("query");
        let n: i64 = row.and_then(|r| r.try_get("", "n").ok()).unwrap_or(0);
        if n > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the first process never tried to send");
}

cases!(smtp_outage_delays_but_never_loses_email, pending_email_survives_a_restart);

async fn smtp_outage_delays_but_never_loses_email(b: Backend) {
    let app = TestApp::spawn(Opts::new(&b)).await;
    app.smtp.stop().await;
    let r = app.register("ada", "ada@example.com", PASSWORD).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    wait_for_failed_attempt(&app.database_url()).await;
    assert_eq!(app.smtp.count_now("ada@example.com"), 0);
    app.smtp.restart().await;
    app.clock.advance(600); // the longest backoff: the retry is due
    let key = app.verification_key("ada@example.com", 1).await;
    assert_eq!(app.post("/registration/verify-email/", serde_json::json!({ "key": key })).await.status, 200);
    assert_eq!(app.emails_to("ada@example.com").await, 1, "sent exactly once");
}

async fn pending_email_survives_a_restart(b: Backend) {
    let first = TestApp::spawn(Opts::new(&b)).await;
    first.smtp.stop().await;
    assert_eq!(first.register("ada", "ada@example.com", PASSWORD).await.status, 201);
    // stop after a failed attempt (stopping mid-send would leave the row
    // leased for a minute, which is how a crash is survived)
    wait_for_failed_attempt(&first.database_url()).await;
    first.stop().await;
    // the restarted server: same database, a working mail server
    let sink = SmtpSink::start().await;
    let second =
        TestApp::spawn(Opts::new(&b).env("DATABASE_URL", first.database_url()).env("SMTP_URL", sink.url())).await;
    let mail = sink.wait_for("ada@example.com", 1).await;
    assert!(mail.subject.contains("Confirm"));
    let key = mail.link().rsplit('/').next().expect("key").to_owned();
    assert_eq!(second.post("/registration/verify-email/", serde_json::json!({ "key": key })).await.status, 200);
    assert_eq!(second.login("ada", PASSWORD).await.status, 200);
    second.settled().await;
    assert_eq!(sink.all().len(), 1, "delivered once, not once per process");
}
