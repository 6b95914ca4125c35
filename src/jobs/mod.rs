//! The scheduled jobs: annual follow-up and the monthly submission. Each job is one
//! `run(ctx, as_of)` that calls the services (the domain decides what is due); this module wraps a
//! run in the job lease and a `job_runs` record, and `schedule` registers the jobs with
//! tokio-cron-scheduler. See `jobs/README.md`.

pub mod generate_tasks;
pub mod mark_lost;
pub mod monthly_export;
pub mod schedule;
pub mod send_letters;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;

use crate::config::FollowUpSettings;
use crate::db::{DbConn, Pool};
use crate::mail::{MailError, Mailer, SmtpUrl};
use crate::service::followup::FollowUpConfig;
use crate::service::submissions::MonthlyExport;
use crate::service::{ServiceError, jobs as runs};

/// What a run did, e.g. `{"created": 12}`.
pub type Counts = BTreeMap<String, i64>;

/// A job: its name and what it does.
pub struct JobSpec {
    pub name: &'static str,
    pub about: &'static str,
    pub run: fn(&JobContext, &mut DbConn, NaiveDate) -> Result<Counts, ServiceError>,
}

/// Every job, in the order they are listed.
pub const JOBS: [JobSpec; 4] = [
    JobSpec {
        name: "generate-tasks",
        about: "open one follow-up task per patient and cycle for everyone who has come due",
        run: generate_tasks::run,
    },
    JobSpec {
        name: "send-letters",
        about: "render the reminder letters due into the outbox, then deliver queued e-mail",
        run: send_letters::run,
    },
    JobSpec {
        name: "mark-lost",
        about: "mark open tasks lost once 15 months have passed without contact",
        run: mark_lost::run,
    },
    JobSpec {
        name: "monthly-export",
        about: "make the month's submission batch (changed since the last) and copy it for pick-up",
        run: monthly_export::run,
    },
];

pub fn find(name: &str) -> Option<&'static JobSpec> {
    JOBS.iter().find(|j| j.name == name)
}

/// What the jobs run with.
pub struct JobContext {
    pub pool: Pool,
    pub followup: Arc<FollowUpConfig>,
    /// `None` when no SMTP server is configured: e-mail letters wait in the outbox.
    pub mailer: Option<Mailer>,
    /// This instance, as recorded on leases and runs.
    pub holder: String,
    /// What the monthly export makes and where it goes.
    pub monthly_export: MonthlyExport,
}

impl JobContext {
    pub fn new(
        pool: Pool,
        followup: Arc<FollowUpConfig>,
        monthly_export: MonthlyExport,
    ) -> Result<Self, MailError> {
        let mailer = Self::mailer(&followup.settings)?;
        Ok(Self::with_mailer(pool, followup, monthly_export, mailer))
    }

    /// A context with a mailer already made from the same settings (start-up checks make it).
    pub fn with_mailer(
        pool: Pool,
        followup: Arc<FollowUpConfig>,
        monthly_export: MonthlyExport,
        mailer: Option<Mailer>,
    ) -> Self {
        let id = crate::db::new_id();
        let holder = format!("pid{}-{}", std::process::id(), &id[id.len() - 8..]);
        Self { pool, followup, mailer, holder, monthly_export }
    }

    /// The mailer the mail settings describe (SMTP URL, CA file), made without connecting
    /// anywhere; `None` when no SMTP server is set.
    pub fn mailer(s: &FollowUpSettings) -> Result<Option<Mailer>, MailError> {
        Ok(match &s.smtp_url {
            Some(url) if !url.trim().is_empty() => {
                let options = crate::mail::SmtpOptions {
                    ca_file: s.smtp_ca_file.clone(),
                    allow_plain: s.smtp_allow_plain,
                };
                let url = SmtpUrl::parse(url)?;
                Some(Mailer::new(&url, &s.mail_from, Duration::from_secs(20), &options)?)
            }
            _ => None,
        })
    }

