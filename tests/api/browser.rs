//! The workbench in a real browser: Debian's chromium, headless, driven by playwright-core
//! (`tests/web/workbench.mjs`) against the app served on a loopback port, on SQLite and
//! PostgreSQL. The script walks a registrar's day (sign in, find a patient, abstract a tumor with
//! the keyboard, record a contact from the worklist, print the day's batch, make a submission,
//! import a file), checks a viewer cannot write, a form without its CSRF token is refused and an
//! idle session ends, and runs axe on every page it opens. This side sets the registry up and
//! checks afterwards, through the API and the audit trail, that what the pages did was stored.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::common::{TestApp, breast_tumor, patient_body};
use oncoreg::jobs::{Outcome, Trigger, run_job};
use oncoreg::service::{Actor, Role, accounts};

/// How long a session may idle in this test: long enough for every step, short enough to wait out.
const IDLE_SECONDS: u64 = 12;

const PASSWORD: &str = "a long enough passphrase";

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/web")
}

/// A sigmoid colon adenocarcinoma of 2021, with `changes` over it.
fn colon(changes: &[(&str, &str)]) -> serde_json::Value {
    let mut t = breast_tumor();
    let colon = [
        ("primarySite", "C18.7"),
        ("histologicTypeIcdO3", "8140"),
        ("laterality", "0"),
        ("sequenceNumberHospital", "01"),
    ];
    for (k, v) in colon.iter().chain(changes) {
        t[*k] = json!(v);
    }
    t
}

/// A patient last seen in May 2025, so a follow-up task falls due in June 2026 with a paper letter
/// to the physician.
async fn patient(app: &TestApp, number: &str, last: &str, first: &str) -> String {
    let mut body = patient_body(number);
    body["nameLast"] = json!(last);
    body["nameFirst"] = json!(first);
    body["addrCurrentNoStreet"] = json!("12 Elm Street");
    body["physicianManaging"] = json!({"name": "Jane Q. Synthetic, MD", "street": "1 Clinic Way",
        "city": "Tacoma", "state": "WA", "postalCode": "98402"});
    let pid = app.patient(&body).await;
    // A colon tumor of 2021: the browser abstracts the breast tumor.
    app.tumor(&pid, &colon(&[])).await;
    let contact = json!({"contactDate": "2025-05-10", "vitalStatus": "1", "followUpSource": "2"});
    let r = app.post(&format!("/api/v1/patients/{pid}/contacts"), &contact).await;
    assert_eq!(r.status, 201, "{}", r.body);
    pid
}

fn run(app: &TestApp, job: &str, as_of: NaiveDate) {
    let ctx = crate::followup::context(app);
    match run_job(&ctx, job, as_of, &Trigger::Manual).expect("job runs") {
        Outcome::Ran { .. } => {}
        other => panic!("{job} did not run: {other:?}"),
    }
}

/// A NAACCR XML file from another system: one patient to store, one without a patient id number.
fn import_file(dir: &Path) -> PathBuf {
    let xml = r#"<?xml version="1.0"?>
<NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-250.xml" recordType="I" specificationVersion="1.7" xmlns="http://naaccr.org/naaccrxml">
  <Patient>
    <Item naaccrId="patientIdNumber">00009301</Item>
    <Item naaccrId="nameLast">Importwell</Item>
    <Item naaccrId="dateOfBirth">19500304</Item>
    <Item naaccrId="sex">2</Item>
    <Tumor>
      <Item naaccrId="primarySite">C509</Item>
      <Item naaccrId="histologicTypeIcdO3">8500</Item>
      <Item naaccrId="behaviorCodeIcdO3">3</Item>
      <Item naaccrId="dateOfDiagnosis">20250115</Item>
    </Tumor>
  </Patient>
  <Patient>
    <Item naaccrId="nameLast">Nonumber</Item>
  </Patient>
</NaaccrData>
"#;
    let path = dir.join("from-another-registry.xml");
    std::fs::write(&path, xml).expect("import file");
    path
}

/// Every audit event, whole (who, the operation, the status), oldest or newest first.
async fn all_events(app: &TestApp) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let path = format!("/api/v1/audit?limit=500{cursor}");
        let r = app.send(reqwest::Method::GET, &path, Some(&app.admin), None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        out.extend(r.body["items"].as_array().cloned().unwrap_or_default());
        match r.body["nextCursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return out,
        }
    }
}

