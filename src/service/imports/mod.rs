//! NAACCR import: XML (v14–v26, plain or gzip) and flat files (v14–v18) into patients, tumors,
//! first-course treatments and follow-up contacts, in batches of patients over bulk queries.
//!
//! Store first, flag what is wrong: every value is kept. A value its typed field cannot hold (a code
//! not in its list, an impossible or future date) stays in the record's item map as read and is
//! reported; missing items and failing edits are findings stored with the records, never a reason
//! to leave a patient out. A patient is rejected only without a usable patient id number, or when
//! one of its tumors matches a stored tumor ambiguously.
//!
//! Each batch of whole patients is its own short transaction, so the API keeps answering while a
//! large file goes in (a write waits at most one batch), and the kept import says how far it got
//! after every batch. A file refused before its first batch leaves the registry untouched; a fatal
//! error later (a truncated file), a cancellation or a killed process keeps the batches written.
//! Records match on patient id number and, within the patient, on the hospital sequence number
//! (with the accession number when both have one), else the central sequence number, else the
//! tumor record number (`plan`), so importing the same file again completes an import that stopped
//! and changes nothing already stored. One import runs at a time per registry (a lease): a second
//! is refused with `import.running`.

pub mod kept;
mod matching;
mod plan;
mod write;

use std::collections::{HashSet, VecDeque};
use std::io::{BufRead, BufReader};
use std::sync::mpsc;

use chrono::NaiveDate;
use flate2::bufread::MultiGzDecoder;

use super::naaccr_load::{self, Fetched};
use super::{Actor, Result, Role, ServiceError};
use crate::db::DbConn;
use crate::db::bulk;
use crate::domain::edits::RuleSet;
use crate::domain::identifiers::PatientIdNumber;
use crate::domain::naaccr::{Dictionary, RecordType};
use crate::formats::flat_file::FlatFileReader;
use crate::formats::naaccr_read::{NaaccrXmlReader, ProblemKind, ReadPatient, ReadProblem};
use crate::formats::records::{self, Incoming};
use crate::model::{ImportProblem, ImportReport};
use write::PlannedBatch;

/// Patients per write batch.
const BATCH: usize = 1000;
/// Patients with problems listed in a report.
const REPORT_LIMIT: usize = 1000;

type Patients<'a> = Box<dyn Iterator<Item = std::result::Result<ReadPatient, String>> + Send + 'a>;

fn problem(
    level: &str,
    tumor: Option<usize>,
    id: Option<&str>,
    rule: &str,
    outcome: &str,
    msg: String,
) -> ImportProblem {
    ImportProblem {
        level: level.into(),
        tumor,
        naaccr_id: id.map(str::to_owned),
        rule: rule.into(),
        outcome: outcome.into(),
        message: msg,
    }
}

fn read_problem(p: &ReadProblem) -> ImportProblem {
    let (rule, outcome, msg) = match &p.kind {
        ProblemKind::UnknownNaaccrId => {
            ("item.unknown", "dropped", "not an item of this version and record type".to_string())
        }
        ProblemKind::BadNaaccrNum { given, expected } => {
            ("item.naaccrNum", "reported", format!("naaccrNum {given} given, {expected} expected"))
        }
        ProblemKind::WrongLevel { expected } => {
            ("item.level", "dropped", format!("the item belongs under {}", expected.as_str()))
        }
        ProblemKind::Value(v) => ("item.value", "reported", v.to_string()),
        ProblemKind::BadTimeGenerated(_) => {
            ("root.timeGenerated", "reported", "timeGenerated is not an xsd:dateTime".into())
        }
        ProblemKind::BadLineLength { expected, got } => {
            ("line.length", "reported", format!("line is {got} characters, {expected} expected"))
        }
        ProblemKind::PatientValueMismatch => (
            "patient.mismatch",
            "dropped",
            "differs from the patient's first line; the first value is kept".into(),
        ),
    };
    problem(p.level.as_str(), p.tumor, p.naaccr_id.as_deref(), rule, outcome, msg)
}

/// A decompressed stream that fails, rather than ends, once it passes `left` bytes: a gzip bomb
/// is refused instead of being read as a truncated file.
struct Expanded<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: std::io::Read> std::io::Read for Expanded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
            std::io::Error::other(format!(
                "the file expands to more than {} bytes once decompressed (the import's limit)",
                self.limit
            ))
        })?;
        Ok(n)
    }
}

