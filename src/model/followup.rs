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
    /// Why the task completed: `contact`, `died`, `not_followed` or `closed`.
    pub completed_reason: Option<String>,
    /// The step of the letter sequence the task is at (0 = no letter yet this round).
    pub letter_step: i32,
    /// Who the next letter goes to (`managing_physician`, `follow_up_physician`, `patient`), or
    /// null when the sequence is used up or the task is completed.
    pub next_letter: Option<String>,
    /// The patient and tumors, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worklist: Option<WorklistPatient>,
}

/// Closes a follow-up task without a contact (moved away, chart review found nothing to chase...).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskClosing {
    /// Why the task is closed, in a line (kept with the cancelled letters).
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Cancels or holds a letter, with an optional reason.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LetterActionBody {
    /// Why (kept with a cancelled letter).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub reason: Option<String>,
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
    /// `<cycle key>/letter/<step>`, with `/r<round>` from the second round.
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
    /// `queued`, `held`, `cancelled`, `sent`, `failed`, `printed` or `replied`.
    pub state: String,
    /// The day the letter was made (and is dated).
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
    /// The round of the letter sequence (0 first; a sequence used up starts again a year on).
    pub round: i32,
    /// Why a cancelled letter was cancelled.
    pub cancel_reason: Option<String>,
    /// The recipient's name as the letter is addressed.
    pub recipient_name: Option<String>,
    /// The postal address lines as the letter is addressed.
    pub recipient_address: Vec<String>,
    /// The patient and tumor the letter is about, for the print batch and the letter worklist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worklist: Option<WorklistPatient>,
}

/// Corrects the recipient of a letter before it is printed or sent.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecipientCorrection {
    /// The name the letter is addressed to.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Postal address lines (at most 5).
    #[serde(default)]
    #[schema(max_items = 5)]
    pub address: Vec<String>,
    /// The e-mail address (required for an e-mailed letter).
    #[serde(default)]
    pub email: Option<String>,
}

/// A checked recipient correction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    pub name: String,
    pub address: Vec<String>,
    pub email: Option<String>,
}

impl RecipientCorrection {
    pub fn parse(&self) -> Result<Recipient, Vec<crate::domain::Violation>> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, message: &str| {
            errors.push(crate::domain::Violation {
                field: field.into(),
                rule: "text.format",
                message: message.into(),
            })
        };
        let line_ok = |l: &str| l.chars().count() <= 100 && !l.chars().any(char::is_control);
        let name = self.name.trim().to_string();
        if name.is_empty() || !line_ok(&name) || self.name.chars().count() > 100 {
            bad("name", "the name is one line of 1 to 100 printable characters");
        }
        let address: Vec<String> =
            self.address.iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
        if self.address.len() > 5 || !address.iter().all(|l| line_ok(l)) {
            bad("address", "the address is at most 5 lines of at most 100 printable characters");
        }
        let email = self.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
        if email.is_some_and(|e| {
            !line_ok(e) || e.contains(' ') || e.split('@').filter(|p| !p.is_empty()).count() != 2
        }) {
            bad("email", "the e-mail address must look like name@example.org");
        }
        if errors.is_empty() {
            Ok(Recipient { name, address, email: email.map(String::from) })
        } else {
            Err(errors)
        }
    }
}

/// Who a worklist line is about, in words: enough to work from without opening the record.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorklistPatient {
    /// `Last, First`.
    pub name: String,
    pub patient_id_number: String,
    /// Partial ISO date.
    pub date_of_birth: Option<String>,
    /// The patient's date of last contact (partial ISO date).
    pub date_of_last_contact: Option<String>,
    /// `0` dead, `1` alive.
    pub vital_status: String,
    /// Each tumor's site and histology in words, e.g. `C50.4 Upper-outer quadrant of breast,
    /// 8500/3 Infiltrating duct carcinoma`.
    pub tumors: Vec<String>,
    /// The managing physician's name.
    pub managing_physician: Option<String>,
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
    /// The list behind each figure: `a`, `b`, `d`, `e` (each a URL of the patients endpoint).
    pub links: BTreeMap<String, String>,
    /// Patients with a case in the window who are left out, by reason.
    pub excluded: Vec<ExcludedLine>,
    /// The worksheet per year of diagnosis.
    pub years: Vec<WorksheetYear>,
}

