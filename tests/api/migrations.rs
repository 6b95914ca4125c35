//! Both migration trees have the same steps, and both apply, revert and re-apply on an empty database.

use std::collections::BTreeSet;
use std::path::PathBuf;

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

#[test]
fn sqlite_migrations_apply_revert_and_reapply() {
    let dir = tempfile::tempdir().expect("temp dir");
    up_down_up(&format!("sqlite://{}", dir.path().join("m.db").display()));
}

#[test]
fn postgres_migrations_apply_revert_and_reapply() {
    let (name, url) = crate::common::fresh_postgres();
    up_down_up(&url);
    crate::common::drop_postgres(&name);
}
