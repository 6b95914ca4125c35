//! Loads batches of stored patients with everything NAACCR import and export need, in a few
//! queries per batch (no per-patient queries).

use std::collections::HashMap;

use super::{Result, parse_doc};
use crate::db::DbConn;
use crate::db::bulk;
use crate::db::rows::{ContactDoc, PatientState, TreatmentState, TumorState};
use crate::domain::PartialDate;
use crate::domain::codes::{CancerStatus, FollowUpSource, VitalStatus};
use crate::domain::records::{CauseOfDeath, Contact, Patient, Treatment, Tumor, TumorStatus};
use crate::formats::mapping::ItemMap;
use crate::formats::records::{FollowUp, PatientRecord, TumorRecord};
use crate::model::{ContactData, PatientData, TreatmentData, TumorData};

pub(crate) struct StoredTumor {
    pub row: TumorState,
    pub doc: TumorData,
    pub items: ItemMap,
    pub treatments: Vec<(TreatmentState, TreatmentData)>,
    pub cancer_status: Option<String>,
}

pub(crate) struct Stored {
    pub row: PatientState,
    pub doc: PatientData,
    pub items: ItemMap,
    pub tumors: Vec<StoredTumor>,
    pub contacts: Vec<(ContactDoc, ContactData)>,
}

/// A stored item map (`None`: the record has none).
fn items(json: Option<&str>) -> Result<ItemMap> {
    json.map_or_else(|| Ok(ItemMap::new()), parse_doc)
}

/// The stored rows of a batch of patients, fetched but not yet parsed (parsing is CPU work a
/// worker thread can do while the next batch is read).
pub(crate) struct Fetched {
    patients: Vec<PatientState>,
    tumors: Vec<TumorState>,
    treatments: Vec<TreatmentState>,
    contacts: Vec<ContactDoc>,
}

/// Reads the tumors, treatments and contacts of `patients`, in a few queries.
pub(crate) fn fetch(conn: &mut DbConn, patients: Vec<PatientState>) -> Result<Fetched> {
    let mut fetched = Fetched {
        patients: Vec::new(),
        tumors: Vec::new(),
        treatments: Vec::new(),
        contacts: Vec::new(),
    };
    if patients.is_empty() {
        return Ok(fetched);
    }
    let pids: Vec<&str> = patients.iter().map(|p| p.id.as_str()).collect();
    fetched.tumors = bulk::tumors_of(conn, &pids)?;
    let tids: Vec<&str> = fetched.tumors.iter().map(|t| t.id.as_str()).collect();
    if !tids.is_empty() {
        fetched.treatments = bulk::treatments_of(conn, &tids)?;
    }
    fetched.contacts = bulk::contacts_of(conn, &pids)?;
    fetched.patients = patients;
    Ok(fetched)
}

impl Fetched {
    /// Parses the stored documents and groups everything by patient.
    pub fn parse(self) -> Result<Vec<Stored>> {
        let Self { patients, tumors: tumor_rows, .. } = self;
        let mut treatments: HashMap<String, Vec<(TreatmentState, TreatmentData)>> = HashMap::new();
        for row in self.treatments {
            let doc: TreatmentData = parse_doc(&row.data)?;
            treatments.entry(row.tumor_id.clone()).or_default().push((row, doc));
        }
        // The latest cancer status of each tumor, from the contacts that report on it.
        let mut statuses: HashMap<String, (chrono::NaiveDate, String)> = HashMap::new();
        let mut contacts: HashMap<String, Vec<(ContactDoc, ContactData)>> = HashMap::new();
        for row in self.contacts {
            let doc: ContactData = parse_doc(&row.data)?;
            if let Ok(d) = PartialDate::parse_iso(&row.contact_date) {
                let key = d.latest();
                for s in doc.tumors.iter().flatten() {
                    let (Some(tid), Some(status)) = (&s.tumor_id, &s.cancer_status) else {
                        continue;
                    };
                    if statuses.get(tid).is_none_or(|(k, _)| *k < key) {
                        statuses.insert(tid.clone(), (key, status.clone()));
                    }
                }
            }
            contacts.entry(row.patient_id.clone()).or_default().push((row, doc));
        }
        let mut by_patient: HashMap<String, Vec<StoredTumor>> = HashMap::new();
        for row in tumor_rows {
            let doc: TumorData = parse_doc(&row.data)?;
            let it = items(row.items.as_deref())?;
            let tr = treatments.remove(&row.id).unwrap_or_default();
            let cs = statuses.remove(&row.id).map(|(_, s)| s);
            by_patient.entry(row.patient_id.clone()).or_default().push(StoredTumor {
                row,
                doc,
                items: it,
                treatments: tr,
                cancer_status: cs,
            });
        }
        let mut out = Vec::with_capacity(patients.len());
        for row in patients {
            let doc: PatientData = parse_doc(&row.data)?;
            let it = items(row.items.as_deref())?;
            let tumors = by_patient.remove(&row.id).unwrap_or_default();
            let cs = contacts.remove(&row.id).unwrap_or_default();
            out.push(Stored { row, doc, items: it, tumors, contacts: cs });
        }
        Ok(out)
    }
}

