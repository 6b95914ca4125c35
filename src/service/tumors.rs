//! Abstract, read, correct and list tumors.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::audit::{self, Action};
use super::changes::{self, Subject};
use super::edits;
use super::history::Loaded;
use super::items;
use super::{
    Actor, Ctx, PageRequest, RecordFilter, Result, Role, ServiceError, check_version, stamped_doc,
    to_doc,
};
use crate::db::rows::{TombstoneRow, TumorRow};

use crate::db::{DbConn, new_id, now, repo};
use crate::domain::PartialDate;
use crate::domain::chronology::Focus;
use crate::domain::edits::{EditStatus, RuleSet};
use crate::domain::naaccr::Level;
use crate::domain::records::ItemMap;
use crate::domain::records::Tumor;
use crate::formats::mapping;
use crate::model::{Page, TumorData};

/// A new version-1 row for `tumor`, with its filter columns and stored document.
pub(crate) fn new_row(
    id: String,
    patient_id: &str,
    tumor: &Tumor,
    at: NaiveDateTime,
    created_by: &str,
) -> Result<TumorRow> {
    let mut row = TumorRow {
        id,
        patient_id: patient_id.to_string(),
        version: 1,
        primary_site: None,
        histology: None,
        behavior: None,
        diagnosis_year: None,
        class_of_case: None,
        reporting_facility: None,
        data: String::new(),
        findings: None,
        edit_status: EditStatus::Clean.as_str().to_string(),
        created_at: at.into(),
        updated_at: at.into(),
        items: None,
        created_by: created_by.to_owned(),
    };
    row_fields(tumor, &mut row)?;
    Ok(row)
}

/// Fills the columns the lists filter on, and the stored document.
pub(crate) fn row_fields(t: &Tumor, row: &mut TumorRow) -> Result<()> {
    row.primary_site = t.primary_site.map(|x| x.to_string());
    row.histology = t.histology.map(|x| x.to_string());
    row.behavior = t.behavior.map(|x| x.to_string());
    row.diagnosis_year = t.dx_year().map(i32::from);
    row.class_of_case = t.class_of_case.map(|x| x.to_string());
    row.reporting_facility = t.reporting_facility.clone();
    row.data = to_doc(&TumorData::from_domain(t))?;
    Ok(())
}

/// The cancer status each tumor had at the latest contact that reported on it.
fn latest_statuses(conn: &mut DbConn, ids: &[&str]) -> Result<HashMap<String, String>> {
    let mut best: HashMap<String, (chrono::NaiveDate, String)> = HashMap::new();
    for (tumor_id, date, status) in repo::cancer_statuses(conn, ids)? {
        let Ok(d) = PartialDate::parse_iso(&date) else {
            continue;
        };
        let key = d.latest();
        match best.get(&tumor_id) {
            Some((k, _)) if *k >= key => {}
            _ => {
                best.insert(tumor_id, (key, status));
            }
        }
    }
    Ok(best.into_iter().map(|(k, (_, s))| (k, s)).collect())
}

fn outs(conn: &mut DbConn, rows: &[TumorRow]) -> Result<Vec<TumorData>> {
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let statuses = latest_statuses(conn, &ids)?;
    rows.iter()
        .map(|row| {
            let mut doc: TumorData =
                stamped_doc(&row.data, &row.id, row.version, row.created_at.0, row.updated_at.0)?;
            doc.patient_id = Some(row.patient_id.clone());
            doc.cancer_status = statuses.get(&row.id).cloned();
            doc.items = Some(super::history::item_map(row.items.as_deref())?);
            doc.findings = Some(match &row.findings {
                Some(f) => super::parse_doc(f)?,
                None => vec![],
            });
            doc.edit_status = Some(row.edit_status.clone());
            Ok(doc)
        })
        .collect()
}

/// Reads the tumor back as stored (with the findings the write just stored), with what the
/// multiple-primary rules say about it among the patient's `tumors`.
fn one(
    conn: &mut DbConn,
    row: &TumorRow,
    tumors: &[(String, Tumor)],
    rule_set: RuleSet,
) -> Result<TumorData> {
    let stored = repo::get_tumor(conn, &row.id)?.ok_or(ServiceError::NotFound("tumor"))?;
    let mut doc =
        outs(conn, std::slice::from_ref(&stored))?.pop().ok_or(ServiceError::NotFound("tumor"))?;
    doc.multiple_primaries = super::mp::placement(tumors, &row.id, rule_set);
    Ok(doc)
}

