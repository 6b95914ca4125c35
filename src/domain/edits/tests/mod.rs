//! Tests of the edits engine: builders, and table-driven cases per theme (real codes from the CSVs).

mod coding;
mod dates;
mod engine;
mod patient;
mod primaries;
mod sequence;
mod site_morphology;
mod stage_grade;

use chrono::NaiveDate;

use super::tables;
use super::{EditInput, Finding, Overrides, RuleSet, run};
use crate::domain::codes::*;
use crate::domain::identifiers::PatientIdNumber;
use crate::domain::partial_date::PartialDate;
use crate::domain::records::*;

pub fn date(s: &str) -> PartialDate {
    PartialDate::parse_iso(s).expect("test date")
}

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 1).expect("date")
}

/// A patient with the given sex assigned at birth (1, 2, 9) and date of birth.
pub fn patient(sex: &str, dob: Option<&str>) -> Patient {
    Patient {
        patient_id_number: PatientIdNumber::parse("00001234").expect("id"),
        name_last: Some("Testperson".to_string()),
        name_first: Some("Alexandra".to_string()),
        name_middle: None,
        date_of_birth: dob.map(date),
        sex_assigned_at_birth: SexAssignedAtBirth::parse(sex).ok(),
        race: [Race::parse("01").ok(), None, None, None, None],
        spanish_hispanic_origin: SpanishHispanicOrigin::parse("0").ok(),
        ssn: None,
        current_address: Address::default(),
        phone: None,
        email: None,
        address_at_diagnosis: AddressAtDiagnosis::default(),
        physician_managing: None,
        physician_follow_up: None,
        no_patient_contact_flag: NoPatientContactFlag::parse("0").ok(),
    }
}

/// A clean tumor from codes: site `C50.9`, morphology `8500/3`, ISO date of diagnosis. The other
/// items get values that pass every edit: laterality from the paired-site table, confirmation 1,
/// sequence 00/60 by behavior, class 14, reporting source 1, stage and grades by diagnosis year.
pub fn tumor(site: &str, morph: &str, dx: &str) -> Tumor {
    let (h, b) = morph.split_once('/').expect("morphology");
    let primary_site = Topography::parse(site).expect("site");
    let histology = Histology::parse(h).expect("histology");
    let behavior = Behavior::parse(b).expect("behavior");
    let date_of_diagnosis = date(dx);
    let from_2018 = date_of_diagnosis.year() >= 2018;
    let laterality = if tables::paired_site(&primary_site).is_some() { "1" } else { "0" };
    let cns =
        matches!(primary_site.category(), 70..=72) || (751..=753).contains(&primary_site.number());
    let stage = match behavior {
        Behavior::InSitu => "0",
        Behavior::Benign | Behavior::Uncertain if cns => "8",
        Behavior::Benign | Behavior::Uncertain => "9",
        Behavior::Malignant => "1",
    };
    let grade = |c: &str| Grade2018::parse(c).ok();
    Tumor {
        primary_site: Some(primary_site),
        histology: Some(histology),
        behavior: Some(behavior),
        grade: if from_2018 { None } else { Grade::parse("9").ok() },
        grade_clinical: if from_2018 { grade("9") } else { None },
        grade_pathological: if from_2018 { grade("9") } else { None },
        grade_post_therapy_clin: None,
        grade_post_therapy: None,
        laterality: Laterality::parse(laterality).ok(),
        date_of_diagnosis: Some(date_of_diagnosis),
        diagnostic_confirmation: DiagnosticConfirmation::parse("1").ok(),
        type_of_reporting_source: TypeOfReportingSource::parse("1").ok(),
        sequence_number_hospital: SequenceNumber::parse(if behavior.is_reportable_malignant() {
            "00"
        } else {
            "60"
        })
        .ok(),
        class_of_case: ClassOfCase::parse("14").ok(),
        reporting_facility: None,
        accession_number_hosp: Some("202400001".into()),
        summary_stage_2018: if from_2018 { SummaryStage2018::parse(stage).ok() } else { None },
        date_of_1st_contact: Some(date_of_diagnosis),
        overrides: crate::domain::edits::Overrides::none(),
    }
}

pub fn breast_tumor() -> Tumor {
    tumor("C50.9", "8500/3", "2019-03-04")
}

pub fn treatment(modality: Modality, code: &str, start: Option<&str>) -> Treatment {
    Treatment {
        modality,
        code: TreatmentCode::parse(modality, code).expect("treatment code"),
        first_course: true,
        start_date: start.map(date),
        end_date: None,
        facility: None,
        text: None,
    }
}

