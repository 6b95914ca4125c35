//! Building a batch: patients read in batches, formatted by worker threads into NAACCR XML
//! fragments, with the rows that record what each tumor sent.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use sha2::{Digest, Sha256};

use crate::db::DbConn;
use crate::db::bulk;
use crate::db::rows::{ExportFormRow, SubmissionTumorRow};
use crate::domain::edits::{self, PatientRecords, RuleSet, Severity, TumorRecord};
use crate::domain::naaccr::Dictionary;
use crate::formats::form::{self, ExportForm, Finding, TumorKey};
use crate::formats::naaccr_xml::{
    IndexedItems, IndexedPatient, NaaccrXmlWriter, SkipReason, WriteSummary,
};
use crate::formats::records;
use crate::model::SkippedValues;
use crate::service::naaccr_load::{self, Stored};
use crate::service::{Result, ServiceError, to_doc};

use super::{BATCH, ExportParams};

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
    pub(super) fn add_skipped(&mut self, summary: &WriteSummary) {
        for (id, reasons) in &summary.skipped {
            for (reason, n) in reasons {
                if *reason != SkipReason::NotInRecordType {
                    *self.skipped.entry((id.clone(), *reason)).or_default() += n;
                }
            }
        }
    }

    pub(super) fn add(&mut self, other: ExportOutcome) {
        self.patients += other.patients;
        self.tumors += other.tumors;
        self.excluded += other.excluded;
        for (key, n) in other.skipped {
            *self.skipped.entry(key).or_default() += n;
        }
    }

    pub(super) fn skipped_values(&self) -> Vec<SkippedValues> {
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
pub(super) fn content_hash(
    dict: &Dictionary,
    patient: &IndexedItems,
    tumor: &IndexedItems,
) -> String {
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
pub(super) fn failing(stored: &Stored, today: NaiveDate) -> Vec<Vec<Finding<'static>>> {
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
    let review = edits::review(&records, RuleSet::Naaccr, today, &crate::service::edits::kept);
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

pub use crate::model::ExcludedReason;

/// One batch of patients read for an export.
pub(super) struct Chunk {
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
pub(super) struct Formatted {
    pub(super) xml: Vec<u8>,
    pub(super) rows: BatchRows,
    pub(super) outcome: ExportOutcome,
}

/// What an export stores for one batch of patients, in its transaction.
pub(super) struct BatchRows {
    /// Forms to drop: their patients' new forms are in `forms`.
    outdated: Vec<String>,
    state_rows: Vec<SubmissionTumorRow>,
    forms: Vec<ExportFormRow>,
}

impl BatchRows {
    pub(super) fn store(&self, conn: &mut DbConn) -> Result<()> {
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
pub(super) struct Formatter<'p> {
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
pub(super) fn format_chunk(
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

pub(super) fn write_err(e: crate::formats::naaccr_xml::WriteError) -> ServiceError {
    ServiceError::File(format!("writing the file failed: {e}"))
}

/// Reads the next batch of patients after `after`; `None` at the end.
pub(super) fn read_chunk(
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