async fn workbench(app: &TestApp, backend: &str) {
    let node_modules = web_dir().join("node_modules");
    assert!(
        node_modules.join("playwright-core").exists(),
        "tests/web/node_modules is missing: scripts/test installs it (npm ci --prefix tests/web)"
    );
    {
        let mut conn = app.pool.get().expect("connection");
        let now = chrono::Utc::now().naive_utc();
        for (name, role) in [("ada", Role::Admin), ("rita", Role::Registrar), ("vic", Role::Viewer)]
        {
            accounts::create_user(&mut conn, &Actor::system("test"), name, role, PASSWORD, now)
                .expect("user");
        }
    }
    let abernathy = patient(app, "8301", "Abernathy", "Ruth").await;
    let brightwater = patient(app, "8302", "Brightwater", "Lena").await;
    // The same colon primary abstracted a second time: the Primaries page lists the pair.
    let again = colon(&[
        ("dateOfDiagnosis", "2021-05-20"),
        ("dateOf1stContact", "2021-05-20"),
        ("accessionNumberHosp", "202100018"),
    ]);
    app.tumor(&brightwater, &again).await;
    let june = NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
    run(app, "generate-tasks", june);
    run(app, "send-letters", june);

    let files = tempfile::tempdir().expect("dir");
    let import = import_file(files.path());
    let screenshots = if std::env::var_os("UPDATE_SCREENSHOTS").is_some() && backend == "sqlite" {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots")
    } else {
        files.path().join("screenshots")
    };
    std::fs::create_dir_all(&screenshots).expect("screenshot dir");
    let (base, dir) = (app.base.clone(), web_dir());
    let out = actix_web::rt::task::spawn_blocking(move || {
        Command::new("node")
            .arg("workbench.mjs")
            .current_dir(dir)
            .env("BASE_URL", base)
            .env("PASSWORD", PASSWORD)
            .env("IMPORT_FILE", import)
            .env("SCREENSHOTS", screenshots)
            .env("IDLE_SECONDS", IDLE_SECONDS.to_string())
            .output()
            .expect("node runs")
    })
    .await
    .expect("joined");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the browser walk failed on {backend}:\n{stdout}\n{stderr}");
    assert!(stdout.contains("walk complete"), "the walk ran to its end:\n{stdout}");

    // What the pages did is stored, as the API reads it.
    let tumors = app.get(&format!("/api/v1/patients/{abernathy}/tumors")).await;
    let sites: Vec<&str> = tumors.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|t| t["primarySite"].as_str())
        .collect();
    assert!(sites.contains(&"C504"), "the tumor abstracted in the browser is stored: {sites:?}");
    let breast = tumors.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|t| t["primarySite"] == "C504")
        .expect("the breast tumor")
        .clone();
    assert_eq!(breast["overRideHistology"], "1", "the accepted review sets its override flag");
    let remarks = breast["items"]["textRemarks"].as_str().unwrap_or_default();
    assert!(
        remarks.contains(
            "overRideHistology accepted by rita on 2026-06-30: Mammogram and clinical exam"
        ),
        "the reason is kept in the remarks: {remarks}"
    );
    assert_eq!(breast["editStatus"], "clean", "{breast}");
    let tasks = app.get(&format!("/api/v1/followup/tasks?view=all&patientId={brightwater}")).await;
    assert_eq!(tasks.body["items"][0]["state"], "completed", "{}", tasks.body);
    let letters = app.get(&format!("/api/v1/letters?patientId={brightwater}")).await;
    let states: Vec<&str> = letters.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|l| l["state"].as_str())
        .collect();
    assert!(states.contains(&"cancelled"), "the contact cancelled the queued letter: {states:?}");
    let subs = app.get("/api/v1/submissions").await;
    assert_eq!(subs.body["items"].as_array().map(Vec::len), Some(1), "{}", subs.body);
    let imports = app.get("/api/v1/imports").await;
    assert_eq!(imports.body["items"][0]["patientsRejected"], 1, "{}", imports.body);

    // Every sign-in (and the failed one) and the pages' reads and writes are audited by person.
    let events = all_events(app).await;
    let by = |name: &str, op: &str| {
        events.iter().any(|e| {
            e["actorName"] == name && e["operation"].as_str().is_some_and(|o| o.starts_with(op))
        })
    };
    assert!(by("rita", "sign-in"), "the registrar's sign-in is audited");
    assert!(by("rita", "GET /patients/{id}"), "the patient page read is audited");
    assert!(by("rita", "POST /patients/{id}/tumors/new"), "the abstract's save is audited");
    assert!(by("rita", "sign-out (idle)"), "the idle sign-out is audited");
    let failed = events.iter().any(|e| e["operation"] == "sign-in" && e["status"] == 401);
    assert!(failed, "the failed sign-in is audited");
    let refused = events.iter().any(|e| e["actorName"] == "vic" && e["status"] == 403);
    assert!(refused, "the viewer's refused write is audited");
}

#[actix_web::test]
async fn sqlite() {
    let app = TestApp::sqlite_with(configure).await;
    workbench(&app, "sqlite").await;
    app.stop().await;
}

#[actix_web::test]
async fn postgres() {
    let app = TestApp::postgres_with(configure).await;
    workbench(&app, "postgres").await;
    app.stop().await;
}

fn configure(s: &mut oncoreg::config::Settings) {
    s.http.session_idle =
        oncoreg::config::IdleTime::parse(&format!("{IDLE_SECONDS}s")).expect("idle");
    s.followup.registry_name = "Evergreen Cancer Registry".into();
}
