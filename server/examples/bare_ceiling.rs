//! The ceiling for `make bench`: an axum JSON handler with nothing behind it,
//! run as its own process like `latchkey`, so both share the machine with
//! the load generator in the same way. Prints its address, then serves.

use axum::{routing::get, Json, Router};
use serde_json::json;

#[tokio::main]
async fn main() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    println!("{}", listener.local_addr().expect("addr"));
    let app = Router::new().route("/", get(|| async { Json(json!({"pk": 1, "username": "bench"})) }));
    axum::serve(listener, app).await.expect("serve");
}
