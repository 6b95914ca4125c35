//! Submission batches: NAACCR XML files for a central registry, streamed from the database in
//! batches of patients, with per-tumor submission state for "changed since the last submission".
//!
//! Audit: one entry per batch (entity `submission`, action `create`); the batch's
//! `submission_tumors` rows name every tumor it read.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use chrono::{NaiveDate, NaiveDateTime};
use sha2::{Digest, Sha256};

use super::audit::{self, Action};
use super::naaccr_load::{self, Stored};
use super::{Actor, PageRequest, Result, Role, ServiceError, parse_doc, to_doc, utc};
use crate::db::bulk::{self, TumorScope};
use crate::db::rows::{SubmissionRow, SubmissionTumorRow};
use crate::db::{DbConn, new_id, now};
use crate::domain::PartialDate;
use crate::domain::edits::{self, EditInput, Overrides, RuleSet, Severity};
use crate::domain::naaccr::{Dictionary, RecordType};
use crate::domain::validation::Violation;
use crate::dto::{ExcludedTumor, Page, SubmissionData, SubmissionFilters, SubmissionRequest};
use crate::export::naaccr_xml::{IndexedItems, IndexedPatient, NaaccrXmlWriter};
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
    /// Checks a request: record type A, C or I; version 250 or 260; a valid date range.
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
        let dictionary = match req.naaccr_version.as_deref().map(str::trim) {
            Some(ver @ ("250" | "260")) => Dictionary::for_version(ver).ok(),
            _ => None,
        };
        if dictionary.is_none() {
            v.push(invalid("naaccrVersion", "code.unknown", "naaccrVersion must be 250 or 260"));
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

    fn scope(&self) -> TumorScope {
        TumorScope {
            facility: self.filters.reporting_facility.clone(),
            year_from: self.dx_from.map(|d| i32::from(d.year())),
            year_to: self.dx_to.map(|d| i32::from(d.year())),
        }
    }

    fn in_range(&self, dx: Option<&str>) -> bool {
        if self.dx_from.is_none() && self.dx_to.is_none() {
            return true;
        }
        let Some(d) = dx.and_then(|d| PartialDate::parse_iso(d).ok()) else { return false };
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

/// Error-level findings of the NAACCR edits that exclude a tumor, as (edit id, message) reasons.
fn failing(stored: &Stored, today: NaiveDate) -> Vec<Vec<ExcludedReason>> {
    let reasons_invalid = || {
        vec![ExcludedReason {
            edit_id: "stored.invalid".into(),
            message: "the stored record no longer validates".into(),
        }]
    };
    let Some(d) = stored.domain() else {
        return stored.tumors.iter().map(|_| reasons_invalid()).collect();
    };
    let valid: Vec<(&str, &crate::domain::records::Tumor)> =
        d.tumors.iter().filter_map(|(id, t)| t.as_ref().map(|t| (id.as_str(), t))).collect();
    let contacts: Vec<_> = d.contacts.iter().map(|(_, c)| c).collect();
    let none = Overrides::none();
    d.tumors
        .iter()
        .zip(&stored.tumors)
        .map(|((id, tumor), st)| {
            let Some(tumor) = tumor else { return reasons_invalid() };
            let others: Vec<(&str, &crate::domain::records::Tumor)> =
                valid.iter().filter(|(o, _)| o != id).copied().collect();
            let treatments: Vec<_> =
                d.treatments.iter().filter(|(_, tid, _)| tid == id).map(|(_, _, t)| t).collect();
            let age = st.items.get("ageAtDiagnosis").and_then(|a| a.parse().ok());
            let input = EditInput {
                patient: &d.patient,
                tumor_id: id,
                tumor,
                overrides: &none,
                other_tumors: &others,
                treatments: &treatments,
                contacts: &contacts,
                age_at_diagnosis: age,
                today,
            };
            edits::run(&input, RuleSet::Naaccr)
                .into_iter()
                .filter(|f| f.severity == Severity::Error && !f.overridden)
                .map(|f| ExcludedReason { edit_id: f.edit_id.into(), message: f.message })
                .collect()
        })
        .collect()
}

pub use crate::dto::ExcludedReason;

/// One batch of patients read for an export, with what earlier batches sent of its tumors.
struct Chunk {
    fetched: naaccr_load::Fetched,
    /// tumor id → content hash last sent
    sent: HashMap<String, String>,
}

/// A batch formatted: its `<Patient>` elements and the submission state of each tumor considered.
struct Formatted {
    xml: Vec<u8>,
    state_rows: Vec<SubmissionTumorRow>,
    outcome: ExportOutcome,
}

/// Parses, checks and formats one batch (no database access: runs on a worker thread).
fn format_chunk(
    chunk: Chunk,
    params: &ExportParams,
    submission_id: &str,
    today: NaiveDate,
) -> Result<Formatted> {
    let targets = records::Targets::new(params.dictionary);
    let mut batch = chunk.fetched.parse()?;
    for p in &mut batch {
        p.tumors.retain(|t| params.in_range(t.doc.date_of_diagnosis.as_deref()));
    }
    batch.retain(|p| !p.tumors.is_empty());
    let mut writer = NaaccrXmlWriter::fragment(
        Vec::with_capacity(batch.len() * 4096),
        params.dictionary,
        params.record_type,
    );
    let mut outcome = ExportOutcome::default();
    let mut state_rows = Vec::new();
    for stored in &mut batch {
        let reasons = failing(stored, today);
        let record = stored.take_record();
        let items = records::to_items(&record, &targets);
        let mut keep = IndexedPatient { items: items.items, tumors: Vec::new() };
        for ((tumor_items, st), why) in items.tumors.into_iter().zip(&stored.tumors).zip(reasons) {
            let hash = content_hash(params.dictionary, &keep.items, &tumor_items);
            if params.filters.changed_since_last && chunk.sent.get(&st.row.id) == Some(&hash) {
                continue;
            }
            let excluded = !why.is_empty() && !params.filters.include_failing;
            state_rows.push(SubmissionTumorRow {
                submission_id: submission_id.to_owned(),
                tumor_id: st.row.id.clone(),
                tumor_version: st.row.version,
                content_hash: hash,
                included: !excluded,
                reasons: if why.is_empty() { None } else { Some(to_doc(&why)?) },
            });
            if excluded {
                outcome.excluded += 1;
            } else {
                keep.tumors.push(tumor_items);
            }
        }
        if !keep.tumors.is_empty() {
            outcome.patients += 1;
            outcome.tumors += keep.tumors.len() as u64;
            writer.write_indexed(&keep).map_err(write_err)?;
        }
    }
    Ok(Formatted { xml: writer.into_inner(), state_rows, outcome })
}

fn write_err(e: crate::export::naaccr_xml::WriteError) -> ServiceError {
    ServiceError::File(format!("writing the file failed: {e}"))
}

/// Reads the next batch of patients after `after`; `None` at the end.
fn read_chunk(
    conn: &mut DbConn,
    params: &ExportParams,
    scope: &TumorScope,
    after: &mut Option<String>,
) -> Result<Option<Chunk>> {
    let rows = bulk::patients_after(conn, after.as_deref(), BATCH)?;
    let Some(last) = rows.last() else { return Ok(None) };
    *after = Some(last.id.clone());
    let fetched = naaccr_load::fetch(conn, rows, scope)?;
    let mut sent = HashMap::new();
    if params.filters.changed_since_last {
        let tids: Vec<&str> = fetched.tumor_ids().collect();
        let mut latest: HashMap<String, (NaiveDateTime, String)> = HashMap::new();
        for (tid, hash, at) in bulk::sent_hashes(conn, &tids)? {
            if latest.get(&tid).is_none_or(|(t, _)| *t <= at) {
                latest.insert(tid, (at, hash));
            }
        }
        sent = latest.into_iter().map(|(tid, (_, hash))| (tid, hash)).collect();
    }
    Ok(Some(Chunk { fetched, sent }))
}

/// Streams the selected tumors as NAACCR XML to `out` and records each tumor considered under
/// `submission_id`. Runs inside the caller's transaction.
///
/// A pipeline: this thread reads batches and records the submission state of each batch; worker
/// threads parse, check and format the batches read before; a writer thread writes the formatted
/// batches to `out` in read order.
pub fn export_to<W: Write + Send>(
    conn: &mut DbConn,
    params: &ExportParams,
    submission_id: &str,
    today: NaiveDate,
    time_generated: Option<String>,
    out: W,
) -> Result<(W, ExportOutcome)> {
    let mut writer =
        NaaccrXmlWriter::new(out, params.dictionary, params.record_type, time_generated)
            .map_err(write_err)?;
    let tumor_scope = params.scope();
    let mut outcome = ExportOutcome::default();
    let threads = super::worker_count();
    type Reply = mpsc::Sender<Result<Formatted>>;
    let (job_tx, job_rx) = mpsc::sync_channel::<(Chunk, Reply)>(threads);
    let job_rx = std::sync::Mutex::new(job_rx);
    let (written, result) = std::thread::scope(|scope| {
        let (xml_tx, xml_rx) = mpsc::sync_channel::<Vec<u8>>(threads + 1);
        let mut apply = |conn: &mut DbConn, done: Result<Formatted>| {
            let done = done?;
            xml_tx.send(done.xml).map_err(|_| ServiceError::Worker)?;
            bulk::insert_submission_tumors(conn, &done.state_rows)?;
            outcome.patients += done.outcome.patients;
            outcome.tumors += done.outcome.tumors;
            outcome.excluded += done.outcome.excluded;
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
            while let Some(chunk) = read_chunk(conn, params, &tumor_scope, &mut after)? {
                let (reply, done) = mpsc::channel();
                job_tx.send((chunk, reply)).map_err(|_| ServiceError::Worker)?;
                pending.push_back(done);
                while pending.len() > threads {
                    if let Some(done) = pending.pop_front() {
                        apply(conn, done.recv().map_err(|_| ServiceError::Worker)?)?;
                    }
                }
            }
            while let Some(done) = pending.pop_front() {
                apply(conn, done.recv().map_err(|_| ServiceError::Worker)?)?;
            }
            Ok::<_, ServiceError>(())
        })();
        drop(job_tx);
        drop(xml_tx);
        (write.join().map_err(|_| ServiceError::Worker), result)
    });
    // A failed write stops the writer first, so its error is the one to report.
    let (out, _) = written??;
    result?;
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
    })
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

