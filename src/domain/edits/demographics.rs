//! Edits between the patient and the tumor: sex/site, sex/histology, age/site/histology, and the
//! reported age against the dates. Messages never state the patient's age or dates.

use super::catalogue::*;
use super::site_morphology::{morph_text, site_text};
use super::{CodedInput, EditDef, Emitter};

pub(super) fn check(input: &CodedInput, out: &mut Emitter) {
    sex(input, out);
    age_site_histology(input, out);
    age_dates(input, out);
}

/// Histologies of one sex's organs, with the sex they belong to (`true` = female). A small set of
/// unambiguous cases, since the NAACCR edit is an error: endometrial stromal and placental tumors for
/// women; the seminomas for men (the ovarian counterpart has its own code, dysgerminoma 9060).
/// Choriocarcinoma (9100/3) and the Brenner tumor (9000) are left out: both also arise in the testis.
const SEX_HISTOLOGIES: &[(u16, bool)] = &[
    (8930, true),
    (8931, true),
    (9103, true),
    (9104, true),
    (9061, false),
    (9062, false),
    (9063, false),
];

fn sex_word(female: bool) -> &'static str {
    if female { "female" } else { "male" }
}

fn sex(input: &CodedInput, out: &mut Emitter) {
    let Some(sex) = input.patient.sex_assigned_at_birth else {
        return;
    };
    let female = match (sex.is_male(), sex.is_female()) {
        (true, _) => false,
        (_, true) => true,
        _ => return,
    };
    let t = &input.t;
    let cat = t.site.category();
    let wrong_site = if female { (60..=63).contains(&cat) } else { (51..=58).contains(&cat) };
    if wrong_site {
        out.emit(
            &SEX_SITE,
            format!(
                "{} cannot be coded for a patient whose sex assigned at birth is {}",
                site_text(&t.site),
                sex_word(female)
            ),
        );
    }
    let h = t.histology.code();
    if let Some((_, of_female)) = SEX_HISTOLOGIES.iter().find(|(code, _)| *code == h)
        && *of_female != female
    {
        let m = morph_text(&t.morphology());
        out.emit(
            &SEX_HISTOLOGY,
            format!(
                "{m} arises only in {} organs and cannot be coded for a patient whose sex assigned \
                     at birth is {}",
                sex_word(*of_female),
                sex_word(female)
            ),
        );
        out.emit(
            &IARC_SEX_HISTOLOGY,
            format!(
                "{m} is a {} genital histology in a {} patient: check sex and histology",
                sex_word(*of_female),
                sex_word(female)
            ),
        );
    }
}

/// Which ages a rule flags.
#[derive(Clone, Copy)]
enum Ages {
    /// Flags `age >= n`.
    AtLeast(u16),
    /// Flags `age < n`.
    Below(u16),
}

/// Age/site/histology rules shared by SEER IF15 and IARC CHECK: childhood tumors in
/// adults, and adult carcinomas in children. `sites` empty = any site. The first matching rule wins.
/// (first histology, last histology, site categories, ages flagged, reason)
type AgeRule = (u16, u16, &'static [(u8, u8)], Ages, &'static str);

const AGE_RULES: &[AgeRule] = &[
    (9510, 9514, &[], Ages::AtLeast(15), "retinoblastoma is rare from age 15"),
    (9490, 9490, &[], Ages::AtLeast(15), "neuroblastoma is rare from age 15"),
    (9500, 9500, &[], Ages::AtLeast(15), "neuroblastoma is rare from age 15"),
    (8960, 8960, &[], Ages::AtLeast(15), "Wilms tumor is rare from age 15"),
    (8970, 8970, &[], Ages::AtLeast(15), "hepatoblastoma is rare from age 15"),
    (8140, 8149, &[(61, 61)], Ages::Below(40), "prostate adenocarcinoma is rare before age 40"),
    (9823, 9823, &[], Ages::Below(26), "chronic lymphocytic leukemia is rare at age 25 or younger"),
    (
        8010,
        8576,
        &[(18, 20), (34, 34), (50, 50), (53, 53), (61, 61)],
        Ages::Below(15),
        "carcinoma of the breast, colon, rectum, lung, cervix or prostate is rare before age 15",
    ),
];

fn age_site_histology(input: &CodedInput, out: &mut Emitter) {
    if !out.enabled(&AGE_SITE_MORPH) && !out.enabled(&IARC_AGE_SITE_MORPH) {
        return;
    }
    let Some(age) = input.age() else {
        return;
    };
    let t = &input.t;
    let h = t.histology.code();
    let cat = t.site.category();
    let hit = AGE_RULES.iter().find(|(lo, hi, sites, ages, _)| {
        (*lo..=*hi).contains(&h)
            && (sites.is_empty() || sites.iter().any(|(a, b)| (*a..=*b).contains(&cat)))
            && match ages {
                Ages::AtLeast(n) => age >= *n,
                Ages::Below(n) => age < *n,
            }
    });
    let Some((_, _, _, _, why)) = hit else {
        return;
    };
    let text = format!(
        "{} at {} for this age at diagnosis: {why}",
        morph_text(&t.morphology()),
        site_text(&t.site)
    );
    let defs: [&EditDef; 2] = [&AGE_SITE_MORPH, &IARC_AGE_SITE_MORPH];
    for def in defs {
        let suffix = if def.override_flag.is_some() {
            "; review and set Over-ride Age/Site/Morph if correct"
        } else {
            ""
        };
        out.emit(def, format!("{text}{suffix}"));
    }
}

fn age_dates(input: &CodedInput, out: &mut Emitter) {
    let computed = input.patient.date_of_birth.and_then(|b| input.t.dx.years_since(&b));
    let message = match (input.age_at_diagnosis, computed) {
        (Some(999), Some(_)) => Some(
            "Age at diagnosis is coded unknown (999) although the dates of birth and diagnosis give it",
        ),
        (Some(reported), _) if reported > 120 && reported != 999 => {
            Some("Age at diagnosis must be 0–120, or 999 when unknown")
        }
        (Some(reported), Some(c)) if reported != 999 && reported != c => Some(
            "The reported age at diagnosis does not agree with the age computed from the dates of \
             birth and diagnosis",
        ),
        _ => None,
    };
    if let Some(m) = message {
        out.emit(&AGE_DATES, m);
    }
}
