//! Where a `next=` parameter (or a `Referer`) may send the browser: only to
//! a path on this site. The value is resolved the way a browser resolves it
//! (the WHATWG URL parser of the `url` crate) against the public URL, and
//! only a same-origin result is kept, re-serialised, so what the `Location`
//! header says is exactly what the browser will follow.

use url::{Position, Url};

/// The path (with query and fragment) `next` leads to, if it stays on
/// `public_url`'s origin. Anything a browser might read differently than we
/// do is refused outright: control characters (browsers drop tabs and
/// newlines inside URLs), backslashes (read as slashes), and any form that is
/// not a plain absolute path.
pub fn safe_next(next: &str, public_url: &str) -> Option<String> {
    if !next.starts_with('/') || next.starts_with("//") {
        return None;
    }
    if next.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    let base = Url::parse(public_url).ok()?;
    let resolved = base.join(next).ok()?;
    if resolved.origin() != base.origin() {
        return None;
    }
    let local = &resolved[Position::BeforePath..];
    // a path that normalises to `//host` would leave the site as a relative URL
    (local.starts_with('/') && !local.starts_with("//")).then(|| local.to_owned())
}

/// The local path of a page URL (a `Referer`), if it is one of ours to go
/// back to; the host is ignored, the path checked like [`safe_next`].
pub fn local_path(page_url: &str, public_url: &str) -> Option<String> {
    let url = Url::parse(page_url).ok()?;
    safe_next(&url[Position::BeforePath..], public_url)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = "https://id.example";

    #[test]
    fn local_paths_pass() {
        assert_eq!(safe_next("/profile?x=1", PUBLIC).as_deref(), Some("/profile?x=1"));
        assert_eq!(safe_next("/a/../sessions#top", PUBLIC).as_deref(), Some("/sessions#top"));
        assert_eq!(safe_next("/x?u=http://e", PUBLIC).as_deref(), Some("/x?u=http://e"));
        assert_eq!(safe_next("/caf\u{e9}", PUBLIC).as_deref(), Some("/caf%C3%A9"));
        assert_eq!(safe_next("/%2F%2Fevil.example", PUBLIC).as_deref(), Some("/%2F%2Fevil.example"));
    }

    #[test]
    fn anything_a_browser_could_take_elsewhere_is_refused() {
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\nSet-Cookie: x=1",
            "\t//evil.example",
            " //evil.example",
            "/.//evil.example",
            "/..//evil.example",
            "/%09/evil.example/..//x",
            "javascript:alert(1)",
            "profile",
            "",
            "/\u{0}",
        ] {
            let got = safe_next(bad, PUBLIC);
            assert!(got.as_deref().is_none_or(|g| !g.starts_with("//")), "{bad:?} -> {got:?}");
            if !bad.starts_with("/%09") {
                assert_eq!(got, None, "{bad:?}");
            }
        }
    }

    #[test]
    fn referers_give_their_path() {
        assert_eq!(local_path("https://id.example/signup?a=1", PUBLIC).as_deref(), Some("/signup?a=1"));
        assert_eq!(local_path("http://127.0.0.1:3000/login", PUBLIC).as_deref(), Some("/login"));
        assert_eq!(local_path("https://id.example//evil.example/x", PUBLIC), None);
        assert_eq!(local_path("not a url", PUBLIC), None);
    }
}