/// Creates a batch: writes the file into `dir` (atomically: a temporary file renamed into place)
/// and records the batch, its tumors and an audit entry in one transaction.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    req: &SubmissionRequest,
    dir: &Path,
    today: NaiveDate,
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
        };
        bulk::insert_submission(c, &row)?;
        let file = std::fs::File::create(&tmp).map_err(fs_err)?;
        let sink = Hashing::new(io::BufWriter::with_capacity(1 << 16, file));
        let time = utc(at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let (sink, outcome) = export_to(c, &params, &id, today, Some(time), sink)?;
        let (buf, sha, bytes) = sink.finish();
        let file = buf.into_inner().map_err(|e| fs_err(e.into_error()))?;
        file.sync_all().map_err(fs_err)?;
        row.patient_count = outcome.patients as i64;
        row.tumor_count = outcome.tumors as i64;
        row.excluded_count = outcome.excluded as i64;
        row.byte_count = bytes as i64;
        row.sha256 = sha;
        bulk::finish_submission(c, &row)?;
        audit::record(c, actor, Action::Create, "submission", &[&id])?;
        std::fs::rename(&tmp, &path).map_err(fs_err)?;
        let ex = excluded(c, &id)?;
        out(&row, Some(ex))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(&path);
    }
    result
}

pub fn list(conn: &mut DbConn, actor: &Actor, page: &PageRequest) -> Result<Page<SubmissionData>> {
    actor.require(Role::Viewer)?;
    let after = page.after()?;
    crate::db::transaction(conn, |c| {
        let rows = bulk::list_submissions(c, after.as_deref(), page.limit() + 1)?;
        let (rows, next_cursor) = page.page(rows, |r| &r.id);
        Ok(Page { items: rows.iter().map(|r| out(r, None)).collect::<Result<_>>()?, next_cursor })
    })
}

