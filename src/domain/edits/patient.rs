//! Edits of the patient record itself: required items, the contact history against the dates of
//! birth and death, and vital status against cause of death. Tumor edits run per tumor; these run
//! once per patient, so a patient without tumors is checked too.

use chrono::NaiveDate;

use super::catalogue::*;
use super::{Emitter, Finding, Overrides, RuleSet};
use crate::domain::chronology::{Focus, PatientHistory};
use crate::domain::records::{Contact, Patient, Treatment, Tumor};

/// One patient with everything recorded about them.
#[derive(Clone, Copy, Debug)]
pub struct PatientInput<'a> {
    pub patient: &'a Patient,
    pub tumors: &'a [(&'a str, &'a Tumor)],
    /// (treatment id, tumor id, treatment)
    pub treatments: &'a [(&'a str, &'a str, &'a Treatment)],
    pub contacts: &'a [(&'a str, &'a Contact)],
    pub today: NaiveDate,
}

/// Runs the patient edits of `rule_set`.
pub fn run_patient(input: &PatientInput, rule_set: RuleSet) -> Vec<Finding> {
    let none = Overrides::none();
    let mut out = Emitter { rule_set, overrides: &none, findings: Vec::new() };
    let p = input.patient;
    if p.sex_assigned_at_birth.is_none() {
        out.emit(
            &REQUIRED_PATIENT,
            "Code the sex assigned at birth (9 when it is not known); the patient is incomplete until then",
        );
    }
    if p.name_last.is_none() {
        out.emit(
            &NAME_MISSING,
            "The last name is blank: record it, or UNKNOWN when it is not known",
        );
    }
    vital_status(input, &mut out);
    date_order(input, &mut out);
    out.findings
}

fn vital_status(input: &PatientInput, out: &mut Emitter) {
    let dead_without_cause =
        input.contacts.iter().any(|(_, c)| c.vital_status.is_dead() && c.cause_of_death.is_none());
    if dead_without_cause {
        out.emit(
            &VITAL_STATUS_COD,
            "A contact records the patient as dead without a cause of death; code the underlying \
             cause, 7777 (no death certificate) or 7797 (certificate not coded)",
        );
    }
    let alive_with_cause =
        input.contacts.iter().any(|(_, c)| !c.vital_status.is_dead() && c.cause_of_death.is_some());
    if alive_with_cause {
        out.emit(
            &VITAL_STATUS_COD,
            "A contact records the patient as alive but has a cause of death; remove it or correct \
             the vital status",
        );
    }
}

/// The chronology rules with the patient and each contact in focus (tumors and treatments are the
/// tumor edits' part).
fn date_order(input: &PatientInput, out: &mut Emitter) {
    if !out.enabled(&DATE_ORDER) {
        return;
    }
    let history = PatientHistory {
        patient: input.patient,
        tumors: input.tumors.to_vec(),
        treatments: input.treatments.to_vec(),
        contacts: input.contacts.to_vec(),
    };
    let mut foci = vec![Focus::Patient];
    foci.extend(input.contacts.iter().map(|(id, _)| Focus::Contact((*id).to_string())));
    let mut seen: Vec<(String, String)> = Vec::new();
    for focus in &foci {
        for v in history.order(focus) {
            // The tumor edits state conflicts with diagnoses and treatments from the tumor's side.
            if v.message.contains("diagnosis") || v.message.contains("treatment") {
                continue;
            }
            let field = if v.field == "contactDate" { "dateOfLastContact" } else { &v.field };
            let mut message = v.message.clone();
            if let Some(first) = message.get(..1) {
                message = first.to_uppercase() + &message[1..];
            }
            if seen.iter().any(|(f, m)| f == field && *m == message) {
                continue;
            }
            out.emit_on(&DATE_ORDER, &[field], message.as_str());
            seen.push((field.to_string(), message));
        }
    }
}
