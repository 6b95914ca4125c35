//! Benchmark (not a timed test): follow-up task generation over many followed patients, on SQLite
//! and on PostgreSQL. Prints figures; `harness = false`.
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
use oncoreg::db::{self, DatabaseUrl, DbConn};
use oncoreg::dto::{PatientData, TumorData};
use oncoreg::service::followup::{FollowUpConfig, generate_tasks};

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
             INSERT INTO patients SELECT printf('p%09d', i), 1, printf('%08d', i), 'benchperson alpha',
               '2025-01-15', '1', replace({p}, '99999999', printf('%08d', i)),
               '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM n;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
             INSERT INTO tumors SELECT printf('t%09d', i), printf('p%09d', i), 1, 'C504', '8500', '3',
               2024, '14', '0006100001', {t}, '2026-01-01 00:00:00', '2026-01-01 00:00:00', NULL
               FROM n;"
        ),
        DbConn::Postgres(_) => format!(
            "INSERT INTO patients SELECT 'p' || lpad(i::text, 9, '0'), 1, lpad(i::text, 8, '0'),
               'benchperson alpha', '2025-01-15', '1', replace({p}, '99999999', lpad(i::text, 8, '0')),
               '2026-01-01', '2026-01-01' FROM generate_series(1, {n}) AS i;
             INSERT INTO tumors SELECT 't' || lpad(i::text, 9, '0'), 'p' || lpad(i::text, 9, '0'), 1,
               'C504', '8500', '3', 2024, '14', '0006100001', {t}, '2026-01-01', '2026-01-01', NULL
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
            "{label}: {run}: examined {}, created {} tasks in {secs:.1} s ({:.0} patients/s)",
            r.examined,
            r.created,
            r.examined.max(1) as f64 / secs
        );
    }
}

fn main() {
    let n: u64 =
        std::env::var("BENCH_PATIENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let backends = std::env::var("BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let cfg = FollowUpConfig::from_settings(&FollowUpSettings::default()).expect("defaults");
    println!(
        "task generation benchmark: {n} followed patients, {} cores",
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
