//! `oncoreg demo`: fills the database with a realistic synthetic registry, in bulk.
//!
//! Deterministic for a seed and an as-of date. Every patient is checked with the same date rules and
//! edits as an API write (error and unaccepted review findings are redrawn), then written in batches
//! of rows, not one request per record.

mod profiles;
mod synth;

use std::time::Instant;

use chrono::NaiveDate;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::db::rows::*;
use crate::db::{DbConn, repo};
use crate::domain::chronology::{Focus, PatientHistory};
use crate::domain::edits::{self, EditStatus, PatientRecords, Review, RuleSet, TumorRecord};
use crate::domain::records::ItemMap;
use crate::model::{ContactData, PatientData, TreatmentData};
use crate::service::{Result, ServiceError, to_doc};
use synth::{Ids, SynthPatient};

/// Patients written per transaction.
const BATCH: u32 = 2000;
/// Size of the synthetic physician pool.
const PHYSICIANS: u32 = 500;
/// The creator named on every record `oncoreg demo` writes.
const DEMO_ACTOR: &str = "demo";

#[derive(Clone, Debug)]
pub struct DemoConfig {
    pub patients: u32,
    pub seed: u64,
    pub as_of: NaiveDate,
    pub rule_set: RuleSet,
}

#[derive(Clone, Debug, Default)]
pub struct DemoReport {
    pub patients: u64,
    pub tumors: u64,
    pub treatments: u64,
    pub contacts: u64,
    /// Draws refused by the date rules or edits and drawn again.
    pub redrawn: u64,
    pub seconds: f64,
}

/// The findings of a drawn patient, when it passes what a registrar would accept as complete: no
/// date in the future, no error and no unaccepted review. `None` sends the patient to be drawn again.
fn review(p: &SynthPatient, rule_set: RuleSet, today: NaiveDate) -> Option<Review> {
    let contact_ids: Vec<String> = (0..p.contacts.len()).map(|i| format!("c{i}")).collect();
    let history = PatientHistory {
        patient: &p.patient,
        tumors: p.ids.iter().map(String::as_str).zip(p.tumors.iter()).collect(),
        treatments: p
            .treatments
            .iter()
            .map(|(id, t, rx)| (id.as_str(), p.ids[*t].as_str(), rx))
            .collect(),
        contacts: contact_ids.iter().map(String::as_str).zip(p.contacts.iter()).collect(),
    };
    let mut foci = vec![Focus::Patient];
    foci.extend(p.ids.iter().map(|id| Focus::Tumor(id.clone())));
    foci.extend(p.treatments.iter().map(|(id, _, _)| Focus::Treatment(id.clone())));
    foci.extend(contact_ids.iter().map(|c| Focus::Contact(c.clone())));
    if foci.iter().any(|f| !history.future(f, today).is_empty()) {
        return None;
    }
    static NONE: ItemMap = ItemMap::new();
    let records = PatientRecords {
        patient: &p.patient,
        items: &NONE,
        tumors: p
            .ids
            .iter()
            .zip(&p.tumors)
            .map(|(id, tumor)| TumorRecord { id, tumor, items: &NONE })
            .collect(),
        treatments: history.treatments.clone(),
        contacts: history.contacts.clone(),
    };
    let review = edits::review(&records, rule_set, today, &crate::service::edits::kept);
    let blocked = review.patient.iter().chain(review.tumors.iter().flatten());
    let blocked = blocked.clone().any(crate::service::edits::blocks);
    (!blocked).then_some(review)
}

#[derive(Default)]
struct Rows {
    patients: Vec<PatientRow>,
    tumors: Vec<TumorRow>,
    treatments: Vec<TreatmentRow>,
    contacts: Vec<ContactRow>,
    links: Vec<ContactTumorRow>,
}

