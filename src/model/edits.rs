use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::edits::{EditDef, Finding, RuleSet, Severity};

fn severity(s: Severity) -> String {
    severity_str(s).to_string()
}

fn severity_str(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Review => "review",
        Severity::Warning => "warning",
    }
}

fn rule_set(r: RuleSet) -> String {
    match r {
        RuleSet::Naaccr => "naaccr",
        RuleSet::Iarc => "iarc",
        RuleSet::Both => "both",
    }
    .to_string()
}

/// One failed edit on one tumor, in plain words.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EditFindingData {
    /// Stable edit id (see `GET /api/v1/edits`).
    pub edit_id: String,
    /// error (must be fixed), review (accept with the override flag) or warning.
    pub severity: String,
    /// NAACCR ids of the items involved.
    pub fields: Vec<String>,
    pub message: String,
    /// A review finding accepted with its override flag.
    pub overridden: bool,
}

impl EditFindingData {
    pub fn severity_name(s: Severity) -> String {
        severity(s)
    }
}

/// A finding as stored beside its record: the shape of [`EditFindingData`], borrowed (an import
/// stores one list per record it writes).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredFinding<'a> {
    edit_id: &'a str,
    severity: &'static str,
    fields: &'a [String],
    message: &'a str,
    overridden: bool,
}

impl<'a> From<&'a Finding> for StoredFinding<'a> {
    fn from(f: &'a Finding) -> Self {
        Self {
            edit_id: f.edit_id,
            severity: severity_str(f.severity),
            fields: &f.fields,
            message: &f.message,
            overridden: f.overridden,
        }
    }
}

impl From<&Finding> for EditFindingData {
    fn from(f: &Finding) -> Self {
        Self {
            edit_id: f.edit_id.to_string(),
            severity: severity(f.severity),
            fields: f.fields.clone(),
            message: f.message.clone(),
            overridden: f.overridden,
        }
    }
}

/// An edit of the catalogue.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EditDefData {
    pub id: String,
    pub name: String,
    pub severity: String,
    pub fields: Vec<String>,
    /// NAACCR id of the flag that accepts a review finding.
    pub override_flag: Option<String>,
    /// naaccr, iarc or both
    pub rule_set: String,
    pub description: String,
}

impl From<&EditDef> for EditDefData {
    fn from(d: &EditDef) -> Self {
        Self {
            id: d.id.to_string(),
            name: d.name.to_string(),
            severity: severity(d.severity),
            fields: d.fields.iter().map(ToString::to_string).collect(),
            override_flag: d.override_flag.map(str::to_string),
            rule_set: rule_set(d.rule_set),
            description: d.description.to_string(),
        }
    }
}

/// The current findings on one tumor.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TumorEdits {
    pub tumor_id: String,
    pub rule_set: String,
    pub findings: Vec<EditFindingData>,
}

/// What a batch edit run covers.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EditRunRequest {
    /// naaccr, iarc or both (default: the service's setting).
    #[schema(pattern = "^(naaccr|iarc|both)$")]
    pub rule_set: Option<String>,
    /// Only tumors of this reporting facility.
    #[schema(max_length = 10)]
    pub facility: Option<String>,
    #[schema(minimum = 1800, maximum = 2099)]
    #[serde(default, deserialize_with = "whole_number")]
    pub dx_year_from: Option<i32>,
    #[schema(minimum = 1800, maximum = 2099)]
    #[serde(default, deserialize_with = "whole_number")]
    pub dx_year_to: Option<i32>,
}

/// JSON Schema counts `1992.0` as an integer, so a whole number written with a fraction is accepted.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    use serde::de::Error;
    match Option::<f64>::deserialize(d)? {
        None => Ok(None),
        Some(v) if v.fract() == 0.0 && v >= f64::from(i32::MIN) && v <= f64::from(i32::MAX) => {
            Ok(Some(v as i32))
        }
        Some(_) => Err(D::Error::custom("expected a whole number")),
    }
}

/// How often one edit failed in a run.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EditCount {
    pub edit_id: String,
    pub severity: String,
    /// Tumors with this finding (accepted overrides excluded).
    pub count: i64,
}

/// A batch edit run and its counts; the failing tumors are paged at `/edits/runs/{id}/failures`.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EditRunData {
    pub id: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub rule_set: String,
    pub filters: EditRunRequest,
    pub tumors_checked: i64,
    /// Tumors with at least one error or unaccepted review finding.
    pub tumors_failing: i64,
    pub counts: Vec<EditCount>,
}

/// One failing tumor of a run.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EditRunFailure {
    pub tumor_id: String,
    pub patient_id: String,
    pub findings: Vec<EditFindingData>,
}

/// Parses a rule set name.
pub fn parse_rule_set(raw: &str) -> Option<RuleSet> {
    match raw {
        "naaccr" => Some(RuleSet::Naaccr),
        "iarc" => Some(RuleSet::Iarc),
        "both" => Some(RuleSet::Both),
        _ => None,
    }
}

pub fn rule_set_name(r: RuleSet) -> String {
    rule_set(r)
}
