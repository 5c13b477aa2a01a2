//! A token bucket per client: in Redis when configured (shared by every instance), in process
//! otherwise. A client is its token's subject, or its IP address when anonymous.
//!
//! With Redis, an instance takes a few tokens at a time (a lease: a tenth of the burst, at most
//! 50, held for at most a second) and spends them locally, so that a busy client costs one Redis
//! round trip per lease rather than per request; the lease is renewed when half is spent. The
//! shared bucket stays the authority (every leased token is taken from it); a client can get
//! ahead of it by at most the tokens one instance holds, a lease and a half.

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

impl RatePlan {
    /// The plan as the IETF draft's `RateLimit-Policy` field (draft-ietf-httpapi-ratelimit-headers):
    /// `q` requests in a window of `w` seconds, the time an empty allowance takes to fill again.
    pub fn policy_header(&self) -> String {
        let window = (f64::from(self.burst.max(1)) / self.per_second.max(0.001)).ceil();
        format!("\"burst\";q={};w={}", self.burst.max(1), window.max(1.0))
    }

    /// The `RateLimit` field of a refused request: nothing left, and the seconds until a request
    /// is allowed again.
    pub fn exhausted_header(wait_seconds: u64) -> String {
        format!("\"burst\";r=0;t={wait_seconds}")
    }
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

    /// The plan of a client without one of its own.
    pub fn plan(&self) -> RatePlan {
        self.plan
    }

    /// Takes one token for `client`; `Err(wait)` when none is left. Redis unreachable: allowed
    /// (and logged) rather than refusing everyone.
    pub async fn take(&self, client: &str) -> Result<(), Duration> {
        self.take_with(client, self.plan).await
    }

    /// As [`RateLimiter::take`], for a client with a plan of its own (a partner's).
    pub async fn take_with(&self, client: &str, plan: RatePlan) -> Result<(), Duration> {
        let RatePlan { burst, per_second } = plan;
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
                let lease = (burst / 10).clamp(1, 50);
                let ask = || async {
                    let mut m = manager.connection().await;
                    script
                        .key(format!("{}:rate:{client}", self.namespace))
                        .arg(capacity)
                        .arg(rate)
                        .arg(lease)
                        .invoke_async::<(u32, u64)>(&mut m)
                        .await
                };
                match spend_lease(leases, client, lease) {
                    Spent::Enough => return Ok(()),
                    // Renewed while half is left, so that concurrent requests seldom all find
                    // the lease empty and all go to Redis at once.
                    Spent::Renew => {
                        if let Ok((granted, _)) = ask().await {
                            add_lease(leases, client, granted);
                        }
                        return Ok(());
                    }
                    Spent::None => {}
                }
                match ask().await {
                    Ok((0, wait_ms)) => Err(Duration::from_millis(wait_ms.max(1))),
                    Ok((granted, _)) => {
                        add_lease(leases, client, granted - 1);
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

/// What spending a leased token found.
#[derive(Debug, PartialEq, Eq)]
enum Spent {
    /// No fresh token: ask the shared bucket.
    None,
    Enough,
    /// Spent, and half the lease is gone: renew it.
    Renew,
}

/// Spends one leased token of `client`'s, if it holds a fresh one.
fn spend_lease(leases: &Leases, client: &str, lease: u32) -> Spent {
    let Ok(mut map) = leases.lock() else {
        return Spent::None;
    };
    match map.get_mut(client) {
        Some((left, at)) if *left > 0 && at.elapsed() < LEASE_TTL => {
            *left -= 1;
            if lease >= 2 && *left == lease / 2 {
                Spent::Renew
            } else {
                Spent::Enough
            }
        }
        _ => Spent::None,
    }
}

/// Adds tokens taken from the shared bucket to `client`'s fresh lease (or starts one).
fn add_lease(leases: &Leases, client: &str, tokens: u32) {
    let Ok(mut map) = leases.lock() else {
        return;
    };
    if map.len() > 10_000 {
        map.retain(|_, (_, at)| at.elapsed() < LEASE_TTL);
    }
    let (left, at) = map.entry(client.to_owned()).or_insert((0, Instant::now()));
    if at.elapsed() >= LEASE_TTL {
        *left = 0;
    }
    *left += tokens;
    *at = Instant::now();
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

    #[test]
    fn a_lease_is_renewed_once_when_half_is_spent_and_renewals_add_up() {
        let leases = Leases::default();
        assert_eq!(spend_lease(&leases, "a", 10), Spent::None);
        add_lease(&leases, "a", 9);
        let spent: Vec<Spent> = (0..9).map(|_| spend_lease(&leases, "a", 10)).collect();
        assert_eq!(spent.iter().filter(|s| **s == Spent::Renew).count(), 1);
        assert_eq!(spent[3], Spent::Renew, "9 → 5 left after four");
        assert_eq!(spend_lease(&leases, "a", 10), Spent::None);
        add_lease(&leases, "a", 2);
        add_lease(&leases, "a", 2);
        assert_eq!(
            (0..5)
                .map(|_| spend_lease(&leases, "a", 10))
                .filter(|s| *s != Spent::None)
                .count(),
            4
        );
    }
}
