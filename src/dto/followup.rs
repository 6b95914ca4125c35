//! JSON shapes of annual follow-up: worklist tasks, letters, job runs and the follow-up rate report.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One follow-up cycle of one patient on the worklist.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskData {
    pub id: String,
    pub patient_id: String,
    /// `<patient id>/<anchor day>`: unique per patient and cycle.
    pub cycle_key: String,
    /// The date of last contact the cycle counts from (partial ISO date).
    pub date_of_last_contact: String,
    /// First day the patient is due.
    pub due_on: NaiveDate,
    /// First day the patient counts as lost.
    pub lost_on: NaiveDate,
    /// `open`, `in_progress`, `completed` or `lost`.
    #[schema(pattern = "^(open|in_progress|completed|lost)$")]
    pub state: String,
    pub assignee: Option<String>,
    /// Reporting facility of the followed tumor.
    pub facility: Option<String>,
    /// Send it back in `If-Match` to assign.
    pub version: i32,
    /// The contact that completed the cycle.
    pub completed_by_contact_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Assign a task to a registrar, or clear the assignment with `null`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Assignment {
    /// The registrar's user name (1–100 letters, digits, spaces or `. _ @ -`), or null.
    #[schema(max_length = 100, pattern = "^[A-Za-z0-9 ._@-]{1,100}$")]
    pub assignee: Option<String>,
}

/// A reminder letter and where it stands.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LetterData {
    pub id: String,
    pub task_id: String,
    pub patient_id: String,
    /// `<cycle key>/letter/<step>`.
    pub idempotency_key: String,
    /// `managing_physician`, `follow_up_physician` or `patient`.
    pub recipient: String,
    /// Where an e-mailed letter goes.
    pub recipient_email: Option<String>,
    /// `email` or `print`.
    pub channel: String,
    /// `physician`, `other_physician`, `patient` or `patient_second`.
    pub template: String,
    pub subject: String,
    /// SHA-256 of subject and body as rendered.
    pub content_hash: String,
    /// `queued`, `sent`, `failed`, `printed` or `replied`.
    pub state: String,
    /// The day the letter is due to go out.
    pub send_on: NaiveDate,
    /// Delivery attempts so far (e-mail).
    pub attempts: i32,
    /// Why the last attempt failed (a `failed` letter's reason).
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub printed_at: Option<DateTime<Utc>>,
    pub replied_at: Option<DateTime<Utc>>,
    /// The contact recorded from the reply.
    pub reply_contact_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One run of a scheduled job.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobRunData {
    pub id: String,
    /// `generate-tasks`, `send-letters` or `mark-lost`.
    pub job: String,
    /// The scheduled tick (`2026-06-30T01:00`) or `manual/<id>`.
    pub period: String,
    pub as_of: NaiveDate,
    /// `schedule` or `manual`.
    pub triggered_by: String,
    /// The instance that ran it.
    pub holder: String,
    /// `running`, `succeeded` or `failed`.
    pub state: String,
    /// What the run did, e.g. `{"examined": 120, "created": 7}`.
    pub counts: BTreeMap<String, i64>,
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A patient behind line E (lost to follow-up).
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LostPatient {
    pub id: String,
    pub patient_id_number: String,
    /// The patient resource.
    pub href: String,
}

/// One population of the CoC worksheet.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorksheetData {
    /// First day of diagnosis counted.
    pub diagnosed_from: NaiveDate,
    /// A: eligible analytic patients.
    pub a_eligible: u32,
    /// B: of A, dead.
    pub b_dead: u32,
    /// C = A − B: living.
    pub c_living: u32,
    /// D: of C, a contact within 15 months of the report day.
    pub d_current: u32,
    /// E = C − D: lost to follow-up.
    pub e_lost: u32,
    /// (B + D) / A; null when A is 0.
    pub follow_up_rate: Option<f64>,
    /// E / A; null when A is 0.
    pub lost_rate: Option<f64>,
    pub target_percent: u8,
    pub meets_target: bool,
    /// The patients behind E.
    pub lost: Vec<LostPatient>,
}

/// The CoC follow-up rates on one day.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FollowUpRateReport {
    pub as_of: NaiveDate,
    /// The registry's reference date (setting).
    pub reference_date: NaiveDate,
    pub facility: Option<String>,
    /// All eligible cases since the reference date (target 80%).
    pub all_since_reference: WorksheetData,
    /// Cases of the last five years or since the reference date, whichever is shorter (target 90%).
    pub last_five_years: WorksheetData,
}

/// A contact recorded against a task: the task and the new contact.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskContactResult {
    pub task: TaskData,
    pub contact: super::ContactData,
}
