//! Multiple primaries as use-cases: the calculator (two tumors by NAACCR item names, each item
//! checked once), where a stored tumor stands among its patient's primaries, and the batch check
//! over the registry.

use super::audit::{self, Action};
use super::{Actor, Result, Role, ServiceError};
use crate::db::{DbConn, repo};
use crate::domain::codes::{Behavior, Histology, Topography};
use crate::domain::edits::{RuleSet, mp_tumor, rules_for};
use crate::domain::mp::{MpAnswer, MpResult, MpTumor, Rules, compare_by, primaries};
use crate::domain::records::{Coded, Tumor};
use crate::domain::{PartialDate, Violation};
use crate::model::{
    MpAnswerData, MpCheckPair, MpCheckReport, MpCheckTumor, MpCompareRequest, MpComparisonData,
    MpPlacementData, MpTumorData,
};

fn tumor(name: &str, data: Option<&MpTumorData>, problems: &mut Vec<Violation>) -> Option<MpTumor> {
    let Some(data) = data else {
        problems.push(Violation {
            field: name.into(),
            rule: "required",
            message: format!("{name} is required"),
        });
        return None;
    };
    let mut missing = |field: &str, v: &Option<String>| -> Option<String> {
        let v = v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(String::from);
        if v.is_none() {
            problems.push(Violation {
                field: format!("{name}.{field}"),
                rule: "required",
                message: format!("{field} is required to apply the rules"),
            });
        }
        v
    };
    let date = missing("dateOfDiagnosis", &data.date_of_diagnosis);
    let site = missing("primarySite", &data.primary_site);
    let histology = missing("histologicTypeIcdO3", &data.histologic_type_icd_o3);
    let behavior = missing("behaviorCodeIcdO3", &data.behavior_code_icd_o3);
    let laterality = missing("laterality", &data.laterality);
    let mut check =
        |field: &str, r: std::result::Result<(), crate::domain::validation::RuleError>| {
            if let Err(e) = r {
                problems.push(Violation {
                    field: format!("{name}.{field}"),
                    rule: e.rule,
                    message: e.message,
                });
            }
        };
    let date = date.and_then(|d| match PartialDate::parse_iso(&d) {
        Ok(d) => Some(d),
        Err(e) => {
            check("dateOfDiagnosis", Err(e));
            None
        }
    });
    if let Some(s) = &site {
        check("primarySite", Topography::parse(s).map(|_| ()));
    }
    if let Some(h) = &histology {
        check("histologicTypeIcdO3", Histology::parse(h).map(|_| ()));
    }
    if let Some(b) = &behavior {
        check("behaviorCodeIcdO3", Behavior::parse(b).map(|_| ()));
    }
    let (date, site, histology, behavior, laterality) =
        (date?, site?, histology?, behavior?, laterality?);
    let parts = (i32::from(date.year()), date.month().map(u32::from), date.day().map(u32::from));
    match MpTumor::parse(parts, &site, &histology, &behavior, &laterality) {
        Ok(t) => Some(t),
        Err(field) => {
            problems.push(Violation {
                field: format!("{name}.{field}"),
                rule: "code.unknown",
                message: format!("{field} is not a code the rules can use"),
            });
            None
        }
    }
}

/// Whether two tumors are one primary or two, with the module, the step and the rule.
/// `rule_set` picks the rules unless the request names them.
pub fn compare_pair(
    actor: &Actor,
    req: &MpCompareRequest,
    rule_set: RuleSet,
) -> Result<MpAnswerData> {
    actor.require(Role::Viewer)?;
    let mut problems = Vec::new();
    let t1 = tumor("tumor1", req.tumor1.as_ref(), &mut problems);
    let t2 = tumor("tumor2", req.tumor2.as_ref(), &mut problems);
    let rules = match req.rules.as_deref() {
        None => Some(rules_for(rule_set)),
        Some(raw) => {
            let r = Rules::parse(raw);
            if r.is_none() {
                problems.push(Violation {
                    field: "rules".into(),
                    rule: "enum",
                    message: "rules is `seer` or `iarc`".into(),
                });
            }
            r
        }
    };
    let (Some(t1), Some(t2), Some(rules)) = (t1, t2, rules) else {
        return Err(ServiceError::Invalid(problems));
    };
    let mut out = answer_data(&compare_by(rules, &t1, &t2));
    out.rules = Some(rules.as_str().to_string());
    Ok(out)
}

