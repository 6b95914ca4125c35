//! Submission batches: NAACCR XML files for a central registry, streamed from the database in
//! batches of patients, with per-tumor submission state for "changed since the last submission".
//!
//! Audit: one entry per batch (entity `submission`, action `create`); the batch's
//! `submission_tumors` rows name every tumor it read.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use chrono::{NaiveDate, NaiveDateTime};
use sha2::{Digest, Sha256};

use super::audit::{self, Action};
use super::naaccr_load::{self, Stored};
use super::{Actor, PageRequest, Result, Role, ServiceError, parse_doc, to_doc, utc};
use crate::db::bulk;
use crate::db::rows::{ExportFormRow, SubmissionRow, SubmissionTumorRow};
use crate::db::{DbConn, new_id, now};
use crate::domain::PartialDate;
use crate::domain::edits::{self, PatientRecords, RuleSet, Severity, TumorRecord};
use crate::domain::naaccr::{Dictionary, RecordType};
use crate::domain::validation::Violation;
use crate::dto::{
    DeletedTumor, ExcludedTumor, Page, SkippedValues, SubmissionData, SubmissionFilters,
    SubmissionRequest, VoidRequest,
};
use crate::export::batch_file::BatchFile;
use crate::export::form::{self, ExportForm, Finding, TumorForm, TumorKey};
use crate::export::naaccr_xml::{
    IndexedItems, IndexedPatient, NaaccrXmlWriter, SkipReason, WriteSummary,
};
use crate::export::records;

/// Patients per read batch.
pub const BATCH: i64 = 1000;
/// Excluded tumors listed in a batch report.
pub const REPORT_LIMIT: i64 = 1000;

/// What to export, parsed from a request.
#[derive(Clone, Debug)]
pub struct ExportParams {
    pub record_type: RecordType,
    pub dictionary: &'static Dictionary,
    pub filters: SubmissionFilters,
    pub dx_from: Option<PartialDate>,
    pub dx_to: Option<PartialDate>,
}

fn invalid(field: &str, rule: &'static str, message: &str) -> Violation {
    Violation { field: field.into(), rule, message: message.into() }
}

impl ExportParams {
    /// Checks a request: record type A, C or I; a version of `Dictionary::export_versions`; a valid
    /// date range.
    pub fn parse(req: &SubmissionRequest) -> Result<Self> {
        let mut v = Vec::new();
        let rt = req.record_type.as_deref().map(str::trim);
        let record_type = match rt.and_then(RecordType::from_code) {
            Some(rt @ (RecordType::A | RecordType::C | RecordType::I)) => Some(rt),
            _ => {
                v.push(invalid("recordType", "code.unknown", "recordType must be A, C or I"));
                None
            }
        };
        let versions = Dictionary::export_versions();
        let dictionary = match req.naaccr_version.as_deref().map(str::trim) {
            Some(ver) if versions.contains(&ver) => Dictionary::for_version(ver).ok(),
            _ => None,
        };
        if dictionary.is_none() {
            let message = format!("naaccrVersion must be one of {}", versions.join(", "));
            v.push(invalid("naaccrVersion", "code.unknown", &message));
        }
        let date = |v: &mut Vec<Violation>, field: &str, raw: &Option<String>| match raw {
            None => None,
            Some(r) => match PartialDate::parse_iso(r) {
                Ok(d) => Some(d),
                Err(e) => {
                    v.push(Violation { field: field.into(), rule: e.rule, message: e.message });
                    None
                }
            },
        };
        let dx_from = date(&mut v, "dxFrom", &req.dx_from);
        let dx_to = date(&mut v, "dxTo", &req.dx_to);
        if let (Some(f), Some(t)) = (&dx_from, &dx_to) {
            if f.earliest() > t.latest() {
                v.push(invalid("dxTo", "range.order", "dxTo must not be before dxFrom"));
            }
        }
        if let Some(f) = &req.reporting_facility {
            if f.trim().is_empty() || f.chars().count() > 10 {
                v.push(invalid("reportingFacility", "text.length", "1 to 10 characters"));
            }
        }
        match (record_type, dictionary) {
            (Some(record_type), Some(dictionary)) if v.is_empty() => Ok(Self {
                record_type,
                dictionary,
                filters: SubmissionFilters {
                    reporting_facility: req
                        .reporting_facility
                        .as_ref()
                        .map(|s| s.trim().to_owned()),
                    dx_from: dx_from.map(|d| d.to_string()),
                    dx_to: dx_to.map(|d| d.to_string()),
                    changed_since_last: req.changed_since_last.unwrap_or(false),
                    include_failing: req.include_failing.unwrap_or(false),
                },
                dx_from,
                dx_to,
            }),
            _ => Err(ServiceError::Invalid(v)),
        }
    }

