//! Logging: `RUST_LOG` levels (default `info`), pretty or JSON lines. Logs carry ids, never patient data.

use tracing_subscriber::EnvFilter;

/// Colour codes only when a person watches: a log file or a collector gets plain text.
pub fn init(format: &str) {
    use std::io::IsTerminal;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = if format == "json" { builder.json().try_init() } else { builder.try_init() };
}
