//! NAACCR import and export throughput on SQLite and PostgreSQL (release build):
//! `cargo bench --bench naaccr`. Prints tumors/s and peak memory.
//!
//! Settings: BENCH_IMPORT_TUMORS (default 100000), BENCH_EXPORT_TUMORS (default 1000000),
//! BENCH_BACKENDS (default "sqlite,postgres"), TEST_POSTGRES_URL, BENCH_DIR (keep the SQLite
//! database and the files there instead of in a temporary directory, to profile later runs),
//! BENCH_EXPORT_ONLY=1 (export what a kept database already holds), BENCH_PG_DB (use and keep
//! this PostgreSQL database, created when missing, instead of a temporary one),
//! BENCH_AGE_FINDING=1 (every tumor's age at diagnosis 065, which disagrees with its dates: an
//! edit finding on nearly every tumor, as in the files of rounds before 2026-12-05; by default
//! the age agrees with the dates, as in a registry's file).

use std::io::{BufReader, BufWriter, Write};
use std::time::Instant;

use chrono::NaiveDate;
use diesel::{Connection, RunQueryDsl, pg::PgConnection};
use oncoreg::db::{self, DatabaseUrl};
use oncoreg::domain::edits::RuleSet;
use oncoreg::domain::naaccr::{Dictionary, RecordType};
use oncoreg::formats::naaccr_read::NaaccrXmlReader;
use oncoreg::formats::naaccr_xml::{NaaccrXmlWriter, PatientItems};
use oncoreg::model::SubmissionRequest;
use oncoreg::service::{Actor, Ctx, imports, submissions};

// The allocator the `oncoreg` binary runs with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn pairs(items: &[(&str, String)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// A v26 A file of `tumors` tumors, two per patient, numbered from `first`.
fn write_file(path: &std::path::Path, first: usize, tumors: usize) {
    let age_finding = std::env::var("BENCH_AGE_FINDING").is_ok_and(|v| v == "1");
    let dict = Dictionary::for_version("260").expect("v26");
    let out = BufWriter::new(std::fs::File::create(path).expect("file"));
    let mut w = NaaccrXmlWriter::new(out, dict, RecordType::A, None).expect("writer");
    let sites = ["C504", "C189", "C341", "C619", "C509"];
    let hist = ["8500", "8140", "8140", "8140", "8520"];
    for p in 0..tumors.div_ceil(2) {
        let n = first + p;
        let sex = if n % 5 == 3 { "1" } else { "2" };
        let (birth_year, birth_month, birth_day) = (1930 + n % 60, 1 + n % 9, 10 + n % 10);
        let items = pairs(&[
            ("patientIdNumber", format!("{n:08}")),
            ("nameLast", format!("Bench{}", n % 997)),
            ("nameFirst", "Alpha".into()),
            ("dateOfBirth", format!("{birth_year}{birth_month:02}{birth_day}")),
            ("sexAssignedAtBirth", sex.into()),
            ("race1", "01".into()),
            ("spanishHispanicOrigin", "0".into()),
            ("addrCurrentCity", "Seattle".into()),
            ("addrCurrentState", "WA".into()),
            ("dateOfLastContact", "20240110".into()),
            ("vitalStatus", "1".into()),
            ("censusTract2020", "000100".into()),
            ("nhiaDerivedHispOrigin", "0".into()),
        ]);
        let tumor = |k: usize| {
            let s = (n + k) % 5;
            let dx_month = 1 + (n + k) % 3;
            let before_birthday = (dx_month, 15) < (birth_month, birth_day);
            let age = 2021 - birth_year - usize::from(before_birthday);
            let age = if age_finding { "065".to_string() } else { format!("{age:03}") };
            let site = if sex == "1" && s == 0 { "C619" } else { sites[s] };
            pairs(&[
                ("primarySite", site.into()),
                ("histologicTypeIcdO3", hist[s].into()),
                ("behaviorCodeIcdO3", "3".into()),
                ("laterality", if site == "C504" || site == "C341" { "2" } else { "0" }.into()),
                ("dateOfDiagnosis", format!("2021{dx_month:02}15")),
                ("sequenceNumberHospital", format!("{:02}", k + 1)),
                ("classOfCase", "14".into()),
                ("diagnosticConfirmation", "1".into()),
                ("gradeClinical", "2".into()),
                ("gradePathological", "2".into()),
                ("summaryStage2018", "1".into()),
                ("reportingFacility", "0006100001".into()),
                ("accessionNumberHosp", format!("{:09}", n * 2 + k)),
                ("addrAtDxCity", "Seattle".into()),
                ("addrAtDxState", "WA".into()),
                ("countyAtDx", "033".into()),
                ("rxSummChemo", "03".into()),
                ("rxDateChemo", "20210420".into()),
                ("rxSummSurgPrimSite", "30".into()),
                ("rxDateSurgery", "20210501".into()),
                ("cancerStatus", "1".into()),
                ("followUpSource", "2".into()),
                // AJCC TNM as NAACCR v26 codes it (the item's code list is checked).
                ("tnmPathT", "p2".into()),
                ("tnmPathN", "p0".into()),
                ("tnmPathM", "c0".into()),
                ("cs1", "".into()),
                ("ageAtDiagnosis", age),
                ("primaryPayerAtDx", "10".into()),
                ("ruralUrbanContinuum2013", "01".into()),
            ])
        };
        let tumors = if 2 * p + 1 < tumors { vec![tumor(0), tumor(1)] } else { vec![tumor(0)] };
        w.write_patient(&PatientItems { items, tumors }).expect("write");
    }
    w.finish().expect("finish");
}