    /// Whether the facility and diagnosis date filters select the tumor.
    fn selects(&self, t: &TumorForm) -> bool {
        if self.filters.reporting_facility.as_deref().is_some_and(|f| t.reporting_facility != f) {
            return false;
        }
        if self.dx_from.is_none() && self.dx_to.is_none() {
            return true;
        }
        let Ok(d) = PartialDate::parse_iso(&t.date_of_diagnosis) else { return false };
        self.dx_from.is_none_or(|f| d.latest() >= f.earliest())
            && self.dx_to.is_none_or(|t| d.earliest() <= t.latest())
    }
}

/// Counts SHA-256 and bytes of what passes through.
pub struct Hashing<W: Write> {
    inner: W,
    sha: Sha256,
    bytes: u64,
}

impl<W: Write> Hashing<W> {
    pub fn new(inner: W) -> Self {
        Self { inner, sha: Sha256::new(), bytes: 0 }
    }

    pub fn finish(self) -> (W, String, u64) {
        (self.inner, hex::encode(self.sha.finalize()), self.bytes)
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// What a streamed export wrote.
#[derive(Clone, Debug, Default)]
pub struct ExportOutcome {
    pub patients: u64,
    pub tumors: u64,
    pub excluded: u64,
    /// (naaccrId, reason) → values the file could not carry.
    pub skipped: BTreeMap<(String, SkipReason), u64>,
}

impl ExportOutcome {
    /// Counts what a writer skipped, but not what the record type leaves out by design.
    fn add_skipped(&mut self, summary: &WriteSummary) {
        for (id, reasons) in &summary.skipped {
            for (reason, n) in reasons {
                if *reason != SkipReason::NotInRecordType {
                    *self.skipped.entry((id.clone(), *reason)).or_default() += n;
                }
            }
        }
    }

    fn add(&mut self, other: ExportOutcome) {
        self.patients += other.patients;
        self.tumors += other.tumors;
        self.excluded += other.excluded;
        for (key, n) in other.skipped {
            *self.skipped.entry(key).or_default() += n;
        }
    }

    fn skipped_values(&self) -> Vec<SkippedValues> {
        self.skipped
            .iter()
            .map(|((id, reason), n)| SkippedValues {
                naaccr_id: id.clone(),
                reason: reason.as_str().into(),
                count: *n,
            })
            .collect()
    }
}

/// A content hash of one tumor as it would be sent (all items, before record-type filtering).
fn content_hash(dict: &Dictionary, patient: &IndexedItems, tumor: &IndexedItems) -> String {
    let mut h = Sha256::new();
    h.update(dict.version.as_bytes());
    for (i, v) in patient.iter().chain(tumor) {
        let Some(def) = dict.items.get(*i) else { continue };
        h.update(def.naaccr_id.as_bytes());
        h.update([0]);
        h.update(v.as_bytes());
        h.update([1]);
    }
    hex::encode(&h.finalize()[..16])
}

/// Error-level findings of the NAACCR edits that exclude a tumor, per stored tumor.
fn failing(stored: &Stored, today: NaiveDate) -> Vec<Vec<Finding<'static>>> {
    let reasons_invalid = || {
        vec![Finding {
            edit_id: "stored.invalid".into(),
            message: "the stored record no longer validates".into(),
        }]
    };
    let Some(d) = stored.domain() else {
        return stored.tumors.iter().map(|_| reasons_invalid()).collect();
    };
    let records = PatientRecords {
        patient: &d.patient,
        items: &stored.items,
        tumors: d
            .tumors
            .iter()
            .zip(&stored.tumors)
            .filter_map(|((id, t), st)| {
                t.as_ref().map(|tumor| TumorRecord { id, tumor, items: &st.items })
            })
            .collect(),
        treatments: d.treatments.iter().map(|(i, t, x)| (i.as_str(), t.as_str(), x)).collect(),
        contacts: d.contacts.iter().map(|(i, c)| (i.as_str(), c)).collect(),
    };
    let review = edits::review(&records, RuleSet::Naaccr, today, &super::edits::kept);
    let mut reviewed = review.tumors.into_iter();
    d.tumors
        .iter()
        .map(|(_, t)| match t {
            None => reasons_invalid(),
            Some(_) => reviewed
                .next()
                .unwrap_or_default()
                .into_iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| Finding { edit_id: f.edit_id.into(), message: f.message.into() })
                .collect(),
        })
        .collect()
}

