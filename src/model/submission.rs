use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A request for a submission batch.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubmissionRequest {
    /// NAACCR record type: A full abstract, C confidential, I incidence (no confidential item).
    #[schema(example = "I")]
    #[schema(value_type = String, required = true, pattern = "^[ACI]$")]
    pub record_type: Option<String>,
    /// NAACCR version of a built-in dictionary written with NAACCR XML 1.8 (250 or 260 in this
    /// release; a dictionary added to the data is accepted without a code change).
    #[schema(example = "260")]
    #[schema(value_type = String, required = true, pattern = "^[0-9]{3}$")]
    pub naaccr_version: Option<String>,
    /// Only tumors of this reporting facility (#540).
    #[schema(min_length = 1, max_length = 10)]
    pub reporting_facility: Option<String>,
    /// Only tumors diagnosed on or after this date (ISO, at any precision).
    #[schema(example = "2021-01-01")]
    #[schema(pattern = "^(18|19|20)[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$")]
    pub dx_from: Option<String>,
    /// Only tumors diagnosed on or before this date.
    #[schema(pattern = "^(18|19|20)[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$")]
    pub dx_to: Option<String>,
    /// Only tumors new or changed since they were last sent in a batch of the same record type and
    /// NAACCR version (default false): other kinds of batch, such as an ad-hoc A file, do not count.
    pub changed_since_last: Option<bool>,
    /// Also send tumors that fail an error-level edit (default false: they are listed and left out).
    pub include_failing: Option<bool>,
}

/// The filters a batch was made with.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionFilters {
    pub reporting_facility: Option<String>,
    pub dx_from: Option<String>,
    pub dx_to: Option<String>,
    pub changed_since_last: bool,
    pub include_failing: bool,
}

/// Why a tumor was left out: an error-level edit.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExcludedReason {
    pub edit_id: String,
    pub message: String,
}

/// A tumor a batch left out.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExcludedTumor {
    pub tumor_id: String,
    pub reasons: Vec<ExcludedReason>,
}

/// A submission batch.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubmissionData {
    pub id: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    /// Name of the token (or job) that made the batch.
    pub created_by: String,
    pub record_type: String,
    pub naaccr_version: String,
    pub filters: SubmissionFilters,
    pub patient_count: i64,
    pub tumor_count: i64,
    /// Tumors left out because an error-level edit failed.
    pub excluded_count: i64,
    /// Size of the XML file.
    pub byte_count: i64,
    /// SHA-256 of the XML file (uncompressed), hex.
    pub sha256: String,
    pub file_name: String,
    /// The tumors left out with their reasons (first 1000; on the batch itself, not in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded: Option<Vec<ExcludedTumor>>,
    /// Values the file could not carry, per item and reason (empty when every value was written).
    /// Items the record type leaves out by design (names in an I file) are not listed.
    pub skipped: Vec<SkippedValues>,
    /// Tumors deleted since the last batch, for the central registry to remove (on the batch
    /// itself, not in lists): NAACCR XML has no deletion record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<Vec<DeletedTumor>>,
    /// Set when an administrator voided the batch: its tumors count as not sent.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub voided_at: Option<DateTime<Utc>>,
    pub voided_by: Option<String>,
    pub void_reason: Option<String>,
}

/// A tumor deleted from the registry, as a batch reports it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeletedTumor {
    pub tumor_id: String,
    /// NAACCR #20 of its patient.
    pub patient_id_number: String,
    /// The numbers a receiver knows the tumor by: sequence numbers, accession number, site and
    /// date of diagnosis as they were.
    #[schema(value_type = Object)]
    pub keys: serde_json::Value,
    #[schema(value_type = String, format = DateTime)]
    pub deleted_at: DateTime<Utc>,
}

/// Why a batch is voided.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VoidRequest {
    /// In words, e.g. "the central registry did not receive the file".
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Values of one item left out of a batch's file for one reason.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SkippedValues {
    pub naaccr_id: String,
    /// `tooLong` (longer than the item's length), `duplicate` (the item given twice for one
    /// record; the first was written), `wrongLevel` or `unknownId` (not an item of the version).
    pub reason: String,
    pub count: u64,
}

