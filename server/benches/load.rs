//! `make bench`: load on loopback against a release `latchkey` (SQLite, token
//! mode), beside a bare axum JSON handler (its own process) as the ceiling and argon2's hash
//! time x cores as the login ceiling. Prints requests/s and p50/p99, the
//! peak memory of a 500-connection login flood, and the targets.

use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "Bench-Latch-77";
const SECONDS: u64 = 8;

struct Stats {
    rps: f64,
    p50: Duration,
    p99: Duration,
    errors: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// `conns` connections, each sending requests back to back for `secs`.
async fn load<F, Fut>(conns: usize, secs: u64, make: F) -> Stats
where
    F: Fn(reqwest::Client, usize) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let errors = Arc::new(AtomicUsize::new(0));
    let counter = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let make = make.clone();
        let errors = errors.clone();
        let counter = counter.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().expect("client");
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                let ok = make(client.clone(), n).await;
                lat.push(t.elapsed());
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            lat
        }));
    }
    let started = Instant::now();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    Stats {
        rps: all.len() as f64 / elapsed,
        p50: percentile(&all, 0.5),
        p99: percentile(&all, 0.99),
        errors: errors.load(Ordering::Relaxed),
    }
}

fn row(name: &str, conns: usize, s: &Stats) {
    println!(
        "{name:<34} {conns:>5} {:>10.0} {:>9.2} {:>9.2} {:>7}",
        s.rps,
        s.p50.as_secs_f64() * 1000.0,
        s.p99.as_secs_f64() * 1000.0,
        s.errors
    );
}

fn release_bin(name: &str) -> String {
    format!("{}/../target/release/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn spawn_latchkey(dir: &std::path::Path, port: u16, cache_ttl: &str, mode: &str) -> Child {
    let bin = std::env::var("LATCHKEY_BIN").unwrap_or_else(|_| release_bin("latchkey"));
    Command::new(&bin)
        .env("LATCHKEY_ADDR", format!("127.0.0.1:{port}"))
        .env("LATCHKEY_DATA_DIR", dir)
        .env("LATCHKEY_SECRET_KEY", "bench-secret-key-that-is-long-enough-0123")
        .env("LATCHKEY_EMAIL_VERIFICATION", "none")
        .env("LATCHKEY_AUTH_CACHE_TTL", cache_ttl)
        .env("LATCHKEY_AUTH_MODE", mode)
        .env("LATCHKEY_RATE_LOGIN_IP", "off")
        .env("LATCHKEY_RATE_LOGIN_FAILURES", "off")
        .env("LATCHKEY_RATE_SIGNUP_IP", "off")
        .env("LATCHKEY_RATE_EMAIL_IP", "off")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e} (run `make bench`, which builds it)"))
}

/// The bare axum handler, in a process of its own; returns it and its URL.
fn spawn_bare() -> (Child, String) {
    use std::io::BufRead;
    let bin = release_bin("examples/bare_ceiling");
    let mut child = Command::new(&bin)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e} (run `make bench`, which builds it)"));
    let mut line = String::new();
    let out = child.stdout.take().expect("stdout");
    std::io::BufReader::new(out).read_line(&mut line).expect("address");
    (child, format!("http://{}/", line.trim()))
}

