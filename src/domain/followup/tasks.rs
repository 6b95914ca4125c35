//! Follow-up tasks: one per patient per cycle, opened when the patient comes due and closed by the
//! next contact.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::clock::{CycleKey, FollowUpClock, cycle_key, schedule};
use super::eligibility::eligibility;
use super::policy::FollowUpPolicy;
use crate::domain::chronology::PatientHistory;
use crate::domain::codes::VitalStatus;
use crate::domain::partial_date::PartialDate;
use crate::domain::validation::RuleError;

/// Where a follow-up task stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    /// Due; nobody has worked it yet.
    Open,
    /// A letter went out or a registrar took it up.
    InProgress,
    /// The cycle needs no more work: a newer contact arrived, the patient died, or is no longer followed.
    Completed,
    /// No contact within the lost offset; stays lost (and keeps being worked) until a new contact.
    Lost,
}

impl TaskState {
    /// Every state.
    pub const ALL: [TaskState; 4] = [Self::Open, Self::InProgress, Self::Completed, Self::Lost];

    /// The stored form: `open`, `in_progress`, `completed`, `lost`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Lost => "lost",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Result<Self, RuleError> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw.trim()).ok_or_else(|| {
            RuleError::new(
                "code.unknown",
                "task state must be open, in_progress, completed or lost",
            )
        })
    }

    /// Still to be worked (letters may go out): open, in progress or lost.
    pub fn is_active(&self) -> bool {
        !matches!(self, Self::Completed)
    }

    /// The state once work starts (a letter sent, a registrar assigned): open becomes in progress,
    /// every other state stays as it is.
    pub fn started(self) -> Self {
        match self {
            Self::Open => Self::InProgress,
            s => s,
        }
    }
}

/// One follow-up cycle of one patient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpTask {
    /// The patient's id in the store.
    pub patient_id: String,
    /// Unique per patient and cycle; see [`cycle_key`].
    pub cycle_key: CycleKey,
    /// The date of last contact the cycle counts from.
    pub last_contact: PartialDate,
    /// Due and lost dates of the cycle.
    pub clock: FollowUpClock,
    /// Where the task stands.
    pub state: TaskState,
}

/// The task the patient needs on `as_of`, if any: followed, with a date of last contact, and due.
/// A patient already past the lost date starts out `Lost` (an old contact date loaded in bulk).
/// Calling this again for the same contact gives the same `cycle_key`, so storing it is idempotent.
pub fn task_due(
    patient_id: &str,
    history: &PatientHistory,
    policy: &FollowUpPolicy,
    as_of: NaiveDate,
) -> Option<FollowUpTask> {
    if !eligibility(history, policy, as_of).is_followed() {
        return None;
    }
    let (dlc, _) = history.follow_up_state();
    let dlc = dlc?;
    let clock = schedule(&dlc, policy);
    if !clock.is_due(as_of) {
        return None;
    }
    let state = if clock.is_lost(as_of) { TaskState::Lost } else { TaskState::Open };
    Some(FollowUpTask {
        patient_id: patient_id.to_string(),
        cycle_key: cycle_key(patient_id, &dlc),
        last_contact: dlc,
        clock,
        state,
    })
}

/// Why a task completed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Completion {
    /// A contact later than the one the cycle counts from was recorded (by any route).
    Contact,
    /// The patient's death was recorded.
    Died,
    /// The patient is no longer followed (foreign resident, not followed, age, diagnosis years).
    NotFollowed,
    /// A registrar closed the task.
    Closed,
}

impl Completion {
    /// The stored form.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Died => "died",
            Self::NotFollowed => "not_followed",
            Self::Closed => "closed",
        }
    }

    /// Why the task's unsent letters were cancelled, in words.
    pub fn letter_reason(&self) -> &'static str {
        match self {
            Self::Contact => "the follow-up task completed: a newer contact was recorded",
            Self::Died => "the follow-up task completed: the patient's death was recorded",
            Self::NotFollowed => "the follow-up task completed: the patient is no longer followed",
            Self::Closed => "the follow-up task was closed by a registrar",
        }
    }
}

/// Whether `task` completes on `as_of`, and why, given everything now recorded about the patient.
///
/// - A contact later than the one the cycle counts from completes it, whatever day it was entered:
///   the patient then has a new date of last contact and a new cycle (a new key, from [`task_due`]).
///   "After the cycle opened" is read as after its date of last contact, not after the day the task
///   appeared, so a visit reported late still stops the letters.
/// - A recorded death, or the patient leaving follow-up (source 8/9, age), completes it too.
pub fn completion(
    task: &FollowUpTask,
    history: &PatientHistory,
    policy: &FollowUpPolicy,
    as_of: NaiveDate,
) -> Option<Completion> {
    if task.state == TaskState::Completed {
        return None;
    }
    let (dlc, vital) = history.follow_up_state();
    if dlc.is_some_and(|d| d.latest() > task.clock.anchor) {
        return Some(if vital == VitalStatus::DEAD {
            Completion::Died
        } else {
            Completion::Contact
        });
    }
    match eligibility(history, policy, as_of) {
        e if e.is_followed() => None,
        _ if vital == VitalStatus::DEAD => Some(Completion::Died),
        _ => Some(Completion::NotFollowed),
    }
}

/// The state `task` moves to on `as_of`: completed (see [`completion`]), otherwise lost from the
/// lost date on (and lost stays lost until a completion). Completed is final.
pub fn next_state(
    task: &FollowUpTask,
    history: &PatientHistory,
    policy: &FollowUpPolicy,
    as_of: NaiveDate,
) -> TaskState {
    if task.state == TaskState::Completed || completion(task, history, policy, as_of).is_some() {
        return TaskState::Completed;
    }
    if task.clock.is_lost(as_of) { TaskState::Lost } else { task.state }
}
