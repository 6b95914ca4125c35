//! `generate-tasks`: one follow-up task per patient and cycle for every patient due on the day.
//! Idempotency key: the task's cycle key `<patient id>/<anchor day>` (unique in `followup_tasks`).

use chrono::NaiveDate;

use super::{Counts, JobContext};
use crate::db::DbConn;
use crate::service::{ServiceError, followup};

pub fn run(ctx: &JobContext, conn: &mut DbConn, as_of: NaiveDate) -> Result<Counts, ServiceError> {
    let r = followup::generate_tasks(conn, &ctx.followup, as_of)?;
    Ok(Counts::from([
        ("examined".into(), r.examined as i64),
        ("created".into(), r.created as i64),
        ("createdLost".into(), r.created_lost as i64),
    ]))
}
