//! The follow-up office over simulated time: letter cadence by days, lost patients chased, the daily
//! print cap, cancellations, single-letter actions, the stored letterhead (also in a job run by the
//! real binary without the server's settings), PDFs read back with pdftotext, and worklists in words.

use std::collections::{BTreeMap, HashMap};
use std::process::Command;

use chrono::{Days, NaiveDate};
use serde_json::{Value, json};

use crate::common::{TestApp, breast_tumor, patient_body};
use crate::followup::context;
use oncoreg::jobs::{Counts, Outcome, Trigger, run_job};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn run(app: &TestApp, name: &str, as_of: NaiveDate) -> Counts {
    match run_job(&context(app), name, as_of, &Trigger::Manual).expect("job runs") {
        Outcome::Ran { counts, .. } => counts,
        other => panic!("{name} did not run: {other:?}"),
    }
}

fn count(c: &Counts, key: &str) -> i64 {
    c.get(key).copied().unwrap_or_default()
}

const DAILY_CAP: i64 = 3;

/// Runs each test against SQLite and PostgreSQL with a policy whose daily print cap is small.
macro_rules! with_policy {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            fn configure(policy: &std::path::Path) -> impl FnOnce(&mut oncoreg::config::Settings) {
                let policy = policy.to_path_buf();
                move |s| {
                    s.followup.followup_policy = Some(policy);
                    s.followup.registry_name = "Evergreen Cancer Registry".into();
                    s.followup.registry_phone = "206-555-0142".into();
                }
            }

            fn policy() -> tempfile::NamedTempFile {
                let file = tempfile::NamedTempFile::new().expect("policy file");
                std::fs::write(file.path(), format!("daily_print_cap = {}\n", super::DAILY_CAP))
                    .expect("policy written");
                file
            }

            #[actix_web::test]
            async fn sqlite() {
                let p = policy();
                let app = crate::common::TestApp::sqlite_with(configure(p.path())).await;
                super::$name(&app).await;
                app.stop().await;
            }

            #[actix_web::test]
            async fn postgres() {
                let p = policy();
                let app = crate::common::TestApp::postgres_with(configure(p.path())).await;
                super::$name(&app).await;
                app.stop().await;
            }
        }
    )*};
}

with_policy!(
    eighteen_months_of_follow_up_office,
    letters_can_be_held_cancelled_and_readdressed,
    worklists_speak_in_words,
    an_imported_contact_completes_the_task,
    the_letterhead_is_an_admin_setting
);

fn items(r: &crate::common::Reply) -> Vec<Value> {
    r.body["items"].as_array().cloned().unwrap_or_default()
}

fn paper_physician(name: &str) -> Value {
    json!({"name": name, "street": "1 Clinic Way", "city": "Tacoma", "state": "WA", "postalCode": "98402"})
}

/// A patient with a postal address, a managing physician on paper, one breast tumor, last seen on
/// `dlc`; returns the patient id.
async fn patient(app: &TestApp, number: &str, last: &str, dlc: &str) -> String {
    let mut body = patient_body(number);
    body["nameLast"] = json!(last);
    body["addrCurrentNoStreet"] = json!("12 Elm Street");
    body["physicianManaging"] = paper_physician("Jane Q. Synthetic, MD");
    let pid = app.patient(&body).await;
    let mut tumor = breast_tumor();
    tumor["accessionNumberHosp"] = json!(format!("2021{number:0>5}"));
    app.tumor(&pid, &tumor).await;
    let contact = json!({"contactDate": dlc, "vitalStatus": "1", "followUpSource": "2"});
    let r = app.post(&format!("/api/v1/patients/{pid}/contacts"), &contact).await;
    assert_eq!(r.status, 201, "{}", r.body);
    pid
}

