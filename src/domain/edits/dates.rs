//! Date order (reusing the chronology rules), last contact, treatment codes and dates, and vital
//! status against cause of death. Messages name the dates involved, never their values.

use super::catalogue::*;
use super::{CodedInput, EditInput, Emitter};
use crate::domain::chronology::{Focus, PatientHistory};
use crate::domain::partial_date::PartialDate;
use crate::domain::records::Modality;

/// The date edits that need no codes: date order and the date of last contact.
pub(super) fn check_uncoded(input: &EditInput, out: &mut Emitter) {
    date_order(input, out);
    last_contact(input, out);
}

/// The treatment edits, which read the site and the year of diagnosis.
pub(super) fn check(input: &CodedInput, out: &mut Emitter) {
    treatments(input, out);
}

/// The NAACCR item holding a treatment's start date (#1200–#1250, #3230 for transplant/endocrine).
fn rx_date_item(modality: Modality) -> &'static str {
    match modality {
        Modality::Surgery => "rxDateSurgery",
        Modality::Radiation => "rxDateRadiation",
        Modality::Chemotherapy => "rxDateChemo",
        Modality::Hormone => "rxDateHormone",
        Modality::Immunotherapy => "rxDateBrm",
        Modality::TransplantEndocrine => "rxDateSystemic",
        Modality::Other => "rxDateOther",
    }
}

/// Maps a chronology field to its NAACCR id; only radiation has an end-date item (#3220).
fn naaccr_field(field: &str, modality: Option<Modality>) -> String {
    match (field, modality) {
        ("contactDate", _) => "dateOfLastContact".to_string(),
        ("endDate", Some(Modality::Radiation)) => "rxDateRadiationEnded".to_string(),
        ("startDate" | "endDate", Some(m)) => rx_date_item(m).to_string(),
        (other, _) => other.to_string(),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Runs the chronology rules with this tumor and each of its treatments in focus.
fn date_order(input: &EditInput, out: &mut Emitter) {
    if !out.enabled(&DATE_ORDER) {
        return;
    }
    // The chronology rules key records by id; treatments and contacts here have none, so they get
    // positional ones.
    let rx_ids: Vec<String> = (0..input.treatments.len()).map(|i| format!("rx{i}")).collect();
    let contact_ids: Vec<String> =
        (0..input.contacts.len()).map(|i| format!("contact{i}")).collect();
    let mut tumors = vec![(input.tumor_id, input.tumor)];
    tumors.extend(input.other_tumors.iter().copied());
    let history = PatientHistory {
        patient: input.patient,
        tumors,
        treatments: rx_ids
            .iter()
            .zip(input.treatments)
            .map(|(id, rx)| (id.as_str(), input.tumor_id, *rx))
            .collect(),
        contacts: contact_ids.iter().zip(input.contacts).map(|(id, c)| (id.as_str(), *c)).collect(),
    };
    let mut focuses = vec![(Focus::Tumor(input.tumor_id.to_string()), None)];
    focuses.extend(
        rx_ids
            .iter()
            .zip(input.treatments)
            .map(|(id, rx)| (Focus::Treatment(id.clone()), Some(rx.modality))),
    );
    let mut seen: Vec<(String, String)> = Vec::new();
    for (focus, modality) in &focuses {
        for v in history.check(focus, input.today) {
            // With the tumor in focus the rules also restate treatment conflicts from the tumor's
            // side; the treatment's own focus reports them already.
            if matches!(focus, Focus::Tumor(_)) && v.message.contains("treatment") {
                continue;
            }
            let message = capitalised(&v.message);
            let field = naaccr_field(&v.field, *modality);
            if seen.iter().any(|(f, m)| *f == field && *m == message) {
                continue;
            }
            out.emit_on(&DATE_ORDER, &[field.as_str()], message.as_str());
            seen.push((field, message));
        }
    }
}

fn last_contact(input: &EditInput, out: &mut Emitter) {
    let Some(dlc) = input.contacts.iter().map(|c| c.contact_date).max_by_key(PartialDate::latest)
    else {
        return;
    };
    if input.tumor.date_of_diagnosis.is_some_and(|dx| dlc.is_before(&dx)) {
        out.emit(&DLC_DX, "The date of last contact is before the date of diagnosis");
    }
    if dlc.is_after(&PartialDate::from_naive(input.today)) {
        out.emit(&DLC_DX, "The date of last contact is in the future");
    }
}

fn treatments(input: &CodedInput, out: &mut Emitter) {
    let year = input.dx_year();
    let site = input.t.site;
    for rx in input.treatments {
        let code = rx.code.as_str();
        let item = rx.modality.naaccr_item();
        let what = rx.modality.as_str();
        let given = rx.modality.is_given(code);
        if given && rx.start_date.is_none() {
            out.emit_on(
                &TREATMENT_DATES,
                &[item, rx_date_item(rx.modality)],
                format!("The {what} is coded as given ({item} {code}) but has no start date"),
            );
        }
        if !given && rx.start_date.is_some() {
            out.emit_on(
                &TREATMENT_DATES,
                &[item, rx_date_item(rx.modality)],
                format!("The {what} is coded as not given ({item} {code}) but has a start date"),
            );
        }
        if rx.modality != Modality::Surgery {
            continue;
        }
        let two_digit = code.len() == 2;
        if two_digit && year >= 2023 {
            out.emit(
                &SURGERY_CODE,
                format!(
                    "Surgery code {code} is a two-digit code (#1290), used up to 2022; diagnoses from 2023 \
                     take a four-character code (#1291)"
                ),
            );
        }
        if !two_digit && year < 2023 {
            out.emit(
                &SURGERY_CODE,
                format!(
                    "Surgery code {code} is a four-character code (#1291), used from 2023; earlier \
                     diagnoses take a two-digit code (#1290)"
                ),
            );
        }
        let special_site = matches!(site.number(), 420 | 421 | 423 | 424 | 760..=768 | 809);
        if code == "98" && !special_site {
            out.emit(
                &SURGERY_CODE,
                format!(
                    "Surgery code 98 is only for hematopoietic (C42.0, C42.1, C42.3, C42.4), ill-defined \
                     (C76.x) and unknown (C80.9) primary sites, not {}",
                    site.dotted()
                ),
            );
        }
    }
}
