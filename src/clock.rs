//! The time source, injected so that date rules and jobs are deterministic in tests.

use chrono::{NaiveDate, Utc};

pub trait Clock: Send + Sync {
    fn today(&self) -> NaiveDate;
}

/// The machine's clock, in UTC.
pub struct SystemClock;

impl Clock for SystemClock {
    fn today(&self) -> NaiveDate {
        Utc::now().date_naive()
    }
}

/// A clock that always answers the same date.
pub struct FixedClock(pub NaiveDate);

impl Clock for FixedClock {
    fn today(&self) -> NaiveDate {
        self.0
    }
}
