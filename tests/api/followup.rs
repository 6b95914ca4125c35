//! Annual follow-up over HTTP and through the jobs: the worklist, letters delivered to a real SMTP
//! server on loopback, crash safety of the outbox (the real binary), leases and the rate report.

use std::process::{Command, Output};
use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::common::{TestApp, breast_tumor, patient_body};
use crate::smtp::{SmtpServer, free_port};
use oncoreg::jobs::{Counts, JobContext, Outcome, Trigger, run_job};
use oncoreg::service::followup::FollowUpConfig;
use oncoreg::service::submissions::MonthlyExport;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

pub fn context(app: &TestApp) -> JobContext {
    let cfg = FollowUpConfig::from_settings(&app.settings.followup).expect("follow-up settings");
    let monthly = MonthlyExport::from_settings(&app.settings).expect("export settings");
    JobContext::new(app.pool.clone(), Arc::new(cfg), monthly).expect("job context")
}

/// Runs a job in-process (as `oncoreg jobs run` does) and returns its counts.
fn job(app: &TestApp, name: &str, as_of: &str) -> Counts {
    match run_job(&context(app), name, day(as_of), &Trigger::Manual).expect("job runs") {
        Outcome::Ran { counts, .. } => counts,
        other => panic!("{name} did not run: {other:?}"),
    }
}

fn count(c: &Counts, key: &str) -> i64 {
    c.get(key).copied().unwrap_or_default()
}

/// The real binary, on the test's database.
fn oncoreg(app: &TestApp, env: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oncoreg"))
        .args(args)
        .env("ONCOREG_DATABASE_URL", &app.db_url)
        .env("ONCOREG_REGISTRY_NAME", "Evergreen Cancer Registry")
        .env("ONCOREG_REGISTRY_PHONE", "206-555-0142")
        .env_remove("ONCOREG_FAULT")
        .env_remove("ONCOREG_SMTP_URL")
        .envs(env.iter().copied())
        .output()
        .expect("oncoreg runs")
}

fn contact(date: &str) -> Value {
    json!({"contactDate": date, "vitalStatus": "1", "followUpSource": "2"})
}

