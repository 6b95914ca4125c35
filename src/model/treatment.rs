use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use chrono::{DateTime, Utc};

use super::{date, opt, opt_text, req, s};
use crate::domain::records::{Modality, Treatment, TreatmentCode};
use crate::domain::validation::{Violation, Violations};

/// One treatment of a tumor (first course or later).
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TreatmentData {
    /// Record id (read-only).
    #[schema(read_only, value_type = String)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Incremented on every update; send it back in `If-Match` (read-only).
    #[schema(read_only, value_type = i32)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    #[schema(read_only, value_type = String, format = DateTime)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[schema(read_only, value_type = String, format = DateTime)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// The tumor treated (read-only).
    #[schema(read_only, value_type = String)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tumor_id: Option<String>,
    /// surgery | radiation | chemotherapy | hormone | immunotherapy | transplantEndocrine | other
    #[schema(example = "chemotherapy")]
    #[schema(value_type = String, required = true, pattern = "^(surgery|radiation|chemotherapy|hormone|immunotherapy|transplantEndocrine|other)$")]
    pub modality: Option<String>,
    /// The NAACCR RX Summ code for the modality (rxSummSurgPrimSite, rxSummRadiation, rxSummChemo,
    /// rxSummHormone, rxSummBrm, rxSummTransplntEndocr, rxSummOther).
    #[schema(example = "03")]
    #[schema(value_type = String, required = true, pattern = "^([0-9]{1,2}|[AB][0-9]{3})$")]
    pub code: Option<String>,
    /// Part of the first course of treatment (default true).
    pub first_course: Option<bool>,
    #[schema(example = "2021-04-02")]
    #[schema(pattern = "^(18|19|20)[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$")]
    pub start_date: Option<String>,
    #[schema(pattern = "^(18|19|20)[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$")]
    pub end_date: Option<String>,
    /// Facility that gave the treatment.
    #[schema(max_length = 60)]
    pub facility: Option<String>,
    /// Free-text description.
    #[schema(max_length = 1000)]
    pub text: Option<String>,
}

impl TreatmentData {
    pub fn to_domain(&self) -> Result<Treatment, Vec<Violation>> {
        let mut v = Violations::new();
        let modality = req(&mut v, "modality", &self.modality, Modality::parse);
        let code = match modality {
            Some(m) => req(&mut v, "code", &self.code, |r| TreatmentCode::parse(m, r)),
            None => None,
        };
        let start_date = opt(&mut v, "startDate", &self.start_date, date);
        let end_date = opt(&mut v, "endDate", &self.end_date, date);
        let facility = opt_text(&mut v, "facility", &self.facility, 60);
        let note = opt_text(&mut v, "text", &self.text, 1000);
        let errors = v.into_vec();
        match (modality, code) {
            (Some(modality), Some(code)) if errors.is_empty() => Ok(Treatment {
                modality,
                code,
                first_course: self.first_course.unwrap_or(true),
                start_date,
                end_date,
                facility,
                text: note,
            }),
            _ => Err(errors),
        }
    }

    pub fn from_domain(t: &Treatment) -> Self {
        Self {
            modality: Some(t.modality.as_str().to_string()),
            code: Some(t.code.as_str().to_string()),
            first_course: Some(t.first_course),
            start_date: s(&t.start_date),
            end_date: s(&t.end_date),
            facility: t.facility.clone(),
            text: t.text.clone(),
            ..Self::default()
        }
    }
}