impl Rows {
    fn add(
        &mut self,
        p: SynthPatient,
        review: &Review,
        ids: &mut Ids,
        rng: &mut StdRng,
        at: chrono::NaiveDateTime,
    ) -> Result<()> {
        let contact_ids: Vec<String> = p.contacts.iter().map(|_| ids.id(rng)).collect();
        let history = PatientHistory {
            patient: &p.patient,
            tumors: p.ids.iter().map(String::as_str).zip(p.tumors.iter()).collect(),
            treatments: vec![],
            contacts: contact_ids.iter().map(String::as_str).zip(p.contacts.iter()).collect(),
        };
        let (dlc, vital) = history.follow_up_state();
        self.patients.push(PatientRow {
            id: p.id.clone(),
            version: 1,
            patient_id_number: p.patient.patient_id_number.to_string(),
            name_search: crate::service::patients::name_search(&p.patient),
            date_of_last_contact: dlc.map(|d| d.to_string()),
            vital_status: vital.code().to_string(),
            data: to_doc(&PatientData::from_domain(&p.patient))?,
            created_at: at.into(),
            updated_at: at.into(),
            items: None,
            findings: crate::service::edits::findings_doc(&review.patient)?,
            edit_status: review.patient_status().as_str().to_string(),
            created_by: DEMO_ACTOR.into(),
            date_of_birth: crate::service::patients::search_keys(&p.patient).0,
            ssn_last_four: crate::service::patients::search_keys(&p.patient).1,
        });
        for ((id, tumor), findings) in p.ids.iter().zip(p.tumors.iter()).zip(&review.tumors) {
            let mut row =
                crate::service::tumors::new_row(id.clone(), &p.id, tumor, at, DEMO_ACTOR)?;
            row.findings = crate::service::edits::findings_doc(findings)?;
            row.edit_status = EditStatus::of(findings).as_str().to_string();
            self.tumors.push(row);
        }
        for (id, t, rx) in &p.treatments {
            self.treatments.push(TreatmentRow {
                id: id.clone(),
                tumor_id: p.ids[*t].clone(),
                version: 1,
                modality: rx.modality.as_str().to_string(),
                data: to_doc(&TreatmentData::from_domain(rx))?,
                created_at: at.into(),
                updated_at: at.into(),
                created_by: DEMO_ACTOR.into(),
            });
        }
        for (id, c) in contact_ids.iter().zip(p.contacts.iter()) {
            self.contacts.push(ContactRow {
                id: id.clone(),
                patient_id: p.id.clone(),
                version: 1,
                contact_date: c.contact_date.to_string(),
                vital_status: c.vital_status.to_string(),
                data: to_doc(&ContactData::from_domain(c))?,
                created_at: at.into(),
                updated_at: at.into(),
                created_by: DEMO_ACTOR.into(),
            });
            for t in &c.tumors {
                self.links.push(ContactTumorRow {
                    contact_id: id.clone(),
                    tumor_id: t.tumor_id.clone(),
                    cancer_status: t.cancer_status.to_string(),
                });
            }
        }
        Ok(())
    }
}

/// Generates `cfg.patients` patients after the highest patient id number in use.
pub fn generate(conn: &mut DbConn, cfg: &DemoConfig) -> Result<DemoReport> {
    let started = Instant::now();
    let first_number = repo::max_patient_id_number(conn)?
        .and_then(|n| n.parse::<u32>().ok())
        .map_or(10_000_001, |n| n + 1);
    if u64::from(first_number) + u64::from(cfg.patients) > 99_999_999 {
        return Err(ServiceError::Invalid(vec![crate::domain::Violation {
            field: "patients".into(),
            rule: "range",
            message: "patient id numbers have 8 digits: too many patients".into(),
        }]));
    }
    // The first patient number joins the seed: a second run adds new people, not the same ones.
    let mut rng = StdRng::seed_from_u64(cfg.seed ^ (u64::from(first_number) << 32));
    let base = cfg.as_of.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp_millis() as u64);
    let mut ids = Ids { base_millis: base.saturating_sub(86_400_000), next: 0 };
    let at = crate::db::now();
    let mut report = DemoReport::default();
    let mut number = first_number;
    let end = first_number + cfg.patients;
    while number < end {
        let mut rows = Rows::default();
        let batch_end = (number + BATCH).min(end);
        while number < batch_end {
            let drawn = loop {
                let p = synth::patient(&mut rng, &mut ids, number, cfg.as_of, PHYSICIANS);
                if let Some(review) = review(&p, cfg.rule_set, cfg.as_of) {
                    break (p, review);
                }
                report.redrawn += 1;
            };
            let (drawn, review) = drawn;
            report.tumors += drawn.tumors.len() as u64;
            report.treatments += drawn.treatments.len() as u64;
            report.contacts += drawn.contacts.len() as u64;
            rows.add(drawn, &review, &mut ids, &mut rng, at)?;
            number += 1;
        }
        report.patients += rows.patients.len() as u64;
        crate::db::transaction(conn, |c| {
            repo::bulk_insert(
                c,
                &rows.patients,
                &rows.tumors,
                &rows.treatments,
                &rows.contacts,
                &rows.links,
            )
            .map_err(ServiceError::from)
        })?;
    }
    crate::db::analyze(conn)?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_patients_are_deterministic_and_pass_the_edits() {
        let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
        let draw = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut ids = Ids { base_millis: 1_700_000_000_000, next: 0 };
            (0..300)
                .map(|n| synth::patient(&mut rng, &mut ids, 10_000_000 + n, as_of, 50))
                .collect::<Vec<_>>()
        };
        let a = draw(7);
        let b = draw(7);
        assert_eq!(
            a.iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
            b.iter().map(|p| p.id.clone()).collect::<Vec<_>>()
        );
        assert_eq!(
            a.iter().map(|p| p.patient.clone()).collect::<Vec<_>>(),
            b.iter().map(|p| p.patient.clone()).collect::<Vec<_>>()
        );
        let passing = a.iter().filter(|p| review(p, RuleSet::Naaccr, as_of).is_some()).count();
        // Redraws are for the rare clash (a second primary after death, say), not the rule.
        assert!(passing >= 270, "{passing} of 300 pass");
        let sites: std::collections::HashSet<String> = a
            .iter()
            .flat_map(|p| {
                p.tumors.iter().filter_map(|t| Some(t.primary_site?.to_string()[..3].to_string()))
            })
            .collect();
        assert!(sites.len() >= 8, "a mix of sites: {sites:?}");
        assert!(a.iter().any(|p| p.tumors.len() > 1), "some multiple primaries");
        assert!(
            a.iter().any(|p| p.contacts.iter().any(|c| c.vital_status.is_dead())),
            "some deaths"
        );
    }
}