/// Where tumor `id` stands among its patient's `tumors` (id, tumor) under the rules of `rule_set`;
/// `None` while its site, histology, behavior or date of diagnosis is not coded.
pub(crate) fn placement(
    tumors: &[(String, Tumor)],
    id: &str,
    rule_set: RuleSet,
) -> Option<MpPlacementData> {
    let coded: Vec<(&str, Coded)> =
        tumors.iter().filter_map(|(tid, t)| t.coded().map(|c| (tid.as_str(), c))).collect();
    let me = coded.iter().position(|(tid, _)| *tid == id)?;
    let rules = rules_for(rule_set);
    let mp: Vec<MpTumor> = coded.iter().map(|(_, c)| mp_tumor(c)).collect();
    let found = primaries(&mp, rules);
    let place = &found.placements[me];
    let comparisons = found
        .pairs
        .iter()
        .filter(|(i, j, _)| *i == me || *j == me)
        .map(|(i, j, a)| {
            let other = if *i == me { *j } else { *i };
            MpComparisonData {
                tumor_id: coded[other].0.to_string(),
                site: site_words(&mp[other]),
                morphology: morphology_words(&mp[other]),
                answer: answer_data(a),
            }
        })
        .collect();
    Some(MpPlacementData {
        rules: rules.as_str().to_string(),
        result: if place.same_as.is_some() { "same primary" } else { "new primary" }.to_string(),
        same_primary_as: place.same_as.as_ref().map(|(o, _)| coded[*o].0.to_string()),
        suggested_sequence_number: format!("{:02}", place.suggested_sequence),
        comparisons,
    })
}

fn answer_data(a: &MpAnswer) -> MpAnswerData {
    MpAnswerData {
        rules: None,
        result: a.result.as_str().to_string(),
        module: a.module.to_string(),
        step: a.step.to_string(),
        reason: a.reason.clone(),
    }
}

/// What the batch check looks at.
#[derive(Clone, Debug)]
pub struct CheckRequest {
    /// Only patients with a tumor of this reporting facility (#540).
    pub facility: Option<String>,
    pub dx_year_from: Option<i32>,
    pub dx_year_to: Option<i32>,
    /// The rules; by default after the registry's edit rule set.
    pub rules: Option<Rules>,
    /// Also list the pairs the rules cannot decide.
    pub questionable: bool,
    /// At most this many pairs listed (the counts cover all).
    pub limit: usize,
}

/// The items the rules read, from a stored tumor document.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredItems {
    date_of_diagnosis: Option<String>,
    primary_site: Option<String>,
    histologic_type_icd_o3: Option<String>,
    behavior_code_icd_o3: Option<String>,
    laterality: Option<String>,
    sequence_number_hospital: Option<String>,
    over_ride_site_lat_seqno: Option<String>,
}

impl StoredItems {
    /// The tumor as the rules read it; `None` while a core item is not coded. An uncoded
    /// laterality reads as unknown (9), as in the edits.
    fn mp(&self) -> Option<MpTumor> {
        let date = PartialDate::parse_iso(self.date_of_diagnosis.as_deref()?).ok()?;
        let parts =
            (i32::from(date.year()), date.month().map(u32::from), date.day().map(u32::from));
        MpTumor::parse(
            parts,
            self.primary_site.as_deref()?,
            self.histologic_type_icd_o3.as_deref()?,
            self.behavior_code_icd_o3.as_deref()?,
            self.laterality.as_deref().unwrap_or("9"),
        )
        .ok()
    }
}

fn site_words(t: &MpTumor) -> String {
    match Topography::parse(&t.site_code()) {
        Ok(s) => format!("{} {}", s.dotted(), s.label()),
        Err(_) => t.site_code(),
    }
}

fn morphology_words(t: &MpTumor) -> String {
    let code = t.morphology();
    match (Histology::parse(&t.histology.to_string()), Behavior::parse(&t.behavior.to_string())) {
        (Ok(h), Ok(b)) => match crate::domain::codes::Morphology::new(h, b).label() {
            Some(l) => format!("{code} {l}"),
            None => code,
        },
        _ => code,
    }
}

/// Patients read per query: bounded memory over a registry of any size.
const CHECK_CHUNK: usize = 2_000;

