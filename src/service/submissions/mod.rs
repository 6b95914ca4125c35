//! Submission batches: NAACCR XML files for a central registry, streamed from the database in
//! batches of patients, with per-tumor submission state for "changed since the last submission".
//!
//! Audit: one entry per batch (entity `submission`, action `create`); the batch's
//! `submission_tumors` rows name every tumor it read.
//!
//! `params` checks a request, `build` reads and formats batches of patients, `write` streams them
//! into the file, and this file records the batch; `monthly` is the monthly export job.

use std::io;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};

use crate::db::bulk;
use crate::db::rows::SubmissionRow;
use crate::db::{DbConn, new_id, now};
use crate::formats::batch_file::BatchFile;
use crate::model::{
    DeletedTumor, ExcludedTumor, Page, SubmissionData, SubmissionFilters, SubmissionRequest,
    VoidRequest,
};
use crate::service::audit::{self, Action};
use crate::service::{Actor, PageRequest, Result, Role, ServiceError, parse_doc, to_doc, utc};

mod build;
mod monthly;
mod params;
mod write;

pub use build::ExportOutcome;
pub use monthly::{MonthlyExport, SettingsError, run_monthly_export};
use params::invalid;
pub use params::{BATCH, ExportParams, REPORT_LIMIT};
use write::sync_dir;
pub use write::{Hashing, copy_into_place, export_to};

/// The file name of a batch.
fn file_name(id: &str, params: &ExportParams, at: NaiveDateTime) -> String {
    format!(
        "naaccr-{}-{}-{}-{}.xml",
        params.dictionary.version,
        params.record_type.as_str(),
        at.format("%Y%m%dT%H%M%S"),
        &id[id.len().saturating_sub(12)..]
    )
}

fn deleted(conn: &mut DbConn, id: &str) -> Result<Vec<DeletedTumor>> {
    bulk::tombstones_of(conn, id)?
        .into_iter()
        .map(|t| {
            Ok(DeletedTumor {
                tumor_id: t.tumor_id,
                patient_id_number: t.patient_id_number,
                keys: parse_doc(&t.keys)?,
                deleted_at: utc(t.deleted_at),
            })
        })
        .collect()
}

fn out(row: &SubmissionRow, excluded: Option<Vec<ExcludedTumor>>) -> Result<SubmissionData> {
    let filters: SubmissionFilters = parse_doc(&row.filters)?;
    Ok(SubmissionData {
        id: row.id.clone(),
        created_at: utc(row.created_at),
        created_by: row.actor_name.clone(),
        record_type: row.record_type.clone(),
        naaccr_version: row.naaccr_version.clone(),
        filters,
        patient_count: row.patient_count,
        tumor_count: row.tumor_count,
        excluded_count: row.excluded_count,
        byte_count: row.byte_count,
        sha256: row.sha256.clone(),
        file_name: row.file_name.clone(),
        excluded,
        skipped: parse_doc(&row.skipped)?,
        deleted: None,
        voided_at: row.voided_at.map(utc),
        voided_by: row.voided_by.clone(),
        void_reason: row.void_reason.clone(),
    })
}

/// The whole report of one batch: the tumors it left out and the deletions it reported.
fn report(conn: &mut DbConn, row: &SubmissionRow) -> Result<SubmissionData> {
    let ex = excluded(conn, &row.id)?;
    let mut data = out(row, Some(ex))?;
    data.deleted = Some(deleted(conn, &row.id)?);
    Ok(data)
}

fn excluded(conn: &mut DbConn, id: &str) -> Result<Vec<ExcludedTumor>> {
    bulk::excluded_of(conn, id, REPORT_LIMIT)?
        .into_iter()
        .map(|r| {
            Ok(ExcludedTumor {
                tumor_id: r.tumor_id,
                reasons: match r.reasons {
                    Some(j) => parse_doc(&j)?,
                    None => vec![],
                },
            })
        })
        .collect()
}

