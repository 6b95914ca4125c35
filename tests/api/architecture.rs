//! The domain stays plain Rust: no web, database, mail or runtime crates.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn domain_has_no_io_dependencies() {
    let mut files = Vec::new();
    rust_files(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/domain"), &mut files);
    assert!(!files.is_empty());
    let forbidden = [
        "actix",
        "diesel",
        "lettre",
        "tokio",
        "utoipa",
        "reqwest",
        "std::fs",
        "std::env",
        "std::net",
        "Utc::now",
        "Local::now",
    ];
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        for word in forbidden {
            assert!(!text.contains(word), "{} uses {word}", f.display());
        }
    }
}

fn sources(dir: &str) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir), &mut files);
    assert!(!files.is_empty(), "{dir} has Rust files");
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).expect("read");
            (f, text)
        })
        .collect()
}

/// `use` lines only, so that a doc link to an outer layer is not counted as a dependency.
fn uses(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim_start).filter(|l| l.starts_with("use ") || l.starts_with("pub use "))
}

#[test]
fn handlers_reach_the_database_only_through_the_services() {
    for dir in ["src/api", "src/web"] {
        for (f, text) in sources(dir) {
            for word in ["crate::db", "diesel", "r2d2"] {
                assert!(!text.contains(word), "{} uses {word}", f.display());
            }
        }
    }
}

/// One file per screen, each with its template: a page's template and its data struct are checked
/// against each other at compile time, and every template belongs to a page.
#[test]
fn every_page_template_belongs_to_a_screen() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let code: String = sources("src/web").into_iter().map(|(_, t)| t).collect();
    for entry in std::fs::read_dir(root.join("src/web/templates")).expect("templates") {
        let name = entry.expect("entry").file_name().to_string_lossy().to_string();
        let used = code.contains(&format!("path = \"{name}\"")) || name == "base.html";
        assert!(used, "src/web/templates/{name} is no page's template");
    }
}

#[test]
fn file_formats_know_no_storage_web_or_services() {
    for (f, text) in sources("src/formats") {
        for line in uses(&text) {
            for word in ["crate::db", "crate::service", "crate::api", "diesel", "actix"] {
                assert!(!line.contains(word), "{}: {line}", f.display());
            }
        }
    }
    // The XML layer of the reader sits below the reader: no import back up.
    let xml = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/formats/naaccr_read_xml.rs"),
    )
    .expect("read");
    assert!(
        uses(&xml).all(|l| !l.contains("naaccr_read::")),
        "naaccr_read_xml imports naaccr_read"
    );
}

#[test]
fn the_record_model_knows_no_storage_web_or_services() {
    for (f, text) in sources("src/model") {
        for line in uses(&text) {
            for word in
                ["crate::db", "crate::service", "crate::api", "crate::formats", "diesel", "actix"]
            {
                assert!(!line.contains(word), "{}: {line}", f.display());
            }
        }
    }
}

#[test]
fn no_service_file_is_longer_than_a_sitting() {
    for dir in ["src/service/imports", "src/service/submissions"] {
        for (f, text) in sources(dir) {
            let lines = text.lines().count();
            assert!(lines <= 700, "{} has {lines} lines", f.display());
        }
    }
}