/// Peak resident memory (VmHWM) in MB; reset with [`reset_peak`].
fn peak_mb() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU time of this process (all threads, user and system) in seconds; a database server's time is
/// not in it.
fn cpu_secs() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime is the 12th, stime the 13th.
    let rest = s.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    let ticks = f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0);
    ticks / 100.0
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn run(backend: &str, url: &str, dir: &std::path::Path) {
    let pool = db::pool(&DatabaseUrl::parse(url), Some(2)).expect("pool");
    let mut conn = pool.get().expect("conn");
    db::run_migrations(&mut conn).expect("migrations");
    let actor = Actor::system("bench");
    let today = NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
    let ctx = Ctx { today, rule_set: RuleSet::Naaccr };
    let import_n = env_usize("BENCH_IMPORT_TUMORS", 100_000);
    let export_n = env_usize("BENCH_EXPORT_TUMORS", 1_000_000);
    if std::env::var("BENCH_EXPORT_ONLY").is_ok_and(|v| v == "1") {
        export(backend, &pool, &mut conn, &actor, today, dir);
        return;
    }
    // Import: one file of import_n tumors, timed (edits included).
    let file = dir.join("import.xml");
    write_file(&file, 1, import_n);
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let t = Instant::now();
    let reader = NaaccrXmlReader::new(BufReader::new(std::fs::File::open(&file).expect("open")))
        .expect("reader");
    let read: usize = reader.map(|p| p.expect("patient").tumors.len()).sum();
    println!("{backend}: XML reader alone {:.0} tumors/s", read as f64 / t.elapsed().as_secs_f64());
    let t = Instant::now();
    let cpu = cpu_secs();
    let input =
        Box::new(BufReader::with_capacity(1 << 16, std::fs::File::open(&file).expect("open")));
    let report = imports::import(&mut conn, &actor, input, u64::MAX, ctx, &Default::default())
        .expect("import");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{backend}: import {} tumors ({} patients, {:.1} MB XML) in {secs:.2} s = {:.0} tumors/s, {:.1} µs CPU/tumor (created {}, rejected {})",
        report.tumors_read,
        report.patients_read,
        size as f64 / 1e6,
        report.tumors_read as f64 / secs,
        (cpu_secs() - cpu) * 1e6 / report.tumors_read as f64,
        report.patients_created,
        report.patients_rejected
    );
    if let Some(r) = report.records.iter().find(|r| r.status == "rejected") {
        println!("{backend}: first rejected record: {:?}", r.problems.first());
    }
    // Re-import: nothing changes.
    let t = Instant::now();
    let input =
        Box::new(BufReader::with_capacity(1 << 16, std::fs::File::open(&file).expect("open")));
    let again = imports::import(&mut conn, &actor, input, u64::MAX, ctx, &Default::default())
        .expect("import");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{backend}: re-import (no change) {:.0} tumors/s, unchanged {}",
        again.tumors_read as f64 / secs,
        again.patients_unchanged
    );
    // Fill up to export_n tumors with more files (not timed as a figure).
    let mut have = import_n;
    let t = Instant::now();
    while have < export_n {
        let n = (export_n - have).min(200_000);
        write_file(&file, 1 + have / 2 + 1_000_000, n);
        let input =
            Box::new(BufReader::with_capacity(1 << 16, std::fs::File::open(&file).expect("open")));
        imports::import(&mut conn, &actor, input, u64::MAX, ctx, &Default::default())
            .expect("import");
        have += n;
    }
    if have > import_n {
        println!(
            "{backend}: loaded {have} tumors in total ({:.1} s more)",
            t.elapsed().as_secs_f64()
        );
    }
    let _ = std::fs::remove_file(&file);
    export(backend, &pool, &mut conn, &actor, today, dir);
}

