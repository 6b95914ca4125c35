//! Follow-up contacts: each is kept; the patient's date of last contact and vital status are derived
//! from them after every write.

use super::audit::{self, Action};
use super::changes::{self, Subject};
use super::edits;
use super::history::Loaded;
use super::{
    Actor, Ctx, PageRequest, Result, Role, ServiceError, check_version, stamped_doc, to_doc,
};
use crate::db::rows::{ContactRow, ContactTumorRow};
use crate::db::{DbConn, new_id, now, repo};
use crate::domain::Violation;
use crate::domain::chronology::Focus;
use crate::domain::followup::FollowUpPolicy;
use crate::domain::records::Contact;
use crate::model::{ContactData, Page};

fn out(row: &ContactRow) -> Result<ContactData> {
    let mut doc: ContactData =
        stamped_doc(&row.data, &row.id, row.version, row.created_at.0, row.updated_at.0)?;
    doc.patient_id = Some(row.patient_id.clone());
    Ok(doc)
}

/// Every tumor a contact reports on must be one of the patient's.
fn check_tumors(loaded: &Loaded, contact: &Contact) -> Result<()> {
    let unknown: Vec<Violation> = contact
        .tumors
        .iter()
        .enumerate()
        .filter(|(_, t)| !loaded.tumors.iter().any(|(id, _)| *id == t.tumor_id))
        .map(|(i, _)| Violation {
            field: format!("tumors[{i}].tumorId"),
            rule: "reference.unknown",
            message: "no tumor of this patient has this id".into(),
        })
        .collect();
    if unknown.is_empty() { Ok(()) } else { Err(ServiceError::Invalid(unknown)) }
}

fn tumor_rows(contact_id: &str, contact: &Contact) -> Vec<ContactTumorRow> {
    contact
        .tumors
        .iter()
        .map(|t| ContactTumorRow {
            contact_id: contact_id.to_string(),
            tumor_id: t.tumor_id.clone(),
            cancer_status: t.cancer_status.to_string(),
        })
        .collect()
}

pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    patient_id: &str,
    data: &ContactData,
    ctx: Ctx,
    policy: &FollowUpPolicy,
) -> Result<ContactData> {
    actor.require(Role::Registrar)?;
    let contact = data.to_domain().map_err(ServiceError::Invalid)?;
    crate::db::transaction(conn, |c| create_in(c, actor, patient_id, contact, ctx, policy))
}

/// Records a contact inside the caller's transaction: stores it, derives the patient's date of last
/// contact and vital status, moves the patient's follow-up tasks on, and audits.
pub(super) fn create_in(
    c: &mut DbConn,
    actor: &Actor,
    patient_id: &str,
    contact: Contact,
    ctx: Ctx,
    policy: &FollowUpPolicy,
) -> Result<ContactData> {
    let today = ctx.today;
    let mut loaded = Loaded::load(c, patient_id)?;
    check_tumors(&loaded, &contact)?;
    let at = now();
    let row = ContactRow {
        id: new_id(),
        patient_id: patient_id.to_string(),
        version: 1,
        contact_date: contact.contact_date.to_string(),
        vital_status: contact.vital_status.to_string(),
        data: to_doc(&ContactData::from_domain(&contact))?,
        created_at: at.into(),
        updated_at: at.into(),
        created_by: actor.name.clone(),
    };
    let links = tumor_rows(&row.id, &contact);
    loaded.contacts.push((row.id.clone(), contact));
    let focus = Focus::Contact(row.id.clone());
    loaded.refuse_future(&focus, today)?;
    repo::insert_contact(c, &row, &links)?;
    edits::store_review(c, &loaded.row.id, &loaded, &ctx)?;
    loaded.store_follow_up_state(c)?;
    super::followup::after_contact(c, &loaded, policy, today, &row.id)?;
    audit::record(c, actor, Action::Create, "contact", &[&row.id])?;
    out(&row)
}

pub fn get(conn: &mut DbConn, actor: &Actor, id: &str) -> Result<ContactData> {
    actor.require(Role::Viewer)?;
    super::read(conn, actor, |c| {
        let row = repo::get_contact(c, id)?.ok_or(ServiceError::NotFound("contact"))?;
        audit::record(c, actor, Action::Read, "contact", &[id])?;
        out(&row)
    })
}

