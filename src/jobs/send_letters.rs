//! `send-letters`: renders the letters due on the day into the outbox (idempotency key
//! `<cycle key>/letter/<step>`), then delivers queued e-mail whose next attempt has come.
//!
//! Test hook: with `ONCOREG_FAULT=after-render` the process aborts once the letters are rendered and
//! committed, before any is sent, as a crash would (crash-safety tests only).

use std::time::Duration;

use chrono::NaiveDate;

use super::{Counts, JobContext};
use crate::db::DbConn;
use crate::service::{ServiceError, letters};

pub fn run(ctx: &JobContext, conn: &mut DbConn, as_of: NaiveDate) -> Result<Counts, ServiceError> {
    let queued = letters::queue_due(conn, &ctx.followup, as_of)?;
    if ctx.settings().fault.as_deref() == Some("after-render") {
        eprintln!("ONCOREG_FAULT=after-render: aborting before delivery");
        std::process::abort();
    }
    let mut counts = Counts::from([
        ("tasks".into(), queued.tasks as i64),
        ("queuedEmail".into(), queued.queued_email as i64),
        ("queuedPrint".into(), queued.queued_print as i64),
        ("waitingPrint".into(), queued.waiting_print as i64),
    ]);
    if let Some(mailer) = &ctx.mailer {
        let retry = Duration::from_secs(ctx.settings().smtp_retry_secs);
        let notice_only = ctx.settings().mail_content == "notice";
        let d = letters::deliver(conn, mailer, retry, notice_only)?;
        counts.insert("sent".into(), d.sent as i64);
        counts.insert("retrying".into(), d.retrying as i64);
        counts.insert("failed".into(), d.failed as i64);
    }
    Ok(counts)
}
