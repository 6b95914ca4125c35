//! The edits engine at the service edge: run on every write of a patient's records, and on demand.

use std::collections::{HashMap, HashSet};

use super::history::Records;
use super::{Ctx, Result, ServiceError, to_doc};
use crate::db::{DbConn, repo};
use crate::domain::chronology::Focus;
use crate::domain::edits::{self, EditInput, Finding, Severity};
use crate::domain::records::{Contact, Treatment, Tumor};
use crate::dto::EditFindingData;

/// A finding that must be resolved: an error, or a review not accepted with its override flag.
pub fn blocks(f: &Finding) -> bool {
    f.severity == Severity::Error || (f.severity == Severity::Review && !f.overridden)
}

/// Every finding on one of the patient's tumors.
pub(super) fn tumor_findings(loaded: &Records, tumor_id: &str, ctx: &Ctx) -> Vec<Finding> {
    let Some((_, tumor)) = loaded.tumors.iter().find(|(id, _)| id == tumor_id) else {
        return vec![];
    };
    let others: Vec<(&str, &Tumor)> = loaded
        .tumors
        .iter()
        .filter(|(id, _)| id != tumor_id)
        .map(|(id, t)| (id.as_str(), t))
        .collect();
    let treatments: Vec<&Treatment> =
        loaded.treatments.iter().filter(|(_, tid, _)| tid == tumor_id).map(|(_, _, t)| t).collect();
    let contacts: Vec<&Contact> = loaded.contacts.iter().map(|(_, c)| c).collect();
    let input = EditInput {
        patient: &loaded.patient,
        tumor_id,
        tumor,
        overrides: &tumor.overrides,
        other_tumors: &others,
        treatments: &treatments,
        contacts: &contacts,
        age_at_diagnosis: None,
        today: ctx.today,
    };
    edits::run(&input, ctx.rule_set)
}

/// The blocking edits of each tumor before a write, so that a write is refused only for what it
/// brings (records imported with open findings stay editable).
pub(super) type Before = HashMap<String, HashSet<&'static str>>;

pub(super) fn before(loaded: &Records, ctx: &Ctx) -> Before {
    loaded
        .tumors
        .iter()
        .map(|(id, _)| {
            let ids = tumor_findings(loaded, id, ctx)
                .iter()
                .filter(|f| blocks(f))
                .map(|f| f.edit_id)
                .collect();
            (id.clone(), ids)
        })
        .collect()
}

/// Runs the edits after a write. The tumor being written must pass every blocking edit; other
/// tumors must not gain one. Returns the warnings to store with each tumor.
pub(super) fn check_write(
    before: &Before,
    after: &Records,
    focus: &Focus,
    ctx: &Ctx,
) -> Result<Vec<(String, Vec<Finding>)>> {
    let mut failures = Vec::new();
    let mut warnings = Vec::new();
    for (id, _) in &after.tumors {
        let findings = tumor_findings(after, id, ctx);
        let focused = *focus == Focus::Tumor(id.clone());
        let old = before.get(id);
        for f in findings.iter().filter(|f| blocks(f)) {
            if focused || !old.is_some_and(|o| o.contains(f.edit_id)) {
                failures.push((id.clone(), f.clone()));
            }
        }
        warnings.push((
            id.clone(),
            findings.into_iter().filter(|f| f.severity == Severity::Warning).collect(),
        ));
    }
    if failures.is_empty() { Ok(warnings) } else { Err(ServiceError::EditsFailed(failures)) }
}

/// Stores each tumor's warnings beside it.
pub(super) fn store_warnings(conn: &mut DbConn, warnings: &[(String, Vec<Finding>)]) -> Result<()> {
    for (id, list) in warnings {
        let json = if list.is_empty() {
            None
        } else {
            Some(to_doc(&list.iter().map(EditFindingData::from).collect::<Vec<_>>())?)
        };
        repo::set_tumor_warnings(conn, id, json)?;
    }
    Ok(())
}