async fn admin_put(app: &TestApp, path: &str, version: i64, body: &Value) -> crate::common::Reply {
    let res = app
        .client
        .put(app.url(path))
        .bearer_auth(&app.admin)
        .header("If-Match", format!("\"{version}\""))
        .json(body)
        .send()
        .await
        .expect("sent");
    crate::common::Reply::from_response(res).await
}

/// Every letter of the registry, by the letters API.
async fn all_letters(app: &TestApp) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let r = app.get(&format!("/api/v1/letters?limit=500{cursor}")).await;
        assert_eq!(r.status, 200, "{}", r.body);
        out.extend(items(&r));
        match r.body["nextCursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return out,
        }
    }
}

async fn eighteen_months_of_follow_up_office(app: &TestApp) {
    // The letterhead is stored before any letter; the server's environment says otherwise.
    let stored =
        app.send(reqwest::Method::GET, "/api/v1/settings/registry", Some(&app.admin), None);
    let stored = stored.await;
    assert_eq!(stored.status, 200, "{}", stored.body);
    assert_eq!(stored.body["name"], "Evergreen Cancer Registry", "seeded from the settings");
    let letterhead = json!({
        "name": "Puget Sound Cancer Registry",
        "address": ["400 Capitol Way", "Olympia, WA 98501"],
        "phone": "360-555-0199",
        "fax": "360-555-0198",
        "returnAddress": ["PO Box 47890", "Olympia, WA 98504"],
        "signerName": "Jordan Lee, CTR",
        "signerTitle": "Follow-up Coordinator"
    });
    let version = stored.body["version"].as_i64().expect("version");
    let r = admin_put(app, "/api/v1/settings/registry", version, &letterhead).await;
    assert_eq!(r.status, 200, "{}", r.body);

    // Due in the simulation; lost long before it starts; dies; replies; a backlog of six.
    let due = patient(app, "8001", "Dueperson", "2025-07-10").await;
    let long_lost = patient(app, "8002", "Lostperson", "2023-01-15").await;
    let dies = patient(app, "8003", "Diesperson", "2025-06-20").await;
    let replies = patient(app, "8004", "Replyperson", "2025-06-25").await;
    let mut backlog = Vec::new();
    for n in 0..6 {
        backlog.push(patient(app, &format!("81{n:02}"), "Backlogperson", "2024-02-01").await);
    }

    let start = day("2026-06-01");
    let end = start.checked_add_days(Days::new(548)).expect("18 months");
    let mut d = start;
    let mut death_recorded: Option<NaiveDate> = None;
    let mut reply_recorded: Option<NaiveDate> = None;
    while d < end {
        // Every job every hour: 24 runs a day, each for that day (the jobs answer for a date, so a
        // repeated run must add nothing).
        for _ in 0..24 {
            for job in ["generate-tasks", "send-letters", "mark-lost"] {
                run(app, job, d);
            }
        }
        // The API's clock stands on its test day (2026-06-30): contacts are recorded then.
        if d == day("2026-06-30") {
            let death = json!({"contactDate": "2026-06-28", "vitalStatus": "0",
                               "followUpSource": "2", "causeOfDeath": "C509"});
            let r = app.post(&format!("/api/v1/patients/{dies}/contacts"), &death).await;
            assert_eq!(r.status, 201, "{}", r.body);
            death_recorded = Some(d);
        }
        if d == day("2026-06-30") {
            let first = items(&app.get(&format!("/api/v1/letters?patientId={replies}")).await);
            let letter = first.first().expect("a letter went to the replying patient's doctor");
            let reply =
                json!({"contactDate": "2026-06-22", "vitalStatus": "1", "followUpSource": "2"});
            let path = format!("/api/v1/letters/{}/reply", letter["id"].as_str().expect("id"));
            let r = app.post(&path, &reply).await;
            assert_eq!(r.status, 200, "{}", r.body);
            reply_recorded = Some(d);
        }
        d = d.succ_opt().expect("next day");
    }

    let letters = all_letters(app).await;
    let mut by_task: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    let mut print_per_day: HashMap<String, i64> = HashMap::new();
    for l in &letters {
        by_task.entry(l["taskId"].as_str().expect("task").to_string()).or_default().push(l);
        if l["channel"] == "print" {
            *print_per_day.entry(l["sendOn"].as_str().expect("day").to_string()).or_default() += 1;
        }
        // Every letter carries the stored letterhead, never the server's environment.
        let body = stored_body(app, l["id"].as_str().expect("id"));
        assert!(l["subject"].as_str().unwrap_or_default().contains("Puget Sound Cancer Registry"));
        for part in ["Puget Sound Cancer Registry", "360-555-0199", "Jordan Lee, CTR"] {
            assert!(body.contains(part), "{part} missing from {body}");
        }
        // Patient letters do not name the diagnosis (the default policy).
        if l["recipient"] == "patient" {
            let wording = body.replace("Puget Sound Cancer Registry", "registry");
            assert!(!wording.to_lowercase().contains("cancer"), "{body}");
        }
    }
    // Every letter's PDF carries the letterhead stored with it.
    for l in &letters {
        let text =
            pdf_text(app, &format!("/api/v1/letters/{}/pdf", l["id"].as_str().expect("id"))).await;
        assert!(
            text.contains("Puget Sound Cancer Registry") && text.contains("360-555-0199"),
            "{text}"
        );
    }
    // At most one letter per task per step interval (30 days in the default policy).
    for (task, ls) in &by_task {
        let mut days: Vec<NaiveDate> =
            ls.iter().map(|l| day(l["sendOn"].as_str().expect("day"))).collect();
        days.sort();
        for w in days.windows(2) {
            assert!((w[1] - w[0]).num_days() >= 30, "task {task}: letters {days:?}");
        }
    }
    // The daily cap holds on every day.
    assert!(print_per_day.values().all(|n| *n <= DAILY_CAP), "{print_per_day:?}");
    // The backlog was spread: its first letters over two days at least.
    let first_day_of = |pid: &str| {
        letters
            .iter()
            .filter(|l| l["patientId"] == pid)
            .map(|l| l["sendOn"].as_str().expect("day").to_string())
            .min()
    };
    let backlog_days: std::collections::BTreeSet<_> = backlog
        .iter()
        .map(|p| first_day_of(p).expect("every backlog patient written to"))
        .collect();
    assert!(backlog_days.len() >= 2, "{backlog_days:?}");

    // The long-lost patient got the whole sequence (physician, patient, patient again), and a
    // second round a year after the first.
    let lost_letters: Vec<&Value> =
        letters.iter().filter(|l| l["patientId"] == long_lost).collect();
    let templates: Vec<&str> = lost_letters
        .iter()
        .filter(|l| l["round"] == 0)
        .map(|l| l["template"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(templates, ["physician", "patient", "patient_second"], "{lost_letters:?}");
    assert!(lost_letters.iter().any(|l| l["round"] == 1), "a second round: {lost_letters:?}");
    let lost_task = items(&app.get(&format!("/api/v1/followup/tasks?patientId={long_lost}")).await);
    assert_eq!(lost_task[0]["state"], "lost");

    // Death: nothing made after it, its unsent letters cancelled with the reason.
    let death_day = death_recorded.expect("death recorded");
    for l in letters.iter().filter(|l| l["patientId"] == dies) {
        assert!(day(l["sendOn"].as_str().expect("day")) <= death_day, "{l}");
        if l["state"] == "cancelled" {
            assert!(l["cancelReason"].as_str().unwrap_or("").contains("death"), "{l}");
        }
    }
    let dead_tasks = items(&app.get(&format!("/api/v1/followup/tasks?patientId={dies}")).await);
    assert_eq!(
        (&dead_tasks[0]["state"], &dead_tasks[0]["completedReason"]),
        (&json!("completed"), &json!("died"))
    );
    // The reply: one letter, answered, nothing after it in that cycle.
    let reply_day = reply_recorded.expect("reply recorded");
    let replied: Vec<&Value> = letters.iter().filter(|l| l["patientId"] == replies).collect();
    let cycle = replied[0]["taskId"].clone();
    assert!(
        replied
            .iter()
            .filter(|l| l["taskId"] == cycle)
            .all(|l| day(l["sendOn"].as_str().expect("day")) <= reply_day)
    );
    assert_eq!(replied[0]["state"], "replied");
    let _ = due;

    // The same date run again adds nothing.
    let again = run(app, "send-letters", end.pred_opt().expect("day"));
    assert_eq!(count(&again, "queuedPrint") + count(&again, "queuedEmail"), 0, "{again:?}");

    // Jobs run by hand by the real binary, without the server's registry settings, still sign with
    // the stored letterhead: the letter's text and its PDF agree.
    let late = patient(app, "8009", "Lateperson", "2026-06-16").await;
    for job in ["generate-tasks", "send-letters"] {
        let out = Command::new(env!("CARGO_BIN_EXE_oncoreg"))
            .args(["jobs", "run", job, "--as-of", "2027-06-19"])
            .env("ONCOREG_DATABASE_URL", &app.db_url)
            .env_remove("ONCOREG_REGISTRY_NAME")
            .env_remove("ONCOREG_REGISTRY_PHONE")
            .env_remove("ONCOREG_REGISTRY_ADDRESS")
            .env_remove("ONCOREG_SMTP_URL")
            .output()
            .expect("oncoreg runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let made = items(&app.get(&format!("/api/v1/letters?patientId={late}")).await);
    assert_eq!(made.len(), 1, "{made:?}");
    let id = made[0]["id"].as_str().expect("id");
    let body = stored_body(app, id);
    let text = pdf_text(app, &format!("/api/v1/letters/{id}/pdf")).await;
    for printed in [&body, &text] {
        assert!(printed.contains("Puget Sound Cancer Registry"), "{printed}");
        assert!(printed.contains("360-555-0199") && printed.contains("PO Box 47890"), "{printed}");
        assert!(printed.contains("Jordan Lee, CTR"), "{printed}");
        assert!(!printed.contains("(000) 000-0000"), "{printed}");
    }
}

/// The text of a PDF the API serves, by pdftotext (poppler-utils).
async fn pdf_text(app: &TestApp, path: &str) -> String {
    let res = app.client.get(app.url(path)).bearer_auth(&app.viewer).send().await.expect("sent");
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.expect("pdf");
    let file = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(file.path(), &bytes).expect("written");
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(file.path())
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils, installed by scripts/test)");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

/// The stored body of a letter, read from its table.
fn stored_body(app: &TestApp, id: &str) -> String {
    use diesel::prelude::*;
    use oncoreg::db::schema::letters;
    let mut conn = app.pool.get().expect("connection");
    letters::table
        .find(id)
        .select(letters::body)
        .first::<String>(&mut *conn)
        .expect("stored letter")
}

/// The words of a letter's text, without the letterhead and page footers the PDF adds.
fn letter_words(text: &str) -> Vec<String> {
    let head = ["Evergreen", "Cancer", "Registry", "Telephone", "206-555-0142", "·"];
    text.lines()
        .filter(|l| !(l.trim().starts_with("page ") && l.contains(" of ")))
        .flat_map(words)
        .filter(|w| !head.contains(&w.as_str()))
        .collect()
}

async fn letters_can_be_held_cancelled_and_readdressed(app: &TestApp) {
    let a = patient(app, "8201", "Holdperson", "2025-05-10").await;
    let b = patient(app, "8202", "Closeperson", "2025-05-10").await;
    run(app, "generate-tasks", day("2026-06-01"));
    let made = run(app, "send-letters", day("2026-06-01"));
    assert_eq!(count(&made, "queuedPrint"), 2, "{made:?}");
    let letter_of = |pid: &str| {
        let pid = pid.to_string();
        async move { items(&app.get(&format!("/api/v1/letters?patientId={pid}")).await)[0].clone() }
    };
    let la = letter_of(&a).await;
    let id = la["id"].as_str().expect("id").to_string();

    // The physician letter, printed: the text pdftotext reads is the stored body, the reply form on
    // its own page.
    let text = pdf_text(app, &format!("/api/v1/letters/{id}/pdf")).await;
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert_eq!(pages.len(), 2, "{text}");
    assert!(pages[1].contains("FOLLOW-UP REPLY FORM") && pages[1].contains("Date of death"));
    assert!(pages[0].contains("45 CFR 164.512(b)") && pages[0].contains("Dear Dr. Synthetic,"));
    let stored = stored_body(app, &id);
    assert_eq!(
        letter_words(&text.replace('\u{c}', "\n")),
        letter_words(&stored.replace('\u{c}', "\n")),
        "the PDF carries the stored body, word for word"
    );

    // Hold: out of the print batch; release: back in.
    let batch = |d: &'static str| async move {
        items(&app.get(&format!("/api/v1/letters?printBatch={d}")).await).len()
    };
    assert_eq!(batch("2026-06-01").await, 2);
    let r = app.post(&format!("/api/v1/letters/{id}/hold"), &json!({})).await;
    assert_eq!((r.status, r.body["state"].as_str()), (200, Some("held")), "{}", r.body);
    assert_eq!(batch("2026-06-01").await, 1);
    app.post(&format!("/api/v1/letters/{id}/hold"), &json!({})).await.problem(409);
    // A held letter keeps the next step waiting.
    let later = run(app, "send-letters", day("2026-07-10"));
    assert_eq!(count(&later, "queuedPrint"), 1, "only the other patient's next letter: {later:?}");
    let r = app.post(&format!("/api/v1/letters/{id}/release"), &json!({})).await;
    assert_eq!(r.body["state"], "queued", "{}", r.body);

    // Correct the recipient before printing: the body is rendered again for the new name.
    let fix =
        json!({"name": "Dr. Ana Corrected", "address": ["9 New Clinic Rd", "Tacoma, WA 98402"]});
    let r = app
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/letters/{id}/recipient"),
            Some(&app.registrar),
            Some(&fix),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["recipientName"], "Dr. Ana Corrected");
    let body = stored_body(app, &id);
    assert!(body.contains("Dear Dr. Corrected,") && body.contains("9 New Clinic Rd"), "{body}");
    let bad = json!({"name": "", "address": ["x"]});
    let r = app
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/letters/{id}/recipient"),
            Some(&app.registrar),
            Some(&bad),
        )
        .await;
    assert!(r.problem(422).iter().any(|(f, _)| f == "name"));

    // Printed: never changed again.
    let r = app.post(&format!("/api/v1/letters/{id}/printed"), &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    app.post(&format!("/api/v1/letters/{id}/cancel"), &json!({})).await.problem(409);
    app.send(
        reqwest::Method::PUT,
        &format!("/api/v1/letters/{id}/recipient"),
        Some(&app.registrar),
        Some(&fix),
    )
    .await
    .problem(409);
    assert_eq!(stored_body(app, &id), body);
    // A viewer may not act on letters.
    let r = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/letters/{id}/hold"),
            Some(&app.viewer),
            Some(&json!({})),
        )
        .await;
    r.problem(403);

    // Closing a task cancels its unsent letters, which leave the print batch.
    let tb = items(&app.get(&format!("/api/v1/followup/tasks?patientId={b}")).await)[0].clone();
    let version = tb["version"].as_i64().expect("version");
    let path = format!("/api/v1/followup/tasks/{}/close", tb["id"].as_str().expect("id"));
    let close = |reason: String| {
        app.client
            .post(app.url(&path))
            .bearer_auth(&app.registrar)
            .header("If-Match", format!("\"{version}\""))
            .json(&json!({ "reason": reason }))
            .send()
    };
    // 500 characters as sent, blanks around the text included (the contract's maxLength).
    let res = close(format!(" {}", "a".repeat(500))).await.expect("sent");
    let r = crate::common::Reply::from_response(res).await;
    assert_eq!(r.problem(422), vec![("reason".to_string(), "text.format".to_string())]);
    let res = close("moved out of state".into()).await.expect("sent");
    let r = crate::common::Reply::from_response(res).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (&r.body["state"], &r.body["completedReason"]),
        (&json!("completed"), &json!("closed"))
    );
    for l in items(&app.get(&format!("/api/v1/letters?patientId={b}")).await) {
        assert_eq!(l["state"], "cancelled", "{l}");
        assert!(l["cancelReason"].as_str().unwrap_or("").contains("moved out of state"), "{l}");
    }
    assert_eq!(batch("2026-07-10").await, 0);

    // A single letter cancelled by a registrar counts as its step done: the sequence moves on.
    let r = app
        .post(
            &format!("/api/v1/letters/{}/cancel", la["id"].as_str().expect("id")),
            &json!({"reason": "x"}),
        )
        .await;
    r.problem(409);
}