/// Corrects a contact (a mistyped date, say); the audit log keeps who changed it and when.
pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    expected_version: i32,
    data: &ContactData,
    ctx: Ctx,
    policy: &FollowUpPolicy,
) -> Result<ContactData> {
    actor.require(Role::Registrar)?;
    let today = ctx.today;
    let contact = data.to_domain().map_err(ServiceError::Invalid)?;
    crate::db::transaction(conn, |c| {
        let current = repo::get_contact(c, id)?.ok_or(ServiceError::NotFound("contact"))?;
        check_version(current.version, expected_version)?;
        let mut loaded = Loaded::load(c, &current.patient_id)?;
        check_tumors(&loaded, &contact)?;
        let before = changes::fields(&current.data, None)?;
        let row = ContactRow {
            version: expected_version + 1,
            contact_date: contact.contact_date.to_string(),
            vital_status: contact.vital_status.to_string(),
            data: to_doc(&ContactData::from_domain(&contact))?,
            updated_at: now().into(),
            ..current
        };
        let links = tumor_rows(id, &contact);
        match loaded.contacts.iter_mut().find(|(cid, _)| cid == id) {
            Some(slot) => slot.1 = contact,
            None => loaded.contacts.push((id.to_string(), contact)),
        }
        let focus = Focus::Contact(id.to_string());
        loaded.refuse_future(&focus, today)?;
        if !repo::update_contact(c, &row, expected_version, &links)? {
            return Err(ServiceError::VersionMismatch { current: expected_version + 1 });
        }
        edits::store_review(c, &loaded.row.id, &loaded, &ctx)?;
        loaded.store_follow_up_state(c)?;
        super::followup::after_contact(c, &loaded, policy, today, id)?;
        let after = changes::fields(&row.data, None)?;
        let subject =
            Subject { entity: "contact", id, patient_id: &row.patient_id, version: row.version };
        changes::record(c, actor, subject, Action::Update, Some(&before), Some(&after))?;
        audit::record(c, actor, Action::Update, "contact", &[id])?;
        out(&row)
    })
}

/// Corrects some fields (an RFC 7396 merge patch over the stored contact).
pub fn patch(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    expected_version: i32,
    patch: &serde_json::Value,
    ctx: Ctx,
    policy: &FollowUpPolicy,
) -> Result<ContactData> {
    actor.require(Role::Registrar)?;
    let current = repo::get_contact(conn, id)?.ok_or(ServiceError::NotFound("contact"))?;
    check_version(current.version, expected_version)?;
    let data: ContactData = super::merge_patch(&current.data, None, patch)?;
    update(conn, actor, id, expected_version, &data, ctx, policy)
}

/// Deletes a contact recorded by mistake; the patient's date of last contact and vital status are
/// derived again from the contacts left. Its last values stay in its history.
pub fn delete(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    expected_version: i32,
    ctx: Ctx,
) -> Result<()> {
    actor.require(Role::Registrar)?;
    crate::db::transaction(conn, |c| {
        let current = repo::get_contact(c, id)?.ok_or(ServiceError::NotFound("contact"))?;
        check_version(current.version, expected_version)?;
        let before = changes::fields(&current.data, None)?;
        let pid = current.patient_id.clone();
        if !repo::delete_contact(c, id, &pid, expected_version)? {
            return Err(ServiceError::VersionMismatch { current: expected_version + 1 });
        }
        let subject = Subject { entity: "contact", id, patient_id: &pid, version: current.version };
        changes::record_deleted(
            c,
            actor,
            subject,
            (current.created_at, &current.created_by),
            &before,
        )?;
        let loaded = Loaded::load(c, &pid)?;
        edits::store_review(c, &pid, &loaded, &ctx)?;
        loaded.store_follow_up_state(c)?;
        Ok(())
    })
}

pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    patient_id: &str,
    page: &PageRequest,
) -> Result<Page<ContactData>> {
    actor.require(Role::Viewer)?;
    let after = page.after()?;
    super::read(conn, actor, |c| {
        repo::get_patient(c, patient_id)?.ok_or(ServiceError::NotFound("patient"))?;
        let rows = repo::list_contacts(c, patient_id, after.as_deref(), page.limit() + 1)?;
        let (rows, next_cursor) = page.page(rows, |r| &r.id);
        let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        audit::record(c, actor, Action::Read, "contact", &ids)?;
        Ok(Page { items: rows.iter().map(out).collect::<Result<_>>()?, next_cursor })
    })
}