/// Opens a file: gzip is detected by its magic bytes, XML by its first `<`, else a v18 flat file.
/// Returns the format name, the dictionary, the record type, header problems and the patients.
fn open<'a>(
    input: Box<dyn BufRead + Send + 'a>,
    max_expanded: u64,
) -> Result<(&'static str, &'static Dictionary, RecordType, Vec<ImportProblem>, Patients<'a>)> {
    let mut input = input;
    let gz = input
        .fill_buf()
        .map_err(|e| ServiceError::Refused(e.to_string()))?
        .starts_with(&[0x1f, 0x8b]);
    let mut input: Box<dyn BufRead + Send + 'a> = if gz {
        let inner = MultiGzDecoder::new(input);
        let expanded = Expanded { inner, left: max_expanded, limit: max_expanded };
        Box::new(BufReader::with_capacity(1 << 16, expanded))
    } else {
        input
    };
    let head = input
        .fill_buf()
        .map_err(|e| ServiceError::Refused(format!("cannot read the input: {e}")))?;
    let first =
        head.iter().copied().find(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF));
    match first {
        None => Err(ServiceError::Refused("the file is empty".into())),
        Some(b'<') => {
            let reader =
                NaaccrXmlReader::new(input).map_err(|e| ServiceError::Refused(e.to_string()))?;
            let h = reader.header();
            let (dict, rt) = (h.dictionary, h.record_type);
            let header = h.problems.iter().map(read_problem).collect();
            Ok(("xml", dict, rt, header, Box::new(reader.map(|r| r.map_err(|e| e.to_string())))))
        }
        Some(_) => {
            let mut reader =
                FlatFileReader::new(input).map_err(|e| ServiceError::Refused(e.to_string()))?;
            let first = match reader.next() {
                None => return Err(ServiceError::Refused("the file has no records".into())),
                Some(Err(e)) => return Err(ServiceError::Refused(e.to_string())),
                Some(Ok(p)) => p,
            };
            let rt = reader.record_type().unwrap_or(RecordType::I);
            let dict = reader
                .dictionary()
                .ok_or_else(|| ServiceError::Refused("the file has no records".into()))?;
            let rest = reader.map(|r| r.map_err(|e| e.to_string()));
            Ok(("flat", dict, rt, Vec::new(), Box::new(std::iter::once(Ok(first)).chain(rest))))
        }
    }
}

/// What is known of an upload before it is read: the file's name (a form upload, the CLI's path)
/// and its size in bytes.
#[derive(Clone, Debug, Default)]
pub struct Upload {
    pub file_name: Option<String>,
    pub bytes: u64,
}

/// The lease one import holds while it runs; a killed import frees it after [`LEASE_SECS`].
const LEASE: &str = "import";
const LEASE_SECS: u64 = 15;

/// Imports one file and keeps it, with its report, among the imports (`kept`).
/// `Err(ServiceError::Refused)` when the file is refused before any patient is stored (the refusal
/// is kept too); `Err(Conflict)` with rule `import.running` while another import runs.
///
/// A pipeline: a reader thread parses the file into batches of patients; this thread looks up
/// what the registry already holds of each batch and writes the outcome; worker threads plan the
/// batches (match, validate, run the edits) in between. Batches are written in file order.
pub fn import(
    conn: &mut DbConn,
    actor: &Actor,
    input: Box<dyn BufRead + Send + '_>,
    max_expanded: u64,
    ctx: super::Ctx,
    upload: &Upload,
) -> Result<ImportReport> {
    actor.require(Role::Registrar)?;
    let id = crate::db::new_id();
    if !super::jobs::acquire_lease(conn, LEASE, &id, LEASE_SECS)? {
        let running = kept::running(conn)?;
        return Err(ServiceError::Conflict {
            field: "file",
            rule: "import.running",
            message: format!(
                "another import is running{}: wait until it ends (GET /api/v1/imports) or cancel \
                 it, then send the file again",
                running.map(|r| format!(" (import {r})")).unwrap_or_default()
            ),
        });
    }
    let result = kept::interrupt_others(conn, &id)
        .and_then(|()| read_and_store(conn, actor, input, max_expanded, ctx, upload, &id));
    // A lease left behind expires on its own.
    let _ = super::jobs::release_lease(conn, LEASE, &id);
    let report = result?;
    // A large file changes the tables' shape: let the planner see it.
    if report.tumors_read >= 10_000 {
        crate::db::analyze(conn)?;
    }
    Ok(report)
}

