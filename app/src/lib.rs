//! Latchkey's application crate: the shared wire types, the Leptos pages and
//! server functions, and (behind the `ssr` feature) the domain engine.
#![recursion_limit = "256"]

pub mod api;
pub mod shared;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod core;

pub use ui::app::{shell, App};
