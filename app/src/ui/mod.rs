//! Leptos pages and components.

pub mod app;
pub mod pages;
