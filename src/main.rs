//! The `oncoreg` command: serve the API, migrate, issue tokens, print the OpenAPI document.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use oncoreg::config::{
    DatabaseSettings, EditSettings, ExportJobSettings, FollowUpSettings, ImportSettings, Settings,
    SubmissionSettings,
};
use oncoreg::service::Role;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "oncoreg", version, about = "Cancer registry service")]
struct Cli {
    /// Log format: `pretty` or `json`. Levels come from `RUST_LOG` (default `info`).
    #[arg(long, global = true, env = "ONCOREG_LOG_FORMAT", default_value = "pretty",
          value_parser = ["pretty", "json"])]
    log_format: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve the HTTP API.
    Serve {
        #[command(flatten)]
        settings: Box<Settings>,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        database: DatabaseSettings,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage the accounts people sign in to the web pages with.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Keep the audit trail's size in check.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Fill the database with a synthetic registry (obviously fictional people).
    Demo {
        /// How many patients to add.
        #[arg(long)]
        patients: u32,
        /// Random seed: the same seed and date give the same registry.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The date the registry is "as of" (default: today).
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        #[command(flatten)]
        database: DatabaseSettings,
        #[command(flatten)]
        edits: EditSettings,
    },
    /// Create a NAACCR XML submission batch and write its file to --out.
    Export {
        /// A (full abstract), C (confidential) or I (incidence).
        #[arg(long, default_value = "I")]
        record_type: String,
        /// A built-in dictionary version written as NAACCR XML 1.8 (250, 260).
        #[arg(long, default_value = "260")]
        naaccr_version: String,
        /// Only tumors new or changed since the last batch of this record type and version.
        #[arg(long)]
        since_last: bool,
        /// Only tumors of this reporting facility (#540).
        #[arg(long)]
        facility: Option<String>,
        /// Diagnosis date range (ISO, any precision).
        #[arg(long)]
        dx_from: Option<String>,
        #[arg(long)]
        dx_to: Option<String>,
        /// Also send tumors failing an error-level edit.
        #[arg(long)]
        include_failing: bool,
        /// Where to write the file (written to a temporary name, then renamed).
        #[arg(long)]
        out: std::path::PathBuf,
        #[command(flatten)]
        database: DatabaseSettings,
        #[command(flatten)]
        submissions: SubmissionSettings,
    },
    /// Run the monthly export job once: a changed-since-last batch copied into ONCOREG_EXPORT_DIR.
    ExportMonthly {
        /// The date the job runs for (default today).
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        #[command(flatten)]
        database: DatabaseSettings,
        #[command(flatten)]
        export: ExportJobSettings,
    },
    /// Import a NAACCR file: XML v14–v26 (plain or gzip) or a flat file v14–v18. Prints the report
    /// as JSON on stdout and a one-line summary on stderr; the import is kept with its report.
    ///
    /// Exit codes: 0 every patient was stored; 3 some patients were rejected (see the report);
    /// 2 the file was refused as a whole, or stopped part-way (the reason on stderr; the patients
    /// before it stay stored and the same file again completes it); 4 another import is running;
    /// 1 any other error.
    Import {
        file: std::path::PathBuf,
        #[command(flatten)]
        database: DatabaseSettings,
        #[command(flatten)]
        edits: EditSettings,
        #[command(flatten)]
        imports: ImportSettings,
    },
    /// Multiple primaries: check the stored tumors against the rules.
    Mp {
        #[command(subcommand)]
        command: MpCommand,
    },
    /// List or run the scheduled jobs.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// List the jobs with their crons.
    List {
        /// A TOML file overriding crons of `jobs/schedule.toml`.
        #[arg(long, env = "ONCOREG_JOBS_SCHEDULE")]
        jobs_schedule: Option<std::path::PathBuf>,
    },
    /// Run one job now (recorded in the job runs); the result is the same for the same date.
    Run {
        /// generate-tasks, send-letters, mark-lost or monthly-export
        name: String,
        /// The day to run for (default: today, UTC).
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<chrono::NaiveDate>,
        #[command(flatten)]
        database: DatabaseSettings,
        #[command(flatten)]
        export: ExportJobSettings,
        #[command(flatten)]
        followup: Box<FollowUpSettings>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from the first line of standard input, never from
    /// the command line (where other users of the machine and the shell history would see it).
    Create {
        #[arg(long)]
        name: String,
        /// admin, registrar or viewer
        #[arg(long, value_parser = ["admin", "registrar", "viewer"])]
        role: String,
        /// Read the password from standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        database: DatabaseSettings,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Issue a token and print its secret once.
    Create {
        #[arg(long)]
        name: String,
        /// admin, registrar or viewer
        #[arg(long, value_parser = ["admin", "registrar", "viewer"])]
        role: String,
        #[command(flatten)]
        database: DatabaseSettings,
    },
}

fn print_json<T: serde::Serialize>(value: T) {
    println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
}

/// `oncoreg import`: the report on stdout, a summary on stderr, and the exit code the help names.
fn import(settings: &Settings, file: &std::path::Path) -> ExitCode {
    match oncoreg::server::import(settings, file) {
        Ok(r) => {
            eprintln!(
                "{}: {} patients read: {} created, {} updated, {} unchanged, {} rejected; {} tumors \
                 (import {})",
                file.display(),
                r.patients_read,
                r.patients_created,
                r.patients_updated,
                r.patients_unchanged,
                r.patients_rejected,
                r.tumors_read,
                r.id.as_deref().unwrap_or("-"),
            );
            let stopped = r.status != "completed";
            if stopped {
                eprintln!(
                    "{}: the import {}: {}; the patients before stay stored; import the same file \
                     again to complete it",
                    file.display(),
                    r.status,
                    r.refused.as_deref().unwrap_or("cancelled")
                );
            }
            let rejected = r.patients_rejected > 0;
            print_json(r);
            match (stopped, rejected) {
                (true, _) => ExitCode::from(2),
                (false, true) => ExitCode::from(3),
                _ => ExitCode::SUCCESS,
            }
        }
        Err(oncoreg::server::StartError::Service(oncoreg::service::ServiceError::Conflict {
            message,
            ..
        })) => {
            eprintln!("{}: {message}", file.display());
            ExitCode::from(4)
        }
        Err(oncoreg::server::StartError::Service(oncoreg::service::ServiceError::Refused(why))) => {
            eprintln!("{}: the file was refused: {why}", file.display());
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Subcommand)]
enum MpCommand {
    /// Compare every pair of tumors of each patient and list the pairs the rules call one primary,
    /// then those they cannot decide, with the rule path (tab-separated, or --json). The counts go
    /// to standard error. Exit code 0 when no pair was found, 3 when some were.
    Check {
        /// Only patients with a tumor of this reporting facility (#540).
        #[arg(long)]
        facility: Option<String>,
        /// First year of diagnosis of the tumors looked at.
        #[arg(long)]
        dx_year_from: Option<i32>,
        /// Last year of diagnosis of the tumors looked at.
        #[arg(long)]
        dx_year_to: Option<i32>,
        /// `seer` or `iarc` (default: after the edit rule set, IARC/IACR's under `iarc`).
        #[arg(long, value_parser = ["seer", "iarc"])]
        rules: Option<String>,
        /// Leave out the pairs the rules cannot decide.
        #[arg(long)]
        no_questionable: bool,
        /// Pairs listed at most.
        #[arg(long, default_value_t = 100_000)]
        limit: usize,
        /// Print the whole report as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        database: DatabaseSettings,
        #[command(flatten)]
        edits: EditSettings,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Move the events from before --before into a new file (one JSON event per line), then delete
    /// them from the database; nothing is deleted unless the file holds it and is on disk.
    Archive {
        /// Events from before this day (UTC) are archived.
        #[arg(long)]
        before: chrono::NaiveDate,
        /// The file to write; it must not exist.
        #[arg(long)]
        out: std::path::PathBuf,
        #[command(flatten)]
        database: DatabaseSettings,
    },
}

fn db_only(database: DatabaseSettings) -> Settings {
    Settings::assemble(database, None, None, None, None, None)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    oncoreg::telemetry::init(&cli.log_format);
    let result = match cli.command {
        Command::Serve { settings } => oncoreg::server::serve(*settings),
        Command::Migrate { database } => {
            oncoreg::server::migrate(&db_only(database)).map(|applied| {
                println!("{} migration(s) applied", applied.len());
            })
        }
        Command::Token { command: TokenCommand::Create { name, role, database } } => {
            let role = Role::parse(&role).unwrap_or(Role::Viewer);
            oncoreg::server::create_token(&db_only(database), &name, role)
                .map(|secret| println!("{secret}"))
        }
        Command::User {
            command: UserCommand::Create { name, role, password_stdin: _, database },
        } => {
            let role = Role::parse(&role).unwrap_or(Role::Viewer);
            let mut password = String::new();
            match std::io::stdin().read_line(&mut password) {
                Ok(_) => {
                    let password = password.trim_end_matches(['\r', '\n']);
                    oncoreg::server::create_user(&db_only(database), &name, role, password)
                        .map(|id| println!("user {name} ({}) created: {id}", role.as_str()))
                }
                Err(e) => Err(oncoreg::server::StartError::Read {
                    path: "standard input".into(),
                    source: e,
                }),
            }
        }
        Command::Audit { command: AuditCommand::Archive { before, out, database } } => {
            oncoreg::server::archive_audit(&db_only(database), before, &out).map(|r| {
                println!("{} events ({} bytes) archived to {}", r.events, r.bytes, r.file);
            })
        }
        Command::Demo { patients, seed, as_of, database, edits } => {
            let settings = Settings::assemble(database, Some(edits), None, None, None, None);
            oncoreg::server::demo(&settings, patients, seed, as_of).map(|r| {
                println!(
                    "{} patients, {} tumors, {} treatments, {} contacts in {:.1} s ({:.0} patients/s; {} draws redone)",
                    r.patients,
                    r.tumors,
                    r.treatments,
                    r.contacts,
                    r.seconds,
                    r.patients as f64 / r.seconds.max(1e-9),
                    r.redrawn
                );
            })
        }
        Command::Export {
            record_type,
            naaccr_version,
            since_last,
            facility,
            dx_from,
            dx_to,
            include_failing,
            out,
            database,
            submissions,
        } => {
            let req = oncoreg::model::SubmissionRequest {
                record_type: Some(record_type),
                naaccr_version: Some(naaccr_version),
                reporting_facility: facility,
                dx_from,
                dx_to,
                changed_since_last: Some(since_last),
                include_failing: Some(include_failing),
            };
            let settings = Settings::assemble(database, None, None, Some(submissions), None, None);
            oncoreg::server::export(&settings, &req, &out).map(print_json)
        }
        Command::ExportMonthly { as_of, database, export } => {
            let settings = Settings::assemble(
                database,
                None,
                None,
                Some(export.submissions),
                Some(export.monthly_export),
                None,
            );
            oncoreg::server::export_monthly(&settings, as_of).map(print_json)
        }
        Command::Import { file, database, edits, imports } => {
            let settings =
                Settings::assemble(database, Some(edits), Some(imports), None, None, None);
            return import(&settings, &file);
        }
        Command::Mp {
            command:
                MpCommand::Check {
                    facility,
                    dx_year_from,
                    dx_year_to,
                    rules,
                    no_questionable,
                    limit,
                    json,
                    database,
                    edits,
                },
        } => {
            let settings = Settings::assemble(database, Some(edits), None, None, None, None);
            let req = oncoreg::service::mp::CheckRequest {
                facility,
                dx_year_from,
                dx_year_to,
                rules: rules.as_deref().and_then(oncoreg::domain::mp::Rules::parse),
                questionable: !no_questionable,
                limit,
            };
            return match oncoreg::server::mp_check(&settings, &req) {
                Ok(report) => print_mp_check(&report, json),
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        Command::Jobs { command: JobsCommand::List { jobs_schedule } } => {
            oncoreg::server::list_jobs(jobs_schedule.as_deref()).map(|jobs| {
                for (name, cron, about) in jobs {
                    println!("{name:<16} {cron:<18} {about}");
                }
            })
        }
        Command::Jobs { command: JobsCommand::Run { name, as_of, database, export, followup } } => {
            let settings = Settings::assemble(
                database,
                None,
                None,
                Some(export.submissions),
                Some(export.monthly_export),
                Some(*followup),
            );
            oncoreg::server::run_job(&settings, &name, as_of).map(|outcome| match outcome {
                oncoreg::jobs::Outcome::Ran { run_id, counts } => {
                    let counts = serde_json::to_string(&counts).unwrap_or_default();
                    println!("{name} run {run_id}: {counts}");
                }
                oncoreg::jobs::Outcome::Skipped(why) => println!("{name} skipped: {why}"),
            })
        }
        Command::Openapi => {
            println!("{}", oncoreg::server::openapi_json());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            // An invalid request names each field and rule, as the API's problem body does.
            if let oncoreg::server::StartError::Service(oncoreg::service::ServiceError::Invalid(
                vs,
            )) = &e
            {
                for v in vs {
                    eprintln!("  {v}");
                }
            }
            ExitCode::FAILURE
        }
    }
}

/// The batch check's pairs on standard output, its counts on standard error.
fn print_mp_check(r: &oncoreg::model::MpCheckReport, json: bool) -> ExitCode {
    if json {
        print_json(r);
    } else {
        println!(
            "result\tpatient\ttumor1\tsite1\tmorphology1\tyear1\tseq1\ttumor2\tsite2\tmorphology2\tyear2\tseq2\treviewed\tmodule\tstep\treason"
        );
        let year = |y: Option<i32>| y.map(|y| y.to_string()).unwrap_or_default();
        for p in &r.pairs {
            let (a, b) = (&p.tumor1, &p.tumor2);
            println!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                p.answer.result,
                p.patient_id,
                a.id,
                a.site,
                a.morphology,
                year(a.diagnosis_year),
                a.sequence_number_hospital.as_deref().unwrap_or(""),
                b.id,
                b.site,
                b.morphology,
                year(b.diagnosis_year),
                b.sequence_number_hospital.as_deref().unwrap_or(""),
                if p.reviewed { "yes" } else { "no" },
                p.answer.module,
                p.answer.step,
                p.answer.reason
            );
        }
    }
    eprintln!(
        "{} rules: {} patients, {} tumors ({} not coded), {} pairs compared: {} same primary, {} questionable{}",
        r.rules,
        r.patients_checked,
        r.tumors_checked,
        r.tumors_not_coded,
        r.pairs_compared,
        r.same_primary,
        r.questionable,
        if r.truncated { format!("; first {} listed", r.pairs.len()) } else { String::new() }
    );
    if r.same_primary + r.questionable > 0 { ExitCode::from(3) } else { ExitCode::SUCCESS }
}
