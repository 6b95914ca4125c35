//! Counts of the registrar's queues on the home page: each one indexed count.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::DbConn;
use super::schema::*;

type QResult<T> = Result<T, diesel::result::Error>;

const ACTIVE: [&str; 2] = ["open", "in_progress"];

/// Active follow-up tasks due in `[from, before)`.
pub fn tasks_due(conn: &mut DbConn, from: NaiveDate, before: NaiveDate) -> QResult<i64> {
    followup_tasks::table
        .filter(followup_tasks::state.eq_any(ACTIVE))
        .filter(followup_tasks::due_on.ge(from))
        .filter(followup_tasks::due_on.lt(before))
        .count()
        .get_result(conn)
}

/// Active follow-up tasks due before `before`.
pub fn tasks_overdue(conn: &mut DbConn, before: NaiveDate) -> QResult<i64> {
    followup_tasks::table
        .filter(followup_tasks::state.eq_any(ACTIVE))
        .filter(followup_tasks::due_on.lt(before))
        .count()
        .get_result(conn)
}

pub fn tasks_lost(conn: &mut DbConn) -> QResult<i64> {
    followup_tasks::table.filter(followup_tasks::state.eq("lost")).count().get_result(conn)
}

pub fn tumors_with_errors(conn: &mut DbConn) -> QResult<i64> {
    tumors::table.filter(tumors::edit_status.eq("errors")).count().get_result(conn)
}

/// Paper letters queued to print on or before `on`.
pub fn letters_to_print(conn: &mut DbConn, on: NaiveDate) -> QResult<i64> {
    letters::table
        .filter(letters::state.eq("queued"))
        .filter(letters::channel.eq("print"))
        .filter(letters::send_on.le(on))
        .count()
        .get_result(conn)
}

pub fn imports_with_rejections(conn: &mut DbConn) -> QResult<i64> {
    imports::table.filter(imports::patients_rejected.gt(0)).count().get_result(conn)
}
