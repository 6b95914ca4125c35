//! The API keeps answering while it works: an import goes in batches of whole patients while other
//! clients read and write, runs one at a time, can be cancelled, and a killed import completes when
//! the file is sent again. Every request leaves one audit event, and every disclosure is in one.

use std::io::{BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_backends;
use crate::common::{Reply, TestApp, breast_tumor, patient_body};

both_backends!(
    an_import_shares_the_database_with_readers_and_writers,
    imports_run_one_at_a_time_and_can_be_cancelled,
    a_killed_import_completes_when_sent_again,
    every_request_leaves_one_audit_event_and_disclosures_are_named,
);

fn patient_xml(number: &str) -> String {
    format!(
        r#"<Patient><Item naaccrId="patientIdNumber">{number}</Item><Item naaccrId="nameLast">Importperson</Item><Item naaccrId="sexAssignedAtBirth">2</Item><Item naaccrId="dateOfBirth">19560314</Item><Tumor><Item naaccrId="primarySite">C504</Item><Item naaccrId="histologicTypeIcdO3">8500</Item><Item naaccrId="behaviorCodeIcdO3">3</Item><Item naaccrId="laterality">2</Item><Item naaccrId="dateOfDiagnosis">20210315</Item><Item naaccrId="sequenceNumberHospital">00</Item><Item naaccrId="classOfCase">14</Item></Tumor></Patient>"#
    )
}

/// A NAACCR XML file of `n` patients numbered from `first`.
fn file_of(first: usize, n: usize) -> Vec<u8> {
    let body: String = (first..first + n).map(|i| patient_xml(&format!("{i:08}"))).collect();
    format!(r#"<?xml version="1.0"?><NaaccrData baseDictionaryUri="http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml" recordType="A" specificationVersion="1.8" xmlns="http://naaccr.org/naaccrxml">{body}</NaaccrData>"#).into_bytes()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

async fn import(app: &TestApp, token: &str, body: Vec<u8>) -> Reply {
    let res = app
        .client
        .post(app.url("/api/v1/imports"))
        .bearer_auth(token)
        .header("content-type", "application/gzip")
        .body(body)
        .send()
        .await
        .expect("sent");
    Reply::from_response(res).await
}

/// Patient id numbers stored, sorted, with the number of tumors.
async fn registry(app: &TestApp) -> (Vec<String>, usize) {
    let mut numbers = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app.get(&format!("/api/v1/patients?limit=500{cursor}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        for p in page.body["items"].as_array().cloned().unwrap_or_default() {
            numbers.push(p["patientIdNumber"].as_str().unwrap_or_default().to_string());
        }
        match page.body["nextCursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    numbers.sort();
    let tumors = {
        use diesel::RunQueryDsl;
        use diesel::sql_types::BigInt;
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let mut c = app.pool.get().expect("connection");
        let n: N = match &mut *c {
            oncoreg::db::DbConn::Sqlite(c) => {
                diesel::sql_query("SELECT COUNT(*) AS n FROM tumors").get_result(c)
            }
            oncoreg::db::DbConn::Postgres(c) => {
                diesel::sql_query("SELECT COUNT(*) AS n FROM tumors").get_result(c)
            }
        }
        .expect("count");
        n.n as usize
    };
    (numbers, tumors)
}

/// While a file of 5,000 patients goes in, other clients read and create patients: nothing answers
/// 503 or 5xx, and every write acknowledged is stored.
async fn an_import_shares_the_database_with_readers_and_writers(app: &TestApp) {
    let seeded = app.patient(&patient_body("1")).await;
    let file = gzip(&file_of(100_000, 5_000));
    let importing = import(app, &app.registrar, file);
    let load = async {
        let mut statuses = Vec::new();
        let mut created = Vec::new();
        let started = Instant::now();
        let mut n = 0;
        while started.elapsed() < Duration::from_secs(60) {
            n += 1;
            let read = app.get(&format!("/api/v1/patients/{seeded}")).await;
            statuses.push(read.status);
            statuses.push(app.get("/api/v1/patients?limit=50").await.status);
            let write = app.post("/api/v1/patients", &patient_body(&format!("9{n:07}"))).await;
            statuses.push(write.status);
            if write.status == 201 {
                created.push(write.body["patientIdNumber"].as_str().unwrap_or("").to_string());
            }
            let running = app.get("/api/v1/imports?limit=1").await;
            if running.body["items"][0]["status"] != "running" && n > 3 {
                break;
            }
        }
        (statuses, created)
    };
    let (done, (statuses, created)) = futures_util::future::join(importing, load).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(
        (done.body["status"].as_str(), done.body["patientsCreated"].as_u64()),
        (Some("completed"), Some(5_000))
    );
    assert!(statuses.iter().all(|s| *s < 500), "no 5xx while importing: {statuses:?}");
    assert!(statuses.len() >= 9, "the other clients were served: {}", statuses.len());
    let (stored, tumors) = registry(app).await;
    for number in &created {
        assert!(stored.binary_search(number).is_ok(), "acknowledged write {number} stored");
    }
    assert_eq!(stored.len(), 5_001 + created.len());
    assert_eq!(tumors, 5_000);
    // The kept import says how far it got and when.
    let kept =
        app.get(&format!("/api/v1/imports/{}", done.body["id"].as_str().unwrap_or(""))).await;
    assert_eq!(
        (kept.body["status"].as_str(), kept.body["patientsRead"].as_u64()),
        (Some("completed"), Some(5_000))
    );
    assert!(kept.body["updatedAt"].is_string(), "{}", kept.body);
}

/// A reader that hands out its bytes slowly, so an import is still running while the test acts.
struct Slow {
    inner: std::io::Cursor<Vec<u8>>,
}

impl Read for Slow {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        std::thread::sleep(Duration::from_millis(20));
        let n = buf.len().min(8 * 1024);
        self.inner.read(&mut buf[..n])
    }
}

/// A second import while one runs is refused (409 `import.running`); a running import can be
/// cancelled and keeps what it stored; the same file again completes it and changes nothing stored.
async fn imports_run_one_at_a_time_and_can_be_cancelled(app: &TestApp) {
    let file = file_of(200_000, 6_000);
    let pool = app.pool.clone();
    let ctx = oncoreg::service::Ctx {
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("day"),
        rule_set: app.settings.rule_set(),
    };
    let slow = file.clone();
    let running = std::thread::spawn(move || {
        let mut conn = pool.get().expect("connection");
        let input = Box::new(BufReader::new(Slow { inner: std::io::Cursor::new(slow) }));
        let actor = oncoreg::service::Actor::system("slow-import");
        let upload =
            oncoreg::service::imports::Upload { file_name: Some("slow.xml".into()), bytes: 0 };
        oncoreg::service::imports::import(&mut conn, &actor, input, u64::MAX, ctx, &upload)
    });
    // Wait until the first batch is stored.
    let deadline = Instant::now() + Duration::from_secs(60);
    let id = loop {
        let list = app.get("/api/v1/imports?limit=1").await;
        let first = &list.body["items"][0];
        if first["status"] == "running" && first["patientsRead"].as_u64().unwrap_or(0) >= 1_000 {
            break first["id"].as_str().unwrap_or_default().to_string();
        }
        assert!(Instant::now() < deadline, "the import did not start: {}", list.body);
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    };
    let second = import(app, &app.registrar, gzip(&file_of(300_000, 1))).await;
    let problem = second.problem(409);
    assert_eq!(problem, vec![("file".to_string(), "import.running".to_string())]);
    assert!(
        second.body["errors"][0]["message"].as_str().unwrap_or("").contains(&id),
        "{}",
        second.body
    );
    // A viewer may not cancel; a registrar may; a finished import cannot be.
    let path = format!("/api/v1/imports/{id}/cancel");
    let r = app.send(Method::POST, &path, Some(&app.viewer), None).await;
    r.problem(403);
    let r = app.send(Method::POST, &path, Some(&app.registrar), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let report = running.join().expect("thread").expect("import");
    assert_eq!(report.status, "cancelled");
    let stored_then = registry(app).await.0.len();
    assert!((1_000..6_000).contains(&stored_then), "cancelled part-way: {stored_then}");
    let kept = app.get(&format!("/api/v1/imports/{id}")).await;
    assert_eq!(kept.body["status"], "cancelled");
    app.send(Method::POST, &path, Some(&app.registrar), None).await.problem(409);
    // Sent again, the file completes: the stored patients are unchanged, the rest created.
    let again = import(app, &app.registrar, gzip(&file)).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["patientsUnchanged"].as_u64(), Some(stored_then as u64));
    assert_eq!(again.body["patientsCreated"].as_u64(), Some(6_000 - stored_then as u64));
    assert_eq!(
        registry(app).await,
        ((200_000..206_000).map(|i| format!("{i:08}")).collect::<Vec<_>>(), 6_000)
    );
}

/// `oncoreg import` killed with SIGKILL part-way, then run again (once its lease runs out), leaves
/// the registry a clean import of the same file would.
async fn a_killed_import_completes_when_sent_again(app: &TestApp) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("big.xml");
    std::fs::write(&path, file_of(400_000, 30_000)).expect("file");
    let cli = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_oncoreg"));
        c.env("ONCOREG_DATABASE_URL", &app.settings.database.database_url).arg("import").arg(&path);
        c.stdout(Stdio::null()).stderr(Stdio::piped());
        c
    };
    let mut child = cli().spawn().expect("import runs");
    let deadline = Instant::now() + Duration::from_secs(120);
    let killed_id = loop {
        let list = app.get("/api/v1/imports?limit=1").await;
        let first = &list.body["items"][0];
        if first["status"] == "running" && first["patientsRead"].as_u64().unwrap_or(0) >= 2_000 {
            break first["id"].as_str().unwrap_or_default().to_string();
        }
        assert!(child.try_wait().expect("wait").is_none(), "the import ended before it was killed");
        assert!(Instant::now() < deadline, "the import did not progress: {}", list.body);
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    };
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let part = registry(app).await.0.len();
    assert!((2_000..30_000).contains(&part), "killed part-way: {part}");
    // The dead import's lease runs out within its 15 s; until then a new one is refused (exit 4).
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let out = cli().output().expect("import runs");
        match out.status.code() {
            Some(0) => break,
            Some(4) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(500)),
            other => panic!("{other:?}: {}", String::from_utf8_lossy(&out.stderr)),
        }
    }
    let expected: Vec<String> = (400_000..430_000).map(|i| format!("{i:08}")).collect();
    assert_eq!(registry(app).await, (expected, 30_000));
    let killed = app.get(&format!("/api/v1/imports/{killed_id}")).await;
    assert_eq!(killed.body["status"], "interrupted", "{}", killed.body);
}

