//! The cache of public answers: whole GraphQL responses to anonymous queries, in Redis when
//! configured (shared by every instance) and in process (always, in front of Redis).
//!
//! Invalidation is exact. Each answer is tagged with the subjects it shows (`id:…`, `code:…`);
//! a change to a subject removes the answers tagged with it at once. Answers that enumerate
//! (searches, lists) are *wildcard* answers: any change at all removes them. A change to the
//! catalogue (list types, memoranda) removes everything. The TTL is only a safety net.
//!
//! Two counters in Redis keep a slow reader from storing an answer it read before a change
//! committed: `epoch` grows with every invalidation and `gen` with every flush; an answer is
//! stored only if neither moved since the reader looked (checked atomically in a script), and a
//! wildcard answer is served only while the epoch it was made in is current. The in-process
//! layer follows the same rule locally, and learns of other instances' changes through Redis
//! pub/sub. While it is not subscribed (Redis down, reconnecting) it is not used, and on
//! subscribing it is emptied, since messages may have been missed.
//!
//! When Redis is not paying (its reads almost never hit), most answers leave it out and use the
//! in-process layer only; see [`crate::read_gate`].
//!
//! A cache failure never fails a request: the answer comes from the database, the failure is
//! logged and `/readyz` shows it. An invalidation that could not reach Redis leaves a flush
//! pending; nothing is served from Redis until that flush has succeeded.

use crate::read_gate::ReadGate;
use crate::store_queue::{PendingStore, StoreQueue};
use crate::worker_redis::{self, WorkerRedis};
use redis::Script;
use redis::aio::ConnectionManager;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// A safety net only: answers are removed when what they show changes.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);
const LOCAL_CAPACITY: u64 = 100_000;

/// What an answer shows, for invalidation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags {
    /// `id:…` and `code:…` of the subjects shown or looked up.
    pub subjects: BTreeSet<String>,
    /// The answer enumerates: any change may alter it.
    pub wildcard: bool,
}

/// What a change touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// These subject tags (see [`subject_id_tag`], [`subject_code_tag`]).
    Subjects(BTreeSet<String>),
    /// Anything (the catalogue changed, or what changed is not known).
    Everything,
}

pub fn subject_id_tag(id: &str) -> String {
    format!("id:{id}")
}

/// Codes are compared as callers' look-ups are: trimmed, upper case.
pub fn subject_code_tag(code: &str) -> String {
    format!("code:{}", code.trim().to_uppercase())
}

struct LocalAnswer {
    body: Arc<[u8]>,
    tags: Tags,
}

/// A reader's view of the counters before it reads the database.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    local_epoch: u64,
    redis: RedisView,
}

/// What a reader learned of Redis.
#[derive(Debug, Clone, Copy)]
enum RedisView {
    /// Not read (no Redis, or it failed): not to be written, nor the in-process layer trusted.
    NotRead,
    /// Left out on purpose (see [`crate::read_gate`]): the in-process layer only.
    Skipped,
    /// `(gen, epoch)` as read.
    Read(i64, i64),
}

/// An answer as stored, the generation and the epoch, read together.
type Stored = (Option<Vec<u8>>, Option<i64>, Option<i64>);

struct Shared {
    redis: WorkerRedis,
    subscribed: AtomicBool,
    pending_flush: AtomicBool,
    stores: StoreQueue,
    invalidate: Script,
    gate: ReadGate,
}

struct Inner {
    namespace: String,
    local: moka::sync::Cache<String, Arc<LocalAnswer>>,
    /// Guards inserts against invalidations: an insert checks the epoch it read under this lock.
    local_epoch: Mutex<u64>,
    shared: Option<Shared>,
    counts: Counts,
}

/// What the cache did, for `/metrics`.
#[derive(Default)]
struct Counts {
    hits: AtomicU64,
    /// Of the hits, those the in-process layer answered (the rest came from Redis).
    local_hits: AtomicU64,
    misses: AtomicU64,
    invalidations: AtomicU64,
}

