//! Query parameters of the list endpoints.

use serde::Deserialize;
use utoipa::IntoParams;

use super::problem::{ApiError, FieldError};
use crate::domain::RuleError;
use crate::domain::codes::{ClassOfCase, VitalStatus};
use crate::domain::edits::EditStatus;
use crate::domain::identifiers::{PatientIdNumber, digits};
use crate::service::{PageRequest, RecordFilter};

/// Cursor pagination.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// `nextCursor` of the previous page.
    #[param(pattern = "^[0-9a-fA-F-]{1,64}$")]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

impl PageParams {
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        if let Some(l) = self.limit
            && !(1..=500).contains(&l)
        {
            return Err(ApiError::bad_request("limit", "range", "limit must be between 1 and 500"));
        }
        Ok(PageRequest { cursor: self.cursor.clone(), limit: self.limit })
    }
}

/// Filters of the patient and tumor lists. Tumor filters select patients with a matching tumor.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `nextCursor` of the previous page.
    #[param(pattern = "^[0-9a-fA-F-]{1,64}$")]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Lowest primary site, e.g. `C50.0`.
    #[param(pattern = "^[Cc][0-9]{2}[.]?[0-9]$")]
    pub site_from: Option<String>,
    /// Highest primary site, e.g. `C50.9`.
    #[param(pattern = "^[Cc][0-9]{2}[.]?[0-9]$")]
    pub site_to: Option<String>,
    /// Histologic type, 4 digits.
    #[param(pattern = "^[89][0-9]{3}$")]
    pub histology: Option<String>,
    /// First year of diagnosis.
    #[param(minimum = 1800, maximum = 2099)]
    pub dx_year_from: Option<i32>,
    /// Last year of diagnosis.
    #[param(minimum = 1800, maximum = 2099)]
    pub dx_year_to: Option<i32>,
    #[param(pattern = "^(00|1[0-4]|2[0-2]|3[0-8]|4[0-3]|49|99)$")]
    pub class_of_case: Option<String>,
    /// Reporting facility.
    #[param(pattern = r"^[^\u0000-\u001F]*$")]
    pub facility: Option<String>,
    /// 0 dead, 1 alive.
    #[param(pattern = "^[01]$")]
    pub vital_status: Option<String>,
    #[param(pattern = "^[0-9]{1,8}$")]
    pub patient_id_number: Option<String>,
    /// Prefix of the last name, or of "last first".
    #[param(pattern = r"^[^\u0000-\u001F]*$")]
    pub name: Option<String>,
    /// The listed records' edit status: `clean`, `warnings` or `errors` (a patient's counts its
    /// tumors' findings too).
    #[param(pattern = "^(clean|warnings|errors)$")]
    pub edit_status: Option<String>,
}

/// A range bound need not be a codable site (C61.1 bounds a range as well as C61.9): only the shape
/// is checked, and the dot dropped.
fn site_bound(raw: &str) -> Result<String, RuleError> {
    let compact: String =
        raw.chars().filter(|c| *c != '.').collect::<String>().to_ascii_uppercase();
    let ok = compact.len() == 4
        && compact.starts_with('C')
        && compact.bytes().skip(1).all(|b| b.is_ascii_digit());
    if ok {
        Ok(compact)
    } else {
        Err(RuleError::new("code.format", "a site bound looks like C50.0 or C500"))
    }
}

/// A query value, with blank meaning "not given".
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ListParams {
    pub fn parse(&self) -> Result<(RecordFilter, PageRequest), ApiError> {
        let mut errors = Vec::new();
        let mut code =
            |field: &str, raw: &Option<String>, parse: fn(&str) -> Result<String, RuleError>| {
                raw.as_deref().and_then(|s| match parse(s.trim()) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        errors.push(FieldError {
                            field: field.into(),
                            rule: e.rule.into(),
                            message: e.message,
                            ..FieldError::default()
                        });
                        None
                    }
                })
            };
        let filter = RecordFilter {
            site_from: code("siteFrom", &self.site_from, site_bound),
            site_to: code("siteTo", &self.site_to, site_bound),
            histology: code("histology", &self.histology, |s| digits(s, 4, 4)),
            dx_year_from: self.dx_year_from,
            dx_year_to: self.dx_year_to,
            class_of_case: code("classOfCase", &self.class_of_case, |s| {
                ClassOfCase::parse(s).map(|t| t.to_string())
            }),
            facility: given(&self.facility).map(str::to_string),
            vital_status: code("vitalStatus", &self.vital_status, |s| {
                VitalStatus::parse(s).map(|t| t.to_string())
            }),
            patient_id_number: code("patientIdNumber", &self.patient_id_number, |s| {
                PatientIdNumber::parse(s).map(|t| t.to_string())
            }),
            name_prefix: given(&self.name).map(str::to_lowercase),
            edit_status: code("editStatus", &self.edit_status, |s| {
                EditStatus::parse(s).map(|e| e.as_str().to_string()).ok_or_else(|| {
                    RuleError::new("code.unknown", "editStatus is clean, warnings or errors")
                })
            }),
        };
        for (field, year) in [("dxYearFrom", self.dx_year_from), ("dxYearTo", self.dx_year_to)] {
            if year.is_some_and(|y| !(1800..=2099).contains(&y)) {
                errors.push(FieldError {
                    field: field.into(),
                    rule: "range".into(),
                    message: "a year between 1800 and 2099".into(),
                    ..FieldError::default()
                });
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::BadRequest(errors));
        }
        let page = PageParams { cursor: self.cursor.clone(), limit: self.limit }.page()?;
        Ok((filter, page))
    }
}

/// A `YYYY-MM-DD` query value: 400 naming the parameter when it is not written so, 422 when it is but
/// no such day exists (2026-02-30).
pub fn parse_date(field: &str, raw: &str) -> Result<chrono::NaiveDate, ApiError> {
    let raw = raw.trim();
    let b = raw.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err(ApiError::bad_request(
            field,
            "date.format",
            "a date written YYYY-MM-DD, e.g. 2026-06-30",
        ));
    }
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        ApiError::Invalid(vec![FieldError::new(
            field,
            "date.invalid",
            "no such day in the calendar",
        )])
    })
}