/// A patient with one tumor and the given contacts; returns the patient id.
async fn patient(
    app: &TestApp,
    number: &str,
    tumor: Value,
    physician: Value,
    contacts: &[&str],
) -> String {
    let mut body = patient_body(number);
    body["physicianManaging"] = physician;
    let pid = app.patient(&body).await;
    app.tumor(&pid, &tumor).await;
    for date in contacts {
        let r = app.post(&format!("/api/v1/patients/{pid}/contacts"), &contact(date)).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    pid
}

fn emailed_physician() -> Value {
    json!({"name": "Dr. Synthetic", "npi": "1234567893", "email": "dr@example.org"})
}

fn posted_physician() -> Value {
    json!({"name": "Dr. Paper", "street": "1 Clinic Way", "city": "Tacoma", "state": "WA", "postalCode": "98402"})
}

fn items(r: &crate::common::Reply) -> Vec<Value> {
    r.body["items"].as_array().cloned().unwrap_or_default()
}

crate::both_backends!(
    worklist_tasks_are_generated_once_and_closed_by_a_contact,
    job_runs_are_leased_and_recorded
);

async fn worklist_tasks_are_generated_once_and_closed_by_a_contact(app: &TestApp) {
    let pid = patient(app, "7001", breast_tumor(), emailed_physician(), &["2025-05-10"]).await;
    // Not due yet on 2026-05-09; due from 2026-05-10 (12 months after the last contact).
    assert_eq!(count(&job(app, "generate-tasks", "2026-05-09"), "created"), 0);
    let first = job(app, "generate-tasks", "2026-06-30");
    assert_eq!(count(&first, "created"), 1, "{first:?}");
    for _ in 0..2 {
        assert_eq!(count(&job(app, "generate-tasks", "2026-06-30"), "created"), 0, "never twice");
    }

    let due = app.get("/api/v1/followup/tasks?view=due&asOf=2026-05-20").await;
    assert_eq!(due.status, 200, "{}", due.body);
    let task = items(&due).pop().expect("one task due in May");
    assert_eq!(task["patientId"], pid.as_str());
    assert_eq!(task["state"], "open");
    assert_eq!(task["dueOn"], "2026-05-10");
    assert_eq!(task["lostOn"], "2026-08-11");
    assert_eq!(task["facility"], "0006100001");
    let tid = task["id"].as_str().expect("id").to_string();
    assert_eq!(items(&app.get("/api/v1/followup/tasks?view=overdue").await).len(), 1);
    assert_eq!(items(&app.get("/api/v1/followup/tasks?view=due").await).len(), 0, "not June");
    assert_eq!(items(&app.get("/api/v1/followup/tasks?view=lost").await).len(), 0);
    assert_eq!(items(&app.get("/api/v1/followup/tasks?facility=0006100001").await).len(), 1);
    assert_eq!(items(&app.get("/api/v1/followup/tasks?facility=0000000000").await).len(), 0);
    let bad = app.get("/api/v1/followup/tasks?view=someday").await;
    assert_eq!(bad.problem(400), vec![("view".to_string(), "enum".to_string())]);
    let bad = app.get("/api/v1/followup/tasks?asOf=June%2030").await;
    assert_eq!(bad.problem(400), vec![("asOf".to_string(), "date.format".to_string())]);
    let bad = app.get("/api/v1/followup/tasks?asOf=2026-02-30").await;
    assert_eq!(bad.problem(422), vec![("asOf".to_string(), "date.invalid".to_string())]);

    // Assignment: registrar only, with the version read; open becomes in progress.
    let path = format!("/api/v1/followup/tasks/{tid}/assignee");
    let res = app
        .client
        .put(app.url(&path))
        .bearer_auth(&app.viewer)
        .header("If-Match", "\"1\"")
        .json(&json!({"assignee": "kim"}))
        .send()
        .await
        .expect("sent");
    crate::common::Reply::from_response(res).await.problem(403);
    let r = app.put(&path, 1, &json!({"assignee": "kim"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["state"], "in_progress");
    assert_eq!(r.body["assignee"], "kim");
    app.put(&path, 1, &json!({"assignee": "lee"})).await.problem(412);
    let bad = app.put(&path, 2, &json!({"assignee": "<script>"})).await;
    assert_eq!(bad.problem(422), vec![("assignee".to_string(), "text.format".to_string())]);
    assert_eq!(items(&app.get("/api/v1/followup/tasks?assignee=kim").await).len(), 1);
    assert_eq!(items(&app.get("/api/v1/followup/tasks?unassigned=true").await).len(), 0);

    // A contact against the task must be newer than the cycle; it completes the task.
    let path = format!("/api/v1/followup/tasks/{tid}/contacts");
    let old = app.post(&path, &contact("2025-01-02")).await;
    assert_eq!(
        old.problem(422),
        vec![("contactDate".to_string(), "followUp.notAfterCycle".to_string())]
    );
    let r = app.post(&path, &contact("2026-06-15")).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["task"]["state"], "completed");
    assert_eq!(r.body["task"]["completedByContactId"], r.body["contact"]["id"]);
    app.post(&path, &contact("2026-06-20")).await.problem(409);
    let p = app.get(&format!("/api/v1/patients/{pid}")).await;
    assert_eq!(p.body["dateOfLastContact"], "2026-06-15");
    // The next cycle counts from the new contact: nothing due until 2027-06-15, then one new task.
    assert_eq!(count(&job(app, "generate-tasks", "2026-06-30"), "created"), 0);
    assert_eq!(count(&job(app, "generate-tasks", "2027-06-15"), "created"), 1);
    let all = items(&app.get(&format!("/api/v1/followup/tasks?patientId={pid}")).await);
    assert_eq!(all.len(), 2);
    // 15 months without contact: lost (mark-lost), and the lost list shows it.
    assert_eq!(count(&job(app, "mark-lost", "2027-09-16"), "lost"), 1);
    assert_eq!(count(&job(app, "mark-lost", "2027-09-16"), "lost"), 0, "idempotent");
    let lost = items(&app.get("/api/v1/followup/tasks?view=lost").await);
    assert_eq!(lost.len(), 1);
    assert_eq!(lost[0]["cycleKey"], format!("{pid}/2026-06-15"));
    // A later contact completes even a lost task.
    let r = app.post(&format!("/api/v1/patients/{pid}/contacts"), &contact("2026-06-29")).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(items(&app.get("/api/v1/followup/tasks?view=lost").await).len(), 0);
    let unauth = app.send(reqwest::Method::GET, "/api/v1/followup/tasks", None, None).await;
    unauth.problem(401);
}

async fn job_runs_are_leased_and_recorded(app: &TestApp) {
    patient(app, "7002", breast_tumor(), emailed_physician(), &["2025-05-10"]).await;
    let ctx = context(app);
    let tick = Trigger::Schedule { period: "2026-06-30T01:00".into() };
    let first = run_job(&ctx, "generate-tasks", day("2026-06-30"), &tick).expect("run");
    assert!(matches!(first, Outcome::Ran { .. }), "{first:?}");
    // A second instance firing the same tick does not run it again.
    let other = context(app);
    let again = run_job(&other, "generate-tasks", day("2026-06-30"), &tick).expect("run");
    assert_eq!(again, Outcome::Skipped("this period has already run"));
    // While another instance holds the lease, nothing runs.
    {
        let mut conn = app.pool.get().expect("conn");
        assert!(
            oncoreg::service::jobs::acquire_lease(&mut conn, "mark-lost", "elsewhere", 600)
                .expect("lease")
        );
        assert!(
            !oncoreg::service::jobs::acquire_lease(&mut conn, "mark-lost", "third", 600)
                .expect("lease")
        );
    }
    let held = run_job(&ctx, "mark-lost", day("2026-06-30"), &Trigger::Manual).expect("run");
    assert_eq!(held, Outcome::Skipped("another instance is running this job"));
    assert!(run_job(&ctx, "no-such-job", day("2026-06-30"), &Trigger::Manual).is_err());

    let runs = app
        .send(reqwest::Method::GET, "/api/v1/jobs/runs?job=generate-tasks", Some(&app.admin), None)
        .await;
    assert_eq!(runs.status, 200, "{}", runs.body);
    let runs = items(&runs);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["state"], "succeeded");
    assert_eq!(runs[0]["triggeredBy"], "schedule");
    assert_eq!(runs[0]["counts"]["created"], 1);
    assert!(runs[0]["finishedAt"].is_string());
    app.get("/api/v1/jobs/runs").await.problem(403);
    let bad =
        app.send(reqwest::Method::GET, "/api/v1/jobs/runs?job=x", Some(&app.admin), None).await;
    bad.problem(400);

    // The CLI lists the jobs and runs one by hand.
    let out = oncoreg(app, &[], &["jobs", "list"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("send-letters") && text.contains("0 0 1 * * *"),
        "{text}"
    );
    let out = oncoreg(app, &[], &["jobs", "run", "generate-tasks", "--as-of", "2026-06-30"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"created\":0"));
    let out = oncoreg(app, &[], &["jobs", "run", "bogus"]);
    assert!(!out.status.success());
}

/// Runs `f` on both backends with an SMTP server and letter settings.
macro_rules! with_mail {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            fn configure(smtp: &crate::smtp::SmtpServer) -> impl FnOnce(&mut oncoreg::config::Settings) + '_ {
                move |s| {
                    s.followup.smtp_url = Some(smtp.url());
                    s.followup.registry_name = "Evergreen Cancer Registry".into();
                    s.followup.registry_phone = "206-555-0142".into();
                    s.followup.registry_address = "400 Capitol Way|Olympia, WA 98501".into();
                    s.followup.smtp_retry_secs = 0;
                }
            }

            #[actix_web::test]
            async fn sqlite() {
                let smtp = crate::smtp::SmtpServer::start();
                let app = crate::common::TestApp::sqlite_with(configure(&smtp)).await;
                super::$name(&app, &smtp).await;
                app.stop().await;
            }

            #[actix_web::test]
            async fn postgres() {
                let smtp = crate::smtp::SmtpServer::start();
                let app = crate::common::TestApp::postgres_with(configure(&smtp)).await;
                super::$name(&app, &smtp).await;
                app.stop().await;
            }
        }
    )*};
}

