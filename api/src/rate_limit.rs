//! A token bucket per client: in Redis when configured (shared by every instance), in process
//! otherwise. A client is its token's subject, or its IP address when anonymous.
//!
//! With Redis, an instance takes a few tokens at a time (a lease: a tenth of the burst, at most
//! 50, held for at most a second) and spends them locally, so that a busy client costs one Redis
//! round trip per lease rather than per request. The shared bucket stays the authority; a client
//! can get ahead of it by at most one lease per instance.

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

/// Atomic in Redis; Redis's own clock, so instances need not agree on the time. Takes up to
/// ARGV[3] tokens; returns {tokens granted, milliseconds to wait when none}.
const BUCKET: &str = r"
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2]) / 1000
local want = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or capacity
local at = tonumber(b[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local granted = math.min(want, math.floor(tokens))
local wait = 0
if granted >= 1 then tokens = tokens - granted else granted = 0; wait = math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 1000)
return {granted, wait}
";

/// How long leased tokens may be spent.
const LEASE_TTL: Duration = Duration::from_secs(1);

/// Tokens an instance holds for each client: (left, leased at).
type Leases = Arc<Mutex<HashMap<String, (u32, Instant)>>>;

#[derive(Clone)]
enum Backend {
    InProcess(Arc<Mutex<HashMap<String, (f64, Instant)>>>),
    Redis(crate::worker_redis::WorkerRedis, Arc<Script>, Leases),
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

    pub fn redis(
        manager: crate::worker_redis::WorkerRedis,
        plan: RatePlan,
        namespace: &str,
    ) -> Self {
        RateLimiter {
            backend: Backend::Redis(manager, Arc::new(Script::new(BUCKET)), Leases::default()),
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
            Backend::Redis(manager, script, leases) => {
                if spend_lease(leases, client) {
                    return Ok(());
                }
                let lease = (burst / 10).clamp(1, 50);
                let mut m = manager.connection().await;
                let key = format!("{}:rate:{client}", self.namespace);
                match script
                    .key(key)
                    .arg(capacity)
                    .arg(rate)
                    .arg(lease)
                    .invoke_async::<(u32, u64)>(&mut m)
                    .await
                {
                    Ok((0, wait_ms)) => Err(Duration::from_millis(wait_ms.max(1))),
                    Ok((granted, _)) => {
                        keep_lease(leases, client, granted - 1);
                        Ok(())
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "rate limit unavailable; request allowed");
                        Ok(())
                    }
                }
            }
        }
    }
}

/// Spends one leased token of `client`'s, if it holds a fresh one.
fn spend_lease(leases: &Leases, client: &str) -> bool {
    let Ok(mut map) = leases.lock() else {
        return false;
    };
    match map.get_mut(client) {
        Some((left, at)) if *left > 0 && at.elapsed() < LEASE_TTL => {
            *left -= 1;
            true
        }
        _ => false,
    }
}

fn keep_lease(leases: &Leases, client: &str, left: u32) {
    let Ok(mut map) = leases.lock() else {
        return;
    };
    if map.len() > 10_000 {
        map.retain(|_, (_, at)| at.elapsed() < LEASE_TTL);
    }
    map.insert(client.to_owned(), (left, Instant::now()));
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
