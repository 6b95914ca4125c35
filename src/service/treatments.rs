//! Record, read, correct and list the treatments of a tumor.

use super::audit::{self, Action};
use super::changes::{self, Subject};
use super::edits;
use super::history::Loaded;
use super::{
    Actor, Ctx, PageRequest, Result, Role, ServiceError, check_version, stamped_doc, to_doc,
};
use crate::db::rows::TreatmentRow;
use crate::db::{DbConn, new_id, now, repo};
use crate::domain::chronology::Focus;
use crate::model::{Page, TreatmentData};

fn out(row: &TreatmentRow) -> Result<TreatmentData> {
    let mut doc: TreatmentData =
        stamped_doc(&row.data, &row.id, row.version, row.created_at.0, row.updated_at.0)?;
    doc.tumor_id = Some(row.tumor_id.clone());
    Ok(doc)
}

pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    tumor_id: &str,
    data: &TreatmentData,
    ctx: Ctx,
) -> Result<TreatmentData> {
    actor.require(Role::Registrar)?;
    let rx = data.to_domain().map_err(ServiceError::Invalid)?;
    crate::db::transaction(conn, |c| {
        let tumor = repo::get_tumor(c, tumor_id)?.ok_or(ServiceError::NotFound("tumor"))?;
        let mut loaded = Loaded::load(c, &tumor.patient_id)?;
        let at = now();
        let row = TreatmentRow {
            id: new_id(),
            tumor_id: tumor_id.to_string(),
            version: 1,
            modality: rx.modality.as_str().to_string(),
            data: to_doc(&TreatmentData::from_domain(&rx))?,
            created_at: at.into(),
            updated_at: at.into(),
            created_by: actor.name.clone(),
        };
        loaded.treatments.push((row.id.clone(), tumor_id.to_string(), rx));
        let focus = Focus::Treatment(row.id.clone());
        loaded.refuse_future(&focus, ctx.today)?;
        repo::insert_treatment(c, &row)?;
        edits::store_review(c, &loaded.row.id, &loaded, &ctx)?;
        audit::record(c, actor, Action::Create, "treatment", &[&row.id])?;
        out(&row)
    })
}

pub fn get(conn: &mut DbConn, actor: &Actor, id: &str) -> Result<TreatmentData> {
    actor.require(Role::Viewer)?;
    super::read(conn, actor, |c| {
        let row = repo::get_treatment(c, id)?.ok_or(ServiceError::NotFound("treatment"))?;
        audit::record(c, actor, Action::Read, "treatment", &[id])?;
        out(&row)
    })
}

pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    expected_version: i32,
    data: &TreatmentData,
    ctx: Ctx,
) -> Result<TreatmentData> {
    actor.require(Role::Registrar)?;
    let rx = data.to_domain().map_err(ServiceError::Invalid)?;
    crate::db::transaction(conn, |c| {
        let current = repo::get_treatment(c, id)?.ok_or(ServiceError::NotFound("treatment"))?;
        check_version(current.version, expected_version)?;
        let tumor =
            repo::get_tumor(c, &current.tumor_id)?.ok_or(ServiceError::NotFound("tumor"))?;
        let mut loaded = Loaded::load(c, &tumor.patient_id)?;
        let before = changes::fields(&current.data, None)?;
        let row = TreatmentRow {
            version: expected_version + 1,
            modality: rx.modality.as_str().to_string(),
            data: to_doc(&TreatmentData::from_domain(&rx))?,
            updated_at: now().into(),
            ..current
        };
        match loaded.treatments.iter_mut().find(|(tid, _, _)| tid == id) {
            Some(slot) => slot.2 = rx,
            None => loaded.treatments.push((id.to_string(), row.tumor_id.clone(), rx)),
        }
        let focus = Focus::Treatment(id.to_string());
        loaded.refuse_future(&focus, ctx.today)?;
        if !repo::update_treatment(c, &row, expected_version)? {
            return Err(ServiceError::VersionMismatch { current: expected_version + 1 });
        }
        edits::store_review(c, &loaded.row.id, &loaded, &ctx)?;
        let after = changes::fields(&row.data, None)?;
        let subject =
            Subject { entity: "treatment", id, patient_id: &loaded.row.id, version: row.version };
        changes::record(c, actor, subject, Action::Update, Some(&before), Some(&after))?;
        audit::record(c, actor, Action::Update, "treatment", &[id])?;
        out(&row)
    })
}

/// Corrects some fields (an RFC 7396 merge patch over the stored treatment).
pub fn patch(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    expected_version: i32,
    patch: &serde_json::Value,
    ctx: Ctx,
) -> Result<TreatmentData> {
    actor.require(Role::Registrar)?;
    let current = repo::get_treatment(conn, id)?.ok_or(ServiceError::NotFound("treatment"))?;
    check_version(current.version, expected_version)?;
    let data: TreatmentData = super::merge_patch(&current.data, None, patch)?;
    update(conn, actor, id, expected_version, &data, ctx)
}

/// Deletes a treatment recorded by mistake; its last values stay in its history.
pub fn delete(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    expected_version: i32,
    ctx: Ctx,
) -> Result<()> {
    actor.require(Role::Registrar)?;
    crate::db::transaction(conn, |c| {
        let current = repo::get_treatment(c, id)?.ok_or(ServiceError::NotFound("treatment"))?;
        check_version(current.version, expected_version)?;
        let tumor =
            repo::get_tumor(c, &current.tumor_id)?.ok_or(ServiceError::NotFound("tumor"))?;
        let before = changes::fields(&current.data, None)?;
        if !repo::delete_treatment(c, id, expected_version)? {
            return Err(ServiceError::VersionMismatch { current: expected_version + 1 });
        }
        let pid = tumor.patient_id;
        let subject =
            Subject { entity: "treatment", id, patient_id: &pid, version: current.version };
        changes::record_deleted(
            c,
            actor,
            subject,
            (current.created_at, &current.created_by),
            &before,
        )?;
        let loaded = Loaded::load(c, &pid)?;
        edits::store_review(c, &pid, &loaded, &ctx)?;
        Ok(())
    })
}

pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    tumor_id: &str,
    page: &PageRequest,
) -> Result<Page<TreatmentData>> {
    actor.require(Role::Viewer)?;
    let after = page.after()?;
    super::read(conn, actor, |c| {
        repo::get_tumor(c, tumor_id)?.ok_or(ServiceError::NotFound("tumor"))?;
        let rows = repo::list_treatments(c, tumor_id, after.as_deref(), page.limit() + 1)?;
        let (rows, next_cursor) = page.page(rows, |r| &r.id);
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        audit::record(c, actor, Action::Read, "treatment", &ids)?;
        Ok(Page { items: rows.iter().map(out).collect::<Result<_>>()?, next_cursor })
    })
}
