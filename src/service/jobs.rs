//! Job runs and the job lease: the bookkeeping around the scheduled jobs (the jobs themselves are in
//! `crate::jobs`).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{Actor, PageRequest, Result, Role, parse_doc, to_doc, utc};
use crate::db::followup as q;
use crate::db::rows::JobRunRow;
use crate::db::{DbConn, new_id, now};
use crate::model::{JobRunData, Page};

fn out(row: &JobRunRow) -> JobRunData {
    JobRunData {
        id: row.id.clone(),
        job: row.job.clone(),
        period: row.period.clone(),
        as_of: row.as_of,
        triggered_by: row.triggered_by.clone(),
        holder: row.holder.clone(),
        state: row.state.clone(),
        counts: parse_doc(&row.counts).unwrap_or_default(),
        error: row.error.clone(),
        started_at: utc(row.started_at),
        finished_at: row.finished_at.map(utc),
    }
}

pub fn list_runs(
    conn: &mut DbConn,
    actor: &Actor,
    job: Option<&str>,
    page: &PageRequest,
) -> Result<Page<JobRunData>> {
    actor.require(Role::Admin)?;
    let after = page.after()?;
    let rows = q::list_runs(conn, job, after.as_deref(), page.limit() + 1)?;
    let (rows, next_cursor) = page.page(rows, |r| &r.id);
    Ok(Page { items: rows.iter().map(out).collect(), next_cursor })
}

/// Takes (or renews) the lease of `job` for `holder` for `secs` seconds; false when another
/// instance holds an unexpired one.
pub fn acquire_lease(conn: &mut DbConn, job: &str, holder: &str, secs: u64) -> Result<bool> {
    let at = now();
    let until = at + chrono::Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 2_000));
    crate::db::transaction(conn, |c| Ok(q::acquire_lease(c, job, holder, at, until)?))
}

pub fn release_lease(conn: &mut DbConn, job: &str, holder: &str) -> Result<()> {
    crate::db::transaction(conn, |c| Ok(q::release_lease(c, job, holder)?))
}

/// Records the start of a run of `job` for `period`; `None` when that period already has a run.
pub fn start_run(
    conn: &mut DbConn,
    job: &str,
    period: &str,
    as_of: NaiveDate,
    triggered_by: &str,
    holder: &str,
) -> Result<Option<String>> {
    let row = JobRunRow {
        id: new_id(),
        job: job.into(),
        period: period.into(),
        as_of,
        triggered_by: triggered_by.into(),
        holder: holder.into(),
        state: "running".into(),
        counts: "{}".into(),
        error: None,
        started_at: now(),
        finished_at: None,
    };
    crate::db::transaction(conn, |c| Ok(q::start_run(c, &row)?.then(|| row.id.clone())))
}

/// Records the end of a run: its counts, or the error it stopped with.
pub fn finish_run(
    conn: &mut DbConn,
    id: &str,
    outcome: &std::result::Result<BTreeMap<String, i64>, String>,
) -> Result<()> {
    let (state, counts, error) = match outcome {
        Ok(counts) => ("succeeded", to_doc(counts)?, None),
        Err(e) => ("failed", "{}".to_string(), Some(e.as_str())),
    };
    crate::db::transaction(conn, |c| Ok(q::finish_run(c, id, state, &counts, error, now())?))
}
