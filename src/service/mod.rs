//! Use-cases, one transaction each: validate with the domain, write through `db::repo`, audit.
//! Nothing here knows HTTP; every function takes the connection and the acting principal.

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod auth;
pub mod changes;
pub mod contacts;
pub mod edit_runs;
pub mod edits;
pub mod followup;
mod history;
pub mod imports;
mod items;
pub mod jobs;
pub mod letters;
pub mod mp;
mod naaccr_load;
pub mod patients;
pub mod queues;
pub mod reports;
pub mod settings;
mod store;
pub mod submissions;
pub mod treatments;
pub mod tumors;
mod worklist;

pub use store::{Conn, Store};

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::db::DbError;
pub use crate::db::repo::RecordFilter;
use crate::domain::Violation;
use crate::model::Stamped;
pub use auth::{Actor, Role};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("the record is not valid")]
    Invalid(Vec<Violation>),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with the records' state: a duplicate key (rule `unique`), a record
    /// others still need (`record.inUse`), a step already taken (`state`).
    #[error("{message}")]
    Conflict { field: &'static str, rule: &'static str, message: String },
    /// The request body could not be read as the record (a type error after a merge patch).
    #[error("the request is malformed")]
    BadRequest(Vec<Violation>),
    #[error("the record was changed by someone else (current version {current})")]
    VersionMismatch { current: i32 },
    #[error("this action needs the {0} role")]
    Forbidden(&'static str),
    #[error("a worker thread failed")]
    Worker,
    #[error("invalid cursor")]
    BadCursor,
    #[error(transparent)]
    Db(#[from] DbError),
    /// A file could not be written or read (submission files); never user input.
    #[error("file: {0}")]
    File(String),
    /// The audit event of a request could not be committed: its answer is withheld.
    #[error("the audit trail could not be written")]
    AuditUnavailable,
    /// An uploaded file was refused as a whole (NAACCR fatal error).
    #[error("the file was refused: {0}")]
    Refused(String),
}

impl From<diesel::result::Error> for ServiceError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(e))
    }
}

impl From<r2d2::Error> for ServiceError {
    fn from(e: r2d2::Error) -> Self {
        Self::Db(DbError::Pool(e))
    }
}

pub type Result<T> = std::result::Result<T, ServiceError>;

/// The transaction of a read: within a request the audit event is written after, so it only reads
/// (no write lock on SQLite); outside one it writes its own event and takes the write lock first.
pub(crate) fn read<T>(
    conn: &mut crate::db::DbConn,
    actor: &Actor,
    f: impl FnOnce(&mut crate::db::DbConn) -> Result<T>,
) -> Result<T> {
    if actor.audit.is_some() {
        crate::db::read_transaction(conn, f)
    } else {
        crate::db::transaction(conn, f)
    }
}

/// What a use-case needs besides the records: the date today and the edit rule set in force.
#[derive(Clone, Copy, Debug)]
pub struct Ctx {
    pub today: chrono::NaiveDate,
    pub rule_set: crate::domain::edits::RuleSet,
}

/// A page request: an opaque cursor from the previous page and a size.
#[derive(Clone, Debug, Default)]
pub struct PageRequest {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 500;

impl PageRequest {
    /// The id after which the page starts.
    pub(crate) fn after(&self) -> Result<Option<String>> {
        match &self.cursor {
            None => Ok(None),
            // The cursor is the last id of the previous page; ids are UUIDs.
            Some(c)
                if !c.is_empty()
                    && c.len() <= 64
                    && c.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') =>
            {
                Ok(Some(c.to_ascii_lowercase()))
            }
            Some(_) => Err(ServiceError::BadCursor),
        }
    }

    pub(crate) fn limit(&self) -> i64 {
        i64::from(self.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE))
    }

    /// Loads one more row than asked to know whether a next page exists.
    pub(crate) fn page<T>(
        &self,
        mut rows: Vec<T>,
        id: impl Fn(&T) -> &str,
    ) -> (Vec<T>, Option<String>) {
        let limit = self.limit() as usize;
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|r| id(r).to_string())
        } else {
            None
        };
        (rows, next)
    }
}