/// Creates a batch: writes the file into `dir` and copies it to each of `copies` (the CLI's
/// `--out`, the monthly export directory), then records the batch, its tumors, the deletions it
/// reports and an audit entry, in one transaction on `conn`. The batch is recorded only once every
/// file is whole and synced to disk: any failure (a full disk, a path that cannot be written, a
/// killed process) leaves no batch, so the next "changed since last" batch still carries its
/// tumors.
///
/// `reader`, a second connection to the same database, reads the patients while `conn` stores what
/// the export records, so the two overlap (worth it on PostgreSQL; pass `None` on SQLite, which has
/// one writer and reads in-process anyway).
pub fn create(
    conn: &mut DbConn,
    reader: Option<&mut DbConn>,
    actor: &Actor,
    req: &SubmissionRequest,
    dir: &Path,
    today: NaiveDate,
    copies: &[PathBuf],
) -> Result<SubmissionData> {
    actor.require(Role::Registrar)?;
    let params = ExportParams::parse(req)?;
    let fs_err = |e: io::Error| ServiceError::File(format!("submission file: {e}"));
    std::fs::create_dir_all(dir).map_err(fs_err)?;
    let id = new_id();
    let at = now();
    let name = file_name(&id, &params, at);
    let tmp = dir.join(format!(".{name}.tmp"));
    let path = dir.join(&name);
    let targets: Vec<PathBuf> =
        copies.iter().map(|c| if c.is_dir() { c.join(&name) } else { c.clone() }).collect();
    let result = crate::db::transaction(conn, |c| {
        let mut row = SubmissionRow {
            id: id.clone(),
            created_at: at,
            actor_token_id: actor.token_id.clone(),
            actor_name: actor.name.clone(),
            record_type: params.record_type.as_str().to_owned(),
            naaccr_version: params.dictionary.version.clone(),
            filters: to_doc(&params.filters)?,
            patient_count: 0,
            tumor_count: 0,
            excluded_count: 0,
            byte_count: 0,
            sha256: String::new(),
            file_name: name.clone(),
            skipped: "[]".into(),
            voided_at: None,
            voided_by: None,
            void_reason: None,
        };
        bulk::insert_submission(c, &row)?;
        let sink = Hashing::new(BatchFile::create(&tmp).map_err(fs_err)?);
        let time = Some(utc(at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let (sink, outcome) = match reader {
            Some(r) => export_to(r, Some(&mut *c), &params, &id, today, time, sink)?,
            None => export_to(c, None, &params, &id, today, time, sink)?,
        };
        let (file, sha, bytes) = sink.finish();
        file.finish().map_err(fs_err)?;
        row.patient_count = outcome.patients as i64;
        row.tumor_count = outcome.tumors as i64;
        row.excluded_count = outcome.excluded as i64;
        row.byte_count = bytes as i64;
        row.sha256 = sha;
        row.skipped = to_doc(&outcome.skipped_values())?;
        bulk::finish_submission(c, &row)?;
        let tombstones =
            bulk::unreported_tombstones(c, params.filters.reporting_facility.as_deref())?;
        let ids: Vec<&str> = tombstones.iter().map(|t| t.tumor_id.as_str()).collect();
        bulk::report_tombstones(c, &ids, &id)?;
        audit::record(c, actor, Action::Create, "submission", &[&id])?;
        // A disclosure to the central registry, per patient the file carries.
        let carried = bulk::submission_patients(c, &id)?;
        audit::disclose(c, actor, &format!("submission {id}"), "patient", &carried, CENTRAL)?;
        std::fs::rename(&tmp, &path).and_then(|()| sync_dir(dir)).map_err(fs_err)?;
        for target in &targets {
            copy_into_place(&path, target)
                .map_err(|e| ServiceError::File(format!("copy to {}: {e}", target.display())))?;
        }
        report(c, &row)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(&path);
        for target in &targets {
            let _ = std::fs::remove_file(target);
        }
    }
    result
}

/// Voids a batch (admin): its tumors count as not sent, so the next "changed since last" batch
/// carries them again, and the deletions it reported are reported again. The file stays.
pub fn void(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    req: &VoidRequest,
) -> Result<SubmissionData> {
    actor.require(Role::Admin)?;
    // The limit holds for the text as sent (the contract says 500); blanks around it are dropped.
    let reason = req.reason.trim();
    if reason.is_empty() || req.reason.chars().count() > 500 {
        return Err(ServiceError::Invalid(vec![invalid(
            "reason",
            "text.length",
            "give the reason in 1 to 500 characters",
        )]));
    }
    crate::db::transaction(conn, |c| {
        let row = bulk::get_submission(c, id)?.ok_or(ServiceError::NotFound("submission"))?;
        if row.voided_at.is_some() {
            return Err(ServiceError::Conflict {
                field: "id",
                rule: "state",
                message: "the batch is already voided".into(),
            });
        }
        bulk::void_submission(c, id, now(), &actor.name, reason)?;
        audit::record(c, actor, Action::Update, "submission", &[id])?;
        let row = bulk::get_submission(c, id)?.ok_or(ServiceError::NotFound("submission"))?;
        report(c, &row)
    })
}

pub fn list(conn: &mut DbConn, actor: &Actor, page: &PageRequest) -> Result<Page<SubmissionData>> {
    actor.require(Role::Viewer)?;
    let after = page.after()?;
    super::read(conn, actor, |c| {
        let rows = bulk::list_submissions(c, after.as_deref(), page.limit() + 1)?;
        let (rows, next_cursor) = page.page(rows, |r| &r.id);
        Ok(Page { items: rows.iter().map(|r| out(r, None)).collect::<Result<_>>()?, next_cursor })
    })
}

/// Who receives a submission file.
const CENTRAL: &str = "central registry";

pub fn get(conn: &mut DbConn, actor: &Actor, id: &str) -> Result<SubmissionData> {
    actor.require(Role::Viewer)?;
    super::read(conn, actor, |c| {
        let row = bulk::get_submission(c, id)?.ok_or(ServiceError::NotFound("submission"))?;
        let data = report(c, &row)?;
        audit::record(c, actor, Action::Read, "submission", &[id])?;
        let excluded: Vec<&str> =
            data.excluded.iter().flatten().map(|e| e.tumor_id.as_str()).collect();
        audit::record(c, actor, Action::Read, "tumor", &excluded)?;
        Ok(data)
    })
}

/// The path of a batch's file, for download; audited as a read of the batch.
pub fn file(conn: &mut DbConn, actor: &Actor, id: &str, dir: &Path) -> Result<(PathBuf, String)> {
    actor.require(Role::Viewer)?;
    super::read(conn, actor, |c| {
        let row = bulk::get_submission(c, id)?.ok_or(ServiceError::NotFound("submission"))?;
        audit::record(c, actor, Action::Read, "submission", &[id])?;
        let path = dir.join(&row.file_name);
        if !path.is_file() {
            return Err(ServiceError::NotFound("submission file"));
        }
        Ok((path, row.file_name))
    })
}
