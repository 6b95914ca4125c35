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
    assert_eq!(db::revert_last_migration(&mut conn).expect("down"), "20261123000500");
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
    for _ in ["000500", "000400"] {
        db::revert_last_migration(&mut conn).expect("down again");
    }
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
