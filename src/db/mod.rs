//! Storage: one connection type over SQLite or PostgreSQL, a pool, embedded migrations and row types.

/// Bulk inserts go to the concrete connection (multi-row INSERT and COPY are not available through
/// the shared backend).
///
/// SQLite: multi-row statements of 32, then 8, then 1 rows. Statements of constant shape are
/// prepared once per connection and reused (diesel caches statements whose query id is static; one
/// built for a slice of any length is parsed and planned anew each time). Row types insert `None`
/// as NULL (`treat_none_as_default_value = false`): with DEFAULT, diesel would split each SQLite
/// multi-row insert into single-row statements under a savepoint, and COPY needs it too.
/// PostgreSQL: COPY for 32 rows or more (it skips the executor's per-statement work, most of a
/// bulk insert's server time), small statements otherwise.
macro_rules! insert_many {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let rows = &$rows[..];
        match &mut *$conn {
            DbConn::Sqlite(c) => {
                let rest = insert_many!(@sized c, $table, rows, 32);
                let rest = insert_many!(@sized c, $table, rest, 8);
                let _ = insert_many!(@sized c, $table, rest, 1);
            }
            DbConn::Postgres(c) if rows.len() >= 32 => {
                diesel::copy_from($table).from_insertable(rows).execute(c)?;
            }
            DbConn::Postgres(c) => {
                let rest = insert_many!(@sized c, $table, rows, 8);
                let _ = insert_many!(@sized c, $table, rest, 1);
            }
        }
    }};
    (@sized $conn:expr, $table:expr, $rows:expr, $n:literal) => {{
        let mut chunks = $rows.chunks_exact($n);
        for chunk in &mut chunks {
            if let Ok(array) = <&[_; $n]>::try_from(chunk) {
                diesel::insert_into($table).values(array).execute($conn)?;
            }
        }
        chunks.remainder()
    }};
}

pub mod bulk;
pub mod followup;
pub mod queues;
pub mod repo;
pub mod rows;
pub mod schema;
pub mod settings;
pub mod stamp;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend; queries are written once against it.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("migration failed: {0}")]
    Migration(String),
}

/// Which backend a database URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database location parsed from `ONCOREG_DATABASE_URL`: a SQLite path or `sqlite://…`, or `postgres://…`.
#[derive(Clone, Debug)]
pub struct DatabaseUrl {
    pub backend: Backend,
    /// What the driver is given: a file path for SQLite, the URL for PostgreSQL.
    pub target: String,
}

/// How long a PostgreSQL connection attempt may take before it fails (libpq's `connect_timeout`),
/// unless the URL sets its own.
const PG_CONNECT_TIMEOUT_SECS: u32 = 5;

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Self {
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            let target = if raw.contains("connect_timeout=") {
                raw.to_string()
            } else {
                let sep = if raw.contains('?') { '&' } else { '?' };
                format!("{raw}{sep}connect_timeout={PG_CONNECT_TIMEOUT_SECS}")
            };
            Self { backend: Backend::Postgres, target }
        } else {
            let path = raw
                .strip_prefix("sqlite://")
                .or_else(|| raw.strip_prefix("sqlite:"))
                .unwrap_or(raw);
            Self { backend: Backend::Sqlite, target: path.to_string() }
        }
    }
}

impl DatabaseUrl {
    /// The database as an operator would name it in a message: the file, or the URL without its
    /// password and options.
    pub fn display(&self) -> String {
        match self.backend {
            Backend::Sqlite => self.target.clone(),
            Backend::Postgres => {
                let (scheme, rest) = self.target.split_once("://").unwrap_or(("postgres", ""));
                let rest = rest.split('?').next().unwrap_or_default();
                let rest = match rest.rsplit_once('@') {
                    Some((user, host)) => {
                        format!("{}@{host}", user.split(':').next().unwrap_or_default())
                    }
                    None => rest.to_string(),
                };
                format!("{scheme}://{rest}")
            }
        }
    }
}

/// Opens connections of the configured backend; SQLite gets WAL, foreign keys and a busy timeout.
#[derive(Clone, Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

