//! What a planned patient writes: new rows, changes to stored rows, the findings of every record
//! the patient's review touched, export forms of new patients and audit entries. Collected per
//! batch and written with a few bulk statements.

use chrono::NaiveDateTime;

use super::plan::{PatientPlan, Planned};
use super::{Ctx, ImportReport, REPORT_LIMIT};
use crate::db::bulk;
use crate::db::rows::*;
use crate::db::{DbConn, new_id, now};
use crate::domain::chronology::PatientHistory;
use crate::domain::codes::VitalStatus;
use crate::domain::edits::{EditStatus, Finding as EditFinding, Review, Severity};
use crate::domain::records::Contact;
use crate::formats::form::{ExportForm, Finding, TumorKey};
use crate::formats::mapping::ItemMap;
use crate::formats::records::{FollowUp, PatientRecord, TumorRecord};
use crate::model::{ContactData, ImportRecord, PatientData, TreatmentData};
use crate::service::audit::{self, Action, AuditSink};
use crate::service::changes::{self, Subject};
use crate::service::edits::findings_doc;
use crate::service::{Result, to_doc};

/// Everything one batch writes.
#[derive(Default)]
pub(super) struct Writes {
    patients: Vec<PatientRow>,
    tumors: Vec<TumorRow>,
    treatments: Vec<TreatmentRow>,
    contacts: Vec<ContactRow>,
    links: Vec<ContactTumorRow>,
    /// The patients created or updated and the tumors created, for the batch's audit event.
    audit: AuditSink,
    patient_updates: Vec<(String, PatientChange)>,
    /// (patient id, date of last contact, vital status)
    follow_up_updates: Vec<(String, Option<String>, String)>,
    tumor_updates: Vec<(String, TumorChange)>,
    treatment_updates: Vec<(String, TreatmentChange)>,
    /// Findings that changed on records whose data did not: (id, (findings, status)).
    patient_findings: Vec<(String, (Option<String>, String))>,
    tumor_findings: Vec<(String, (Option<String>, String))>,
    /// History: one row per patient and tumor created (the treatments and contacts a file gives
    /// start theirs at their first change; the import itself is kept), one per field an update
    /// changed.
    changes: Vec<RecordChangeRow>,
    /// Export forms of new patients.
    forms: Vec<ExportFormRow>,
    /// Patients whose records change: their export forms go.
    changed: Vec<String>,
}

/// A batch planned by a worker: what to write and what to report.
#[derive(Default)]
pub(super) struct PlannedBatch {
    pub writes: Writes,
    pub records: Vec<ImportRecord>,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    /// Tumors matched to stored ones, per key of [`super::matching::MATCH_KEYS`].
    pub matched: [u64; 3],
}

/// A record's stored state: its document and its item map (`None`: no items).
type StoredState<'a> = (&'a str, Option<&'a str>);

impl PlannedBatch {
    /// Writes the batch; its audit event names the import (`operation`) and the records it wrote.
    pub(super) fn apply(
        self,
        c: &mut DbConn,
        actor: &crate::service::Actor,
        operation: &str,
        report: &mut ImportReport,
    ) -> Result<()> {
        let w = self.writes;
        for (id, change) in &w.patient_updates {
            bulk::update_patient(c, id, change)?;
            crate::db::followup::rename_patient_tasks(c, id, &change.name_search)?;
            let dlc = change.date_of_last_contact.as_deref();
            crate::service::followup::after_imported_follow_up(c, id, dlc, &change.vital_status)?;
        }
        for (id, dlc, vital) in &w.follow_up_updates {
            bulk::set_follow_up_state(c, id, dlc.clone(), vital)?;
            crate::service::followup::after_imported_follow_up(c, id, dlc.as_deref(), vital)?;
        }
        for (id, change) in &w.tumor_updates {
            bulk::update_tumor(c, id, change)?;
        }
        for (id, change) in &w.treatment_updates {
            bulk::update_treatment(c, id, change)?;
        }
        for (id, findings) in &w.patient_findings {
            bulk::set_patient_findings(c, id, findings)?;
        }
        for (id, findings) in &w.tumor_findings {
            bulk::set_tumor_findings(c, id, findings)?;
        }
        bulk::delete_export_forms(c, &w.changed.iter().map(String::as_str).collect::<Vec<_>>())?;
        bulk::insert_patients(c, &w.patients)?;
        bulk::insert_export_forms(c, &w.forms)?;
        bulk::insert_tumors(c, &w.tumors)?;
        bulk::insert_treatments(c, &w.treatments)?;
        bulk::insert_contacts(c, &w.contacts)?;
        bulk::insert_contact_tumors(c, &w.links)?;
        let touched = w.audit.take();
        if !touched.is_empty() {
            bulk::insert_audit_events(c, &[audit::event(actor, operation, None, touched)?])?;
        }
        crate::db::repo::insert_changes(c, &w.changes)?;
        report.tumors_created += w.tumors.len() as u64;
        report.tumors_updated += w.tumor_updates.len() as u64;
        report.patients_created += self.created;
        report.patients_updated += self.updated;
        report.patients_unchanged += self.unchanged;
        report.patients_rejected += self.rejected;
        report.tumors_matched.add(&self.matched);
        let room = REPORT_LIMIT.saturating_sub(report.records.len());
        report.records.extend(self.records.into_iter().take(room));
        Ok(())
    }
}

