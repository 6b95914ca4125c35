//! Edits over the whole registry (or a facility or diagnosis years) in one batch, with a stored report.

use std::collections::{BTreeMap, HashMap};

use super::audit::{self, Action};
use super::edits::{blocks, tumor_findings};
use super::history::Loaded;
use super::{Actor, Ctx, PageRequest, Result, Role, ServiceError, parse_doc, to_doc, utc};
use crate::db::rows::{ContactRow, EditRunFailureRow, EditRunRow, TreatmentRow, TumorRow};
use crate::db::{DbConn, new_id, now, repo};
use crate::domain::Violation;
use crate::domain::edits::{self, Severity};
use crate::dto::{
    EditCount, EditDefData, EditFindingData, EditRunData, EditRunFailure, EditRunRequest, Page,
    TumorEdits, parse_rule_set, rule_set_name,
};

/// Patients loaded per round trip: four queries per chunk.
const CHUNK: i64 = 1000;

pub fn catalogue() -> Vec<EditDefData> {
    edits::catalogue().iter().map(EditDefData::from).collect()
}

/// The current findings on one tumor, overridden reviews included (marked).
pub fn tumor_edits(
    conn: &mut DbConn,
    actor: &Actor,
    tumor_id: &str,
    ctx: Ctx,
) -> Result<TumorEdits> {
    actor.require(Role::Viewer)?;
    crate::db::transaction(conn, |c| {
        let tumor = repo::get_tumor(c, tumor_id)?.ok_or(ServiceError::NotFound("tumor"))?;
        let loaded = Loaded::load(c, &tumor.patient_id)?;
        audit::record(c, actor, Action::Read, "tumor", &[tumor_id])?;
        let findings = tumor_findings(&loaded, tumor_id, &ctx);
        Ok(TumorEdits {
            tumor_id: tumor_id.to_string(),
            rule_set: rule_set_name(ctx.rule_set),
            findings: findings.iter().map(EditFindingData::from).collect(),
        })
    })
}

fn validate(req: &EditRunRequest, ctx: Ctx) -> Result<Ctx> {
    let mut errors = Vec::new();
    let mut rule_set = ctx.rule_set;
    if let Some(r) = &req.rule_set {
        match parse_rule_set(r) {
            Some(set) => rule_set = set,
            None => errors.push(Violation {
                field: "ruleSet".into(),
                rule: "code.unknown",
                message: "ruleSet is naaccr, iarc or both".into(),
            }),
        }
    }
    for (field, year) in [("dxYearFrom", req.dx_year_from), ("dxYearTo", req.dx_year_to)] {
        if year.is_some_and(|y| !(1800..=2099).contains(&y)) {
            errors.push(Violation {
                field: field.into(),
                rule: "range",
                message: "a year between 1800 and 2099".into(),
            });
        }
    }
    if req.facility.as_ref().is_some_and(|f| f.chars().count() > 10) {
        errors.push(Violation {
            field: "facility".into(),
            rule: "text.tooLong",
            message: "at most 10 characters".into(),
        });
    }
    if errors.is_empty() { Ok(Ctx { rule_set, ..ctx }) } else { Err(ServiceError::Invalid(errors)) }
}

fn selected(req: &EditRunRequest, t: &TumorRow) -> bool {
    req.facility.as_ref().is_none_or(|f| t.reporting_facility.as_ref() == Some(f))
        && req.dx_year_from.is_none_or(|y| t.diagnosis_year >= y)
        && req.dx_year_to.is_none_or(|y| t.diagnosis_year <= y)
}

fn group<T>(rows: Vec<T>, key: impl Fn(&T) -> String) -> HashMap<String, Vec<T>> {
    let mut map: HashMap<String, Vec<T>> = HashMap::new();
    for r in rows {
        map.entry(key(&r)).or_default().push(r);
    }
    map
}

/// One patient's stored records and the tumors to check among them.
struct Work {
    patient: crate::db::rows::PatientRow,
    tumors: Vec<TumorRow>,
    treatments: Vec<TreatmentRow>,
    contacts: Vec<ContactRow>,
    wanted: Vec<String>,
}

