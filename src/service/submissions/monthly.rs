//! The monthly export job: a changed-since-last batch copied where the central registry picks it up.

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::db::DbConn;
use crate::model::{SubmissionData, SubmissionRequest};
use crate::service::{Actor, Result, ServiceError};

use super::{ExportParams, create};

/// What the monthly export job makes and where it puts it, checked when the service starts.
#[derive(Clone, Debug)]
pub struct MonthlyExport {
    request: SubmissionRequest,
    /// Where batch files are kept (as for every batch).
    pub submissions_dir: PathBuf,
    /// Where the job copies each batch for pick-up.
    pub export_dir: PathBuf,
}

/// Monthly export settings no batch could be made with; names each setting and what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("monthly export settings: {0}")]
pub struct SettingsError(String);

impl MonthlyExport {
    /// Reads the export settings; a record type, version or facility no batch could be made with is
    /// refused here rather than on the first of the month.
    pub fn from_settings(
        settings: &crate::config::Settings,
    ) -> std::result::Result<Self, SettingsError> {
        let request = SubmissionRequest {
            record_type: Some(settings.monthly_export.export_record_type.clone()),
            naaccr_version: Some(settings.monthly_export.export_naaccr_version.clone()),
            reporting_facility: settings.monthly_export.export_facility.clone(),
            dx_from: None,
            dx_to: None,
            changed_since_last: Some(true),
            include_failing: Some(false),
        };
        if let Err(e) = ExportParams::parse(&request) {
            let ServiceError::Invalid(violations) = e else {
                return Err(SettingsError(e.to_string()));
            };
            let setting = |field: &str| match field {
                "recordType" => "--export-record-type (ONCOREG_EXPORT_RECORD_TYPE)",
                "naaccrVersion" => "--export-naaccr-version (ONCOREG_EXPORT_NAACCR_VERSION)",
                _ => "--export-facility (ONCOREG_EXPORT_FACILITY)",
            };
            let each: Vec<String> = violations
                .iter()
                .map(|v| format!("{}: {}", setting(&v.field), v.message))
                .collect();
            return Err(SettingsError(each.join("; ")));
        }
        Ok(Self {
            request,
            submissions_dir: PathBuf::from(&settings.submissions.submissions_dir),
            export_dir: PathBuf::from(&settings.monthly_export.export_dir),
        })
    }
}

/// The monthly export job body: a changed-since-last batch, copied into the export directory
/// atomically (temporary name, then rename) before the batch is recorded. Returns the batch.
pub fn run_monthly_export(
    conn: &mut DbConn,
    reader: Option<&mut DbConn>,
    monthly: &MonthlyExport,
    as_of: NaiveDate,
) -> Result<SubmissionData> {
    let actor = Actor::system("monthly-export");
    let target = &monthly.export_dir;
    std::fs::create_dir_all(target).map_err(|e| ServiceError::File(format!("export copy: {e}")))?;
    create(
        conn,
        reader,
        &actor,
        &monthly.request,
        &monthly.submissions_dir,
        as_of,
        std::slice::from_ref(target),
    )
}
