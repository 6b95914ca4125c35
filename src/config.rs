//! Settings, by flag or `ONCOREG_*` environment variable; built once in `main` and passed down.
//!
//! Settings come in groups, and each subcommand takes the groups it uses (its `--help` shows only
//! those); `serve` takes them all. A group a subcommand does not take stays at its defaults.

use clap::{Args, FromArgMatches};

use crate::domain::edits::RuleSet;

/// Every setting, as `serve` takes them.
#[derive(Args, Clone, Debug)]
pub struct Settings {
    #[command(flatten)]
    pub database: DatabaseSettings,
    #[command(flatten)]
    pub http: HttpSettings,
    #[command(flatten)]
    pub edits: EditSettings,
    #[command(flatten)]
    pub imports: ImportSettings,
    #[command(flatten)]
    pub submissions: SubmissionSettings,
    #[command(flatten)]
    pub monthly_export: MonthlyExportSettings,
    /// Follow-up jobs, letters and mail.
    #[command(flatten)]
    pub followup: FollowUpSettings,
}

/// Where the registry is stored.
#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Database")]
pub struct DatabaseSettings {
    /// Database: a SQLite file path or `sqlite://PATH`, or `postgres://USER@HOST:PORT/DB`.
    #[arg(long, env = "ONCOREG_DATABASE_URL", default_value = "oncoreg.db")]
    pub database_url: String,

    /// Database connections in the pool (default 8 for SQLite, 16 for PostgreSQL).
    #[arg(long, env = "ONCOREG_DB_POOL_SIZE")]
    pub db_pool_size: Option<u32>,
}

/// The HTTP server.
#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "HTTP server")]
pub struct HttpSettings {
    /// Address the HTTP server listens on.
    #[arg(long, env = "ONCOREG_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "ONCOREG_BODY_LIMIT", default_value_t = 1_048_576)]
    pub body_limit: usize,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "ONCOREG_WORKERS")]
    pub workers: Option<usize>,

    /// Largest NAACCR file accepted by `POST /api/v1/imports`, in bytes.
    #[arg(long, env = "ONCOREG_IMPORT_LIMIT", default_value_t = 64 * 1_048_576)]
    pub import_limit: usize,

    /// How long a person signed in to the web pages may stay idle before the session ends:
    /// a number with `s`, `m` or `h` (`15m`, `90s`); a bare number is minutes.
    #[arg(long, env = "ONCOREG_SESSION_IDLE", default_value = "15m", value_parser = IdleTime::parse)]
    pub session_idle: IdleTime,
}

/// The idle time of a web session, at least one second and at most a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdleTime(chrono::Duration);

impl IdleTime {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let (number, unit) = match raw.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
            Some((at, _)) => raw.split_at(at),
            None => (raw, "m"),
        };
        let n: i64 =
            number.parse().map_err(|_| format!("{raw:?} is not a time like 15m or 90s"))?;
        let d = match unit.trim() {
            "s" => chrono::Duration::seconds(n),
            "m" => chrono::Duration::minutes(n),
            "h" => chrono::Duration::hours(n),
            _ => return Err(format!("{raw:?} is not a time like 15m or 90s")),
        };
        if d < chrono::Duration::seconds(1) || d > chrono::Duration::days(1) {
            return Err("the idle time is between 1s and 24h".into());
        }
        Ok(Self(d))
    }

    pub fn duration(&self) -> chrono::Duration {
        self.0
    }
}

/// The edits records are checked against.
#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Edits")]
pub struct EditSettings {
    /// Edit rule set: `naaccr` (SEER/NAACCR metafile edits), `iarc` (IARC/IACR CHECK) or `both`.
    #[arg(long, env = "ONCOREG_EDIT_RULE_SET", default_value = "naaccr",
          value_parser = ["naaccr", "iarc", "both"])]
    pub edit_rule_set: String,
}

/// Imports of NAACCR files.
#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Imports")]
pub struct ImportSettings {
    /// Largest size, in bytes, a gzip-compressed import may expand to (API and CLI); a file that
    /// expands further is refused whole.
    #[arg(long, env = "ONCOREG_IMPORT_EXPANDED_LIMIT", default_value_t = 4 << 30)]
    pub import_expanded_limit: u64,
}

/// Where submission batch files are kept.
#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Submissions")]
pub struct SubmissionSettings {
    /// Directory where submission batch files are kept (downloaded from `/submissions/{id}/file`).
    #[arg(long, env = "ONCOREG_SUBMISSIONS_DIR", default_value = "submissions")]
    pub submissions_dir: String,
}

