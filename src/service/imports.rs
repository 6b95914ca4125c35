//! NAACCR import: XML (v18–v26, plain or gzip) and v18 flat files into patients, tumors,
//! first-course treatments and follow-up contacts, in batches of patients over bulk queries.
//!
//! The whole file is one transaction: a file refused as a whole (a fatal reader error, even after
//! many patients) leaves the registry untouched. Each patient with its tumors is checked in memory
//! first and written whole or rejected whole. Records match on patient id number and, within the
//! patient, on the hospital sequence number (and accession number when both have one: a tumor stored
//! under the same sequence number and another accession number rejects the patient), so importing
//! the same file again changes nothing.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader};
use std::sync::mpsc;

use chrono::NaiveDate;
use flate2::bufread::MultiGzDecoder;

use super::audit::Action;
use super::naaccr_load::{self, Fetched, Stored, contact_from};
use super::{Actor, Result, Role, ServiceError, to_doc};
use crate::db::bulk;
use crate::db::rows::*;
use crate::db::{DbConn, new_id, now};
use crate::domain::chronology::{Focus, PatientHistory};
use crate::domain::codes::{CancerStatus, VitalStatus};
use crate::domain::edits::{self, EditInput, Overrides, RuleSet, Severity};
use crate::domain::identifiers::PatientIdNumber;
use crate::domain::naaccr::{Dictionary, Level, RecordType};
use crate::domain::records::{CauseOfDeath, Contact, Patient, Treatment, Tumor};
use crate::domain::validation::Violation;
use crate::dto::{
    ContactData, ImportProblem, ImportRecord, ImportReport, PatientData, TreatmentData, TumorData,
};
use crate::export::flat_file::{FLAT_VERSION, FlatFileReader};
use crate::export::form::{ExportForm, Finding, TumorKey};
use crate::export::mapping::{
    self, Field, ItemMap, PATIENT_FIELDS, PATIENT_TUMOR_FIELDS, TUMOR_FIELDS,
};
use crate::export::naaccr_read::{NaaccrXmlReader, ProblemKind, ReadPatient, ReadProblem};
use crate::export::records::{self, FollowUp, Incoming, PatientRecord, TumorRecord};

/// Patients per write batch.
const BATCH: usize = 1000;
/// Patients with problems listed in a report.
const REPORT_LIMIT: usize = 1000;

type Patients<'a> = Box<dyn Iterator<Item = std::result::Result<ReadPatient, String>> + Send + 'a>;

/// Name--Last [2230] when the last name is unknown (the item may not be blank).
const UNKNOWN_LAST_NAME: &str = "UNKNOWN";

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
            let dict = Dictionary::for_version(FLAT_VERSION)
                .map_err(|e| ServiceError::Refused(e.to_string()))?;
            let rest = reader.map(|r| r.map_err(|e| e.to_string()));
            Ok(("flat", dict, rt, Vec::new(), Box::new(std::iter::once(Ok(first)).chain(rest))))
        }
    }
}

