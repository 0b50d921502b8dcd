//! What every handler can reach.

use crate::settings::Settings;
use app::core::Engine;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub settings: Arc<Settings>,
    pub leptos_options: LeptosOptions,
    /// Present when `LATCHKEY_METRICS` is on.
    pub metrics: Option<Arc<crate::metrics::Metrics>>,
    /// The site's static files.
    pub assets: Arc<crate::assets::Assets>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
