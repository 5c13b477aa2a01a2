//! The store: a pool, and one database transaction per command.

mod as_of;
mod audit;
mod batch;
mod bulk;
mod calendar;
mod candidates;
mod catalogue;
pub(crate) mod changes;
mod checks;
mod commitments;
mod complaints;
mod demo_keys;
mod dispatches;
mod entries;
mod green_channel;
mod import;
mod lifts;
mod listing;
mod lookups;
mod memoranda;
mod nominations;
mod objections;
mod partners;
mod records;
mod repairs;
mod reports;
mod rewards;
mod screen;
mod search;
mod stats;
mod subjects;
mod sweep;
mod targets;
mod typical_cases;
mod watches;
mod webhooks;

pub use as_of::AsOf;
pub use audit::{AuditFilter, NewAudit, sha256_hex};
pub use calendar::{CalendarHandle, CalendarLoaded, FilledDeadlines};
pub use catalogue::ReferenceData;
pub use checks::{CheckOutcome, MeasureFinding};
pub use complaints::{ComplaintView, FiledComplaint};
pub use dispatches::{DispatchFilter, DispatchView};
pub use entries::{EntryChange, EntryFilter};
pub use import::Imported;
pub use lifts::{EndedMeasures, LiftConfirmed};
pub use listing::MAX_BATCH;
pub use nominations::NominationView;
pub use objections::{DeadlineTarget, Decided, Decision, Filed, Filer, ObjectionFilter};
pub use records::RecordFilter;
pub use repairs::{Repair, RepairDecided, RepairOption};
pub use screen::{MAX_SCREEN, Screened};
pub use stats::{ListingCount, Stats};
pub use subjects::SubjectFilter;
pub use sweep::SweepReport;
pub use watches::Watched;
pub use webhooks::{AttemptOutcome, DueDelivery, WebhookAttempt, WebhookDelivery, WebhookEndpoint};

use crate::conn::{self, AnyConnection, Backend, Manager};
use crate::error::StoreError;
use crate::statements::{PoolUse, StatementSnapshot, StatementTimes};
use diesel::Connection;
use diesel::r2d2::{Pool, PooledConnection};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The most items one page may hold.
pub const MAX_PAGE_SIZE: usize = 100;

/// Keyset pagination: items after the one with id `after`, in id order.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub first: usize,
    pub after: Option<String>,
}

impl PageRequest {
    fn limit(&self) -> i64 {
        // One more than asked, to learn whether another page follows.
        (self.first.clamp(1, MAX_PAGE_SIZE) + 1) as i64
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next_page: bool,
}

/// Loads the rows of a page of `$query`, newest first (ids are time-ordered): after the request's
/// cursor, one more than asked, for [`Page::from_overfetch`].
macro_rules! newest_first {
    ($conn:expr, $query:expr, $id:expr, $page:expr) => {{
        let mut query = $query;
        if let Some(after) = &$page.after {
            query = query.filter($id.lt(after.clone()));
        }
        query.order($id.desc()).limit($page.limit()).load($conn)
    }};
}
pub(crate) use newest_first;

impl<T> Page<T> {
    /// A page of rows already in memory, in id order: those after the request's cursor.
    pub fn of_sorted<'a>(
        rows: impl IntoIterator<Item = &'a T>,
        id: impl Fn(&T) -> &str,
        request: &PageRequest,
    ) -> Self
    where
        T: Clone + 'a,
    {
        let items = rows
            .into_iter()
            .filter(|r| request.after.as_deref().is_none_or(|a| id(r) > a))
            .take(request.first + 1)
            .cloned()
            .collect();
        Page::from_overfetch(items, request)
    }

    pub fn from_overfetch(mut items: Vec<T>, request: &PageRequest) -> Self {
        let wanted = request.first.clamp(1, MAX_PAGE_SIZE);
        let has_next_page = items.len() > wanted;
        items.truncate(wanted);
        Page {
            items,
            has_next_page,
        }
    }
}

/// The rules of time the store applies when it writes: the working-day calendar (as stored, read
/// again when another instance loads a year) and how many working days a department has to
/// acknowledge a dispatch.
#[derive(Debug, Clone)]
pub struct Policy {
    pub calendar: CalendarHandle,
    pub acknowledge_working_days: u32,
    /// Subjects a name search scans in id order before it turns to its index (see `search`).
    pub search_window: i64,
}