/// Imports one file. `Err(ServiceError::Refused)` when the file is refused as a whole.
///
/// A pipeline: a reader thread parses the file into batches of patients; this thread looks up
/// what the registry already holds of each batch and writes the outcome; worker threads plan the
/// batches (match, validate, run the edits) in between. Batches are written in file order.
pub fn import(
    conn: &mut DbConn,
    actor: &Actor,
    input: Box<dyn BufRead + Send + '_>,
    max_expanded: u64,
    today: NaiveDate,
) -> Result<ImportReport> {
    actor.require(Role::Registrar)?;
    let (format, dict, rt, header, patients) = open(input, max_expanded)?;
    let mut report = ImportReport {
        format: format.into(),
        record_type: rt.as_str().into(),
        naaccr_version: dict.version.clone(),
        header_problems: header,
        ..ImportReport::default()
    };
    let ctx = Ctx { dict, rt, today, actor };
    // The reader and the writing thread each keep a core busy; planning takes less time a batch
    // than writing, so it gets the rest (one planner on two cores: a second one only contended).
    let threads = super::worker_count().saturating_sub(2).max(1);
    let (read_tx, read_rx) = mpsc::sync_channel(4);
    let (job_tx, job_rx) = mpsc::sync_channel::<(ReadBatch, Fetched, Reply)>(threads);
    let job_rx = std::sync::Mutex::new(job_rx);
    crate::db::transaction(conn, |c| {
        std::thread::scope(|scope| {
            scope.spawn(move || read_batches(patients, dict, &read_tx));
            super::spawn_workers(scope, threads, &job_rx, |(batch, fetched, reply)| {
                // The receiver is gone only when the import already failed.
                let _ = reply.send(ctx.plan(batch, fetched));
                true
            });
            let result = run_pipeline(c, &read_rx, &job_tx, threads, &mut report);
            // Unblocks the reader and the workers before the scope waits for them.
            drop(read_rx);
            drop(job_tx);
            result
        })
    })?;
    // A large file changes the tables' shape: let the planner see it.
    if report.tumors_read >= 10_000 {
        crate::db::analyze(conn)?;
    }
    Ok(report)
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
    report: &mut ImportReport,
) -> Result<()> {
    let mut pending = Pending::new();
    type Pending = VecDeque<(HashSet<String>, mpsc::Receiver<Result<PlannedBatch>>)>;
    let apply_next = |c: &mut DbConn, pending: &mut Pending, report: &mut ImportReport| {
        match pending.pop_front() {
            Some((_, done)) => done.recv().map_err(|_| ServiceError::Worker)??.apply(c, report),
            None => Ok(()),
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
                apply_next(c, &mut pending, report)?;
            }
        }
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let rows = bulk::patients_by_number(c, &refs)?;
        let fetched = naaccr_load::fetch(c, rows)?;
        let (reply, done) = mpsc::channel();
        jobs.send((batch, fetched, reply)).map_err(|_| ServiceError::Worker)?;
        pending.push_back((keys, done));
        while pending.len() > threads + 2 {
            apply_next(c, &mut pending, report)?;
        }
    }
    while !pending.is_empty() {
        apply_next(c, &mut pending, report)?;
    }
    Ok(())
}

struct Ctx<'a> {
    dict: &'static Dictionary,
    rt: RecordType,
    today: NaiveDate,
    actor: &'a Actor,
}

/// An item map as stored: `None` when empty.
fn item_doc(items: &ItemMap) -> Result<Option<String>> {
    if items.is_empty() { Ok(None) } else { to_doc(items).map(Some) }
}

/// Everything one batch writes.
#[derive(Default)]
struct Writes {
    patients: Vec<PatientRow>,
    tumors: Vec<TumorRow>,
    treatments: Vec<TreatmentRow>,
    contacts: Vec<ContactRow>,
    links: Vec<ContactTumorRow>,
    audit: Vec<AuditRow>,
    patient_updates: Vec<(String, PatientChange)>,
    /// (patient id, date of last contact, vital status)
    follow_up_updates: Vec<(String, Option<String>, String)>,
    tumor_updates: Vec<(String, TumorChange)>,
    treatment_updates: Vec<(String, TreatmentChange)>,
    /// Export forms of new patients.
    forms: Vec<ExportFormRow>,
    /// Patients whose records change: their export forms go.
    changed: Vec<String>,
}

/// A batch planned by a worker: what to write and what to report.
#[derive(Default)]
struct PlannedBatch {
    writes: Writes,
    records: Vec<ImportRecord>,
    created: u64,
    updated: u64,
    unchanged: u64,
    rejected: u64,
}

impl PlannedBatch {
    fn apply(self, c: &mut DbConn, report: &mut ImportReport) -> Result<()> {
        let w = self.writes;
        for (id, change) in &w.patient_updates {
            bulk::update_patient(c, id, change)?;
        }
        for (id, dlc, vital) in &w.follow_up_updates {
            bulk::set_follow_up_state(c, id, dlc.clone(), vital)?;
        }
        for (id, change) in &w.tumor_updates {
            bulk::update_tumor(c, id, change)?;
        }
        for (id, change) in &w.treatment_updates {
            bulk::update_treatment(c, id, change)?;
        }
        bulk::delete_export_forms(c, &w.changed.iter().map(String::as_str).collect::<Vec<_>>())?;
        bulk::insert_patients(c, &w.patients)?;
        bulk::insert_export_forms(c, &w.forms)?;
        bulk::insert_tumors(c, &w.tumors)?;
        bulk::insert_treatments(c, &w.treatments)?;
        bulk::insert_contacts(c, &w.contacts)?;
        bulk::insert_contact_tumors(c, &w.links)?;
        bulk::insert_audit(c, &w.audit)?;
        report.tumors_created += w.tumors.len() as u64;
        report.tumors_updated += w.tumor_updates.len() as u64;
        report.patients_created += self.created;
        report.patients_updated += self.updated;
        report.patients_unchanged += self.unchanged;
        report.patients_rejected += self.rejected;
        let room = REPORT_LIMIT.saturating_sub(report.records.len());
        report.records.extend(self.records.into_iter().take(room));
        Ok(())
    }
}

