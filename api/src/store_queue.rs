//! Answers go to Redis in batches, off the request: a miss answers at once (its in-process copy
//! is made at once), and one pipeline carries the stores of many requests. Each store is still the
//! atomic script that refuses an answer read before a change; a store that cannot be made is only
//! an answer not shared.

use crate::worker_redis::WorkerRedis;
use redis::Script;
use tokio::sync::mpsc;

/// Stores waiting beyond this are dropped rather than held (Redis slow or away).
const QUEUE: usize = 10_000;
/// Stores sent in one pipeline at most.
const BATCH: usize = 256;
/// How long the first store of a batch waits for company: under load, a pipeline per request
/// would wake Redis thousands of times a second for one small script each.
const LINGER: std::time::Duration = std::time::Duration::from_millis(2);

/// One answer to store: the script's keys and arguments.
pub(crate) struct PendingStore {
    pub keys: Vec<String>,
    pub args: (u64, i64, i64),
    pub value: Vec<u8>,
}

#[derive(Clone)]
pub(crate) struct StoreQueue(mpsc::Sender<PendingStore>);

impl StoreQueue {
    /// Starts the writer on the current runtime.
    pub fn start(redis: WorkerRedis, script: Script) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(write(redis, script, rx));
        StoreQueue(tx)
    }

    pub fn push(&self, store: PendingStore) {
        if self.0.try_send(store).is_err() {
            tracing::debug!("cache store queue full; answer not shared");
        }
    }
}

async fn write(redis: WorkerRedis, script: Script, mut rx: mpsc::Receiver<PendingStore>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        if batch.len() < BATCH {
            tokio::time::sleep(LINGER).await;
            while batch.len() < BATCH
                && let Ok(store) = rx.try_recv()
            {
                batch.push(store);
            }
        }
        let mut conn = redis.shared();
        let mut result = pipeline(&script, &batch).query_async::<()>(&mut conn).await;
        if result
            .as_ref()
            .is_err_and(|e| e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript))
        {
            // Redis restarted and forgot the script: load it, then once more.
            if script.load_async(&mut conn).await.is_ok() {
                result = pipeline(&script, &batch).query_async::<()>(&mut conn).await;
            }
        }
        if let Err(e) = result {
            tracing::warn!(error = %e, stores = batch.len(), "cache write failed");
        }
        batch.clear();
    }
}

fn pipeline(script: &Script, batch: &[PendingStore]) -> redis::Pipeline {
    let mut pipe = redis::pipe();
    for store in batch {
        let cmd = pipe
            .cmd("EVALSHA")
            .arg(script.get_hash())
            .arg(store.keys.len());
        for key in &store.keys {
            cmd.arg(key);
        }
        cmd.arg(store.args.0)
            .arg(store.args.1)
            .arg(store.args.2)
            .arg(&store.value)
            .ignore();
    }
    pipe
}
