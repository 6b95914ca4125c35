//! Summary Stage 2018 and grade edits.

use super::catalogue::*;
use super::site_morphology::{morph_text, site_text};
use super::{CodedInput, Emitter};
use crate::domain::codes::Behavior;
use crate::domain::records::Coded;

pub(super) fn check(input: &CodedInput, out: &mut Emitter) {
    summary_stage(input, out);
    grade(input, out);
    iarc_grade(&input.t, out);
}

/// Brain, CNS other and intracranial gland chapters: C70.x–C72.x, C75.1–C75.3.
fn is_brain_cns(t: &Coded) -> bool {
    matches!(t.site.category(), 70..=72) || (751..=753).contains(&t.site.number())
}

fn summary_stage(input: &CodedInput, out: &mut Emitter) {
    let t = &input.t;
    let Some(stage) = t.tumor.summary_stage_2018 else {
        return;
    };
    let code = stage.code();
    if input.dx_year() < 2018 {
        out.emit(
            &SUMMARY_STAGE_2018,
            "Summary Stage 2018 is coded only for diagnoses from 2018 on; leave it blank",
        );
        return;
    }
    if (code == "0") != (t.behavior == Behavior::InSitu) {
        let message = if code == "0" {
            format!(
                "Summary Stage 2018 0 (in situ) needs behavior 2, but behavior is {}",
                t.behavior.code()
            )
        } else {
            format!("An in situ tumor (behavior 2) must have Summary Stage 2018 0, not {code}")
        };
        out.emit(&SUMMARY_STAGE_2018, message);
    }
    let non_malignant = matches!(t.behavior, Behavior::Benign | Behavior::Uncertain);
    if code == "8" && !(non_malignant && is_brain_cns(t)) {
        out.emit(
            &SUMMARY_STAGE_2018,
            format!(
                "Summary Stage 2018 8 (benign or borderline) is only for benign or borderline brain, CNS \
                 and intracranial gland tumors, not behavior {} at {}",
                t.behavior.code(),
                site_text(&t.site)
            ),
        );
    }
}

fn grade(input: &CodedInput, out: &mut Emitter) {
    let t = &input.t;
    let from_2018 = input.dx_year() >= 2018;
    if let Some(g) = t.tumor.grade {
        if from_2018 {
            out.emit(
                &GRADE,
                "Grade (#440) is coded only for diagnoses before 2018; use Grade Clinical, \
                 Pathological and Post Therapy",
            );
        }
        if matches!(g.code(), "5" | "6" | "7" | "8") && !t.histology.is_hematopoietic() {
            out.emit(
                &GRADE,
                format!(
                    "Grade {} ({}) describes a cell lineage and is only for lymphomas and leukemias \
                     (9590 and above), not {}",
                    g.code(),
                    g.label(),
                    morph_text(&t.morphology())
                ),
            );
        }
    }
    let grades_2018 = [
        t.tumor.grade_clinical,
        t.tumor.grade_pathological,
        t.tumor.grade_post_therapy_clin,
        t.tumor.grade_post_therapy,
    ];
    if from_2018 {
        // Post-therapy grades should be blank without neoadjuvant therapy; that therapy is not
        // recorded, so they are not checked.
        if t.tumor.grade_clinical.is_none() || t.tumor.grade_pathological.is_none() {
            out.emit(
                &GRADE,
                "Grade Clinical and Grade Pathological must be coded for diagnoses from 2018 on \
                 (9 when unknown)",
            );
        }
    } else if grades_2018.iter().any(Option::is_some) {
        out.emit(
            &GRADE,
            "Grade Clinical, Pathological and Post Therapy are coded only for diagnoses from 2018 on; \
             use Grade (#440)",
        );
    }
}

/// Histologies whose term fixes the grade (ICD-O-3 rule G): undifferentiated → 4, well
/// differentiated → 1, grade-2 NET → 2, poorly differentiated Sertoli-Leydig → 3.
const FIXED_GRADES: &[(u16, &str)] = &[(8020, "4"), (8331, "1"), (8249, "2"), (8631, "3")];

/// The lineage grade of T-cell (5), B-cell (6) and NK-cell (8) neoplasms: a representative set of
/// mature lymphomas and leukemias whose lineage is in the term.
fn lineage_grade(h: u16) -> Option<&'static str> {
    match h {
        9700..=9719 | 9827 | 9831 | 9834 | 9837 => Some("5"),
        9670..=9699 | 9823 | 9826 | 9833 | 9836 => Some("6"),
        9948 => Some("8"),
        _ => None,
    }
}

fn iarc_grade(t: &Coded, out: &mut Emitter) {
    let Some(g) = t.tumor.grade else {
        return;
    };
    let code = g.code();
    if code == "9" {
        return;
    }
    let h = t.histology.code();
    let m = morph_text(&t.morphology());
    let expected = FIXED_GRADES
        .iter()
        .find(|(fixed, _)| *fixed == h)
        .map(|(_, grade)| *grade)
        .or_else(|| lineage_grade(h));
    let message = if matches!(t.behavior, Behavior::Benign | Behavior::Uncertain) {
        Some(format!(
            "A non-malignant tumour takes grade 9 (not applicable), not {code} ({})",
            g.label()
        ))
    } else if matches!(code, "5" | "6" | "7" | "8") && !t.histology.is_hematopoietic() {
        Some(format!("Grade {code} ({}) is only for 9590 and above, not {m}", g.label()))
    } else {
        expected
            .filter(|e| *e != code)
            .map(|e| format!("{m} implies grade {e}, but grade {code} ({}) is coded", g.label()))
    };
    if let Some(text) = message {
        out.emit(&IARC_GRADE_HISTOLOGY, text);
    }
}
