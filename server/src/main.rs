//! `latchkey`: serve the pages and the JSON API, or run a maintenance command.
//!
//! - `latchkey` (or `latchkey serve`): serve.
//! - `latchkey import-users FILE.csv [--emails-verified]`: import Django's `auth_user` export.
//! - `latchkey create-admin [--username U] [--email E] [--no-input]`: a staff account.
//! - `latchkey email-preview [KIND] [--html | --text] [--out DIR]`: an email rendered with example values.

use server::{settings::Settings, startup, telemetry};

const USAGE: &str = "usage: latchkey [serve] | latchkey import-users FILE.csv [--emails-verified] \
                     | latchkey create-admin [--username U] [--email E] [--no-input] \
                     | latchkey email-preview [KIND] [--html | --text] [--out DIR]";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let settings = Settings::load()?;
    match args.first().map(String::as_str) {
        None | Some("serve") => {
            let app = startup::Application::build(settings).await?;
            tracing::info!("Latchkey listening on http://{}", app.address());
            app.run_until_stopped().await
        }
        Some("import-users") => {
            let Some(path) = args.get(1) else { anyhow::bail!(USAGE) };
            let verified = args.iter().any(|a| a == "--emails-verified");
            let engine = startup::engine(&settings, app::core::Clock::system()).await?;
            let report = server::import::run(&engine, std::path::Path::new(path), verified).await?;
            println!(
                "imported {} users; {} already existed; {} rejected",
                report.created,
                report.existing,
                report.rejected.len()
            );
            for r in &report.rejected {
                println!("  rejected {r}");
            }
            Ok(())
        }
        Some("create-admin") => {
            let parsed = server::create_admin::Args::parse(&args[1..])?;
            let engine = startup::engine(&settings, app::core::Clock::system()).await?;
            let id = server::create_admin::run(&engine, parsed).await?;
            println!("staff account {id} created");
            Ok(())
        }
        Some("email-preview") => {
            print!("{}", server::email_preview::run(&settings, &args[1..])?);
            Ok(())
        }
        Some(other) => anyhow::bail!("unknown command {other:?}\n{USAGE}"),
    }
}