impl Stored {
    /// The follow-up state to export: only when a contact exists (otherwise it is a default, not a fact).
    pub fn follow_up(&self) -> Option<FollowUp> {
        if self.contacts.is_empty() {
            return None;
        }
        let dead = self
            .contacts
            .iter()
            .filter(|(r, _)| r.vital_status == VitalStatus::DEAD.code())
            .max_by_key(|(r, _)| PartialDate::parse_iso(&r.contact_date).ok().map(|d| d.latest()));
        Some(FollowUp {
            date_of_last_contact: self.row.date_of_last_contact.clone().unwrap_or_default(),
            vital_status: self.row.vital_status.clone(),
            cause_of_death: dead.and_then(|(_, c)| c.cause_of_death.clone()),
        })
    }

    /// The record to write (first-course treatments only), taking the documents out of `self`
    /// (rows stay).
    pub fn take_record(&mut self) -> PatientRecord {
        let follow_up = self.follow_up();
        PatientRecord {
            patient: std::mem::take(&mut self.doc),
            items: std::mem::take(&mut self.items),
            follow_up,
            tumors: self
                .tumors
                .iter_mut()
                .map(|t| TumorRecord {
                    tumor: std::mem::take(&mut t.doc),
                    items: std::mem::take(&mut t.items),
                    treatments: std::mem::take(&mut t.treatments)
                        .into_iter()
                        .filter(|(_, d)| d.first_course != Some(false))
                        .map(|(_, d)| d)
                        .collect(),
                    cancer_status: t.cancer_status.take(),
                })
                .collect(),
        }
    }

    /// Domain values for the edits; `None` when a stored document no longer validates.
    pub fn domain(&self) -> Option<DomainPatient> {
        let patient = self.doc.to_domain().ok()?;
        let tumors =
            self.tumors.iter().map(|t| (t.row.id.clone(), t.doc.to_domain().ok())).collect();
        let treatments = self
            .tumors
            .iter()
            .flat_map(|t| {
                t.treatments.iter().map(move |(r, d)| (r.id.clone(), t.row.id.clone(), d))
            })
            .filter_map(|(id, tid, d)| d.to_domain().ok().map(|x| (id, tid, x)))
            .collect();
        let contacts = self
            .contacts
            .iter()
            .filter_map(|(r, d)| d.to_domain().ok().map(|c| (r.id.clone(), c)))
            .collect();
        Some(DomainPatient { patient, tumors, treatments, contacts })
    }
}

/// One patient's records as domain values.
pub(crate) struct DomainPatient {
    pub patient: Patient,
    /// (tumor id, tumor or `None` when its document no longer validates)
    pub tumors: Vec<(String, Option<Tumor>)>,
    pub treatments: Vec<(String, String, Treatment)>,
    pub contacts: Vec<(String, Contact)>,
}

/// A contact built from imported follow-up items.
pub(crate) fn contact_from(
    dlc: &str,
    vital: &str,
    source: Option<&str>,
    cause: Option<&str>,
    statuses: Vec<(String, String)>,
) -> std::result::Result<Contact, String> {
    let contact_date = PartialDate::parse_iso(dlc).map_err(|e| e.message)?;
    let vital_status = VitalStatus::parse(vital).map_err(|e| e.message)?;
    // The contact needs a source; the file's own #1790 stays in the tumor item map.
    let source = source.filter(|s| FollowUpSource::parse(s).is_ok()).unwrap_or("9");
    let follow_up_source = FollowUpSource::parse(source).map_err(|e| e.message)?;
    let cause_of_death = match cause {
        Some(c) if vital_status.is_dead() => Some(CauseOfDeath::parse(c).map_err(|e| e.message)?),
        _ => None,
    };
    let mut tumors = Vec::new();
    for (tumor_id, s) in statuses {
        tumors.push(TumorStatus {
            tumor_id,
            cancer_status: CancerStatus::parse(&s).map_err(|e| e.message)?,
        });
    }
    Ok(Contact {
        contact_date,
        vital_status,
        follow_up_source,
        next_follow_up_source: None,
        cause_of_death,
        tumors,
        note: Some("imported from a NAACCR file".into()),
    })
}
