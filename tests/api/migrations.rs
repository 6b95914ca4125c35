//! Both migration trees have the same steps, and both apply, revert and re-apply on an empty database.

use std::collections::BTreeSet;
use std::path::PathBuf;

use diesel::prelude::*;
use oncoreg::db::schema::{patients, tumors};
use oncoreg::db::{self, DatabaseUrl};

fn names(backend: &str) -> BTreeSet<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
    std::fs::read_dir(&dir)
        .expect("migration folder")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("up.sql").is_file() && e.path().join("down.sql").is_file())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect()
}

#[test]
fn both_backends_have_the_same_migrations() {
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"));
}

fn up_down_up(url: &str) {
    let pool = db::pool(&DatabaseUrl::parse(url), Some(1)).expect("pool");
    let mut conn = pool.get().expect("connection");
    let applied = db::run_migrations(&mut conn).expect("up");
    assert_eq!(applied.len(), names("sqlite").len());
    db::revert_all_migrations(&mut conn).expect("down");
    let again = db::run_migrations(&mut conn).expect("up again");
    assert_eq!(again.len(), applied.len());
    assert!(db::run_migrations(&mut conn).expect("idempotent").is_empty());
}

/// Runs `check` on a fresh SQLite file.
fn on_sqlite(check: fn(&str)) {
    let dir = tempfile::tempdir().expect("temp dir");
    check(&format!("sqlite://{}", dir.path().join("m.db").display()));
}

/// Reverts migrations until `last` is the latest applied one.
fn revert_to(conn: &mut db::DbConn, last: &str) {
    loop {
        let applied = db::applied_migrations(conn).expect("applied");
        if applied.last().map(String::as_str) == Some(last) {
            return;
        }
        db::revert_last_migration(conn).expect("down");
    }
}

/// Runs `check` on a fresh PostgreSQL database.
fn on_postgres(check: fn(&str)) {
    let (name, url) = crate::common::fresh_postgres();
    check(&url);
    crate::common::drop_postgres(&name);
}

#[test]
fn sqlite_migrations_apply_revert_and_reapply() {
    on_sqlite(up_down_up);
}

#[test]
fn postgres_migrations_apply_revert_and_reapply() {
    on_postgres(up_down_up);
}