async fn audit_events(app: &TestApp) -> usize {
    let r = app.send(Method::GET, "/api/v1/audit?limit=500", Some(&app.admin), None).await;
    r.body["items"].as_array().map(Vec::len).unwrap_or(0)
}

/// Each request leaves exactly one event naming its route and status; the gaps of old are closed.
async fn every_request_leaves_one_audit_event_and_disclosures_are_named(app: &TestApp) {
    let before = app.audit("limit=500", None).await;
    let n0 = audit_events(app).await;
    let pid = app.patient(&patient_body("55")).await;
    let tid = app.tumor(&pid, &breast_tumor()).await;
    app.get("/api/v1/patients?limit=50").await;
    app.get(&format!("/api/v1/patients/{pid}")).await;
    app.get("/api/v1/patients/no-such").await;
    // Five requests and the audit read before them: six events (the 404 is an event too).
    let n1 = audit_events(app).await;
    assert_eq!(n1 - n0, 6, "one event per request");
    assert!(!before.is_empty());
    let events = app.send(Method::GET, "/api/v1/audit?limit=500", Some(&app.admin), None).await;
    let items = events.body["items"].as_array().cloned().unwrap_or_default();
    let ops: Vec<(String, i64)> = items
        .iter()
        .rev()
        .take(6)
        .map(|e| {
            (e["operation"].as_str().unwrap_or("").to_string(), e["status"].as_i64().unwrap_or(0))
        })
        .collect();
    let expected = [
        ("GET /api/v1/audit", 200),
        ("GET /api/v1/patients/{id}", 404),
        ("GET /api/v1/patients/{id}", 200),
        ("GET /api/v1/patients", 200),
        ("POST /api/v1/patients/{id}/tumors", 201),
        ("POST /api/v1/patients", 201),
    ]
    .map(|(o, s)| (o.to_string(), s));
    assert_eq!(ops, expected);
    // Reading the audit log is itself audited, naming the events read.
    let last = items.last().expect("an event");
    assert_eq!(last["records"][0]["entity"], "audit", "{last}");
    // The failing tumors of an edit run: the tumors and patients read are named.
    let mut bad = breast_tumor();
    bad["dateOfDiagnosis"] = json!("2021");
    bad["summaryStage2018"] = Value::Null;
    bad["sequenceNumberHospital"] = json!("01");
    bad["accessionNumberHosp"] = json!("202100018");
    let failing = app.tumor(&pid, &bad).await;
    let run = app.post("/api/v1/edits/run", &json!({})).await;
    assert_eq!(run.status, 201, "{}", run.body);
    let failures = app.get(&format!("/api/v1/edits/runs/{}/failures", run.id())).await;
    assert_eq!(failures.status, 200, "{}", failures.body);
    let listed: Vec<String> = failures.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f["tumorId"].as_str().map(str::to_owned))
        .collect();
    assert!(listed.contains(&failing), "{}", failures.body);
    let read = app.audit(&format!("entityId={failing}"), Some(&failing)).await;
    assert!(
        read.iter()
            .any(|t| t["operation"] == "GET /api/v1/edits/runs/{id}/failures"
                && t["action"] == "read"),
        "{read:?}"
    );
    // A submission: the file's patients disclosed to the central registry; reading the batch names
    // the tumors it left out.
    let batch = app
        .post(
            "/api/v1/submissions",
            &json!({"recordType": "I", "naaccrVersion": "260", "includeFailing": false}),
        )
        .await;
    assert_eq!(batch.status, 201, "{}", batch.body);
    let sid = batch.id();
    let disclosed = app.audit(&format!("entityId={pid}"), Some(&pid)).await;
    assert!(
        disclosed.iter().any(|t| t["action"] == "disclose" && t["to"] == "central registry"),
        "{disclosed:?}"
    );
    app.get(&format!("/api/v1/submissions/{sid}")).await;
    let excluded = app.audit(&format!("entityId={failing}"), Some(&failing)).await;
    assert!(
        excluded.iter().any(|t| t["operation"] == "GET /api/v1/submissions/{id}"),
        "{excluded:?}"
    );
    // An import's batches name the patients and tumors it created.
    let done = import(app, &app.registrar, gzip(&file_of(500_000, 3))).await;
    assert_eq!(done.status, 200, "{}", done.body);
    let op = format!("import {}", done.body["id"].as_str().unwrap_or(""));
    let imported = app.audit("entity=tumor&limit=500", None).await;
    let created: Vec<&Value> = imported
        .iter()
        .filter(|t| {
            t["operation"] == op.as_str() && t["entity"] == "tumor" && t["action"] == "create"
        })
        .collect();
    assert_eq!(created.len(), 1, "{imported:?}");
    assert_eq!(created[0]["ids"].as_array().map(Vec::len), Some(3));
    assert!(tid.len() > 10);

    // Archived by an admin command: every event moves to the file before it leaves the database.
    let held = audit_events(app).await;
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("audit-2026.jsonl");
    let archive = || {
        Command::new(env!("CARGO_BIN_EXE_oncoreg"))
            .env("ONCOREG_DATABASE_URL", &app.settings.database.database_url)
            .args(["audit", "archive", "--before", "2100-01-01", "--out"])
            .arg(&out)
            .output()
            .expect("archive runs")
    };
    let done = archive();
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    let lines: Vec<Value> = std::fs::read_to_string(&out)
        .expect("archive file")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON event a line"))
        .collect();
    assert!(lines.len() >= held, "{} archived, {held} held", lines.len());
    assert!(lines.iter().any(|e| e["records"][0]["ids"][0] == pid.as_str()));
    let left = app.audit("limit=500", None).await;
    assert_eq!(left.len(), 1, "only the archive's own event stays: {left:?}");
    assert_eq!(left[0]["action"], "archive");
    // A file that exists is never overwritten, and nothing is deleted.
    let again = archive();
    assert!(!again.status.success());
    assert_eq!(std::fs::read_to_string(&out).expect("file").lines().count(), lines.len());
}
