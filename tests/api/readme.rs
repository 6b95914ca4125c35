//! The README's tutorial, run as written against the served binary: what each step prints must be
//! the answer the README shows under it (its `#> ` lines), and a step the README shows no answer
//! for must print nothing, so the README cannot drift from the service.

use std::process::Command;

const START: &str = "<!-- tutorial -->\n```sh\n";
const END: &str = "```\n<!-- /tutorial -->";

/// The tutorial as a script with a marker before each step, and each step's answer.
fn tutorial(readme: &str) -> (String, Vec<Vec<String>>) {
    let start = readme.find(START).expect("the README marks its tutorial") + START.len();
    let end = start + readme[start..].find(END).expect("the tutorial ends");
    let mut script = String::from("set -euo pipefail\necho '@@step 0'\n");
    let mut answers: Vec<Vec<String>> = vec![Vec::new()];
    for line in readme[start..end].lines() {
        if let Some(out) = line.strip_prefix("#> ") {
            answers.last_mut().expect("a step").push(out.to_string());
            continue;
        }
        if answers.last().is_some_and(|a| !a.is_empty()) {
            script.push_str(&format!("echo '@@step {}'\n", answers.len()));
            answers.push(Vec::new());
        }
        script.push_str(line);
        script.push('\n');
    }
    (script, answers)
}

#[actix_web::test]
async fn the_readme_tutorial_runs_as_written() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let (script, answers) = tutorial(&readme);
    assert!(answers.len() >= 8, "the tutorial shows the answers of its steps");
    let mut served = crate::served::Served::new();
    served.serve(&[], &[]).await;
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_oncoreg")).parent().expect("dir");
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let (base, db, dir) =
        (served.base.clone(), served.database_url().to_string(), served.dir.path().to_owned());
    let out = actix_web::rt::task::spawn_blocking(move || {
        Command::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(dir)
            .env("PATH", path)
            .env("ONCOREG_URL", base)
            .env("ONCOREG_DATABASE_URL", db)
            .output()
            .expect("bash runs")
    })
    .await
    .expect("joined");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the tutorial failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut got: Vec<Vec<String>> = Vec::new();
    for line in stdout.lines() {
        if line.starts_with("@@step ") {
            got.push(Vec::new());
        } else if let Some(step) = got.last_mut() {
            step.push(line.trim_end().to_string());
        }
    }
    assert_eq!(got.len(), answers.len(), "every step ran:\n{stdout}");
    for (n, (got, shown)) in got.iter().zip(&answers).enumerate() {
        assert_eq!(got, shown, "step {n} of the README tutorial answers otherwise");
    }
    served.stop();
}
