//! Types that compile both on the server and in the browser (wasm).

pub mod admin;
pub mod errors;
pub mod forms;
pub mod profile;
pub mod routes;
pub mod site;
pub mod user;
