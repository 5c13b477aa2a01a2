//! What resolvers reach through the GraphQL context.

use crate::cache::Cache;
use crate::error::{ApiError, GqlResult};
use chrono::NaiveDate;
use domain::{Principal, WorkingDayCalendar};
use persistence::{Store, StoreError};
use std::sync::Arc;

/// Shared by all requests: built once at start.
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub cache: Cache,
    pub calendar: Arc<WorkingDayCalendar>,
}

impl Services {
    /// Today in China, the day statuses and publicity are read on.
    pub fn today(&self) -> NaiveDate {
        domain::time::china_date(chrono::Utc::now())
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
}
