//! The public profile directory for the pages (see
//! `core::flows::directory`).

use crate::shared::profile::{DirectoryPage, PublicProfile};
use leptos::prelude::*;

/// What a directory page shows: the entries, or why there are none.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Listing<T> {
    Found(T),
    /// The directory is for members and no one is signed in.
    SignInFirst,
    #[default]
    NotFound,
}

#[cfg(feature = "ssr")]
fn listing<T>(result: Result<T, crate::core::FlowError>) -> Result<Listing<T>, ServerFnError> {
    use crate::core::FlowError;
    match result {
        Ok(found) => Ok(Listing::Found(found)),
        Err(FlowError::Unauthenticated) => Ok(Listing::SignInFirst),
        Err(FlowError::NotFound) => {
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                res.set_status(axum::http::StatusCode::NOT_FOUND);
            }
            Ok(Listing::NotFound)
        }
        Err(e) => Err(ServerFnError::ServerError(format!("{e}"))),
    }
}

#[server(prefix = "/fn", endpoint = "list_people")]
pub async fn list_people(page: u64) -> Result<Listing<DirectoryPage>, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let viewer = forms::current_user(&engine).await?.map(|(u, _)| u);
    listing(engine.directory(viewer.as_ref(), page).await)
}

#[server(prefix = "/fn", endpoint = "show_person")]
pub async fn show_person(username: String) -> Result<Listing<PublicProfile>, ServerFnError> {
    use super::forms;
    let engine = forms::engine()?;
    let viewer = forms::current_user(&engine).await?.map(|(u, _)| u);
    listing(engine.public_profile(viewer.as_ref(), &username).await)
}
