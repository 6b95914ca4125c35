//! Site and morphology edits: the ICD-O edition of the diagnosis year, the SEER site/histology list,
//! impossible combinations, preferred heme sites, in situ sites, and the IARC CHECK equivalents.

use super::catalogue::*;
use super::tables::{self, FamilyRule};
use super::{CodedInput, Emitter};
use crate::domain::codes::{Behavior, Morphology, Topography};
use crate::domain::records::Coded;

/// "Prostate gland (C61.9)".
pub(super) fn site_text(site: &Topography) -> String {
    format!("{} ({})", site.label(), site.dotted())
}

/// "8500/3 (Infiltrating duct carcinoma, NOS)", or the bare code when no term exists.
pub(super) fn morph_text(m: &Morphology) -> String {
    match m.label() {
        Some(label) => format!("{m} ({label})"),
        None => m.to_string(),
    }
}

pub(super) fn check(input: &CodedInput, out: &mut Emitter) {
    let t = &input.t;
    let m = t.morphology();
    let flags = tables::morphology_flags(&m);
    let year = input.dx_year();

    if out.enabled(&MORPH_DX_YEAR)
        && let Some(edition) = missing_from_edition(flags, &m, year)
    {
        out.emit(
                &MORPH_DX_YEAR,
                format!(
                    "Histology/behavior {} is not in {edition}, the code list for the year of diagnosis; \
                     confirm the code and set Over-ride Histology if it is correct",
                    morph_text(&m)
                ),
            );
    }

    let impossible = impossible_reason(t);
    if let Some(reason) = impossible {
        out.emit(
            &SITE_MORPH_IMPOSSIBLE,
            format!("{} cannot be coded at {}: {reason}", morph_text(&m), site_text(&t.site)),
        );
    }
    // An impossible combination is an error already; a review finding on top would only repeat it.
    if impossible.is_none() && out.enabled(&SITE_MORPH_SEER) && !tables::on_seer_list(&t.site, &m) {
        out.emit(
            &SITE_MORPH_SEER,
            format!(
                "{} at {} is not on the SEER site/histology validation list; review and set \
                 Over-ride Site/Type if it is correct",
                morph_text(&m),
                site_text(&t.site)
            ),
        );
    }

    if year >= 2010
        && impossible.is_none()
        && let Some(preferred) = heme_preferred_site(t)
    {
        out.emit(
                &HEME_PREFERRED_SITE,
                format!(
                    "{} is usually coded to {preferred}, not {}; review and set Over-ride Site/Type if correct",
                    morph_text(&m),
                    site_text(&t.site)
                ),
            );
    }

    if t.behavior == Behavior::InSitu && in_situ_unexpected(&t.site) {
        out.emit(
            &SITE_BEHAVIOR_IN_SITU,
            format!(
                "An in situ tumor (behavior 2) is not expected at {}; review and set Over-ride \
                 Site/Behavior if it is correct",
                site_text(&t.site)
            ),
        );
    }

    iarc_checks(t, &m, flags, out);
}

/// The name of the code list the pair is missing from, or `None` when the pair is valid that year.
///
/// ICD-O-3 (2000) from 2001 (earlier cases are converted to ICD-O-3, so the same list applies);
/// ICD-O-3.1 heme terms from 2010 and other 3.1 terms from 2014; ICD-O-3.2 from 2021, plus the codes the
/// SEER 2022 list keeps from earlier editions; the NAACCR additions on the SEER 2022 list from 2022.
/// Pairs only in the NAACCR lookup are ICD-O matrix variants (rule F) and pass in any year.
fn missing_from_edition(flags: u8, m: &Morphology, year: u16) -> Option<&'static str> {
    use tables::*;
    const EDITIONS: u8 = IN_ICDO3_2000 | IN_ICDO3_1 | IN_ICDO3_2 | IN_SEER_2022;
    if flags & EDITIONS == 0 && flags & IN_NAACCR_LOOKUP != 0 {
        return None;
    }
    // North America codes pilocytic astrocytoma as malignant in every year.
    if (m.histology.code(), m.behavior.code()) == (9421, 3) {
        return None;
    }
    let has = |bit: u8| flags & bit != 0;
    let heme = m.histology.is_hematopoietic();
    let ok = match year {
        2021.. => {
            has(IN_ICDO3_2)
                || (has(IN_SEER_2022) && (year >= 2022 || has(IN_ICDO3_2000 | IN_ICDO3_1)))
        }
        2014..=2020 => has(IN_ICDO3_2000 | IN_ICDO3_1),
        2010..=2013 => has(IN_ICDO3_2000) || (heme && has(IN_ICDO3_1)),
        _ => has(IN_ICDO3_2000),
    };
    if ok {
        return None;
    }
    Some(match year {
        2022.. => "ICD-O-3.2 with the NAACCR updates",
        2021 => "ICD-O-3.2",
        2014..=2020 => "ICD-O-3.1",
        2010..=2013 if heme => "ICD-O-3.1 (hematopoietic terms)",
        _ => "ICD-O-3",
    })
}

