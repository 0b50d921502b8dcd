//! Types that compile both on the server and in the browser (wasm).

pub mod admin;
pub mod errors;
pub mod forms;
pub mod routes;
pub mod user;
