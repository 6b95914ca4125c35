//! The edits engine: the quality checks registrars run on each tumor record.
//!
//! Pure domain code: every check is a function of an [`EditInput`] (the clock comes in as `today`).
//! Reference tables are parsed once into `LazyLock` statics (see `tables`), so [`run`] allocates only
//! its findings. Two rule sets exist because SEER/NAACCR and IARC disagree on some combinations; the
//! caller picks one with [`RuleSet`]. Messages name codes and code labels only, never names or dates.

mod catalogue;
mod coding;
mod dates;
mod demographics;
mod patient;
mod primaries;
mod required;
mod review;
mod sequence;
mod site_morphology;
mod stage_grade;
mod tables;

#[cfg(test)]
mod tests;

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::records::{Coded, Contact, ItemMap, Patient, Treatment, Tumor};
use super::validation::RuleError;

pub use catalogue::{SAME_PRIMARY, SEQ_PRIMARIES, VALUE_KEPT, catalogue};
pub use patient::{PatientInput, run_patient};
pub use primaries::{mp_tumor, rules_for};
pub use review::{EditStatus, PatientRecords, Review, TumorRecord, review};

/// How a finding must be handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    /// Must be fixed before the record is complete.
    Error,
    /// May be accepted by setting the edit's override flag to 1.
    Review,
    /// IARC "rare"/"query": worth a look, never blocks.
    Warning,
}

/// Which edit set applies: SEER/NAACCR metafile edits, IARC/IACR CHECK, or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RuleSet {
    /// SEER/NAACCR EDITS metafile checks (North American registries).
    Naaccr,
    /// IARC/IACR CHECK (international registries).
    Iarc,
    /// Every edit; as a caller's choice it runs both sets.
    Both,
}

impl RuleSet {
    /// Whether an edit belonging to `self` runs when the caller asked for `requested`.
    pub fn runs_under(self, requested: RuleSet) -> bool {
        self == RuleSet::Both || requested == RuleSet::Both || self == requested
    }
}

/// The definition of one edit, as listed by [`catalogue`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EditDef {
    /// Stable identifier, e.g. `N-site-morph-seer`; never reused for another check.
    pub id: &'static str,
    /// Short name, after the EDITS metafile or IARC check it mirrors.
    pub name: &'static str,
    pub severity: Severity,
    /// NAACCR XML ids of the items the edit reads.
    pub fields: &'static [&'static str],
    /// NAACCR id of the override flag that accepts a review finding.
    pub override_flag: Option<&'static str>,
    pub rule_set: RuleSet,
    pub description: &'static str,
}

/// One failed edit on one tumor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub edit_id: &'static str,
    pub severity: Severity,
    /// NAACCR XML ids of the items involved.
    pub fields: Vec<String>,
    /// Plain English without protected health information (no names, dates or identifiers).
    pub message: String,
    /// A review finding whose override flag is set: reviewed and accepted, callers ignore it.
    pub overridden: bool,
}

/// The NAACCR override flags (#1985–#2074) this engine knows, with their item numbers.
pub const OVERRIDE_ITEMS: &[(&str, u16)] = &[
    ("overRideAcsnClassSeq", 1985),
    ("overRideHospseqDxconf", 1986),
    ("overRideCocSiteType", 1987),
    ("overRideHospseqSite", 1988),
    ("overRideSiteTnmStggrp", 1989),
    ("overRideAgeSiteMorph", 1990),
    ("overRideTnmStage", 1992),
    ("overRideTnmTis", 1993),
    ("overRideTnm3", 1994),
    ("overRideSeqnoDxconf", 2000),
    ("overRideSiteLatSeqno", 2010),
    ("overRideSurgDxconf", 2020),
    ("overRideSiteType", 2030),
    ("overRideHistology", 2040),
    ("overRideReportSource", 2050),
    ("overRideIllDefineSite", 2060),
    ("overRideLeukLymphoma", 2070),
    ("overRideSiteBehavior", 2071),
    ("overRideSiteEodDxDt", 2072),
    ("overRideSiteLatEod", 2073),
    ("overRideSiteLatMorph", 2074),
];

/// The override flags set to 1 on a tumor (a bit per entry of [`OVERRIDE_ITEMS`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Overrides(u32);

impl Overrides {
    /// No flag set.
    pub fn none() -> Self {
        Self(0)
    }

