//! Static files (the wasm, JS and CSS bundle, `public/`) and compression.
//!
//! A release build (`make release`: `cargo leptos build --release
//! --precompress`) writes a `.br` and a `.gz` beside each file; the one the
//! browser accepts is sent as it is, never compressed per request. With
//! `hash-files` the bundle's names carry a hash of their content (listed in
//! the hash file beside the binary), so those answers may be cached for a
//! year; everything else is revalidated (`no-cache`, 304 while unchanged).
//! The stylesheet's plain name (`/pkg/latchkey.css`, which the few pages
//! rendered without Leptos link) answers with the hashed file, revalidated.
//!
//! Dynamic answers are compressed on the fly, except pages and server
//! functions answered to a browser that sends cookies: those can hold a
//! secret (a TOTP key being set up, recovery codes) next to text an
//! attacker chose, the mix whose compressed length leaks the secret
//! (BREACH). They are a few kilobytes. The JSON API is compressed: a
//! cross-site page cannot read its answers, its cookie-authenticated writes
//! need a same-site `Origin`, and the one read that shows a secret
//! (`mfa/totp/activate/`) makes a new one each time.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::path::PathBuf;
use tower::ServiceExt;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::ServeDir;

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const REVALIDATE: &str = "no-cache";

/// The site's files and what the build said about their names.
#[derive(Clone, Debug)]
pub struct Assets {
    site_root: PathBuf,
    pkg_dir: String,
    output_name: String,
    /// The content hashes in the bundle's names (js, wasm, css), when hashed.
    hashes: Option<Hashes>,
}

#[derive(Clone, Debug, Default)]
struct Hashes {
    js: String,
    wasm: String,
    css: String,
}

impl Hashes {
    fn parse(text: &str) -> Option<Self> {
        let mut h = Hashes::default();
        for line in text.lines() {
            let Some((kind, hash)) = line.split_once(':') else { continue };
            let hash = hash.trim().to_owned();
            match kind.trim() {
                "js" => h.js = hash,
                "wasm" => h.wasm = hash,
                "css" => h.css = hash,
                _ => {}
            }
        }
        let ok = [&h.js, &h.wasm, &h.css]
            .iter()
            .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        ok.then_some(h)
    }
}

impl Assets {
    /// Reads the hash file when the build hashed the bundle's names.
    ///
    /// # Errors
    /// Hashing is on and the hash file is missing or unreadable: every page
    /// would load a missing script.
    pub fn load(settings: &crate::settings::Settings, pkg_dir: &str, output_name: &str) -> anyhow::Result<Self> {
        let hashes = if settings.hashed_assets {
            let exe = std::env::current_exe()?;
            let file = exe.parent().unwrap_or(std::path::Path::new(".")).join(&settings.hash_file_name);
            let text = std::fs::read_to_string(&file).map_err(|e| {
                anyhow::anyhow!(
                    "LEPTOS_HASH_FILES is on but {} is missing ({e}): keep the {} that `cargo leptos build` writes \
                     beside the binary, or set LEPTOS_HASH_FILES=false for a build without hashed names",
                    file.display(),
                    settings.hash_file_name
                )
            })?;
            let h = Hashes::parse(&text)
                .ok_or_else(|| anyhow::anyhow!("{}: no js, wasm and css hashes", file.display()))?;
            // a hash file from another build (debug and release share the site directory)
            let pkg = PathBuf::from(&settings.site_root).join(pkg_dir.trim_matches('/'));
            for (hash, ext) in [(&h.js, "js"), (&h.wasm, "wasm"), (&h.css, "css")] {
                let name = pkg.join(format!("{output_name}.{hash}.{ext}"));
                anyhow::ensure!(
                    name.is_file(),
                    "{} names {}, which is not there: the binary and the site come from different builds \
                     (run `make release` again)",
                    file.display(),
                    name.display()
                );
            }
            Some(h)
        } else {
            None
        };
        Ok(Self {
            site_root: PathBuf::from(&settings.site_root),
            pkg_dir: pkg_dir.trim_matches('/').to_owned(),
            output_name: output_name.to_owned(),
            hashes,
        })
    }

    /// The path to serve for `path` (the stylesheet's plain name is the
    /// hashed file) and whether the answer may be kept for a year.
    fn resolve(&self, path: &str) -> (String, bool) {
        let Some(h) = &self.hashes else { return (path.to_owned(), false) };
        let pkg = format!("/{}/", self.pkg_dir);
        let Some(name) = path.strip_prefix(&pkg) else { return (path.to_owned(), false) };
        if name == format!("{}.css", self.output_name) {
            return (format!("{pkg}{}.{}.css", self.output_name, h.css), false);
        }
        let hashed = [(&h.js, "js"), (&h.wasm, "wasm"), (&h.css, "css")]
            .iter()
            .any(|(hash, ext)| name == format!("{}.{hash}.{ext}", self.output_name));
        (path.to_owned(), hashed)
    }

