//! `mark-lost`: open and in-progress tasks whose lost date has come become lost (or completed, when a
//! newer contact or a death has been recorded). Idempotent: a task only moves from the state it is in.

use chrono::NaiveDate;

use super::{Counts, JobContext};
use crate::db::DbConn;
use crate::service::{ServiceError, followup};

pub fn run(ctx: &JobContext, conn: &mut DbConn, as_of: NaiveDate) -> Result<Counts, ServiceError> {
    let r = followup::mark_lost(conn, &ctx.followup, as_of)?;
    Ok(Counts::from([
        ("examined".into(), r.examined as i64),
        ("lost".into(), r.lost as i64),
        ("completed".into(), r.completed as i64),
    ]))
}
