//! Latchkey's application crate: the shared wire types, the Leptos pages and
//! server functions, and (behind the `ssr` feature) the domain engine.
#![recursion_limit = "256"]

pub mod api;
pub mod shared;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod core;
/// Each client contract's words for the engine's codes.
#[cfg(feature = "ssr")]
pub mod dialects;

pub use ui::app::{shell, App};