/// Validates `doc`; values of fields that fail are moved out (returned as NAACCR items) and the
/// document is validated again. `Err` when it still fails (a required field is missing or bad).
fn settle<T, D>(
    doc: &mut T,
    fields: &[&[Field<T>]],
    validate: impl Fn(&T) -> std::result::Result<D, Vec<Violation>>,
    moved: &mut Vec<(&'static str, String, Violation)>,
) -> std::result::Result<D, Vec<Violation>> {
    let first = match validate(doc) {
        Ok(d) => return Ok(d),
        Err(v) => v,
    };
    for v in &first {
        if let Some(f) = fields.iter().flat_map(|f| f.iter()).find(|f| f.naaccr_id == v.field) {
            if let Some(value) = (f.get_mut)(doc).take() {
                moved.push((f.naaccr_id, mapping::to_item(f.conv, &value), v.clone()));
            }
        }
    }
    validate(doc).map_err(|mut second| {
        for v in first {
            if !second.iter().any(|s| s.field == v.field && s.rule == v.rule) {
                second.push(v);
            }
        }
        second
    })
}

fn covers(dict: &Dictionary, rt: RecordType, id: &str, level: Level) -> bool {
    records::file_covers(dict, rt, id, level)
}

/// The stored document with the file's values for every item the file's record type carries.
fn merge<T: Clone>(
    stored: &T,
    incoming: &T,
    fields: &[Field<T>],
    dict: &Dictionary,
    rt: RecordType,
    level: Level,
) -> T {
    let mut out = stored.clone();
    for f in fields {
        if covers(dict, rt, f.naaccr_id, level) {
            *(f.get_mut)(&mut out) = (f.get)(incoming).clone();
        }
    }
    out
}

fn merge_items(
    stored: &ItemMap,
    incoming: ItemMap,
    dict: &Dictionary,
    rt: RecordType,
    level: Level,
) -> ItemMap {
    let mut out: ItemMap = stored
        .iter()
        .filter(|(k, _)| !covers(dict, rt, k, level))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    out.extend(incoming);
    out
}

fn violations_to(
    problems: &mut Vec<ImportProblem>,
    level: &str,
    tumor: Option<usize>,
    vs: Vec<Violation>,
) {
    for v in vs {
        problems.push(problem(level, tumor, Some(&v.field), v.rule, "rejected", v.message));
    }
}

impl Ctx<'_> {
    /// Plans one batch against what the registry holds (no database access: runs on a worker).
    fn plan(&self, batch: ReadBatch, fetched: Fetched) -> Result<PlannedBatch> {
        let mut stored: HashMap<String, Stored> =
            fetched.parse()?.into_iter().map(|s| (s.row.patient_id_number.clone(), s)).collect();
        let mut out = PlannedBatch::default();
        for (index, mut problems, inc) in batch.patients {
            let number = inc.patient.patient_id_number.clone();
            let existing = match_key(&inc).and_then(|k| stored.remove(&k));
            let status = self
                .patient(inc, existing.as_ref(), &mut problems, &mut out.writes)?
                .unwrap_or("rejected");
            match status {
                "created" => out.created += 1,
                "updated" => out.updated += 1,
                "unchanged" => out.unchanged += 1,
                _ => out.rejected += 1,
            }
            if (status == "rejected" || !problems.is_empty()) && out.records.len() < REPORT_LIMIT {
                out.records.push(ImportRecord {
                    index,
                    patient_id_number: number,
                    status: status.into(),
                    problems,
                });
            }
        }
        Ok(out)
    }
}

/// A tumor as it will be stored.
struct Planned<'s> {
    id: String,
    existing: Option<&'s naaccr_load::StoredTumor>,
    doc: TumorData,
    domain: Tumor,
    items: ItemMap,
    treatments: Vec<(TreatmentData, Treatment)>,
    /// Error-level edit findings.
    failing: Vec<Finding<'static>>,
    cancer_status: Option<String>,
}

fn name_search(p: &Patient) -> String {
    format!("{} {}", p.name_last, p.name_first.as_deref().unwrap_or("")).trim().to_lowercase()
}

