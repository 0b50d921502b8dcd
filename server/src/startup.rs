//! Building the application: database, migrations, mailer, engine, router,
//! listener. Tests call `Application::build` with port 0.

use crate::session;
use crate::settings::Settings;
use crate::state::AppState;
use crate::{assets, body_limit, csrf, headers, rest, social, uploads};
use anyhow::Context;
use app::core::email::{Mailer, OutboxMailer, SmtpMailer};
use app::core::{Clock, Engine};
use app::{shell, App};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

pub struct Application {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
    engine: Engine,
    limits: crate::serve::Limits,
}

/// Opens the database (creating a SQLite file's directory) and migrates it.
///
/// # Errors
/// Unreachable database or failed migration.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        let file = path.split('?').next().unwrap_or("");
        if let Some(dir) = std::path::Path::new(file).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(if url.starts_with("sqlite:") {
        app::core::engine::SQLITE_POOL
    } else {
        app::core::engine::POSTGRES_POOL
    })
    .acquire_timeout(Duration::from_secs(5))
    .sqlx_logging(false);
    let db = Database::connect(opts).await.context("connecting to the database")?;
    if url.starts_with("sqlite:") {
        use sea_orm::ConnectionTrait;
        db.execute_unprepared("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;").await?;
    }
    Migrator::up(&db, None).await.context("applying migrations")?;
    Ok(db)
}

fn mailer(settings: &Settings) -> anyhow::Result<Arc<dyn Mailer>> {
    Ok(match &settings.smtp_url {
        Some(url) => Arc::new(SmtpMailer::new(url, &settings.engine.email_from)?),
        None => Arc::new(OutboxMailer::new(settings.outbox_dir.clone(), &settings.engine.email_from)),
    })
}

fn leptos_options(settings: &Settings, addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(std::env::var("LEPTOS_OUTPUT_NAME").unwrap_or_else(|_| "latchkey".into()))
        .site_root(settings.site_root.clone())
        .site_pkg_dir(std::env::var("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|_| "pkg".into()))
        .hash_files(settings.hashed_assets)
        .hash_file(settings.hash_file_name.as_str().into())
        .site_addr(addr)
        .build()
}

/// The whole HTTP surface: JSON API, server functions, pages, static files.
pub fn router(state: AppState) -> Router {
    let engine = state.engine.clone();
    let engine_for_errors = state.engine.clone();
    let brand = state.settings.branding.site.clone();
    let brand_for_errors = brand.clone();
    let sessions =
        session::layer(engine.clone(), state.settings.secure_cookies(), state.settings.engine.session_ttl_secs);
    let options = state.leptos_options.clone();
    let routes = generate_route_list(App);
    let media = tower::ServiceBuilder::new()
        .layer(headers::for_uploads())
        .layer(headers::cache_uploads())
        .service(ServeDir::new(&state.settings.engine.media_dir));
    let avatar_limit = state.settings.engine.avatar_max_bytes + 64 * 1024;
    let https = state.settings.secure_cookies();
    let docs = utoipa_swagger_ui::SwaggerUi::new("/api/docs").url(
        "/api/openapi.json",
        rest::openapi::document(
            &state.settings.engine.profile,
            state.settings.engine.directory != app::core::config::Directory::Off,
        ),
    );
    let mut doors =
        Router::new().nest("/api/auth", rest::router(avatar_limit)).nest("/api/admin", rest::admin::router());
    if let Some(djoser) = &state.settings.djoser {
        doors = doors.nest(&djoser.prefix, rest::djoser::router());
    }
    if let Some(rr) = &state.settings.rest_registration {
        doors = doors.nest(&rr.prefix, rest::rest_registration::router());
    }
    let routes = doors
        .merge(docs)
        .nest_service("/media", media)
        .route("/health", axum::routing::get(crate::health::health))
        .route("/ready", axum::routing::get(crate::health::ready))
        .route("/metrics", axum::routing::get(crate::metrics::scrape))
        .route("/accounts/{provider}/login", axum::routing::get(social::start))
        .route("/accounts/{provider}/login/", axum::routing::get(social::start))
        .route("/accounts/{provider}/login/callback", axum::routing::get(social::callback))
        .route("/accounts/{provider}/login/callback/", axum::routing::get(social::callback))
        .route(app::shared::routes::RECOVERY_CODES_TXT, axum::routing::get(crate::downloads::recovery_codes))
        .route(
            app::shared::routes::AVATAR_UPLOAD,
            axum::routing::post(uploads::avatar).layer(axum::extract::DefaultBodyLimit::max(avatar_limit)),
        )
        .route(
            app::shared::routes::IMAGE_UPLOAD,
            axum::routing::post(uploads::image).layer(axum::extract::DefaultBodyLimit::max(avatar_limit)),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(engine.clone());
                provide_context(brand.clone());
            },
            move || shell(options.clone()),
        )
        .fallback(fallback(engine_for_errors, brand_for_errors, state.leptos_options.clone()))
        // a page render stalled by a Leptos race is started again (see the module)
        .layer(axum::middleware::from_fn(|req, next| {
            crate::stalled_pages::retry(crate::stalled_pages::BUDGET, req, next)
        }));
    // counted by route template only when metrics are on (no cost otherwise)
    let routes = match &state.metrics {
        Some(m) => routes.layer(axum::middleware::from_fn_with_state(m.clone(), crate::metrics::track)),
        None => routes,
    };
    let routes = routes
        .layer(axum::middleware::from_fn(body_limit::server_functions))
        .layer(axum::middleware::from_fn_with_state(state.clone(), csrf::guard))
        .layer(sessions)
        // the site's look is the same for everyone: no session read, no cookie set
        .merge(
            Router::new()
                .route(crate::branding::STYLESHEET, axum::routing::get(crate::branding::stylesheet))
                .route(crate::branding::LOGO, axum::routing::get(crate::branding::logo)),
        )
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(Duration::from_secs(state.settings.body_timeout_secs)))
        // the whole request, however slowly its body drips in
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(state.settings.request_timeout_secs),
        ));
    let routes =
        routes.layer(assets::compression()).layer(axum::middleware::from_fn(assets::no_compression_with_cookies));
    use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
    headers::apply(routes, https)
        .layer(axum::middleware::from_fn(crate::request_id::into_errors))
        .layer(PropagateRequestIdLayer::new(crate::request_id::HEADER))
        .layer(TraceLayer::new_for_http().make_span_with(crate::request_id::span))
        .layer(SetRequestIdLayer::new(crate::request_id::HEADER, MakeRequestUuid))
        .layer(axum::middleware::from_fn(crate::request_id::sanitize))
        .with_state(state)
}

