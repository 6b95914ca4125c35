//! Benchmark (not a timed test): the follow-up office over many followed patients, on SQLite and on
//! PostgreSQL: task generation and letter making (a first run, and a run with nothing new), and the
//! worklist page of 50 with names and sites in words (p50/p95 over many pages and orders). Prints
//! figures; `harness = false`.
//!
//!     cargo bench --bench followup_generation                 # 1,000,000 patients
//!     BENCH_PATIENTS=200000 cargo bench --bench followup_generation
//!     BENCH_BACKENDS=sqlite cargo bench --bench followup_generation
//!
//! PostgreSQL: `BENCH_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432`); a scratch database
//! is created and dropped (kept with `BENCH_KEEP=1`). Seeding is done in SQL (one statement per table) and not timed.

use std::time::Instant;

use chrono::NaiveDate;
use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl, pg::PgConnection};
use oncoreg::config::FollowUpSettings;
use oncoreg::db::followup::TaskSort;
use oncoreg::db::{self, DatabaseUrl, DbConn};
use oncoreg::domain::followup::FollowUpPolicy;
use oncoreg::model::{PatientData, TumorData};
use oncoreg::service::followup::{FollowUpConfig, View, WorklistQuery, generate_tasks, list_tasks};
use oncoreg::service::letters::queue_due;
use oncoreg::service::{Actor, PageRequest};

// The allocator the `oncoreg` binary runs with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn patient_doc() -> String {
    let body = serde_json::json!({
        "patientIdNumber": "99999999", "nameLast": "Benchperson", "nameFirst": "Alpha",
        "dateOfBirth": "1956-03-14", "sexAssignedAtBirth": "2", "race1": "01",
        "spanishHispanicOrigin": "0", "addrCurrentCity": "Seattle", "addrCurrentState": "WA",
        "addrCurrentPostalCode": "98101", "countyAtDx": "033",
        "physicianManaging": {"name": "Dr. Synthetic", "npi": "1234567893", "email": "dr@example.org"}
    });
    let data: PatientData = serde_json::from_value(body).expect("patient");
    let patient = data.to_domain().expect("valid patient");
    serde_json::to_string(&PatientData::from_domain(&patient)).expect("doc")
}

fn tumor_doc() -> String {
    let body = serde_json::json!({
        "primarySite": "C50.4", "histologicTypeIcdO3": "8500", "behaviorCodeIcdO3": "3",
        "laterality": "2", "dateOfDiagnosis": "2024-01-15", "sequenceNumberHospital": "00",
        "classOfCase": "14", "diagnosticConfirmation": "1", "gradeClinical": "2",
        "gradePathological": "2", "summaryStage2018": "1", "reportingFacility": "0006100001",
        "accessionNumberHosp": "202400017"
    });
    let data: TumorData = serde_json::from_value(body).expect("tumor");
    let tumor = data.to_domain().expect("valid tumor");
    serde_json::to_string(&TumorData::from_domain(&tumor)).expect("doc")
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Seeds `n` living patients, each with one analytic breast tumor diagnosed 2024-01-15 and a date of
/// last contact of 2025-01-15 (so every one is due, not lost, on 2026-06-30).
fn seed(conn: &mut DbConn, n: u64) {
    let (p, t) = (quote(&patient_doc()), quote(&tumor_doc()));
    let sql = match conn {
        DbConn::Sqlite(_) => format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
             INSERT INTO patients (id, version, patient_id_number, name_search, date_of_last_contact,
               vital_status, data, created_at, updated_at, date_of_birth)
             SELECT printf('p%09d', i), 1, printf('%08d', i),
               printf('benchperson%06d alpha', (i * 7919) % 1000000), '2025-01-15', '1',
               replace({p}, '99999999', printf('%08d', i)),
               '2026-01-01 00:00:00', '2026-01-01 00:00:00', '1956-03-14' FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
             INSERT INTO tumors (id, patient_id, version, primary_site, histology, behavior,
               diagnosis_year, class_of_case, reporting_facility, data, created_at, updated_at)
             SELECT printf('t%09d', i), printf('p%09d', i), 1, 'C504', '8500', '3',
               2024, '14', '0006100001', {t}, '2026-01-01 00:00:00', '2026-01-01 00:00:00'
               FROM n;"
        ),
        DbConn::Postgres(_) => format!(
            "INSERT INTO patients (id, version, patient_id_number, name_search, date_of_last_contact,
               vital_status, data, created_at, updated_at, date_of_birth)
             SELECT 'p' || lpad(i::text, 9, '0'), 1, lpad(i::text, 8, '0'),
               'benchperson' || lpad(((i::bigint * 7919) % 1000000)::text, 6, '0') || ' alpha', '2025-01-15',
               '1', replace({p}, '99999999', lpad(i::text, 8, '0')),
               '2026-01-01', '2026-01-01', '1956-03-14' FROM generate_series(1, {n}) AS i;
             INSERT INTO tumors (id, patient_id, version, primary_site, histology, behavior,
               diagnosis_year, class_of_case, reporting_facility, data, created_at, updated_at)
             SELECT 't' || lpad(i::text, 9, '0'), 'p' || lpad(i::text, 9, '0'), 1,
               'C504', '8500', '3', 2024, '14', '0006100001', {t}, '2026-01-01', '2026-01-01'
               FROM generate_series(1, {n}) AS i;
             ANALYZE patients; ANALYZE tumors;"
        ),
    };
    conn.batch_execute(&sql).expect("seed");
}

