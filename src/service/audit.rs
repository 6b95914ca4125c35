//! The audit trail: one event per request (or per step of work outside one), naming who, when, the
//! operation, its outcome and the records it returned or changed.
//!
//! A request's services note what they touch in the request's [`AuditSink`]; once the handler has
//! answered, the API hands the event to the [`AuditWriter`], which commits the events of many
//! requests in one transaction, and the answer goes out only after its event is committed. A read
//! thus writes nothing itself: on SQLite reads no longer queue one by one for the write lock. Work
//! outside a request (jobs, the command line, an import's batches) writes its events in its own
//! transaction, with the records they belong to.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Actor, Result, ServiceError};
use crate::db::rows::AuditEventRow;
use crate::db::{DbConn, Pool, new_id, now, repo};
use crate::model::AuditRecords;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Create,
    Read,
    Update,
    Delete,
    /// A patient search: the patients found.
    Search,
    /// Patient data sent outside the registry: a letter mailed or printed, a submission file.
    Disclose,
    /// A value shown in full that lists and reads show masked (the SSN).
    Reveal,
    /// A person signing in, whether let in or refused (the event's status says which).
    SignIn,
}

impl Action {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Read => "read",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Search => "search",
            Self::Disclose => "disclose",
            Self::Reveal => "reveal",
            Self::SignIn => "sign-in",
        }
    }
}

/// What one request touched, noted by the services it called.
#[derive(Clone, Debug, Default)]
pub struct AuditSink(Arc<Mutex<Vec<AuditRecords>>>);

impl AuditSink {
    pub fn note(&self, action: Action, entity: &str, ids: &[&str], to: Option<&str>) {
        let Ok(mut touched) = self.0.lock() else { return };
        let same = |t: &&mut AuditRecords| {
            t.action == action.as_str() && t.entity == entity && t.to.as_deref() == to
        };
        let at = match touched.iter_mut().position(|t| same(&t)) {
            Some(i) => i,
            None => {
                touched.push(AuditRecords {
                    action: action.as_str().into(),
                    entity: entity.into(),
                    ids: Vec::new(),
                    to: to.map(str::to_owned),
                });
                touched.len() - 1
            }
        };
        let t = &mut touched[at];
        for id in ids {
            if !t.ids.iter().any(|known| known == id) {
                t.ids.push((*id).to_owned());
            }
        }
    }

    /// The records noted so far, emptied.
    pub fn take(&self) -> Vec<AuditRecords> {
        self.0.lock().map(|mut t| std::mem::take(&mut *t)).unwrap_or_default()
    }
}

/// Notes `action` by `actor` on each of `ids` of `entity` (patient, tumor, treatment, contact,
/// letter, token …): in the request's event, or, outside a request, as an event of its own.
pub fn record(
    conn: &mut DbConn,
    actor: &Actor,
    action: Action,
    entity: &str,
    ids: &[&str],
) -> Result<()> {
    record_to(conn, actor, action, entity, ids, None)
}

/// [`record`] with the recipient of a disclosure (`patient`, `physician`, the central registry).
pub fn record_to(
    conn: &mut DbConn,
    actor: &Actor,
    action: Action,
    entity: &str,
    ids: &[&str],
    to: Option<&str>,
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    if let Some(sink) = &actor.audit {
        sink.note(action, entity, ids, to);
        return Ok(());
    }
    let sink = AuditSink::default();
    sink.note(action, entity, ids, to);
    let row = event(actor, &actor.name, None, sink.take())?;
    repo::insert_audit_events(conn, &[row])?;
    Ok(())
}

/// Most record ids one event of a disclosure names.
const DISCLOSED_PER_EVENT: usize = 1000;

/// Records a disclosure of `ids` to `to` (a file that leaves the registry) as events of their own,
/// in the caller's transaction: a file can carry a million patients, more than one event should.
pub fn disclose(
    conn: &mut DbConn,
    actor: &Actor,
    operation: &str,
    entity: &str,
    ids: &[String],
    to: &str,
) -> Result<()> {
    let rows = ids
        .chunks(DISCLOSED_PER_EVENT)
        .map(|chunk| {
            let records = vec![AuditRecords {
                action: Action::Disclose.as_str().into(),
                entity: entity.into(),
                ids: chunk.to_vec(),
                to: Some(to.into()),
            }];
            event(actor, operation, None, records)
        })
        .collect::<Result<Vec<_>>>()?;
    repo::insert_audit_events(conn, &rows)?;
    Ok(())
}

/// Writes what `sink` holds as one event of `operation`, in the caller's transaction (work outside
/// a request that touches several records at once).
pub fn write(conn: &mut DbConn, actor: &Actor, operation: &str, sink: &AuditSink) -> Result<()> {
    let records = sink.take();
    if records.is_empty() {
        return Ok(());
    }
    repo::insert_audit_events(conn, &[event(actor, operation, None, records)?])?;
    Ok(())
}

/// An event row; `operation` names the route (`GET /api/v1/patients/{id}`) or the work.
pub fn event(
    actor: &Actor,
    operation: &str,
    status: Option<u16>,
    records: Vec<AuditRecords>,
) -> Result<AuditEventRow> {
    Ok(AuditEventRow {
        id: new_id(),
        at: now().into(),
        actor_token_id: actor.token_id.clone(),
        actor_name: actor.name.clone(),
        operation: operation.to_owned(),
        status: status.map(i32::from),
        records: serde_json::to_string(&records)
            .map_err(|e| ServiceError::File(format!("audit records: {e}")))?,
    })
}

