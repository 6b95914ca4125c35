//! Completeness: the items a tumor needs before it is complete. A tumor is stored without them (an
//! abstract in progress, a central registry's record without hospital items); these edits say what
//! is still to be coded.

use super::catalogue::*;
use super::{EditInput, Emitter};

/// Words for the items a registrar is asked to code.
fn list(missing: &[&str]) -> String {
    match missing {
        [] => String::new(),
        [one] => (*one).to_string(),
        [head @ .., last] => format!("{} and {last}", head.join(", ")),
    }
}

pub(super) fn check(input: &EditInput, out: &mut Emitter) {
    let t = input.tumor;
    let central_sequence = input.items.get("sequenceNumberCentral").is_some_and(|v| !v.is_empty());
    let mut missing: Vec<(&str, &str)> = Vec::new();
    if t.primary_site.is_none() {
        missing.push(("primarySite", "the primary site"));
    }
    if t.histology.is_none() {
        missing.push(("histologicTypeIcdO3", "the histology"));
    }
    if t.behavior.is_none() {
        missing.push(("behaviorCodeIcdO3", "the behavior"));
    }
    if t.date_of_diagnosis.is_none() {
        missing.push(("dateOfDiagnosis", "the date of diagnosis"));
    }
    if t.laterality.is_none() {
        missing.push(("laterality", "the laterality (0 when the site is not paired)"));
    }
    if t.sequence_number_hospital.is_none() && !central_sequence {
        missing.push(("sequenceNumberHospital", "a sequence number"));
    }
    emit(out, &REQUIRED_CORE, &missing);

    // A tumor a hospital abstracted carries its hospital numbers; a central registry's does not.
    let hospital_case = t.sequence_number_hospital.is_some() || t.accession_number_hosp.is_some();
    let mut missing: Vec<(&str, &str)> = Vec::new();
    if hospital_case && t.class_of_case.is_none() {
        missing.push(("classOfCase", "the class of case"));
    }
    if t.is_analytic() && t.sequence_number_hospital.is_none() {
        missing.push(("sequenceNumberHospital", "the hospital sequence number"));
    }
    emit(out, &REQUIRED_HOSPITAL, &missing);

    if t.is_analytic() && t.dx_year().is_some_and(|y| y >= 2018) {
        let mut missing: Vec<(&str, &str)> = Vec::new();
        if t.summary_stage_2018.is_none() {
            missing.push(("summaryStage2018", "Summary Stage 2018"));
        }
        if t.diagnostic_confirmation.is_none() {
            missing.push(("diagnosticConfirmation", "the diagnostic confirmation"));
        }
        emit(out, &REQUIRED_ANALYTIC_2018, &missing);
    }
}

fn emit(out: &mut Emitter, def: &super::EditDef, missing: &[(&str, &str)]) {
    if missing.is_empty() {
        return;
    }
    let fields: Vec<&str> = missing.iter().map(|(f, _)| *f).collect();
    let words: Vec<&str> = missing.iter().map(|(_, w)| *w).collect();
    let why = match def.id {
        "required-hospital" => " for a hospital case",
        "required-analytic-2018" => " for an analytic case diagnosed from 2018",
        _ => "",
    };
    out.emit_on(
        def,
        &fields,
        format!("Code {}{why}; the tumor is incomplete until then", list(&words)),
    );
}
