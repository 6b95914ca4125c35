//! The store the outer layers hand their work to: a pool of database connections, with the
//! services' functions run on one of them. The API and the web pages reach the database only
//! through this and the service functions it runs.

use super::{Result, ServiceError};
use crate::db::{self, DbError, Pool};

/// A connection as the service functions take it.
pub type Conn = db::DbConn;

#[derive(Clone)]
pub struct Store {
    pool: Pool,
}

impl Store {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// Runs `f` on a pooled connection (blocking: call from a blocking thread).
    pub fn run<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        let mut conn = self.pool.get().map_err(DbError::from)?;
        f(&mut conn)
    }

    /// Runs `f` on a pooled connection and, on PostgreSQL when one is idle, a second one to read
    /// on while the first writes (an export); `f` works the same with `None`, only slower.
    pub fn run_with_reader<T>(
        &self,
        f: impl FnOnce(&mut Conn, Option<&mut Conn>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.pool.get().map_err(DbError::from)?;
        let mut reader = db::spare_connection(&self.pool);
        f(&mut conn, reader.as_deref_mut())
    }

    /// Whether the database answers (the health check).
    pub fn ping(conn: &mut Conn) -> Result<()> {
        use diesel::connection::SimpleConnection;
        conn.batch_execute("SELECT 1").map_err(|e| ServiceError::Db(e.into()))
    }

    /// The pool, for the parts that keep connections of their own (the audit writer, the jobs).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }
}

impl From<Pool> for Store {
    fn from(pool: Pool) -> Self {
        Self::new(pool)
    }
}

impl ServiceError {
    /// The store cannot serve now (no connection, or a lock or serialization conflict): the same
    /// request may succeed if retried.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::AuditUnavailable | Self::Db(DbError::Pool(_)) => true,
            Self::Db(DbError::Query(e)) => db::is_busy(e),
            _ => false,
        }
    }
}
