//! Redis connections for the request path, one per HTTP worker thread. A connection's driver runs
//! on the runtime that made it; made once at start, it would run on the main runtime, and every
//! cache or rate-limit command of a request would cross threads twice. Elsewhere (the main runtime,
//! tests) the shared connection serves.

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

thread_local! {
    /// Per server (several run in one test process), this thread's connection.
    static CONNECTIONS: RefCell<HashMap<usize, ConnectionManager>> = RefCell::new(HashMap::new());
}

/// Timeouts short enough that a Redis outage costs a request little.
pub fn config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(Duration::from_secs(2)))
        .set_number_of_retries(1)
}

#[derive(Clone)]
pub struct WorkerRedis {
    client: redis::Client,
    shared: ConnectionManager,
    /// Tells this server's connections from another's in the same thread-local map.
    owner: Arc<()>,
}

impl WorkerRedis {
    pub fn new(client: redis::Client, shared: ConnectionManager) -> Self {
        WorkerRedis {
            client,
            shared,
            owner: Arc::new(()),
        }
    }

    /// The connection made at start (the pub/sub listener and the main runtime use it).
    pub fn shared(&self) -> ConnectionManager {
        self.shared.clone()
    }

    /// This thread's connection on a worker thread, the shared one elsewhere.
    pub async fn connection(&self) -> ConnectionManager {
        let on_worker = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread);
        if !on_worker {
            return self.shared.clone();
        }
        let key = Arc::as_ptr(&self.owner) as usize;
        if let Some(c) = CONNECTIONS.with(|m| m.borrow().get(&key).cloned()) {
            return c;
        }
        match ConnectionManager::new_with_config(self.client.clone(), config()).await {
            Ok(c) => {
                CONNECTIONS.with(|m| m.borrow_mut().insert(key, c.clone()));
                c
            }
            Err(e) => {
                tracing::warn!(error = %e, "no Redis connection for this worker; using the shared one");
                self.shared.clone()
            }
        }
    }
}
