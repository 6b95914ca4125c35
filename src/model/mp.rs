//! The multiple-primary calculator's request and answer.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One tumor as the rules read it, by NAACCR item names.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MpTumorData {
    /// NAACCR #390, ISO 8601 at the precision known (`2021`, `2021-03`, `2021-03-15`).
    #[schema(example = "2021-03-15")]
    pub date_of_diagnosis: Option<String>,
    /// NAACCR #400, `C50.4` or `C504`.
    #[schema(example = "C50.4")]
    pub primary_site: Option<String>,
    /// NAACCR #522, four digits.
    #[schema(example = "8500")]
    pub histologic_type_icd_o3: Option<String>,
    /// NAACCR #523, 0–3.
    #[schema(example = "3")]
    pub behavior_code_icd_o3: Option<String>,
    /// NAACCR #410: 0 not paired, 1 right, 2 left, 3 side unknown, 4 bilateral, 5 midline, 9 unknown.
    #[schema(example = "2")]
    pub laterality: Option<String>,
}

/// Two tumors of one patient.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MpCompareRequest {
    pub tumor1: Option<MpTumorData>,
    pub tumor2: Option<MpTumorData>,
    /// `seer` or `iarc`; by default the rules of the registry's edit rule set (IARC/IACR's under
    /// `iarc`, SEER's otherwise).
    #[schema(example = "seer")]
    pub rules: Option<String>,
}

/// What the rules say.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MpAnswerData {
    /// The rules that answered, `seer` or `iarc` (on the calculator's answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<String>,
    /// `single`, `multiple`, or `questionable` (the items given cannot decide: review the record).
    #[schema(example = "multiple")]
    pub result: String,
    /// The rule module, e.g. `str_2018_and_later_breast`; empty when the two tumors fall in
    /// different modules or none covers one of them.
    pub module: String,
    /// The step that decided, e.g. `M7`.
    pub step: String,
    /// The rule in words.
    pub reason: String,
}

/// The rules' answer for a tumor and one other tumor of its patient.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MpComparisonData {
    /// The other tumor.
    pub tumor_id: String,
    /// Its primary site and morphology, in codes and words.
    pub site: String,
    pub morphology: String,
    #[serde(flatten)]
    pub answer: MpAnswerData,
}

/// Where a tumor stands among its patient's primaries by the registry's multiple-primary rules
/// (read-only; the rules never merge records: a tumor the rules call the same primary as an
/// earlier one also carries a review finding, `multiple-primary-same`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MpPlacementData {
    /// `seer` (Solid Tumor, MP/H and Hematopoietic rules) or `iarc` (IARC/IACR 2004), after the
    /// registry's edit rule set.
    #[schema(example = "seer")]
    pub rules: String,
    /// `new primary` or `same primary`.
    #[schema(example = "new primary")]
    pub result: String,
    /// The earlier tumor the rules call the same primary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_primary_as: Option<String>,
    /// The hospital sequence number (#560) the rules suggest: 00 (60) for the patient's only
    /// in situ or malignant (non-malignant) primary, else its place in order of diagnosis.
    #[schema(example = "02")]
    pub suggested_sequence_number: String,
    /// The answer for each other tumor of the patient whose site, histology, behavior and date
    /// of diagnosis are coded.
    pub comparisons: Vec<MpComparisonData>,
}

/// One tumor of a pair the batch check lists.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MpCheckTumor {
    pub id: String,
    /// Primary site in code and words.
    #[schema(example = "C50.4 Upper-outer quadrant of breast")]
    pub site: String,
    /// Morphology in code and words.
    #[schema(example = "8500/3 Infiltrating duct carcinoma, NOS")]
    pub morphology: String,
    pub diagnosis_year: Option<i32>,
    /// NAACCR #560 as stored.
    pub sequence_number_hospital: Option<String>,
}

/// Two stored tumors of one patient that the rules call one primary, or cannot decide on.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MpCheckPair {
    pub patient_id: String,
    /// NAACCR #20.
    pub patient_id_number: String,
    /// "Last, First", for the registrar's list.
    pub patient_name: String,
    /// The earlier diagnosis first.
    pub tumor1: MpCheckTumor,
    pub tumor2: MpCheckTumor,
    /// Over-ride Site/Lat/SeqNo (#2010) is set on one of them: a registrar reviewed the pair
    /// and kept both.
    pub reviewed: bool,
    #[serde(flatten)]
    pub answer: MpAnswerData,
}

/// The batch check: stored tumors the rules call one primary, and the pairs they cannot decide.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MpCheckReport {
    /// `seer` or `iarc`.
    pub rules: String,
    /// Patients with two or more tumors, at least one of them in the filter.
    pub patients_checked: u64,
    pub tumors_checked: u64,
    pub pairs_compared: u64,
    /// Pairs the rules call one primary.
    pub same_primary: u64,
    /// Pairs the items stored cannot decide.
    pub questionable: u64,
    /// Tumors left out because their site, histology, behavior or date of diagnosis is not
    /// coded (the edits list them).
    pub tumors_not_coded: u64,
    /// The pairs found, same-primary pairs first (at most `limit`).
    pub pairs: Vec<MpCheckPair>,
    /// More pairs were found than `limit`.
    pub truncated: bool,
}