/// An item map as stored: `None` when empty.
fn item_doc(items: &ItemMap) -> Result<Option<String>> {
    if items.is_empty() { Ok(None) } else { to_doc(items).map(Some) }
}

/// Findings as stored with their status.
fn stored_findings(findings: &[EditFinding]) -> Result<(Option<String>, String)> {
    Ok((findings_doc(findings)?, EditStatus::of(findings).as_str().to_string()))
}

/// Error-level findings: what keeps a tumor out of submission batches.
fn failing(findings: &[EditFinding]) -> Vec<Finding<'static>> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| Finding { edit_id: f.edit_id.into(), message: f.message.clone().into() })
        .collect()
}

use crate::service::patients::search_keys;

fn name_search(p: &crate::domain::records::Patient) -> String {
    crate::service::patients::name_search(p)
}

impl Ctx<'_> {
    fn audit(&self, w: &mut Writes, action: Action, entity: &str, id: &str) {
        w.audit.note(action, entity, &[id], None);
    }

    /// The history of one record the import updates, from its state before to its state after. A
    /// record the import creates carries its creator itself.
    fn change(
        &self,
        w: &mut Writes,
        subject: Subject,
        (before, after): (StoredState, StoredState),
    ) -> Result<()> {
        let before = changes::fields(before.0, before.1)?;
        let after = changes::fields(after.0, after.1)?;
        w.changes.extend(changes::rows(
            self.actor,
            subject,
            Action::Update,
            Some(&before),
            Some(&after),
        ));
        Ok(())
    }

    /// Adds the writes of one planned patient; returns `created`, `updated` or `unchanged`.
    pub(super) fn write(
        &self,
        w: &mut Writes,
        plan: PatientPlan,
        review: Review,
    ) -> Result<&'static str> {
        let at = now();
        let PatientPlan { existing, patient, items: p_items, planned, others, contact } = plan;
        let contact = contact.map(|ct| (new_id(), ct));
        let (dlc, vital) = follow_up_state(existing, &patient, &planned, &others, &contact);
        let patient_doc = PatientData::from_domain(&patient);
        let contact_doc = contact.as_ref().map(|(_, ct)| ContactData::from_domain(ct));
        let (tumor_reviews, other_reviews) = review.tumors.split_at(planned.len());
        let patient_findings =
            (findings_doc(&review.patient)?, review.patient_status().as_str().to_string());
        let doc = to_doc(&patient_doc)?;
        let items_doc = item_doc(&p_items)?;
        let mut changed = false;
        let pid = match existing {
            None => {
                let id = new_id();
                let follow_up = contact_doc.as_ref().map(|c| FollowUp {
                    date_of_last_contact: dlc.clone().unwrap_or_default(),
                    vital_status: vital.to_owned(),
                    // As exports read it: the cause recorded by a contact that reports the death.
                    cause_of_death: c
                        .cause_of_death
                        .clone()
                        .filter(|_| c.vital_status.as_deref() == Some(VitalStatus::DEAD.code())),
                });
                let rec = new_record(&patient_doc, &p_items, follow_up, &planned, &contact_doc);
                let keys = planned
                    .iter()
                    .zip(tumor_reviews)
                    .map(|(p, f)| TumorKey { id: &p.id, version: 1, failing: failing(f) })
                    .collect();
                let form = ExportForm::of(&rec, keys);
                w.forms.push(ExportFormRow {
                    patient_id: id.clone(),
                    form: form.encode(),
                    passes: form.passes(),
                    checked_on: self.today,
                });
                w.patients.push(PatientRow {
                    id: id.clone(),
                    version: 1,
                    patient_id_number: patient.patient_id_number.to_string(),
                    name_search: name_search(&patient),
                    date_of_last_contact: dlc.clone(),
                    vital_status: vital.into(),
                    data: doc,
                    created_at: at.into(),
                    updated_at: at.into(),
                    items: items_doc,
                    findings: patient_findings.0,
                    edit_status: patient_findings.1,
                    created_by: self.actor.name.clone(),
                    date_of_birth: search_keys(&patient).0,
                    ssn_last_four: search_keys(&patient).1,
                });
                id
            }
            Some(s) => {
                let findings_changed =
                    s.row.findings != patient_findings.0 || s.row.edit_status != patient_findings.1;
                if s.row.data != doc || s.items != p_items {
                    let change = PatientChange {
                        version: s.row.version + 1,
                        name_search: name_search(&patient),
                        date_of_birth: search_keys(&patient).0,
                        ssn_last_four: search_keys(&patient).1,
                        date_of_last_contact: dlc.clone(),
                        vital_status: vital.into(),
                        data: doc,
                        items: items_doc,
                        findings: patient_findings.0,
                        edit_status: patient_findings.1,
                        updated_at: at,
                    };
                    let subject = Subject {
                        entity: "patient",
                        id: &s.row.id,
                        patient_id: &s.row.id,
                        version: change.version,
                    };
                    let edit = (
                        (s.row.data.as_str(), s.row.items.as_deref()),
                        (change.data.as_str(), change.items.as_deref()),
                    );
                    self.change(w, subject, edit)?;
                    w.patient_updates.push((s.row.id.clone(), change));
                    changed = true;
                } else {
                    if s.row.date_of_last_contact != dlc || s.row.vital_status != vital {
                        w.follow_up_updates.push((s.row.id.clone(), dlc.clone(), vital.to_owned()));
                        changed = true;
                    }
                    if findings_changed {
                        w.patient_findings.push((s.row.id.clone(), patient_findings));
                    }
                }
                s.row.id.clone()
            }
        };
        for (p, findings) in planned.into_iter().zip(tumor_reviews) {
            changed |= self.write_tumor(w, &pid, p, findings, at)?;
        }
        for ((s, _), findings) in others.iter().zip(other_reviews) {
            let findings = stored_findings(findings)?;
            if s.row.findings != findings.0 || s.row.edit_status != findings.1 {
                w.tumor_findings.push((s.row.id.clone(), findings));
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
                created_by: self.actor.name.clone(),
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
            "created" => self.audit(w, Action::Create, "patient", &pid),
            "updated" => self.audit(w, Action::Update, "patient", &pid),
            _ => {}
        }
        Ok(status)
    }

    /// Adds the writes of one planned tumor and its treatments; whether its records change.
    fn write_tumor(
        &self,
        w: &mut Writes,
        pid: &str,
        p: Planned,
        findings: &[EditFinding],
        at: NaiveDateTime,
    ) -> Result<bool> {
        let mut changed = false;
        let data = to_doc(&p.doc)?;
        let t = &p.domain;
        let (findings, edit_status) = stored_findings(findings)?;
        let row = TumorRow {
            id: p.id.clone(),
            patient_id: pid.to_owned(),
            version: 1,
            primary_site: t.primary_site.map(|x| x.to_string()),
            histology: t.histology.map(|x| x.to_string()),
            behavior: t.behavior.map(|x| x.to_string()),
            diagnosis_year: t.dx_year().map(i32::from),
            class_of_case: t.class_of_case.map(|x| x.to_string()),
            reporting_facility: t.reporting_facility.clone(),
            data,
            findings,
            edit_status,
            created_at: at.into(),
            updated_at: at.into(),
            items: item_doc(&p.items)?,
            created_by: self.actor.name.clone(),
        };
        match p.existing {
            None => {
                self.audit(w, Action::Create, "tumor", &row.id);
                w.tumors.push(row);
                changed = true;
            }
            Some(s) if s.row.data != row.data || s.items != p.items => {
                self.audit(w, Action::Update, "tumor", &row.id);
                let change = TumorChange {
                    version: s.row.version + 1,
                    primary_site: row.primary_site,
                    histology: row.histology,
                    behavior: row.behavior,
                    diagnosis_year: row.diagnosis_year,
                    class_of_case: row.class_of_case,
                    reporting_facility: row.reporting_facility,
                    data: row.data,
                    findings: row.findings,
                    edit_status: row.edit_status,
                    items: row.items,
                    updated_at: at,
                };
                let subject = Subject {
                    entity: "tumor",
                    id: &row.id,
                    patient_id: pid,
                    version: change.version,
                };
                let edit = (
                    (s.row.data.as_str(), s.row.items.as_deref()),
                    (change.data.as_str(), change.items.as_deref()),
                );
                self.change(w, subject, edit)?;
                w.tumor_updates.push((row.id, change));
                changed = true;
            }
            Some(s) => {
                if s.row.findings != row.findings || s.row.edit_status != row.edit_status {
                    w.tumor_findings.push((row.id, (row.findings, row.edit_status)));
                }
            }
        }
        for ((td, _), id) in p.treatments.iter().zip(&p.treatment_ids) {
            let data = to_doc(td)?;
            let old = p.existing.and_then(|s| {
                s.treatments
                    .iter()
                    .find(|(_, d)| d.first_course != Some(false) && d.modality == td.modality)
            });
            match old {
                Some((r, _)) if r.data == data => {}
                Some((r, _)) => {
                    let change = TreatmentChange { version: r.version + 1, data, updated_at: at };
                    let subject = Subject {
                        entity: "treatment",
                        id: &r.id,
                        patient_id: pid,
                        version: change.version,
                    };
                    let edit = ((r.data.as_str(), None), (change.data.as_str(), None));
                    self.change(w, subject, edit)?;
                    w.treatment_updates.push((r.id.clone(), change));
                    changed = true;
                }
                None => {
                    w.treatments.push(TreatmentRow {
                        id: id.clone(),
                        tumor_id: p.id.clone(),
                        version: 1,
                        modality: td.modality.clone().unwrap_or_default(),
                        data,
                        created_at: at.into(),
                        updated_at: at.into(),
                        created_by: self.actor.name.clone(),
                    });
                    changed = true;
                }
            }
        }
        Ok(changed)
    }
}

