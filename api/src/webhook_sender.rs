//! Sends what the webhook outbox owes: claims due deliveries, posts each, signed, to its endpoint,
//! and records the attempt. Each delivery runs in its own task under a limit on deliveries in
//! flight, so a slow endpoint holds one slot until its timeout and holds up nothing else; listings
//! only ever wrote a row.

use domain::webhook::{self, RetryPolicy};
use persistence::{AttemptOutcome, DueDelivery, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// How the sender works.
#[derive(Debug, Clone)]
pub struct SenderSettings {
    pub retry: RetryPolicy,
    /// How long an endpoint has to answer.
    pub timeout: Duration,
    /// How often the outbox is read when nothing is due.
    pub poll: Duration,
    /// Deliveries in flight at once.
    pub concurrency: usize,
}

/// Runs until the process ends.
pub async fn run(
    store: Store,
    settings: SenderSettings,
    metrics: std::sync::Arc<crate::metrics::Metrics>,
) {
    let client = match reqwest::Client::builder()
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        // A signed body goes only where the owner said: never on to where a redirect points.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("xinyong-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook sender cannot start: no HTTP client");
            return;
        }
    };
    let slots = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    // Claimed for longer than an attempt can take, so that no other instance sends it meanwhile.
    let lease = settings.timeout * 2 + Duration::from_secs(30);
    loop {
        let Ok(first) = slots.clone().acquire_owned().await else {
            return;
        };
        let free = 1 + slots.available_permits();
        let claimer = store.clone();
        let due =
            match tokio::task::spawn_blocking(move || claimer.claim_due_deliveries(free, lease))
                .await
            {
                Ok(Ok(due)) => due,
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "webhook outbox unreadable; trying again shortly");
                    Vec::new()
                }
                Err(e) => {
                    tracing::error!(error = %e, "webhook outbox task failed");
                    Vec::new()
                }
            };
        if due.is_empty() {
            drop(first);
            tokio::time::sleep(settings.poll).await;
            continue;
        }
        let mut permit = Some(first);
        for delivery in due {
            // Only this loop takes slots, so the ones counted free above are still free.
            let slot = match permit.take() {
                Some(p) => p,
                None => match slots.clone().try_acquire_owned() {
                    Ok(p) => p,
                    Err(_) => break,
                },
            };
            let (client, store, retry) = (client.clone(), store.clone(), settings.retry);
            let metrics = metrics.clone();
            tokio::spawn(async move {
                let outcome = attempt(&client, &delivery).await;
                metrics.webhook_attempted(outcome.succeeded());
                let id = delivery.id.clone();
                let recorded = tokio::task::spawn_blocking(move || {
                    store.record_attempt(&id, &outcome, &retry)
                })
                .await;
                match recorded {
                    Ok(Ok(status)) => {
                        tracing::debug!(delivery = %delivery.id, status = status.as_str(), "webhook attempt")
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(delivery = %delivery.id, error = %e, "webhook attempt not recorded; it is tried again when its lease ends")
                    }
                    Err(e) => tracing::error!(error = %e, "webhook record task failed"),
                }
                drop(slot);
            });
        }
    }
}

/// Posts one delivery: the body as stored, with its event, id, timestamp and signature.
async fn attempt(client: &reqwest::Client, d: &DueDelivery) -> AttemptOutcome {
    let timestamp = chrono::Utc::now().timestamp();
    let signature = webhook::sign(&d.secret, timestamp, &d.payload);
    let started = Instant::now();
    let sent = client
        .post(&d.url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )
        .header("x-xinyong-event", d.event.as_str())
        .header(
            "x-xinyong-delivery",
            domain::node::NodeKind::WebhookDelivery.global_id(&d.id),
        )
        .header("x-xinyong-timestamp", timestamp.to_string())
        .header("x-xinyong-signature", signature)
        .body(d.payload.clone())
        .send()
        .await;
    let duration = started.elapsed();
    match sent {
        Ok(response) => {
            let status = response.status();
            AttemptOutcome {
                status_code: Some(status.as_u16()),
                error: (!status.is_success()).then(|| format!("HTTP {status}")),
                duration,
            }
        }
        Err(e) => AttemptOutcome {
            status_code: None,
            error: Some(describe(&e)),
            duration,
        },
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "超时：接收方未在时限内应答 (timed out)".into()
    } else if e.is_connect() {
        format!("无法连接接收方 (could not connect): {e}")
    } else {
        format!("发送失败 (request failed): {e}")
    }
}