#[derive(Clone)]
pub struct Cache {
    inner: Arc<Inner>,
}

/// Stores an answer unless a change or flush happened since the reader's ticket.
/// KEYS: answer, gen, epoch, tag sets…; ARGV: ttl, gen, epoch, value.
const STORE: &str = r"
local gen = tonumber(redis.call('GET', KEYS[2]) or '0')
local epoch = tonumber(redis.call('GET', KEYS[3]) or '0')
if gen ~= tonumber(ARGV[2]) or epoch ~= tonumber(ARGV[3]) then return 0 end
redis.call('SET', KEYS[1], ARGV[4], 'EX', ARGV[1])
for i = 4, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[1])
  redis.call('EXPIRE', KEYS[i], ARGV[1])
end
return 1
";

/// Removes the answers of some tags (or all, by a new generation) and tells the other instances;
/// returns the new epoch and how many instances heard. KEYS: gen, epoch, tag sets…;
/// ARGV: channel, message, everything (1/0).
const INVALIDATE: &str = r"
local epoch = redis.call('INCR', KEYS[2])
if ARGV[3] == '1' then
  redis.call('INCR', KEYS[1])
else
  for i = 3, #KEYS do
    local members = redis.call('SMEMBERS', KEYS[i])
    for j = 1, #members, 1000 do
      redis.call('DEL', unpack(members, j, math.min(j + 999, #members)))
    end
    redis.call('DEL', KEYS[i])
  end
end
local heard = redis.call('PUBLISH', ARGV[1], epoch .. ' ' .. ARGV[2])
return {epoch, heard}
";

/// How long a change waits for the other instances to drop their copies before it returns.
const ACK_WAIT: Duration = Duration::from_millis(250);

impl Cache {
    fn new(namespace: &str, shared: Option<Shared>) -> Self {
        let local = moka::sync::Cache::builder()
            .max_capacity(LOCAL_CAPACITY)
            .time_to_live(DEFAULT_TTL)
            .support_invalidation_closures()
            .build();
        Cache {
            inner: Arc::new(Inner {
                namespace: namespace.to_owned(),
                local,
                local_epoch: Mutex::new(0),
                shared,
                counts: Counts::default(),
            }),
        }
    }

    pub fn in_process(namespace: &str) -> Self {
        Cache::new(namespace, None)
    }

    /// Connects to Redis and starts listening for other instances' changes; fails when Redis
    /// cannot be reached now (a configured Redis missing at start is a deployment error worth
    /// stopping for). Later outages are survived.
    pub async fn redis(url: &str, namespace: &str) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| format!("bad Redis URL: {e}"))?;
        let manager = ConnectionManager::new_with_config(client.clone(), worker_redis::config())
            .await
            .map_err(|e| format!("cannot reach Redis: {e}"))?;
        let redis = WorkerRedis::new(client.clone(), manager);
        let cache = Cache::new(
            namespace,
            Some(Shared {
                stores: StoreQueue::start(redis.clone(), Script::new(STORE)),
                redis,
                subscribed: AtomicBool::new(false),
                pending_flush: AtomicBool::new(false),
                invalidate: Script::new(INVALIDATE),
                gate: ReadGate::default(),
            }),
        );
        tokio::spawn(listen(cache.clone(), client));
        Ok(cache)
    }

    /// The Redis connections, when the cache is Redis (the rate limiter shares them).
    pub fn redis_connections(&self) -> Option<WorkerRedis> {
        self.inner.shared.as_ref().map(|s| s.redis.clone())
    }

    pub fn kind(&self) -> &'static str {
        match self.inner.shared {
            None => "in-process",
            Some(_) => "redis",
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}:{key}", self.inner.namespace)
    }

    fn channel(&self) -> String {
        self.key("invalidate")
    }

    fn epoch(&self) -> MutexGuard<'_, u64> {
        // A poisoned lock only means a panic elsewhere while holding a counter: still usable.
        self.inner
            .local_epoch
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the in-process layer is coherent with the other instances now.
    fn local_usable(&self) -> bool {
        match &self.inner.shared {
            None => true,
            Some(s) => {
                s.subscribed.load(Ordering::Acquire) && !s.pending_flush.load(Ordering::Acquire)
            }
        }
    }

    /// Hits, misses and invalidations since start.
    pub fn counts(&self) -> (u64, u64, u64) {
        let c = &self.inner.counts;
        (
            c.hits.load(Ordering::Relaxed),
            c.misses.load(Ordering::Relaxed),
            c.invalidations.load(Ordering::Relaxed),
        )
    }

    /// Of the hits, those the in-process layer answered; the rest came from Redis.
    pub fn local_hits(&self) -> u64 {
        self.inner.counts.local_hits.load(Ordering::Relaxed)
    }

    /// In-process misses that left Redis out (see [`crate::read_gate`]).
    pub fn shared_reads_skipped(&self) -> u64 {
        self.inner.shared.as_ref().map_or(0, |s| s.gate.skipped())
    }

    /// An answer, or a ticket to store one after reading the database.
    pub async fn lookup(&self, key: &str) -> Result<Arc<[u8]>, Ticket> {
        let found = self.find(key).await;
        let counter = match found {
            Ok(_) => &self.inner.counts.hits,
            Err(_) => &self.inner.counts.misses,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    async fn find(&self, key: &str) -> Result<Arc<[u8]>, Ticket> {
        let local_epoch = *self.epoch();
        let local_usable = self.local_usable();
        if local_usable && let Some(hit) = self.inner.local.get(key) {
            self.inner.counts.local_hits.fetch_add(1, Ordering::Relaxed);
            return Ok(hit.body.clone());
        }
        let mut ticket = Ticket {
            local_epoch,
            redis: RedisView::NotRead,
        };
        let Some(shared) = &self.inner.shared else {
            return Err(ticket);
        };
        // Without pub/sub, Redis is taken as down: no waiting on it per request.
        if !shared.subscribed.load(Ordering::Acquire) {
            return Err(ticket);
        }
        if shared.pending_flush.load(Ordering::Acquire) && !self.flush_shared(shared).await {
            return Err(ticket);
        }
        if !shared.gate.uses_shared(key) {
            ticket.redis = RedisView::Skipped;
            return Err(ticket);
        }
        let mut m = shared.redis.connection().await;
        let read: redis::RedisResult<Stored> = redis::cmd("MGET")
            .arg(self.key(&format!("answer:{key}")))
            .arg(self.key("gen"))
            .arg(self.key("epoch"))
            .query_async(&mut m)
            .await;
        let (value, gen_now, epoch_now) = match read {
            Ok((v, g, e)) => (v, g.unwrap_or(0), e.unwrap_or(0)),
            Err(e) => {
                tracing::warn!(error = %e, "cache read failed; using the database");
                return Err(ticket);
            }
        };
        ticket.redis = RedisView::Read(gen_now, epoch_now);
        let found = value
            .as_deref()
            .and_then(decode)
            .filter(|(made, tags, _)| made.0 == gen_now && (!tags.wildcard || made.1 == epoch_now));
        shared.gate.record(found.is_some());
        let Some((_, tags, body)) = found else {
            return Err(ticket);
        };
        let body: Arc<[u8]> = Arc::from(body);
        if local_usable {
            self.insert_local(local_epoch, key, &tags, body.clone());
        }
        Ok(body)
    }

    fn insert_local(&self, seen_epoch: u64, key: &str, tags: &Tags, body: Arc<[u8]>) {
        let epoch = self.epoch();
        if *epoch == seen_epoch {
            let answer = LocalAnswer {
                body,
                tags: tags.clone(),
            };
            self.inner.local.insert(key.to_owned(), Arc::new(answer));
        }
    }

    /// Stores an answer read after `ticket` was issued, unless something changed since.
    pub fn store(&self, ticket: Ticket, key: &str, tags: &Tags, body: &[u8]) {
        let body: Arc<[u8]> = Arc::from(body);
        if let Some(shared) = &self.inner.shared {
            match ticket.redis {
                RedisView::NotRead => return,
                RedisView::Skipped => {}
                RedisView::Read(generation, epoch) => {
                    self.store_shared(shared, key, tags, &body, (generation, epoch))
                }
            }
            // The in-process copy need not wait for Redis: a change committed since the read has
            // bumped the local epoch (here, or through pub/sub before its writer returned), or
            // will remove this copy by its tags when its message comes.
            if !self.local_usable() {
                return;
            }
        }
        self.insert_local(ticket.local_epoch, key, tags, body);
    }

    /// Queues the store of an answer read when Redis was at `(gen, epoch)`.
    fn store_shared(&self, shared: &Shared, key: &str, tags: &Tags, body: &[u8], seen: (i64, i64)) {
        let mut keys = vec![
            self.key(&format!("answer:{key}")),
            self.key("gen"),
            self.key("epoch"),
        ];
        keys.extend(tags.subjects.iter().map(|t| self.key(&format!("tag:{t}"))));
        shared.stores.push(PendingStore {
            keys,
            args: (DEFAULT_TTL.as_secs(), seen.0, seen.1),
            value: encode(seen, tags, body),
        });
    }

    /// Removes the answers a committed change may have altered: here, in Redis, and (through
    /// pub/sub) in the other instances.
    pub async fn invalidate(&self, change: &Change) {
        self.inner
            .counts
            .invalidations
            .fetch_add(1, Ordering::Relaxed);
        self.invalidate_local(change);
        let Some(shared) = &self.inner.shared else {
            return;
        };
        if !shared.subscribed.load(Ordering::Acquire) {
            shared.pending_flush.store(true, Ordering::Release);
            tracing::error!(
                "cache invalidation while Redis is down; Redis is flushed when it is back"
            );
            return;
        }
        if shared.pending_flush.load(Ordering::Acquire) {
            self.flush_shared(shared).await;
            return;
        }
        let (tags, everything) = match change {
            Change::Subjects(t) => (t.iter().cloned().collect::<Vec<_>>(), false),
            Change::Everything => (Vec::new(), true),
        };
        if let Err(e) = self.invalidate_shared(shared, &tags, everything).await {
            shared.pending_flush.store(true, Ordering::Release);
            tracing::error!(error = %e, "cache invalidation failed; nothing is served from Redis until it is flushed");
        }
    }

    async fn invalidate_shared(
        &self,
        shared: &Shared,
        tags: &[String],
        everything: bool,
    ) -> redis::RedisResult<()> {
        let mut invocation = shared.invalidate.prepare_invoke();
        invocation.key(self.key("gen")).key(self.key("epoch"));
        for tag in tags {
            invocation.key(self.key(&format!("tag:{tag}")));
        }
        let message = if everything {
            "*".to_owned()
        } else {
            tags.join(" ")
        };
        invocation
            .arg(self.channel())
            .arg(message)
            .arg(if everything { "1" } else { "0" });
        let mut m = shared.redis.connection().await;
        let (epoch, heard): (i64, i64) = invocation.invoke_async(&mut m).await?;
        self.await_acks(&mut m, epoch, heard).await;
        Ok(())
    }

    /// Waits (briefly) until every instance that heard a change has dropped its local copies, so
    /// that a caller reading from any instance after the change returns sees it.
    async fn await_acks(&self, m: &mut ConnectionManager, epoch: i64, heard: i64) {
        let key = self.key(&format!("ack:{epoch}"));
        let deadline = tokio::time::Instant::now() + ACK_WAIT;
        loop {
            match redis::cmd("GET")
                .arg(&key)
                .query_async::<Option<i64>>(m)
                .await
            {
                Ok(Some(n)) if n >= heard => return,
                Ok(_) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                Ok(_) => {
                    tracing::warn!(
                        epoch,
                        heard,
                        "not every instance confirmed an invalidation in time"
                    );
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read invalidation confirmations");
                    return;
                }
            }
        }
    }

    /// Empties Redis's answers (by a new generation); true when done.
    async fn flush_shared(&self, shared: &Shared) -> bool {
        match self.invalidate_shared(shared, &[], true).await {
            Ok(()) => {
                shared.pending_flush.store(false, Ordering::Release);
                tracing::info!("cache flushed after an invalidation that had failed");
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "cache flush still pending");
                false
            }
        }
    }

    fn invalidate_local(&self, change: &Change) {
        let mut epoch = self.epoch();
        *epoch += 1;
        match change {
            Change::Everything => self.inner.local.invalidate_all(),
            Change::Subjects(changed) => {
                let changed = changed.clone();
                let removed = self.inner.local.invalidate_entries_if(move |_, a| {
                    a.tags.wildcard || a.tags.subjects.iter().any(|t| changed.contains(t))
                });
                if removed.is_err() {
                    self.inner.local.invalidate_all();
                }
            }
        }
    }

    /// Whether the cache answers now, and is coherent.
    pub async fn ping(&self) -> Result<(), String> {
        let Some(shared) = &self.inner.shared else {
            return Ok(());
        };
        let mut m = shared.redis.connection().await;
        redis::cmd("PING")
            .query_async::<String>(&mut m)
            .await
            .map_err(|e| e.to_string())?;
        if !shared.subscribed.load(Ordering::Acquire) {
            return Err("not subscribed to invalidations yet".into());
        }
        if shared.pending_flush.load(Ordering::Acquire) && !self.flush_shared(shared).await {
            return Err("a flush is pending after a failed invalidation".into());
        }
        Ok(())
    }
}

impl Cache {
    /// Confirms that this instance dropped its copies for a change.
    async fn acknowledge(&self, shared: &Shared, epoch: Option<i64>) {
        let Some(epoch) = epoch else { return };
        let key = self.key(&format!("ack:{epoch}"));
        let mut m = shared.redis.connection().await;
        let done: redis::RedisResult<()> = redis::pipe()
            .incr(&key, 1)
            .ignore()
            .expire(&key, 60)
            .ignore()
            .query_async(&mut m)
            .await;
        if let Err(e) = done {
            tracing::warn!(error = %e, "cannot confirm an invalidation");
        }
    }
}

/// Follows the other instances' invalidations; reconnects after an outage, emptying the local
/// layer first since messages may have been missed.
async fn listen(cache: Cache, client: redis::Client) {
    use futures_util::StreamExt;
    let Some(shared) = &cache.inner.shared else {
        return;
    };
    let channel = cache.channel();
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                Ok(()) => {
                    cache.invalidate_local(&Change::Everything);
                    shared.subscribed.store(true, Ordering::Release);
                    tracing::info!("cache: following invalidations");
                    let mut messages = pubsub.on_message();
                    while let Some(message) = messages.next().await {
                        let text: String = message.get_payload().unwrap_or_default();
                        let (epoch, change) = parse_message(&text);
                        cache.invalidate_local(&change);
                        cache.acknowledge(shared, epoch).await;
                    }
                    shared.subscribed.store(false, Ordering::Release);
                    tracing::error!(
                        "cache: lost Redis pub/sub; answering from the database until it is back"
                    );
                }
                Err(e) => tracing::warn!(error = %e, "cache: cannot subscribe"),
            },
            Err(e) => tracing::warn!(error = %e, "cache: cannot reach Redis for pub/sub"),
        }
        shared.subscribed.store(false, Ordering::Release);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// `epoch *` or `epoch tag tag…`.
