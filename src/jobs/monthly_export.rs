//! `monthly-export`: the month's submission batch, changed since the last one, copied into the export
//! directory for pick-up. Idempotency key: the batch's per-tumor state (`submission_tumors`): a tumor
//! sent unchanged is not sent again, so a second run in a month makes an empty batch.

use chrono::NaiveDate;

use super::{Counts, JobContext};
use crate::db::DbConn;
use crate::service::{ServiceError, submissions};

pub fn run(ctx: &JobContext, conn: &mut DbConn, as_of: NaiveDate) -> Result<Counts, ServiceError> {
    let mut reader = crate::db::spare_connection(&ctx.pool);
    let batch =
        submissions::run_monthly_export(conn, reader.as_deref_mut(), &ctx.monthly_export, as_of)?;
    Ok(Counts::from([
        ("patients".into(), batch.patient_count),
        ("tumors".into(), batch.tumor_count),
        ("excluded".into(), batch.excluded_count),
    ]))
}