fn iso(v: &Option<String>) -> Option<String> {
    v.as_deref().and_then(|d| mapping::from_item(mapping::Conv::Date, d))
}

impl Ctx<'_> {
    fn audit(&self, w: &mut Writes, action: Action, id: &str) {
        w.audit.push(AuditRow {
            id: new_id(),
            at: now().into(),
            actor_token_id: self.actor.token_id.clone(),
            actor_name: self.actor.name.clone(),
            action: match action {
                Action::Create => "create",
                Action::Update => "update",
                Action::Read => "read",
            }
            .into(),
            entity: "patient".into(),
            entity_id: id.into(),
        });
    }

    /// Plans one patient; writes it when it passes. `None` when rejected.
    fn patient(
        &self,
        mut inc: Incoming,
        existing: Option<&Stored>,
        problems: &mut Vec<ImportProblem>,
        w: &mut Writes,
    ) -> Result<Option<&'static str>> {
        let (dict, rt) = (self.dict, self.rt);
        let mut doc = match existing {
            Some(s) => {
                let d = merge(&s.doc, &inc.patient, PATIENT_FIELDS, dict, rt, Level::Patient);
                merge(&d, &inc.patient, PATIENT_TUMOR_FIELDS, dict, rt, Level::Tumor)
            }
            None => inc.patient.clone(),
        };
        if existing.is_none()
            && doc.name_last.is_none()
            && !covers(dict, rt, "nameLast", Level::Patient)
        {
            // Incidence records carry no names; the standard's code for an unknown last name lets
            // the patient be registered and flags the name for the registrar to complete.
            doc.name_last = Some(UNKNOWN_LAST_NAME.into());
            problems.push(problem(
                "Patient",
                None,
                Some("nameLast"),
                "value.supplied",
                "supplied",
                format!(
                    "record type {} carries no names: the new patient's last name is stored as \
                     {UNKNOWN_LAST_NAME}, the standard's code for an unknown last name",
                    rt.as_str()
                ),
            ));
        }
        let mut moved = Vec::new();
        let patient = match settle(
            &mut doc,
            &[PATIENT_FIELDS, PATIENT_TUMOR_FIELDS],
            PatientData::to_domain,
            &mut moved,
        ) {
            Ok(p) => p,
            Err(vs) => {
                violations_to(problems, "Patient", None, vs);
                return Ok(None);
            }
        };
        for (id, value, v) in moved {
            problems.push(problem("Patient", None, Some(id), v.rule, "untyped", v.message));
            if PATIENT_TUMOR_FIELDS.iter().any(|f| f.naaccr_id == id) {
                // Tumors that had the patient's value keep it as their own item.
                for t in &mut inc.tumors {
                    t.items.entry(id.into()).or_insert_with(|| value.clone());
                }
            } else {
                inc.items.insert(id.into(), value);
            }
        }
        let stored_tumors: &[naaccr_load::StoredTumor] = existing.map_or(&[], |s| &s.tumors);
        let mut used: HashSet<&str> = HashSet::new();
        let mut planned: Vec<Planned> = Vec::new();
        let mut rejected = false;
        for (n, mut t) in std::mem::take(&mut inc.tumors).into_iter().enumerate() {
            let seq = t.tumor.sequence_number_hospital.clone();
            let acc = t.tumor.accession_number_hosp.clone();
            let matched = stored_tumors.iter().find(|s| {
                !used.contains(s.row.id.as_str())
                    && s.doc.sequence_number_hospital == seq
                    && (acc.is_none()
                        || s.doc.accession_number_hosp.is_none()
                        || s.doc.accession_number_hosp == acc)
            });
            if let Some(m) = matched {
                used.insert(m.row.id.as_str());
            } else if acc.is_some()
                && stored_tumors.iter().any(|s| {
                    s.doc.sequence_number_hospital == seq && s.doc.accession_number_hosp.is_some()
                })
            {
                // The same tumor of the patient under another registration: a second tumor with
                // that sequence number would be wrong, an update a guess. The registrar decides.
                problems.push(problem(
                    "Tumor",
                    Some(n),
                    Some("accessionNumberHosp"),
                    "tumor.accessionMismatch",
                    "rejected",
                    "the registry holds this patient's tumor with this sequence number under \
                     another accession number; the patient was not imported"
                        .into(),
                ));
                rejected = true;
                continue;
            }
            let mut tdoc = match matched {
                Some(s) => merge(&s.doc, &t.tumor, TUMOR_FIELDS, dict, rt, Level::Tumor),
                None => t.tumor.clone(),
            };
            let mut moved = Vec::new();
            let domain = match settle(&mut tdoc, &[TUMOR_FIELDS], TumorData::to_domain, &mut moved)
            {
                Ok(d) => d,
                Err(vs) => {
                    violations_to(problems, "Tumor", Some(n), vs);
                    rejected = true;
                    continue;
                }
            };
            for (id, value, v) in moved {
                problems.push(problem("Tumor", Some(n), Some(id), v.rule, "untyped", v.message));
                t.items.insert(id.into(), value);
            }
            let mut treatments = Vec::new();
            for it in &t.treatments {
                let td = TreatmentData {
                    modality: Some(it.modality.into()),
                    code: Some(it.code.clone()),
                    first_course: Some(true),
                    start_date: iso(&it.start),
                    end_date: iso(&it.end),
                    ..TreatmentData::default()
                };
                match td.to_domain() {
                    Ok(tr) => treatments.push((TreatmentData::from_domain(&tr), tr)),
                    Err(vs) => {
                        let msg = vs.first().map(|v| v.message.clone()).unwrap_or_default();
                        problems.push(problem(
                            "Tumor",
                            Some(n),
                            Some(it.code_item),
                            "code.unknown",
                            "untyped",
                            msg,
                        ));
                        t.items.insert(it.code_item.into(), it.code.clone());
                        if let Some(s) = &it.start {
                            t.items.insert(it.start_item.into(), s.clone());
                        }
                        if let (Some(e), Some(v)) = (it.end_item, &it.end) {
                            t.items.insert(e.into(), v.clone());
                        }
                    }
                }
            }
            let mut cancer_status = None;
            if let Some(cs) = t.cancer_status.take() {
                if CancerStatus::parse(&cs).is_ok() {
                    cancer_status = Some(cs);
                } else {
                    problems.push(problem(
                        "Tumor",
                        Some(n),
                        Some("cancerStatus"),
                        "code.unknown",
                        "untyped",
                        "not a cancer status code".into(),
                    ));
                    t.items.insert("cancerStatus".into(), cs);
                }
            }
            let items = merge_items(
                matched.map_or(&ItemMap::new(), |m| &m.items),
                t.items,
                dict,
                rt,
                Level::Tumor,
            );
            planned.push(Planned {
                id: matched.map_or_else(new_id, |m| m.row.id.clone()),
                existing: matched,
                doc: TumorData::from_domain(&domain),
                domain,
                items,
                treatments,
                cancer_status,
                failing: Vec::new(),
            });
        }
        if rejected {
            return Ok(None);
        }
        // Follow-up: a contact from the date of last contact and vital status.
        let mut p_items = inc.items;
        let dlc = iso(&inc.date_of_last_contact);
        let mut contact: Option<Contact> = None;
        if let (Some(d), Some(v)) = (&dlc, &inc.vital_status) {
            let dead = VitalStatus::parse(v).is_ok_and(|s| s.is_dead());
            let cause =
                inc.cause_of_death.as_deref().filter(|c| dead && CauseOfDeath::parse(c).is_ok());
            if cause.is_none() {
                if let Some(cd) = &inc.cause_of_death {
                    p_items.insert("causeOfDeath".into(), cd.clone());
                }
            }
            let statuses = planned
                .iter()
                .filter_map(|p| p.cancer_status.clone().map(|s| (p.id.clone(), s)))
                .collect();
            let source =
                planned.first().and_then(|p| p.items.get("followUpSource")).map(String::as_str);
            match contact_from(d, v, source, cause, statuses) {
                Ok(ct) => contact = Some(ct),
                Err(msg) => {
                    problems.push(problem(
                        "Patient",
                        None,
                        Some("dateOfLastContact"),
                        "followUp.invalid",
                        "untyped",
                        msg,
                    ));
                }
            }
        }
        if contact.is_none() {
            for (id, v) in [
                ("dateOfLastContact", &inc.date_of_last_contact),
                ("vitalStatus", &inc.vital_status),
                ("causeOfDeath", &inc.cause_of_death),
            ] {
                if let Some(v) = v {
                    p_items.insert(id.into(), v.clone());
                }
            }
            for p in &mut planned {
                if let Some(cs) = p.cancer_status.take() {
                    p.items.insert("cancerStatus".into(), cs);
                }
            }
        }
        let p_items = merge_items(
            existing.map_or(&ItemMap::new(), |s| &s.items),
            p_items,
            dict,
            rt,
            Level::Patient,
        );
        // The whole history as it will be: date rules and edits.
        let other_stored: Vec<(String, Tumor)> = stored_tumors
            .iter()
            .filter(|s| !used.contains(s.row.id.as_str()))
            .filter_map(|s| s.doc.to_domain().ok().map(|t| (s.row.id.clone(), t)))
            .collect();
        let replaced: HashSet<(&str, &str)> = planned
            .iter()
            .flat_map(|p| {
                p.treatments
                    .iter()
                    .map(move |(d, _)| (p.id.as_str(), d.modality.as_deref().unwrap_or("")))
            })
            .collect();
        let old_treatments: Vec<(String, String, Treatment)> = stored_tumors
            .iter()
            .flat_map(|s| s.treatments.iter().map(move |(r, d)| (r, d, s.row.id.as_str())))
            .filter(|(_, d, tid)| {
                !(d.first_course != Some(false)
                    && replaced.contains(&(*tid, d.modality.as_deref().unwrap_or(""))))
            })
            .filter_map(|(r, d, tid)| d.to_domain().ok().map(|t| (r.id.clone(), tid.to_owned(), t)))
            .collect();
        let contact_id = new_id();
        let existing_contact = contact.as_ref().and_then(|ct| {
            existing.and_then(|s| {
                s.contacts.iter().find(|(r, _)| r.contact_date == ct.contact_date.to_string())
            })
        });
        let old_contacts: Vec<(String, Contact)> = existing
            .map(|s| {
                s.contacts
                    .iter()
                    .filter_map(|(r, d)| d.to_domain().ok().map(|c| (r.id.clone(), c)))
                    .collect()
            })
            .unwrap_or_default();
        let new_treatment_ids: Vec<Vec<String>> =
            planned.iter().map(|p| p.treatments.iter().map(|_| new_id()).collect()).collect();
        let mut history = PatientHistory {
            patient: &patient,
            tumors: planned
                .iter()
                .map(|p| (p.id.as_str(), &p.domain))
                .chain(other_stored.iter().map(|(i, t)| (i.as_str(), t)))
                .collect(),
            treatments: old_treatments
                .iter()
                .map(|(i, t, x)| (i.as_str(), t.as_str(), x))
                .collect(),
            contacts: old_contacts.iter().map(|(i, c)| (i.as_str(), c)).collect(),
        };
        for (p, ids) in planned.iter().zip(&new_treatment_ids) {
            for ((_, tr), id) in p.treatments.iter().zip(ids) {
                history.treatments.push((id.as_str(), p.id.as_str(), tr));
            }
        }
        if let (Some(ct), None) = (&contact, existing_contact) {
            history.contacts.push((contact_id.as_str(), ct));
        }
        let mut foci = vec![Focus::Patient];
        foci.extend(planned.iter().map(|p| Focus::Tumor(p.id.clone())));
        foci.extend(new_treatment_ids.iter().flatten().map(|i| Focus::Treatment(i.clone())));
        if contact.is_some() && existing_contact.is_none() {
            foci.push(Focus::Contact(contact_id.clone()));
        }
        let mut dated = Vec::new();
        for f in &foci {
            for v in history.check(f, self.today) {
                if !dated.iter().any(|d: &Violation| d.field == v.field && d.rule == v.rule) {
                    dated.push(v);
                }
            }
        }
        if !dated.is_empty() {
            violations_to(problems, "Patient", None, dated);
            return Ok(None);
        }
        let none = Overrides::none();
        let contacts: Vec<&Contact> = history.contacts.iter().map(|(_, c)| *c).collect();
        let mut failing = vec![Vec::new(); planned.len()];
        for ((n, p), found) in planned.iter().enumerate().zip(&mut failing) {
            let others: Vec<(&str, &Tumor)> =
                history.tumors.iter().filter(|(i, _)| *i != p.id).copied().collect();
            let trs: Vec<&Treatment> = history
                .treatments
                .iter()
                .filter(|(_, t, _)| *t == p.id)
                .map(|(_, _, x)| *x)
                .collect();
            let age = p.items.get("ageAtDiagnosis").and_then(|a| a.parse().ok());
            let input = EditInput {
                patient: &patient,
                tumor_id: &p.id,
                tumor: &p.domain,
                overrides: &none,
                other_tumors: &others,
                treatments: &trs,
                contacts: &contacts,
                age_at_diagnosis: age,
                today: self.today,
            };
            for f in edits::run(&input, RuleSet::Naaccr) {
                if f.severity == Severity::Error && !f.overridden {
                    found.push(Finding {
                        edit_id: f.edit_id.into(),
                        message: f.message.clone().into(),
                    });
                    let rule = format!("edit.{}", f.edit_id);
                    problems.push(problem(
                        "Tumor",
                        Some(n),
                        f.fields.first().map(String::as_str),
                        &rule,
                        "reported",
                        f.message,
                    ));
                }
            }
        }
        let (dlc_state, vital_state) = history.follow_up_state();
        let dlc_state = dlc_state.map(|d| d.to_string());
        drop(history);
        for (p, failing) in planned.iter_mut().zip(failing) {
            p.failing = failing;
        }
        self.write(
            w,
            existing,
            &patient,
            p_items,
            planned,
            new_treatment_ids,
            contact.filter(|_| existing_contact.is_none()).map(|ct| (contact_id, ct)),
            dlc_state,
            vital_state.code(),
        )
    }
}