pub use crate::dto::ExcludedReason;

/// One batch of patients read for an export.
struct Chunk {
    /// (patient id, its stored export form when it has a current one), in id order
    patients: Vec<(String, Option<Vec<u8>>)>,
    /// Patients whose stored form is another release's or failed on another day.
    outdated: Vec<String>,
    /// The records of the patients without a current form.
    unformed: naaccr_load::Fetched,
    /// tumor id → content hash last sent
    sent: HashMap<String, String>,
}

/// A batch formatted: its `<Patient>` elements, the submission state of each tumor considered and
/// the forms computed for patients that had none.
struct Formatted {
    xml: Vec<u8>,
    rows: BatchRows,
    outcome: ExportOutcome,
}

/// What an export stores for one batch of patients, in its transaction.
struct BatchRows {
    /// Forms to drop: their patients' new forms are in `forms`.
    outdated: Vec<String>,
    state_rows: Vec<SubmissionTumorRow>,
    forms: Vec<ExportFormRow>,
}

impl BatchRows {
    fn store(&self, conn: &mut DbConn) -> Result<()> {
        bulk::delete_export_forms(
            conn,
            &self.outdated.iter().map(String::as_str).collect::<Vec<_>>(),
        )?;
        bulk::insert_submission_tumors(conn, &self.state_rows)?;
        bulk::insert_export_forms(conn, &self.forms)?;
        Ok(())
    }
}

/// Formats patients from their export forms (no database access: runs on a worker thread).
struct Formatter<'p> {
    params: &'p ExportParams,
    targets: records::Targets<'p>,
    submission_id: &'p str,
    sent: HashMap<String, String>,
    writer: NaaccrXmlWriter<'p, Vec<u8>>,
    state_rows: Vec<SubmissionTumorRow>,
    outcome: ExportOutcome,
}

impl Formatter<'_> {
    fn patient(&mut self, form: &ExportForm) -> Result<()> {
        let (params, dict, targets) = (self.params, self.params.dictionary, &self.targets);
        let mut patient_items: Option<IndexedItems> = None;
        // Values the version has no item for: reported with the batch when their record is sent.
        let mut patient_unknown: Vec<&str> = Vec::new();
        let mut unknown: Vec<&str> = Vec::new();
        let mut tumors = Vec::new();
        for t in form.tumors.iter().filter(|t| params.selects(t)) {
            let mut tumor_unknown: Vec<&str> = Vec::new();
            let items = records::resolve(&t.items, targets, |id| tumor_unknown.push(id));
            let p_items = patient_items.get_or_insert_with(|| {
                records::resolve(&form.patient, targets, |id| patient_unknown.push(id))
            });
            let hash = content_hash(dict, p_items, &items);
            if params.filters.changed_since_last && self.sent.get(t.id.as_ref()) == Some(&hash) {
                continue;
            }
            let excluded = !t.failing.is_empty() && !params.filters.include_failing;
            // The batch report lists the tumors left out with their reasons; nothing reads the
            // reasons of tumors sent anyway, so they are not stored.
            let reasons = if !excluded {
                None
            } else {
                let why: Vec<ExcludedReason> = t
                    .failing
                    .iter()
                    .map(|f| ExcludedReason {
                        edit_id: f.edit_id.to_string(),
                        message: f.message.to_string(),
                    })
                    .collect();
                Some(to_doc(&why)?)
            };
            self.state_rows.push(SubmissionTumorRow {
                submission_id: self.submission_id.to_owned(),
                tumor_id: t.id.to_string(),
                tumor_version: t.version,
                content_hash: hash,
                included: !excluded,
                reasons,
            });
            if excluded {
                self.outcome.excluded += 1;
            } else {
                tumors.push(items);
                unknown.extend(tumor_unknown);
            }
        }
        if let (Some(items), false) = (patient_items, tumors.is_empty()) {
            for id in patient_unknown.into_iter().chain(unknown) {
                *self.outcome.skipped.entry((id.to_owned(), SkipReason::UnknownId)).or_default() +=
                    1;
            }
            self.outcome.patients += 1;
            self.outcome.tumors += tumors.len() as u64;
            self.writer.write_indexed(&IndexedPatient { items, tumors }).map_err(write_err)?;
        }
        Ok(())
    }
}