with_mail!(letters_are_emailed_printed_and_answered);

fn in_situ_tumor() -> Value {
    let mut t = breast_tumor();
    t["histologicTypeIcdO3"] = json!("8500");
    t["behaviorCodeIcdO3"] = json!("2");
    t["summaryStage2018"] = json!("0");
    t["accessionNumberHosp"] = json!("202100018");
    t
}

async fn letters_are_emailed_printed_and_answered(app: &TestApp, smtp: &SmtpServer) {
    let invasive = patient(app, "7101", breast_tumor(), emailed_physician(), &["2025-05-10"]).await;
    let mut in_situ_doctor = emailed_physician();
    in_situ_doctor["email"] = json!("insitu@example.org");
    in_situ_doctor["npi"] = json!("1245319599");
    let in_situ = patient(app, "7102", in_situ_tumor(), in_situ_doctor, &["2025-05-10"]).await;
    let paper = patient(app, "7103", breast_tumor(), posted_physician(), &["2025-05-10"]).await;
    assert_eq!(count(&job(app, "generate-tasks", "2026-06-30"), "created"), 3);
    let sent = job(app, "send-letters", "2026-06-30");
    assert_eq!((count(&sent, "queuedEmail"), count(&sent, "queuedPrint")), (2, 1), "{sent:?}");
    assert_eq!(count(&sent, "sent"), 2, "{sent:?}");

    let mail = smtp.messages();
    assert_eq!(mail.len(), 2, "{mail:?}");
    let invasive_mail = mail.iter().find(|m| m.to.contains("dr@example.org")).expect("to dr@");
    // What the physician template prints, and nothing more.
    assert!(invasive_mail.subject.starts_with("Annual follow-up request "), "{invasive_mail:?}");
    assert!(invasive_mail.subject.ends_with(" from Evergreen Cancer Registry"));
    let body = &invasive_mail.body;
    let flat = body.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "Dear Dr. Synthetic,",
        "Patient: Alpha Testperson",
        "Date of birth: 14 March 1956",
        "Registry number: 00007101",
        "10 May 2025",
        "206-555-0142",
        "diagnosed with cancer",
    ] {
        assert!(flat.contains(expected), "missing {expected:?} in {body}");
    }
    // Nothing else about the patient: no SSN, address, tumor, facility or accession number. The
    // letter's reference (ten random hex digits, "C50…" at times) is left out of the search.
    let reference = invasive_mail
        .subject
        .trim_start_matches("Annual follow-up request ")
        .split(' ')
        .next()
        .unwrap_or_default();
    assert_eq!(reference.len(), 10, "{}", invasive_mail.subject);
    let body = &body.replace(reference, "");
    for leaked in [
        "123456789",
        "6789",
        "Seattle",
        "98101",
        "C504",
        "C50",
        "8500",
        "breast",
        "Breast",
        "0006100001",
        "202100017",
        "2021",
    ] {
        assert!(!body.contains(leaked), "{leaked:?} leaked into {body}");
    }
    for leaked in ["Alpha", "Testperson", "1956", "00007101"] {
        assert!(
            !invasive_mail.subject.replace(reference, "").contains(leaked),
            "{leaked:?} in the subject"
        );
    }
    assert!(!invasive_mail.body.contains("1 Clinic Way"), "no postal block in e-mail");
    let in_situ_mail = mail.iter().find(|m| m.to.contains("insitu@")).expect("in situ mail");
    // The registry's own name may say "cancer"; the wording about the patient must not.
    let wording = in_situ_mail.body.replace("Evergreen Cancer Registry", "registry");
    assert!(!wording.to_lowercase().contains("cancer"), "{}", in_situ_mail.body);
    assert!(
        !in_situ_mail
            .subject
            .replace("Evergreen Cancer Registry", "")
            .to_lowercase()
            .contains("cancer")
    );

    // Running again sends nothing twice.
    let again = job(app, "send-letters", "2026-06-30");
    assert_eq!(count(&again, "queuedEmail") + count(&again, "sent"), 0, "{again:?}");
    assert_eq!(smtp.messages().len(), 2);

    let letters = app.get("/api/v1/letters").await;
    assert_eq!(letters.status, 200, "{}", letters.body);
    assert_eq!(items(&letters).len(), 3);
    let emailed = items(&app.get(&format!("/api/v1/letters?patientId={invasive}")).await);
    let emailed = &emailed[0];
    assert_eq!(emailed["state"], "sent");
    assert_eq!(emailed["channel"], "email");
    assert_eq!(emailed["template"], "physician");
    assert_eq!(emailed["recipient"], "managing_physician");
    assert_eq!(emailed["contentHash"].as_str().map(str::len), Some(64));
    assert_eq!(emailed["idempotencyKey"].as_str().map(|k| k.ends_with("/letter/0")), Some(true));
    let paper_letter =
        items(&app.get(&format!("/api/v1/letters?patientId={paper}")).await)[0].clone();
    assert_eq!(paper_letter["state"], "queued");
    assert_eq!(paper_letter["channel"], "print");
    assert_eq!(items(&app.get("/api/v1/letters?state=queued&channel=print").await).len(), 1);
    app.get("/api/v1/letters?state=lost").await.problem(400);

    // The day's print batch: one PDF with the paper letter.
    let res = app
        .client
        .get(app.url("/api/v1/letters/print-batch?date=2026-06-30"))
        .bearer_auth(&app.viewer)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let ids = res.headers()["x-letter-ids"].to_str().expect("ids").to_string();
    assert_eq!(ids, paper_letter["id"].as_str().expect("id"));
    let bytes = res.bytes().await.expect("pdf");
    assert!(bytes.starts_with(b"%PDF-") && bytes.len() < 200_000, "{} bytes", bytes.len());
    let one = app
        .client
        .get(app.url(&format!("/api/v1/letters/{}/pdf", emailed["id"].as_str().expect("id"))))
        .bearer_auth(&app.viewer)
        .send()
        .await
        .expect("sent");
    assert_eq!(one.status(), 200);
    assert!(one.bytes().await.expect("pdf").starts_with(b"%PDF-"));
    app.get("/api/v1/letters/00000000-0000-0000-0000-000000000000/pdf").await.problem(404);

    // Printing: only a queued paper letter, once.
    let printed_path =
        format!("/api/v1/letters/{}/printed", paper_letter["id"].as_str().expect("id"));
    let r = app.post(&printed_path, &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["state"], "printed");
    app.post(&printed_path, &json!({})).await.problem(409);
    let email_printed = format!("/api/v1/letters/{}/printed", emailed["id"].as_str().expect("id"));
    app.post(&email_printed, &json!({})).await.problem(409);
    let batch = app
        .client
        .get(app.url("/api/v1/letters/print-batch?date=2026-06-30"))
        .bearer_auth(&app.viewer)
        .send()
        .await
        .expect("sent");
    assert_eq!(batch.headers()["x-letter-ids"], "");

    // A reply records the contact with the date the physician gives, not the mailing date.
    let reply_path = format!("/api/v1/letters/{}/reply", emailed["id"].as_str().expect("id"));
    let bad = app.post(&reply_path, &json!({"vitalStatus": "1", "followUpSource": "2"})).await;
    assert!(bad.problem(422).iter().any(|(f, _)| f == "contactDate"));
    let r = app.post(&reply_path, &contact("2026-04-02")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["state"], "replied");
    assert!(r.body["replyContactId"].is_string());
    app.post(&reply_path, &contact("2026-04-02")).await.problem(409);
    let p = app.get(&format!("/api/v1/patients/{invasive}")).await;
    assert_eq!(p.body["dateOfLastContact"], "2026-04-02");
    let tasks = items(&app.get(&format!("/api/v1/followup/tasks?patientId={invasive}")).await);
    assert_eq!(tasks[0]["state"], "completed");

    // 30 days on: the in-situ patient's second step (no follow-up physician, no patient address:
    // nobody to write to) is skipped; nothing more goes out for the answered patient.
    let later = job(app, "send-letters", "2026-08-05");
    assert_eq!(count(&later, "sent"), 0, "{later:?}");
    assert_eq!(smtp.messages().len(), 2);
    let _ = in_situ;
}