/// One problem with one record of an imported file.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportProblem {
    /// `Patient`, `Tumor` or `NaaccrData`.
    pub level: String,
    /// Index of the tumor within its patient (0-based) for tumor-level problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tumor: Option<usize>,
    /// The NAACCR item concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub naaccr_id: Option<String>,
    /// Stable rule name, e.g. `item.unknown`, `value.tooLong`, `code.unknown`, `edit.N-site-morph-seer`.
    pub rule: String,
    /// What happened: `rejected` (the patient was not imported), `dropped` (the value was not kept),
    /// `kept` (the value cannot be a value of its field: it is kept as read in the record's item
    /// map, the field stays empty, and the record's findings flag it until it is coded again) or
    /// `reported` (stored as read; an edit finding or a remark on the file).
    pub outcome: String,
    pub message: String,
}

/// What happened to one patient of the file (only patients with problems are listed).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportRecord {
    /// Position of the patient in the file (0-based).
    pub index: u64,
    /// The patient id number (#20) as read, when present.
    pub patient_id_number: Option<String>,
    /// `created`, `updated`, `unchanged` or `rejected`.
    pub status: String,
    pub problems: Vec<ImportProblem>,
}

/// Tumors of a file matched to stored tumors, by key: within the patient (matched on #20), the
/// hospital sequence number with the accession number, else the central sequence number, else the
/// tumor record number.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TumorsMatched {
    /// On Sequence Number--Hospital (#560), and Accession Number--Hosp (#550) where both have one.
    pub sequence_number_hospital: u64,
    /// On Sequence Number--Central (#380).
    pub sequence_number_central: u64,
    /// On Tumor Record Number (#60).
    pub tumor_record_number: u64,
}

impl TumorsMatched {
    /// Adds counts in the order hospital, central, tumor record number.
    pub fn add(&mut self, counts: &[u64; 3]) {
        self.sequence_number_hospital += counts[0];
        self.sequence_number_central += counts[1];
        self.tumor_record_number += counts[2];
    }
}

/// The report of an import.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// The import's id (`GET /api/v1/imports/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Why the file was refused as a whole, or why the import stopped part-way (the patients
    /// before stay stored; send the repaired file again to complete it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// `running`, `completed`, `cancelled`, `stopped` (a fatal error after some patients were
    /// stored), `interrupted` (the process ended), `failed` or `refused`.
    #[serde(default)]
    pub status: String,
    /// `xml` or `flat`.
    pub format: String,
    pub record_type: String,
    pub naaccr_version: String,
    pub patients_read: u64,
    pub tumors_read: u64,
    pub patients_created: u64,
    pub patients_updated: u64,
    pub patients_unchanged: u64,
    pub patients_rejected: u64,
    pub tumors_created: u64,
    pub tumors_updated: u64,
    /// The file's tumors that matched a stored tumor of their patient, by the key that matched.
    pub tumors_matched: TumorsMatched,
    /// Problems found in the file header (root items and attributes).
    pub header_problems: Vec<ImportProblem>,
    /// Patients with problems (first 1000).
    pub records: Vec<ImportRecord>,
}

/// One import as kept: who, when, which file, and what came of it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportData {
    pub id: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    /// Name of the token (or `cli`) that imported it.
    pub created_by: String,
    /// The file's name, when known (a form upload, the CLI).
    pub file_name: Option<String>,
    pub byte_count: i64,
    /// `running` (the counts say how far it got), `completed` (see the report), `cancelled`,
    /// `stopped` (a fatal error part-way, see `refusedReason`; what came before is stored),
    /// `interrupted` (the process ended while it ran), `failed`, or `refused` (the file as a whole,
    /// see `refusedReason`). A stopped, cancelled or interrupted import completes when the same
    /// file is sent again.
    pub status: String,
    pub refused_reason: Option<String>,
    /// `xml` or `flat`.
    pub format: Option<String>,
    pub record_type: Option<String>,
    pub naaccr_version: Option<String>,
    pub patients_read: i64,
    pub patients_created: i64,
    pub patients_updated: i64,
    pub patients_unchanged: i64,
    pub patients_rejected: i64,
    pub tumors_read: i64,
    /// When the last batch was written (a running import's heartbeat).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated_at: Option<DateTime<Utc>>,
}
