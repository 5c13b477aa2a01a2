//! What the database is asked and how long it takes, for `/metrics`: statements sent, statement
//! durations in fixed buckets, and the connection pool's use. Plain atomics, so that this crate
//! needs no metrics library; the API turns them into Prometheus's shapes.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the duration buckets, in seconds.
pub const STATEMENT_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Debug, Default)]
pub struct StatementTimes {
    started: AtomicU64,
    finished: AtomicU64,
    micros: AtomicU64,
    /// Statements at or under each bound (not cumulative; summed when read).
    buckets: [AtomicU64; STATEMENT_BUCKETS.len()],
    /// Requests for a connection waiting on the pool now.
    waiting: AtomicI64,
}

/// A reading of [`StatementTimes`].
#[derive(Debug, Clone, PartialEq)]
pub struct StatementSnapshot {
    pub started: u64,
    pub finished: u64,
    pub seconds: f64,
    /// Cumulative counts, one per bound of [`STATEMENT_BUCKETS`].
    pub cumulative: Vec<u64>,
}

impl StatementTimes {
    pub(crate) fn start(&self) {
        self.started.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn finish(&self, took: Duration) {
        self.finished.fetch_add(1, Ordering::Relaxed);
        self.micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
        let seconds = took.as_secs_f64();
        if let Some(i) = STATEMENT_BUCKETS.iter().position(|b| seconds <= *b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn waiting(&self) -> &AtomicI64 {
        &self.waiting
    }

    pub fn started(&self) -> u64 {
        self.started.load(Ordering::Relaxed)
    }

    pub fn snapshot(&self) -> StatementSnapshot {
        let mut running = 0;
        let cumulative = self
            .buckets
            .iter()
            .map(|b| {
                running += b.load(Ordering::Relaxed);
                running
            })
            .collect();
        StatementSnapshot {
            started: self.started(),
            finished: self.finished.load(Ordering::Relaxed),
            seconds: self.micros.load(Ordering::Relaxed) as f64 / 1e6,
            cumulative,
        }
    }
}

/// The pool now: connections open, of them idle, and requests waiting for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    pub open: u32,
    pub idle: u32,
    pub waiting: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_fall_into_cumulative_buckets() {
        let t = StatementTimes::default();
        t.start();
        t.finish(Duration::from_micros(300));
        t.start();
        t.finish(Duration::from_millis(20));
        t.start();
        t.finish(Duration::from_secs(5));
        let s = t.snapshot();
        assert_eq!((s.started, s.finished), (3, 3));
        assert_eq!(s.cumulative[0], 1);
        assert_eq!(s.cumulative[5], 2);
        assert_eq!(
            *s.cumulative.last().unwrap_or(&0),
            2,
            "past the last bound: only in +Inf"
        );
        assert!((s.seconds - 5.0203).abs() < 1e-6);
    }
}
