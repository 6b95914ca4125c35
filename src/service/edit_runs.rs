//! Edits over the whole registry (or a facility or diagnosis years) in one batch, with a stored report.

use std::collections::{BTreeMap, HashMap};

use super::audit::{self, Action};
use super::edits::{blocks, review, tumor_findings};
use super::history::{Loaded, Records, item_map};
use super::{Actor, Ctx, PageRequest, Result, Role, ServiceError, parse_doc, to_doc, utc};
use crate::db::repo::TumorDoc;
use crate::db::rows::{EditRunFailureRow, EditRunRow};
use crate::db::{DbConn, new_id, now, repo};
use crate::domain::Violation;
use crate::domain::edits::{self, Severity};
use crate::model::{
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
    super::read(conn, actor, |c| {
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

fn selected(req: &EditRunRequest, t: &TumorDoc) -> bool {
    req.facility.as_ref().is_none_or(|f| t.reporting_facility.as_ref() == Some(f))
        && req.dx_year_from.is_none_or(|y| t.diagnosis_year.is_some_and(|d| d >= y))
        && req.dx_year_to.is_none_or(|y| t.diagnosis_year.is_some_and(|d| d <= y))
}

/// One patient's stored documents and the tumors to check among them.
struct Work {
    patient_id: String,
    patient: String,
    patient_items: Option<String>,
    tumors: Vec<TumorDoc>,
    /// (id, tumor id, document)
    treatments: Vec<(String, String, String)>,
    /// (id, document)
    contacts: Vec<(String, String)>,
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
        let Some(mut records) = Records::from_docs(
            &w.patient,
            w.tumors.iter().map(|t| (t.id.as_str(), t.data.as_str())),
            w.treatments.iter().map(|(id, tid, d)| (id.as_str(), tid.as_str(), d.as_str())),
            w.contacts.iter().map(|(id, d)| (id.as_str(), d.as_str())),
        )?
        else {
            continue;
        };
        records.patient_items = item_map(w.patient_items.as_deref())?;
        for t in &w.tumors {
            if t.items.is_some() {
                records.tumor_items.insert(t.id.clone(), item_map(t.items.as_deref())?);
            }
        }
        let review = review(&records, ctx);
        for (tumor_id, findings) in records.tumors.iter().map(|(id, _)| id).zip(review.tumors) {
            if !w.wanted.contains(tumor_id) {
                continue;
            }
            let tumor_id = tumor_id.clone();
            out.checked += 1;
            for f in findings.iter().filter(|f| !f.overridden) {
                *out.counts.entry((f.edit_id, f.severity)).or_default() += 1;
            }
            if findings.iter().any(blocks) {
                let data: Vec<EditFindingData> =
                    findings.iter().map(EditFindingData::from).collect();
                out.failures.push(EditRunFailureRow {
                    run_id: run_id.to_string(),
                    tumor_id,
                    patient_id: w.patient_id.clone(),
                    findings: to_doc(&data)?,
                });
            }
        }
    }
    Ok(out)
}

/// Reads the next chunk of patients after `after` with the tumors `req` selects; `None` at the end.
fn read_chunk(
    conn: &mut DbConn,
    req: &EditRunRequest,
    after: &mut Option<String>,
) -> Result<Option<Vec<Work>>> {
    let patients = repo::patient_docs_page(conn, after.as_deref(), CHUNK)?;
    let Some((last, _, _)) = patients.last() else { return Ok(None) };
    *after = Some(last.clone());
    let ids: Vec<String> = patients.iter().map(|(id, _, _)| id.clone()).collect();
    let tumor_rows = repo::tumor_docs_of_patients(conn, &ids)?;
    if !tumor_rows.iter().any(|t| selected(req, t)) {
        return Ok(Some(Vec::new()));
    }
    let mut tumors: HashMap<String, Vec<TumorDoc>> = HashMap::new();
    for t in tumor_rows {
        tumors.entry(t.patient_id.clone()).or_default().push(t);
    }
    let mut treatments: HashMap<String, Vec<(String, String, String)>> = HashMap::new();
    for (id, tid, pid, data) in repo::treatment_docs_of_patients(conn, &ids)? {
        treatments.entry(pid).or_default().push((id, tid, data));
    }
    let mut contacts: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for (id, pid, data) in repo::contact_docs_of_patients(conn, &ids)? {
        contacts.entry(pid).or_default().push((id, data));
    }
    let mut work = Vec::new();
    for (patient_id, patient, patient_items) in patients {
        let Some(ts) = tumors.remove(&patient_id) else { continue };
        let wanted: Vec<String> =
            ts.iter().filter(|t| selected(req, t)).map(|t| t.id.clone()).collect();
        if wanted.is_empty() {
            continue;
        }
        let treatments = treatments.remove(&patient_id).unwrap_or_default();
        let contacts = contacts.remove(&patient_id).unwrap_or_default();
        work.push(Work {
            patient_id,
            patient,
            patient_items,
            tumors: ts,
            treatments,
            contacts,
            wanted,
        });
    }
    Ok(Some(work))
}

/// Runs the edits on every selected tumor, storing the counts and the failing tumors.
///
/// A pipeline: this thread reads chunks of patients and stores failures while worker threads parse
/// the documents and run the edits, so reading and checking overlap.
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
    let threads = super::worker_count();
    let run_id = run.id.clone();
    let mut merge = |run: &mut EditRunRow, conn: &mut DbConn, partial: Result<Partial>| {
        let partial = partial?;
        run.tumors_checked += partial.checked;
        run.tumors_failing += partial.failures.len() as i64;
        for (k, v) in partial.counts {
            *counts.entry(k).or_default() += v;
        }
        if !partial.failures.is_empty() {
            crate::db::transaction(conn, |c| {
                repo::insert_edit_run_failures(c, &partial.failures).map_err(ServiceError::from)
            })?;
        }
        Ok::<_, ServiceError>(())
    };
    // Small queues keep at most a few chunks in memory whatever the registry size.
    let (work_tx, work_rx) = std::sync::mpsc::sync_channel::<Vec<Work>>(threads);
    let work_rx = std::sync::Mutex::new(work_rx);
    // Results are bounded by the chunks in flight; an unbounded queue cannot block a worker.
    let (done_tx, done_rx) = std::sync::mpsc::channel::<Result<Partial>>();
    std::thread::scope(|scope| {
        let (ctx, run_id, done) = (&ctx, &run_id, done_tx.clone());
        super::spawn_workers(scope, threads, &work_rx, move |work| {
            done.send(check(work, ctx, run_id)).is_ok()
        });
        drop(done_tx);
        let mut after: Option<String> = None;
        let read = loop {
            match read_chunk(conn, req, &mut after) {
                Ok(Some(work)) if work.is_empty() => continue,
                Ok(Some(work)) => {
                    if work_tx.send(work).is_err() {
                        break Err(ServiceError::Worker);
                    }
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
            while let Ok(partial) = done_rx.try_recv() {
                merge(&mut run, conn, partial)?;
            }
        };
        drop(work_tx);
        read?;
        for partial in done_rx {
            merge(&mut run, conn, partial)?;
        }
        Ok::<_, ServiceError>(())
    })?;
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
    let tumors: Vec<&str> = rows.iter().map(|r| r.tumor_id.as_str()).collect();
    audit::record(conn, actor, Action::Read, "tumor", &tumors)?;
    let patients: Vec<&str> = rows.iter().map(|r| r.patient_id.as_str()).collect();
    audit::record(conn, actor, Action::Read, "patient", &patients)?;
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