/// The monthly export job.
#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Monthly export")]
pub struct MonthlyExportSettings {
    /// Directory the monthly export job copies each batch into.
    #[arg(long, env = "ONCOREG_EXPORT_DIR", default_value = "exports")]
    pub export_dir: String,

    /// Record type of the monthly export (A, C or I).
    #[arg(long, env = "ONCOREG_EXPORT_RECORD_TYPE", default_value = "I")]
    pub export_record_type: String,

    /// NAACCR version of the monthly export (250 or 260).
    #[arg(long, env = "ONCOREG_EXPORT_NAACCR_VERSION", default_value = "260")]
    pub export_naaccr_version: String,

    /// Reporting facility (#540) the monthly export is limited to; all when unset.
    #[arg(long, env = "ONCOREG_EXPORT_FACILITY")]
    pub export_facility: Option<String>,
}

/// What the monthly export job takes: where batches are kept and what the job makes.
#[derive(Args, Clone, Debug)]
pub struct ExportJobSettings {
    #[command(flatten)]
    pub submissions: SubmissionSettings,
    #[command(flatten)]
    pub monthly_export: MonthlyExportSettings,
}

/// A settings group at its defaults, environment variables ignored: the groups a subcommand does
/// not take (it does not use them, so a variable set for `serve` cannot make it fail), and tests.
pub fn defaults<T: Args + FromArgMatches>() -> T {
    let cmd = T::augment_args(clap::Command::new("oncoreg").no_binary_name(true))
        .mut_args(|a| a.env(None));
    cmd.try_get_matches_from(std::iter::empty::<String>())
        .and_then(|m| T::from_arg_matches(&m))
        .unwrap_or_else(|e| panic!("settings defaults: {e}"))
}

impl Settings {
    /// Assembles the settings of a subcommand: the groups it took, the rest at their defaults.
    pub fn assemble(
        database: DatabaseSettings,
        edits: Option<EditSettings>,
        imports: Option<ImportSettings>,
        submissions: Option<SubmissionSettings>,
        monthly_export: Option<MonthlyExportSettings>,
        followup: Option<FollowUpSettings>,
    ) -> Self {
        Self {
            database,
            http: defaults(),
            edits: edits.unwrap_or_else(defaults),
            imports: imports.unwrap_or_else(defaults),
            submissions: submissions.unwrap_or_else(defaults),
            monthly_export: monthly_export.unwrap_or_else(defaults),
            followup: followup.unwrap_or_default(),
        }
    }

    /// Defaults as `serve` would use them, for tests and tools.
    pub fn for_database(url: &str) -> Self {
        let mut s = Self {
            database: defaults(),
            http: defaults(),
            edits: defaults(),
            imports: defaults(),
            submissions: defaults(),
            monthly_export: defaults(),
            followup: FollowUpSettings::default(),
        };
        s.database.database_url = url.to_string();
        s.http.bind = "127.0.0.1:0".into();
        s.http.workers = Some(2);
        s
    }

    /// The edit rule set named by `edit_rule_set`.
    pub fn rule_set(&self) -> RuleSet {
        self.edits.rule_set()
    }
}

impl EditSettings {
    pub fn rule_set(&self) -> RuleSet {
        match self.edit_rule_set.as_str() {
            "iarc" => RuleSet::Iarc,
            "both" => RuleSet::Both,
            _ => RuleSet::Naaccr,
        }
    }
}

/// Follow-up: the scheduler, the letter sequence and templates, the registry's letterhead and mail.
#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Follow-up, letters and mail")]
pub struct FollowUpSettings {
    /// Run the scheduled jobs inside `serve` (`false` for API-only instances).
    #[arg(long, env = "ONCOREG_JOBS_ENABLED", default_value_t = true, action = clap::ArgAction::Set)]
    pub jobs_enabled: bool,

    /// A TOML file overriding crons of `jobs/schedule.toml` (`[jobs] send-letters = "0 0 * * * *"`;
    /// a blank cron disables a job).
    #[arg(long, env = "ONCOREG_JOBS_SCHEDULE")]
    pub jobs_schedule: Option<std::path::PathBuf>,

    /// A TOML file with the follow-up policy (due/lost months, letter steps, exclusions, targets);
    /// missing keys keep their defaults.
    #[arg(long, env = "ONCOREG_FOLLOWUP_POLICY")]
    pub followup_policy: Option<std::path::PathBuf>,

    /// A directory whose `<template>.txt` files replace the embedded letter templates.
    #[arg(long, env = "ONCOREG_LETTERS_DIR")]
    pub letters_dir: Option<std::path::PathBuf>,