async fn worklists_speak_in_words(app: &TestApp) {
    let zed = patient(app, "8301", "Zedperson", "2025-05-10").await;
    let abe = patient(app, "8302", "Abeperson", "2025-04-02").await;
    run(app, "generate-tasks", day("2026-06-01"));
    run(app, "send-letters", day("2026-06-01"));
    let r = app.get("/api/v1/followup/tasks?sort=name").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let tasks = items(&r);
    let names: Vec<&str> =
        tasks.iter().map(|t| t["worklist"]["name"].as_str().unwrap_or("")).collect();
    assert_eq!(names, ["Abeperson, Alpha", "Zedperson, Alpha"]);
    let line = &tasks[0]["worklist"];
    assert_eq!(line["patientIdNumber"], "00008302");
    assert_eq!(line["dateOfBirth"], "1956-03-14");
    assert_eq!(line["dateOfLastContact"], "2025-04-02");
    assert_eq!(line["managingPhysician"], "Jane Q. Synthetic, MD");
    assert_eq!(
        line["tumors"][0],
        "C50.4 Upper-outer quadrant of breast, 8500/3 Infiltrating duct carcinoma, NOS"
    );
    assert!(!r.body.to_string().contains("123456789"), "no SSN in a worklist");
    assert_eq!(tasks[0]["letterStep"], 1);
    assert_eq!(tasks[0]["nextLetter"], "follow_up_physician_or_patient");
    // Orders, one page at a time.
    let first = app.get("/api/v1/followup/tasks?sort=lastContact&limit=1").await;
    assert_eq!(items(&first)[0]["patientId"], abe.as_str());
    let cursor = first.body["nextCursor"].as_str().expect("next page").to_string();
    let second =
        app.get(&format!("/api/v1/followup/tasks?sort=lastContact&limit=1&cursor={cursor}")).await;
    assert_eq!(items(&second)[0]["patientId"], zed.as_str());
    // Filters: due month, letter step.
    assert_eq!(items(&app.get("/api/v1/followup/tasks?dueMonth=2026-04").await).len(), 1);
    assert_eq!(items(&app.get("/api/v1/followup/tasks?letterStep=1").await).len(), 2);
    assert_eq!(items(&app.get("/api/v1/followup/tasks?letterStep=0").await).len(), 0);
    app.get("/api/v1/followup/tasks?sort=ssn").await.problem(400);
    let unknown = "/api/v1/followup/tasks?sort=name&cursor=00000000-0000-0000-0000-000000000000";
    assert_eq!(
        app.get(unknown).await.problem(422),
        vec![("cursor".to_string(), "cursor.unknown".to_string())]
    );
    app.get("/api/v1/followup/tasks?dueMonth=2026-13").await.problem(400);
    // Patient search: by name, birth date, number or SSN last four, never echoing or returning the SSN.
    let search = |body: Value| async move {
        app.send(reqwest::Method::POST, "/api/v1/patients/search", Some(&app.viewer), Some(&body))
            .await
    };
    let found = |r: &crate::common::Reply| -> Vec<String> {
        items(r).iter().map(|m| m["id"].as_str().unwrap_or("").to_string()).collect()
    };
    let r = search(json!({"name": "zedp"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(found(&r), std::slice::from_ref(&zed));
    assert_eq!(
        items(&r)[0]["patient"]["tumors"][0].as_str().map(|t| t.starts_with("C50.4")),
        Some(true)
    );
    assert_eq!(
        found(&search(json!({"name": "Abeperson, Alpha"})).await),
        std::slice::from_ref(&abe)
    );
    assert_eq!(found(&search(json!({"dateOfBirth": "1956-03"})).await), [abe.clone(), zed.clone()]);
    assert_eq!(
        found(&search(json!({"patientIdNumber": "8301"})).await),
        std::slice::from_ref(&zed)
    );
    let by_ssn = search(json!({"ssnLastFour": "6789", "name": "abe"})).await;
    assert_eq!(found(&by_ssn), std::slice::from_ref(&abe));
    assert!(!by_ssn.body.to_string().contains("12345"), "no SSN in results");
    assert!(found(&search(json!({"ssnLastFour": "0000"})).await).is_empty());
    let paged = search(json!({"dateOfBirth": "1956", "limit": 1})).await;
    let cursor = paged.body["nextCursor"].as_str().expect("next page").to_string();
    let next = search(json!({"dateOfBirth": "1956", "limit": 1, "cursor": cursor})).await;
    assert_eq!(found(&next), std::slice::from_ref(&zed));
    let whole = search(json!({"ssnLastFour": "123456789"})).await;
    assert_eq!(whole.problem(422), vec![("ssnLastFour".to_string(), "code.format".to_string())]);
    assert!(!whole.body.to_string().contains("123456789"), "never echoed");
    assert_eq!(search(json!({})).await.problem(422)[0].1, "required");
    let audit = app.audit("entity=patient&limit=500", None).await;
    let searches = audit.iter().filter(|e| e["action"] == "search").count();
    assert!(searches >= 8, "every search audited: {searches}");

    // Letters and the print batch carry the same words.
    let batch = items(&app.get("/api/v1/letters?printBatch=2026-06-01").await);
    assert_eq!(batch.len(), 2);
    assert!(
        batch
            .iter()
            .all(|l| l["worklist"]["tumors"][0].as_str().unwrap_or("").starts_with("C50.4"))
    );
    // A corrected name moves the task in the name order.
    let p = app.get(&format!("/api/v1/patients/{abe}")).await;
    let version = p.body["version"].as_i64().expect("version");
    let res = app
        .client
        .patch(app.url(&format!("/api/v1/patients/{abe}")))
        .bearer_auth(&app.registrar)
        .header("If-Match", format!("\"{version}\""))
        .header("Content-Type", "application/merge-patch+json")
        .body(r#"{"nameLast": "Zzzperson"}"#)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);
    let renamed = items(&app.get("/api/v1/followup/tasks?sort=name").await);
    let names: Vec<&str> =
        renamed.iter().map(|t| t["worklist"]["name"].as_str().unwrap_or("")).collect();
    assert_eq!(names, ["Zedperson, Alpha", "Zzzperson, Alpha"]);
}

async fn an_imported_contact_completes_the_task(app: &TestApp) {
    let pid = patient(app, "8401", "Importperson", "2025-05-10").await;
    run(app, "generate-tasks", day("2026-06-01"));
    run(app, "send-letters", day("2026-06-01"));
    let queued = items(&app.get(&format!("/api/v1/letters?patientId={pid}")).await);
    assert_eq!(queued[0]["state"], "queued");
    // Another system's file says the patient was seen on 2026-05-20.
    let item = |id: &str, v: &str| format!("<Item naaccrId=\"{id}\">{v}</Item>");
    let file = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NaaccrData xmlns=\"http://naaccr.org/naaccrxml\" \
         baseDictionaryUri=\"http://naaccr.org/naaccrxml/naaccr-dictionary-260.xml\" recordType=\"A\" \
         specificationVersion=\"1.8\">\n<Patient>{}{}{}{}{}<Tumor>{}{}{}{}{}{}</Tumor></Patient>\n</NaaccrData>\n",
        item("patientIdNumber", "00008401"),
        item("nameLast", "Importperson"),
        item("nameFirst", "Alpha"),
        item("dateOfLastContact", "20260520"),
        item("vitalStatus", "1"),
        item("primarySite", "C504"),
        item("histologicTypeIcdO3", "8500"),
        item("behaviorCodeIcdO3", "3"),
        item("dateOfDiagnosis", "20210315"),
        item("sequenceNumberHospital", "00"),
        item("accessionNumberHosp", "202108401"),
    );
    let r = app.import("application/xml", file).await;
    assert!(r.status < 300, "{}", r.body);
    let task = &items(&app.get(&format!("/api/v1/followup/tasks?patientId={pid}")).await)[0];
    assert_eq!(
        (&task["state"], &task["completedReason"]),
        (&json!("completed"), &json!("contact"))
    );
    let letter = &items(&app.get(&format!("/api/v1/letters?patientId={pid}")).await)[0];
    assert_eq!(letter["state"], "cancelled", "{letter}");
    assert!(letter["cancelReason"].as_str().unwrap_or("").contains("newer contact"), "{letter}");
    assert!(items(&app.get("/api/v1/letters?printBatch=2026-06-01").await).is_empty());
}

async fn the_letterhead_is_an_admin_setting(app: &TestApp) {
    let path = "/api/v1/settings/registry";
    let read = app.send(reqwest::Method::GET, path, Some(&app.admin), None).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.header("etag"), "\"1\"");
    assert_eq!(read.body["phone"], "206-555-0142");
    // A registrar may not read or change it.
    app.send(reqwest::Method::GET, path, Some(&app.registrar), None).await.problem(403);
    // What GET gives can be sent back with a change.
    let mut body = read.body.clone();
    body["fax"] = json!("206-555-0143");
    body["signerName"] = json!("Jordan Lee, CTR");
    let r = admin_put(app, path, 1, &body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (r.body["version"].as_i64(), r.body["fax"].as_str()),
        (Some(2), Some("206-555-0143"))
    );
    // Stale: 412, nothing changed; bad values: 422 naming each field.
    admin_put(app, path, 1, &body).await.problem(412);
    let bad =
        json!({"name": " ", "phone": "x".repeat(101), "address": ["a", "b", "c", "d", "e", "f"]});
    let fields: Vec<String> =
        admin_put(app, path, 2, &bad).await.problem(422).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["phone", "address"]);
    let blank = json!({"name": " ", "phone": "1"});
    assert_eq!(
        admin_put(app, path, 2, &blank).await.problem(422),
        vec![("name".to_string(), "required".to_string())]
    );
    let now = app.send(reqwest::Method::GET, path, Some(&app.admin), None).await;
    assert_eq!(
        (now.body["version"].as_i64(), now.body["signerName"].as_str()),
        (Some(2), Some("Jordan Lee, CTR"))
    );
    // Changes are audited.
    let audit = app
        .send(reqwest::Method::GET, "/api/v1/audit?entity=settings", Some(&app.admin), None)
        .await;
    assert_eq!(items(&audit).len(), 1, "{}", audit.body);
}