impl Ctx<'_> {
    #[expect(
        clippy::too_many_arguments,
        reason = "one patient's planned records, written together"
    )]
    fn write(
        &self,
        w: &mut Writes,
        existing: Option<&Stored>,
        patient: &Patient,
        p_items: ItemMap,
        planned: Vec<Planned>,
        treatment_ids: Vec<Vec<String>>,
        contact: Option<(String, Contact)>,
        dlc: Option<String>,
        vital: &str,
    ) -> Result<Option<&'static str>> {
        let at = now();
        let patient_doc = PatientData::from_domain(patient);
        let contact_doc = contact.as_ref().map(|(_, ct)| ContactData::from_domain(ct));
        let form = match existing {
            None => {
                let follow_up = contact_doc.as_ref().map(|c| FollowUp {
                    date_of_last_contact: dlc.clone().unwrap_or_default(),
                    vital_status: vital.to_owned(),
                    // As exports read it: the cause recorded by a contact that reports the death.
                    cause_of_death: c
                        .cause_of_death
                        .clone()
                        .filter(|_| c.vital_status.as_deref() == Some(VitalStatus::DEAD.code())),
                });
                let rec = new_record(
                    &patient_doc,
                    &p_items,
                    follow_up,
                    &planned,
                    &treatment_ids,
                    &contact_doc,
                );
                let keys = planned.iter().map(|p| TumorKey {
                    id: &p.id,
                    version: 1,
                    failing: p.failing.clone(),
                });
                let form = ExportForm::of(&rec, keys.collect());
                Some((form.encode(), form.passes()))
            }
            Some(_) => None,
        };
        let doc = to_doc(&patient_doc)?;
        let items_doc = item_doc(&p_items)?;
        let mut changed = false;
        let pid = match existing {
            None => {
                let id = new_id();
                w.patients.push(PatientRow {
                    id: id.clone(),
                    version: 1,
                    patient_id_number: patient.patient_id_number.to_string(),
                    name_search: name_search(patient),
                    date_of_last_contact: dlc.clone(),
                    vital_status: vital.into(),
                    data: doc,
                    created_at: at.into(),
                    updated_at: at.into(),
                    items: items_doc,
                });
                if let Some((form, passes)) = form {
                    w.forms.push(ExportFormRow {
                        patient_id: id.clone(),
                        form,
                        passes,
                        checked_on: self.today,
                    });
                }
                id
            }
            Some(s) => {
                if s.row.data != doc || s.items != p_items {
                    let change = PatientChange {
                        version: s.row.version + 1,
                        name_search: name_search(patient),
                        date_of_last_contact: dlc.clone(),
                        vital_status: vital.into(),
                        data: doc,
                        items: items_doc,
                        updated_at: at,
                    };
                    w.patient_updates.push((s.row.id.clone(), change));
                    changed = true;
                } else if s.row.date_of_last_contact != dlc || s.row.vital_status != vital {
                    w.follow_up_updates.push((s.row.id.clone(), dlc.clone(), vital.to_owned()));
                    changed = true;
                }
                s.row.id.clone()
            }
        };
        for (p, ids) in planned.into_iter().zip(treatment_ids) {
            let data = to_doc(&p.doc)?;
            let t = &p.domain;
            let row = TumorRow {
                id: p.id.clone(),
                patient_id: pid.clone(),
                version: 1,
                primary_site: t.primary_site.to_string(),
                histology: t.histology.to_string(),
                behavior: t.behavior.to_string(),
                diagnosis_year: i32::from(t.date_of_diagnosis.year()),
                class_of_case: t.class_of_case.to_string(),
                reporting_facility: t.reporting_facility.clone(),
                data,
                warnings: None,
                created_at: at.into(),
                updated_at: at.into(),
                items: item_doc(&p.items)?,
            };
            match p.existing {
                None => {
                    w.tumors.push(row);
                    changed = true;
                }
                Some(s) if s.row.data != row.data || s.items != p.items => {
                    let change = TumorChange {
                        version: s.row.version + 1,
                        primary_site: row.primary_site,
                        histology: row.histology,
                        behavior: row.behavior,
                        diagnosis_year: row.diagnosis_year,
                        class_of_case: row.class_of_case,
                        reporting_facility: row.reporting_facility,
                        data: row.data,
                        warnings: None,
                        items: row.items,
                        updated_at: at,
                    };
                    w.tumor_updates.push((row.id, change));
                    changed = true;
                }
                Some(_) => {}
            }
            for ((td, _), id) in p.treatments.iter().zip(ids) {
                let data = to_doc(td)?;
                let old = p.existing.and_then(|s| {
                    s.treatments
                        .iter()
                        .find(|(_, d)| d.first_course != Some(false) && d.modality == td.modality)
                });
                match old {
                    Some((r, _)) if r.data == data => {}
                    Some((r, _)) => {
                        let change =
                            TreatmentChange { version: r.version + 1, data, updated_at: at };
                        w.treatment_updates.push((r.id.clone(), change));
                        changed = true;
                    }
                    None => {
                        w.treatments.push(TreatmentRow {
                            id,
                            tumor_id: p.id.clone(),
                            version: 1,
                            modality: td.modality.clone().unwrap_or_default(),
                            data,
                            created_at: at.into(),
                            updated_at: at.into(),
                        });
                        changed = true;
                    }
                }
            }
        }
        if let (Some((id, ct)), Some(data)) = (contact, contact_doc) {
            w.links.extend(ct.tumors.iter().map(|t| ContactTumorRow {
                contact_id: id.clone(),
                tumor_id: t.tumor_id.clone(),
                cancer_status: t.cancer_status.to_string(),
            }));
            w.contacts.push(ContactRow {
                id,
                patient_id: pid.clone(),
                version: 1,
                contact_date: ct.contact_date.to_string(),
                vital_status: ct.vital_status.to_string(),
                data: to_doc(&data)?,
                created_at: at.into(),
                updated_at: at.into(),
            });
            changed = true;
        }
        if let (Some(_), true) = (existing, changed) {
            w.changed.push(pid.clone());
        }
        let status = match (existing, changed) {
            (None, _) => "created",
            (Some(_), true) => "updated",
            (Some(_), false) => "unchanged",
        };
        match status {
            "created" => self.audit(w, Action::Create, &pid),
            "updated" => self.audit(w, Action::Update, &pid),
            _ => {}
        }
        Ok(Some(status))
    }
}

