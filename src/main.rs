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
        Command::Demo { patients, seed, as_of } => {
            oncoreg::server::demo(&cli.settings, patients, seed, as_of).map(|r| {
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
