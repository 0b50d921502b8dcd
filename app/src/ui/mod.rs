//! Leptos pages and components.

pub mod app;
pub mod bundle;
pub mod components;
pub mod pages;
