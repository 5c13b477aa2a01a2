//! When the shared cache is not paying, stop using it for most answers.
//!
//! Each in-process miss reads Redis before the database and stores its answer there after. Under
//! a spread of look-ups that no instance has answered before (a bank screening its borrowers, a
//! crawler), the read almost never hits and the store is never read back, yet together they cost
//! about as much as the database read. The gate watches the hit rate of those reads and, while it
//! stays under 1%, keeps Redis only for *probe* answers: one key in [`SAMPLE`], chosen by a hash
//! of the key that every instance computes alike, so probes are both read and stored everywhere
//! and their hit rate is the rate all answers would have. When it rises again, every answer uses
//! Redis again. The in-process layer is used either way.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Reads per judgement of the hit rate.
pub(crate) const WINDOW: u64 = 256;
/// While skipping, one key in this many still uses Redis.
pub(crate) const SAMPLE: u64 = 16;

#[derive(Default)]
pub(crate) struct ReadGate {
    reads: AtomicU64,
    hits: AtomicU64,
    skipping: AtomicBool,
    skipped: AtomicU64,
}

impl ReadGate {
    /// Whether the answer of `key` is read from (and stored to) the shared cache.
    pub fn uses_shared(&self, key: &str) -> bool {
        if !self.skipping.load(Ordering::Relaxed) || is_probe(key) {
            return true;
        }
        self.skipped.fetch_add(1, Ordering::Relaxed);
        false
    }

    /// Counts a read made, and judges the window when it is full.
    pub fn record(&self, hit: bool) {
        if hit {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        if self.reads.fetch_add(1, Ordering::Relaxed) + 1 < WINDOW {
            return;
        }
        // Concurrent readers may count into the next window; a judgement a few reads off is fine.
        let reads = self.reads.swap(0, Ordering::Relaxed).max(1);
        let hits = self.hits.swap(0, Ordering::Relaxed);
        self.skipping.store(hits * 100 < reads, Ordering::Relaxed);
    }

    /// Misses that did not use the shared cache, since start.
    pub fn skipped(&self) -> u64 {
        self.skipped.load(Ordering::Relaxed)
    }
}

/// FNV-1a: stable across instances and versions, unlike the standard library's hasher.
fn is_probe(key: &str) -> bool {
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    hash.is_multiple_of(SAMPLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize) -> impl Iterator<Item = String> {
        (0..n).map(|i| format!("key-{i}"))
    }

    #[test]
    fn only_probes_use_redis_while_it_does_not_pay_and_all_again_when_it_does() {
        let gate = ReadGate::default();
        assert!(keys(1000).all(|k| gate.uses_shared(&k)));
        for _ in 0..WINDOW {
            gate.record(false);
        }
        let probes: Vec<String> = keys(1600).filter(|k| gate.uses_shared(k)).collect();
        assert!((70..130).contains(&probes.len()), "{}", probes.len());
        assert_eq!(gate.skipped(), 1600 - probes.len() as u64);
        // The same keys are probes every time (and on every instance).
        assert!(probes.iter().all(|k| gate.uses_shared(k)));
        // Sharing pays again (1 hit in 64 reads): every key uses Redis again.
        for i in 0..WINDOW {
            gate.record(i % 64 == 0);
        }
        assert!(keys(100).all(|k| gate.uses_shared(&k)));
    }
}
