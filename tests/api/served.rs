//! The `oncoreg` binary itself, served on a loopback port over a fresh SQLite file with its log in
//! a file: for the tests that read what the process logs.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Served {
    pub base: String,
    pub dir: tempfile::TempDir,
    db: String,
    log: PathBuf,
    child: Option<Child>,
}

impl Served {
    /// A database to serve; tokens are made before `serve`.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("served.db").display().to_string();
        let log = dir.path().join("serve.log");
        Self { base: String::new(), dir, db, log, child: None }
    }

    /// The database it serves.
    pub fn database_url(&self) -> &str {
        &self.db
    }

    /// A token of `role`, named after it, made by `oncoreg token create`.
    pub fn token(&self, role: &str) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_oncoreg"))
            .args(["token", "create", "--name", role, "--role", role])
            .env("ONCOREG_DATABASE_URL", &self.db)
            .output()
            .expect("token");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Starts `oncoreg ARGS serve` with `env` and waits until it answers.
    pub async fn serve(&mut self, args: &[&str], env: &[(&str, &str)]) {
        let port = crate::smtp::free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_oncoreg"))
            .args(args)
            .arg("serve")
            .env("ONCOREG_DATABASE_URL", &self.db)
            .env("ONCOREG_BIND", format!("127.0.0.1:{port}"))
            .env("ONCOREG_SUBMISSIONS_DIR", self.dir.path().join("submissions"))
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&self.log).expect("log file"))
            .spawn()
            .expect("serve");
        self.child = Some(child);
        self.base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if client.get(format!("{}/health", self.base)).send().await.is_ok() {
                return;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the server; returns what it logged.
    pub fn stop(&mut self) -> String {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("stop server");
            let _ = child.wait();
        }
        let mut logs = String::new();
        std::fs::File::open(&self.log).expect("log").read_to_string(&mut logs).expect("read");
        logs
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
