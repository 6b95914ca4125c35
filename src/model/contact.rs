use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use chrono::{DateTime, Utc};

use super::{date, opt, opt_text, present, req, s};
use crate::domain::codes::{CancerStatus, FollowUpSource, NextFollowUpSource, VitalStatus};
use crate::domain::records::{CauseOfDeath, Contact, TumorStatus};
use crate::domain::validation::{Violation, Violations};

/// The cancer status of one tumor at a contact.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TumorStatusData {
    #[schema(value_type = String, required = true)]
    pub tumor_id: Option<String>,
    /// NAACCR #1770: 1 no evidence, 2 evidence, 9 unknown.
    #[schema(example = "1")]
    #[schema(value_type = String, required = true, pattern = "^[129]$")]
    pub cancer_status: Option<String>,
}

/// One follow-up contact.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactData {
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
    /// The patient contacted (read-only).
    #[schema(read_only, value_type = String)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient_id: Option<String>,
    /// The date the patient was last known alive (or died), as given by the source.
    #[schema(example = "2022-05-10")]
    #[schema(value_type = String, required = true, pattern = "^(18|19|20)[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$")]
    pub contact_date: Option<String>,
    /// NAACCR #1760: 0 dead, 1 alive.
    #[schema(example = "1")]
    #[schema(value_type = String, required = true, pattern = "^[01]$")]
    pub vital_status: Option<String>,
    /// NAACCR #1790.
    #[schema(example = "2")]
    #[schema(value_type = String, required = true, pattern = "^[0-57-9]$")]
    pub follow_up_source: Option<String>,
    /// NAACCR #1800.
    #[schema(example = "1")]
    #[schema(pattern = "^[0-58-9]$")]
    pub next_follow_up_source: Option<String>,
    /// NAACCR #1910, only when dead: ICD-10 code without the dot, 7777 or 7797.
    #[schema(pattern = "^[A-Z0-9][0-9]{2}[.]?[0-9]$")]
    pub cause_of_death: Option<String>,
    /// Cancer status of each of the patient's tumors the contact reports on.
    pub tumors: Option<Vec<TumorStatusData>>,
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

impl ContactData {
    pub fn to_domain(&self) -> Result<Contact, Vec<Violation>> {
        let mut v = Violations::new();
        let contact_date = req(&mut v, "contactDate", &self.contact_date, date);
        let vital = req(&mut v, "vitalStatus", &self.vital_status, VitalStatus::parse);
        let source = req(&mut v, "followUpSource", &self.follow_up_source, FollowUpSource::parse);
        let next = opt(
            &mut v,
            "nextFollowUpSource",
            &self.next_follow_up_source,
            NextFollowUpSource::parse,
        );
        // A cause of death on a contact recording the patient alive is an edit finding
        // (vital-status-cause-of-death), not a refusal.
        let cause = opt(&mut v, "causeOfDeath", &self.cause_of_death, CauseOfDeath::parse);
        let mut tumors = Vec::new();
        for (i, t) in self.tumors.iter().flatten().enumerate() {
            let id = present(&t.tumor_id).map(str::to_string);
            if id.is_none() {
                v.push(format!("tumors[{i}].tumorId"), "required", "tumorId is required");
            }
            if tumors.iter().any(|x: &TumorStatus| Some(&x.tumor_id) == id.as_ref()) {
                v.push(format!("tumors[{i}].tumorId"), "duplicate", "the tumor is listed twice");
            }
            let status = req(
                &mut v,
                &format!("tumors[{i}].cancerStatus"),
                &t.cancer_status,
                CancerStatus::parse,
            );
            if let (Some(tumor_id), Some(cancer_status)) = (id, status) {
                tumors.push(TumorStatus { tumor_id, cancer_status });
            }
        }
        let note = opt_text(&mut v, "note", &self.note, 1000);
        let errors = v.into_vec();
        match (contact_date, vital, source) {
            (Some(contact_date), Some(vital_status), Some(follow_up_source))
                if errors.is_empty() =>
            {
                Ok(Contact {
                    contact_date,
                    vital_status,
                    follow_up_source,
                    next_follow_up_source: next,
                    cause_of_death: cause,
                    tumors,
                    note,
                })
            }
            _ => Err(errors),
        }
    }

    pub fn from_domain(c: &Contact) -> Self {
        Self {
            contact_date: Some(c.contact_date.to_string()),
            vital_status: Some(c.vital_status.to_string()),
            follow_up_source: Some(c.follow_up_source.to_string()),
            next_follow_up_source: s(&c.next_follow_up_source),
            cause_of_death: c.cause_of_death.as_ref().map(|x| x.as_str().to_string()),
            tumors: Some(
                c.tumors
                    .iter()
                    .map(|t| TumorStatusData {
                        tumor_id: Some(t.tumor_id.clone()),
                        cancer_status: Some(t.cancer_status.to_string()),
                    })
                    .collect(),
            ),
            note: c.note.clone(),
            ..Self::default()
        }
    }
}