/// Reads the file and stores its patients batch by batch, keeping the import's progress.
fn read_and_store(
    conn: &mut DbConn,
    actor: &Actor,
    input: Box<dyn BufRead + Send + '_>,
    max_expanded: u64,
    ctx: super::Ctx,
    upload: &Upload,
    id: &str,
) -> Result<ImportReport> {
    let (format, dict, rt, header, patients) = match open(input, max_expanded) {
        Err(ServiceError::Refused(reason)) => {
            kept::record_refused(conn, actor, upload, id, &reason)?;
            return Err(ServiceError::Refused(reason));
        }
        opened => opened?,
    };
    let mut report = ImportReport {
        id: Some(id.to_owned()),
        status: "running".into(),
        format: format.into(),
        record_type: rt.as_str().into(),
        naaccr_version: dict.version.clone(),
        header_problems: header,
        ..ImportReport::default()
    };
    kept::start(conn, actor, upload, &report)?;
    // The batches' audit events are written with the batches, not with the request's answer: a
    // batch stored is audited even if the import never ends.
    let batch_actor = Actor { audit: None, ..actor.clone() };
    let ctx = Ctx { dict, rt, today: ctx.today, rule_set: ctx.rule_set, actor: &batch_actor };
    let mut writer = BatchWriter {
        id,
        actor: &batch_actor,
        operation: format!("import {id}"),
        renewed: std::time::Instant::now(),
        written: false,
    };
    // The reader and the writing thread each keep a core busy; planning takes less time a batch
    // than writing, so it gets the rest (one planner on two cores: a second one only contended).
    let threads = super::worker_count().saturating_sub(2).max(1);
    let (read_tx, read_rx) = mpsc::sync_channel(4);
    let (job_tx, job_rx) = mpsc::sync_channel::<(ReadBatch, Fetched, Reply)>(threads);
    let job_rx = std::sync::Mutex::new(job_rx);
    let outcome = std::thread::scope(|scope| {
        scope.spawn(move || read_batches(patients, dict, &read_tx));
        super::spawn_workers(scope, threads, &job_rx, |(batch, fetched, reply)| {
            // The receiver is gone only when the import already failed.
            let _ = reply.send(ctx.plan(batch, fetched));
            true
        });
        let result = run_pipeline(conn, &read_rx, &job_tx, threads, &mut writer, &mut report);
        // Unblocks the reader and the workers before the scope waits for them.
        drop(read_rx);
        drop(job_tx);
        result
    });
    let (status, reason) = match &outcome {
        Ok(Ended::Completed) => ("completed", None),
        Ok(Ended::Cancelled) => ("cancelled", None),
        Err(ServiceError::Refused(r)) if !writer.written => ("refused", Some(r.clone())),
        Err(ServiceError::Refused(r)) => ("stopped", Some(r.clone())),
        Err(_) => ("failed", Some("the import stopped on an error; send the file again".into())),
    };
    report.status = status.into();
    report.refused = reason;
    kept::finish(conn, id, &report)?;
    match outcome {
        Ok(_) => Ok(report),
        // Patients were stored: the report says how far the file went and why it stopped.
        Err(ServiceError::Refused(_)) if writer.written => Ok(report),
        Err(e) => Err(e),
    }
}

/// How the pipeline ended without an error.
enum Ended {
    Completed,
    Cancelled,
}

/// Writes planned batches, each in its own transaction with the import's progress.
struct BatchWriter<'a> {
    id: &'a str,
    actor: &'a Actor,
    operation: String,
    renewed: std::time::Instant,
    /// Whether a batch was committed.
    written: bool,
}

impl BatchWriter<'_> {
    /// Writes one batch; false when the import was cancelled (the batch is not written).
    fn write(
        &mut self,
        c: &mut DbConn,
        batch: PlannedBatch,
        report: &mut ImportReport,
    ) -> Result<bool> {
        if kept::cancel_requested(c, self.id)? {
            return Ok(false);
        }
        crate::db::transaction(c, |c| {
            batch.apply(c, self.actor, &self.operation, report)?;
            kept::progress(c, self.id, report)
        })?;
        self.written = true;
        if self.renewed.elapsed().as_secs() >= LEASE_SECS / 3 {
            super::jobs::acquire_lease(c, LEASE, self.id, LEASE_SECS)?;
            self.renewed = std::time::Instant::now();
        }
        Ok(true)
    }
}

