//! One patient's records loaded as domain values, for the date-order rules and the derived follow-up state.

use chrono::NaiveDate;

use super::{Result, ServiceError, parse_doc};
use crate::db::rows::{ContactRow, PatientRow, TreatmentRow, TumorRow};
use crate::db::{DbConn, repo};
use crate::domain::chronology::{Focus, PatientHistory};
use crate::domain::records::{Contact, Patient, Treatment, Tumor};
use crate::dto::{ContactData, PatientData, TreatmentData, TumorData};

/// One patient's records as domain values.
pub(super) struct Records {
    pub patient: Patient,
    pub tumors: Vec<(String, Tumor)>,
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
        Ok(records.map(|records| Self { row, records }))
    }

    /// Rejects the write when the record in `focus` breaks a date rule.
    pub fn check(&self, focus: &Focus, today: NaiveDate) -> Result<()> {
        let violations = self.history().check(focus, today);
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
        let mut records = Self { patient, tumors: vec![], treatments: vec![], contacts: vec![] };
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
