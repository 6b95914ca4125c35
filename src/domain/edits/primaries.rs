//! The multiple-primary rules over a patient's tumors: a tumor the rules call the same primary as
//! an earlier one, and a sequence number lower than the primaries diagnosed before it.

use super::catalogue::{SAME_PRIMARY, SEQ_PRIMARIES};
use super::site_morphology::{morph_text, site_text};
use super::{CodedInput, Emitter, RuleSet};
use crate::domain::mp::{MpTumor, Placement, Rules, primaries};
use crate::domain::records::Coded;

/// The rules a rule set counts primaries by: IARC/IACR's for the IARC set, SEER's otherwise.
pub fn rules_for(rule_set: RuleSet) -> Rules {
    if rule_set == RuleSet::Iarc { Rules::Iarc } else { Rules::Seer }
}

/// A coded tumor as the multiple-primary rules read it; an uncoded laterality reads as unknown (9).
pub fn mp_tumor(c: &Coded) -> MpTumor {
    MpTumor {
        year: i32::from(c.dx.year()),
        month: c.dx.month().map(u32::from),
        day: c.dx.day().map(u32::from),
        category: c.site.category(),
        subsite: c.site.subsite(),
        histology: c.histology.code(),
        behavior: c.behavior.code(),
        laterality: c.tumor.laterality.and_then(|l| l.code().parse().ok()).unwrap_or(9),
    }
}

pub(super) fn check(input: &CodedInput, out: &mut Emitter) {
    if input.others.is_empty() || !(out.enabled(&SAME_PRIMARY) || out.enabled(&SEQ_PRIMARIES)) {
        return;
    }
    let rules = rules_for(out.rule_set);
    let tumors: Vec<MpTumor> = std::iter::once(mp_tumor(&input.t))
        .chain(input.others.iter().map(|(_, o)| mp_tumor(o)))
        .collect();
    let found = primaries(&tumors, rules);
    let place = &found.placements[0];
    let rules_name = match rules {
        Rules::Seer => "SEER multiple-primary rules",
        Rules::Iarc => "IARC/IACR multiple-primary rules",
    };
    if let Some((other, why)) = &place.same_as {
        let o = &input.others[other - 1].1;
        let rule = if why.step.is_empty() {
            String::new()
        } else {
            format!(" ({} {})", why.module, why.step)
        };
        out.emit(
            &SAME_PRIMARY,
            format!(
                "The {rules_name} call this tumor the same primary as the patient's earlier tumor of \
                 {}, {}: {}{rule}. Keep one abstract for the primary (update the earlier one, \
                 sequence number {:02}, and delete this one), or, if a physician says they are \
                 separate primaries, set Over-ride Site/Lat/SeqNo",
                site_text(&o.site),
                morph_text(&o.morphology()),
                why.reason.trim_end_matches('.'),
                place.suggested_sequence
            ),
        );
    }
    // The hospital's number counts the primaries it knows; the central registry's counts all the
    // person's, so both are at least the earlier primaries found here, plus one.
    let hospital = input.t.tumor.sequence_number_hospital.map(|s| s.value());
    let central =
        input.items.get("sequenceNumberCentral").and_then(|v| v.trim().parse::<u8>().ok());
    for (seq, field, words) in [
        (hospital, "sequenceNumberHospital", "Sequence number"),
        (central, "sequenceNumberCentral", "Central sequence number"),
    ] {
        let Some(seq) = seq else { continue };
        if let Some(message) = sequence_too_low(input, place, seq, rules_name) {
            out.emit_on(&SEQ_PRIMARIES, &[field, "dateOfDiagnosis"], format!("{words} {message}"));
        }
    }
}

/// "NN is too low: …" when a sequence number is below the separate primaries the rules find
/// before the tumor, plus one; `None` when it can be right (or is not an ordinal number).
fn sequence_too_low(
    input: &CodedInput,
    place: &Placement,
    seq: u8,
    rules_name: &str,
) -> Option<String> {
    let base = if input.t.behavior.code() >= 2 { 0 } else { 60 };
    let ordinal = seq > base && seq < base + 60 && seq != 98 && seq != 99;
    let at_least = place.earlier_primaries + 1;
    (ordinal && usize::from(seq - base) < at_least && place.same_as.is_none()).then(|| {
        format!(
            "{seq:02} is too low: the {rules_name} find {} separate primar{} of this series \
             diagnosed before this tumor, so its number is at least {:02} (suggested: {:02}); \
             correct the sequence numbers, or set Over-ride Site/Lat/SeqNo if correct",
            place.earlier_primaries,
            if place.earlier_primaries == 1 { "y" } else { "ies" },
            usize::from(base) + at_least,
            place.suggested_sequence
        )
    })
}
