//! Wiring: store, cache, calendar, verifier, schema and HTTP server.

use crate::config::Settings;
use actix_web::{App, HttpServer, middleware, web};
use anyhow::Context;
use api::auth::Verifier;
use api::cache::{Cache, Change};
use api::events::Events;
use api::http::{AppState, configure, request_id};
use api::rate_limit::{RateLimiter, RatePlan};
use api::{Clock, Services, schema_builder};
use persistence::Policy;
use persistence::Store;
use std::net::TcpListener;
use std::time::Duration;

/// Opens the database and applies pending migrations.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let url = settings.database_url.clone();
    let pool_size = settings.pool_size;
    let calendar_file = settings.calendar_file.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Store> {
        let store = Store::connect(&url, pool_size)?;
        let applied = store.migrate()?;
        if applied > 0 {
            tracing::info!(
                applied,
                backend = store.backend().as_str(),
                "migrations applied"
            );
        }
        // Years the database lacks; one it holds (loaded by the credit office) is kept.
        if let Some(path) = calendar_file {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading calendar {path}"))?;
            store.install_calendar(&text, &format!("file:{path}"))?;
        }
        Ok(store)
    })
    .await?
}

pub async fn build_services(settings: &Settings, store: Store) -> anyhow::Result<Services> {
    let cache = match &settings.redis_url {
        Some(url) => Cache::redis(url, &settings.cache_namespace)
            .await
            .map_err(anyhow::Error::msg)?,
        None => Cache::in_process(&settings.cache_namespace),
    };
    let policy = Policy {
        acknowledge_working_days: settings.acknowledge_working_days,
        search_window: settings.search_window,
        ..store.policy().clone()
    };
    let store = store.with_policy(policy);
    let plan = RatePlan {
        burst: settings.rate_limit_burst,
        per_second: settings.rate_limit_per_second,
    };
    let limiter = match cache.redis_connections() {
        Some(m) => RateLimiter::redis(m, plan, &settings.cache_namespace),
        None => RateLimiter::in_process(plan, &settings.cache_namespace),
    };
    Ok(Services {
        store,
        cache,
        clock: Clock::default(),
        events: Events::default(),
        limiter,
        reports: settings.report_signer()?,
        usage: api::usage::UsageCounter::default(),
        metrics: std::sync::Arc::new(api::metrics::Metrics::new()?),
    })
}

/// The expiry sweep, every `interval`: entries past their end are stored as expired, their open
/// dispatches cancelled, the implementers told and cached views dropped. On PostgreSQL only one
/// instance runs each sweep.
pub async fn sweep_loop(services: Services, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let store = services.store.clone();
        let today = services.today();
        let swept = tokio::task::spawn_blocking(move || store.sweep_expired(today)).await;
        services.metrics.sweep_ran(matches!(swept, Ok(Ok(_))));
        match swept {
            Ok(Ok(report)) if report.expired_entries > 0 => {
                tracing::info!(
                    expired = report.expired_entries,
                    cancelled = report.ended.cancelled.len(),
                    lifts = report.ended.lifts.len(),
                    "expiry sweep"
                );
                services.events.publish_ended(&report.ended);
                let tags = report
                    .subject_codes
                    .iter()
                    .map(|c| api::cache::subject_code_tag(c))
                    .collect();
                services.cache.invalidate(&Change::Subjects(tags)).await;
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::error!(error = %e, "expiry sweep failed; it runs again at the next tick")
            }
            Err(e) => tracing::error!(error = %e, "expiry sweep task failed"),
        }
        // Deadlines written by an instance whose calendar was behind a load.
        let store = services.store.clone();
        match tokio::task::spawn_blocking(move || store.fill_pending_deadlines()).await {
            Ok(Ok(filled)) if filled.total() > 0 => {
                tracing::info!(filled = filled.total(), "deadlines filled in");
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::error!(error = %e, "filling deadlines failed; retried next tick")
            }
            Err(e) => tracing::error!(error = %e, "deadline task failed"),
        }
    }
}