/// Formats one batch; patients without a usable stored form get one computed from their records
/// (parsed, validated and checked), returned to be stored.
fn format_chunk(
    chunk: Chunk,
    params: &ExportParams,
    submission_id: &str,
    today: NaiveDate,
) -> Result<Formatted> {
    let mut unformed: HashMap<String, Stored> =
        chunk.unformed.parse()?.into_iter().map(|s| (s.row.id.clone(), s)).collect();
    let mut f = Formatter {
        params,
        targets: records::Targets::new(params.dictionary),
        submission_id,
        sent: chunk.sent,
        writer: NaaccrXmlWriter::fragment(
            Vec::with_capacity(chunk.patients.len() * 4096),
            params.dictionary,
            params.record_type,
        ),
        state_rows: Vec::new(),
        outcome: ExportOutcome::default(),
    };
    let mut forms = Vec::new();
    for (id, stored_form) in &chunk.patients {
        if let Some(bytes) = stored_form {
            let form = ExportForm::decode(bytes).map_err(|e| {
                ServiceError::Db(crate::db::DbError::Query(
                    diesel::result::Error::DeserializationError(Box::new(e)),
                ))
            })?;
            f.patient(&form)?;
            continue;
        }
        let Some(mut stored) = unformed.remove(id) else { continue };
        let failing = failing(&stored, today);
        let record = stored.take_record();
        let keys = stored
            .tumors
            .iter()
            .zip(failing)
            .map(|(t, failing)| TumorKey { id: &t.row.id, version: t.row.version, failing })
            .collect();
        let form = ExportForm::of(&record, keys);
        forms.push(ExportFormRow {
            patient_id: id.clone(),
            form: form.encode(),
            passes: form.passes(),
            checked_on: today,
        });
        f.patient(&form)?;
    }
    f.outcome.add_skipped(f.writer.summary());
    Ok(Formatted {
        xml: f.writer.into_inner(),
        rows: BatchRows { outdated: chunk.outdated, state_rows: f.state_rows, forms },
        outcome: f.outcome,
    })
}

fn write_err(e: crate::export::naaccr_xml::WriteError) -> ServiceError {
    ServiceError::File(format!("writing the file failed: {e}"))
}

/// Reads the next batch of patients after `after`; `None` at the end.
fn read_chunk(
    conn: &mut DbConn,
    params: &ExportParams,
    today: NaiveDate,
    after: &mut Option<String>,
) -> Result<Option<Chunk>> {
    let page = bulk::forms_after(conn, after.as_deref(), BATCH)?;
    let Some((last, _)) = page.last() else { return Ok(None) };
    *after = Some(last.clone());
    let mut outdated: Vec<String> = Vec::new();
    let patients: Vec<(String, Option<Vec<u8>>)> = page
        .into_iter()
        .map(|(id, stored)| match stored {
            Some((f, passes, on)) if form::is_current(&f) && (passes || on == today) => {
                (id, Some(f))
            }
            Some(_) => {
                outdated.push(id.clone());
                (id, None)
            }
            None => (id, None),
        })
        .collect();
    let ids: Vec<&str> =
        patients.iter().filter(|(_, f)| f.is_none()).map(|(id, _)| id.as_str()).collect();
    let rows = if ids.is_empty() { Vec::new() } else { bulk::patients_by_id(conn, &ids)? };
    let unformed = naaccr_load::fetch(conn, rows)?;
    let mut sent = HashMap::new();
    if params.filters.changed_since_last {
        let pids: Vec<&str> = patients.iter().map(|(id, _)| id.as_str()).collect();
        let mut latest: HashMap<String, (NaiveDateTime, String)> = HashMap::new();
        let (rt, version) = (params.record_type.as_str(), params.dictionary.version.as_str());
        for (tid, hash, at) in bulk::sent_hashes(conn, &pids, rt, version)? {
            if latest.get(&tid).is_none_or(|(t, _)| *t <= at) {
                latest.insert(tid, (at, hash));
            }
        }
        sent = latest.into_iter().map(|(tid, (_, hash))| (tid, hash)).collect();
    }
    // Another release's forms, and failures found on another day, make way for the forms this
    // export computes (dropped when the batch's rows are stored).
    Ok(Some(Chunk { patients, outdated, unformed, sent }))
}

