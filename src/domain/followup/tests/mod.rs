//! Tests of the follow-up rules: builders that make records from codes, then one file per job.

mod clock_tasks;
mod eligibility;
mod letters;
mod rates;

use chrono::NaiveDate;

use crate::domain::chronology::PatientHistory;
use crate::domain::codes::*;
use crate::domain::identifiers::PatientIdNumber;
use crate::domain::partial_date::PartialDate;
use crate::domain::records::*;

pub fn pd(s: &str) -> PartialDate {
    PartialDate::parse_iso(s).expect("test date")
}

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test day")
}

fn address(street: &str) -> Address {
    Address {
        street: Some(street.to_string()),
        city: Some("Springfield".to_string()),
        state: Some("IL".to_string()),
        postal_code: Some("62701".to_string()),
        country: None,
    }
}

/// A physician with a postal address and, optionally, an e-mail.
pub fn physician(name: &str, email: Option<&str>) -> Physician {
    Physician {
        name: Some(name.to_string()),
        npi: None,
        address: address("1 Clinic Way"),
        email: email.map(str::to_string),
    }
}

/// A patient born on `dob`, with a postal address and a managing physician (no e-mail).
pub fn patient(dob: Option<&str>) -> Patient {
    Patient {
        patient_id_number: PatientIdNumber::parse("1234").expect("id"),
        name_last: Some("Testperson".to_string()),
        name_first: Some("Alex".to_string()),
        name_middle: None,
        date_of_birth: dob.map(pd),
        sex_assigned_at_birth: SexAssignedAtBirth::parse("2").ok(),
        race: [None, None, None, None, None],
        spanish_hispanic_origin: None,
        ssn: None,
        current_address: address("5 Home Street"),
        phone: None,
        email: None,
        address_at_diagnosis: AddressAtDiagnosis::default(),
        physician_managing: Some(physician("Dr Managing", None)),
        physician_follow_up: None,
        no_patient_contact_flag: Some(NoPatientContactFlag::MAY_CONTACT),
    }
}

/// A tumor from codes: site `C50.9`, morphology `8500/3`, ISO date of diagnosis, class of case,
/// and Summary Stage 2018 (or none).
pub fn tumor(site: &str, morph: &str, dx: &str, class: &str, stage: Option<&str>) -> Tumor {
    let (h, b) = morph.split_once('/').expect("morphology");
    let behavior = Behavior::parse(b).expect("behavior");
    Tumor {
        primary_site: Topography::parse(site).ok(),
        histology: Histology::parse(h).ok(),
        behavior: Some(behavior),
        grade: None,
        grade_clinical: None,
        grade_pathological: None,
        grade_post_therapy_clin: None,
        grade_post_therapy: None,
        laterality: Laterality::parse("0").ok(),
        date_of_diagnosis: Some(pd(dx)),
        diagnostic_confirmation: DiagnosticConfirmation::parse("1").ok(),
        type_of_reporting_source: TypeOfReportingSource::parse("1").ok(),
        sequence_number_hospital: SequenceNumber::parse(if behavior.is_reportable_malignant() {
            "00"
        } else {
            "60"
        })
        .ok(),
        class_of_case: ClassOfCase::parse(class).ok(),
        reporting_facility: None,
        accession_number_hosp: None,
        summary_stage_2018: stage.map(|s| SummaryStage2018::parse(s).expect("stage")),
        date_of_1st_contact: None,
        overrides: crate::domain::edits::Overrides::none(),
    }
}

/// An analytic invasive breast tumor diagnosed on `dx`.
pub fn breast(dx: &str) -> Tumor {
    tumor("C50.9", "8500/3", dx, "14", Some("2"))
}

/// A contact: alive (`1`) or dead (`0`), with an optional next follow-up source.
pub fn contact(date: &str, vital: &str, next_source: Option<&str>) -> Contact {
    Contact {
        contact_date: pd(date),
        vital_status: VitalStatus::parse(vital).expect("vital status"),
        follow_up_source: FollowUpSource::parse("2").expect("source"),
        next_follow_up_source: next_source.map(|s| NextFollowUpSource::parse(s).expect("next")),
        cause_of_death: None,
        tumors: Vec::new(),
        note: None,
    }
}

/// Owns the records a `PatientHistory` borrows.
pub struct Case {
    pub patient: Patient,
    pub tumors: Vec<Tumor>,
    pub contacts: Vec<Contact>,
}

impl Case {
    pub fn new(patient: Patient, tumors: Vec<Tumor>, contacts: Vec<Contact>) -> Self {
        Self { patient, tumors, contacts }
    }

    pub fn history(&self) -> PatientHistory<'_> {
        const TUMOR_IDS: [&str; 4] = ["t1", "t2", "t3", "t4"];
        const CONTACT_IDS: [&str; 6] = ["c1", "c2", "c3", "c4", "c5", "c6"];
        PatientHistory {
            patient: &self.patient,
            tumors: TUMOR_IDS.iter().copied().zip(self.tumors.iter()).collect(),
            treatments: Vec::new(),
            contacts: CONTACT_IDS.iter().copied().zip(self.contacts.iter()).collect(),
        }
    }
}