/// The batch check: every pair of tumors of one patient (at least one of them in the filter)
/// compared, the pairs the rules call one primary and those they cannot decide listed for review.
pub fn check(
    conn: &mut DbConn,
    actor: &Actor,
    req: &CheckRequest,
    rule_set: RuleSet,
) -> Result<MpCheckReport> {
    actor.require(Role::Viewer)?;
    let rules = req.rules.unwrap_or(rules_for(rule_set));
    let in_filter = |d: &repo::TumorDoc| {
        req.facility.as_ref().is_none_or(|f| d.reporting_facility.as_ref() == Some(f))
            && req.dx_year_from.is_none_or(|y| d.diagnosis_year.is_some_and(|x| x >= y))
            && req.dx_year_to.is_none_or(|y| d.diagnosis_year.is_some_and(|x| x <= y))
    };
    super::read(conn, actor, |c| {
        let mut report = MpCheckReport { rules: rules.as_str().to_string(), ..Default::default() };
        let (mut same, mut questionable) = (Vec::new(), Vec::new());
        let ids = repo::patients_with_several_tumors(c)?;
        for chunk in ids.chunks(CHECK_CHUNK) {
            let mut docs = repo::tumor_docs_of_patients(c, chunk)?;
            docs.sort_by(|a, b| a.patient_id.cmp(&b.patient_id).then(a.id.cmp(&b.id)));
            for patient in docs.chunk_by(|a, b| a.patient_id == b.patient_id) {
                if !patient.iter().any(in_filter) {
                    continue;
                }
                report.patients_checked += 1;
                let mut tumors = Vec::with_capacity(patient.len());
                for d in patient {
                    let items: StoredItems = super::parse_doc(&d.data)?;
                    match items.mp() {
                        Some(t) => tumors.push((d, items, t)),
                        None => report.tumors_not_coded += 1,
                    }
                }
                report.tumors_checked += tumors.len() as u64;
                let mp: Vec<MpTumor> = tumors.iter().map(|(_, _, t)| *t).collect();
                for (i, j, a) in primaries(&mp, rules).pairs {
                    report.pairs_compared += 1;
                    let (list, count) = match a.result {
                        MpResult::Single => (&mut same, &mut report.same_primary),
                        MpResult::Questionable => (&mut questionable, &mut report.questionable),
                        _ => continue,
                    };
                    if !(in_filter(tumors[i].0) || in_filter(tumors[j].0)) {
                        continue;
                    }
                    *count += 1;
                    if list.len() >= req.limit
                        || (a.result == MpResult::Questionable && !req.questionable)
                    {
                        continue;
                    }
                    let (first, second) =
                        if mp[i].diagnosed_before(&mp[j]) { (i, j) } else { (j, i) };
                    let listed = |k: usize| {
                        let (d, items, t) = &tumors[k];
                        MpCheckTumor {
                            id: d.id.clone(),
                            site: site_words(t),
                            morphology: morphology_words(t),
                            diagnosis_year: d.diagnosis_year,
                            sequence_number_hospital: items.sequence_number_hospital.clone(),
                        }
                    };
                    let reviewed = [i, j]
                        .iter()
                        .any(|&k| tumors[k].1.over_ride_site_lat_seqno.as_deref() == Some("1"));
                    list.push(MpCheckPair {
                        patient_id: patient[0].patient_id.clone(),
                        patient_id_number: String::new(),
                        patient_name: String::new(),
                        tumor1: listed(first),
                        tumor2: listed(second),
                        reviewed,
                        answer: answer_data(&a),
                    });
                }
            }
        }
        let shown = report.same_primary + if req.questionable { report.questionable } else { 0 };
        report.pairs = same.into_iter().chain(questionable).take(req.limit).collect();
        report.truncated = (report.pairs.len() as u64) < shown;
        name_patients(c, actor, &mut report.pairs)?;
        let listed: Vec<&str> = report
            .pairs
            .iter()
            .flat_map(|p| [p.tumor1.id.as_str(), p.tumor2.id.as_str()])
            .collect();
        if !listed.is_empty() {
            audit::record(c, actor, Action::Read, "tumor", &listed)?;
        }
        Ok(report)
    })
}

/// Fills in each listed pair's patient name and number (a read of those patients, audited).
fn name_patients(c: &mut DbConn, actor: &Actor, pairs: &mut [MpCheckPair]) -> Result<()> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Name {
        name_last: Option<String>,
        name_first: Option<String>,
    }
    let mut ids: Vec<&str> = pairs.iter().map(|p| p.patient_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut names = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        for row in crate::db::bulk::patients_by_id(c, chunk)? {
            let n: Name = super::parse_doc(&row.data)?;
            let name = match (n.name_last, n.name_first) {
                (Some(l), Some(f)) => format!("{l}, {f}"),
                (Some(l), None) => l,
                (None, Some(f)) => f,
                (None, None) => "(no name)".to_string(),
            };
            names.insert(row.id, (row.patient_id_number, name));
        }
    }
    if !ids.is_empty() {
        audit::record(c, actor, Action::Read, "patient", &ids)?;
    }
    for p in pairs.iter_mut() {
        if let Some((number, name)) = names.get(&p.patient_id) {
            p.patient_id_number.clone_from(number);
            p.patient_name.clone_from(name);
        }
    }
    Ok(())
}