/// Every `interval`: reads the working-day calendar again if another instance or process loaded
/// a year, and then fills the deadlines that waited for it and drops cached answers computed
/// without it; and warns at start and once a day while the calendar runs out within 45 days.
pub async fn calendar_loop(services: Services, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut warned_on = None;
    loop {
        ticker.tick().await;
        let store = services.store.clone();
        let refreshed = tokio::task::spawn_blocking(move || {
            let changed = store.refresh_calendar()?;
            let filled = if changed {
                store.fill_pending_deadlines()?.total()
            } else {
                0
            };
            Ok::<_, persistence::StoreError>((changed, filled))
        })
        .await;
        match refreshed {
            Ok(Ok((true, filled))) => {
                tracing::info!(filled, "working-day calendar reloaded");
                services.cache.invalidate(&Change::Everything).await;
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "working-day calendar not re-read; retrying"),
            Err(e) => tracing::error!(error = %e, "calendar task failed"),
        }
        let today = services.today();
        let calendar = services.calendar();
        if calendar.running_out(today) && warned_on != Some(today) {
            warned_on = Some(today);
            tracing::warn!(
                days_left = calendar.days_left(today),
                last_day = ?calendar.covered_until(today),
                missing_year = calendar.first_missing_year(today),
                "the working-day calendar runs out soon: load the next year's notice (xinyong calendar load FILE, or the loadWorkingCalendar mutation); deadlines past it stay empty until then"
            );
        }
    }
}

/// A server bound to its port, not yet running.
pub struct Application {
    port: u16,
    server: actix_web::dev::Server,
}

impl Application {
    /// Binds the server; `demo_tokens` are offered in GraphiQL (a demonstration's, else none).
    pub async fn build(
        settings: &Settings,
        services: Services,
        demo_tokens: Vec<api::http::DemoToken>,
    ) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("binding {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let verifier = Verifier::new(&settings.jwt()?)?;
        let limits = api::graphql::limits::RequestLimits {
            query_budget: Duration::from_millis(settings.query_budget_ms.max(1)),
        };
        let mut builder = schema_builder(limits).data(services.clone());
        if !settings.introspection {
            // Suggestions would tell the schema's field names to whoever guesses near them.
            builder = builder.disable_introspection().disable_suggestions();
        }
        let schema = builder.finish();
        let services_for_sweep = services.clone();
        let state = web::Data::new(AppState {
            schema,
            verifier,
            services,
            origins: settings.allowed_origins(),
            demo_tokens,
        });
        let body_timeout = Duration::from_millis(settings.body_timeout_ms.max(1));
        let origins = settings.allowed_origins();
        let mut server = HttpServer::new(move || {
            // Innermost first: the body read within its limits; CORS; every error as JSON (also
            // a refused preflight); compression; the access log; the request id on everything.
            App::new()
                .app_data(state.clone())
                .wrap(middleware::from_fn(api::http::limit_body))
                .app_data(web::Data::new(api::http::BodyTimeout(body_timeout)))
                .wrap(origins.middleware())
                .wrap(middleware::from_fn(api::http::json_errors))
                .wrap(middleware::Compress::default())
                .wrap(middleware::from_fn(api::http::access_log))
                .wrap(middleware::from_fn(request_id))
                .configure(configure)
        })
        .listen(listener)?;
        if let Some(w) = settings.workers {
            server = server.workers(w.max(1));
        }
        let interval = Duration::from_secs(settings.sweep_interval_seconds.max(1));
        let sender = settings.webhook_sender()?;
        tokio::spawn(api::webhook_sender::run(
            services_for_sweep.store.clone(),
            sender,
            services_for_sweep.metrics.clone(),
        ));
        tokio::spawn(services_for_sweep.usage.clone().flush_loop(
            services_for_sweep.store.clone(),
            Duration::from_millis(settings.partner_usage_flush_ms.max(10)),
        ));
        tokio::spawn(calendar_loop(
            services_for_sweep.clone(),
            Duration::from_millis(settings.calendar_refresh_ms.max(10)),
        ));
        tokio::spawn(sweep_loop(services_for_sweep, interval));
        Ok(Application {
            port,
            server: server.run(),
        })
    }

    /// Stops the server when asked (tests stop theirs when they end).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