/// The default of [`Policy::search_window`].
pub const DEFAULT_SEARCH_WINDOW: i64 = 5_000;

impl Default for Policy {
    fn default() -> Self {
        Policy {
            calendar: CalendarHandle::default(),
            acknowledge_working_days: domain::dispatch::DEFAULT_ACKNOWLEDGE_WORKING_DAYS,
            search_window: DEFAULT_SEARCH_WINDOW,
        }
    }
}

/// Shared by the server's workers; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: Pool<Manager>,
    statements: Arc<StatementTimes>,
    backend: Backend,
    policy: Arc<Policy>,
    /// SQLite allows one writer: writers queue here rather than fail with SQLITE_BUSY when a
    /// read transaction tries to become a write one.
    write_lock: Arc<Mutex<()>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

impl Store {
    /// Opens a pool on `url` (`postgres://…` or `sqlite://PATH`). Fails if no connection can be made.
    pub fn connect(url: &str, pool_size: u32) -> Result<Store, StoreError> {
        let (backend, target) = Backend::from_url(url).map_err(StoreError::Unavailable)?;
        let statements = Arc::new(StatementTimes::default());
        let pool = Pool::builder()
            .max_size(pool_size.max(1))
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            // A round trip per checkout is too dear; dead connections are found when they fail.
            .test_on_check_out(false)
            .build(Manager::new(backend, target, statements.clone()))
            .map_err(|e| StoreError::Unavailable(format!("{}: {e}", conn::redact(url))))?;
        Ok(Store {
            pool,
            statements,
            backend,
            policy: Arc::new(Policy::default()),
            write_lock: Arc::new(Mutex::new(())),
        })
    }

    /// The same store under other rules of time; the calendar stays the store's own.
    pub fn with_policy(self, policy: Policy) -> Store {
        let calendar = self.policy.calendar.clone();
        Store {
            policy: Arc::new(Policy { calendar, ..policy }),
            ..self
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// SQL statements this store's connections have sent since it opened.
    pub fn queries_sent(&self) -> u64 {
        self.statements.started()
    }

    /// Statements sent and how long they took.
    pub fn statement_times(&self) -> StatementSnapshot {
        self.statements.snapshot()
    }

    /// The connection pool now.
    pub fn pool_use(&self) -> PoolUse {
        let state = self.pool.state();
        PoolUse {
            open: state.connections,
            idle: state.idle_connections,
            waiting: self.statements.waiting().load(Ordering::Relaxed),
        }
    }

    /// Applies pending migrations, then installs the bundled calendar years the database lacks
    /// and reads the calendar; returns how many migrations ran.
    pub fn migrate(&self) -> Result<usize, StoreError> {
        let ran = {
            let _guard = self.lock_writes()?;
            let mut c = self.conn()?;
            conn::run_migrations(&mut c)
                .map_err(|e| StoreError::Internal(format!("migration failed: {e}")))?
        };
        self.install_calendar(domain::calendar::BUNDLED, "bundled")?;
        Ok(ran)
    }

    /// Reverts every migration (for the up → down → up check).
    pub fn revert_all_migrations(&self) -> Result<usize, StoreError> {
        let _guard = self.lock_writes()?;
        let mut c = self.conn()?;
        conn::revert_all_migrations(&mut c)
            .map_err(|e| StoreError::Internal(format!("revert failed: {e}")))
    }

    /// Whether the database answers now.
    pub fn ping(&self) -> Result<(), StoreError> {
        use diesel::connection::SimpleConnection;
        let mut c = self.conn()?;
        c.batch_execute("SELECT 1").map_err(StoreError::from)
    }

    fn conn(&self) -> Result<PooledConnection<Manager>, StoreError> {
        let waiting = self.statements.waiting();
        waiting.fetch_add(1, Ordering::Relaxed);
        let got = self.pool.get();
        waiting.fetch_sub(1, Ordering::Relaxed);
        Ok(got?)
    }

    fn lock_writes(&self) -> Result<Option<std::sync::MutexGuard<'_, ()>>, StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        self.write_lock
            .lock()
            .map(Some)
            .map_err(|_| StoreError::Internal("write lock poisoned".into()))
    }

    /// Runs reads on one connection. On SQLite in a transaction, so that they see one state. Not
    /// on PostgreSQL: under its READ COMMITTED each statement takes its own snapshot anyway, and
    /// BEGIN and COMMIT would be two more round trips per read; a read that fails there checks
    /// its connection, so that a dead one leaves the pool.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut pooled = self.conn()?;
        if self.backend == Backend::Sqlite {
            return pooled.transaction(f);
        }
        let result = f(&mut pooled);
        if result.is_err() {
            check_connection(&mut pooled);
        }
        result
    }