/// Item maps kept in their own tables before 000400 end up on their records, and back on revert.
fn item_maps_move_onto_their_records(url: &str) {
    let pool = db::pool(&DatabaseUrl::parse(url), Some(1)).expect("pool");
    let mut conn = pool.get().expect("connection");
    db::run_migrations(&mut conn).expect("up");
    // Down to the state before 000400 (later migrations first).
    revert_to(&mut conn, "20261123000400");
    assert_eq!(db::revert_last_migration(&mut conn).expect("down"), "20261123000400");
    let at = "'2026-01-01 00:00:00'";
    for sql in [
        format!(
            "INSERT INTO patients (id, version, patient_id_number, name_search, vital_status, \
             data, created_at, updated_at) VALUES ('p1', 1, '00000001', 'roe', '1', '{{}}', {at}, {at}), \
             ('p2', 1, '00000002', 'doe', '1', '{{}}', {at}, {at})"
        ),
        format!(
            "INSERT INTO tumors (id, patient_id, version, primary_site, histology, behavior, \
             diagnosis_year, class_of_case, data, created_at, updated_at) \
             VALUES ('t1', 'p1', 1, 'C509', '8500', '3', 2021, '14', '{{}}', {at}, {at})"
        ),
        r#"INSERT INTO patient_items (patient_id, items) VALUES ('p1', '{"nameAlias":"Roe"}'), ('p2', '{}')"#.into(),
        r#"INSERT INTO tumor_items (tumor_id, items) VALUES ('t1', '{"cs1":"5"}')"#.into(),
    ] {
        diesel::sql_query(sql).execute(&mut *conn).expect("insert");
    }
    db::run_migrations(&mut conn).expect("up again");
    let p: Vec<(String, Option<String>)> = patients::table
        .select((patients::id, patients::items))
        .order(patients::id)
        .load(&mut *conn)
        .expect("patients");
    assert_eq!(
        p,
        vec![("p1".into(), Some(r#"{"nameAlias":"Roe"}"#.into())), ("p2".into(), None)],
        "an empty map becomes NULL"
    );
    let t: Vec<Option<String>> =
        tumors::table.select(tumors::items).load(&mut *conn).expect("tumors");
    assert_eq!(t, vec![Some(r#"{"cs1":"5"}"#.to_string())]);
    revert_to(&mut conn, "20261123000400");
    db::revert_last_migration(&mut conn).expect("down again");
    let back: i64 = diesel::sql_query("SELECT COUNT(*) AS n FROM patient_items")
        .get_result::<Count>(&mut *conn)
        .expect("count")
        .n;
    assert_eq!(back, 1, "the maps go back to their table");
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[test]
fn sqlite_item_maps_move_onto_their_records() {
    on_sqlite(item_maps_move_onto_their_records);
}

#[test]
fn postgres_item_maps_move_onto_their_records() {
    on_postgres(item_maps_move_onto_their_records);
}

/// A batch's per-tumor rows must name it, and a batch they name stays (a foreign key on SQLite, a
/// check per statement on PostgreSQL), before and after reverting to the plain foreign key.
fn submission_rows_need_their_batch(url: &str) {
    let pool = db::pool(&DatabaseUrl::parse(url), Some(1)).expect("pool");
    let mut conn = pool.get().expect("connection");
    db::run_migrations(&mut conn).expect("up");
    for round in ["statement check", "foreign key after revert"] {
        let run = |conn: &mut db::DbConn, sql: &str| diesel::sql_query(sql).execute(conn);
        let batch = |id: &str| {
            format!(
                "INSERT INTO submissions (id, created_at, actor_name, record_type, naaccr_version, \
                 filters, patient_count, tumor_count, excluded_count, byte_count, sha256, file_name) \
                 VALUES ('{id}', '2026-01-01 00:00:00', 'r', 'I', '260', '{{}}', 0, 0, 0, 0, '', 'f')"
            )
        };
        let rows = |batch: &str, tumors: &[&str]| {
            let values: Vec<String> =
                tumors.iter().map(|t| format!("('{batch}', '{t}', 1, 'h', TRUE, NULL)")).collect();
            format!(
                "INSERT INTO submission_tumors (submission_id, tumor_id, tumor_version, \
                 content_hash, included, reasons) VALUES {}",
                values.join(", ")
            )
        };
        let tag = &round[..4];
        let (b1, b2) = (format!("b1{tag}"), format!("b2{tag}"));
        run(&mut conn, &batch(&b1)).expect("batch");
        run(&mut conn, &rows(&b1, &["t1", "t2"])).expect("rows of an existing batch");
        assert!(
            run(&mut conn, &rows(&b2, &["t1"])).is_err(),
            "{round}: a row naming a missing batch is refused"
        );
        run(&mut conn, &batch(&b2)).expect("batch");
        assert!(
            run(
                &mut conn,
                &rows(&b2, &["t3", "t4"]).replace(&format!("('{b2}', 't4'"), "('nope', 't4'")
            )
            .is_err(),
            "{round}: one bad row among good ones refuses the statement"
        );
        let kept: Count = diesel::sql_query(format!(
            "SELECT COUNT(*) AS n FROM submission_tumors WHERE submission_id = '{b2}'"
        ))
        .get_result(&mut *conn)
        .expect("count");
        assert_eq!(kept.n, 0, "{round}: nothing of a refused statement is kept");
        assert!(
            run(&mut conn, &format!("UPDATE submission_tumors SET submission_id = 'nope' WHERE submission_id = '{b1}'"))
                .is_err(),
            "{round}: rows cannot be moved to a missing batch"
        );
        assert!(
            run(&mut conn, &format!("DELETE FROM submissions WHERE id = '{b1}'")).is_err(),
            "{round}: a batch its rows name cannot be deleted"
        );
        assert!(
            run(&mut conn, &format!("UPDATE submissions SET id = 'renamed' WHERE id = '{b1}'"))
                .is_err(),
            "{round}: nor renumbered"
        );
        run(&mut conn, &format!("UPDATE submissions SET tumor_count = 2 WHERE id = '{b1}'"))
            .expect("counts of a named batch change");
        run(&mut conn, &format!("DELETE FROM submissions WHERE id = '{b2}'"))
            .expect("a batch without rows can go");
        if round == "statement check" {
            revert_to(&mut conn, "20261123000600");
            assert_eq!(db::revert_last_migration(&mut conn).expect("down"), "20261123000600");
        }
    }
}

#[test]
fn sqlite_submission_rows_need_their_batch() {
    on_sqlite(submission_rows_need_their_batch);
}

#[test]
fn postgres_submission_rows_need_their_batch() {
    on_postgres(submission_rows_need_their_batch);
}

#[derive(QueryableByName)]
struct SqlitePlan {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PostgresPlan {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    line: String,
}

/// How the database finds the rows a batch left out, asked as the batch report asks
/// (`NOT included` written out).
fn excluded_rows_plan(conn: &mut db::DbConn, postgres: bool) -> String {
    let query = "SELECT tumor_id FROM submission_tumors WHERE submission_id = 'b1' \
                 AND NOT submission_tumors.included ORDER BY tumor_id";
    if postgres {
        // On a small table a sequential scan is cheapest; the question is whether the index fits.
        diesel::sql_query("SET enable_seqscan = off").execute(conn).expect("setting");
        let plan: Vec<PostgresPlan> =
            diesel::sql_query(format!("EXPLAIN {query}")).load(conn).expect("plan");
        plan.into_iter().map(|l| l.line).collect::<Vec<_>>().join("\n")
    } else {
        let plan: Vec<SqlitePlan> =
            diesel::sql_query(format!("EXPLAIN QUERY PLAN {query}")).load(conn).expect("plan");
        plan.into_iter().map(|l| l.detail).collect::<Vec<_>>().join("\n")
    }
}

/// A batch's rows are keyed by tumor and batch (one row per tumor in a batch), the rows a batch
/// left out are found by their own index, and reverting restores the batch-led key.
fn submission_rows_are_keyed_by_tumor(url: &str) {
    let postgres = url.starts_with("postgres");
    let pool = db::pool(&DatabaseUrl::parse(url), Some(1)).expect("pool");
    let mut conn = pool.get().expect("connection");
    db::run_migrations(&mut conn).expect("up");
    let run = |conn: &mut db::DbConn, sql: &str| diesel::sql_query(sql).execute(conn);
    for id in ["b1", "b2"] {
        run(
            &mut conn,
            &format!(
                "INSERT INTO submissions (id, created_at, actor_name, record_type, naaccr_version, \
                 filters, patient_count, tumor_count, excluded_count, byte_count, sha256, file_name) \
                 VALUES ('{id}', '2026-01-01 00:00:00', 'r', 'I', '260', '{{}}', 0, 0, 0, 0, '', 'f')"
            ),
        )
        .expect("batch");
    }
    let row = |batch: &str, tumor: &str, included: &str| {
        format!(
            "INSERT INTO submission_tumors (submission_id, tumor_id, tumor_version, content_hash, \
             included, reasons) VALUES ('{batch}', '{tumor}', 1, 'h', {included}, NULL)"
        )
    };
    for round in ["tumor-led key", "batch-led key after revert"] {
        let tag = &round[..5];
        let (t1, t2) = (format!("t1{tag}"), format!("t2{tag}"));
        run(&mut conn, &row("b1", &t1, "TRUE")).expect("a row");
        run(&mut conn, &row("b2", &t1, "TRUE")).expect("the same tumor in another batch");
        run(&mut conn, &row("b1", &t2, "FALSE")).expect("a tumor left out");
        assert!(
            run(&mut conn, &row("b1", &t1, "FALSE")).is_err(),
            "{round}: a tumor has one row per batch"
        );
        let plan = excluded_rows_plan(&mut conn, postgres);
        let index = match (round, postgres) {
            ("tumor-led key", _) => "submission_tumors_excluded",
            (_, true) => "submission_tumors_pkey",
            (_, false) => "sqlite_autoindex_submission_tumors",
        };
        assert!(plan.contains(index), "{round}: {plan}");
        if round == "tumor-led key" {
            revert_to(&mut conn, "20261123000700");
            assert_eq!(db::revert_last_migration(&mut conn).expect("down"), "20261123000700");
        }
    }
    assert!(
        !excluded_rows_plan(&mut conn, postgres).contains("submission_tumors_excluded"),
        "the partial index goes with the revert"
    );
    let rows: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM submission_tumors")
        .get_result(&mut *conn)
        .expect("count");
    assert_eq!(rows.n, 6, "rows survive the rebuilds");
    db::run_migrations(&mut conn).expect("up again");
    let rows: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM submission_tumors")
        .get_result(&mut *conn)
        .expect("count");
    assert_eq!(rows.n, 6, "and the re-applied step");
}

#[test]
fn sqlite_submission_rows_are_keyed_by_tumor() {
    on_sqlite(submission_rows_are_keyed_by_tumor);
}

#[test]
fn postgres_submission_rows_are_keyed_by_tumor() {
    on_postgres(submission_rows_are_keyed_by_tumor);
}

/// 000900 rebuilds the SQLite tumors table: rows and their foreign keys survive both ways, a tumor
/// without codes can be stored after it, and the other tables' references still name `tumors`.
fn tumors_store_first(url: &str) {
    let pool = db::pool(&DatabaseUrl::parse(url), Some(1)).expect("pool");
    let mut conn = pool.get().expect("connection");
    db::run_migrations(&mut conn).expect("up");
    revert_to(&mut conn, "20261205000900");
    assert_eq!(db::revert_last_migration(&mut conn).expect("down"), "20261205000900");
    let at = "'2026-01-01 00:00:00'";
    let run = |conn: &mut db::DbConn, sql: &str| diesel::sql_query(sql).execute(conn);
    for sql in [
        format!(
            "INSERT INTO patients (id, version, patient_id_number, name_search, vital_status, \
             data, created_at, updated_at) VALUES ('p1', 1, '00000001', 'roe', '1', '{{}}', {at}, {at})"
        ),
        format!(
            "INSERT INTO tumors (id, patient_id, version, primary_site, histology, behavior, \
             diagnosis_year, class_of_case, data, warnings, created_at, updated_at) \
             VALUES ('t1', 'p1', 1, 'C509', '8500', '3', 2021, '14', '{{}}', '[]', {at}, {at})"
        ),
        format!(
            "INSERT INTO treatments (id, tumor_id, version, modality, data, created_at, updated_at) \
             VALUES ('r1', 't1', 1, 'surgery', '{{}}', {at}, {at})"
        ),
    ] {
        run(&mut conn, &sql).expect("insert");
    }
    db::run_migrations(&mut conn).expect("up again");
    let t: Vec<(Option<String>, String, Option<String>)> = tumors::table
        .select((tumors::primary_site, tumors::edit_status, tumors::findings))
        .load(&mut *conn)
        .expect("tumors");
    assert_eq!(t, vec![(Some("C509".into()), "warnings".into(), Some("[]".into()))]);
    run(
        &mut conn,
        &format!(
            "INSERT INTO tumors (id, patient_id, version, data, created_at, updated_at) \
             VALUES ('t2', 'p1', 1, '{{}}', {at}, {at})"
        ),
    )
    .expect("a tumor without codes is stored");
    run(
        &mut conn,
        &format!(
            "INSERT INTO treatments (id, tumor_id, version, modality, data, created_at, updated_at) \
             VALUES ('r2', 't2', 1, 'surgery', '{{}}', {at}, {at})"
        ),
    )
    .expect("treatments reference the new table");
    assert!(
        run(
            &mut conn,
            &format!(
                "INSERT INTO treatments (id, tumor_id, version, modality, data, created_at, \
                 updated_at) VALUES ('r3', 'none', 1, 'surgery', '{{}}', {at}, {at})"
            ),
        )
        .is_err(),
        "a treatment of no tumor is refused"
    );
    assert!(run(&mut conn, "DELETE FROM tumors WHERE id = 't1'").is_err(), "t1 has a treatment");
    run(&mut conn, "DELETE FROM treatments WHERE id = 'r2'").expect("delete");
    run(&mut conn, "DELETE FROM tumors WHERE id = 't2'").expect("delete");
    revert_to(&mut conn, "20261205000900");
    assert_eq!(db::revert_last_migration(&mut conn).expect("down"), "20261205000900");
    assert!(
        run(&mut conn, "DELETE FROM tumors WHERE id = 't1'").is_err(),
        "after the revert too, treatments reference tumors"
    );
    db::run_migrations(&mut conn).expect("up a third time");
}

#[test]
fn sqlite_tumors_store_first() {
    on_sqlite(tumors_store_first);
}

#[test]
fn postgres_tumors_store_first() {
    on_postgres(tumors_store_first);
}