/// A cursor of the right form that names no record (deleted since, or never issued): the page it
/// asks for cannot be found, which is not a malformed request.
pub(crate) fn unknown_cursor() -> ServiceError {
    ServiceError::Invalid(vec![Violation {
        field: "cursor".into(),
        rule: "cursor.unknown",
        message: "the cursor names no record; start again from the first page".into(),
    }])
}

pub(crate) fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t, Utc)
}

/// Reads a stored document and stamps it with the row's id, version and timestamps.
pub(crate) fn stamped_doc<T: serde::de::DeserializeOwned + Stamped>(
    data: &str,
    id: &str,
    version: i32,
    created: NaiveDateTime,
    updated: NaiveDateTime,
) -> Result<T> {
    let mut doc: T = parse_doc(data)?;
    doc.stamp(id, version, utc(created), utc(updated));
    Ok(doc)
}

/// Stored documents are written by this service; one that does not parse is corrupt data, not user error.
pub(crate) fn parse_doc<T: serde::de::DeserializeOwned>(data: &str) -> Result<T> {
    serde_json::from_str(data).map_err(|e| {
        ServiceError::Db(DbError::Query(diesel::result::Error::DeserializationError(Box::new(e))))
    })
}

pub(crate) fn to_doc<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| {
        ServiceError::Db(DbError::Query(diesel::result::Error::SerializationError(Box::new(e))))
    })
}

/// Applies an RFC 7396 merge patch to a stored record (its document with its items) and reads the
/// result as the record's body: what the patch leaves out stays as stored, `null` removes.
pub(crate) fn merge_patch<T: serde::de::DeserializeOwned>(
    data: &str,
    items: Option<&str>,
    patch: &serde_json::Value,
) -> Result<T> {
    if !patch.is_object() {
        return Err(ServiceError::BadRequest(vec![Violation {
            field: "body".into(),
            rule: "json.type",
            message: "a merge patch is a JSON object of the fields to change".into(),
        }]));
    }
    let mut doc: serde_json::Value = parse_doc(data)?;
    if let (Some(obj), Some(items)) = (doc.as_object_mut(), items) {
        obj.insert("items".into(), parse_doc(items)?);
    }
    json_patch::merge(&mut doc, patch);
    serde_path_to_error::deserialize(doc).map_err(|e| {
        let field = e.path().to_string();
        let message = match e.into_inner().to_string() {
            m if m.starts_with("unknown field") => {
                m.split(", expected").next().unwrap_or(&m).to_owned()
            }
            _ => "the value has the wrong type".to_owned(),
        };
        ServiceError::BadRequest(vec![Violation { field, rule: "json.type", message }])
    })
}

/// Text from a file, as a text column can hold it: PostgreSQL text cannot hold NUL, which a damaged
/// file's value may (in a record's JSON it is escaped), so U+FFFD stands in its place.
pub(crate) fn storable(s: &str) -> String {
    if s.contains('\0') { s.replace('\0', "\u{fffd}") } else { s.to_owned() }
}

/// Checks the optimistic-concurrency precondition before any work is done.
pub(crate) fn check_version(current: i32, expected: i32) -> Result<()> {
    if current == expected { Ok(()) } else { Err(ServiceError::VersionMismatch { current }) }
}

/// Worker threads for the batch pipelines (edits run, export): one per core, at most eight.
pub(crate) fn worker_count() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8)
}

/// Starts `threads` workers in `scope` that take jobs from `jobs` until it closes, or until `work`
/// returns `false` (its results have nowhere to go).
pub(crate) fn spawn_workers<'scope, J: Send>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    threads: usize,
    jobs: &'scope std::sync::Mutex<std::sync::mpsc::Receiver<J>>,
    work: impl Fn(J) -> bool + Send + Sync + 'scope,
) {
    let work = std::sync::Arc::new(work);
    for _ in 0..threads {
        let work = work.clone();
        scope.spawn(move || {
            loop {
                let next = jobs.lock().map_err(|_| ()).and_then(|rx| rx.recv().map_err(|_| ()));
                let Ok(job) = next else { break };
                if !work(job) {
                    break;
                }
            }
        });
    }
}
