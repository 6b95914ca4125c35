//! Query parameters of the list endpoints.

use serde::Deserialize;
use utoipa::IntoParams;

use super::problem::{ApiError, FieldError};
use crate::domain::codes::{ClassOfCase, Histology, Topography, VitalStatus};
use crate::domain::identifiers::PatientIdNumber;
use crate::service::{PageRequest, RecordFilter};

/// Cursor pagination.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

impl PageParams {
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        if let Some(l) = self.limit {
            if !(1..=500).contains(&l) {
                return Err(ApiError::bad_request(
                    "limit",
                    "range",
                    "limit must be between 1 and 500",
                ));
            }
        }
        Ok(PageRequest {
            cursor: self.cursor.clone(),
            limit: self.limit,
        })
    }
}

/// Filters of the patient and tumor lists. Tumor filters select patients with a matching tumor.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Lowest primary site, e.g. `C50.0`.
    pub site_from: Option<String>,
    /// Highest primary site, e.g. `C50.9`.
    pub site_to: Option<String>,
    /// Histologic type, 4 digits.
    pub histology: Option<String>,
    /// First year of diagnosis.
    pub dx_year_from: Option<i32>,
    /// Last year of diagnosis.
    pub dx_year_to: Option<i32>,
    pub class_of_case: Option<String>,
    /// Reporting facility.
    pub facility: Option<String>,
    /// 0 dead, 1 alive.
    pub vital_status: Option<String>,
    pub patient_id_number: Option<String>,
    /// Prefix of the last name, or of "last first".
    pub name: Option<String>,
}

impl ListParams {
    pub fn parse(&self) -> Result<(RecordFilter, PageRequest), ApiError> {
        let mut errors = Vec::new();
        let mut check = |field: &str, r: Result<String, crate::domain::RuleError>| match r {
            Ok(v) => Some(v),
            Err(e) => {
                errors.push(FieldError {
                    field: field.into(),
                    rule: e.rule.into(),
                    message: e.message,
                });
                None
            }
        };
        let filter =
            RecordFilter {
                site_from: self
                    .site_from
                    .as_deref()
                    .and_then(|s| check("siteFrom", Topography::parse(s).map(|t| t.to_string()))),
                site_to: self
                    .site_to
                    .as_deref()
                    .and_then(|s| check("siteTo", Topography::parse(s).map(|t| t.to_string()))),
                histology: self
                    .histology
                    .as_deref()
                    .and_then(|s| check("histology", Histology::parse(s).map(|t| t.to_string()))),
                dx_year_from: self.dx_year_from,
                dx_year_to: self.dx_year_to,
                class_of_case: self.class_of_case.as_deref().and_then(|s| {
                    check("classOfCase", ClassOfCase::parse(s).map(|t| t.to_string()))
                }),
                facility: self.facility.clone(),
                vital_status: self.vital_status.as_deref().and_then(|s| {
                    check("vitalStatus", VitalStatus::parse(s).map(|t| t.to_string()))
                }),
                patient_id_number: self.patient_id_number.as_deref().and_then(|s| {
                    check(
                        "patientIdNumber",
                        PatientIdNumber::parse(s).map(|t| t.to_string()),
                    )
                }),
                name_prefix: self
                    .name
                    .as_ref()
                    .map(|n| n.trim().to_lowercase())
                    .filter(|n| !n.is_empty()),
            };
        if !errors.is_empty() {
            return Err(ApiError::BadRequest(errors));
        }
        let page = PageParams {
            cursor: self.cursor.clone(),
            limit: self.limit,
        }
        .page()?;
        Ok((filter, page))
    }
}