type Reply = mpsc::Sender<Result<PlannedBatch>>;

/// Patients read from the file, split into typed documents and item maps.
#[derive(Default)]
struct ReadBatch {
    /// (index in the file, reader problems, patient)
    patients: Vec<(u64, Vec<ImportProblem>, Incoming)>,
    /// Normalized patient id numbers of the batch.
    keys: HashSet<String>,
    tumors: u64,
}

/// The key a patient matches on: its normalized patient id number.
fn match_key(inc: &Incoming) -> Option<String> {
    let n = inc.patient.patient_id_number.as_deref()?;
    PatientIdNumber::parse(n).ok().map(|n| n.to_string())
}

/// Reads the file into batches; a batch ends early when a patient id number repeats, so the second
/// record of a patient sees the first one written. Stops at the first fatal error (sent on).
fn read_batches(
    patients: Patients<'_>,
    dict: &'static Dictionary,
    out: &mpsc::SyncSender<std::result::Result<ReadBatch, String>>,
) {
    let mut batch = ReadBatch::default();
    for (i, p) in patients.enumerate() {
        let p = match p {
            Ok(p) => p,
            Err(e) => {
                let _ = out.send(Err(e));
                return;
            }
        };
        let problems = p.problems.iter().map(read_problem).collect();
        let tumors = p.tumors.len() as u64;
        let inc = records::from_items(p.items, p.tumors, dict);
        let key = match_key(&inc);
        let repeat = key.as_ref().is_some_and(|k| batch.keys.contains(k));
        if (repeat || batch.patients.len() >= BATCH)
            && out.send(Ok(std::mem::take(&mut batch))).is_err()
        {
            return;
        }
        batch.tumors += tumors;
        batch.keys.extend(key);
        batch.patients.push((i as u64, problems, inc));
    }
    if !batch.patients.is_empty() {
        let _ = out.send(Ok(batch));
    }
}

/// The database side of the pipeline: looks up each batch's stored patients, hands the batch to
/// a worker and writes the planned batches in order.
fn run_pipeline(
    c: &mut DbConn,
    batches: &mpsc::Receiver<std::result::Result<ReadBatch, String>>,
    jobs: &mpsc::SyncSender<(ReadBatch, Fetched, Reply)>,
    threads: usize,
    writer: &mut BatchWriter<'_>,
    report: &mut ImportReport,
) -> Result<Ended> {
    type Pending = VecDeque<(HashSet<String>, mpsc::Receiver<Result<PlannedBatch>>)>;
    let mut pending = Pending::new();
    // Writes the oldest planned batch; false once the import is cancelled.
    let mut write_next = |c: &mut DbConn, pending: &mut Pending, report: &mut ImportReport| {
        match pending.pop_front() {
            Some((_, done)) => {
                let batch = done.recv().map_err(|_| ServiceError::Worker)??;
                writer.write(c, batch, report)
            }
            None => Ok(true),
        }
    };
    for batch in batches {
        let mut batch = batch.map_err(ServiceError::Refused)?;
        report.patients_read += batch.patients.len() as u64;
        report.tumors_read += batch.tumors;
        // The planner matches by patient; the keys stay here to order the writes.
        let keys = std::mem::take(&mut batch.keys);
        // A patient of a batch still being planned must be written before it is looked up again.
        if pending.iter().any(|(earlier, _)| !earlier.is_disjoint(&keys)) {
            while !pending.is_empty() {
                if !write_next(c, &mut pending, report)? {
                    return Ok(Ended::Cancelled);
                }
            }
        }
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let rows = bulk::patients_by_number(c, &refs)?;
        let fetched = naaccr_load::fetch(c, rows)?;
        let (reply, done) = mpsc::channel();
        jobs.send((batch, fetched, reply)).map_err(|_| ServiceError::Worker)?;
        pending.push_back((keys, done));
        while pending.len() > threads + 2 {
            if !write_next(c, &mut pending, report)? {
                return Ok(Ended::Cancelled);
            }
        }
    }
    while !pending.is_empty() {
        if !write_next(c, &mut pending, report)? {
            return Ok(Ended::Cancelled);
        }
    }
    Ok(Ended::Completed)
}

struct Ctx<'a> {
    dict: &'static Dictionary,
    rt: RecordType,
    today: NaiveDate,
    rule_set: RuleSet,
    actor: &'a Actor,
}
