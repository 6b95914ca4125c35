//! Row types: what the tables hold, read and written by `repo`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::*;
use super::stamp::Stamp;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = api_tokens, treat_none_as_default_value = false)]
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

/// A person who signs in to the web pages.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub failed_sign_ins: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub disabled_at: Option<NaiveDateTime>,
}

/// A signed-in session; `id` is the SHA-256 of the secret the cookie holds.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = sessions, treat_none_as_default_value = false)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
pub struct AuditEventRow {
    pub id: String,
    pub at: Stamp,
    pub actor_token_id: Option<String>,
    pub actor_name: String,
    /// `GET /api/v1/patients/{id}` for a request, the job or command's name otherwise.
    pub operation: String,
    /// The HTTP status answered; `None` for work outside a request.
    pub status: Option<i32>,
    /// The records returned or changed, JSON (`service::audit::Touched`).
    pub records: String,
}

#[derive(Queryable, Selectable, Insertable, AsChangeset, Clone, Debug)]
#[diesel(table_name = patients, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct PatientRow {
    pub id: String,
    pub version: i32,
    pub patient_id_number: String,
    pub name_search: String,
    pub date_of_last_contact: Option<String>,
    pub vital_status: String,
    pub data: String,
    pub created_at: Stamp,
    pub updated_at: Stamp,
    /// NAACCR items without a typed field, as a JSON object naaccrId → value (`None`: none).
    pub items: Option<String>,
    /// The patient's own edit findings as JSON (`None`: none), refreshed on every write of its records.
    pub findings: Option<String>,
    /// `clean`, `warnings` or `errors`: the patient's findings and its tumors' together.
    pub edit_status: String,
    /// The name of the token that created the record (kept on updates).
    #[diesel(skip_update)]
    pub created_by: String,
    /// The birth date as stored (partial ISO), for patient search.
    pub date_of_birth: Option<String>,
    /// The last four digits of the SSN, for patient search; the whole number stays in `data`.
    pub ssn_last_four: Option<String>,
}

#[derive(Queryable, Selectable, Insertable, AsChangeset, Clone, Debug)]
#[diesel(table_name = tumors, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct TumorRow {
    pub id: String,
    pub patient_id: String,
    pub version: i32,
    /// The filter columns are `None` while the item is not coded.
    pub primary_site: Option<String>,
    pub histology: Option<String>,
    pub behavior: Option<String>,
    pub diagnosis_year: Option<i32>,
    pub class_of_case: Option<String>,
    pub reporting_facility: Option<String>,
    pub data: String,
    /// Edit findings as JSON (`None`: none), refreshed on every write of the patient's records.
    pub findings: Option<String>,
    /// `clean`, `warnings` or `errors`.
    pub edit_status: String,
    pub created_at: Stamp,
    pub updated_at: Stamp,
    /// NAACCR items without a typed field, as a JSON object naaccrId → value (`None`: none).
    pub items: Option<String>,
    /// The name of the token that created the record (kept on updates).
    #[diesel(skip_update)]
    pub created_by: String,
}

#[derive(Queryable, Selectable, Insertable, AsChangeset, Clone, Debug)]
#[diesel(table_name = treatments, treat_none_as_default_value = false)]
pub struct TreatmentRow {
    pub id: String,
    pub tumor_id: String,
    pub version: i32,
    pub modality: String,
    pub data: String,
    pub created_at: Stamp,
    pub updated_at: Stamp,
    /// The name of the token that created the record (kept on updates).
    #[diesel(skip_update)]
    pub created_by: String,
}

#[derive(Queryable, Selectable, Insertable, AsChangeset, Clone, Debug)]
#[diesel(table_name = contacts, treat_none_as_default_value = false)]
pub struct ContactRow {
    pub id: String,
    pub patient_id: String,
    pub version: i32,
    pub contact_date: String,
    pub vital_status: String,
    pub data: String,
    pub created_at: Stamp,
    pub updated_at: Stamp,
    /// The name of the token that created the record (kept on updates).
    #[diesel(skip_update)]
    pub created_by: String,
}

/// A patient as the NAACCR readers need it (no timestamps to parse: diesel parses SQLite
/// timestamps by trying formats in turn, a tenth of an export's reading time).
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = patients)]
pub struct PatientState {
    pub id: String,
    pub version: i32,
    pub patient_id_number: String,
    pub date_of_last_contact: Option<String>,
    pub vital_status: String,
    pub data: String,
    pub items: Option<String>,
    pub findings: Option<String>,
    pub edit_status: String,
}