/// The impossible combinations (error, no override). A small, documented set where no review could
/// make the code right:
/// - hematopoietic and lymphoid histologies (9590–9993) have no in situ form;
/// - blood, marrow, spleen and lymph nodes (C42.x, C77.x) have no epithelium, so nothing there is in situ;
/// - histologies SEER lists only at C42.x (systemic leukemias, myelodysplastic and myeloproliferative
///   diseases) arise in blood and bone marrow, never in an organ;
/// - retinoblastoma (9510–9514) arises only in the retina (C69.x).
fn impossible_reason(t: &Coded) -> Option<&'static str> {
    let h = t.histology.code();
    let cat = t.site.category();
    if t.behavior == Behavior::InSitu && t.histology.is_hematopoietic() {
        return Some("hematopoietic and lymphoid neoplasms have no in situ form");
    }
    if t.behavior == Behavior::InSitu && matches!(cat, 42 | 77) {
        return Some("blood, bone marrow, spleen and lymph nodes have no in situ tumors");
    }
    if cat != 42 && tables::seer_blood_only(h) {
        return Some("this disease arises in the blood and bone marrow (C42.x)");
    }
    if (9510..=9514).contains(&h) && cat != 69 {
        return Some("retinoblastoma arises only in the eye (C69.x)");
    }
    None
}

/// Preferred sites of some heme histologies for diagnoses from 2010 (after the Hematopoietic
/// Database primary-site rules). A subset chosen for clear cases: nodal lymphomas, cutaneous
/// lymphomas, splenic and mediastinal lymphomas, and leukemias coded to blood or "hematopoietic NOS"
/// instead of bone marrow. Returns the preferred site in words when the tumor is elsewhere.
fn heme_preferred_site(t: &Coded) -> Option<&'static str> {
    type Rule = (u16, u16, &'static [(u16, u16)], &'static str);
    const RULES: &[Rule] = &[
        (9650, 9667, &[(770, 779)], "lymph nodes (C77.x)"),
        (9690, 9698, &[(770, 779)], "lymph nodes (C77.x)"),
        (9700, 9701, &[(440, 449)], "skin (C44.x)"),
        (9709, 9709, &[(440, 449)], "skin (C44.x)"),
        (9718, 9718, &[(440, 449)], "skin (C44.x)"),
        (9726, 9726, &[(440, 449)], "skin (C44.x)"),
        (9708, 9708, &[(440, 449), (490, 499)], "skin or soft tissue (C44.x, C49.x)"),
        (9689, 9689, &[(422, 422)], "the spleen (C42.2)"),
        (9679, 9679, &[(379, 379), (381, 383)], "the thymus or mediastinum (C37.9, C38.1–C38.3)"),
    ];
    let h = t.histology.code();
    let site = t.site.number();
    if tables::seer_blood_only(h) && matches!(site, 420 | 424) {
        return Some("bone marrow (C42.1)");
    }
    RULES
        .iter()
        .find(|(lo, hi, _, _)| (*lo..=*hi).contains(&h))
        .filter(|(_, _, sites, _)| !sites.iter().any(|(a, b)| (*a..=*b).contains(&site)))
        .map(|(_, _, _, words)| *words)
}

/// IF39: sites where an in situ tumor cannot be confirmed (ill-defined, NOS and unknown sites).
fn in_situ_unexpected(site: &Topography) -> bool {
    matches!(site.number(), 269 | 399 | 559 | 579 | 639 | 689 | 729 | 759 | 760..=768 | 809)
}

fn iarc_checks(t: &Coded, m: &Morphology, flags: u8, out: &mut Emitter) {
    if !out.enabled(&IARC_MORPH_SITE) {
        return;
    }
    let site = &t.site;
    let family = tables::iarc_family(t.histology.code());
    let misplaced = match family {
        Some(FamilyRule::MustBeIn(f)) => !tables::iarc_family_has_site(true, f, site),
        Some(FamilyRule::MustNotBeIn(f)) => tables::iarc_family_has_site(false, f, site),
        _ => false,
    };
    if let (true, Some(rule)) = (misplaced, family) {
        let expectation = if matches!(rule, FamilyRule::MustBeIn(_)) {
            "arises at other sites"
        } else {
            "is not expected at this site"
        };
        out.emit(
            &IARC_MORPH_SITE,
            format!(
                "{} at {} is unusual: the IARC family \"{}\" {expectation}; check site and histology",
                morph_text(m),
                site_text(site),
                tables::iarc_family_name(rule)
            ),
        );
    }
    if t.behavior == Behavior::InSitu && matches!(site.category(), 40 | 41 | 42 | 47 | 49 | 70..=72)
    {
        out.emit(
            &IARC_BEHAVIOR_SITE,
            format!("An in situ tumour is rare at {}: check the behaviour", site_text(site)),
        );
    }
    if flags & (tables::IN_ICDO3_2000 | tables::IN_ICDO3_1 | tables::IN_ICDO3_2) == 0 {
        out.emit(
            &IARC_BEHAVIOR_HISTOLOGY,
            format!(
                "Histology/behaviour {m} is not listed in ICD-O-3, 3.1 or 3.2: check the behaviour"
            ),
        );
    }
}