fn export(
    backend: &str,
    pool: &db::Pool,
    conn: &mut db::DbConn,
    actor: &Actor,
    today: NaiveDate,
    dir: &std::path::Path,
) {
    // Export: record type I, v26, into the submissions directory.
    reset_peak();
    let before = peak_mb();
    let t = Instant::now();
    let cpu = cpu_secs();
    let req = SubmissionRequest {
        record_type: Some("I".into()),
        naaccr_version: Some("260".into()),
        include_failing: Some(true),
        ..SubmissionRequest::default()
    };
    // As the service runs it: a second connection reads while the first stores (PostgreSQL);
    // BENCH_EXPORT_ONE_CONNECTION=1 runs it on one, for comparison.
    let one = std::env::var("BENCH_EXPORT_ONE_CONNECTION").is_ok_and(|v| v == "1");
    let mut reader = if one { None } else { db::spare_connection(pool) };
    let batch = submissions::create(
        conn,
        reader.as_deref_mut(),
        actor,
        &req,
        &dir.join("submissions"),
        today,
        &[],
    )
    .expect("export");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{backend}: export {} tumors as I ({:.1} MB) in {secs:.2} s = {:.0} tumors/s, {:.1} µs CPU/tumor, peak RSS {:.0} MB (before {:.0} MB)",
        batch.tumor_count,
        batch.byte_count as f64 / 1e6,
        batch.tumor_count as f64 / secs,
        (cpu_secs() - cpu) * 1e6 / batch.tumor_count.max(1) as f64,
        peak_mb(),
        before
    );
    let _ = std::io::stdout().flush();
}

fn main() {
    let backends = std::env::var("BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    for backend in backends.split(',') {
        let temp = tempfile::tempdir().expect("dir");
        let dir = match std::env::var("BENCH_DIR") {
            Ok(d) => {
                std::fs::create_dir_all(&d).expect("BENCH_DIR");
                std::path::PathBuf::from(d)
            }
            Err(_) => temp.path().to_path_buf(),
        };
        let dir = dir.as_path();
        match backend.trim() {
            "sqlite" => run("sqlite", &dir.join("bench.db").display().to_string(), dir),
            "postgres" => {
                let base = std::env::var("TEST_POSTGRES_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
                let kept = std::env::var("BENCH_PG_DB").ok();
                let name =
                    kept.clone().unwrap_or_else(|| format!("oncoreg_bench_{}", std::process::id()));
                let Ok(mut admin) = PgConnection::establish(&format!("{base}/postgres")) else {
                    println!("postgres: not reachable, skipped");
                    continue;
                };
                let created =
                    diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin);
                if kept.is_none() {
                    created.expect("create db");
                }
                run("postgres", &format!("{base}/{name}"), dir);
                if kept.is_none() {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut admin);
                }
            }
            other => println!("{other}: unknown backend"),
        }
    }
}