/// What an import changes of a stored patient.
#[derive(AsChangeset, Debug)]
#[diesel(table_name = patients, treat_none_as_null = true)]
pub struct PatientChange {
    pub version: i32,
    pub name_search: String,
    pub date_of_birth: Option<String>,
    pub ssn_last_four: Option<String>,
    pub date_of_last_contact: Option<String>,
    pub vital_status: String,
    pub data: String,
    pub items: Option<String>,
    pub findings: Option<String>,
    pub edit_status: String,
    pub updated_at: NaiveDateTime,
}

/// A tumor as the NAACCR readers need it.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = tumors)]
pub struct TumorState {
    pub id: String,
    pub patient_id: String,
    pub version: i32,
    pub data: String,
    pub items: Option<String>,
    pub findings: Option<String>,
    pub edit_status: String,
}

/// What an import changes of a stored tumor.
#[derive(AsChangeset, Debug)]
#[diesel(table_name = tumors, treat_none_as_null = true)]
pub struct TumorChange {
    pub version: i32,
    pub primary_site: Option<String>,
    pub histology: Option<String>,
    pub behavior: Option<String>,
    pub diagnosis_year: Option<i32>,
    pub class_of_case: Option<String>,
    pub reporting_facility: Option<String>,
    pub data: String,
    pub findings: Option<String>,
    pub edit_status: String,
    pub items: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// A treatment as the NAACCR readers need it.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = treatments)]
pub struct TreatmentState {
    pub id: String,
    pub tumor_id: String,
    pub version: i32,
    pub modality: String,
    pub data: String,
}

/// What an import changes of a stored treatment.
#[derive(AsChangeset, Debug)]
#[diesel(table_name = treatments)]
pub struct TreatmentChange {
    pub version: i32,
    pub data: String,
    pub updated_at: NaiveDateTime,
}

/// A contact as the NAACCR readers need it (no timestamps to parse).
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = contacts)]
pub struct ContactDoc {
    pub id: String,
    pub patient_id: String,
    pub contact_date: String,
    pub vital_status: String,
    pub data: String,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = contact_tumors, treat_none_as_default_value = false)]
pub struct ContactTumorRow {
    pub contact_id: String,
    pub tumor_id: String,
    pub cancer_status: String,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = edit_runs, treat_none_as_default_value = false)]
pub struct EditRunRow {
    pub id: String,
    pub started_at: NaiveDateTime,
    pub finished_at: NaiveDateTime,
    pub actor_name: String,
    pub rule_set: String,
    pub filters: String,
    pub tumors_checked: i64,
    pub tumors_failing: i64,
    pub counts: String,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = edit_run_failures, treat_none_as_default_value = false)]
pub struct EditRunFailureRow {
    pub run_id: String,
    pub tumor_id: String,
    pub patient_id: String,
    pub findings: String,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = submissions, treat_none_as_default_value = false)]
pub struct SubmissionRow {
    pub id: String,
    pub created_at: NaiveDateTime,
    pub actor_token_id: Option<String>,
    pub actor_name: String,
    pub record_type: String,
    pub naaccr_version: String,
    pub filters: String,
    pub patient_count: i64,
    pub tumor_count: i64,
    pub excluded_count: i64,
    pub byte_count: i64,
    pub sha256: String,
    pub file_name: String,
    /// JSON list of the values the file could not carry (`model::SkippedValues`).
    pub skipped: String,
    /// Set when an administrator voided the batch: its tumors count as not sent.
    pub voided_at: Option<NaiveDateTime>,
    pub voided_by: Option<String>,
    pub void_reason: Option<String>,
}

/// A patient's stored export form (see `formats::form`).
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = export_forms, treat_none_as_default_value = false)]
pub struct ExportFormRow {
    pub patient_id: String,
    pub form: Vec<u8>,
    pub passes: bool,
    pub checked_on: NaiveDate,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = submission_tumors, treat_none_as_default_value = false)]
pub struct SubmissionTumorRow {
    pub submission_id: String,
    pub tumor_id: String,
    pub tumor_version: i32,
    pub content_hash: String,
    pub included: bool,
    pub reasons: Option<String>,
}