/// Starts a latchkey on a fresh SQLite file, waits for it, registers the
/// bench user and returns (process, base URL, Authorization header value).
async fn start_latchkey(dir: &std::path::Path, cache_ttl: &str, mode: &str) -> (Child, String, String) {
    let port = free_port();
    let child = spawn_latchkey(dir, port, cache_ttl, mode);
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..100 {
        if http.get(format!("{base}/api/auth/user/")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let reg = json!({"username": "bench", "email": "bench@example.com", "password1": PASSWORD, "password2": PASSWORD});
    let r: Value = http
        .post(format!("{base}/api/auth/registration/"))
        .json(&reg)
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("json");
    let authorization = match r["key"].as_str() {
        Some(key) => format!("Token {key}"),
        None => format!("Bearer {}", r["access"].as_str().expect("access token")),
    };
    (child, base, authorization)
}

async fn get_user(api: &str, authorization: &str) -> Stats {
    let (a, t) = (api.to_owned(), authorization.to_owned());
    load(64, SECONDS, move |c, _| {
        let (u, t) = (format!("{a}/user/"), t.clone());
        async move { c.get(&u).header("Authorization", t).send().await.is_ok_and(|r| r.status().is_success()) }
    })
    .await
}

/// `GET user/` against a latchkey of its own (fresh SQLite file), stopped after.
async fn get_user_on_own_server(cache_ttl: &str, mode: &str) -> Stats {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut child, base, authorization) = start_latchkey(dir.path(), cache_ttl, mode).await;
    let stats = get_user(&format!("{base}/api/auth"), &authorization).await;
    let _ = child.kill();
    let _ = child.wait();
    stats
}

fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn argon2() -> argon2::Argon2<'static> {
    let params = argon2::Params::new(19_456, 2, 1, None).expect("params");
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// Mean time of one hash on one otherwise idle core.
fn argon2_hash_time() -> Duration {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let a = argon2();
    let runs = 20;
    let t = Instant::now();
    for _ in 0..runs {
        let salt = SaltString::generate(&mut OsRng);
        a.hash_password(PASSWORD.as_bytes(), &salt).expect("hash");
    }
    t.elapsed() / runs
}

/// Hashes per second with every core hashing at once (cores share caches
/// and memory bandwidth, so this can be below cores / single-core time).
fn argon2_parallel_rate(cores: usize) -> f64 {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let runs = 60;
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..cores {
            s.spawn(|| {
                let a = argon2();
                for _ in 0..runs {
                    let salt = SaltString::generate(&mut OsRng);
                    a.hash_password(PASSWORD.as_bytes(), &salt).expect("hash");
                }
            });
        }
    });
    (cores * runs) as f64 / t.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let cores = std::thread::available_parallelism().map(usize::from).unwrap_or(1);
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut child, base, token) = start_latchkey(dir.path(), "10", "token").await;
    let api = format!("{base}/api/auth");
    let (mut bare, bare_url) = spawn_bare();

    println!("Latchkey load benchmark: {cores} cores, {SECONDS} s per scenario, loopback, SQLite, release build");
    println!("{:<34} {:>5} {:>10} {:>9} {:>9} {:>7}", "scenario", "conns", "req/s", "p50 ms", "p99 ms", "errors");

    let bare_stats = load(64, SECONDS, move |c, _| {
        let u = bare_url.clone();
        async move { c.get(&u).send().await.is_ok_and(|r| r.status().is_success()) }
    })
    .await;
    row("bare axum JSON (ceiling)", 64, &bare_stats);
    let _ = bare.kill();
    let _ = bare.wait();

    let user_stats = get_user(&api, &token).await;
    row("GET user/ with token", 64, &user_stats);

    // the same read with the token cache off (two SQLite queries per request),
    // and with a JWT access token (signature checked each time)
    row("GET user/ with token, cache off", 64, &get_user_on_own_server("0", "token").await);
    row("GET user/ with a JWT", 64, &get_user_on_own_server("10", "jwt").await);

    // the login ceiling: argon2's hash time x cores, the hash time measured
    // with every core hashing (what the hardware really sustains); the idle
    // single-core time x cores is printed beside it
    let hash = argon2_hash_time();
    let login_ceiling = argon2_parallel_rate(cores);
    let loaded_hash = Duration::from_secs_f64(cores as f64 / login_ceiling);
    let naive_ceiling = cores as f64 / hash.as_secs_f64();
    let a = api.clone();
    let login_stats = load(2 * cores, SECONDS, move |c, _| {
        let u = format!("{a}/login/");
        async move {
            c.post(&u)
                .json(&json!({"username": "bench", "password": PASSWORD}))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        }
    })
    .await;
    row("POST login/", 2 * cores, &login_stats);

    let a = api.clone();
    let reg_stats = load(2 * cores, SECONDS, move |c, n| {
        let u = format!("{a}/registration/");
        async move {
            let body = json!({"username": format!("u{n}"), "email": format!("u{n}@example.com"), "password1": PASSWORD, "password2": PASSWORD});
            c.post(&u).json(&body).send().await.is_ok_and(|r| r.status().is_success())
        }
    })
    .await;
    row("POST registration/", 2 * cores, &reg_stats);

    let b = base.clone();
    let ssr_stats = load(16, SECONDS, move |c, _| {
        let u = format!("{b}/login");
        async move { c.get(&u).header("Accept", "text/html").send().await.is_ok_and(|r| r.status().is_success()) }
    })
    .await;
    row("SSR GET /login", 16, &ssr_stats);

    let rss_before = peak_rss_mib(child.id());
    let a = api.clone();
    let flood = load(500, SECONDS, move |c, _| {
        let u = format!("{a}/login/");
        async move {
            c.post(&u)
                .json(&json!({"username": "bench", "password": PASSWORD}))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        }
    })
    .await;
    row("login flood", 500, &flood);
    let peak = peak_rss_mib(child.id());

    println!();
    println!(
        "argon2id hash (m=19456 KiB, t=2, p=1): {:.1} ms with all {cores} cores hashing -> login ceiling {login_ceiling:.1}/s",
        loaded_hash.as_secs_f64() * 1000.0
    );
    println!(
        "  (on one idle core {:.1} ms: {naive_ceiling:.1}/s if {cores} cores scaled perfectly; login at {:.0}% of that)",
        hash.as_secs_f64() * 1000.0,
        login_stats.rps / naive_ceiling * 100.0
    );
    println!("server peak RSS: {rss_before:.0} MiB before the flood, {peak:.0} MiB after 500 connections");
    println!();
    let check = |ok: bool| if ok { "PASS" } else { "MISS" };
    let user_ratio = user_stats.rps / bare_stats.rps;
    let login_ratio = login_stats.rps / login_ceiling;
    println!(
        "{} authenticated GET at {:.0}% of the bare ceiling (target >= 40%)",
        check(user_ratio >= 0.40),
        user_ratio * 100.0
    );
    println!(
        "{} login at {:.0}% of the argon2 ceiling (target >= 85%)",
        check(login_ratio >= 0.85),
        login_ratio * 100.0
    );
    println!(
        "{} p99 of authenticated GET at 64 connections: {:.2} ms (target < 10 ms)",
        check(user_stats.p99 < Duration::from_millis(10)),
        user_stats.p99.as_secs_f64() * 1000.0
    );
    println!(
        "{} peak memory under the 500-connection login flood: {peak:.0} MiB (target < 300 MB)",
        check(peak < 286.0)
    );
    let _ = child.kill();
    let _ = child.wait();
}
