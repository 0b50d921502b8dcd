//! Static files: precompressed variants by negotiation, year-long caching
//! of hashed bundle names only, compression of dynamic answers (but not of
//! pages answered to a browser with cookies), and the hashed names in pages.

use crate::helpers::{Backend, Opts, TestApp};
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, VARY};

struct Site {
    dir: tempfile::TempDir,
}

/// A built site as `cargo leptos build --release --precompress` with
/// `hash-files` leaves it: each file beside its `.br` and `.gz` (marked
/// here so the test sees which one was sent), and the hash file.
fn site() -> Site {
    let dir = tempfile::tempdir().expect("tempdir");
    let pkg = dir.path().join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg");
    let js = "export function hello() { return 'hello'; }\n".repeat(100);
    for (name, body) in [
        ("latchkey.jshash.js", js.as_str()),
        ("latchkey.csshash.css", "body { color: black; }"),
        ("latchkey.wasmhash.wasm", "\0asm"),
    ] {
        std::fs::write(pkg.join(name), body).expect("file");
        std::fs::write(pkg.join(format!("{name}.br")), "BROTLI-VARIANT").expect("br");
        std::fs::write(pkg.join(format!("{name}.gz")), "GZIP-VARIANT").expect("gz");
    }
    std::fs::write(dir.path().join("favicon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").expect("svg");
    std::fs::write(dir.path().join("hash.txt"), "js: jshash\nwasm: wasmhash\ncss: csshash\n").expect("hash file");
    Site { dir }
}

fn opts(site: &Site) -> Opts {
    Opts::new(&Backend::Sqlite)
        .env("LEPTOS_SITE_ROOT", site.dir.path().display().to_string())
        .env("LEPTOS_HASH_FILES", "true")
        // an absolute name: found wherever the test binary runs from
        .env("LEPTOS_HASH_FILE_NAME", site.dir.path().join("hash.txt").display().to_string())
}

fn header(r: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bundle_files_go_out_precompressed_and_cached_for_a_year() {
    let site = site();
    let app = TestApp::spawn(opts(&site)).await;
    let url = format!("{}/pkg/latchkey.jshash.js", app.base);
    for (accept, encoding, body) in
        [("gzip, deflate, br", "br", "BROTLI-VARIANT"), ("gzip", "gzip", "GZIP-VARIANT"), ("identity", "", "export")]
    {
        let r = app.http.get(&url).header(ACCEPT_ENCODING, accept).send().await.expect("get");
        assert_eq!(r.status().as_u16(), 200, "{accept}");
        assert_eq!(header(&r, CONTENT_ENCODING), encoding, "{accept}");
        assert_eq!(header(&r, CACHE_CONTROL), "public, max-age=31536000, immutable", "{accept}");
        assert!(header(&r, VARY).to_ascii_lowercase().contains("accept-encoding"), "{accept}");
        assert!(header(&r, reqwest::header::CONTENT_TYPE).starts_with("text/javascript"), "{accept}");
        assert!(r.text().await.expect("body").starts_with(body), "{accept}");
    }
    // the compressed copies are not files of their own, however spelt
    for copy in [format!("{url}.br"), format!("{url}.gz"), format!("{url}.b%72"), format!("{url}.G%5A")] {
        let r = app.http.get(&copy).send().await.expect("get");
        assert_eq!(r.status().as_u16(), 404, "{copy}");
    }
    // a file is not an answer to a POST
    let r = app.http.post(&url).header("Origin", &app.base).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 404);
    // the stylesheet's plain name (pages rendered without Leptos link it) is the hashed file, revalidated
    let r = app.http.get(format!("{}/pkg/latchkey.css", app.base)).send().await.expect("get");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(header(&r, CACHE_CONTROL), "no-cache");
    assert_eq!(r.text().await.expect("css"), "body { color: black; }");
    // files without a hash in their name are revalidated, not kept for a year
    let r = app.http.get(format!("{}/favicon.svg", app.base)).send().await.expect("get");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(header(&r, CACHE_CONTROL), "no-cache");
    // a missing file is still the 404 page
    let r = app.http.get(format!("{}/pkg/nope.js", app.base)).send().await.expect("get");
    assert_eq!(r.status().as_u16(), 404);
    assert_eq!(header(&r, CACHE_CONTROL), "no-store");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_name_the_hashed_bundle() {
    let site = site();
    let app = TestApp::spawn(opts(&site)).await;
    let html = app.http.get(format!("{}/login", app.base)).send().await.expect("page").text().await.expect("html");
    for name in ["/pkg/latchkey.csshash.css", "/pkg/latchkey.jshash.js", "/pkg/latchkey.wasmhash.wasm"] {
        assert!(html.contains(name), "{name} in {html}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_hash_file_stops_start_up() {
    let site = site();
    std::fs::remove_file(site.dir.path().join("hash.txt")).expect("rm");
    let err = TestApp::try_spawn(opts(&site)).await.err().expect("start-up refused");
    assert!(err.contains("hash.txt is missing"), "{err}");
    // a hash file from another build: the files it names are not there
    std::fs::write(site.dir.path().join("hash.txt"), "js: other\nwasm: wasmhash\ncss: csshash\n").expect("hash file");
    let err = TestApp::try_spawn(opts(&site)).await.err().expect("start-up refused");
    assert!(err.contains("latchkey.other.js, which is not there"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamic_answers_are_compressed_except_pages_for_a_browser_with_cookies() {
    let app = TestApp::spawn(Opts::new(&Backend::Sqlite)).await;
    let gzip_magic = |b: &[u8]| b.starts_with(&[0x1f, 0x8b]);
    // JSON: compressed
    let r =
        app.http.get(format!("{}/api/auth/user/", app.base)).header(ACCEPT_ENCODING, "gzip").send().await.expect("api");
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(header(&r, CONTENT_ENCODING), "gzip");
    assert!(gzip_magic(&r.bytes().await.expect("body")));
    // a page for a visitor without cookies: compressed
    let r = app.http.get(format!("{}/login", app.base)).header(ACCEPT_ENCODING, "gzip").send().await.expect("page");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(header(&r, CONTENT_ENCODING), "gzip");
    assert!(gzip_magic(&r.bytes().await.expect("body")));
    // with cookies (a signed-in browser): plain, so no secret on the page can
    // be guessed from its compressed length
    let r = app
        .http
        .get(format!("{}/login?next=/profile", app.base))
        .header(ACCEPT_ENCODING, "gzip, br")
        .header(reqwest::header::COOKIE, "id=anything")
        .send()
        .await
        .expect("page");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(header(&r, CONTENT_ENCODING), "");
    assert!(r.text().await.expect("html").starts_with("<!DOCTYPE html>"));
}