/// One follow-up cycle of one patient (see `domain::followup::FollowUpTask`).
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = followup_tasks, treat_none_as_default_value = false)]
pub struct TaskRow {
    pub id: String,
    pub patient_id: String,
    pub cycle_key: String,
    pub last_contact: String,
    pub anchor_on: NaiveDate,
    pub due_on: NaiveDate,
    pub lost_on: NaiveDate,
    pub state: String,
    pub assignee: Option<String>,
    pub facility: Option<String>,
    pub version: i32,
    pub completed_by_contact_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The step of the letter sequence the task is at: letters made in its current round.
    pub letter_step: i32,
    /// Why the task completed (`contact`, `died`, `not_followed`, `closed`).
    pub completed_reason: Option<String>,
    /// The patient's name key (lower-case "last first"), for the worklist's name order.
    pub patient_name: String,
    /// The earliest day the next letter can be due; `None`: plan it on the next run.
    pub next_letter_on: Option<NaiveDate>,
}

/// A reminder letter: rendered once, then delivered from this outbox.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = letters, treat_none_as_default_value = false)]
pub struct LetterRow {
    pub id: String,
    pub task_id: String,
    pub patient_id: String,
    pub idempotency_key: String,
    pub step_index: i32,
    pub recipient: String,
    pub recipient_email: Option<String>,
    pub channel: String,
    pub template: String,
    pub subject: String,
    pub body: String,
    pub content_hash: String,
    pub state: String,
    pub send_on: NaiveDate,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
    pub printed_at: Option<NaiveDateTime>,
    pub replied_at: Option<NaiveDateTime>,
    pub reply_contact_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The round of the letter sequence (0 first; a used-up sequence starts again).
    pub round: i32,
    /// Why a cancelled letter was cancelled.
    pub cancel_reason: Option<String>,
    /// The recipient's name as addressed (a registrar may correct it before printing).
    pub recipient_name: Option<String>,
    /// The postal address lines as addressed, a JSON array.
    pub recipient_address: String,
    /// The letterhead the letter was rendered under, JSON: its PDF uses the same.
    pub letterhead: String,
}

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = job_runs, treat_none_as_default_value = false)]
pub struct JobRunRow {
    pub id: String,
    pub job: String,
    pub period: String,
    pub as_of: NaiveDate,
    pub triggered_by: String,
    pub holder: String,
    pub state: String,
    pub counts: String,
    pub error: Option<String>,
    pub started_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

/// One field an update or a deletion changed, or one creation (`field` `None`).
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = record_changes, treat_none_as_default_value = false)]
pub struct RecordChangeRow {
    pub id: String,
    /// `patient`, `tumor`, `treatment` or `contact`.
    pub entity: String,
    pub entity_id: String,
    pub patient_id: String,
    /// The record's version after the change (its last version for a deletion).
    pub version: i32,
    /// `create`, `update` or `delete`.
    pub action: String,
    pub at: Stamp,
    pub actor_token_id: Option<String>,
    pub actor_name: String,
    /// The JSON field (`physicianManaging.name`, `items.tumorSizeSummary`).
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// What a deleted tumor leaves for the next submission batch to report.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = tumor_tombstones, treat_none_as_default_value = false)]
pub struct TombstoneRow {
    pub tumor_id: String,
    pub patient_id: String,
    pub patient_id_number: String,
    pub reporting_facility: Option<String>,
    /// JSON object of the keys a receiver matches the tumor on (sequence and accession numbers).
    pub keys: String,
    pub deleted_at: NaiveDateTime,
    pub actor_name: String,
    /// The batch that reported it.
    pub reported_in: Option<String>,
}

/// One import of a file, kept with its report.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = imports, treat_none_as_default_value = false)]
pub struct ImportRow {
    pub id: String,
    pub created_at: NaiveDateTime,
    pub actor_token_id: Option<String>,
    pub actor_name: String,
    pub file_name: Option<String>,
    pub byte_count: i64,
    /// `completed` (the report says what was stored) or `refused` (the file as a whole).
    pub status: String,
    pub refused_reason: Option<String>,
    pub format: Option<String>,
    pub record_type: Option<String>,
    pub naaccr_version: Option<String>,
    pub patients_read: i64,
    pub patients_created: i64,
    pub patients_updated: i64,
    pub patients_unchanged: i64,
    pub patients_rejected: i64,
    pub tumors_read: i64,
    /// The report as JSON (`model::ImportReport`); `None` for a refused file.
    pub report: Option<String>,
    /// When the last batch was written.
    pub updated_at: Option<NaiveDateTime>,
    /// Set by a cancellation; the import stops after its current batch.
    pub cancel_requested: bool,
}

/// One stored setting of the registry (the letterhead), as JSON.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = registry_settings, treat_none_as_default_value = false)]
pub struct SettingRow {
    pub name: String,
    pub data: String,
    pub version: i32,
    pub updated_at: NaiveDateTime,
    pub updated_by: String,
}
