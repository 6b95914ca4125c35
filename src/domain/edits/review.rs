//! A patient's whole record reviewed at once: the patient edits, the tumor edits of each tumor and
//! the values kept as read that their item cannot hold. Every write stores the result beside each
//! record (its findings and edit status); nothing here refuses a write.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::catalogue::VALUE_KEPT;
use super::patient::{PatientInput, run_patient};
use super::{EditInput, Emitter, Finding, Overrides, RuleSet, Severity, run};
use crate::domain::naaccr::lookups::code_list;
use crate::domain::naaccr::{Dictionary, Level, ValueProblem, value_problem};
use crate::domain::records::{Contact, ItemMap, Patient, Treatment, Tumor};

/// One tumor with its item map.
#[derive(Clone, Copy, Debug)]
pub struct TumorRecord<'a> {
    pub id: &'a str,
    pub tumor: &'a Tumor,
    pub items: &'a ItemMap,
}

/// One patient's records as the edits see them.
#[derive(Clone, Debug)]
pub struct PatientRecords<'a> {
    pub patient: &'a Patient,
    pub items: &'a ItemMap,
    pub tumors: Vec<TumorRecord<'a>>,
    /// (treatment id, tumor id, treatment)
    pub treatments: Vec<(&'a str, &'a str, &'a Treatment)>,
    pub contacts: Vec<(&'a str, &'a Contact)>,
}

/// What a record's findings amount to: `errors` keeps a tumor out of submission batches.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub enum EditStatus {
    #[default]
    Clean,
    /// Reviews not yet accepted with their override flag, or warnings.
    Warnings,
    /// An error-level finding: the record is incomplete or wrong.
    Errors,
}

impl EditStatus {
    /// The status a list of findings gives.
    pub fn of(findings: &[Finding]) -> Self {
        findings.iter().fold(Self::Clean, |s, f| {
            s.max(match f.severity {
                Severity::Error => Self::Errors,
                Severity::Review if f.overridden => Self::Clean,
                Severity::Review | Severity::Warning => Self::Warnings,
            })
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Clean => "clean",
            Self::Warnings => "warnings",
            Self::Errors => "errors",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Clean, Self::Warnings, Self::Errors].into_iter().find(|s| s.as_str() == raw)
    }
}

/// The findings of one patient's records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Review {
    /// Findings on the patient record itself.
    pub patient: Vec<Finding>,
    /// Findings per tumor, in the order of [`PatientRecords::tumors`].
    pub tumors: Vec<Vec<Finding>>,
}

impl Review {
    /// The patient's own status, made worse by any of its tumors'.
    pub fn patient_status(&self) -> EditStatus {
        self.tumors.iter().map(|f| EditStatus::of(f)).fold(EditStatus::of(&self.patient), Ord::max)
    }

    pub fn tumor_status(&self, index: usize) -> EditStatus {
        self.tumors.get(index).map_or(EditStatus::Clean, |f| EditStatus::of(f))
    }
}

/// What is wrong with a value of an item map.
enum Problem {
    Value(ValueProblem),
    /// Not one of the item's codes (the list is the item's lookup; messages do not repeat it).
    NotInList,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Value(p) => p.fmt(f),
            Self::NotInList => f.write_str("not one of the item's codes"),
        }
    }
}

/// Whether an item id of the given level names a typed or derived field: such an id is in an item
/// map only when the value read could not be stored in that field. Supplied by the caller, which
/// knows the mapping of items to fields.
pub type Kept<'k> = &'k dyn Fn(Level, &str) -> bool;

/// Reviews one patient's records as of `today`.
pub fn review(r: &PatientRecords, rule_set: RuleSet, today: NaiveDate, kept: Kept) -> Review {
    let tumors: Vec<(&str, &Tumor)> = r.tumors.iter().map(|t| (t.id, t.tumor)).collect();
    let contacts: Vec<&Contact> = r.contacts.iter().map(|(_, c)| *c).collect();
    let mut patient = run_patient(
        &PatientInput {
            patient: r.patient,
            tumors: &tumors,
            treatments: &r.treatments,
            contacts: &r.contacts,
            today,
        },
        rule_set,
    );
    patient.extend(item_findings(r.items, Level::Patient, rule_set, kept));
    let tumors = r
        .tumors
        .iter()
        .map(|t| {
            let others: Vec<(&str, &Tumor)> =
                tumors.iter().filter(|(id, _)| *id != t.id).copied().collect();
            let treatments: Vec<&Treatment> = r
                .treatments
                .iter()
                .filter(|(_, tid, _)| *tid == t.id)
                .map(|(_, _, x)| *x)
                .collect();
            let input = EditInput {
                patient: r.patient,
                tumor_id: t.id,
                tumor: t.tumor,
                overrides: &t.tumor.overrides,
                other_tumors: &others,
                treatments: &treatments,
                contacts: &contacts,
                age_at_diagnosis: t.items.get("ageAtDiagnosis").and_then(|a| a.parse().ok()),
                items: t.items,
                today,
            };
            let mut findings = run(&input, rule_set);
            findings.extend(item_findings(t.items, Level::Tumor, rule_set, kept));
            findings
        })
        .collect();
    Review { patient, tumors }
}

/// Values of an item map that are not valid for their item: kept values of typed fields, and
/// values the newest dictionary does not allow (length, data type) or that are not in the item's
/// code list.
fn item_findings(items: &ItemMap, level: Level, rule_set: RuleSet, kept: Kept) -> Vec<Finding> {
    let none = Overrides::none();
    let mut out = Emitter { rule_set, overrides: &none, findings: Vec::new() };
    let dict = Dictionary::newest().ok();
    for (id, value) in items {
        if value.is_empty() {
            continue;
        }
        let def = dict.and_then(|d| d.get(id));
        let kept = kept(level, id);
        let problem = def.and_then(|d| value_problem(d, value)).map(Problem::Value).or_else(|| {
            let list = code_list(id).filter(|_| !kept)?;
            (!list.contains(value)).then_some(Problem::NotInList)
        });
        if !kept && problem.is_none() {
            continue;
        }
        let name = def.map_or_else(|| id.clone(), |d| format!("{} (#{})", d.name, d.number));
        let message = match (kept, problem) {
            (true, Some(p)) => format!(
                "{name}: the value read could not be stored ({p}); it is kept as read until it is \
                 coded again"
            ),
            (true, None) => format!(
                "{name}: the value read is not a valid code or date for this field; it is kept as \
                 read until it is coded again"
            ),
            (false, Some(p)) => format!("{name}: the value is not valid ({p}); correct it"),
            (false, None) => continue,
        };
        out.emit_on(&VALUE_KEPT, &[id.as_str()], message);
    }
    out.findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(severity: Severity, overridden: bool) -> Finding {
        Finding { edit_id: "x", severity, fields: vec![], message: String::new(), overridden }
    }

    #[test]
    fn status_is_the_worst_open_finding() {
        assert_eq!(EditStatus::of(&[]), EditStatus::Clean);
        assert_eq!(EditStatus::of(&[finding(Severity::Review, true)]), EditStatus::Clean);
        assert_eq!(EditStatus::of(&[finding(Severity::Review, false)]), EditStatus::Warnings);
        assert_eq!(
            EditStatus::of(&[finding(Severity::Warning, false), finding(Severity::Error, false)]),
            EditStatus::Errors
        );
        assert_eq!(EditStatus::parse("errors"), Some(EditStatus::Errors));
        assert_eq!(EditStatus::parse("bad"), None);
    }
}
