//! The registrar's queues with their counts, for the home page.

use chrono::{Datelike, Months, NaiveDate};

use super::{Actor, Result, Role};
use crate::db::{DbConn, queues as q};

/// How many records wait in each queue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Queues {
    pub followup_due: i64,
    pub followup_overdue: i64,
    pub followup_lost: i64,
    pub tumors_with_errors: i64,
    pub letters_to_print: i64,
    pub imports_with_rejections: i64,
}

/// The counts on `today`: due means due this month, overdue due before it (as the worklist).
pub fn queues(conn: &mut DbConn, actor: &Actor, today: NaiveDate) -> Result<Queues> {
    actor.require(Role::Viewer)?;
    let first = today.with_day(1).unwrap_or(today);
    let next = first.checked_add_months(Months::new(1)).unwrap_or(NaiveDate::MAX);
    // Counts only, no record's data: the request's own audit event says who looked.
    super::read(conn, actor, |c| {
        Ok(Queues {
            followup_due: q::tasks_due(c, first, next)?,
            followup_overdue: q::tasks_overdue(c, first)?,
            followup_lost: q::tasks_lost(c)?,
            tumors_with_errors: q::tumors_with_errors(c)?,
            letters_to_print: q::letters_to_print(c, today)?,
            imports_with_rejections: q::imports_with_rejections(c)?,
        })
    })
}