    /// Runs one command in one transaction: all of it is written, or none.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let _guard = self.lock_writes()?;
        let mut pooled = self.conn()?;
        let sqlite = self.backend == Backend::Sqlite;
        let result = pooled.transaction(|c| {
            if sqlite {
                // Takes the write lock before anything is read (see the table's migration): a
                // command of another process then waits (busy_timeout) instead of failing.
                use diesel::connection::SimpleConnection;
                c.batch_execute("UPDATE write_gate SET id = id WHERE 0")?;
            }
            f(c)
        });
        if result.is_err() {
            check_connection(&mut pooled);
        }
        result
    }
}

/// The row `$id` of table `$t` as long as its `status` is still `$status`, the state it was read
/// in: an update of it changes nothing once another command has moved it on (see [`changed_one`]).
macro_rules! in_state {
    ($t:ident, $id:expr, $status:expr) => {
        $t::table.find($id).filter($t::status.eq($status))
    };
}
pub(crate) use in_state;

/// After an update guarded by the state it was read in (`… WHERE status = <as read>`): no row
/// changed means another command, perhaps on another instance, changed it first. That caller
/// loses with a conflict, never an internal error.
pub(crate) fn changed_one(rows: usize, what: &str) -> Result<(), StoreError> {
    if rows == 1 {
        Ok(())
    } else {
        Err(domain::DomainError::conflict(format!(
            "{what}刚被另一操作处理，状态已改变；请刷新后查看"
        ))
        .into())
    }
}

/// After a failure: a connection that no longer answers is dropped by the pool.
fn check_connection(pooled: &mut conn::PoolConnection) {
    use diesel::connection::SimpleConnection;
    pooled.broken = pooled.batch_execute("SELECT 1").is_err();
}

diesel::define_sql_function!(fn pg_advisory_xact_lock(key: diesel::sql_types::BigInt));

/// Holds the lock `key` until the transaction ends, so that commands appending to one sequence
/// (the audit chain, the change feed) take their numbers in commit order. PostgreSQL only: SQLite
/// has one writer at a time already.
pub(crate) fn hold_sequence_lock(c: &mut AnyConnection, key: i64) -> Result<(), StoreError> {
    use diesel::RunQueryDsl;
    if let AnyConnection::Postgresql(pg) = c {
        diesel::select(pg_advisory_xact_lock(key)).execute(pg)?;
    }
    Ok(())
}

/// A new time-ordered id.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A secret shown once to whoever it is made for: `prefix` and 256 random bits in hex (two
/// version-4 UUIDs' worth, from the operating system's generator).
pub(crate) fn new_secret(prefix: &str) -> String {
    format!(
        "{prefix}{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

thread_local! {
    /// The instant the store's commands take as now on this thread, while [`as_if_at`] runs.
    static NOW: std::cell::Cell<Option<chrono::NaiveDateTime>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` with the store's clock stopped at `at` (UTC) on this thread: the demo data is made
/// through the store's own commands as if on the days it tells of, every timestamp with it.
/// Nothing else sets it; the server's requests never run under it.
pub fn as_if_at<T>(at: chrono::NaiveDateTime, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<chrono::NaiveDateTime>);
    impl Drop for Restore {
        fn drop(&mut self) {
            NOW.with(|n| n.set(self.0));
        }
    }
    let _restore = Restore(NOW.with(|n| n.replace(Some(at))));
    f()
}

pub(crate) fn now() -> chrono::NaiveDateTime {
    NOW.with(|n| n.get())
        .unwrap_or_else(|| chrono::Utc::now().naive_utc())
}
