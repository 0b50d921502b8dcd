//! A real SMTP server on loopback that keeps every message it receives, so
//! tests read the emails Latchkey actually sent over the wire.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Debug)]
pub struct Email {
    pub to: String,
    pub message_id: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Email {
    /// The first http(s) link in the text part.
    pub fn link(&self) -> String {
        let start = self.text.find("http").expect("email has a link");
        self.text[start..].split_whitespace().next().unwrap_or_default().to_owned()
    }
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<Email>>>,
    server: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
    /// How many upcoming messages to keep but never acknowledge (the
    /// connection drops instead of "250"): a crash after the hand-over.
    unacked: Arc<Mutex<usize>>,
}

fn serve(
    listener: TcpListener,
    store: Arc<Mutex<Vec<Email>>>,
    unacked: Arc<Mutex<usize>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(session(stream, store.clone(), unacked.clone()));
        }
    })
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind SMTP sink");
        let port = listener.local_addr().expect("addr").port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let unacked = Arc::new(Mutex::new(0));
        let server = serve(listener, messages.clone(), unacked.clone());
        Self { port, messages, server: Arc::new(Mutex::new(Some(server))), unacked }
    }

    /// Takes the server down: connections to its port are refused.
    pub async fn stop(&self) {
        if let Some(task) = self.server.lock().expect("lock").take() {
            task.abort();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    /// Brings it back on the same port.
    pub async fn restart(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.expect("rebind SMTP sink");
        *self.server.lock().expect("lock") = Some(serve(listener, self.messages.clone(), self.unacked.clone()));
    }

    /// Keeps the next `n` messages but hangs up instead of acknowledging them.
    pub fn keep_without_ack(&self, n: usize) {
        *self.unacked.lock().expect("lock") = n;
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn all(&self) -> Vec<Email> {
        self.messages.lock().expect("lock").clone()
    }

    /// Waits (up to 20 s) for the `n`-th (1-based) email to `to` whose subject
    /// contains `subject` (other emails, such as security notices, between).
    pub async fn wait_for_subject(&self, to: &str, subject: &str, n: usize) -> Email {
        for _ in 0..400 {
            let found: Vec<Email> = self
                .all()
                .into_iter()
                .filter(|e| e.to.eq_ignore_ascii_case(to) && e.subject.contains(subject))
                .collect();
            if found.len() >= n {
                return found[n - 1].clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "no email #{n} to {to} about {subject:?}; got {:?}",
            self.all().iter().map(|e| (&e.to, &e.subject)).collect::<Vec<_>>()
        );
    }

    /// Waits (up to 20 s: retries back off) for the `n`-th (1-based) email to `to`.
    pub async fn wait_for(&self, to: &str, n: usize) -> Email {
        for _ in 0..400 {
            let found: Vec<Email> = self.all().into_iter().filter(|e| e.to.eq_ignore_ascii_case(to)).collect();
            if found.len() >= n {
                return found[n - 1].clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no email #{n} to {to}; got {:?}", self.all().iter().map(|e| (&e.to, &e.subject)).collect::<Vec<_>>());
    }

    /// How many emails went to `to` so far (see `TestApp::emails_to` to
    /// wait for delivery first).
    pub fn count_now(&self, to: &str) -> usize {
        self.all().iter().filter(|e| e.to.eq_ignore_ascii_case(to)).count()
    }
}

async fn session(stream: TcpStream, store: Arc<Mutex<Vec<Email>>>, unacked: Arc<Mutex<usize>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let _ = write.write_all(b"220 sink.test ESMTP ready\r\n").await;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let cmd = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if cmd.starts_with("EHLO") {
            b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if cmd.starts_with("DATA") {
            let _ = write.write_all(b"354 go ahead\r\n").await;
            let mut raw = Vec::new();
            loop {
                let mut l = String::new();
                if lines.read_line(&mut l).await.unwrap_or(0) == 0 {
                    return;
                }
                if l == ".\r\n" || l == ".\n" {
                    break;
                }
                let l = l.strip_prefix('.').unwrap_or(&l);
                raw.extend_from_slice(l.as_bytes());
            }
            if let Some(email) = parse(&raw) {
                store.lock().expect("lock").push(email);
            }
            {
                let mut left = unacked.lock().expect("lock");
                if *left > 0 {
                    *left -= 1;
                    return;
                }
            }
            b"250 queued\r\n"
        } else if cmd.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"250 ok\r\n"
        };
        let _ = write.write_all(reply).await;
    }
}

fn parse(raw: &[u8]) -> Option<Email> {
    let msg = mail_parser::MessageParser::default().parse(raw)?;
    let to = msg.to()?.first()?.address()?.to_owned();
    Some(Email {
        to,
        message_id: msg.message_id().unwrap_or_default().to_owned(),
        subject: msg.subject().unwrap_or_default().to_owned(),
        text: msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        html: msg.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
    })
}
