//! What `/metrics` reports, with the `prometheus` crate: one registry per server (tests run many in
//! one process), the events counted as they happen (requests, errors, subscriptions, sweeps,
//! webhook attempts), and at each scrape the readings of the database, the cache, the outbox, the
//! calendar and the process.

use prometheus::core::Collector;
use prometheus::proto::{Bucket, Histogram, Metric, MetricFamily, MetricType};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};
use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Operation names are the client's choice: past this many distinct ones, a new name is counted
/// as `other`, so that no client can grow the metrics without bound.
const MAX_OPERATION_NAMES: usize = 200;

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    errors: IntCounterVec,
    subscriptions: IntGauge,
    sweeps: IntCounterVec,
    webhook_attempts: IntCounterVec,
    operations: Mutex<HashSet<String>>,
    /// Statements `/metrics` sent to read the outbox, since start.
    scrape_statements: AtomicU64,
}

/// What a request was, for its count and its access-log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestOutcome {
    /// The operation's name as counted (`anonymous` if none; `other` past the bound).
    pub operation: String,
    /// `query`, `mutation`, `subscription`, or `none` when it never parsed.
    pub kind: &'static str,
    /// `OK`, or the first error's code.
    pub code: String,
}

impl Metrics {
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "xinyong_graphql_requests_total",
                "GraphQL requests answered, by operation name, kind and outcome code (OK or the first error's).",
            ),
            &["operation", "kind", "code"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "xinyong_graphql_request_duration_seconds",
                "Time from reading a GraphQL request to its answer, by operation kind.",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["kind"],
        )?;
        let errors = IntCounterVec::new(
            Opts::new(
                "xinyong_graphql_errors_total",
                "GraphQL errors sent, by extensions.code.",
            ),
            &["code"],
        )?;
        let subscriptions = IntGauge::new(
            "xinyong_subscriptions_open",
            "WebSocket connections open for subscriptions.",
        )?;
        let sweeps = IntCounterVec::new(
            Opts::new(
                "xinyong_sweep_runs_total",
                "Expiry sweeps run by this instance, by outcome (ok, failed).",
            ),
            &["outcome"],
        )?;
        let webhook_attempts = IntCounterVec::new(
            Opts::new(
                "xinyong_webhook_attempts_total",
                "Webhook deliveries attempted by this instance, by outcome (delivered, failed).",
            ),
            &["outcome"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(errors.clone()))?;
        registry.register(Box::new(subscriptions.clone()))?;
        registry.register(Box::new(sweeps.clone()))?;
        registry.register(Box::new(webhook_attempts.clone()))?;
        // Resident memory, CPU seconds, open files and their limit, start time: Linux only.
        #[cfg(target_os = "linux")]
        registry.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            errors,
            subscriptions,
            sweeps,
            webhook_attempts,
            operations: Mutex::new(HashSet::new()),
            scrape_statements: AtomicU64::new(0),
        })
    }

    /// Adds the statements a scrape just sent for itself; returns those of every scrape so far.
    pub fn scrape_statements(&self, sent: u64) -> u64 {
        self.scrape_statements.fetch_add(sent, Ordering::Relaxed) + sent
    }

    /// The name a request's operation is counted under.
    pub fn operation_label(&self, name: Option<&str>) -> String {
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            return "anonymous".into();
        };
        let sane = name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !sane {
            return "other".into();
        }
        let Ok(mut seen) = self.operations.lock() else {
            return "other".into();
        };
        if seen.contains(name) || seen.len() < MAX_OPERATION_NAMES {
            seen.insert(name.to_owned());
            name.to_owned()
        } else {
            "other".into()
        }
    }

    /// Counts an answered request and the codes of the errors it carried.
    pub fn request<'a>(
        &self,
        outcome: &RequestOutcome,
        took: Duration,
        error_codes: impl Iterator<Item = &'a str>,
    ) {
        self.requests
            .with_label_values(&[
                outcome.operation.as_str(),
                outcome.kind,
                outcome.code.as_str(),
            ])
            .inc();
        self.latency
            .with_label_values(&[outcome.kind])
            .observe(took.as_secs_f64());
        for code in error_codes {
            self.errors.with_label_values(&[code]).inc();
        }
    }

    /// A subscription connection opened; it counts as open until the guard is dropped.
    pub fn subscription_opened(&self) -> OpenSubscription {
        self.subscriptions.inc();
        OpenSubscription(self.subscriptions.clone())
    }

    pub fn sweep_ran(&self, ok: bool) {
        self.sweeps
            .with_label_values(&[if ok { "ok" } else { "failed" }])
            .inc();
    }

    pub fn webhook_attempted(&self, delivered: bool) {
        self.webhook_attempts
            .with_label_values(&[if delivered { "delivered" } else { "failed" }])
            .inc();
    }

    /// Everything counted, with `readings` taken at this scrape, in Prometheus's text format.
    pub fn render(&self, readings: Vec<MetricFamily>) -> String {
        let mut families = self.registry.gather();
        families.extend(readings);
        families.sort_by(|a, b| a.name().cmp(b.name()));
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&families, &mut out) {
            tracing::error!(error = %e, "metrics not encodable");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// Counts one open subscription while it lives.
pub struct OpenSubscription(IntGauge);

impl Drop for OpenSubscription {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// A counter read at scrape time (kept elsewhere as an atomic).
pub fn counter(name: &str, help: &str, value: u64) -> Option<MetricFamily> {
    let c = IntCounter::new(name, help).ok()?;
    c.inc_by(value);
    c.collect().pop()
}

/// A gauge read at scrape time, with one series per label value (or one unlabelled series).
pub fn gauge(
    name: &str,
    help: &str,
    label: Option<&str>,
    values: &[(&str, f64)],
) -> Option<MetricFamily> {
    let labels: Vec<&str> = label.into_iter().collect();
    let g = prometheus::GaugeVec::new(Opts::new(name, help), &labels).ok()?;
    for (value_label, value) in values {
        let series = if label.is_some() {
            g.with_label_values(&[*value_label])
        } else {
            g.with_label_values(&[] as &[&str])
        };
        series.set(*value);
    }
    g.collect().pop()
}

/// A histogram kept elsewhere as cumulative bucket counts.
pub fn histogram(
    name: &str,
    help: &str,
    bounds: &[f64],
    cumulative: &[u64],
    count: u64,
    sum: f64,
) -> MetricFamily {
    let mut h = Histogram::default();
    h.set_sample_count(count);
    h.set_sample_sum(sum);
    h.set_bucket(
        bounds
            .iter()
            .zip(cumulative)
            .map(|(bound, n)| {
                let mut b = Bucket::default();
                b.set_upper_bound(*bound);
                b.set_cumulative_count(*n);
                b
            })
            .collect(),
    );
    let mut m = Metric::default();
    m.set_histogram(h);
    let mut family = MetricFamily::default();
    family.set_name(name.to_owned());
    family.set_help(help.to_owned());
    family.set_field_type(MetricType::HISTOGRAM);
    family.set_metric(vec![m]);
    family
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_bounded_and_sane() -> Result<(), prometheus::Error> {
        let m = Metrics::new()?;
        assert_eq!(m.operation_label(None), "anonymous");
        assert_eq!(m.operation_label(Some("Look Up")), "other");
        for i in 0..MAX_OPERATION_NAMES {
            assert_eq!(m.operation_label(Some(&format!("Op{i}"))), format!("Op{i}"));
        }
        assert_eq!(m.operation_label(Some("OneTooMany")), "other");
        assert_eq!(
            m.operation_label(Some("Op7")),
            "Op7",
            "a name seen before stays"
        );
        Ok(())
    }
}