/// A patient's tumors as domain values; a stored document that no longer validates is left out.
fn patient_tumors(conn: &mut DbConn, patient_id: &str) -> Result<Vec<(String, Tumor)>> {
    let mut out = Vec::new();
    for row in repo::tumors_of_patient(conn, patient_id)? {
        let doc: TumorData = super::parse_doc(&row.data)?;
        if let Ok(t) = doc.to_domain() {
            out.push((row.id, t));
        }
    }
    Ok(out)
}

pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    patient_id: &str,
    data: &TumorData,
    ctx: Ctx,
) -> Result<TumorData> {
    actor.require(Role::Registrar)?;
    let tumor = data.to_domain().map_err(ServiceError::Invalid)?;
    let items = items::for_write(Level::Tumor, data.items.as_ref(), &ItemMap::new(), |_| false)?;
    crate::db::transaction(conn, |c| {
        let mut loaded = Loaded::load(c, patient_id)?;
        let at = now();
        let mut row = new_row(new_id(), patient_id, &tumor, at, &actor.name)?;
        row.items = items::doc(&items)?;
        loaded.tumor_items.insert(row.id.clone(), items);
        loaded.tumors.push((row.id.clone(), tumor));
        let focus = Focus::Tumor(row.id.clone());
        loaded.refuse_future(&focus, ctx.today)?;
        repo::insert_tumor(c, &row)?;
        edits::store_review(c, &loaded.row.id, &loaded, &ctx)?;
        loaded.store_follow_up_state(c)?;
        audit::record(c, actor, Action::Create, "tumor", &[&row.id])?;
        one(c, &row, &loaded.tumors, ctx.rule_set)
    })
}

/// Reads one tumor, with what the multiple-primary rules of `rule_set` say about it.
pub fn get(conn: &mut DbConn, actor: &Actor, id: &str, rule_set: RuleSet) -> Result<TumorData> {
    actor.require(Role::Viewer)?;
    super::read(conn, actor, |c| {
        let row = repo::get_tumor(c, id)?.ok_or(ServiceError::NotFound("tumor"))?;
        audit::record(c, actor, Action::Read, "tumor", &[id])?;
        let tumors = patient_tumors(c, &row.patient_id)?;
        one(c, &row, &tumors, rule_set)
    })
}

pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    expected_version: i32,
    data: &TumorData,
    ctx: Ctx,
) -> Result<TumorData> {
    actor.require(Role::Registrar)?;
    let tumor = data.to_domain().map_err(ServiceError::Invalid)?;
    crate::db::transaction(conn, |c| {
        let current = repo::get_tumor(c, id)?.ok_or(ServiceError::NotFound("tumor"))?;
        check_version(current.version, expected_version)?;
        let mut loaded = Loaded::load(c, &current.patient_id)?;
        let before = changes::fields(&current.data, current.items.as_deref())?;
        let stored = super::history::item_map(current.items.as_deref())?;
        let typed = TumorData::from_domain(&tumor);
        let items = items::for_write(Level::Tumor, data.items.as_ref(), &stored, |id| {
            mapping::tumor_field(id).is_some_and(|f| (f.get)(&typed).is_some())
        })?;
        let mut row =
            TumorRow { version: expected_version + 1, updated_at: now().into(), ..current };
        row_fields(&tumor, &mut row)?;
        row.items = items::doc(&items)?;
        loaded.tumor_items.insert(id.to_string(), items);
        match loaded.tumors.iter_mut().find(|(tid, _)| tid == id) {
            Some(slot) => slot.1 = tumor,
            None => loaded.tumors.push((id.to_string(), tumor)),
        }
        let focus = Focus::Tumor(id.to_string());
        loaded.refuse_future(&focus, ctx.today)?;
        if !repo::update_tumor(c, &row, expected_version)? {
            return Err(ServiceError::VersionMismatch { current: expected_version + 1 });
        }
        edits::store_review(c, &loaded.row.id, &loaded, &ctx)?;
        loaded.store_follow_up_state(c)?;
        let after = changes::fields(&row.data, row.items.as_deref())?;
        let subject =
            Subject { entity: "tumor", id, patient_id: &row.patient_id, version: row.version };
        changes::record(c, actor, subject, Action::Update, Some(&before), Some(&after))?;
        audit::record(c, actor, Action::Update, "tumor", &[id])?;
        one(c, &row, &loaded.tumors, ctx.rule_set)
    })
}

