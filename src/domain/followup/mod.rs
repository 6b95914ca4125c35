//! Annual follow-up as pure rules: who is followed, when a patient is due or lost,
//! the task of each cycle, the reminder letters, and the CoC follow-up rate worksheet. Every function
//! takes the day it answers for; nothing here reads a clock, a database or the network.

#![warn(missing_docs)]

pub mod clock;
pub mod eligibility;
pub mod letterhead;
pub mod letters;
pub mod policy;
pub mod rates;
pub mod tasks;

#[cfg(test)]
mod tests;

pub use clock::{CycleKey, FollowUpClock, cycle_key, schedule};
pub use eligibility::{
    Eligibility, NotFollowedReason, TumorExclusion, eligibility, followable_tumors,
    next_follow_up_source, tumor_exclusion, youngest_age_on,
};
pub use letterhead::{Letterhead, salutation_for_patient, salutation_for_physician};
pub use letters::{
    Addressee, Channel, LetterContext, PlannedLetter, Reach, Recipients, SentLetter, letter_plan,
    letters_due, mentions_cancer, mentions_cancer_for,
};
pub use policy::{ChannelPreference, FollowUpPolicy, LetterStep, Recipient, YearRange};
pub use rates::{EXCLUSION_REASONS, FollowUpRates, Worksheet, YearLine, worksheet};
pub use tasks::{Completion, FollowUpTask, TaskState, completion, next_state, task_due};