pub fn get(conn: &mut DbConn, actor: &Actor, id: &str) -> Result<SubmissionData> {
    actor.require(Role::Viewer)?;
    crate::db::transaction(conn, |c| {
        let row = bulk::get_submission(c, id)?.ok_or(ServiceError::NotFound("submission"))?;
        let ex = excluded(c, id)?;
        out(&row, Some(ex))
    })
}

/// The path of a batch's file, for download; audited as a read of the batch.
pub fn file(conn: &mut DbConn, actor: &Actor, id: &str, dir: &Path) -> Result<(PathBuf, String)> {
    actor.require(Role::Viewer)?;
    crate::db::transaction(conn, |c| {
        let row = bulk::get_submission(c, id)?.ok_or(ServiceError::NotFound("submission"))?;
        audit::record(c, actor, Action::Read, "submission", &[id])?;
        let path = dir.join(&row.file_name);
        if !path.is_file() {
            return Err(ServiceError::NotFound("submission file"));
        }
        Ok((path, row.file_name))
    })
}

/// The monthly export job body: a changed-since-last batch of `record_type`/`version`, copied into
/// `export_dir` atomically (temporary name, then rename). Returns the batch.
pub fn run_monthly_export(
    conn: &mut DbConn,
    settings: &crate::config::Settings,
    as_of: NaiveDate,
) -> Result<SubmissionData> {
    let actor = Actor::system("monthly-export");
    let req = SubmissionRequest {
        record_type: Some(settings.export_record_type.clone()),
        naaccr_version: Some(settings.export_naaccr_version.clone()),
        reporting_facility: settings.export_facility.clone(),
        dx_from: None,
        dx_to: None,
        changed_since_last: Some(true),
        include_failing: Some(false),
    };
    let dir = PathBuf::from(&settings.submissions_dir);
    let batch = create(conn, &actor, &req, &dir, as_of)?;
    let fs_err = |e: io::Error| ServiceError::File(format!("export copy: {e}"));
    let target = PathBuf::from(&settings.export_dir);
    std::fs::create_dir_all(&target).map_err(fs_err)?;
    let tmp = target.join(format!(".{}.tmp", batch.file_name));
    std::fs::copy(dir.join(&batch.file_name), &tmp).map_err(fs_err)?;
    std::fs::rename(&tmp, target.join(&batch.file_name)).map_err(fs_err)?;
    Ok(batch)
}