/// Corrects some fields (an RFC 7396 merge patch over the stored tumor and its items): what the
/// patch leaves out stays as it is.
pub fn patch(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    expected_version: i32,
    patch: &serde_json::Value,
    ctx: Ctx,
) -> Result<TumorData> {
    actor.require(Role::Registrar)?;
    let current = repo::get_tumor(conn, id)?.ok_or(ServiceError::NotFound("tumor"))?;
    check_version(current.version, expected_version)?;
    let data: TumorData = super::merge_patch(&current.data, current.items.as_deref(), patch)?;
    update(conn, actor, id, expected_version, &data, ctx)
}

/// Deletes a tumor with its treatments and the cancer statuses contacts reported for it. Each
/// record's last values stay in its history; a tombstone tells the next submission batch.
pub fn delete(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    expected_version: i32,
    ctx: Ctx,
) -> Result<()> {
    actor.require(Role::Registrar)?;
    crate::db::transaction(conn, |c| {
        let current = repo::get_tumor(c, id)?.ok_or(ServiceError::NotFound("tumor"))?;
        check_version(current.version, expected_version)?;
        let pid = current.patient_id.clone();
        for rx in repo::list_treatments(c, id, None, i64::MAX)? {
            let before = changes::fields(&rx.data, None)?;
            let subject =
                Subject { entity: "treatment", id: &rx.id, patient_id: &pid, version: rx.version };
            changes::record_deletion(c, actor, subject, (rx.created_at, &rx.created_by), &before)?;
        }
        // Contacts that reported on the tumor lose that status: a change of each contact.
        for contact in repo::contacts_reporting_on(c, id)? {
            let mut doc: crate::model::ContactData = super::parse_doc(&contact.data)?;
            if let Some(list) = doc.tumors.as_mut() {
                list.retain(|t| t.tumor_id.as_deref() != Some(id));
            }
            let data = to_doc(&doc)?;
            let before = changes::fields(&contact.data, None)?;
            let after = changes::fields(&data, None)?;
            repo::set_contact_data(c, &contact.id, &data, contact.version + 1)?;
            let subject = Subject {
                entity: "contact",
                id: &contact.id,
                patient_id: &pid,
                version: contact.version + 1,
            };
            changes::record(c, actor, subject, Action::Update, Some(&before), Some(&after))?;
        }
        let before = changes::fields(&current.data, current.items.as_deref())?;
        let doc: TumorData = super::parse_doc(&current.data)?;
        let keys = serde_json::json!({
            "sequenceNumberHospital": doc.sequence_number_hospital,
            "accessionNumberHosp": doc.accession_number_hosp,
            "sequenceNumberCentral": super::history::item_map(current.items.as_deref())?
                .get("sequenceNumberCentral"),
            "primarySite": doc.primary_site,
            "dateOfDiagnosis": doc.date_of_diagnosis,
        });
        let patient = repo::get_patient(c, &pid)?.ok_or(ServiceError::NotFound("patient"))?;
        if !repo::delete_tumor(c, id, &pid, expected_version)? {
            return Err(ServiceError::VersionMismatch { current: expected_version + 1 });
        }
        repo::insert_tombstone(
            c,
            &TombstoneRow {
                tumor_id: id.to_owned(),
                patient_id: pid.clone(),
                patient_id_number: patient.patient_id_number,
                reporting_facility: current.reporting_facility.clone(),
                keys: to_doc(&keys)?,
                deleted_at: now(),
                actor_name: actor.name.clone(),
                reported_in: None,
            },
        )?;
        let subject = Subject { entity: "tumor", id, patient_id: &pid, version: current.version };
        let created = (current.created_at, current.created_by.as_str());
        changes::record_deleted(c, actor, subject, created, &before)?;
        let loaded = Loaded::load(c, &pid)?;
        edits::store_review(c, &pid, &loaded, &ctx)?;
        loaded.store_follow_up_state(c)?;
        Ok(())
    })
}

pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    patient_id: Option<&str>,
    filter: &RecordFilter,
    page: &PageRequest,
) -> Result<Page<TumorData>> {
    actor.require(Role::Viewer)?;
    let after = page.after()?;
    super::read(conn, actor, |c| {
        if let Some(p) = patient_id {
            repo::get_patient(c, p)?.ok_or(ServiceError::NotFound("patient"))?;
        }
        let rows = repo::list_tumors(c, filter, patient_id, after.as_deref(), page.limit() + 1)?;
        let (rows, next_cursor) = page.page(rows, |r| &r.id);
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        audit::record(c, actor, Action::Read, "tumor", &ids)?;
        Ok(Page { items: outs(c, &rows)?, next_cursor })
    })
}
