//! The cache of look-ups: Redis when configured, else in process.
//!
//! A cache failure never fails a request: the caller falls back to the database, and the failure
//! is logged and shown by `/readyz`. Keys carry a namespace so that several deployments (or tests)
//! can share one Redis.

use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use std::time::Duration;

/// A safety net only: entries are removed when what they hold changes.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);

#[derive(Clone)]
enum Backend {
    InProcess(moka::sync::Cache<String, String>),
    Redis(ConnectionManager),
}

#[derive(Clone)]
pub struct Cache {
    backend: Backend,
    namespace: String,
}

impl Cache {
    pub fn in_process(namespace: &str) -> Self {
        let store = moka::sync::Cache::builder()
            .max_capacity(100_000)
            .time_to_live(DEFAULT_TTL)
            .build();
        Cache {
            backend: Backend::InProcess(store),
            namespace: namespace.to_owned(),
        }
    }

    /// Connects to Redis; fails when it cannot be reached now (a configured Redis that is missing at
    /// start is a deployment error worth stopping for). Later outages are survived.
    pub async fn redis(url: &str, namespace: &str) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| format!("bad Redis URL: {e}"))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1);
        let manager = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| format!("cannot reach Redis: {e}"))?;
        Ok(Cache {
            backend: Backend::Redis(manager),
            namespace: namespace.to_owned(),
        })
    }

    /// The Redis connection, when the cache is Redis (the rate limiter shares it).
    pub fn redis_manager(&self) -> Option<ConnectionManager> {
        match &self.backend {
            Backend::Redis(m) => Some(m.clone()),
            Backend::InProcess(_) => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self.backend {
            Backend::InProcess(_) => "in-process",
            Backend::Redis(_) => "redis",
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}:{key}", self.namespace)
    }

    pub async fn get(&self, key: &str) -> Option<String> {
        let key = self.key(key);
        match &self.backend {
            Backend::InProcess(c) => c.get(&key),
            Backend::Redis(m) => {
                let mut m = m.clone();
                match m.get::<_, Option<String>>(&key).await {
                    Ok(v) => v,
                    Err(e) => {
                        tracing::warn!(error = %e, "cache read failed; using the database");
                        None
                    }
                }
            }
        }
    }

    pub async fn set(&self, key: &str, value: String) {
        let key = self.key(key);
        match &self.backend {
            Backend::InProcess(c) => c.insert(key, value),
            Backend::Redis(m) => {
                let mut m = m.clone();
                if let Err(e) = m
                    .set_ex::<_, _, ()>(&key, value, DEFAULT_TTL.as_secs())
                    .await
                {
                    tracing::warn!(error = %e, "cache write failed");
                }
            }
        }
    }

    /// Removes keys. A failure here is an error worth logging loudly: a stale answer may remain
    /// until its TTL.
    pub async fn delete(&self, keys: &[String]) {
        let keys: Vec<String> = keys.iter().map(|k| self.key(k)).collect();
        match &self.backend {
            Backend::InProcess(c) => keys.iter().for_each(|k| c.invalidate(k)),
            Backend::Redis(m) => {
                let mut m = m.clone();
                if let Err(e) = m.del::<_, ()>(&keys).await {
                    tracing::error!(error = %e, "cache invalidation failed; stale entries live until their TTL");
                }
            }
        }
    }

    /// Whether the cache answers now.
    pub async fn ping(&self) -> Result<(), String> {
        match &self.backend {
            Backend::InProcess(_) => Ok(()),
            Backend::Redis(m) => {
                let mut m = m.clone();
                redis::cmd("PING")
                    .query_async::<String>(&mut m)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// The key of a subject looked up by its code.
pub fn subject_key(code: &str) -> String {
    format!("subject:code:{code}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn in_process_round_trip_and_delete() {
        let c = Cache::in_process("t");
        c.set("a", "1".into()).await;
        assert_eq!(c.get("a").await.as_deref(), Some("1"));
        c.delete(&["a".into()]).await;
        assert_eq!(c.get("a").await, None);
        assert!(c.ping().await.is_ok());
    }
}
