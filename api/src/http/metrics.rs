//! `/metrics` in Prometheus's text format: what [`crate::metrics::Metrics`] counted, and readings
//! taken now of the database, the cache, the webhook outbox and the calendar.

use super::AppState;
use crate::metrics::{counter, gauge, histogram};
use actix_web::{HttpResponse, web};
use std::time::Duration;

/// How long a scrape waits for Redis to answer a PING before reporting it down: a frozen Redis
/// must not hold the scrape.
const REDIS_PING_BUDGET: Duration = Duration::from_millis(500);

pub(super) async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let services = &state.services;
    // The outbox is read for this answer: its statements are the scrape's own and left out of the
    // count, so that two scrapes around a request show what the request cost.
    let before = services.store.queries_sent();
    let backlog = services.run(|store| store.webhook_backlog()).await.ok();
    let own = services.store.queries_sent().saturating_sub(before);
    let scrapes = services.metrics.scrape_statements(own);
    let (statements, pool) = (services.store.statement_times(), services.store.pool_use());
    let cache = &services.cache;
    let (hits, misses, invalidations) = cache.counts();
    let local_hits = cache.local_hits();
    let redis_up = match cache.kind() {
        "redis" => Some(matches!(
            tokio::time::timeout(REDIS_PING_BUDGET, cache.ping()).await,
            Ok(Ok(()))
        )),
        _ => None,
    };
    let days_left = services.calendar().days_left(services.today());
    let mut readings = vec![
        counter(
            "xinyong_database_queries_total",
            "SQL statements sent to the database (those /metrics sends for itself left out).",
            statements.started.saturating_sub(scrapes),
        ),
        Some(histogram(
            "xinyong_database_statement_duration_seconds",
            "Time from sending an SQL statement to its result.",
            &persistence::STATEMENT_BUCKETS,
            &statements.cumulative,
            statements.finished,
            statements.seconds,
        )),
        gauge(
            "xinyong_database_pool_connections",
            "Database connections in the pool, by state (in_use, idle).",
            Some("state"),
            &[
                ("in_use", f64::from(pool.open.saturating_sub(pool.idle))),
                ("idle", f64::from(pool.idle)),
            ],
        ),
        gauge(
            "xinyong_database_pool_waiting",
            "Requests waiting now for a database connection.",
            None,
            &[("", pool.waiting as f64)],
        ),
        counter(
            "xinyong_answer_cache_hits_total",
            "Public answers served from the cache (both layers).",
            hits,
        ),
        gauge(
            "xinyong_answer_cache_hits_by_layer",
            "Public answers served from the cache since start, by layer (local: in process; redis).",
            Some("layer"),
            &[
                ("local", local_hits as f64),
                ("redis", hits.saturating_sub(local_hits) as f64),
            ],
        ),
        counter(
            "xinyong_answer_cache_misses_total",
            "Public answers computed.",
            misses,
        ),
        counter(
            "xinyong_answer_cache_invalidations_total",
            "Changes that dropped cached answers.",
            invalidations,
        ),
        counter(
            "xinyong_answer_cache_shared_reads_skipped_total",
            "In-process misses that went to the database without asking Redis (Redis was not paying).",
            cache.shared_reads_skipped(),
        ),
        gauge(
            "xinyong_calendar_days_left",
            "Days from today to the last day of the working-day calendar (load the next year before it reaches 0).",
            None,
            &[("", days_left as f64)],
        ),
    ];
    if let Some(up) = redis_up {
        readings.push(gauge(
            "xinyong_redis_up",
            "Whether Redis answered a PING within 500 ms at this scrape (1) or not (0).",
            None,
            &[("", if up { 1.0 } else { 0.0 })],
        ));
    }
    if let Some((pending, dead)) = backlog {
        readings.push(gauge(
            "xinyong_webhook_deliveries",
            "Webhook deliveries in the outbox, by status (pending: owed; dead: given up, until replayed).",
            Some("status"),
            &[("pending", pending as f64), ("dead", dead as f64)],
        ));
    }
    let body = services
        .metrics
        .render(readings.into_iter().flatten().collect());
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body)
}