/// What no route answers: a JSON 404 under `/api/`, else a static file
/// (precompressed, cached; see `assets`) or the "Page not found" page
/// (rendered with the engine, like every page; no second look for a file).
fn fallback(
    engine: Engine,
    brand: app::shared::site::Site,
    options: LeptosOptions,
) -> impl Fn(State<AppState>, Request<Body>) -> Pin<Box<dyn Future<Output = Response> + Send>> + Clone + Send + 'static
{
    let pages = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(engine.clone());
            provide_context(brand.clone());
        },
        move || shell(options.clone()),
    );
    move |state: State<AppState>, req: Request<Body>| {
        let pages = pages.clone();
        Box::pin(async move {
            let path = req.uri().path();
            if path == "/api" || path.starts_with("/api/") {
                return rest::not_found().await.into_response();
            }
            let (parts, body) = req.into_parts();
            if let Some(file) = state.assets.serve(&parts).await {
                return file;
            }
            let mut res = pages(Request::from_parts(parts, body)).await;
            // no route took it: "Page not found", unless the page redirected
            if res.status() == axum::http::StatusCode::OK {
                *res.status_mut() = axum::http::StatusCode::NOT_FOUND;
            }
            res
        })
    }
}

/// Accounts made without an address (`LATCHKEY_EMAIL_REQUIRED=false`)
/// sign in by username only and can never verify: settings changed later
/// that would lock them out stop start-up instead.
async fn accounts_stay_reachable(db: &DatabaseConnection, cfg: &app::core::EngineConfig) -> anyhow::Result<()> {
    use app::core::config::{LoginMethod, UsernameMode, VerificationMode};
    let locked_out = cfg.verification != VerificationMode::None
        || cfg.username != UsernameMode::Required
        || cfg.login_method == LoginMethod::Email;
    if !locked_out {
        return Ok(());
    }
    let n = app::core::repo::users::count_without_address(db).await?;
    if n > 0 {
        anyhow::bail!(
            "{n} account(s) have no email address (made with LATCHKEY_EMAIL_REQUIRED=false): they sign in by username \
             and cannot verify, so they need LATCHKEY_EMAIL_VERIFICATION=none, LATCHKEY_USERNAME=required and a \
             username login; give them addresses first to change these"
        );
    }
    Ok(())
}

/// The engine on the configured database (migrated) and mailer, reading
/// the time from `clock`.
///
/// # Errors
/// Database or mailer set-up failures.
pub async fn engine(settings: &Settings, clock: Clock) -> anyhow::Result<Engine> {
    let db = connect(&settings.database_url).await?;
    accounts_stay_reachable(&db, &settings.engine).await?;
    let threads = std::thread::available_parallelism().map(usize::from).unwrap_or(2);
    Engine::new(db, settings.engine.clone(), mailer(settings)?, threads, clock)
}

impl Application {
    /// # Errors
    /// Database, mailer or socket set-up failures.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Clock::system()).await
    }

    /// [`Application::build`] with a clock of the caller's (tests move it).
    ///
    /// # Errors
    /// Database, mailer or socket set-up failures.
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        let engine = engine(&settings, clock).await?;
        let listener = TcpListener::bind(settings.addr).await.with_context(|| format!("binding {}", settings.addr))?;
        let addr = listener.local_addr()?;
        let leptos_options = leptos_options(&settings, addr);
        let assets =
            Arc::new(assets::Assets::load(&settings, &leptos_options.site_pkg_dir, &leptos_options.output_name)?);
        let metrics = settings.metrics.then(|| crate::metrics::Metrics::new(engine.clone()));
        let state = AppState { engine: engine.clone(), settings: Arc::new(settings), leptos_options, metrics, assets };
        let limits = crate::serve::Limits {
            header_timeout: Duration::from_secs(state.settings.header_timeout_secs),
            max_connections: state.settings.max_connections,
        };
        Ok(Self { listener, router: router(state), addr, engine, limits })
    }

    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// The engine behind the server (tests inspect and drive it).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Serves until Ctrl-C / SIGTERM. The background work (outbox worker,
    /// account-change listener, housekeeping) runs inside this future too,
    /// so stopping the server stops all of it.
    ///
    /// # Errors
    /// Socket failures.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let serve = crate::serve::serve(self.listener, self.router, self.limits, shutdown_signal());
        tokio::select! {
            r = serve => r.context("serving"),
            () = self.engine.clone().run_outbox_worker() => Ok(()),
            () = self.engine.clone().run_webhook_worker() => Ok(()),
            () = self.engine.clone().run_account_listener() => Ok(()),
            () = self.engine.run_janitor() => Ok(()),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
