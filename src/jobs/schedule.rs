//! The cron schedule (`jobs/schedule.toml`, embedded; a settings file overrides it) and the
//! tokio-cron-scheduler that `serve` runs it on.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use tokio_cron_scheduler::{Job, JobScheduler};

use super::{JOBS, JobContext, Outcome, Trigger, find, run_job};
use crate::clock::Clock;

pub const DEFAULT_SCHEDULE: &str = include_str!("../../jobs/schedule.toml");

#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("job schedule {0}")]
    Invalid(String),
    #[error("scheduler: {0}")]
    Scheduler(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleFile {
    #[serde(default)]
    jobs: BTreeMap<String, String>,
}

/// Job name → cron (six fields, seconds first); a blank cron disables the job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule(pub BTreeMap<String, String>);

fn parse(text: &str, origin: &str) -> Result<BTreeMap<String, String>, ScheduleError> {
    let file: ScheduleFile =
        toml::from_str(text).map_err(|e| ScheduleError::Invalid(format!("{origin}: {e}")))?;
    for (name, cron) in &file.jobs {
        if find(name).is_none() {
            return Err(ScheduleError::Invalid(format!("{origin}: unknown job {name}")));
        }
        if !cron.trim().is_empty() {
            Job::new_async(cron.as_str(), |_, _| Box::pin(async {})).map_err(|e| {
                ScheduleError::Invalid(format!("{origin}: job {name}: bad cron {cron:?}: {e:?}"))
            })?;
        }
    }
    Ok(file.jobs)
}

impl Schedule {
    /// The embedded defaults, with the crons of `override_file` replacing theirs.
    pub fn load(override_file: Option<&Path>) -> Result<Self, ScheduleError> {
        let mut jobs = parse(DEFAULT_SCHEDULE, "jobs/schedule.toml")?;
        if let Some(path) = override_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| ScheduleError::Invalid(format!("{}: {e}", path.display())))?;
            jobs.extend(parse(&text, &path.display().to_string())?);
        }
        for spec in &JOBS {
            jobs.entry(spec.name.to_string()).or_default();
        }
        Ok(Self(jobs))
    }

    pub fn cron(&self, job: &str) -> Option<&str> {
        self.0.get(job).map(String::as_str).filter(|c| !c.trim().is_empty())
    }
}

/// Starts the scheduler on its own thread and runtime; jobs run on blocking threads. A tick's period
/// is its minute in UTC, so two instances firing the same tick record one run between them.
pub fn spawn(
    ctx: Arc<JobContext>,
    schedule: Schedule,
    clock: Arc<dyn Clock>,
) -> Result<std::thread::JoinHandle<()>, ScheduleError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ScheduleError::Scheduler(e.to_string()))?;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
    let handle = std::thread::Builder::new()
        .name("oncoreg-jobs".into())
        .spawn(move || {
            runtime.block_on(async move {
                match start(ctx, &schedule, clock).await {
                    Ok(_scheduler) => {
                        let _ = ready_tx.send(Ok(()));
                        std::future::pending::<()>().await;
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            });
        })
        .map_err(|e| ScheduleError::Scheduler(e.to_string()))?;
    match ready_rx.recv() {
        Ok(Ok(())) => Ok(handle),
        Ok(Err(e)) => Err(ScheduleError::Scheduler(e)),
        Err(e) => Err(ScheduleError::Scheduler(e.to_string())),
    }
}

async fn start(
    ctx: Arc<JobContext>,
    schedule: &Schedule,
    clock: Arc<dyn Clock>,
) -> Result<JobScheduler, String> {
    let scheduler = JobScheduler::new().await.map_err(|e| format!("{e:?}"))?;
    for spec in &JOBS {
        let Some(cron) = schedule.cron(spec.name) else {
            tracing::info!(job = spec.name, "job disabled (blank cron)");
            continue;
        };
        let name = spec.name;
        let (ctx, clock) = (ctx.clone(), clock.clone());
        let job = Job::new_async(cron, move |_, _| {
            let (ctx, clock) = (ctx.clone(), clock.clone());
            Box::pin(async move {
                let period = chrono::Utc::now().format("%Y-%m-%dT%H:%M").to_string();
                let as_of = clock.today();
                let outcome = tokio::task::spawn_blocking(move || {
                    run_job(&ctx, name, as_of, &Trigger::Schedule { period })
                })
                .await;
                match outcome {
                    Ok(Ok(Outcome::Skipped(why))) => tracing::info!(job = name, why, "job skipped"),
                    Ok(Ok(Outcome::Ran { .. })) => {}
                    Ok(Err(e)) => tracing::error!(job = name, error = %e, "scheduled job failed"),
                    Err(e) => tracing::error!(job = name, error = %e, "scheduled job panicked"),
                }
            })
        })
        .map_err(|e| format!("{name}: {e:?}"))?;
        scheduler.add(job).await.map_err(|e| format!("{e:?}"))?;
        tracing::info!(job = name, cron, "job scheduled");
    }
    scheduler.start().await.map_err(|e| format!("{e:?}"))?;
    Ok(scheduler)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_schedule_is_valid_and_covers_every_job() {
        let s = Schedule::load(None).expect("schedule");
        for spec in &JOBS {
            assert!(s.cron(spec.name).is_some(), "{}", spec.name);
        }
    }

    #[test]
    fn bad_crons_and_unknown_jobs_are_rejected() {
        assert!(parse("[jobs]\nsend-letters = \"every hour\"\n", "t").is_err());
        assert!(parse("[jobs]\nno-such-job = \"0 0 * * * *\"\n", "t").is_err());
        let blank = parse("[jobs]\nsend-letters = \"\"\n", "t").expect("blank disables");
        assert_eq!(blank.get("send-letters").map(String::as_str), Some(""));
    }
}
