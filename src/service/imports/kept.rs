//! Every import kept with its report, refused files too: a registrar can list them, read a
//! summary and the whole report (patients with problems, per item and rule).

use super::Upload;
use crate::db::rows::ImportRow;
use crate::db::{DbConn, now, repo};
use crate::model::{ImportData, ImportReport, Page};
use crate::service::audit::{self, Action};
use crate::service::{
    Actor, PageRequest, Result, Role, ServiceError, parse_doc, storable, to_doc, utc,
};

fn count(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Keeps an import as it starts (status `running`), in its own transaction.
pub(super) fn start(
    conn: &mut DbConn,
    actor: &Actor,
    upload: &Upload,
    report: &ImportReport,
) -> Result<()> {
    let id = report.id.clone().unwrap_or_default();
    let row = ImportRow {
        status: report.status.clone(),
        format: Some(report.format.clone()),
        record_type: Some(report.record_type.clone()),
        naaccr_version: Some(report.naaccr_version.clone()),
        ..new_row(actor, upload, &id)
    };
    crate::db::transaction(conn, |c| {
        repo::insert_import(c, &row)?;
        audit::record(c, actor, Action::Create, "import", &[&id])
    })
}

fn counts(report: &ImportReport) -> repo::ImportCounts {
    repo::ImportCounts {
        patients_read: count(report.patients_read),
        patients_created: count(report.patients_created),
        patients_updated: count(report.patients_updated),
        patients_unchanged: count(report.patients_unchanged),
        patients_rejected: count(report.patients_rejected),
        tumors_read: count(report.tumors_read),
    }
}

/// Records how far a running import got, in the transaction of the batch just written: the
/// patients read are those written (the reader runs a few batches ahead).
pub(super) fn progress(conn: &mut DbConn, id: &str, report: &ImportReport) -> Result<()> {
    let mut n = counts(report);
    n.patients_read =
        n.patients_created + n.patients_updated + n.patients_unchanged + n.patients_rejected;
    repo::update_import(conn, id, &n, None, now())?;
    Ok(())
}

/// Records how an import ended, with its report.
pub(super) fn finish(conn: &mut DbConn, id: &str, report: &ImportReport) -> Result<()> {
    let end = repo::ImportEnd {
        status: report.status.clone(),
        refused_reason: report.refused.as_deref().map(storable),
        report: Some(to_doc(report)?),
    };
    crate::db::transaction(conn, |c| {
        Ok(repo::update_import(c, id, &counts(report), Some(&end), now())?)
    })
}

/// Whether a registrar asked to cancel the import.
pub(super) fn cancel_requested(conn: &mut DbConn, id: &str) -> Result<bool> {
    Ok(repo::get_import(conn, id)?.is_some_and(|r| r.cancel_requested))
}

/// The running import, if any.
pub(super) fn running(conn: &mut DbConn) -> Result<Option<String>> {
    Ok(repo::running_imports(conn)?.into_iter().next())
}

/// Imports still marked running while this one holds the lease ended with their process.
pub(super) fn interrupt_others(conn: &mut DbConn, id: &str) -> Result<()> {
    crate::db::transaction(conn, |c| {
        for other in repo::running_imports(c)?.into_iter().filter(|o| o != id) {
            let end = repo::ImportEnd {
                status: "interrupted".into(),
                refused_reason: Some(
                    "the import ended with its process; send the same file again to complete it"
                        .into(),
                ),
                report: None,
            };
            repo::end_import(c, &other, &end, now())?;
        }
        Ok(())
    })
}

/// Asks a running import to stop after the batch it is writing; what it wrote stays.
pub fn cancel(conn: &mut DbConn, actor: &Actor, id: &str) -> Result<ImportData> {
    actor.require(Role::Registrar)?;
    crate::db::transaction(conn, |c| {
        let row = repo::get_import(c, id)?.ok_or(ServiceError::NotFound("import"))?;
        if row.status != "running" {
            return Err(ServiceError::Conflict {
                field: "status",
                rule: "state",
                message: format!(
                    "the import is {}, not running: there is nothing to cancel",
                    row.status
                ),
            });
        }
        repo::request_import_cancel(c, id)?;
        audit::record(c, actor, Action::Update, "import", &[id])?;
        let row = repo::get_import(c, id)?.ok_or(ServiceError::NotFound("import"))?;
        Ok(data(row))
    })
}

/// Keeps a file refused as a whole, with the reason.
pub(super) fn record_refused(
    conn: &mut DbConn,
    actor: &Actor,
    upload: &Upload,
    id: &str,
    reason: &str,
) -> Result<()> {
    let row = ImportRow {
        status: "refused".into(),
        refused_reason: Some(storable(reason)),
        ..new_row(actor, upload, id)
    };
    crate::db::transaction(conn, |c| {
        repo::insert_import(c, &row)?;
        audit::record(c, actor, Action::Create, "import", &[id])
    })
}

/// An import as it starts: nothing read yet.
fn new_row(actor: &Actor, upload: &Upload, id: &str) -> ImportRow {
    ImportRow {
        id: id.to_owned(),
        created_at: now(),
        actor_token_id: actor.token_id.clone(),
        actor_name: actor.name.clone(),
        file_name: upload.file_name.clone(),
        byte_count: count(upload.bytes),
        status: "running".into(),
        refused_reason: None,
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
        updated_at: Some(now()),
        cancel_requested: false,
    }
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
        updated_at: row.updated_at.map(utc),
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
    crate::service::read(conn, actor, |c| {
        let row = repo::get_import(c, id)?.ok_or(ServiceError::NotFound("import"))?;
        audit::record(c, actor, Action::Read, "import", &[id])?;
        match row.report {
            Some(json) => parse_doc(&json),
            None => Ok(ImportReport {
                id: Some(row.id),
                status: row.status,
                refused: row.refused_reason,
                ..ImportReport::default()
            }),
        }
    })
}
