//! Sequence numbers within a tumor and across a patient's tumors, duplicates, and
//! ill-defined sites in patients with several primaries.

use std::cmp::Ordering;

use super::catalogue::*;
use super::site_morphology::site_text;
use super::{EditInput, Emitter};
use crate::domain::codes::Behavior;
use crate::domain::records::Tumor;

pub(super) fn check(input: &EditInput, out: &mut Emitter) {
    sequence_behavior(input.tumor, out);
    inter_record(input, out);
    duplicates(input, out);
    ill_defined(input, out);
}

fn sequence_behavior(t: &Tumor, out: &mut Emitter) {
    let seq = t.sequence_number_hospital.value();
    let message = if seq == 98 {
        Some(format!(
            "Sequence number 98 belongs to the central sequence number (#380) only; the hospital \
             sequence number of a {} tumor takes {}",
            behavior_words(t.behavior),
            series_codes(t.behavior)
        ))
    } else if t.behavior.is_reportable_malignant() != (seq <= 59 || seq == 99) {
        Some(format!(
            "Sequence number {:02} does not fit behavior {} ({}): a {} tumor takes {}",
            seq,
            t.behavior.code(),
            behavior_words(t.behavior),
            behavior_words(t.behavior),
            series_codes(t.behavior)
        ))
    } else {
        None
    };
    if let Some(m) = message {
        out.emit(&SEQ_BEHAVIOR, m);
    }
}

fn behavior_words(b: Behavior) -> &'static str {
    match b {
        Behavior::Benign => "benign",
        Behavior::Uncertain => "borderline",
        Behavior::InSitu => "in situ",
        Behavior::Malignant => "malignant",
    }
}

fn series_codes(b: Behavior) -> &'static str {
    if b.is_reportable_malignant() { "00–59 or 99" } else { "60–88" }
}

/// The numbered positions of a series: 01–59 for in situ/malignant, 61–87 for the others.
fn is_ordinal(seq: u8) -> bool {
    (1..=59).contains(&seq) || (61..=87).contains(&seq)
}

fn inter_record(input: &EditInput, out: &mut Emitter) {
    if !out.enabled(&SEQ_INTER_RECORD) {
        return;
    }
    let t = input.tumor;
    let seq = t.sequence_number_hospital.value();
    let malignant = t.behavior.is_reportable_malignant();
    let same_series: Vec<&Tumor> = input
        .other_tumors
        .iter()
        .map(|(_, o)| *o)
        .filter(|o| o.behavior.is_reportable_malignant() == malignant)
        .collect();
    if same_series.is_empty() {
        return;
    }
    if seq == 0 || seq == 60 {
        out.emit(
            &SEQ_INTER_RECORD,
            format!(
                "Sequence number {seq:02} means the patient's only {} tumor, but the patient has \
                 another; number the tumors in order of diagnosis",
                if malignant { "in situ or malignant" } else { "non-malignant" }
            ),
        );
    }
    // A repeated 00/60 is already reported above.
    if seq != 0
        && seq != 60
        && same_series.iter().any(|o| o.sequence_number_hospital.value() == seq)
    {
        out.emit(
            &SEQ_INTER_RECORD,
            format!("Sequence number {seq:02} is also used by another tumor of this patient"),
        );
    }
    if is_ordinal(seq) {
        let out_of_order = same_series.iter().any(|o| {
            let other = o.sequence_number_hospital.value();
            if !is_ordinal(other) {
                return false;
            }
            matches!(
                (seq.cmp(&other), t.date_of_diagnosis.compare(&o.date_of_diagnosis),),
                (Ordering::Greater, Some(Ordering::Less))
                    | (Ordering::Less, Some(Ordering::Greater))
            )
        });
        if out_of_order {
            out.emit(
                &SEQ_INTER_RECORD,
                format!(
                    "Sequence number {seq:02} does not follow the order of diagnosis of the patient's \
                     tumors; review and set Over-ride Site/Lat/SeqNo if correct"
                ),
            );
        }
    }
}

fn duplicates(input: &EditInput, out: &mut Emitter) {
    let t = input.tumor;
    let duplicate = input.other_tumors.iter().any(|(_, o)| {
        o.primary_site == t.primary_site
            && o.laterality == t.laterality
            && o.histology == t.histology
    });
    if duplicate {
        out.emit(
            &DUPLICATE_PRIMARY,
            format!(
                "Another tumor of this patient has the same site ({}), laterality ({}) and histology ({}): \
                 check that it is a separate primary, then set Over-ride Site/Lat/SeqNo",
                t.primary_site.dotted(),
                t.laterality.code(),
                t.histology
            ),
        );
    }
}

fn ill_defined(input: &EditInput, out: &mut Emitter) {
    let t = input.tumor;
    let h = t.histology.code();
    let site = t.primary_site.number();
    let ill_defined = match t.primary_site.category() {
        76 => h < 9590,
        77 => !(9590..=9729).contains(&h),
        _ => site == 809 && h < 9590,
    };
    let other_cancer = input.other_tumors.iter().any(|(_, o)| o.behavior == Behavior::Malignant);
    if ill_defined && other_cancer {
        out.emit(
            &ILL_DEFINED_MULTIPLE,
            format!(
                "{} is an ill-defined or unknown site and the patient has another malignant tumor: \
                 this may be a metastasis of it; review and set Over-ride Ill-defined Site if correct",
                site_text(&t.primary_site)
            ),
        );
    }
}