    /// Parses NAACCR ids of flags set to 1; an id that is not an override item is rejected.
    pub fn parse<'s>(ids: impl IntoIterator<Item = &'s str>) -> Result<Self, RuleError> {
        let mut bits = 0u32;
        for id in ids {
            let idx = OVERRIDE_ITEMS.iter().position(|(known, _)| *known == id.trim()).ok_or_else(
                || RuleError::new("override.unknown", "not a NAACCR override flag (#1985–#2074)"),
            )?;
            bits |= 1 << idx;
        }
        Ok(Self(bits))
    }

    /// Whether the flag with this NAACCR id is set.
    pub fn is_set(&self, id: &str) -> bool {
        OVERRIDE_ITEMS
            .iter()
            .position(|(known, _)| *known == id)
            .is_some_and(|idx| self.0 & (1 << idx) != 0)
    }

    /// The NAACCR ids of the flags set, in item-number order.
    pub fn ids(&self) -> Vec<&'static str> {
        OVERRIDE_ITEMS
            .iter()
            .enumerate()
            .filter(|(idx, _)| self.0 & (1 << idx) != 0)
            .map(|(_, (id, _))| *id)
            .collect()
    }
}

impl fmt::Display for Overrides {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.ids().join(" "))
    }
}

/// Everything the edits of one tumor look at.
#[derive(Clone, Copy, Debug)]
pub struct EditInput<'a> {
    pub patient: &'a Patient,
    /// Id of the tumor under edit, as the caller's store knows it.
    pub tumor_id: &'a str,
    pub tumor: &'a Tumor,
    /// Override flags set to 1 on this tumor.
    pub overrides: &'a Overrides,
    /// The patient's other tumors, with their ids.
    pub other_tumors: &'a [(&'a str, &'a Tumor)],
    /// This tumor's treatments.
    pub treatments: &'a [&'a Treatment],
    /// The patient's follow-up contacts.
    pub contacts: &'a [&'a Contact],
    /// Age at diagnosis as reported (#230); `None` = unknown.
    pub age_at_diagnosis: Option<u16>,
    /// The tumor's NAACCR items without a typed field.
    pub items: &'a ItemMap,
    /// The date "now" for the no-future-dates rules; passed in to keep the edits pure.
    pub today: NaiveDate,
}

/// An [`EditInput`] whose tumor has its core codes: what the coding edits look at. The patient's
/// other tumors are those with their core codes known.
struct CodedInput<'a> {
    base: &'a EditInput<'a>,
    t: Coded<'a>,
    others: Vec<(&'a str, Coded<'a>)>,
}

impl<'a> std::ops::Deref for CodedInput<'a> {
    type Target = EditInput<'a>;
    fn deref(&self) -> &EditInput<'a> {
        self.base
    }
}

impl CodedInput<'_> {
    /// Year of diagnosis, the key of most date-dependent rules.
    fn dx_year(&self) -> u16 {
        self.t.dx_year()
    }

    /// The reported age, else the age computed from birth and diagnosis; 999 means unknown.
    fn age(&self) -> Option<u16> {
        match self.age_at_diagnosis {
            Some(999) => None,
            Some(age) => Some(age),
            None => self.patient.date_of_birth.and_then(|b| self.t.dx.years_since(&b)),
        }
    }
}

/// Runs every edit of `rule_set` on one tumor. Review findings whose override flag is set come
/// back with `overridden: true`. Items an edit needs that are not coded yet are findings of the
/// required-items edits; the edits that read them wait until they are coded.
pub fn run(input: &EditInput, rule_set: RuleSet) -> Vec<Finding> {
    let mut out = Emitter { rule_set, overrides: input.overrides, findings: Vec::new() };
    required::check(input, &mut out);
    dates::check_uncoded(input, &mut out);
    if let Some(t) = input.tumor.coded() {
        let others =
            input.other_tumors.iter().filter_map(|(id, o)| o.coded().map(|c| (*id, c))).collect();
        let coded = CodedInput { base: input, t, others };
        site_morphology::check(&coded, &mut out);
        coding::check(&coded, &mut out);
        demographics::check(&coded, &mut out);
        sequence::check(&coded, &mut out);
        primaries::check(&coded, &mut out);
        stage_grade::check(&coded, &mut out);
        dates::check(&coded, &mut out);
    }
    out.findings
}

/// Collects findings for the chosen rule set and applies override flags.
struct Emitter<'a> {
    rule_set: RuleSet,
    overrides: &'a Overrides,
    findings: Vec<Finding>,
}

impl Emitter<'_> {
    /// Whether `def` runs under the chosen rule set; checks call this before doing any work.
    fn enabled(&self, def: &EditDef) -> bool {
        def.rule_set.runs_under(self.rule_set)
    }

    /// Records a finding on the edit's own fields.
    fn emit(&mut self, def: &EditDef, message: impl Into<String>) {
        self.emit_on(def, def.fields, message);
    }

    /// Records a finding on the given fields.
    fn emit_on(&mut self, def: &EditDef, fields: &[&str], message: impl Into<String>) {
        if !self.enabled(def) {
            return;
        }
        let overridden = def.severity == Severity::Review
            && def.override_flag.is_some_and(|f| self.overrides.is_set(f));
        self.findings.push(Finding {
            edit_id: def.id,
            severity: def.severity,
            fields: fields.iter().map(|f| (*f).to_string()).collect(),
            message: message.into(),
            overridden,
        });
    }
}