#[derive(Default)]
struct Partial {
    checked: i64,
    counts: BTreeMap<(&'static str, Severity), i64>,
    failures: Vec<EditRunFailureRow>,
}

fn check(work: Vec<Work>, ctx: &Ctx, run_id: &str) -> Result<Partial> {
    let mut out = Partial::default();
    for w in work {
        let patient_id = w.patient.id.clone();
        let Some(loaded) = Loaded::from_rows(w.patient, &w.tumors, &w.treatments, &w.contacts)?
        else {
            continue;
        };
        for tumor_id in w.wanted {
            out.checked += 1;
            let findings = tumor_findings(&loaded, &tumor_id, ctx);
            for f in findings.iter().filter(|f| !f.overridden) {
                *out.counts.entry((f.edit_id, f.severity)).or_default() += 1;
            }
            if findings.iter().any(blocks) {
                let data: Vec<EditFindingData> =
                    findings.iter().map(EditFindingData::from).collect();
                out.failures.push(EditRunFailureRow {
                    run_id: run_id.to_string(),
                    tumor_id,
                    patient_id: patient_id.clone(),
                    findings: to_doc(&data)?,
                });
            }
        }
    }
    Ok(out)
}

/// Runs the edits on every selected tumor, storing the counts and the failing tumors.
pub fn run(
    conn: &mut DbConn,
    actor: &Actor,
    req: &EditRunRequest,
    ctx: Ctx,
) -> Result<EditRunData> {
    actor.require(Role::Registrar)?;
    let ctx = validate(req, ctx)?;
    let mut run = EditRunRow {
        id: new_id(),
        started_at: now(),
        finished_at: now(),
        actor_name: actor.name.clone(),
        rule_set: rule_set_name(ctx.rule_set),
        filters: to_doc(req)?,
        tumors_checked: 0,
        tumors_failing: 0,
        counts: "[]".into(),
    };
    crate::db::transaction(conn, |c| {
        repo::insert_edit_run(c, &run)?;
        audit::record(c, actor, Action::Read, "edit_run", &[&run.id])
    })?;
    let mut counts: BTreeMap<(&'static str, Severity), i64> = BTreeMap::new();
    let mut after: Option<String> = None;
    loop {
        let patients = repo::patients_page(conn, after.as_deref(), CHUNK)?;
        let Some(last) = patients.last() else { break };
        after = Some(last.id.clone());
        let ids: Vec<String> = patients.iter().map(|p| p.id.clone()).collect();
        let tumor_rows = repo::tumors_of_patients(conn, &ids)?;
        if !tumor_rows.iter().any(|t| selected(req, t)) {
            continue;
        }
        let patient_of: HashMap<String, String> =
            tumor_rows.iter().map(|t| (t.id.clone(), t.patient_id.clone())).collect();
        let mut tumors = group(tumor_rows, |t| t.patient_id.clone());
        let mut treatments: HashMap<String, Vec<TreatmentRow>> =
            group(repo::treatments_of_patients(conn, &ids)?, |t| {
                patient_of.get(&t.tumor_id).cloned().unwrap_or_default()
            });
        let mut contacts: HashMap<String, Vec<ContactRow>> =
            group(repo::contacts_of_patients(conn, &ids)?, |c| c.patient_id.clone());
        let mut work = Vec::new();
        for p in patients {
            let Some(ts) = tumors.remove(&p.id) else { continue };
            let wanted: Vec<String> =
                ts.iter().filter(|t| selected(req, t)).map(|t| t.id.clone()).collect();
            if wanted.is_empty() {
                continue;
            }
            let rx = treatments.remove(&p.id).unwrap_or_default();
            let cs = contacts.remove(&p.id).unwrap_or_default();
            work.push(Work { patient: p, tumors: ts, treatments: rx, contacts: cs, wanted });
        }
        // Parsing and the edits are CPU work: split the chunk over the cores.
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
        let per = work.len().div_ceil(threads).max(1);
        let mut parts = Vec::new();
        while !work.is_empty() {
            let rest = work.split_off(per.min(work.len()));
            parts.push(std::mem::replace(&mut work, rest));
        }
        let partials = std::thread::scope(|scope| {
            let handles: Vec<_> =
                parts.into_iter().map(|part| scope.spawn(|| check(part, &ctx, &run.id))).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(ServiceError::Worker)))
                .collect::<Vec<_>>()
        });
        let mut failures = Vec::new();
        for partial in partials {
            let partial = partial?;
            run.tumors_checked += partial.checked;
            run.tumors_failing += partial.failures.len() as i64;
            for (k, v) in partial.counts {
                *counts.entry(k).or_default() += v;
            }
            failures.extend(partial.failures);
        }
        if !failures.is_empty() {
            crate::db::transaction(conn, |c| {
                repo::insert_edit_run_failures(c, &failures).map_err(ServiceError::from)
            })?;
        }
    }
    let counts: Vec<EditCount> = counts
        .into_iter()
        .map(|((id, severity), count)| EditCount {
            edit_id: id.to_string(),
            severity: EditFindingData::severity_name(severity),
            count,
        })
        .collect();
    run.counts = to_doc(&counts)?;
    run.finished_at = now();
    crate::db::transaction(conn, |c| repo::finish_edit_run(c, &run).map_err(ServiceError::from))?;
    data(&run)
}

fn data(row: &EditRunRow) -> Result<EditRunData> {
    Ok(EditRunData {
        id: row.id.clone(),
        started_at: utc(row.started_at),
        finished_at: utc(row.finished_at),
        rule_set: row.rule_set.clone(),
        filters: parse_doc(&row.filters)?,
        tumors_checked: row.tumors_checked,
        tumors_failing: row.tumors_failing,
        counts: parse_doc(&row.counts)?,
    })
}

pub fn get(conn: &mut DbConn, actor: &Actor, id: &str) -> Result<EditRunData> {
    actor.require(Role::Viewer)?;
    data(&repo::get_edit_run(conn, id)?.ok_or(ServiceError::NotFound("edit run"))?)
}

pub fn failures(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    page: &PageRequest,
) -> Result<Page<EditRunFailure>> {
    actor.require(Role::Viewer)?;
    let after = page.after()?;
    repo::get_edit_run(conn, id)?.ok_or(ServiceError::NotFound("edit run"))?;
    let rows = repo::list_edit_run_failures(conn, id, after.as_deref(), page.limit() + 1)?;
    let (rows, next_cursor) = page.page(rows, |r| &r.tumor_id);
    let items = rows
        .into_iter()
        .map(|r| {
            Ok(EditRunFailure {
                tumor_id: r.tumor_id,
                patient_id: r.patient_id,
                findings: parse_doc(&r.findings)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Page { items, next_cursor })
}
