//! One connection type for both backends, and the pool that hands them out.

use crate::statements::StatementTimes;
use diesel::connection::InstrumentationEvent;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::sync::Arc;

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    /// Reads `postgres://…` / `postgresql://…` or `sqlite://PATH`; returns the backend and the string
    /// its driver takes.
    pub fn from_url(url: &str) -> Result<(Backend, String), String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok((Backend::Postgres, url.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() || path.contains(":memory:") {
                return Err(
                    "sqlite:// needs a file path (an in-memory database is not shared by a pool)"
                        .into(),
                );
            }
            Ok((Backend::Sqlite, path.to_owned()))
        } else {
            Err(format!(
                "database URL must start with postgres:// or sqlite://, got {:?}",
                redact(url)
            ))
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// A URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***@{}", &url[..s], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

/// Builds connections of the configured backend directly, rather than trying each in turn.
#[derive(Debug)]
pub struct Manager {
    backend: Backend,
    target: String,
    /// Statements sent by every connection of the pool and their durations, for `/metrics` (and
    /// the test that a page of subjects costs a fixed number of queries).
    statements: Arc<StatementTimes>,
}

impl Manager {
    pub fn new(backend: Backend, target: String, statements: Arc<StatementTimes>) -> Self {
        Manager {
            backend,
            target,
            statements,
        }
    }

    fn counting<C: Connection>(&self, mut c: C) -> C {
        let statements = self.statements.clone();
        // A connection runs one statement at a time, so one start time is enough.
        let mut started = None;
        c.set_instrumentation(move |event: InstrumentationEvent<'_>| match event {
            InstrumentationEvent::StartQuery { .. } => {
                statements.start();
                started = Some(std::time::Instant::now());
            }
            InstrumentationEvent::FinishQuery { .. } => {
                if let Some(at) = started.take() {
                    statements.finish(at.elapsed());
                }
            }
            _ => {}
        });
        c
    }
}

/// A pooled connection, and whether it was found dead: the pool drops it when it comes back.
/// Connections are not tested on every checkout (a round trip each time); a failure on one is.
pub struct PoolConnection {
    conn: AnyConnection,
    pub(crate) broken: bool,
}

impl std::ops::Deref for PoolConnection {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for PoolConnection {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

impl ManageConnection for Manager {
    type Connection = PoolConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<PoolConnection, r2d2::Error> {
        self.open().map(|conn| PoolConnection {
            conn,
            broken: false,
        })
    }

    fn is_valid(&self, conn: &mut PoolConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut PoolConnection) -> bool {
        use diesel::r2d2::R2D2Connection;
        conn.broken || conn.conn.is_broken()
    }
}

impl Manager {
    fn open(&self) -> Result<AnyConnection, r2d2::Error> {
        match self.backend {
            Backend::Postgres => PgConnection::establish(&self.target)
                .map(|c| AnyConnection::Postgresql(self.counting(c)))
                .map_err(r2d2::Error::ConnectionError),
            Backend::Sqlite => {
                let mut c = SqliteConnection::establish(&self.target)
                    .map_err(r2d2::Error::ConnectionError)?;
                // The busy timeout first: the pool opens several connections at once, and switching a
                // new file to WAL (so that readers run beside the one writer) takes a lock. Foreign
                // keys are off by default in SQLite.
                c.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                     PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(AnyConnection::Sqlite(self.counting(c)))
            }
        }
    }
}

type MigrationError = Box<dyn std::error::Error + Send + Sync>;

pub fn run_migrations(conn: &mut AnyConnection) -> Result<usize, MigrationError> {
    let applied = match conn {
        AnyConnection::Postgresql(c) => c.run_pending_migrations(PG_MIGRATIONS)?.len(),
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS)?.len(),
    };
    Ok(applied)
}

pub fn revert_all_migrations(conn: &mut AnyConnection) -> Result<usize, MigrationError> {
    let reverted = match conn {
        AnyConnection::Postgresql(c) => c.revert_all_migrations(PG_MIGRATIONS)?.len(),
        AnyConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS)?.len(),
    };
    Ok(reverted)
}

/// Inserts many rows in one statement. diesel's multi-backend type cannot express a batch insert,
/// so it runs on the connection underneath, inside whatever transaction is open.
macro_rules! batch_insert {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            $crate::conn::AnyConnection::Postgresql(c) => {
                diesel::insert_into($table).values($rows).execute(c)
            }
            $crate::conn::AnyConnection::Sqlite(c) => {
                diesel::insert_into($table).values($rows).execute(c)
            }
        }
    };
}
pub(crate) use batch_insert;

/// Inserts very many rows: COPY on PostgreSQL (several times faster than INSERT for a million
/// dispatches), batch INSERTs of `$per_statement` rows on SQLite (its limit is 32,766 parameters).
/// COPY goes in large pieces: within one, the client encodes while the server stores. The row type
/// must not treat `None` as DEFAULT.
macro_rules! bulk_insert {
    ($conn:expr, $table:expr, $rows:expr, $per_statement:expr) => {{
        let rows = $rows;
        let mut written = 0usize;
        match $conn {
            $crate::conn::AnyConnection::Postgresql(c) => {
                for chunk in rows.chunks($crate::conn::COPY_ROWS) {
                    written += diesel::copy_from($table)
                        .from_insertable(chunk)
                        .execute(c)?;
                }
            }
            $crate::conn::AnyConnection::Sqlite(c) => {
                for chunk in rows.chunks($per_statement) {
                    written += diesel::insert_into($table).values(chunk).execute(c)?;
                }
            }
        }
        Ok::<usize, $crate::error::StoreError>(written)
    }};
}
pub(crate) use bulk_insert;

/// Rows per COPY statement: large enough to stream, small enough to bound one message's memory.
pub(crate) const COPY_ROWS: usize = 10_000;
