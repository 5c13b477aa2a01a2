//! Partners' requests counted per day: in memory on each instance, added to the database every
//! few seconds (additions, so instances need not agree), never on a request's path.

use chrono::NaiveDate;
use persistence::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Counts = HashMap<(String, NaiveDate), i64>;

#[derive(Clone, Default)]
pub struct UsageCounter {
    counts: Arc<Mutex<Counts>>,
}

impl UsageCounter {
    /// One request by `client_id` on `day` (China time).
    pub fn count(&self, client_id: &str, day: NaiveDate) {
        if let Ok(mut c) = self.counts.lock() {
            *c.entry((client_id.to_owned(), day)).or_insert(0) += 1;
        }
    }

    fn take(&self) -> Counts {
        self.counts
            .lock()
            .map(|mut c| std::mem::take(&mut *c))
            .unwrap_or_default()
    }

    /// Counts that could not be stored go back, to be added next time.
    fn restore(&self, counts: Counts) {
        if let Ok(mut c) = self.counts.lock() {
            for (k, n) in counts {
                *c.entry(k).or_insert(0) += n;
            }
        }
    }

    /// Adds what was counted to the database every `every`, until the process ends.
    pub async fn flush_loop(self, store: Store, every: Duration) {
        loop {
            tokio::time::sleep(every).await;
            self.flush(&store).await;
        }
    }

    pub async fn flush(&self, store: &Store) {
        let counts = self.take();
        if counts.is_empty() {
            return;
        }
        let rows: Vec<(String, NaiveDate, i64)> = counts
            .iter()
            .map(|((id, day), n)| (id.clone(), *day, *n))
            .collect();
        let store = store.clone();
        match tokio::task::spawn_blocking(move || store.add_partner_usage(&rows)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "partner usage not stored; kept for the next try");
                self.restore(counts);
            }
            Err(e) => {
                tracing::error!(error = %e, "partner usage task failed");
                self.restore(counts);
            }
        }
    }
}
