//! Multiple primaries as a use-case: the calculator reads two tumors by NAACCR item names, checks
//! each item once, and asks the domain rules.

use super::{Actor, Result, Role, ServiceError};
use crate::domain::codes::{Behavior, Histology, Topography};
use crate::domain::edits::{RuleSet, mp_tumor, rules_for};
use crate::domain::mp::{MpAnswer, MpTumor, Rules, compare_by, primaries};
use crate::domain::records::{Coded, Tumor};
use crate::domain::{PartialDate, Violation};
use crate::model::{
    MpAnswerData, MpCompareRequest, MpComparisonData, MpPlacementData, MpTumorData,
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
            let (tid, c) = &coded[other];
            MpComparisonData {
                tumor_id: (*tid).to_string(),
                site: format!("{} {}", c.site.dotted(), c.site.label()),
                morphology: match c.morphology().label() {
                    Some(l) => format!("{} {l}", c.morphology()),
                    None => c.morphology().to_string(),
                },
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
