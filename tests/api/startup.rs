//! Start-up: a bad setting stops the binary at once with one line naming it, before "serving" is
//! logged or the database is touched; each subcommand's `--help` shows the settings it uses.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn oncoreg(args: &[&str], dir: &std::path::Path) -> (bool, String, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_oncoreg"))
        .args(args)
        .current_dir(dir)
        .env("ONCOREG_DATABASE_URL", dir.join("startup.db"))
        .env("ONCOREG_BIND", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    // A setting that is not refused leaves the server running: stop it after 10 s.
    while started.elapsed() < Duration::from_secs(10) {
        if child.try_wait().ok().flatten().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let out = child.wait_with_output().expect("output");
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text, started.elapsed())
}

#[test]
fn each_bad_setting_is_one_clear_error_within_seconds() {
    let dir = tempfile::tempdir().expect("dir");
    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let busy_addr = busy.local_addr().expect("addr").to_string();
    let missing = dir.path().join("missing");
    let missing_file = missing.join("file.toml").display().to_string();
    let missing_dir = missing.display().to_string();
    let missing_db = missing.join("registry.db").display().to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["serve", "--log-format", "xml"], "--log-format"),
        (vec!["serve", "--edit-rule-set", "bogus"], "--edit-rule-set"),
        (
            vec!["serve", "--database-url", "postgres://postgres:s3cretpw@127.0.0.1:1/x"],
            "127.0.0.1:1",
        ),
        (vec!["serve", "--database-url", &missing_db], &missing_db),
        (vec!["serve", "--bind", &busy_addr], &busy_addr),
        (vec!["serve", "--bind", "not-an-address"], "not-an-address"),
        (vec!["serve", "--jobs-schedule", &missing_file], &missing_file),
        (vec!["serve", "--followup-policy", &missing_file], &missing_file),
        (vec!["serve", "--letters-dir", &missing_dir], &missing_dir),
        (vec!["serve", "--smtp-url", "ftp://mail.example.org"], "SMTP URL"),
        (
            vec![
                "serve",
                "--smtp-url",
                "smtps://mail.example.org",
                "--smtp-ca-file",
                &missing_file,
            ],
            &missing_file,
        ),
        (vec!["serve", "--export-record-type", "Q"], "--export-record-type"),
        (vec!["serve", "--followup-reference-date", "2010-13-01"], "--followup-reference-date"),
        (vec!["serve", "--session-idle", "soon"], "--session-idle"),
        (vec!["serve", "--session-idle", "0s"], "--session-idle"),
        (vec!["import", &missing_file], &missing_file),
        (vec!["migrate", "--database-url", &missing_db], &missing_db),
    ];
    for (args, needle) in cases {
        let (ok, text, took) = oncoreg(&args, dir.path());
        assert!(!ok, "{args:?} was refused:\n{text}");
        assert!(took < Duration::from_secs(5), "{args:?} took {took:?}:\n{text}");
        assert!(!text.contains("serving"), "{args:?} logged serving first:\n{text}");
        let errors: Vec<&str> = text.lines().filter(|l| l.contains("error")).collect();
        assert_eq!(errors.len(), 1, "{args:?}: one error line:\n{text}");
        assert!(errors[0].contains(needle), "{args:?}: the error names {needle}:\n{text}");
        assert!(!text.contains("s3cretpw"), "{args:?}: a password in the error:\n{text}");
    }
    // None of these created the database they were refused before.
    assert!(!dir.path().join("startup.db").exists(), "a refused start touched the database");
    drop(busy);
}

#[test]
fn each_subcommand_help_shows_only_what_it_uses() {
    let dir = tempfile::tempdir().expect("dir");
    let help = |args: &[&str]| {
        let (ok, text, _) = oncoreg(args, dir.path());
        assert!(ok, "{args:?}:\n{text}");
        text
    };
    let serve = help(&["serve", "--help"]);
    for flag in
        ["--database-url", "--bind", "--smtp-url", "--import-expanded-limit", "--export-dir"]
    {
        assert!(serve.contains(flag), "serve --help shows {flag}:\n{serve}");
    }
    let cases: [(&[&str], &[&str], &[&str]); 6] = [
        (&["migrate", "--help"], &["--database-url"], &["--bind", "--smtp-url", "--edit-rule-set"]),
        (&["token", "create", "--help"], &["--database-url", "--role"], &["--bind", "--smtp-url"]),
        (
            &["import", "--help"],
            &["--database-url", "--import-expanded-limit", "--edit-rule-set"],
            &["--bind", "--smtp-url", "--export-dir"],
        ),
        (&["export", "--help"], &["--out", "--submissions-dir"], &["--bind", "--smtp-url"]),
        (&["jobs", "list", "--help"], &["--jobs-schedule"], &["--database-url", "--smtp-url"]),
        (&["openapi", "--help"], &[], &["--database-url", "--bind"]),
    ];
    for (args, shown, hidden) in cases {
        let text = help(args);
        for flag in shown {
            assert!(text.contains(flag), "{args:?} shows {flag}:\n{text}");
        }
        for flag in hidden {
            assert!(!text.contains(flag), "{args:?} hides {flag}:\n{text}");
        }
    }
}
