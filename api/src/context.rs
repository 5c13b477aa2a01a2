//! What resolvers reach through the GraphQL context.

use crate::cache::Cache;
use crate::error::{ApiError, GqlResult};
use crate::events::Events;
use chrono::NaiveDate;
use domain::{Principal, WorkingDayCalendar};
use persistence::{Store, StoreError};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// What "today" is. The system clock, shifted by whole days only where a test asks, so that a
/// listing can be seen to expire without waiting for it.
#[derive(Clone, Default)]
pub struct Clock {
    offset_days: Arc<AtomicI64>,
}

impl Clock {
    /// Today in China, the day statuses, publicity and deadlines are read on.
    pub fn today(&self) -> NaiveDate {
        let today = domain::time::china_date(chrono::Utc::now());
        let offset = self.offset_days.load(Ordering::Relaxed);
        today
            .checked_add_signed(chrono::Duration::days(offset))
            .unwrap_or(today)
    }

    /// Moves today forward (tests only: no route or setting reaches it).
    pub fn advance_days(&self, days: i64) {
        self.offset_days.fetch_add(days, Ordering::Relaxed);
    }
}

/// Shared by all requests: built once at start.
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub cache: Cache,
    pub clock: Clock,
    pub events: Events,
    pub limiter: crate::rate_limit::RateLimiter,
    /// Signs credit reports.
    pub reports: crate::report_signing::ReportSigner,
    /// Partners' requests, counted per day.
    pub usage: crate::usage::UsageCounter,
    /// What `/metrics` counts.
    pub metrics: Arc<crate::metrics::Metrics>,
}

impl Services {
    /// Today in China, the day statuses and publicity are read on.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// The working-day calendar as this instance last read it from the database.
    pub fn calendar(&self) -> Arc<WorkingDayCalendar> {
        self.store.calendar()
    }

    /// Runs blocking store work off the async workers, inside the current tracing span.
    pub async fn run<T, F>(&self, f: F) -> async_graphql::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        let store = self.store.clone();
        let span = tracing::Span::current();
        match tokio::task::spawn_blocking(move || span.in_scope(|| f(&store))).await {
            Ok(result) => result.gql(),
            Err(e) => {
                tracing::error!(error = %e, "store task failed");
                Err(ApiError::internal().into_graphql())
            }
        }
    }
}

/// One request's caller.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub principal: Principal,
    pub request_id: String,
    /// The request's variables as JSON, for the audit trail's digest.
    pub variables: String,
}