/// Streams the selected tumors as NAACCR XML to `out` and records each tumor considered under
/// `submission_id`.
///
/// A pipeline: this thread reads batches of patients on `read`; worker threads format the batches
/// read before (computing the export forms patients lack); a writer thread writes the formatted
/// batches to `out` in read order. The rows of each batch (tumor states, forms) are stored in the
/// caller's transaction on `record`, by a thread of its own, so the database stores one batch while
/// it reads the next (PostgreSQL serves each connection on its own process); without `record` they
/// are stored on `read`, between reads, and `read` carries the caller's transaction.
pub fn export_to<W: Write + Send>(
    read: &mut DbConn,
    record: Option<&mut DbConn>,
    params: &ExportParams,
    submission_id: &str,
    today: NaiveDate,
    time_generated: Option<String>,
    out: W,
) -> Result<(W, ExportOutcome)> {
    let mut writer =
        NaaccrXmlWriter::new(out, params.dictionary, params.record_type, time_generated)
            .map_err(write_err)?;
    let mut outcome = ExportOutcome::default();
    let threads = super::worker_count();
    type Reply = mpsc::Sender<Result<Formatted>>;
    let (job_tx, job_rx) = mpsc::sync_channel::<(Chunk, Reply)>(threads);
    let job_rx = std::sync::Mutex::new(job_rx);
    let (written, stored, result) = std::thread::scope(|scope| {
        let (xml_tx, xml_rx) = mpsc::sync_channel::<Vec<u8>>(threads + 1);
        let (rows_tx, rows_rx) = mpsc::sync_channel::<BatchRows>(threads + 1);
        let storing = record.map(|conn| {
            scope.spawn(move || {
                for rows in rows_rx {
                    rows.store(conn)?;
                }
                Ok::<_, ServiceError>(())
            })
        });
        let separate = storing.is_some();
        let mut apply = |conn: &mut DbConn, done: Result<Formatted>| {
            let done = done?;
            xml_tx.send(done.xml).map_err(|_| ServiceError::Worker)?;
            if separate {
                rows_tx.send(done.rows).map_err(|_| ServiceError::Worker)?;
            } else {
                done.rows.store(conn)?;
            }
            outcome.add(done.outcome);
            Ok::<_, ServiceError>(())
        };
        super::spawn_workers(scope, threads, &job_rx, |(chunk, reply): (Chunk, Reply)| {
            // The receiver is gone only when the export already failed.
            let _ = reply.send(format_chunk(chunk, params, submission_id, today));
            true
        });
        let write = scope.spawn(move || {
            for xml in xml_rx {
                writer.write_fragment(&xml).map_err(write_err)?;
            }
            writer.finish().map_err(write_err)
        });
        // Results come back in the order the batches were read, so the file is deterministic.
        let mut pending: VecDeque<mpsc::Receiver<Result<Formatted>>> = VecDeque::new();
        let mut after: Option<String> = None;
        let result = (|| {
            while let Some(chunk) = read_chunk(read, params, today, &mut after)? {
                let (reply, done) = mpsc::channel();
                job_tx.send((chunk, reply)).map_err(|_| ServiceError::Worker)?;
                pending.push_back(done);
                while pending.len() > threads {
                    if let Some(done) = pending.pop_front() {
                        apply(read, done.recv().map_err(|_| ServiceError::Worker)?)?;
                    }
                }
            }
            while let Some(done) = pending.pop_front() {
                apply(read, done.recv().map_err(|_| ServiceError::Worker)?)?;
            }
            Ok::<_, ServiceError>(())
        })();
        drop(job_tx);
        drop(xml_tx);
        drop(rows_tx);
        let stored = storing.map(|s| s.join().map_err(|_| ServiceError::Worker));
        (write.join().map_err(|_| ServiceError::Worker), stored, result)
    });
    // A failed write or store stops its thread first, so its error is the one to report.
    let (out, summary) = written??;
    if let Some(stored) = stored {
        stored??;
    }
    result?;
    outcome.add_skipped(&summary);
    Ok((out, outcome))
}

