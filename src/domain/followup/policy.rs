//! The settings of annual follow-up. The cancer committee sets intervals, letters and
//! targets, so every number lives here with the common default.

use serde::{Deserialize, Serialize};

use crate::domain::validation::RuleError;

/// Who a letter step is addressed to (SEER FU process: physicians first, the patient last).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// The managing physician (#2460).
    ManagingPhysician,
    /// The follow-up physician (#2470), the "other physician" of the sequence.
    FollowUpPhysician,
    /// The patient (never when the no-patient-contact flag is 1).
    Patient,
    /// The follow-up physician when one is known, otherwise the patient.
    FollowUpPhysicianOrPatient,
}

/// How a step prefers to reach its recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelPreference {
    /// A printed letter to the postal address.
    Print,
    /// E-mail only; without an e-mail address the step is skipped.
    Email,
    /// E-mail when an address is known, otherwise a printed letter.
    EmailElsePrint,
}

/// One mailing of the letter sequence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterStep {
    /// Who the step writes to.
    pub recipient: Recipient,
    /// Days after the due date; steps must be in non-decreasing order.
    pub offset_days_after_due: i64,
    /// How the letter goes.
    pub channel: ChannelPreference,
}

/// Diagnosis years whose cases need no follow-up (inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearRange {
    /// First excluded year.
    pub first: u16,
    /// Last excluded year.
    pub last: u16,
}

impl YearRange {
    /// Whether `year` is in the range.
    pub fn contains(&self, year: u16) -> bool {
        (self.first..=self.last).contains(&year)
    }
}

/// Follow-up settings. Deserialize from a config file; missing fields take the defaults below.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FollowUpPolicy {
    /// A follow-up task opens this many months after the date of last contact (default 12).
    pub due_after_months: u32,
    /// Without a new contact the patient counts as lost after this many months (default 15).
    pub lost_after_months: u32,
    /// The mailings of one cycle, in order.
    pub letters: Vec<LetterStep>,
    /// Cases diagnosed in these years are not followed (CoC since March 2021: 1988–2004).
    pub excluded_diagnosis_years: Option<YearRange>,
    /// Living patients older than this (whole years) are not followed (default 100).
    pub max_age_years: u16,
    /// Target of the rate for the last five years or since the reference date (default 90).
    pub target_percent_recent: u8,
    /// Target of the rate for all cases since the reference date (default 80).
    pub target_percent_all: u8,
    /// A sequence used up without an answer starts again this many days after its first letter
    /// (lost patients are retried periodically; default 365). `None`: the task waits for a
    /// registrar (a contact, or closing it).
    pub repeat_sequence_after_days: Option<u32>,
    /// Most paper letters made on one day (default 250): a backlog is spread over the days that
    /// follow, oldest tasks first. `None`: no limit.
    pub daily_print_cap: Option<u32>,
    /// Whether letters to patients may name the diagnosis (default false: "your condition").
    pub patient_letters_name_diagnosis: bool,
}

impl Default for FollowUpPolicy {
    fn default() -> Self {
        Self {
            due_after_months: 12,
            lost_after_months: 15,
            letters: default_letters(),
            excluded_diagnosis_years: Some(YearRange { first: 1988, last: 2004 }),
            max_age_years: 100,
            target_percent_recent: 90,
            target_percent_all: 80,
            repeat_sequence_after_days: Some(365),
            daily_print_cap: Some(250),
            patient_letters_name_diagnosis: false,
        }
    }
}

/// Managing physician at the due date; the follow-up physician (or the patient when there is none)
/// 30 days later; a second patient letter 30 days after that. The managing physician takes e-mail
/// when known; the steps that may reach the patient go on paper, because an e-mail from a cancer
/// registry can be read by whoever shares the inbox.
pub fn default_letters() -> Vec<LetterStep> {
    vec![
        LetterStep {
            recipient: Recipient::ManagingPhysician,
            offset_days_after_due: 0,
            channel: ChannelPreference::EmailElsePrint,
        },
        LetterStep {
            recipient: Recipient::FollowUpPhysicianOrPatient,
            offset_days_after_due: 30,
            channel: ChannelPreference::Print,
        },
        LetterStep {
            recipient: Recipient::Patient,
            offset_days_after_due: 60,
            channel: ChannelPreference::Print,
        },
    ]
}

impl FollowUpPolicy {
    /// Rejects settings that cannot work: lost before due, letters out of order, targets over 100%.
    pub fn validate(&self) -> Result<(), RuleError> {
        if self.due_after_months == 0 || self.lost_after_months <= self.due_after_months {
            return Err(RuleError::new(
                "followUp.policy",
                "lost_after_months must be greater than due_after_months, which must be at least 1",
            ));
        }
        if self.letters.windows(2).any(|w| w[1].offset_days_after_due < w[0].offset_days_after_due)
        {
            return Err(RuleError::new(
                "followUp.policy",
                "letter steps must be in order of offset_days_after_due",
            ));
        }
        if let Some(r) = self.excluded_diagnosis_years
            && r.first > r.last
        {
            return Err(RuleError::new(
                "followUp.policy",
                "excluded_diagnosis_years: first must not be after last",
            ));
        }
        if self.repeat_sequence_after_days == Some(0) {
            return Err(RuleError::new(
                "followUp.policy",
                "repeat_sequence_after_days must be at least 1, or left out to wait for a registrar",
            ));
        }
        if self.target_percent_recent > 100 || self.target_percent_all > 100 {
            return Err(RuleError::new(
                "followUp.policy",
                "a target is a percentage from 0 to 100",
            ));
        }
        Ok(())
    }
}
