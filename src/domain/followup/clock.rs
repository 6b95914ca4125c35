//! The follow-up clock: due and lost dates counted from the date of last contact,
//! never from the anniversary of diagnosis.

use std::fmt;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::policy::FollowUpPolicy;
use crate::domain::partial_date::PartialDate;

/// The dates of one follow-up cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FollowUpClock {
    /// The day the clock starts: the latest day the date of last contact can stand for.
    pub anchor: NaiveDate,
    /// First day the patient is due: `anchor` + `due_after_months`.
    pub due_on: NaiveDate,
    /// First day the patient counts as lost: the day after `anchor` + `lost_after_months`, so a contact
    /// exactly 15 months ago still counts as "within the last 15 months" (the CoC worksheet's line D).
    pub lost_on: NaiveDate,
}

impl FollowUpClock {
    /// Whether a follow-up is due on `as_of` (including a lost patient, who stays on the list).
    pub fn is_due(&self, as_of: NaiveDate) -> bool {
        as_of >= self.due_on
    }

    /// Whether the patient is lost on `as_of`: no contact within `lost_after_months` of the anchor.
    pub fn is_lost(&self, as_of: NaiveDate) -> bool {
        as_of >= self.lost_on
    }
}

/// The clock for a date of last contact.
///
/// A partial date counts from its **latest** possible day: a patient last seen "2024" counts from
/// 2024-12-31 and "2024-07" from 2024-07-31. The patient may have been seen on any of those days, and
/// starting from the first one could send letters (and report the patient lost) while a contact less
/// than 12 months old exists. Waiting at most a year longer is cheaper than chasing a physician about a
/// patient seen last month; the same rule makes the task list and the rate worksheet agree.
///
/// Months are added by the calendar and clamped to the month's end, so a contact on 2024-02-29 is due
/// on 2025-02-28 and one on 2024-08-31 with a 3-month offset on 2024-11-30.
pub fn schedule(dlc: &PartialDate, policy: &FollowUpPolicy) -> FollowUpClock {
    let anchor = dlc.latest();
    let plus =
        |months: u32| anchor.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX);
    let lost_limit = plus(policy.lost_after_months);
    FollowUpClock {
        anchor,
        due_on: plus(policy.due_after_months),
        lost_on: lost_limit.succ_opt().unwrap_or(NaiveDate::MAX),
    }
}

/// Identifies one follow-up cycle of one patient: `<patient id>/<anchor day>`, e.g. `00001234/2024-07-03`.
///
/// A cycle is "everything since this date of last contact", so the key is the patient and the anchor
/// day. Generating tasks any number of times for the same DLC yields the same key (unique index in the
/// store); any new contact, even one in the same month, starts a new cycle with a new key. The key
/// does not depend on the policy, so changing the due offset never duplicates open tasks.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CycleKey(String);

impl CycleKey {
    /// The key as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CycleKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The key of the cycle that starts at `dlc` for `patient_id`.
pub fn cycle_key(patient_id: &str, dlc: &PartialDate) -> CycleKey {
    CycleKey(format!("{patient_id}/{}", dlc.latest().format("%Y-%m-%d")))
}

/// Whole years from `birth` to `on` (the birthday of someone born on 29 February is 1 March in other
/// years, as the day-and-month comparison gives).
pub(crate) fn whole_years(birth: NaiveDate, on: NaiveDate) -> i32 {
    use chrono::Datelike;
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}
