//! Every import kept with its report, refused files too: a registrar can list them, read a
//! summary and the whole report (patients with problems, per item and rule).

use super::Upload;
use crate::db::rows::ImportRow;
use crate::db::{DbConn, now, repo};
use crate::dto::{ImportData, ImportReport, Page};
use crate::service::audit::{self, Action};
use crate::service::{
    Actor, PageRequest, Result, Role, ServiceError, parse_doc, storable, to_doc, utc,
};

/// Keeps a completed import, in its transaction.
pub(super) fn record(
    conn: &mut DbConn,
    actor: &Actor,
    upload: &Upload,
    report: &ImportReport,
) -> Result<()> {
    let id = report.id.clone().unwrap_or_default();
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    repo::insert_import(
        conn,
        &ImportRow {
            id: id.clone(),
            created_at: now(),
            actor_token_id: actor.token_id.clone(),
            actor_name: actor.name.clone(),
            file_name: upload.file_name.clone(),
            byte_count: n(upload.bytes),
            status: "completed".into(),
            refused_reason: None,
            format: Some(report.format.clone()),
            record_type: Some(report.record_type.clone()),
            naaccr_version: Some(report.naaccr_version.clone()),
            patients_read: n(report.patients_read),
            patients_created: n(report.patients_created),
            patients_updated: n(report.patients_updated),
            patients_unchanged: n(report.patients_unchanged),
            patients_rejected: n(report.patients_rejected),
            tumors_read: n(report.tumors_read),
            report: Some(to_doc(report)?),
        },
    )?;
    audit::record(conn, actor, Action::Create, "import", &[&id])
}

/// Keeps a file refused as a whole, with the reason.
pub(super) fn record_refused(
    conn: &mut DbConn,
    actor: &Actor,
    upload: &Upload,
    id: &str,
    reason: &str,
) -> Result<()> {
    crate::db::transaction(conn, |c| {
        repo::insert_import(
            c,
            &ImportRow {
                id: id.to_owned(),
                created_at: now(),
                actor_token_id: actor.token_id.clone(),
                actor_name: actor.name.clone(),
                file_name: upload.file_name.clone(),
                byte_count: i64::try_from(upload.bytes).unwrap_or(i64::MAX),
                status: "refused".into(),
                refused_reason: Some(storable(reason)),
                format: None,
                record_type: None,
                naaccr_version: None,
                patients_read: 0,
                patients_created: 0,
                patients_updated: 0,
                patients_unchanged: 0,
                patients_rejected: 0,
                tumors_read: 0,
                report: None,
            },
        )?;
        audit::record(c, actor, Action::Create, "import", &[id])
    })
}

fn data(row: ImportRow) -> ImportData {
    ImportData {
        id: row.id,
        created_at: utc(row.created_at),
        created_by: row.actor_name,
        file_name: row.file_name,
        byte_count: row.byte_count,
        status: row.status,
        refused_reason: row.refused_reason,
        format: row.format,
        record_type: row.record_type,
        naaccr_version: row.naaccr_version,
        patients_read: row.patients_read,
        patients_created: row.patients_created,
        patients_updated: row.patients_updated,
        patients_unchanged: row.patients_unchanged,
        patients_rejected: row.patients_rejected,
        tumors_read: row.tumors_read,
    }
}

/// The imports, newest first.
pub fn list(conn: &mut DbConn, actor: &Actor, page: &PageRequest) -> Result<Page<ImportData>> {
    actor.require(Role::Viewer)?;
    let before = page.after()?;
    let rows = repo::list_imports(conn, before.as_deref(), page.limit() + 1)?;
    let (rows, next_cursor) = page.page(rows, |r| &r.id);
    Ok(Page { items: rows.into_iter().map(data).collect(), next_cursor })
}

pub fn get(conn: &mut DbConn, actor: &Actor, id: &str) -> Result<ImportData> {
    actor.require(Role::Viewer)?;
    repo::get_import(conn, id)?.map(data).ok_or(ServiceError::NotFound("import"))
}

/// The whole report of an import: it names patients by their id numbers, so its reading is
/// audited. A refused file's report gives the reason and no records.
pub fn report(conn: &mut DbConn, actor: &Actor, id: &str) -> Result<ImportReport> {
    actor.require(Role::Viewer)?;
    crate::db::transaction(conn, |c| {
        let row = repo::get_import(c, id)?.ok_or(ServiceError::NotFound("import"))?;
        audit::record(c, actor, Action::Read, "import", &[id])?;
        match row.report {
            Some(json) => parse_doc(&json),
            None => Ok(ImportReport {
                id: Some(row.id),
                refused: row.refused_reason,
                ..ImportReport::default()
            }),
        }
    })
}