/// Patients left out of a worksheet for one reason.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExcludedLine {
    /// `non_analytic`, `excluded_years`, `benign_or_borderline`, `cervix_in_situ`,
    /// `skin_basal_squamous`, `foreign_resident` or `over_max_age`.
    pub reason: String,
    pub description: String,
    pub count: u32,
    /// The patients behind the count.
    pub href: String,
}

/// One year of diagnosis on a worksheet.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorksheetYear {
    pub year: i32,
    pub a_eligible: u32,
    pub b_dead: u32,
    pub d_current: u32,
    pub e_lost: u32,
    /// (B + D) / A.
    pub follow_up_rate: Option<f64>,
    /// The list behind each figure of the year: `a`, `b`, `d`, `e`.
    pub links: BTreeMap<String, String>,
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

/// The registry as its letters present it: letterhead, reply address and signer. Every process
/// (server, jobs, command line) renders letters from this one stored copy.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegistrySettingsData {
    /// The registry's name, e.g. `Evergreen Cancer Registry`.
    #[schema(max_length = 100)]
    pub name: String,
    /// Street address lines under the name (at most 5).
    #[serde(default)]
    #[schema(max_items = 5)]
    pub address: Vec<String>,
    #[schema(max_length = 100)]
    pub phone: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub fax: Option<String>,
    /// Where replies go, when not the street address (at most 5 lines).
    #[serde(default)]
    #[schema(max_items = 5)]
    pub return_address: Vec<String>,
    /// Who signs the letters.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub signer_name: Option<String>,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub signer_title: Option<String>,
    /// Send it back in `If-Match` to change the settings (a request body may carry it back; it is
    /// not read).
    #[serde(default)]
    #[schema(read_only)]
    pub version: i32,
}

impl RegistrySettingsData {
    pub fn from_domain(l: &crate::domain::followup::Letterhead, version: i32) -> Self {
        Self {
            name: l.name.clone(),
            address: l.address.clone(),
            phone: l.phone.clone(),
            fax: l.fax.clone(),
            return_address: l.return_address.clone(),
            signer_name: l.signer_name.clone(),
            signer_title: l.signer_title.clone(),
            version,
        }
    }

    /// The letterhead, checked: a name and a phone, printable lines that fit a letter.
    pub fn to_domain(
        &self,
    ) -> Result<crate::domain::followup::Letterhead, Vec<crate::domain::Violation>> {
        let blank = |v: &Option<String>| {
            v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from)
        };
        let lines = |v: &[String]| -> Vec<String> {
            v.iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect()
        };
        // The limits the schema states hold for the text as sent, before it is tidied.
        let too_long = [
            ("name", Some(&self.name)),
            ("phone", Some(&self.phone)),
            ("fax", self.fax.as_ref()),
            ("signerName", self.signer_name.as_ref()),
            ("signerTitle", self.signer_title.as_ref()),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_some_and(|v| v.chars().count() > 100))
        .map(|(field, _)| (field, "is at most 100 characters"))
        .chain(
            [("address", &self.address), ("returnAddress", &self.return_address)]
                .into_iter()
                .filter(|(_, v)| v.len() > 5)
                .map(|(field, _)| (field, "has at most 5 lines")),
        )
        .map(|(field, what)| crate::domain::Violation {
            field: field.into(),
            rule: "text.format",
            message: format!("{field} {what}"),
        })
        .collect::<Vec<_>>();
        if !too_long.is_empty() {
            return Err(too_long);
        }
        let l = crate::domain::followup::Letterhead {
            name: self.name.trim().to_string(),
            address: lines(&self.address),
            phone: self.phone.trim().to_string(),
            fax: blank(&self.fax),
            return_address: lines(&self.return_address),
            signer_name: blank(&self.signer_name),
            signer_title: blank(&self.signer_title),
        };
        l.validate()?;
        Ok(l)
    }
}
