//! A token bucket per client: in Redis when configured (shared by every instance), in process
//! otherwise. A client is its token's subject, or its IP address when anonymous.

use redis::Script;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Requests a client may make at once, and how fast its allowance refills.
#[derive(Debug, Clone, Copy)]
pub struct RatePlan {
    pub burst: u32,
    pub per_second: f64,
}

/// Atomic in Redis; Redis's own clock, so instances need not agree on the time.
const BUCKET: &str = r"
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2]) / 1000
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or capacity
local at = tonumber(b[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 1000)
return wait
";

#[derive(Clone)]
enum Backend {
    InProcess(Arc<Mutex<HashMap<String, (f64, Instant)>>>),
    Redis(redis::aio::ConnectionManager, Arc<Script>),
}

#[derive(Clone)]
pub struct RateLimiter {
    backend: Backend,
    plan: RatePlan,
    namespace: String,
}

impl RateLimiter {
    pub fn in_process(plan: RatePlan, namespace: &str) -> Self {
        RateLimiter {
            backend: Backend::InProcess(Arc::default()),
            plan,
            namespace: namespace.to_owned(),
        }
    }

    pub fn redis(manager: redis::aio::ConnectionManager, plan: RatePlan, namespace: &str) -> Self {
        RateLimiter {
            backend: Backend::Redis(manager, Arc::new(Script::new(BUCKET))),
            plan,
            namespace: namespace.to_owned(),
        }
    }

    /// Takes one token for `client`; `Err(wait)` when none is left. Redis unreachable: allowed
    /// (and logged) rather than refusing everyone.
    pub async fn take(&self, client: &str) -> Result<(), Duration> {
        let RatePlan { burst, per_second } = self.plan;
        let capacity = f64::from(burst.max(1));
        let rate = per_second.max(0.001);
        match &self.backend {
            Backend::InProcess(buckets) => {
                let Ok(mut map) = buckets.lock() else {
                    return Ok(());
                };
                let now = Instant::now();
                let (tokens, at) = map.entry(client.to_owned()).or_insert((capacity, now));
                *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(capacity);
                *at = now;
                if *tokens >= 1.0 {
                    *tokens -= 1.0;
                    Ok(())
                } else {
                    Err(Duration::from_secs_f64((1.0 - *tokens) / rate))
                }
            }
            Backend::Redis(manager, script) => {
                let mut m = manager.clone();
                let key = format!("{}:rate:{client}", self.namespace);
                match script
                    .key(key)
                    .arg(capacity)
                    .arg(rate)
                    .invoke_async::<u64>(&mut m)
                    .await
                {
                    Ok(0) => Ok(()),
                    Ok(wait_ms) => Err(Duration::from_millis(wait_ms)),
                    Err(e) => {
                        tracing::warn!(error = %e, "rate limit unavailable; request allowed");
                        Ok(())
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bucket_empties_and_refills() {
        let limiter = RateLimiter::in_process(
            RatePlan {
                burst: 2,
                per_second: 20.0,
            },
            "t",
        );
        assert!(limiter.take("a").await.is_ok());
        assert!(limiter.take("a").await.is_ok());
        let wait = limiter.take("a").await.unwrap_err();
        assert!(wait <= Duration::from_millis(60), "{wait:?}");
        assert!(
            limiter.take("b").await.is_ok(),
            "clients have their own buckets"
        );
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert!(limiter.take("a").await.is_ok());
    }
}
