//! The `oncoreg` command: serve the API, migrate, issue tokens, print the OpenAPI document.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use oncoreg::config::Settings;
use oncoreg::service::Role;

#[derive(Parser)]
#[command(name = "oncoreg", version, about = "Cancer registry service")]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve the HTTP API.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// List or run the scheduled jobs.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// List the jobs with their crons.
    List,
    /// Run one job now (recorded in the job runs); the result is the same for the same date.
    Run {
        /// generate-tasks, send-letters or mark-lost
        name: String,
        /// The day to run for (default: today, UTC).
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<chrono::NaiveDate>,
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
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    oncoreg::telemetry::init(&cli.settings.log_format);
    let result = match cli.command {
        Command::Serve => oncoreg::server::serve(cli.settings),
        Command::Migrate => oncoreg::server::migrate(&cli.settings).map(|applied| {
            println!("{} migration(s) applied", applied.len());
        }),
        Command::Token { command: TokenCommand::Create { name, role } } => {
            let role = Role::parse(&role).unwrap_or(Role::Viewer);
            oncoreg::server::create_token(&cli.settings, &name, role)
                .map(|secret| println!("{secret}"))
        }
        Command::Jobs { command: JobsCommand::List } => oncoreg::server::list_jobs(&cli.settings)
            .map(|jobs| {
                for (name, cron, about) in jobs {
                    println!("{name:<16} {cron:<18} {about}");
                }
            }),
        Command::Jobs { command: JobsCommand::Run { name, as_of } } => {
            oncoreg::server::run_job(&cli.settings, &name, as_of).map(|outcome| match outcome {
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
            ExitCode::FAILURE
        }
    }
}