crate::both_backends!(
    letters_survive_a_crash_between_rendering_and_sending_and_smtp_down,
    followup_rate_matches_a_hand_computed_worksheet
);

async fn letters_survive_a_crash_between_rendering_and_sending_and_smtp_down(app: &TestApp) {
    let mut second = emailed_physician();
    second["email"] = json!("second@example.org");
    second["npi"] = json!("1245319599");
    patient(app, "7201", breast_tumor(), emailed_physician(), &["2025-05-10"]).await;
    patient(app, "7202", breast_tumor(), second, &["2025-05-20"]).await;
    let port = free_port();
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    // A one-second lease, so the killed run's lease runs out quickly (default 60 s, renewed while
    // a run lasts).
    let smtp = [
        ("ONCOREG_SMTP_URL", smtp_url.as_str()),
        ("ONCOREG_SMTP_RETRY_SECS", "0"),
        ("ONCOREG_JOB_LEASE_SECS", "1"),
    ];
    let run = ["jobs", "run", "send-letters", "--as-of", "2026-06-30"];
    let out = oncoreg(app, &smtp, &["jobs", "run", "generate-tasks", "--as-of", "2026-06-30"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // 1. Killed after rendering, before sending: the letters are in the outbox, nothing went out.
    let mut env = smtp.to_vec();
    env.push(("ONCOREG_FAULT", "after-render"));
    let out = oncoreg(app, &env, &run);
    assert!(!out.status.success(), "the fault hook aborts the process");
    // The dead run still holds the lease until it expires.
    let held = oncoreg(app, &smtp, &run);
    assert!(String::from_utf8_lossy(&held.stdout).contains("skipped"));
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let queued = items(&app.get("/api/v1/letters?state=queued").await);
    assert_eq!(queued.len(), 2);
    assert!(queued.iter().all(|l| l["attempts"] == 0));

    // 2. SMTP down: the attempt fails, the letter stays queued with the reason, and is retried later.
    let out = oncoreg(app, &smtp, &run);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("\"retrying\":1"), "{stdout}");
    let queued = items(&app.get("/api/v1/letters?state=queued").await);
    assert_eq!(queued.len(), 2, "nothing lost");
    assert!(queued.iter().any(|l| l["attempts"] == 1 && l["lastError"].is_string()));

    // 3. SMTP back: every letter goes out exactly once, however often the job runs.
    let server = SmtpServer::start_on(port);
    for _ in 0..3 {
        let out = oncoreg(app, &smtp, &run);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let mail = server.messages();
    assert_eq!(mail.len(), 2, "{mail:?}");
    assert!(mail[0].to.contains("dr@example.org") && mail[1].to.contains("second@example.org"));
    assert_ne!(mail[0].message_id, mail[1].message_id);
    assert_eq!(items(&app.get("/api/v1/letters?state=sent").await).len(), 2);
    let runs = app
        .send(reqwest::Method::GET, "/api/v1/jobs/runs?job=send-letters", Some(&app.admin), None)
        .await;
    let runs = items(&runs);
    assert_eq!(runs.len(), 5, "the skipped attempt is not a run");
    assert!(runs.iter().any(|r| r["state"] == "running"), "the aborted run stays as it was left");
}

fn tumor_on(date: &str, class: &str, accession: &str, facility: &str) -> Value {
    let mut t = breast_tumor();
    t["dateOfDiagnosis"] = json!(date);
    t["classOfCase"] = json!(class);
    t["accessionNumberHosp"] = json!(accession);
    t["reportingFacility"] = json!(facility);
    if date < "2018" {
        for k in ["gradeClinical", "gradePathological", "summaryStage2018"] {
            t.as_object_mut().map(|o| o.remove(k));
        }
        t["grade"] = json!("2");
    }
    t
}

async fn followup_rate_matches_a_hand_computed_worksheet(app: &TestApp) {
    let f = "0006100001";
    let doc = emailed_physician();
    // All since the reference date (2010-01-01), as of 2026-06-30; five years = since 2021-06-30.
    let current = patient(
        app,
        "7301",
        tumor_on("2021-03-15", "14", "202100101", f),
        doc.clone(),
        &["2025-05-10"],
    )
    .await;
    let lost =
        patient(app, "7302", tumor_on("2022-01-10", "14", "202200102", f), doc.clone(), &[]).await;
    let dead =
        patient(app, "7303", tumor_on("2023-05-01", "14", "202300103", f), doc.clone(), &[]).await;
    let r = app.post(&format!("/api/v1/patients/{dead}/contacts"),
        &json!({"contactDate": "2024-01-01", "vitalStatus": "0", "followUpSource": "2", "causeOfDeath": "C509"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let other_facility = patient(
        app,
        "7304",
        tumor_on("2015-02-01", "14", "201500104", "0006100002"),
        doc.clone(),
        &["2026-01-15"],
    )
    .await;
    patient(app, "7305", tumor_on("2022-03-01", "30", "202200105", f), doc.clone(), &[]).await;
    patient(app, "7306", tumor_on("2000-03-01", "14", "200000106", f), doc.clone(), &[]).await;

    let r = app.get("/api/v1/reports/followup-rate?asOf=2026-06-30").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let all = &r.body["allSinceReference"];
    // A = 4 (7301–7304; 7305 is not analytic, 7306 was diagnosed in 2000), B = 1 (7303),
    // C = 3, D = 2 (7301, 7304 seen within 15 months), E = 1 (7302, last contact = diagnosis 2022).
    assert_eq!(
        (
            all["aEligible"].as_u64(),
            all["bDead"].as_u64(),
            all["cLiving"].as_u64(),
            all["dCurrent"].as_u64(),
            all["eLost"].as_u64()
        ),
        (Some(4), Some(1), Some(3), Some(2), Some(1)),
        "{all}"
    );
    assert_eq!(all["followUpRate"], 0.75);
    assert_eq!(all["lostRate"], 0.25);
    assert_eq!(all["targetPercent"], 80);
    assert_eq!(all["meetsTarget"], false);
    assert_eq!(all["diagnosedFrom"], "2010-01-01");
    assert_eq!(all["lost"][0]["id"], lost.as_str());
    assert_eq!(all["lost"][0]["patientIdNumber"], "00007302");
    assert_eq!(all["lost"][0]["href"], format!("/api/v1/patients/{lost}"));
    let recent = &r.body["lastFiveYears"];
    // Diagnosed since 2021-06-30: 7302 (lost) and 7303 (dead): A 2, B 1, C 1, D 0, E 1.
    assert_eq!(
        (
            recent["aEligible"].as_u64(),
            recent["bDead"].as_u64(),
            recent["dCurrent"].as_u64(),
            recent["eLost"].as_u64()
        ),
        (Some(2), Some(1), Some(0), Some(1)),
        "{recent}"
    );
    assert_eq!(recent["followUpRate"], 0.5);
    assert_eq!(recent["diagnosedFrom"], "2021-06-30");
    let by_facility =
        app.get("/api/v1/reports/followup-rate?asOf=2026-06-30&facility=0006100002").await;
    assert_eq!(by_facility.body["allSinceReference"]["aEligible"], 1);
    assert_eq!(by_facility.body["allSinceReference"]["dCurrent"], 1);
    // The same day a year earlier: the 2026 contact did not exist yet.
    let past = app.get("/api/v1/reports/followup-rate?asOf=2025-06-30").await;
    assert_eq!(past.body["allSinceReference"]["eLost"], 2, "{}", past.body);
    app.get("/api/v1/reports/followup-rate").await.problem(400);
    let bad = app.get("/api/v1/reports/followup-rate?asOf=30.06.2026").await;
    assert_eq!(bad.problem(400), vec![("asOf".to_string(), "date.format".to_string())]);

    // The worksheet as registrars fill it: excluded by reason, per year of diagnosis, and every
    // figure a link to the patients behind it.
    let excluded: Vec<(String, u64)> = all["excluded"]
        .as_array()
        .expect("excluded")
        .iter()
        .map(|e| (e["reason"].as_str().unwrap_or("").to_string(), e["count"].as_u64().unwrap_or(0)))
        .collect();
    // 7305 is not analytic; 7306 (2000) falls before the reference date, outside the window.
    assert_eq!(excluded, [("non_analytic".to_string(), 1)], "{all}");
    let years: Vec<(i64, u64, u64, u64, u64)> = all["years"]
        .as_array()
        .expect("years")
        .iter()
        .map(|y| {
            let n = |k: &str| y[k].as_u64().unwrap_or(99);
            (y["year"].as_i64().unwrap_or(0), n("aEligible"), n("bDead"), n("dCurrent"), n("eLost"))
        })
        .collect();
    assert_eq!(
        years,
        [(2015, 1, 0, 1, 0), (2021, 1, 0, 1, 0), (2022, 1, 0, 0, 1), (2023, 1, 1, 0, 0)],
        "{all}"
    );
    let ids_behind = |href: String| async move {
        let r = app.get(&href).await;
        assert_eq!(r.status, 200, "{href}: {}", r.body);
        items(&r).iter().map(|m| m["id"].as_str().unwrap_or("").to_string()).collect::<Vec<_>>()
    };
    let link = |v: &Value| v.as_str().expect("a link").to_string();
    let e_line = ids_behind(link(&all["links"]["e"])).await;
    assert_eq!(e_line, std::slice::from_ref(&lost));
    let mut a_line = ids_behind(link(&all["links"]["a"])).await;
    a_line.sort();
    let mut expected = vec![current.clone(), lost.clone(), dead.clone(), other_facility.clone()];
    expected.sort();
    assert_eq!(a_line, expected);
    assert_eq!(ids_behind(link(&all["links"]["b"])).await, std::slice::from_ref(&dead));
    assert_eq!(
        ids_behind(link(&all["years"][1]["links"]["d"])).await,
        std::slice::from_ref(&current)
    );
    let non_analytic = ids_behind(link(&all["excluded"][0]["href"])).await;
    assert_eq!(non_analytic.len(), 1);
    let behind = app.get(&link(&all["links"]["e"])).await;
    let line = &items(&behind)[0];
    assert_eq!(line["patient"]["patientIdNumber"], "00007302");
    assert!(line["patient"]["tumors"][0].as_str().unwrap_or("").starts_with("C50.4"));
    let bad = app
        .get("/api/v1/reports/followup-rate/patients?asOf=2026-06-30&population=all&line=Z")
        .await;
    assert_eq!(bad.problem(422), vec![("line".to_string(), "enum".to_string())]);
    app.get("/api/v1/reports/followup-rate/patients?asOf=2026-06-30&line=A").await.problem(400);
}

/// Letters leave over TLS (implicit TLS and required STARTTLS) to a real server whose certificate
/// a private CA signed; without that CA, or from a server without STARTTLS, nothing goes out; plain
/// SMTP goes only to this machine unless allowed. Under the `notice` policy the e-mail names no
/// patient, and each letter sent is in the audit trail with its recipient and patient.
#[actix_web::test]
async fn letters_go_out_over_tls_and_the_notice_policy_names_no_patient() {
    use crate::smtp::TlsMode;
    use oncoreg::mail::{MailError, Mailer, Outgoing, SmtpOptions, SmtpUrl};
    let wait = std::time::Duration::from_secs(10);
    let mail = |subject: &'static str| Outgoing {
        to: "dr@example.org",
        subject,
        body: "Body",
        message_id: format!("<{subject}@oncoreg>"),
    };
    let plain = SmtpServer::start();
    for (mode, form) in [
        (TlsMode::Implicit, "smtps://localhost:{port}"),
        (TlsMode::StartTls, "smtp://localhost:{port}?tls=required"),
    ] {
        let (server, ca) = SmtpServer::start_tls(mode);
        let url = SmtpUrl::parse(&form.replace("{port}", &server.port.to_string())).expect("url");
        let trusted = SmtpOptions { ca_file: Some(ca.clone()), allow_plain: false };
        let mailer = Mailer::new(&url, "Registry <r@example.org>", wait, &trusted).expect("mailer");
        mailer.send(&mail("over-tls")).expect("sent over TLS");
        let untrusted =
            Mailer::new(&url, "r@example.org", wait, &SmtpOptions::default()).expect("mailer");
        assert!(untrusted.send(&mail("untrusted")).is_err(), "{mode:?}: certificate not checked");
        let subjects: Vec<String> = server.messages().into_iter().map(|m| m.subject).collect();
        assert_eq!(subjects, ["over-tls"], "{mode:?}");
    }
    // tls=required refuses a server that offers no STARTTLS rather than sending in clear text.
    let url =
        SmtpUrl::parse(&format!("smtp://localhost:{}?tls=required", plain.port)).expect("url");
    let downgrade = Mailer::new(&url, "r@example.org", wait, &SmtpOptions::default()).expect("m");
    assert!(downgrade.send(&mail("downgrade")).is_err());
    assert!(plain.messages().is_empty());
    // Plain SMTP to another machine only when allowed.
    let away = SmtpUrl::parse("smtp://mail.example.org").expect("url");
    let refused = Mailer::new(&away, "r@example.org", wait, &SmtpOptions::default());
    assert!(matches!(refused, Err(MailError::Config(m)) if m.contains("smtps://")));
    let allowed = SmtpOptions { allow_plain: true, ..SmtpOptions::default() };
    assert!(Mailer::new(&away, "r@example.org", wait, &allowed).is_ok());

    // The letters job over implicit TLS, under the notice policy.
    let (server, ca) = SmtpServer::start_tls(TlsMode::Implicit);
    let port = server.port;
    let app = TestApp::sqlite_with(move |s| {
        s.followup.smtp_url = Some(format!("smtps://localhost:{port}"));
        s.followup.smtp_ca_file = Some(ca);
        s.followup.mail_content = "notice".into();
        s.followup.registry_name = "Evergreen Cancer Registry".into();
        s.followup.registry_phone = "206-555-0142".into();
    })
    .await;
    let pid = patient(&app, "7301", breast_tumor(), emailed_physician(), &["2025-05-10"]).await;
    job(&app, "generate-tasks", "2026-06-30");
    assert_eq!(count(&job(&app, "send-letters", "2026-06-30"), "sent"), 1);
    let got = server.messages();
    assert_eq!(got.len(), 1, "{got:?}");
    let body = got[0].body.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(body.contains("206-555-0142") && body.contains("not sent by e-mail"), "{body}");
    for phi in ["Alpha", "Testperson", "1956", "00007301", "2025"] {
        assert!(!body.contains(phi), "{phi} in {body}");
    }
    let disclosed = app.audit("entity=letter", None).await;
    let sent: Vec<&Value> =
        disclosed.iter().filter(|t| t["action"] == "disclose" && t["entity"] == "letter").collect();
    assert_eq!(sent.len(), 1, "{disclosed:?}");
    assert_eq!(
        (sent[0]["to"].as_str(), sent[0]["operation"].as_str()),
        (Some("managing_physician"), Some("send-letters: e-mail"))
    );
    let patient_disclosed = app.audit(&format!("entityId={pid}"), Some(&pid)).await;
    assert!(
        patient_disclosed
            .iter()
            .any(|t| t["action"] == "disclose" && t["to"] == "managing_physician"),
        "{patient_disclosed:?}"
    );
    app.stop().await;
}
