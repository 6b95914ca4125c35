//! What a worklist line says about its patient, in words: name, patient id number, birth date,
//! date of last contact, each tumor's site and histology, managing physician. Loaded for a page at a
//! time (two queries), never the social security number.

use std::collections::HashMap;

use super::{Result, parse_doc};
use crate::db::DbConn;
use crate::db::followup as q;
use crate::domain::codes::site_and_histology;
use crate::model::{PatientData, WorklistPatient};

/// The worklist view of each of `ids` that exists.
pub(crate) fn patients_in_words(
    conn: &mut DbConn,
    ids: &[String],
) -> Result<HashMap<String, WorklistPatient>> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    let mut tumors: HashMap<String, Vec<String>> = HashMap::new();
    for (patient_id, site, histology, behavior) in q::tumor_codes_of_patients(conn, &ids)? {
        let words = site_and_histology(site.as_deref(), histology.as_deref(), behavior.as_deref());
        tumors.entry(patient_id).or_default().push(words);
    }
    let mut out = HashMap::with_capacity(ids.len());
    for row in q::patients_by_ids(conn, &ids)? {
        let doc: PatientData = parse_doc(&row.data)?;
        fn text(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        let name = match (text(&doc.name_last), text(&doc.name_first)) {
            (Some(l), Some(f)) => format!("{l}, {f}"),
            (Some(l), None) => l.to_string(),
            (None, Some(f)) => f.to_string(),
            (None, None) => "(no name recorded)".to_string(),
        };
        let physician =
            doc.physician_managing.as_ref().and_then(|p| text(&p.name)).map(String::from);
        out.insert(
            row.id.clone(),
            WorklistPatient {
                name,
                patient_id_number: doc.patient_id_number.clone().unwrap_or_default(),
                date_of_birth: doc.date_of_birth.clone(),
                date_of_last_contact: row.date_of_last_contact.clone(),
                vital_status: row.vital_status.clone(),
                tumors: tumors.remove(&row.id).unwrap_or_default(),
                managing_physician: physician,
            },
        );
    }
    Ok(out)
}