type Queued = (AuditEventRow, tokio::sync::oneshot::Sender<bool>);

/// Most events one commit carries.
const GROUP: usize = 512;
/// How long the writer gathers events for one commit.
const GATHER: Duration = Duration::from_millis(2);

/// The single writer of request events: it takes every event waiting and commits them together.
pub struct AuditWriter {
    queue: mpsc::Sender<Queued>,
}

impl AuditWriter {
    /// Starts the writer thread; it ends when the writer is dropped.
    pub fn start(pool: Pool) -> Self {
        let (queue, events) = mpsc::channel::<Queued>();
        let spawned = std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || write_events(&pool, &events));
        if let Err(e) = spawned {
            // Without a writer every event fails to commit and every answer is withheld (503).
            tracing::error!(error = %e, "the audit writer did not start");
        }
        Self { queue }
    }

    /// Commits one event; returns once it is durable.
    pub async fn commit(&self, row: AuditEventRow) -> Result<()> {
        let (done, committed) = tokio::sync::oneshot::channel();
        self.queue.send((row, done)).map_err(|_| ServiceError::AuditUnavailable)?;
        match committed.await {
            Ok(true) => Ok(()),
            _ => Err(ServiceError::AuditUnavailable),
        }
    }
}

/// The writer keeps one connection of its own: taking one from the pool for each group, it waited
/// behind the requests queued for connections, and every request answered meanwhile waited for it.
fn write_events(pool: &Pool, events: &mpsc::Receiver<Queued>) {
    let mut conn: Option<crate::db::PooledConn> = None;
    while let Ok(first) = events.recv() {
        // Events arriving within a moment of the first share its commit: under load a commit a
        // request costs more than the wait.
        let mut group = vec![first];
        let until = std::time::Instant::now() + GATHER;
        while group.len() < GROUP {
            let left = until.saturating_duration_since(std::time::Instant::now());
            match events.recv_timeout(left) {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        let rows: Vec<AuditEventRow> = group.iter().map(|(row, _)| row.clone()).collect();
        let mut committed = false;
        for attempt in 0..5u64 {
            if conn.is_none() {
                conn = pool
                    .get()
                    .inspect_err(
                        |e| tracing::warn!(error = %e, "no connection for the audit writer"),
                    )
                    .ok();
            }
            let outcome = match conn.as_mut() {
                Some(c) => crate::db::transaction(c, |c| {
                    Ok::<_, ServiceError>(repo::insert_audit_events(c, &rows)?)
                }),
                None => Err(ServiceError::AuditUnavailable),
            };
            match outcome {
                Ok(()) => {
                    committed = true;
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, events = rows.len(), attempt, "audit events not written");
                    conn = None;
                    std::thread::sleep(Duration::from_millis(50 * (attempt + 1)));
                }
            }
        }
        for (_, done) in group {
            let _ = done.send(committed);
        }
    }
}

/// What an archive run moved out of the database.
#[derive(Clone, Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArchiveReport {
    pub events: u64,
    pub bytes: u64,
    pub file: String,
}

/// Events read and deleted per round of an archive.
const ARCHIVE_PAGE: i64 = 10_000;

/// Moves the events from before `before` into `out`, one JSON event per line (as
/// `GET /api/v1/audit` shows them), and deletes them from the database only once the file holds
/// them and is synced to disk. An existing file is never overwritten. A run that fails part-way
/// leaves every event in the database (and a file to delete).
pub fn archive(
    conn: &mut DbConn,
    actor: &Actor,
    before: chrono::NaiveDate,
    out: &std::path::Path,
) -> Result<ArchiveReport> {
    use std::io::Write;
    actor.require(super::Role::Admin)?;
    let file_err = |e: std::io::Error| {
        ServiceError::File(format!("writing the archive {}: {e}", out.display()))
    };
    let cutoff = before.and_hms_opt(0, 0, 0).unwrap_or_default();
    let file =
        std::fs::OpenOptions::new().write(true).create_new(true).open(out).map_err(file_err)?;
    let mut writer = std::io::BufWriter::new(file);
    let mut ids: Vec<String> = Vec::new();
    let mut bytes = 0u64;
    let mut after: Option<String> = None;
    loop {
        let rows = repo::audit_events_before(conn, cutoff, after.as_deref(), ARCHIVE_PAGE)?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id.clone());
        for row in rows {
            let line = serde_json::to_string(&super::admin::audit_entry(row.clone()))
                .map_err(|e| ServiceError::File(format!("audit event: {e}")))?;
            writer
                .write_all(line.as_bytes())
                .and_then(|()| writer.write_all(b"\n"))
                .map_err(file_err)?;
            bytes += line.len() as u64 + 1;
            ids.push(row.id);
        }
    }
    let file = writer.into_inner().map_err(|e| file_err(e.into_error()))?;
    file.sync_all().map_err(file_err)?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(file_err)?;
    }
    for chunk in ids.chunks(ARCHIVE_PAGE as usize) {
        crate::db::transaction(conn, |c| {
            Ok::<_, ServiceError>(repo::delete_audit_events(c, chunk)?)
        })?;
    }
    // The archive itself is an event that stays.
    let touched = vec![AuditRecords {
        action: "archive".into(),
        entity: "audit".into(),
        ids: vec![format!("{} events before {before}", ids.len())],
        to: Some(out.display().to_string()),
    }];
    repo::insert_audit_events(conn, &[event(actor, "audit archive", None, touched)?])?;
    Ok(ArchiveReport { events: ids.len() as u64, bytes, file: out.display().to_string() })
}
