//! Liveness, readiness and the report signing keys.

use super::AppState;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde_json::json;

/// Where the public key that signs credit reports is served (a JSON Web Key Set).
pub const REPORT_KEYS_PATH: &str = "/.well-known/xinyong-report-keys.json";

pub(super) async fn report_keys(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .json(state.services.reports.verifier().jwks())
}

pub(super) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

pub(super) async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let store = state.services.store.clone();
    let backend = store.backend().as_str();
    let database = match web::block(move || store.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let cache = state.services.cache.ping().await;
    if let Err(e) = &database {
        tracing::error!(error = %e, "readiness: database unreachable");
    }
    if let Err(e) = &cache {
        tracing::error!(error = %e, "readiness: cache unavailable; answering from the database");
    }
    let today = state.services.today();
    let calendar = state.services.calendar();
    let days_left = calendar.days_left(today);
    let calendar_ok = !calendar.running_out(today);
    // Without its cache the server still answers rightly, only slower; with its calendar running
    // out, deadlines soon come back empty: degraded, not unready.
    let status = match (&database, &cache) {
        (Err(_), _) => "unavailable",
        (Ok(()), Err(_)) => "degraded",
        (Ok(()), Ok(())) if !calendar_ok => "degraded",
        (Ok(()), Ok(())) => "ready",
    };
    let body = json!({
        "status": status,
        "database": { "backend": backend, "ok": database.is_ok() },
        "cache": { "kind": state.services.cache.kind(), "ok": cache.is_ok(), "error": cache.err() },
        "calendar": {
            "ok": calendar_ok,
            "lastDay": calendar.covered_until(today).map(|d| d.to_string()),
            "daysLeft": days_left,
            "nextMissingYear": calendar.first_missing_year(today),
        },
    });
    if database.is_ok() {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
