//! Prometheus metrics at `/metrics` (only with `LATCHKEY_METRICS=true`;
//! `LATCHKEY_METRICS_TOKEN` makes it ask for `Authorization: Bearer <token>`):
//! requests by route template (never a path: a link's key can be in one),
//! method and status; sign-ins that succeeded and failed; the email outbox's
//! and the webhook queue's depth and oldest age; failed webhook attempts.

use crate::state::AppState;
use app::core::Engine;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::Arc;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

/// What the server counts itself; the rest is read at each scrape.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    outbox_pending: Gauge,
    outbox_oldest: Gauge,
    webhooks_pending: Gauge,
    webhooks_oldest: Gauge,
}

/// The engine's own counters, read at each scrape.
struct EngineCounters(Engine);

impl std::fmt::Debug for EngineCounters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EngineCounters")
    }
}

impl Collector for EngineCounters {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let (ok, failed) = self.0.sign_in_counts();
        let counter = ConstCounter::new(0u64);
        let mut family =
            encoder.encode_descriptor("latchkey_sign_ins", "Sign-ins by result", None, counter.metric_type())?;
        for (result, n) in [("ok", ok), ("failed", failed)] {
            ConstCounter::new(n).encode(family.encode_family(&[("result", result)])?)?;
        }
        let failures = ConstCounter::new(self.0.webhook_failures());
        let m = encoder.encode_descriptor(
            "latchkey_webhook_failures",
            "Failed webhook delivery attempts",
            None,
            failures.metric_type(),
        )?;
        failures.encode(m)
    }
}

impl Metrics {
    pub fn new(engine: Engine) -> Arc<Self> {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("latchkey_http_requests", "HTTP requests by route, method and status", requests.clone());
        let gauges = [Gauge::default(), Gauge::default(), Gauge::default(), Gauge::default()];
        let names = [
            ("latchkey_outbox_pending", "Emails not yet delivered"),
            ("latchkey_outbox_oldest_age_seconds", "Age of the oldest undelivered email"),
            ("latchkey_webhooks_pending", "Webhook deliveries not yet made"),
            ("latchkey_webhooks_oldest_age_seconds", "Age of the oldest undelivered webhook"),
        ];
        for ((name, help), g) in names.into_iter().zip(gauges.iter()) {
            registry.register(name, help, g.clone());
        }
        registry.register_collector(Box::new(EngineCounters(engine)));
        let [outbox_pending, outbox_oldest, webhooks_pending, webhooks_oldest] = gauges;
        Arc::new(Self { registry, requests, outbox_pending, outbox_oldest, webhooks_pending, webhooks_oldest })
    }
}

/// Counts every request by its route template.
pub async fn track(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let method = match req.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m.to_owned(),
        _ => "other".to_owned(),
    };
    let res = next.run(req).await;
    metrics.requests.get_or_create(&RequestLabels { route, method, status: res.status().as_u16() }).inc();
    res
}

/// GET `/metrics`: the text exposition format.
pub async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(metrics) = state.metrics.clone() else { return StatusCode::NOT_FOUND.into_response() };
    if let Some(token) = &state.settings.metrics_token {
        use secrecy::ExposeSecret;
        use subtle::ConstantTimeEq;
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !bool::from(given.as_bytes().ct_eq(token.expose_secret().as_bytes())) {
            return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")]).into_response();
        }
    }
    match state.engine.queue_depths().await {
        Ok(q) => {
            metrics.outbox_pending.set(q.outbox_pending as i64);
            metrics.outbox_oldest.set(q.outbox_oldest_age);
            metrics.webhooks_pending.set(q.webhooks_pending as i64);
            metrics.webhooks_oldest.set(q.webhooks_oldest_age);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: queue depths unreadable"),
    }
    let mut body = String::new();
    if prometheus_client::encoding::text::encode(&mut body, &metrics.registry).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], body).into_response()
}