    fn settings(&self) -> &FollowUpSettings {
        &self.followup.settings
    }
}

/// Why a run was started.
#[derive(Clone, Debug)]
pub enum Trigger {
    /// A cron tick; `period` names it (`2026-06-30T01:00`), and each period runs once across instances.
    Schedule { period: String },
    /// By hand (`oncoreg jobs run`): always runs (the jobs are idempotent), under the lease.
    Manual,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ran {
        run_id: String,
        counts: Counts,
    },
    /// Another instance holds the lease, or already ran this period.
    Skipped(&'static str),
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("unknown job {0}; see `oncoreg jobs list`")]
    Unknown(String),
    #[error("job failed: {0}")]
    Failed(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// Runs job `name` for `as_of` under the lease, recording the run.
pub fn run_job(
    ctx: &JobContext,
    name: &str,
    as_of: NaiveDate,
    trigger: &Trigger,
) -> Result<Outcome, JobError> {
    let spec = find(name).ok_or_else(|| JobError::Unknown(name.to_string()))?;
    let mut conn = ctx.pool.get().map_err(ServiceError::from)?;
    let secs = ctx.settings().job_lease_secs.max(1);
    if !runs::acquire_lease(&mut conn, spec.name, &ctx.holder, secs)? {
        return Ok(Outcome::Skipped("another instance is running this job"));
    }
    let stop = Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
    let heartbeat = renew_while_running(ctx, spec.name, secs, stop.clone());
    let result = record_and_run(ctx, spec, &mut conn, as_of, trigger);
    if let Ok(mut done) = stop.0.lock() {
        *done = true;
        stop.1.notify_all();
    }
    let _ = heartbeat.join();
    runs::release_lease(&mut conn, spec.name, &ctx.holder)?;
    result
}

/// Renews the lease every third of its length on a pooled connection until `stop` is set.
fn renew_while_running(
    ctx: &JobContext,
    job: &'static str,
    secs: u64,
    stop: Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>,
) -> std::thread::JoinHandle<()> {
    let (pool, holder) = (ctx.pool.clone(), ctx.holder.clone());
    let every = Duration::from_millis(secs * 1000 / 3);
    std::thread::spawn(move || {
        let (lock, cvar) = &*stop;
        let Ok(mut done) = lock.lock() else { return };
        while !*done {
            match cvar.wait_timeout(done, every) {
                Ok((guard, timeout)) => {
                    done = guard;
                    if *done || !timeout.timed_out() {
                        continue;
                    }
                }
                Err(_) => return,
            }
            let renewed = pool
                .get()
                .map_err(ServiceError::from)
                .and_then(|mut c| runs::acquire_lease(&mut c, job, &holder, secs));
            if !matches!(renewed, Ok(true)) {
                tracing::warn!(job, "could not renew the job lease");
            }
        }
    })
}

fn record_and_run(
    ctx: &JobContext,
    spec: &JobSpec,
    conn: &mut DbConn,
    as_of: NaiveDate,
    trigger: &Trigger,
) -> Result<Outcome, JobError> {
    let (period, by) = match trigger {
        Trigger::Schedule { period } => (period.clone(), "schedule"),
        Trigger::Manual => (format!("manual/{}", crate::db::new_id()), "manual"),
    };
    let Some(run_id) = runs::start_run(conn, spec.name, &period, as_of, by, &ctx.holder)? else {
        return Ok(Outcome::Skipped("this period has already run"));
    };
    tracing::info!(job = spec.name, %as_of, run = %run_id, "job started");
    let result = (spec.run)(ctx, conn, as_of).map_err(|e| e.to_string());
    runs::finish_run(conn, &run_id, &result)?;
    match result {
        Ok(counts) => {
            tracing::info!(job = spec.name, run = %run_id, ?counts, "job finished");
            Ok(Outcome::Ran { run_id, counts })
        }
        Err(e) => {
            tracing::error!(job = spec.name, run = %run_id, error = %e, "job failed");
            Err(JobError::Failed(e))
        }
    }
}