impl Manager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }

    pub fn establish(&self) -> Result<DbConn, DbError> {
        match self.url.backend {
            Backend::Postgres => PgConnection::establish(&self.url.target)
                .map(DbConn::Postgres)
                .map_err(|e| self.connect_error(e)),
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.url.target)
                    .map_err(|e| self.connect_error(e))?;
                conn.batch_execute(
                    // The busy timeout comes first: switching to WAL needs a lock that pooled
                    // connections opening at once contend for.
                    "PRAGMA busy_timeout = 10000; PRAGMA page_size = 8192; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
                     PRAGMA temp_store = MEMORY;",
                )?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    /// One line naming the database and the driver's first line of why (libpq adds hints below).
    fn connect_error(&self, e: diesel::ConnectionError) -> DbError {
        let why = e.to_string();
        let why = why.lines().next().unwrap_or_default().trim().to_string();
        DbError::Connect(format!("{}: {why}", self.url.display()))
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConn;
    type Error = DbError;

    fn connect(&self) -> Result<DbConn, DbError> {
        self.establish()
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), DbError> {
        conn.batch_execute("SELECT 1").map_err(DbError::from)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

/// Builds the pool. SQLite allows one writer at a time, so its pool stays small.
pub fn pool(url: &DatabaseUrl, max_size: Option<u32>) -> Result<Pool, DbError> {
    let default = match url.backend {
        Backend::Sqlite => 8,
        Backend::Postgres => {
            keep_c_heap();
            16
        }
    };
    let manager = Manager::new(url.clone());
    // One connection first: a database that cannot be reached is one clear error at once, where
    // the pool would log a failed attempt after another for its whole connection timeout.
    drop(manager.establish()?);
    r2d2::Pool::builder()
        .max_size(max_size.unwrap_or(default))
        .connection_timeout(Duration::from_secs(15))
        .build(manager)
        .map_err(DbError::from)
}

/// A second connection for work that reads on one connection while it writes on another (an
/// export), on PostgreSQL only and only when the pool has one idle: the work runs on one connection
/// otherwise, slower but the same.
pub fn spare_connection(pool: &Pool) -> Option<PooledConn> {
    pool.try_get().filter(|c| matches!(**c, DbConn::Postgres(_)))
}

/// libpq builds every query result on the C heap. Freeing an export's page of forms (about a
/// megabyte) let glibc hand the top of its heap back to the system each time, and the next page
/// faulted it in again: a fifth of the export's reading thread. Freed C memory up to 64 MiB is
/// kept for reuse instead (Rust allocations go through mimalloc and are unaffected).
#[allow(unsafe_code)]
fn keep_c_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator tunable; it takes no pointers and is thread-safe.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
    }
}

/// Applies pending migrations of the connection's backend; returns the versions applied.
pub fn run_migrations(conn: &mut DbConn) -> Result<Vec<String>, DbError> {
    let applied = match conn {
        DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// Reverts every migration (used by the migration round-trip test).
pub fn revert_all_migrations(conn: &mut DbConn) -> Result<(), DbError> {
    match conn {
        DbConn::Postgres(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS).map(|_| ()),
        DbConn::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(|_| ()),
    }
    .map_err(|e| DbError::Migration(e.to_string()))
}

/// The versions of the applied migrations, oldest first (used by the data-migration tests).
pub fn applied_migrations(conn: &mut DbConn) -> Result<Vec<String>, DbError> {
    let mut v = match conn {
        DbConn::Postgres(c) => c.applied_migrations(),
        DbConn::Sqlite(c) => c.applied_migrations(),
    }
    .map_err(|e| DbError::Migration(e.to_string()))?
    .iter()
    .map(ToString::to_string)
    .collect::<Vec<_>>();
    v.sort();
    Ok(v)
}

/// Reverts the latest applied migration (used by the data-migration tests).
pub fn revert_last_migration(conn: &mut DbConn) -> Result<String, DbError> {
    match conn {
        DbConn::Postgres(c) => c.revert_last_migration(POSTGRES_MIGRATIONS),
        DbConn::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS),
    }
    .map(|v| v.to_string())
    .map_err(|e| DbError::Migration(e.to_string()))
}

impl DbConn {
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Postgres(_) => Backend::Postgres,
            DbConn::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// A new time-ordered id: keyset pagination on it is stable under concurrent inserts.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Timestamps are stored as naive UTC.
pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// True when the error is a unique-constraint violation (the record is already there).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Runs one insert that may hit a unique key: false when the key is already taken. On PostgreSQL the
/// insert runs in a savepoint, so a failed one does not abort the enclosing transaction.
pub fn insert_unless_taken(
    conn: &mut DbConn,
    insert: impl FnOnce(&mut DbConn) -> diesel::QueryResult<usize>,
) -> diesel::QueryResult<bool> {
    use diesel::Connection;
    let result = match conn {
        DbConn::Postgres(_) => conn.transaction(insert),
        DbConn::Sqlite(_) => insert(conn),
    };
    match result {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Runs `f` in a transaction that writes. On SQLite it takes the write lock up front
/// (`BEGIN IMMEDIATE`): a deferred transaction that upgrades from read to write fails at once with
/// "database is locked" instead of waiting out the busy timeout. Diesel's own transaction manager tracks it, so nested transactions
/// (diesel's SQLite batch insert opens one) become savepoints.
pub fn transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    sqlite_transaction(conn, "BEGIN IMMEDIATE", f)
}

/// A transaction that only reads: on SQLite a deferred `BEGIN`, which takes no write lock, so
/// reads never queue for the one writer (they see one snapshot throughout).
pub fn read_transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    sqlite_transaction(conn, "BEGIN", f)
}

/// SQLite has one writer, and a writer waiting for the lock polls with growing sleeps: one that just
/// committed (an import between its batches) took the lock again before a waiting one woke, and the
/// audit writer, with every request behind it, waited most of a second. The writers of this process
/// queue here first, in arrival order, so a write waits at most for the writes ahead of it.
static SQLITE_WRITERS: parking_lot::FairMutex<()> = parking_lot::const_fair_mutex(());

thread_local! {
    /// Whether this thread holds its turn already (a write on a second connection within one).
    static WRITING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// This thread's turn to write on SQLite, released when dropped.
struct WriterTurn(Option<parking_lot::FairMutexGuard<'static, ()>>);

impl WriterTurn {
    fn take() -> Self {
        if WRITING.with(|w| w.replace(true)) {
            return Self(None);
        }
        Self(Some(SQLITE_WRITERS.lock()))
    }
}

impl Drop for WriterTurn {
    fn drop(&mut self) {
        if self.0.take().is_some() {
            WRITING.with(|w| w.set(false));
        }
    }
}

fn sqlite_transaction<T, E, F>(conn: &mut DbConn, begin: &str, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConn::Sqlite(inner) = conn else {
        return conn.transaction(f);
    };
    let _turn = (begin != "BEGIN").then(WriterTurn::take);
    AnsiTransactionManager::begin_transaction_sql(inner, begin)?;
    let result = f(conn);
    let DbConn::Sqlite(inner) = conn else {
        return result;
    };
    match result {
        Ok(value) => {
            if let Err(e) = AnsiTransactionManager::commit_transaction(inner) {
                let _ = AnsiTransactionManager::rollback_transaction(inner);
                return Err(e.into());
            }
            Ok(value)
        }
        Err(e) => {
            let _ = AnsiTransactionManager::rollback_transaction(inner);
            Err(e)
        }
    }
}

/// True when the database gave up on the transaction for others' sake: SQLite's write lock waited
/// out, a PostgreSQL deadlock (seen once under two concurrent contract-test workers, on a treatment
/// patch) or serialization failure. It was rolled back whole; the caller may retry (503).
pub fn is_busy(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => true,
        Error::DatabaseError(_, info) => {
            let m = info.message();
            m.contains("database is locked") || m.contains("deadlock detected")
        }
        _ => false,
    }
}

/// Refreshes the query planner's statistics after a bulk load, so that a fresh registry's first
/// queries use the indexes (PostgreSQL otherwise guesses from empty-table estimates).
pub fn analyze(conn: &mut DbConn) -> Result<(), DbError> {
    let sql = match conn {
        // SQLite reads whole indexes unless told to sample (PostgreSQL samples by default).
        DbConn::Sqlite(_) => "PRAGMA analysis_limit = 1000; ANALYZE;",
        DbConn::Postgres(_) => "ANALYZE",
    };
    conn.batch_execute(sql).map_err(DbError::from)
}

#[cfg(test)]
mod tests {
    use diesel::result::{DatabaseErrorKind, Error};

    #[test]
    fn busy_errors_are_the_ones_a_retry_resolves() {
        let db = |kind, m: &str| Error::DatabaseError(kind, Box::new(m.to_string()));
        assert!(super::is_busy(&db(DatabaseErrorKind::Unknown, "database is locked")));
        assert!(super::is_busy(&db(DatabaseErrorKind::Unknown, "deadlock detected")));
        assert!(super::is_busy(&db(
            DatabaseErrorKind::SerializationFailure,
            "could not serialize"
        )));
        assert!(!super::is_busy(&db(DatabaseErrorKind::UniqueViolation, "duplicate key")));
        assert!(!super::is_busy(&Error::NotFound));
    }
}
