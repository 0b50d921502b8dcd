//! The page's links to the bundle: the stylesheet and the script that
//! loads the wasm and hydrates. With `hash-files` the names carry a content
//! hash, listed in the hash file beside the binary (read at each render, as
//! Leptos reads it, so a rebuild under `cargo leptos watch` shows at once).
//!
//! Every form works before the wasm arrives (plain posts, errors inline),
//! so the wasm is not fetched until someone uses the page: the first
//! pointer movement, touch, key, focus, scroll or wheel. A visitor who only
//! reads (or a crawler) never downloads it; a phone starts it at the first
//! tap, while its owner types. (Leptos' `HydrationScripts` preloads it at
//! once, even with `defer`.) A submission made before it is ready is a
//! plain post, answered as without JavaScript; the page it leaves is not
//! hydrated any more (a second click would send the form again).

use leptos::config::LeptosOptions;
use leptos::prelude::*;

/// The bundle's file names (without `.js`, `.wasm`, `.css`).
struct Names {
    js: String,
    wasm: String,
    css: String,
}

fn names(options: &LeptosOptions) -> Names {
    let name = options.output_name.to_string();
    let hashes = if options.hash_files { read_hashes(&options.hash_file) } else { None };
    match hashes {
        Some([js, wasm, css]) => {
            Names { js: format!("{name}.{js}"), wasm: format!("{name}.{wasm}"), css: format!("{name}.{css}") }
        }
        None => Names {
            js: name.clone(),
            // wasm-bindgen's default name, unless cargo-leptos renamed it (as Leptos decides)
            wasm: if option_env!("LEPTOS_OUTPUT_NAME").is_some() { name.clone() } else { format!("{name}_bg") },
            css: name,
        },
    }
}

/// `[js, wasm, css]` from the hash file beside the binary.
fn read_hashes(hash_file: &str) -> Option<[String; 3]> {
    let dir = std::env::current_exe().ok()?.parent()?.to_path_buf();
    let text = std::fs::read_to_string(dir.join(hash_file)).ok()?;
    let find = |kind: &str| {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            let v = v.trim();
            // content hashes are base64url: anything else is not one
            let plain = !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            (k.trim() == kind && plain).then(|| v.to_owned())
        })
    };
    Some([find("js")?, find("wasm")?, find("css")?])
}

/// `<link rel="stylesheet">` for the bundle's CSS.
#[component]
pub fn BundleStylesheet(options: LeptosOptions) -> impl IntoView {
    let href = format!("/{}/{}.css", options.site_pkg_dir, names(&options).css);
    view! { <link id="leptos" rel="stylesheet" href=href/> }
}

/// Loads the JS glue and the wasm at the page's first use (see the module
/// text), then hydrates.
#[component]
pub fn HydrationScript(options: LeptosOptions) -> impl IntoView {
    let Names { js, wasm, .. } = names(&options);
    let pkg = format!("/{}", options.site_pkg_dir);
    let script = format!(
        "(() => {{\
            const uses = ['pointerdown', 'pointermove', 'touchstart', 'keydown', 'focusin', 'scroll', 'wheel'];\
            let started = false;\
            let leaving = false;\
            addEventListener('submit', () => {{ leaving = true; }}, {{ capture: true, once: true }});\
            const hydrate = () => {{\
                if (started) return;\
                started = true;\
                for (const u of uses) removeEventListener(u, hydrate, {{ capture: true }});\
                import({js:?})\
                    .then((m) => m.default({{ module_or_path: {wasm:?} }}).then(() => leaving || m.hydrate()))\
                    .catch((e) => console.warn('the page stays on plain form posts:', e));\
            }};\
            for (const u of uses) addEventListener(u, hydrate, {{ capture: true, passive: true }});\
            if (document.activeElement && document.activeElement !== document.body) hydrate();\
        }})();",
        js = format!("{pkg}/{js}.js"),
        wasm = format!("{pkg}/{wasm}.wasm"),
    )
    // never a `</script>` inside the script, whatever a setting holds (the
    // script itself has no `<`)
    .replace('<', "\\u003c");
    let nonce = leptos::nonce::use_nonce();
    view! { <script type="module" nonce=nonce>{script}</script> }
}
