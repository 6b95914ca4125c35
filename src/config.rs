//! Settings, by flag or `ONCOREG_*` environment variable; built once in `main` and passed down.

use clap::Args;

use crate::domain::edits::RuleSet;

#[derive(Args, Clone, Debug)]
pub struct Settings {
    /// Database: a SQLite file path or `sqlite://PATH`, or `postgres://USER@HOST:PORT/DB`.
    #[arg(long, global = true, env = "ONCOREG_DATABASE_URL", default_value = "oncoreg.db")]
    pub database_url: String,

    /// Address the HTTP server listens on.
    #[arg(long, global = true, env = "ONCOREG_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Largest request body accepted, in bytes.
    #[arg(long, global = true, env = "ONCOREG_BODY_LIMIT", default_value_t = 1_048_576)]
    pub body_limit: usize,

    /// Database connections in the pool (default 8 for SQLite, 16 for PostgreSQL).
    #[arg(long, global = true, env = "ONCOREG_DB_POOL_SIZE")]
    pub db_pool_size: Option<u32>,

    /// HTTP worker threads (default: one per core).
    #[arg(long, global = true, env = "ONCOREG_WORKERS")]
    pub workers: Option<usize>,

    /// Edit rule set: `naaccr` (SEER/NAACCR metafile edits), `iarc` (IARC/IACR CHECK) or `both`.
    #[arg(long, global = true, env = "ONCOREG_EDIT_RULE_SET", default_value = "naaccr",
          value_parser = ["naaccr", "iarc", "both"])]
    pub edit_rule_set: String,

    /// Log format: `pretty` or `json`. Levels come from `RUST_LOG` (default `info`).
    #[arg(long, global = true, env = "ONCOREG_LOG_FORMAT", default_value = "pretty")]
    pub log_format: String,

    /// Directory where submission batch files are kept (downloaded from `/submissions/{id}/file`).
    #[arg(long, global = true, env = "ONCOREG_SUBMISSIONS_DIR", default_value = "submissions")]
    pub submissions_dir: String,

    /// Largest NAACCR file accepted by `POST /api/v1/imports`, in bytes.
    #[arg(long, global = true, env = "ONCOREG_IMPORT_LIMIT", default_value_t = 64 * 1_048_576)]
    pub import_limit: usize,

    /// Directory the monthly export job copies each batch into.
    #[arg(long, global = true, env = "ONCOREG_EXPORT_DIR", default_value = "exports")]
    pub export_dir: String,

    /// Record type of the monthly export (A, C or I).
    #[arg(long, global = true, env = "ONCOREG_EXPORT_RECORD_TYPE", default_value = "I")]
    pub export_record_type: String,

    /// NAACCR version of the monthly export (250 or 260).
    #[arg(long, global = true, env = "ONCOREG_EXPORT_NAACCR_VERSION", default_value = "260")]
    pub export_naaccr_version: String,

    /// Reporting facility (#540) the monthly export is limited to; all when unset.
    #[arg(long, global = true, env = "ONCOREG_EXPORT_FACILITY")]
    pub export_facility: Option<String>,
}

impl Settings {
    /// Defaults as `serve` would use them, for tests and tools.
    pub fn for_database(url: &str) -> Self {
        Self {
            database_url: url.to_string(),
            bind: "127.0.0.1:0".into(),
            body_limit: 1_048_576,
            db_pool_size: None,
            workers: Some(2),
            log_format: "pretty".into(),
            edit_rule_set: "naaccr".into(),
            submissions_dir: "submissions".into(),
            import_limit: 64 * 1_048_576,
            export_dir: "exports".into(),
            export_record_type: "I".into(),
            export_naaccr_version: "260".into(),
            export_facility: None,
        }
    }

    /// The edit rule set named by `edit_rule_set`.
    pub fn rule_set(&self) -> RuleSet {
        match self.edit_rule_set.as_str() {
            "iarc" => RuleSet::Iarc,
            "both" => RuleSet::Both,
            _ => RuleSet::Naaccr,
        }
    }
}