/// The file name of a batch.
fn file_name(id: &str, params: &ExportParams, at: NaiveDateTime) -> String {
    format!(
        "naaccr-{}-{}-{}-{}.xml",
        params.dictionary.version,
        params.record_type.as_str(),
        at.format("%Y%m%dT%H%M%S"),
        &id[id.len().saturating_sub(12)..]
    )
}

fn deleted(conn: &mut DbConn, id: &str) -> Result<Vec<DeletedTumor>> {
    bulk::tombstones_of(conn, id)?
        .into_iter()
        .map(|t| {
            Ok(DeletedTumor {
                tumor_id: t.tumor_id,
                patient_id_number: t.patient_id_number,
                keys: parse_doc(&t.keys)?,
                deleted_at: utc(t.deleted_at),
            })
        })
        .collect()
}

fn out(row: &SubmissionRow, excluded: Option<Vec<ExcludedTumor>>) -> Result<SubmissionData> {
    let filters: SubmissionFilters = parse_doc(&row.filters)?;
    Ok(SubmissionData {
        id: row.id.clone(),
        created_at: utc(row.created_at),
        created_by: row.actor_name.clone(),
        record_type: row.record_type.clone(),
        naaccr_version: row.naaccr_version.clone(),
        filters,
        patient_count: row.patient_count,
        tumor_count: row.tumor_count,
        excluded_count: row.excluded_count,
        byte_count: row.byte_count,
        sha256: row.sha256.clone(),
        file_name: row.file_name.clone(),
        excluded,
        skipped: parse_doc(&row.skipped)?,
        deleted: None,
        voided_at: row.voided_at.map(utc),
        voided_by: row.voided_by.clone(),
        void_reason: row.void_reason.clone(),
    })
}

/// The whole report of one batch: the tumors it left out and the deletions it reported.
fn report(conn: &mut DbConn, row: &SubmissionRow) -> Result<SubmissionData> {
    let ex = excluded(conn, &row.id)?;
    let mut data = out(row, Some(ex))?;
    data.deleted = Some(deleted(conn, &row.id)?);
    Ok(data)
}

fn excluded(conn: &mut DbConn, id: &str) -> Result<Vec<ExcludedTumor>> {
    bulk::excluded_of(conn, id, REPORT_LIMIT)?
        .into_iter()
        .map(|r| {
            Ok(ExcludedTumor {
                tumor_id: r.tumor_id,
                reasons: match r.reasons {
                    Some(j) => parse_doc(&j)?,
                    None => vec![],
                },
            })
        })
        .collect()
}

