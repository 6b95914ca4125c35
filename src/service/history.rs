//! One patient's records loaded as domain values, for the date-order rules and the derived follow-up state.

use chrono::NaiveDate;

use std::collections::HashMap;

use super::{Result, ServiceError, parse_doc};
use crate::db::rows::{ContactRow, PatientRow, TreatmentRow, TumorRow};
use crate::db::{DbConn, repo};
use crate::domain::chronology::{Focus, PatientHistory};
use crate::domain::edits::{PatientRecords, TumorRecord};
use crate::domain::records::{Contact, ItemMap, Patient, Treatment, Tumor};
use crate::model::{ContactData, PatientData, TreatmentData, TumorData};

/// One patient's records as domain values.
pub(super) struct Records {
    pub patient: Patient,
    /// The patient's NAACCR items without a typed field.
    pub patient_items: ItemMap,
    pub tumors: Vec<(String, Tumor)>,
    /// Each tumor's NAACCR items without a typed field, by tumor id (absent: none).
    pub tumor_items: HashMap<String, ItemMap>,
    /// (treatment id, tumor id, treatment)
    pub treatments: Vec<(String, String, Treatment)>,
    pub contacts: Vec<(String, Contact)>,
}

/// The records with the patient's stored row, for writes.
pub(super) struct Loaded {
    pub row: PatientRow,
    pub records: Records,
}

// The row only adds what a write needs; everything else reads the records.
impl std::ops::Deref for Loaded {
    type Target = Records;
    fn deref(&self) -> &Records {
        &self.records
    }
}

impl std::ops::DerefMut for Loaded {
    fn deref_mut(&mut self) -> &mut Records {
        &mut self.records
    }
}

/// A stored item map (`None`: the record has none).
pub(super) fn item_map(json: Option<&str>) -> Result<ItemMap> {
    json.map_or_else(|| Ok(ItemMap::new()), parse_doc)
}

/// Stored documents were validated on the way in; one that no longer parses (a code retired from a
/// table, say) is left out of the cross-record checks rather than blocking every write.
fn domain<T, D: serde::de::DeserializeOwned>(
    data: &str,
    parse: impl Fn(&D) -> std::result::Result<T, Vec<crate::domain::Violation>>,
) -> Result<Option<T>> {
    let doc: D = parse_doc(data)?;
    Ok(parse(&doc).ok())
}

impl Loaded {
    pub fn load(conn: &mut DbConn, patient_id: &str) -> Result<Self> {
        let row = repo::get_patient(conn, patient_id)?.ok_or(ServiceError::NotFound("patient"))?;
        let tumors = repo::tumors_of_patient(conn, patient_id)?;
        let treatments = repo::treatments_of_patient(conn, patient_id)?;
        let contacts = repo::contacts_of_patient(conn, patient_id)?;
        Self::from_rows(row, &tumors, &treatments, &contacts)?
            .ok_or(ServiceError::NotFound("patient"))
    }

    /// Builds the history from stored rows; `None` when the patient's own document no longer parses.
    pub fn from_rows(
        row: PatientRow,
        tumors: &[TumorRow],
        treatments: &[TreatmentRow],
        contacts: &[ContactRow],
    ) -> Result<Option<Self>> {
        let records = Records::from_docs(
            &row.data,
            tumors.iter().map(|t| (t.id.as_str(), t.data.as_str())),
            treatments.iter().map(|t| (t.id.as_str(), t.tumor_id.as_str(), t.data.as_str())),
            contacts.iter().map(|c| (c.id.as_str(), c.data.as_str())),
        )?;
        let Some(mut records) = records else { return Ok(None) };
        records.patient_items = item_map(row.items.as_deref())?;
        for t in tumors {
            if t.items.is_some() {
                records.tumor_items.insert(t.id.clone(), item_map(t.items.as_deref())?);
            }
        }
        Ok(Some(Self { row, records }))
    }

    /// Refuses the write when a date of the record in `focus` lies in the future: no such date
    /// can be a value. Dates out of order are edit findings, stored with the records.
    pub fn refuse_future(&self, focus: &Focus, today: NaiveDate) -> Result<()> {
        let violations = self.history().future(focus, today);
        if violations.is_empty() { Ok(()) } else { Err(ServiceError::Invalid(violations)) }
    }

    /// Stores the date of last contact and vital status derived from the records.
    pub fn store_follow_up_state(&self, conn: &mut DbConn) -> Result<()> {
        let (dlc, vital) = self.history().follow_up_state();
        repo::set_follow_up_state(conn, &self.row.id, dlc.map(|d| d.to_string()), vital.code())?;
        Ok(())
    }
}

impl Records {
    /// Parses stored documents: the patient's, then (id, document) of tumors, (id, tumor id,
    /// document) of treatments and (id, document) of contacts. `None` when the patient's own
    /// document no longer parses.
    pub fn from_docs<'a>(
        patient: &str,
        tumors: impl Iterator<Item = (&'a str, &'a str)>,
        treatments: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
        contacts: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> Result<Option<Self>> {
        let Some(patient) = domain(patient, PatientData::to_domain)? else { return Ok(None) };
        let mut records = Self {
            patient,
            patient_items: ItemMap::new(),
            tumors: vec![],
            tumor_items: HashMap::new(),
            treatments: vec![],
            contacts: vec![],
        };
        for (id, data) in tumors {
            if let Some(d) = domain(data, TumorData::to_domain)? {
                records.tumors.push((id.to_owned(), d));
            }
        }
        for (id, tumor_id, data) in treatments {
            if let Some(d) = domain(data, TreatmentData::to_domain)? {
                records.treatments.push((id.to_owned(), tumor_id.to_owned(), d));
            }
        }
        for (id, data) in contacts {
            if let Some(d) = domain(data, ContactData::to_domain)? {
                records.contacts.push((id.to_owned(), d));
            }
        }
        Ok(Some(records))
    }

    /// The records as the edits review them.
    pub fn for_review(&self) -> PatientRecords<'_> {
        static NONE: ItemMap = ItemMap::new();
        PatientRecords {
            patient: &self.patient,
            items: &self.patient_items,
            tumors: self
                .tumors
                .iter()
                .map(|(id, tumor)| TumorRecord {
                    id,
                    tumor,
                    items: self.tumor_items.get(id).unwrap_or(&NONE),
                })
                .collect(),
            treatments: self
                .treatments
                .iter()
                .map(|(id, tid, t)| (id.as_str(), tid.as_str(), t))
                .collect(),
            contacts: self.contacts.iter().map(|(id, c)| (id.as_str(), c)).collect(),
        }
    }

    pub fn history(&self) -> PatientHistory<'_> {
        PatientHistory {
            patient: &self.patient,
            tumors: self.tumors.iter().map(|(id, t)| (id.as_str(), t)).collect(),
            treatments: self
                .treatments
                .iter()
                .map(|(id, tid, t)| (id.as_str(), tid.as_str(), t))
                .collect(),
            contacts: self.contacts.iter().map(|(id, c)| (id.as_str(), c)).collect(),
        }
    }
}