/// The date of last contact and vital status the patient's records give after the import.
fn follow_up_state(
    existing: Option<&crate::service::naaccr_load::Stored>,
    patient: &crate::domain::records::Patient,
    planned: &[Planned],
    others: &[(&crate::service::naaccr_load::StoredTumor, crate::domain::records::Tumor)],
    contact: &Option<(String, Contact)>,
) -> (Option<String>, &'static str) {
    let old: Vec<(String, Contact)> = existing
        .map(|s| {
            s.contacts
                .iter()
                .filter_map(|(r, d)| d.to_domain().ok().map(|c| (r.id.clone(), c)))
                .collect()
        })
        .unwrap_or_default();
    let mut contacts: Vec<(&str, &Contact)> = old.iter().map(|(i, c)| (i.as_str(), c)).collect();
    if let Some((id, ct)) = contact {
        contacts.push((id, ct));
    }
    let history = PatientHistory {
        patient,
        tumors: planned
            .iter()
            .map(|p| (p.id.as_str(), &p.domain))
            .chain(others.iter().map(|(s, t)| (s.row.id.as_str(), t)))
            .collect(),
        treatments: vec![],
        contacts,
    };
    let (dlc, vital) = history.follow_up_state();
    (dlc.map(|d| d.to_string()), vital.code())
}

/// A new patient's records as an export will read them back: treatments in id order, cancer
/// statuses from the contact.
fn new_record(
    patient: &PatientData,
    items: &ItemMap,
    follow_up: Option<FollowUp>,
    planned: &[Planned],
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
            .map(|p| {
                let mut treatments: Vec<(&String, &TreatmentData)> =
                    p.treatment_ids.iter().zip(p.treatments.iter().map(|(d, _)| d)).collect();
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
