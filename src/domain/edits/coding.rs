//! Edits between coded items of one tumor: laterality, diagnostic confirmation, class of case.

use super::catalogue::*;
use super::site_morphology::{morph_text, site_text};
use super::tables::{self, Paired};
use super::{CodedInput, Emitter};
use crate::domain::codes::Behavior;

pub(super) fn check(input: &CodedInput, out: &mut Emitter) {
    laterality(input, out);
    confirmation(input, out);
    class_of_case(input, out);
}

fn laterality(input: &CodedInput, out: &mut Emitter) {
    let t = &input.t;
    let Some(laterality) = t.tumor.laterality else {
        return;
    };
    let lat = laterality.code();
    let year = input.dx_year();
    // Some(true): must be paired; Some(false): must be 0; None: either is accepted.
    let must_pair = match tables::paired_site(&t.site) {
        Some(Paired::Always) => Some(true),
        Some(Paired::From2004) if year >= 2004 => Some(true),
        // C44.0/C44.4 joined the table late and CNS sites were unpaired before 2004: accept both.
        Some(Paired::From2004 | Paired::LaterAddition) => None,
        None => Some(false),
    };
    match must_pair {
        Some(true) if lat == "0" => out.emit(
            &LATERALITY_SITE,
            format!(
                "{} is a paired site: laterality must be 1–5 or 9, not 0 (not a paired site)",
                site_text(&t.site)
            ),
        ),
        Some(false) if lat != "0" => out.emit(
            &LATERALITY_SITE,
            format!(
                "{} is not a paired site: laterality must be 0, not {lat} ({})",
                site_text(&t.site),
                laterality.label()
            ),
        ),
        _ => {}
    }
    if lat == "5" && year < 2010 {
        out.emit(
            &LATERALITY_SITE,
            "Laterality 5 (midline) is used only for diagnoses from 2010 on",
        );
    }
    let bilateral_expected = t.site.number() == 569
        || (9510..=9514).contains(&t.histology.code())
        || t.histology.code() == 8960;
    if lat == "4" && !bilateral_expected {
        out.emit(
            &LATERALITY_BILATERAL,
            format!(
                "Laterality 4 (bilateral, single primary) is expected only for ovary, retinoblastoma and \
                 Wilms tumor, not {} at {}; review and set Over-ride Site/Lat/Morph if correct",
                morph_text(&t.morphology()),
                site_text(&t.site)
            ),
        );
    }
}

/// NOS histologies that need no microscopic confirmation (carcinoma, neoplasm, sarcoma, lymphoma,
/// leukemia NOS).
fn is_nos(h: u16) -> bool {
    matches!(h, 8000..=8005 | 8010 | 8800 | 9590 | 9800)
}

/// US practice accepts a lab test or marker (code 5) for these: liver cancer with AFP, myeloma and
/// Waldenström with a paraprotein. IARC CHECK has no such exemption, so the rule sets differ here.
fn marker_diagnosis_accepted(h: u16) -> bool {
    matches!(h, 8170 | 9732 | 9761)
}

fn confirmation(input: &CodedInput, out: &mut Emitter) {
    let t = &input.t;
    let Some(conf) = t.tumor.diagnostic_confirmation else {
        return;
    };
    let code = conf.code();
    let h = t.histology.code();
    let microscopic = matches!(code, "1" | "2" | "3" | "4");
    let not_microscopic = matches!(code, "5" | "6" | "7" | "8");

    if t.behavior == Behavior::InSitu && !microscopic {
        out.emit(
            &DXCONF_BEHAVIOR,
            format!(
                "An in situ tumor needs microscopic confirmation (1, 2, 3 or 4), not {code} ({}); \
                 review and set Over-ride Histology if correct",
                conf.label()
            ),
        );
    }
    if code == "3" && !(t.histology.is_hematopoietic() && input.dx_year() >= 2010) {
        out.emit(
            &DXCONF_HEME,
            format!(
                "Diagnostic confirmation 3 (histology plus immunophenotyping or genetics) is only for \
                 hematopoietic and lymphoid neoplasms (9590–9993) diagnosed from 2010 on, not {}",
                morph_text(&t.morphology())
            ),
        );
    }
    if not_microscopic && !is_nos(h) {
        if !(code == "5" && marker_diagnosis_accepted(h)) {
            out.emit(
                &DXCONF_HISTOLOGY,
                format!(
                    "{} is a specific histology but the diagnosis was not microscopically confirmed \
                     ({code}, {}); review and set Over-ride Histology if correct",
                    morph_text(&t.morphology()),
                    conf.label()
                ),
            );
        }
        out.emit(
            &IARC_BASIS_HISTOLOGY,
            format!(
                "{} is a specific histology without a microscopic basis of diagnosis ({code}, {})",
                morph_text(&t.morphology()),
                conf.label()
            ),
        );
    }
}

fn class_of_case(input: &CodedInput, out: &mut Emitter) {
    let t = &input.t;
    let (Some(class), Some(source)) = (t.tumor.class_of_case, t.tumor.type_of_reporting_source)
    else {
        return;
    };
    let source_code = source.code();
    let bad = match (class.code(), source_code) {
        ("38", s) if s != "6" => {
            Some("class 38 (diagnosed at autopsy) needs reporting source 6 (autopsy only)")
        }
        ("49", s) if s != "7" => Some(
            "class 49 (death certificate only) needs reporting source 7 (death certificate only)",
        ),
        (_, "6" | "7") if class.is_analytic() => Some(
            "autopsy-only and death-certificate-only cases are not analytic; use class 38 or 49",
        ),
        _ => None,
    };
    if let Some(why) = bad {
        out.emit(
            &CLASS_OF_CASE,
            format!(
                "Class of case {} ({}) does not fit reporting source {source_code} ({}): {why}",
                class.code(),
                class.label(),
                source.label()
            ),
        );
    }
}
