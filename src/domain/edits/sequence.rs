//! Sequence numbers within a tumor and across a patient's tumors, duplicates, and
//! ill-defined sites in patients with several primaries.

use std::cmp::Ordering;

use super::catalogue::*;
use super::site_morphology::site_text;
use super::{CodedInput, Emitter};
use crate::domain::codes::Behavior;
use crate::domain::records::Coded;

pub(super) fn check(input: &CodedInput, out: &mut Emitter) {
    sequence_behavior(&input.t, out);
    inter_record(input, out);
    duplicates(input, out);
    ill_defined(input, out);
}

fn sequence_behavior(t: &Coded, out: &mut Emitter) {
    let Some(seq) = t.tumor.sequence_number_hospital.map(|s| s.value()) else {
        return;
    };
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

fn inter_record(input: &CodedInput, out: &mut Emitter) {
    if !out.enabled(&SEQ_INTER_RECORD) {
        return;
    }
    let t = &input.t;
    let Some(seq) = t.tumor.sequence_number_hospital.map(|s| s.value()) else {
        return;
    };
    let malignant = t.behavior.is_reportable_malignant();
    // The other tumors of the series, with their hospital sequence numbers where coded.
    let same_series: Vec<(&Coded, Option<u8>)> = input
        .others
        .iter()
        .map(|(_, o)| (o, o.tumor.sequence_number_hospital.map(|s| s.value())))
        .filter(|(o, _)| o.behavior.is_reportable_malignant() == malignant)
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
    if seq != 0 && seq != 60 && same_series.iter().any(|(_, other)| *other == Some(seq)) {
        out.emit(
            &SEQ_INTER_RECORD,
            format!("Sequence number {seq:02} is also used by another tumor of this patient"),
        );
    }
    if is_ordinal(seq) {
        let out_of_order = same_series.iter().any(|(o, other)| {
            let Some(other) = *other else {
                return false;
            };
            if !is_ordinal(other) {
                return false;
            }
            matches!(
                (seq.cmp(&other), t.dx.compare(&o.dx),),
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

fn duplicates(input: &CodedInput, out: &mut Emitter) {
    let t = &input.t;
    let duplicate = input.others.iter().any(|(_, o)| {
        o.site == t.site
            && t.tumor.laterality.is_some()
            && o.tumor.laterality == t.tumor.laterality
            && o.histology == t.histology
    });
    if duplicate {
        out.emit(
            &DUPLICATE_PRIMARY,
            format!(
                "Another tumor of this patient has the same site ({}), laterality ({}) and histology ({}): \
                 check that it is a separate primary, then set Over-ride Site/Lat/SeqNo",
                t.site.dotted(),
                t.tumor.laterality.map_or("blank", |l| l.code()),
                t.histology
            ),
        );
    }
}

fn ill_defined(input: &CodedInput, out: &mut Emitter) {
    let t = &input.t;
    let h = t.histology.code();
    let site = t.site.number();
    let ill_defined = match t.site.category() {
        76 => h < 9590,
        77 => !(9590..=9729).contains(&h),
        _ => site == 809 && h < 9590,
    };
    let other_cancer = input.others.iter().any(|(_, o)| o.behavior == Behavior::Malignant);
    if ill_defined && other_cancer {
        out.emit(
            &ILL_DEFINED_MULTIPLE,
            format!(
                "{} is an ill-defined or unknown site and the patient has another malignant tumor: \
                 this may be a metastasis of it; review and set Over-ride Ill-defined Site if correct",
                site_text(&t.site)
            ),
        );
    }
}