/// A new patient's records as an export will read them back: treatments in id order, cancer
/// statuses from the contact.
fn new_record(
    patient: &PatientData,
    items: &ItemMap,
    follow_up: Option<FollowUp>,
    planned: &[Planned],
    treatment_ids: &[Vec<String>],
    contact: &Option<ContactData>,
) -> PatientRecord {
    let status = |tumor_id: &str| {
        let statuses = contact.as_ref().and_then(|c| c.tumors.as_ref())?;
        let s = statuses.iter().find(|s| s.tumor_id.as_deref() == Some(tumor_id))?;
        s.cancer_status.clone()
    };
    PatientRecord {
        patient: patient.clone(),
        items: items.clone(),
        follow_up,
        tumors: planned
            .iter()
            .zip(treatment_ids)
            .map(|(p, ids)| {
                let mut treatments: Vec<(&String, &TreatmentData)> =
                    ids.iter().zip(p.treatments.iter().map(|(d, _)| d)).collect();
                treatments.sort_by_key(|(id, _)| *id);
                TumorRecord {
                    tumor: p.doc.clone(),
                    items: p.items.clone(),
                    treatments: treatments.into_iter().map(|(_, d)| d.clone()).collect(),
                    cancer_status: status(&p.id),
                }
            })
            .collect(),
    }
}