    /// Answers `req` from the site's files; `None` when there is no such
    /// file (or the method is not GET/HEAD), so the caller renders its 404.
    pub async fn serve(&self, req: &axum::http::request::Parts) -> Option<Response> {
        if !matches!(req.method, Method::GET | Method::HEAD) {
            return None;
        }
        let raw = req.uri.path();
        // the compressed copies are served through negotiation only (as
        // the file server decodes the path, so does this check)
        let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
        if [".br", ".gz"].iter().any(|ext| decoded.to_ascii_lowercase().ends_with(ext)) {
            return None;
        }
        let (path, immutable) = self.resolve(raw);
        let mut probe = Request::builder().method(req.method.clone()).uri(path);
        // what the browser accepts, also when it was hidden from compression
        let accept =
            req.extensions.get::<HiddenAcceptEncoding>().map(|h| &h.0).or(req.headers.get(header::ACCEPT_ENCODING));
        if let Some(v) = accept {
            probe = probe.header(header::ACCEPT_ENCODING, v.clone());
        }
        for name in [header::IF_MODIFIED_SINCE, header::IF_UNMODIFIED_SINCE, header::RANGE, header::IF_RANGE] {
            if let Some(v) = req.headers.get(&name) {
                probe = probe.header(name, v.clone());
            }
        }
        let probe = probe.body(Body::empty()).ok()?;
        let files = ServeDir::new(&self.site_root)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(false);
        let res = files.oneshot(probe).await.ok()?;
        let status = res.status();
        if status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED {
            return None;
        }
        let (mut parts, body) = res.into_parts();
        let kept = matches!(status, StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED);
        let policy = match (kept, immutable) {
            (true, true) => IMMUTABLE,
            (true, false) => REVALIDATE,
            (false, _) => "no-store",
        };
        parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        parts.headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
        Some(Response::from_parts(parts, Body::new(body)))
    }
}

/// Compression for dynamic answers (already-encoded ones pass untouched;
/// a wasm without its precompressed copies is not squeezed per request).
pub fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .no_deflate()
        .no_zstd()
        .quality(CompressionLevel::Precise(4))
        .compress_when(DefaultPredicate::new().and(NotForContentType::const_new("application/wasm")))
}

/// The `Accept-Encoding` taken off a request by [`no_compression_with_cookies`],
/// for the static-file server's negotiation of precompressed copies.
#[derive(Clone)]
struct HiddenAcceptEncoding(HeaderValue);

/// Takes `Accept-Encoding` off requests that carry cookies, except for the
/// JSON API and the bundle and uploads (see the module text).
pub async fn no_compression_with_cookies(mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let compressible = ["/api/", "/pkg/", "/media/"].iter().any(|p| path.starts_with(p));
    if !compressible && req.headers().contains_key(header::COOKIE) {
        if let Some(v) = req.headers_mut().remove(header::ACCEPT_ENCODING) {
            req.extensions_mut().insert(HiddenAcceptEncoding(v));
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashed() -> Assets {
        Assets {
            site_root: PathBuf::from("."),
            pkg_dir: "pkg".into(),
            output_name: "latchkey".into(),
            hashes: Hashes::parse("js: J1\nwasm: W2\ncss: C3\n"),
        }
    }

    #[test]
    fn only_the_hashed_bundle_is_kept_for_a_year() {
        let a = hashed();
        assert_eq!(a.resolve("/pkg/latchkey.J1.js"), ("/pkg/latchkey.J1.js".into(), true));
        assert_eq!(a.resolve("/pkg/latchkey.W2.wasm"), ("/pkg/latchkey.W2.wasm".into(), true));
        assert_eq!(a.resolve("/pkg/latchkey.css"), ("/pkg/latchkey.C3.css".into(), false));
        assert_eq!(a.resolve("/pkg/latchkey.js"), ("/pkg/latchkey.js".into(), false));
        assert_eq!(a.resolve("/pkg/snippets/x.js"), ("/pkg/snippets/x.js".into(), false));
        assert_eq!(a.resolve("/favicon.svg"), ("/favicon.svg".into(), false));
        let plain = Assets { hashes: None, ..a };
        assert_eq!(plain.resolve("/pkg/latchkey.J1.js"), ("/pkg/latchkey.J1.js".into(), false));
    }

    #[test]
    fn a_hash_file_names_three_hashes_of_plain_characters() {
        assert!(Hashes::parse("js: a\nwasm: b\n").is_none());
        assert!(Hashes::parse("js: a/b\nwasm: b\ncss: c\n").is_none());
        assert!(Hashes::parse("js: a-_1\nwasm: b\ncss: c\nmanifest: x\n").is_some());
    }
}
