//! Multiple primaries as a use-case: the calculator reads two tumors by NAACCR item names, checks
//! each item once, and asks the domain rules.

use super::{Actor, Result, Role, ServiceError};
use crate::domain::codes::{Behavior, Histology, Topography};
use crate::domain::mp::{MpTumor, compare};
use crate::domain::{PartialDate, Violation};
use crate::model::{MpAnswerData, MpCompareRequest, MpTumorData};

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
pub fn compare_pair(actor: &Actor, req: &MpCompareRequest) -> Result<MpAnswerData> {
    actor.require(Role::Viewer)?;
    let mut problems = Vec::new();
    let t1 = tumor("tumor1", req.tumor1.as_ref(), &mut problems);
    let t2 = tumor("tumor2", req.tumor2.as_ref(), &mut problems);
    let (Some(t1), Some(t2)) = (t1, t2) else { return Err(ServiceError::Invalid(problems)) };
    let a = compare(&t1, &t2);
    Ok(MpAnswerData {
        result: a.result.as_str().to_string(),
        module: a.module.to_string(),
        step: a.step.to_string(),
        reason: a.reason,
    })
}
