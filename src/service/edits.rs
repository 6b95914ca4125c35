//! The edits engine at the service edge: every write of a patient's records reviews them all and
//! stores the findings and edit status beside each record. Nothing here refuses a write.

use super::history::Records;
use super::{Ctx, Result, to_doc};
use crate::db::{DbConn, repo};
use crate::domain::edits::{self, EditStatus, Finding, Review, Severity};
use crate::domain::naaccr::Level;
use crate::formats::mapping;
use crate::model::StoredFinding;

/// A finding that must be resolved: an error, or a review not accepted with its override flag.
pub fn blocks(f: &Finding) -> bool {
    f.severity == Severity::Error || (f.severity == Severity::Review && !f.overridden)
}

/// Whether an item id names a typed or derived field: in an item map, such an id holds a value
/// kept as read because its field could not hold it.
pub(crate) fn kept(level: Level, id: &str) -> bool {
    mapping::holds_field(level, id)
}

/// Reviews one patient's records as of the context's day, under its rule set.
pub(super) fn review(records: &Records, ctx: &Ctx) -> Review {
    edits::review(&records.for_review(), ctx.rule_set, ctx.today, &kept)
}

/// Every finding on one of the patient's tumors.
pub(super) fn tumor_findings(records: &Records, tumor_id: &str, ctx: &Ctx) -> Vec<Finding> {
    let Some(i) = records.tumors.iter().position(|(id, _)| id == tumor_id) else {
        return vec![];
    };
    review(records, ctx).tumors.swap_remove(i)
}

/// Findings as stored: a JSON list, `None` when there are none.
pub(crate) fn findings_doc(findings: &[Finding]) -> Result<Option<String>> {
    if findings.is_empty() {
        Ok(None)
    } else {
        Ok(Some(to_doc(&findings.iter().map(StoredFinding::from).collect::<Vec<_>>())?))
    }
}

/// Reviews the patient's records and stores the findings and status of the patient and of every
/// tumor.
pub(super) fn store_review(
    conn: &mut DbConn,
    patient_id: &str,
    records: &Records,
    ctx: &Ctx,
) -> Result<()> {
    let review = review(records, ctx);
    for ((id, _), findings) in records.tumors.iter().zip(&review.tumors) {
        repo::set_tumor_findings(
            conn,
            id,
            findings_doc(findings)?,
            EditStatus::of(findings).as_str(),
        )?;
    }
    repo::set_patient_findings(
        conn,
        patient_id,
        findings_doc(&review.patient)?,
        review.patient_status().as_str(),
    )?;
    Ok(())
}