fn bench(label: &str, url: &str, n: u64, cfg: &FollowUpConfig) {
    let pool = db::pool(&DatabaseUrl::parse(url), Some(2)).expect("pool");
    let mut conn = pool.get().expect("connection");
    db::run_migrations(&mut conn).expect("migrations");
    let started = Instant::now();
    seed(&mut conn, n);
    println!(
        "{label}: seeded {n} patients with one tumor each in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
    for run in ["first run", "second run"] {
        let started = Instant::now();
        let r = generate_tasks(&mut conn, cfg, as_of).expect("generation");
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{label}: tasks, {run}: examined {}, created {} tasks in {secs:.1} s ({:.0} patients/s)",
            r.examined,
            r.created,
            r.examined.max(1) as f64 / secs
        );
    }
    for run in ["first run", "second run"] {
        let started = Instant::now();
        let r = queue_due(&mut conn, cfg, as_of).expect("letters");
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{label}: letters, {run}: {} tasks, made {} letters in {secs:.1} s ({:.0} tasks/s)",
            r.tasks,
            r.queued_email + r.queued_print,
            r.tasks.max(1) as f64 / secs
        );
    }
    worklist_pages(label, &mut conn, cfg, as_of);
}

/// Worklist pages of 50 with names and sites (the lost view: every seeded patient was last seen
/// 2025-01-15), in each order, following the cursor page by page.
fn worklist_pages(label: &str, conn: &mut DbConn, cfg: &FollowUpConfig, as_of: NaiveDate) {
    let actor = Actor::system("bench");
    for (sort, name) in
        [(TaskSort::Due, "due"), (TaskSort::Name, "name"), (TaskSort::LastContact, "last contact")]
    {
        let mut times = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..200 {
            let query = WorklistQuery {
                view: View::Lost,
                as_of,
                assignee: None,
                unassigned: false,
                facility: None,
                patient_id: None,
                due_month: None,
                letter_step: None,
                sort,
            };
            let page = PageRequest { cursor: cursor.clone(), limit: Some(50) };
            let started = Instant::now();
            let out = list_tasks(conn, &actor, &cfg.policy, &query, &page).expect("page");
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            assert!(
                out.items.iter().all(|t| t.worklist.as_ref().is_some_and(|w| !w.tumors.is_empty()))
            );
            cursor = out.next_cursor;
        }
        times.sort_by(f64::total_cmp);
        let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
        println!(
            "{label}: worklist page of 50 by {name}, 200 pages: p50 {:.1} ms, p95 {:.1} ms",
            at(0.50),
            at(0.95)
        );
    }
}

fn main() {
    let n: u64 =
        std::env::var("BENCH_PATIENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let backends = std::env::var("BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let mut cfg = FollowUpConfig::from_settings(&FollowUpSettings::default()).expect("defaults");
    // Every letter due is made in one run: the figure is the whole backlog, not a day's cap.
    cfg.policy = FollowUpPolicy { daily_print_cap: None, ..FollowUpPolicy::default() };
    println!(
        "follow-up benchmark: {n} followed patients, {} cores",
        std::thread::available_parallelism().map(|p| p.get()).unwrap_or(1)
    );
    if backends.contains("sqlite") {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bench.db").display().to_string();
        bench("sqlite", &path, n, &cfg);
    }
    if backends.contains("postgres") {
        let base = std::env::var("BENCH_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
        let name = format!("oncoreg_bench_{}", std::process::id());
        let mut admin = PgConnection::establish(&format!("{base}/postgres")).expect("PostgreSQL");
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin).expect("create");
        bench("postgres", &format!("{base}/{name}"), n, &cfg);
        if std::env::var("BENCH_KEEP").is_ok() {
            println!("postgres: kept database {name}");
            return;
        }
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .expect("drop");
    }
}