    /// The CoC reference date: the follow-up rate counts cases diagnosed from this day on.
    #[arg(long, env = "ONCOREG_FOLLOWUP_REFERENCE_DATE", default_value = "2010-01-01")]
    pub followup_reference_date: chrono::NaiveDate,

    /// The registry's name on letterheads and in letters.
    #[arg(long, env = "ONCOREG_REGISTRY_NAME", default_value = "Cancer Registry")]
    pub registry_name: String,

    /// The phone number letters ask recipients to call.
    #[arg(long, env = "ONCOREG_REGISTRY_PHONE", default_value = "(000) 000-0000")]
    pub registry_phone: String,

    /// The registry's postal address, lines separated by `|`.
    #[arg(long, env = "ONCOREG_REGISTRY_ADDRESS", default_value = "")]
    pub registry_address: String,

    /// SMTP server for e-mailed letters: `smtps://HOST[:PORT]` (TLS from the start, port 465),
    /// `smtp://HOST[:PORT]?tls=required` (STARTTLS, port 25), or `smtp://HOST[:PORT]` (plain: only to
    /// a relay on this machine unless --smtp-allow-plain). Unset: e-mail letters wait in the outbox.
    #[arg(long, env = "ONCOREG_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// A PEM file of CA certificates the SMTP server's certificate may chain to, besides the
    /// system's (a registry's private CA).
    #[arg(long, env = "ONCOREG_SMTP_CA_FILE")]
    pub smtp_ca_file: Option<std::path::PathBuf>,

    /// Allow plain SMTP (no TLS) to a server on another machine. Letters carry patient data: leave
    /// off unless the network path is otherwise protected.
    #[arg(long, env = "ONCOREG_SMTP_ALLOW_PLAIN", default_value_t = false)]
    pub smtp_allow_plain: bool,

    /// What an e-mailed letter says: `full` (the letter's text) or `notice` (no patient data: the
    /// recipient is asked to call the registry or use the reply form it has on paper).
    #[arg(long, env = "ONCOREG_MAIL_CONTENT", default_value = "full",
          value_parser = ["full", "notice"])]
    pub mail_content: String,

    /// Sender of e-mailed letters.
    #[arg(long, env = "ONCOREG_MAIL_FROM", default_value = "Cancer Registry <registry@localhost>")]
    pub mail_from: String,

    /// First retry delay after a failed SMTP delivery, in seconds; it doubles per attempt up to 6 hours.
    #[arg(long, env = "ONCOREG_SMTP_RETRY_SECS", default_value_t = 60)]
    pub smtp_retry_secs: u64,

    /// How long a job's database lease lasts, in seconds; the running instance renews it every third
    /// of that, so a crashed instance's lease runs out within this time.
    #[arg(long, env = "ONCOREG_JOB_LEASE_SECS", default_value_t = 60)]
    pub job_lease_secs: u64,

    /// Test hook, never set in production: `after-render` aborts `send-letters` once the letters are
    /// rendered and stored, before any is sent (crash-safety tests).
    #[arg(long, env = "ONCOREG_FAULT", hide = true)]
    pub fault: Option<String>,
}

impl Default for FollowUpSettings {
    fn default() -> Self {
        Self {
            jobs_enabled: true,
            jobs_schedule: None,
            followup_policy: None,
            letters_dir: None,
            followup_reference_date: chrono::NaiveDate::from_ymd_opt(2010, 1, 1)
                .unwrap_or_default(),
            registry_name: "Cancer Registry".into(),
            registry_phone: "(000) 000-0000".into(),
            registry_address: String::new(),
            smtp_url: None,
            smtp_ca_file: None,
            smtp_allow_plain: false,
            mail_content: "full".into(),
            mail_from: "Cancer Registry <registry@localhost>".into(),
            smtp_retry_secs: 60,
            job_lease_secs: 60,
            fault: None,
        }
    }
}

#[cfg(test)]
mod idle_tests {
    use super::IdleTime;

    #[test]
    fn idle_times_parse() {
        let d = |s: &str| IdleTime::parse(s).map(|t| t.duration().num_seconds());
        assert_eq!(d("15m"), Ok(900));
        assert_eq!(d("15"), Ok(900), "a bare number is minutes");
        assert_eq!(d("90s"), Ok(90));
        assert_eq!(d(" 1h "), Ok(3600));
        assert!(d("0s").is_err() && d("25h").is_err(), "between a second and a day");
        assert!(d("soon").is_err() && d("5d").is_err() && d("").is_err());
    }
}
