//! A submission request checked into what to export.

use crate::domain::PartialDate;
use crate::domain::naaccr::{Dictionary, RecordType};
use crate::domain::validation::Violation;
use crate::formats::form::TumorForm;
use crate::model::{SubmissionFilters, SubmissionRequest};
use crate::service::{Result, ServiceError};

/// Patients per read batch.
pub const BATCH: i64 = 1000;
/// Excluded tumors listed in a batch report.
pub const REPORT_LIMIT: i64 = 1000;

/// What to export, parsed from a request.
#[derive(Clone, Debug)]
pub struct ExportParams {
    pub record_type: RecordType,
    pub dictionary: &'static Dictionary,
    pub filters: SubmissionFilters,
    pub dx_from: Option<PartialDate>,
    pub dx_to: Option<PartialDate>,
}

pub(super) fn invalid(field: &str, rule: &'static str, message: &str) -> Violation {
    Violation { field: field.into(), rule, message: message.into() }
}

impl ExportParams {
    /// Checks a request: record type A, C or I; a version of `Dictionary::export_versions`; a valid
    /// date range.
    pub fn parse(req: &SubmissionRequest) -> Result<Self> {
        let mut v = Vec::new();
        let rt = req.record_type.as_deref().map(str::trim);
        let record_type = match rt.and_then(RecordType::from_code) {
            Some(rt @ (RecordType::A | RecordType::C | RecordType::I)) => Some(rt),
            _ => {
                v.push(invalid("recordType", "code.unknown", "recordType must be A, C or I"));
                None
            }
        };
        let versions = Dictionary::export_versions();
        let dictionary = match req.naaccr_version.as_deref().map(str::trim) {
            Some(ver) if versions.contains(&ver) => Dictionary::for_version(ver).ok(),
            _ => None,
        };
        if dictionary.is_none() {
            let message = format!("naaccrVersion must be one of {}", versions.join(", "));
            v.push(invalid("naaccrVersion", "code.unknown", &message));
        }
        let date = |v: &mut Vec<Violation>, field: &str, raw: &Option<String>| match raw {
            None => None,
            Some(r) => match PartialDate::parse_iso(r) {
                Ok(d) => Some(d),
                Err(e) => {
                    v.push(Violation { field: field.into(), rule: e.rule, message: e.message });
                    None
                }
            },
        };
        let dx_from = date(&mut v, "dxFrom", &req.dx_from);
        let dx_to = date(&mut v, "dxTo", &req.dx_to);
        if let (Some(f), Some(t)) = (&dx_from, &dx_to)
            && f.earliest() > t.latest()
        {
            v.push(invalid("dxTo", "range.order", "dxTo must not be before dxFrom"));
        }
        if let Some(f) = &req.reporting_facility
            && (f.trim().is_empty() || f.chars().count() > 10)
        {
            v.push(invalid("reportingFacility", "text.length", "1 to 10 characters"));
        }
        match (record_type, dictionary) {
            (Some(record_type), Some(dictionary)) if v.is_empty() => Ok(Self {
                record_type,
                dictionary,
                filters: SubmissionFilters {
                    reporting_facility: req
                        .reporting_facility
                        .as_ref()
                        .map(|s| s.trim().to_owned()),
                    dx_from: dx_from.map(|d| d.to_string()),
                    dx_to: dx_to.map(|d| d.to_string()),
                    changed_since_last: req.changed_since_last.unwrap_or(false),
                    include_failing: req.include_failing.unwrap_or(false),
                },
                dx_from,
                dx_to,
            }),
            _ => Err(ServiceError::Invalid(v)),
        }
    }

    /// Whether the facility and diagnosis date filters select the tumor.
    pub(super) fn selects(&self, t: &TumorForm) -> bool {
        if self.filters.reporting_facility.as_deref().is_some_and(|f| t.reporting_facility != f) {
            return false;
        }
        if self.dx_from.is_none() && self.dx_to.is_none() {
            return true;
        }
        let Ok(d) = PartialDate::parse_iso(&t.date_of_diagnosis) else { return false };
        self.dx_from.is_none_or(|f| d.latest() >= f.earliest())
            && self.dx_to.is_none_or(|t| d.earliest() <= t.latest())
    }
}
