//! `latchkey`: serve the pages and the JSON API.

use server::{settings::Settings, startup::Application, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let settings = Settings::load()?;
    let app = Application::build(settings).await?;
    tracing::info!("Latchkey listening on http://{}", app.address());
    app.run_until_stopped().await
}