pub fn contact(on: &str, dead: bool, cause: Option<&str>) -> Contact {
    Contact {
        contact_date: date(on),
        vital_status: if dead { VitalStatus::DEAD } else { VitalStatus::ALIVE },
        follow_up_source: FollowUpSource::parse("2").expect("source"),
        next_follow_up_source: None,
        cause_of_death: cause.map(|c| CauseOfDeath::parse(c).expect("cause")),
        tumors: Vec::new(),
        note: None,
    }
}

/// One tumor with its patient and surroundings; `run` feeds it to the engine.
pub struct Scenario {
    pub patient: Patient,
    pub tumor: Tumor,
    pub others: Vec<Tumor>,
    pub treatments: Vec<Treatment>,
    pub contacts: Vec<Contact>,
    pub age: Option<u16>,
    pub overrides: Overrides,
    /// The tumor's NAACCR items without a typed field.
    pub items: ItemMap,
}

impl Scenario {
    /// A female patient born 1960-05-10 (sex 9 would skip the sex edits, so tests set it when needed).
    pub fn new(tumor: Tumor) -> Self {
        Self {
            patient: patient("2", Some("1960-05-10")),
            tumor,
            others: Vec::new(),
            treatments: Vec::new(),
            contacts: Vec::new(),
            age: None,
            overrides: Overrides::none(),
            items: ItemMap::new(),
        }
    }

    pub fn with(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }

    pub fn run(&self, rule_set: RuleSet) -> Vec<Finding> {
        let other_ids: Vec<String> =
            (0..self.others.len()).map(|i| format!("t{}", i + 2)).collect();
        let others: Vec<(&str, &Tumor)> =
            other_ids.iter().map(String::as_str).zip(self.others.iter()).collect();
        let treatments: Vec<&Treatment> = self.treatments.iter().collect();
        let contacts: Vec<&Contact> = self.contacts.iter().collect();
        let input = EditInput {
            patient: &self.patient,
            tumor_id: "t1",
            tumor: &self.tumor,
            overrides: &self.overrides,
            other_tumors: &others,
            treatments: &treatments,
            contacts: &contacts,
            age_at_diagnosis: self.age,
            items: &self.items,
            today: today(),
        };
        let mut findings = run(&input, rule_set);
        // The patient edits too: a scenario is one patient's whole record.
        let mut tumors = vec![("t1", &self.tumor)];
        tumors.extend(others.iter().copied());
        let rx_ids: Vec<String> = (0..self.treatments.len()).map(|i| format!("rx{i}")).collect();
        let rx: Vec<(&str, &str, &Treatment)> =
            rx_ids.iter().zip(&self.treatments).map(|(id, t)| (id.as_str(), "t1", t)).collect();
        let contact_ids: Vec<String> = (0..self.contacts.len()).map(|i| format!("c{i}")).collect();
        let cs: Vec<(&str, &Contact)> =
            contact_ids.iter().map(String::as_str).zip(&self.contacts).collect();
        findings.extend(super::run_patient(
            &super::PatientInput {
                patient: &self.patient,
                tumors: &tumors,
                treatments: &rx,
                contacts: &cs,
                today: today(),
            },
            rule_set,
        ));
        for f in &findings {
            assert!(
                super::catalogue().iter().any(|d| d.id == f.edit_id),
                "{} is not in the catalogue",
                f.edit_id
            );
            assert_no_phi(f, &self.patient);
        }
        findings
    }

    /// Whether the edit reports a finding (overridden or not) under the rule set.
    pub fn has(&self, edit_id: &str, rule_set: RuleSet) -> bool {
        self.run(rule_set).iter().any(|f| f.edit_id == edit_id)
    }
}

/// Messages must never carry names, identifiers or dates.
fn assert_no_phi(f: &Finding, p: &Patient) {
    let m = &f.message;
    if let Some(last) = &p.name_last {
        assert!(!m.contains(last.as_str()), "{m}");
    }
    if let Some(first) = &p.name_first {
        assert!(!m.contains(first.as_str()), "{m}");
    }
    assert!(!m.contains(p.patient_id_number.as_str()), "{m}");
    let iso_date = m.as_bytes().windows(8).any(|w| {
        w[..4].iter().all(u8::is_ascii_digit)
            && w[4] == b'-'
            && w[5..7].iter().all(u8::is_ascii_digit)
    });
    assert!(!iso_date, "message has a date: {m}");
}

/// Runs a table of `(scenario, expected)` for one edit under one rule set, naming failing rows.
pub fn check_table(edit_id: &str, rule_set: RuleSet, rows: Vec<(&str, Scenario, bool)>) {
    assert!(!rows.is_empty());
    for (name, scenario, expected) in rows {
        let findings = scenario.run(rule_set);
        let got = findings.iter().any(|f| f.edit_id == edit_id);
        assert_eq!(got, expected, "{edit_id} / {name}: {findings:#?}");
    }
}
