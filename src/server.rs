//! Wiring for the commands: open the database, apply migrations, run the HTTP server.

use std::sync::Arc;

use actix_web::{HttpServer, web};

use crate::api::state::AppState;
use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::db::{self, DatabaseUrl, DbError, Pool};
use crate::jobs::schedule::Schedule;
use crate::jobs::{JobContext, Outcome, Trigger};
use crate::service::followup::FollowUpConfig;
use crate::service::submissions::MonthlyExport;
use crate::service::{Actor, Role, admin};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Service(#[from] crate::service::ServiceError),
    #[error("cannot listen on {addr} (--bind / ONCOREG_BIND): {source}")]
    Listen { addr: String, source: std::io::Error },
    #[error("cannot read {path}: {source}")]
    Read { path: std::path::PathBuf, source: std::io::Error },
    #[error("the HTTP server stopped: {0}")]
    Serve(std::io::Error),
    #[error(transparent)]
    FollowUp(#[from] crate::service::followup::ConfigError),
    #[error(transparent)]
    Schedule(#[from] crate::jobs::schedule::ScheduleError),
    #[error(transparent)]
    Mail(#[from] crate::mail::MailError),
    #[error(transparent)]
    Job(#[from] crate::jobs::JobError),
    #[error(transparent)]
    ExportSettings(#[from] crate::service::submissions::SettingsError),
}

/// The follow-up and export settings, loaded and checked (policy, templates, crons, export, SMTP
/// URL and CA file) before the database is opened or anything runs.
struct Checked {
    followup: Arc<FollowUpConfig>,
    schedule: Schedule,
    monthly: MonthlyExport,
    mailer: Option<crate::mail::Mailer>,
}

fn check_settings(settings: &Settings) -> Result<Checked, StartError> {
    let followup = Arc::new(FollowUpConfig::from_settings(&settings.followup)?);
    let schedule = Schedule::load(settings.followup.jobs_schedule.as_deref())?;
    let monthly = MonthlyExport::from_settings(settings)?;
    let mailer = JobContext::mailer(&settings.followup)?;
    Ok(Checked { followup, schedule, monthly, mailer })
}

fn followup_parts(
    checked: Checked,
    pool: &Pool,
) -> Result<(Arc<FollowUpConfig>, Schedule, Arc<JobContext>), StartError> {
    let Checked { followup, schedule, monthly, mailer } = checked;
    let ctx = Arc::new(JobContext::with_mailer(pool.clone(), followup.clone(), monthly, mailer));
    Ok((followup, schedule, ctx))
}

/// `oncoreg jobs list`: each job, its cron and what it does.
pub fn list_jobs(
    jobs_schedule: Option<&std::path::Path>,
) -> Result<Vec<(String, String, String)>, StartError> {
    let schedule = Schedule::load(jobs_schedule)?;
    Ok(crate::jobs::JOBS
        .iter()
        .map(|j| {
            let cron = schedule.cron(j.name).unwrap_or("(disabled)").to_string();
            (j.name.to_string(), cron, j.about.to_string())
        })
        .collect())
}

/// `oncoreg jobs run NAME [--as-of DATE]`: one run by hand, recorded like a scheduled one.
pub fn run_job(
    settings: &Settings,
    name: &str,
    as_of: Option<chrono::NaiveDate>,
) -> Result<Outcome, StartError> {
    let checked = check_settings(settings)?;
    let pool = open(settings)?;
    let (_, _, ctx) = followup_parts(checked, &pool)?;
    let as_of = as_of.unwrap_or_else(|| SystemClock.today());
    Ok(crate::jobs::run_job(&ctx, name, as_of, &Trigger::Manual)?)
}

/// Opens the pool and applies pending migrations.
pub fn open(settings: &Settings) -> Result<Pool, DbError> {
    let url = DatabaseUrl::parse(&settings.database.database_url);
    let pool = db::pool(&url, settings.database.db_pool_size)?;
    let mut conn = pool.get()?;
    let applied = db::run_migrations(&mut conn)?;
    if !applied.is_empty() {
        tracing::info!(count = applied.len(), "migrations applied");
    }
    Ok(pool)
}

pub fn migrate(settings: &Settings) -> Result<Vec<String>, StartError> {
    let url = DatabaseUrl::parse(&settings.database.database_url);
    let pool = db::pool(&url, Some(1))?;
    let mut conn = pool.get().map_err(DbError::from)?;
    Ok(db::run_migrations(&mut conn)?)
}

pub fn create_token(settings: &Settings, name: &str, role: Role) -> Result<String, StartError> {
    let pool = open(settings)?;
    let mut conn = pool.get().map_err(DbError::from)?;
    let issued = admin::create_token(&mut conn, &Actor::system("cli"), name, role)?;
    Ok(issued.token)
}

/// `oncoreg user create`: an account for the web pages; returns its id.
pub fn create_user(
    settings: &Settings,
    name: &str,
    role: Role,
    password: &str,
) -> Result<String, StartError> {
    let pool = open(settings)?;
    let mut conn = pool.get().map_err(DbError::from)?;
    let now = chrono::Utc::now().naive_utc();
    let user = crate::service::accounts::create_user(
        &mut conn,
        &Actor::system("cli"),
        name,
        role,
        password,
        now,
    )?;
    Ok(user.id)
}

/// `oncoreg audit archive`: old audit events moved into a file.
pub fn archive_audit(
    settings: &Settings,
    before: chrono::NaiveDate,
    out: &std::path::Path,
) -> Result<crate::service::audit::ArchiveReport, StartError> {
    let pool = open(settings)?;
    let mut conn = pool.get().map_err(DbError::from)?;
    Ok(crate::service::audit::archive(&mut conn, &Actor::system("cli"), before, out)?)
}

pub fn demo(
    settings: &Settings,
    patients: u32,
    seed: u64,
    as_of: Option<chrono::NaiveDate>,
) -> Result<crate::demo::DemoReport, StartError> {
    let pool = open(settings)?;
    let mut conn = pool.get().map_err(DbError::from)?;
    let cfg = crate::demo::DemoConfig {
        patients,
        seed,
        as_of: as_of.unwrap_or_else(|| chrono::Utc::now().date_naive()),
        rule_set: settings.rule_set(),
    };
    Ok(crate::demo::generate(&mut conn, &cfg)?)
}

fn service_err(e: crate::service::ServiceError) -> StartError {
    StartError::Service(e)
}

/// `oncoreg export`: a batch made by the CLI, its file copied to `out` atomically.
pub fn export(
    settings: &Settings,
    req: &crate::model::SubmissionRequest,
    out: &std::path::Path,
) -> Result<crate::model::SubmissionData, StartError> {
    let pool = open(settings)?;
    let mut conn = pool.get().map_err(DbError::from)?;
    let dir = std::path::PathBuf::from(&settings.submissions.submissions_dir);
    let today = chrono::Utc::now().date_naive();
    let mut reader = db::spare_connection(&pool);
    let batch = crate::service::submissions::create(
        &mut conn,
        reader.as_deref_mut(),
        &Actor::system("cli"),
        req,
        &dir,
        today,
        &[out.to_path_buf()],
    )
    .map_err(service_err)?;
    Ok(batch)
}

/// `oncoreg mp check`: the batch check over the stored tumors.
pub fn mp_check(
    settings: &Settings,
    req: &crate::service::mp::CheckRequest,
) -> Result<crate::model::MpCheckReport, StartError> {
    let pool = open(settings)?;
    let mut conn = pool.get().map_err(DbError::from)?;
    crate::service::mp::check(&mut conn, &Actor::system("cli"), req, settings.rule_set())
        .map_err(service_err)
}

/// `oncoreg export-monthly`: the monthly export job run once.
pub fn export_monthly(
    settings: &Settings,
    as_of: Option<chrono::NaiveDate>,
) -> Result<crate::model::SubmissionData, StartError> {
    let monthly = MonthlyExport::from_settings(settings)?;
    let pool = open(settings)?;
    let mut conn = pool.get().map_err(DbError::from)?;
    let as_of = as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let mut reader = db::spare_connection(&pool);
    crate::service::submissions::run_monthly_export(
        &mut conn,
        reader.as_deref_mut(),
        &monthly,
        as_of,
    )
    .map_err(service_err)
}

/// `oncoreg import FILE`.
pub fn import(
    settings: &Settings,
    file: &std::path::Path,
) -> Result<crate::model::ImportReport, StartError> {
    let f = std::fs::File::open(file)
        .map_err(|source| StartError::Read { path: file.to_path_buf(), source })?;
    let pool = open(settings)?;
    let mut conn = pool.get().map_err(DbError::from)?;
    let upload = crate::service::imports::Upload {
        file_name: file.file_name().map(|n| n.to_string_lossy().into_owned()),
        bytes: f.metadata().map(|m| m.len()).unwrap_or(0),
    };
    let input = Box::new(std::io::BufReader::with_capacity(1 << 16, f));
    let ctx = crate::service::Ctx {
        today: chrono::Utc::now().date_naive(),
        rule_set: settings.rule_set(),
    };
    let expanded = settings.imports.import_expanded_limit;
    crate::service::imports::import(&mut conn, &Actor::system("cli"), input, expanded, ctx, &upload)
        .map_err(service_err)
}

pub fn openapi_json() -> String {
    crate::api::openapi().to_pretty_json().unwrap_or_default()
}

/// Stores the letterhead on first start and warns while letters would go out with a placeholder
/// phone number or no address.
fn warn_placeholder_letterhead(pool: &db::Pool, followup: &FollowUpConfig) {
    let stored = pool
        .get()
        .map_err(DbError::from)
        .map_err(crate::service::ServiceError::from)
        .and_then(|mut c| crate::service::settings::letterhead(&mut c, &followup.registry));
    match stored {
        Ok((letterhead, _)) if !letterhead.placeholders().is_empty() => tracing::warn!(
            missing = letterhead.placeholders().join(" and "),
            "letters would go out with the registry's placeholder telephone number or without \
             its address; set them with PUT /api/v1/settings/registry (admin)"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "the stored letterhead could not be read"),
    }
}

pub fn serve(settings: Settings) -> Result<(), StartError> {
    // The port first: a port in use is one clear error before anything else starts.
    let bind = &settings.http.bind;
    let listener = std::net::TcpListener::bind(bind)
        .map_err(|source| StartError::Listen { addr: bind.clone(), source })?;
    let checked = check_settings(&settings)?;
    let pool = open(&settings)?;
    let mut conn = pool.get().map_err(DbError::from)?;
    if db::repo::count_tokens(&mut conn).map_err(DbError::from)? == 0 {
        tracing::warn!(
            "no API tokens exist yet; create the first admin token with: \
             oncoreg token create --name admin --role admin"
        );
    }
    drop(conn);
    let (followup, schedule, ctx) = followup_parts(checked, &pool)?;
    warn_placeholder_letterhead(&pool, &followup);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    if settings.followup.jobs_enabled {
        crate::jobs::schedule::spawn(ctx, schedule, clock.clone())?;
    } else {
        tracing::info!("scheduled jobs are disabled on this instance (ONCOREG_JOBS_ENABLED=false)");
    }
    let state = web::Data::new(AppState::with_followup(pool, clock, settings.clone(), followup));
    let system = actix_web::rt::System::new();
    let mut server = HttpServer::new(move || crate::api::app(state.clone()));
    if let Some(w) = settings.http.workers {
        server = server.workers(w);
    }
    let addr = listener.local_addr().map_or_else(|_| bind.clone(), |a| a.to_string());
    let server = server
        .listen(listener)
        .map_err(|source| StartError::Listen { addr: addr.clone(), source })?;
    tracing::info!(bind = %addr, "serving oncoreg");
    system.block_on(server.run()).map_err(StartError::Serve)
}