fn parse_message(text: &str) -> (Option<i64>, Change) {
    let (epoch, rest) = text.split_once(' ').unwrap_or((text, ""));
    let change = if rest == "*" {
        Change::Everything
    } else {
        Change::Subjects(
            rest.split(' ')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    };
    (epoch.parse().ok(), change)
}

/// `gen epoch wildcard tag,tag…\n` then the body.
fn encode(made: (i64, i64), tags: &Tags, body: &[u8]) -> Vec<u8> {
    let subjects: Vec<&str> = tags.subjects.iter().map(String::as_str).collect();
    let mut out = format!(
        "{} {} {} {}\n",
        made.0,
        made.1,
        u8::from(tags.wildcard),
        subjects.join(",")
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn decode(value: &[u8]) -> Option<((i64, i64), Tags, &[u8])> {
    let newline = value.iter().position(|b| *b == b'\n')?;
    let header = std::str::from_utf8(&value[..newline]).ok()?;
    let mut parts = header.splitn(4, ' ');
    let gen_made = parts.next()?.parse().ok()?;
    let epoch_made = parts.next()?.parse().ok()?;
    let wildcard = parts.next()? == "1";
    let subjects = parts
        .next()?
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let tags = Tags { subjects, wildcard };
    Some(((gen_made, epoch_made), tags, &value[newline + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(subjects: &[&str], wildcard: bool) -> Tags {
        Tags {
            subjects: subjects.iter().map(|s| s.to_string()).collect(),
            wildcard,
        }
    }

    fn change(subjects: &[&str]) -> Change {
        Change::Subjects(subjects.iter().map(|s| s.to_string()).collect())
    }

    async fn cached(c: &Cache, key: &str) -> Option<Vec<u8>> {
        c.lookup(key).await.ok().map(|b| b.to_vec())
    }

    #[tokio::test]
    async fn a_change_removes_the_answers_of_its_subjects_and_the_wildcards_only() {
        let c = Cache::in_process("t");
        for (key, t) in [
            ("a", tags(&["id:1"], false)),
            ("b", tags(&["id:2"], false)),
            ("w", tags(&[], true)),
        ] {
            let ticket = c.lookup(key).await.unwrap_err();
            c.store(ticket, key, &t, key.as_bytes());
        }
        assert_eq!(cached(&c, "a").await.as_deref(), Some(&b"a"[..]));
        c.invalidate(&change(&["id:1"])).await;
        assert_eq!(cached(&c, "a").await, None);
        assert_eq!(cached(&c, "w").await, None);
        assert_eq!(cached(&c, "b").await.as_deref(), Some(&b"b"[..]));
        c.invalidate(&Change::Everything).await;
        assert_eq!(cached(&c, "b").await, None);
    }

    #[tokio::test]
    async fn an_answer_read_before_a_change_is_not_stored() {
        let c = Cache::in_process("t");
        let ticket = c.lookup("a").await.unwrap_err();
        c.invalidate(&change(&["id:9"])).await;
        c.store(ticket, "a", &tags(&["id:1"], false), b"old");
        assert_eq!(cached(&c, "a").await, None);
    }

    #[test]
    fn the_stored_form_reads_back() {
        let t = tags(&["code:X", "id:1"], true);
        let value = encode((3, 7), &t, b"{\"data\":1}\n");
        let (made, back, body) = decode(&value).unwrap();
        assert_eq!((made, back, body), ((3, 7), t, &b"{\"data\":1}\n"[..]));
        assert_eq!(parse_message("4 *"), (Some(4), Change::Everything));
        assert_eq!(
            parse_message("5 id:1 code:X"),
            (Some(5), change(&["id:1", "code:X"]))
        );
        assert_eq!(parse_message("6 "), (Some(6), change(&[])));
    }
}
