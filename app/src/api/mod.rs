//! Server functions: the pages' door into the engine. Each one parses its
//! form, calls one flow and renders the flow's error for the page.

#[cfg(feature = "ssr")]
pub mod session;
