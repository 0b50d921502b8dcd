//! Leptos pages and components.

pub mod app;
pub mod components;
pub mod pages;