/// Creates a batch: writes the file into `dir` and copies it to each of `copies` (the CLI's
/// `--out`, the monthly export directory), then records the batch, its tumors, the deletions it
/// reports and an audit entry, in one transaction on `conn`. The batch is recorded only once every
/// file is whole and synced to disk: any failure (a full disk, a path that cannot be written, a
/// killed process) leaves no batch, so the next "changed since last" batch still carries its
/// tumors.
///
/// `reader`, a second connection to the same database, reads the patients while `conn` stores what
/// the export records, so the two overlap (worth it on PostgreSQL; pass `None` on SQLite, which has
/// one writer and reads in-process anyway).
pub fn create(
    conn: &mut DbConn,
    reader: Option<&mut DbConn>,
    actor: &Actor,
    req: &SubmissionRequest,
    dir: &Path,
    today: NaiveDate,
    copies: &[PathBuf],
) -> Result<SubmissionData> {
    actor.require(Role::Registrar)?;
    let params = ExportParams::parse(req)?;
    let fs_err = |e: io::Error| ServiceError::File(format!("submission file: {e}"));
    std::fs::create_dir_all(dir).map_err(fs_err)?;
    let id = new_id();
    let at = now();
    let name = file_name(&id, &params, at);
    let tmp = dir.join(format!(".{name}.tmp"));
    let path = dir.join(&name);
    let targets: Vec<PathBuf> =
        copies.iter().map(|c| if c.is_dir() { c.join(&name) } else { c.clone() }).collect();
    let result = crate::db::transaction(conn, |c| {
        let mut row = SubmissionRow {
            id: id.clone(),
            created_at: at,
            actor_token_id: actor.token_id.clone(),
            actor_name: actor.name.clone(),
            record_type: params.record_type.as_str().to_owned(),
            naaccr_version: params.dictionary.version.clone(),
            filters: to_doc(&params.filters)?,
            patient_count: 0,
            tumor_count: 0,
            excluded_count: 0,
            byte_count: 0,
            sha256: String::new(),
            file_name: name.clone(),
            skipped: "[]".into(),
            voided_at: None,
            voided_by: None,
            void_reason: None,
        };
        bulk::insert_submission(c, &row)?;
        let sink = Hashing::new(BatchFile::create(&tmp).map_err(fs_err)?);
        let time = Some(utc(at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let (sink, outcome) = match reader {
            Some(r) => export_to(r, Some(&mut *c), &params, &id, today, time, sink)?,
            None => export_to(c, None, &params, &id, today, time, sink)?,
        };
        let (file, sha, bytes) = sink.finish();
        file.finish().map_err(fs_err)?;
        row.patient_count = outcome.patients as i64;
        row.tumor_count = outcome.tumors as i64;
        row.excluded_count = outcome.excluded as i64;
        row.byte_count = bytes as i64;
        row.sha256 = sha;
        row.skipped = to_doc(&outcome.skipped_values())?;
        bulk::finish_submission(c, &row)?;
        let tombstones =
            bulk::unreported_tombstones(c, params.filters.reporting_facility.as_deref())?;
        let ids: Vec<&str> = tombstones.iter().map(|t| t.tumor_id.as_str()).collect();
        bulk::report_tombstones(c, &ids, &id)?;
        audit::record(c, actor, Action::Create, "submission", &[&id])?;
        // A disclosure to the central registry, per patient the file carries.
        let carried = bulk::submission_patients(c, &id)?;
        audit::disclose(c, actor, &format!("submission {id}"), "patient", &carried, CENTRAL)?;
        std::fs::rename(&tmp, &path).and_then(|()| sync_dir(dir)).map_err(fs_err)?;
        for target in &targets {
            copy_into_place(&path, target)
                .map_err(|e| ServiceError::File(format!("copy to {}: {e}", target.display())))?;
        }
        report(c, &row)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(&path);
        for target in &targets {
            let _ = std::fs::remove_file(target);
        }
    }
    result
}

/// Flushes a directory's entries (a rename into it) to disk.
fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Voids a batch (admin): its tumors count as not sent, so the next "changed since last" batch
/// carries them again, and the deletions it reported are reported again. The file stays.
pub fn void(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    req: &VoidRequest,
) -> Result<SubmissionData> {
    actor.require(Role::Admin)?;
    let reason = req.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ServiceError::Invalid(vec![invalid(
            "reason",
            "text.length",
            "give the reason in 1 to 500 characters",
        )]));
    }
    crate::db::transaction(conn, |c| {
        let row = bulk::get_submission(c, id)?.ok_or(ServiceError::NotFound("submission"))?;
        if row.voided_at.is_some() {
            return Err(ServiceError::Conflict {
                field: "id",
                rule: "state",
                message: "the batch is already voided".into(),
            });
        }
        bulk::void_submission(c, id, now(), &actor.name, reason)?;
        audit::record(c, actor, Action::Update, "submission", &[id])?;
        let row = bulk::get_submission(c, id)?.ok_or(ServiceError::NotFound("submission"))?;
        report(c, &row)
    })
}

pub fn list(conn: &mut DbConn, actor: &Actor, page: &PageRequest) -> Result<Page<SubmissionData>> {
    actor.require(Role::Viewer)?;
    let after = page.after()?;
    super::read(conn, actor, |c| {
        let rows = bulk::list_submissions(c, after.as_deref(), page.limit() + 1)?;
        let (rows, next_cursor) = page.page(rows, |r| &r.id);
        Ok(Page { items: rows.iter().map(|r| out(r, None)).collect::<Result<_>>()?, next_cursor })
    })
}

/// Who receives a submission file.
const CENTRAL: &str = "central registry";

pub fn get(conn: &mut DbConn, actor: &Actor, id: &str) -> Result<SubmissionData> {
    actor.require(Role::Viewer)?;
    super::read(conn, actor, |c| {
        let row = bulk::get_submission(c, id)?.ok_or(ServiceError::NotFound("submission"))?;
        let data = report(c, &row)?;
        audit::record(c, actor, Action::Read, "submission", &[id])?;
        let excluded: Vec<&str> =
            data.excluded.iter().flatten().map(|e| e.tumor_id.as_str()).collect();
        audit::record(c, actor, Action::Read, "tumor", &excluded)?;
        Ok(data)
    })
}

/// The path of a batch's file, for download; audited as a read of the batch.
pub fn file(conn: &mut DbConn, actor: &Actor, id: &str, dir: &Path) -> Result<(PathBuf, String)> {
    actor.require(Role::Viewer)?;
    super::read(conn, actor, |c| {
        let row = bulk::get_submission(c, id)?.ok_or(ServiceError::NotFound("submission"))?;
        audit::record(c, actor, Action::Read, "submission", &[id])?;
        let path = dir.join(&row.file_name);
        if !path.is_file() {
            return Err(ServiceError::NotFound("submission file"));
        }
        Ok((path, row.file_name))
    })
}

/// What the monthly export job makes and where it puts it, checked when the service starts.
#[derive(Clone, Debug)]
pub struct MonthlyExport {
    request: SubmissionRequest,
    /// Where batch files are kept (as for every batch).
    pub submissions_dir: PathBuf,
    /// Where the job copies each batch for pick-up.
    pub export_dir: PathBuf,
}

/// Monthly export settings no batch could be made with; names each setting and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("monthly export settings: {0}")]
pub struct SettingsError(String);

impl MonthlyExport {
    /// Reads the export settings; a record type, version or facility no batch could be made with is
    /// refused here rather than on the first of the month.
    pub fn from_settings(
        settings: &crate::config::Settings,
    ) -> std::result::Result<Self, SettingsError> {
        let request = SubmissionRequest {
            record_type: Some(settings.export_record_type.clone()),
            naaccr_version: Some(settings.export_naaccr_version.clone()),
            reporting_facility: settings.export_facility.clone(),
            dx_from: None,
            dx_to: None,
            changed_since_last: Some(true),
            include_failing: Some(false),
        };
        if let Err(e) = ExportParams::parse(&request) {
            let ServiceError::Invalid(violations) = e else {
                return Err(SettingsError(e.to_string()));
            };
            let setting = |field: &str| match field {
                "recordType" => "--export-record-type (ONCOREG_EXPORT_RECORD_TYPE)",
                "naaccrVersion" => "--export-naaccr-version (ONCOREG_EXPORT_NAACCR_VERSION)",
                _ => "--export-facility (ONCOREG_EXPORT_FACILITY)",
            };
            let each: Vec<String> = violations
                .iter()
                .map(|v| format!("{}: {}", setting(&v.field), v.message))
                .collect();
            return Err(SettingsError(each.join("; ")));
        }
        Ok(Self {
            request,
            submissions_dir: PathBuf::from(&settings.submissions_dir),
            export_dir: PathBuf::from(&settings.export_dir),
        })
    }
}

/// The monthly export job body: a changed-since-last batch, copied into the export directory
/// atomically (temporary name, then rename) before the batch is recorded. Returns the batch.
pub fn run_monthly_export(
    conn: &mut DbConn,
    reader: Option<&mut DbConn>,
    monthly: &MonthlyExport,
    as_of: NaiveDate,
) -> Result<SubmissionData> {
    let actor = Actor::system("monthly-export");
    let target = &monthly.export_dir;
    std::fs::create_dir_all(target).map_err(|e| ServiceError::File(format!("export copy: {e}")))?;
    create(
        conn,
        reader,
        &actor,
        &monthly.request,
        &monthly.submissions_dir,
        as_of,
        std::slice::from_ref(target),
    )
}

/// Copies a batch's file to `to` so that a reader of `to` sees the whole file or none: written under
/// a hidden temporary name beside it, flushed to disk, then renamed.
pub fn copy_into_place(from: &Path, to: &Path) -> io::Result<()> {
    let name = to.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = to.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let copied = std::fs::copy(from, &tmp)
        .and_then(|_| std::fs::File::open(&tmp)?.sync_all())
        .and_then(|()| std::fs::rename(&tmp, to));
    if copied.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    copied
}
