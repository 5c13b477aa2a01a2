//! `/metrics` in Prometheus's text format.

use super::AppState;
use actix_web::{HttpResponse, web};

/// Counters in Prometheus's text format.
pub(super) async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let queries = state.services.store.queries_sent();
    let (hits, misses, invalidations) = state.services.cache.counts();
    let mut out = String::new();
    for (name, help, value) in [
        (
            "xinyong_database_queries_total",
            "SQL statements sent to the database.",
            queries,
        ),
        (
            "xinyong_answer_cache_hits_total",
            "Public answers served from the cache.",
            hits,
        ),
        (
            "xinyong_answer_cache_misses_total",
            "Public answers computed.",
            misses,
        ),
        (
            "xinyong_answer_cache_invalidations_total",
            "Changes that dropped cached answers.",
            invalidations,
        ),
        (
            "xinyong_answer_cache_shared_reads_skipped_total",
            "In-process misses that went to the database without asking Redis (Redis was not paying).",
            state.services.cache.shared_reads_skipped(),
        ),
    ] {
        out.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
        ));
    }
    let days_left = state.services.calendar().days_left(state.services.today());
    out.push_str(&format!(
        "# HELP xinyong_calendar_days_left Days from today to the last day of the working-day calendar (load the next year before it reaches 0).\n# TYPE xinyong_calendar_days_left gauge\nxinyong_calendar_days_left {days_left}\n"
    ));
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(out)
}
